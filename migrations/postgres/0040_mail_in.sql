-- Answer by e-mail (N6, issue 14).

-- Reply addresses: one token per recipient and item (a report thread or a work order),
-- stored as a digest; checked again at use, revocable.
CREATE TABLE mail_tokens (
    token_hash TEXT PRIMARY KEY,
    -- 'report' or 'work_order'.
    kind TEXT NOT NULL CHECK (kind IN ('report', 'work_order')),
    item_id TEXT NOT NULL,
    -- The recipient: a person, or (providers) only an address.
    person_id TEXT REFERENCES people(id),
    email TEXT NOT NULL,
    -- The audience of the message answered, and for a personal message who answers go to.
    audience TEXT NOT NULL DEFAULT 'all',
    audience_person_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX mail_tokens_item ON mail_tokens(kind, item_id);

-- Each building's intake address (signaler+<token>@…), shown to staff.
CREATE TABLE building_intake (
    building_id TEXT PRIMARY KEY REFERENCES buildings(id),
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Messages received, by Message-ID: the same message delivered twice is handled once.
CREATE TABLE inbound_messages (
    message_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- Short answers sent to senders (closed report, refused intake), to rate-limit them.
CREATE TABLE mail_answers (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX mail_answers_address ON mail_answers(address, sent_at);

-- Addresses that bounced (delivery status notifications).
CREATE TABLE mail_failures (
    email TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);

-- A provider's e-mail replies, in the work order's history (staff only).
CREATE TABLE work_order_messages (
    id TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    from_email TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX work_order_messages_order ON work_order_messages(work_order_id, created_at);
