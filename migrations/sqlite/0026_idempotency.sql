-- Idempotency keys of create requests (Idempotency-Key header, or the hidden key of a
-- page's form): a retry with the same key gets the first answer instead of a second
-- creation. Kept 24 hours, shared by every instance.
CREATE TABLE idempotency_keys (
    person_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- NULL while the first request runs.
    status INTEGER,
    content_type TEXT,
    location TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
