-- Abuse limits per client address (wrong building codes, failed logins), counted in
-- the database so every server process shares them; and e-mailed links that lift an
-- account's login lock for its owner.
CREATE TABLE throttle_hits (
    id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX throttle_hits_subject ON throttle_hits(bucket, subject, at);
CREATE INDEX throttle_hits_at ON throttle_hits(at);

CREATE TABLE login_unlocks (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
