-- Notifications: in-app list, e-mail preferences, per-category subscriptions, digests.

-- One notification per (event, person); e-mailed at once or gathered in the daily digest.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    event_id TEXT NOT NULL REFERENCES events(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    report_id TEXT REFERENCES reports(id),
    kind TEXT NOT NULL,
    -- 'immediate': an e-mail job was queued; 'digest': waits for the 08:00 digest; 'none': in-app only.
    delivery TEXT NOT NULL,
    emailed_at BIGINT,
    read_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (event_id, person_id)
);
CREATE INDEX notifications_person ON notifications(person_id, created_at DESC);
CREATE INDEX notifications_digest ON notifications(person_id, delivery, emailed_at, created_at);

CREATE TABLE notification_settings (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    -- 'immediate' or 'digest'
    mode TEXT NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'digest'))
);

-- Explicit per-category choices; without a row the default applies (managers are
-- unsubscribed from neighbours' messages, everyone else subscribed to everything).
CREATE TABLE category_subscriptions (
    person_id TEXT NOT NULL REFERENCES people(id),
    category TEXT NOT NULL,
    subscribed BIGINT NOT NULL,
    PRIMARY KEY (person_id, category)
);

-- Scheduled jobs that must exist once (a person's next digest): a unique key.
ALTER TABLE jobs ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX jobs_dedup ON jobs(dedup_key);
