-- The people lifecycle (issue: onboarding, items 6-8): approval of new members, moving
-- out, erasure, e-mail changes.

-- Seed 001: a building may ask that someone checks new members really live there.
ALTER TABLE buildings ADD COLUMN needs_approval INTEGER NOT NULL DEFAULT 0;

-- People waiting for approval. Kept apart from `memberships`, so that a pending person
-- is no member of anything: every access rule keeps working without a status filter.
CREATE TABLE membership_requests (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    lot_id TEXT REFERENCES lots(id),
    occupancy TEXT NOT NULL CHECK (occupancy IN ('owner', 'tenant')),
    created_at INTEGER NOT NULL,
    UNIQUE (person_id, building_id)
);
CREATE INDEX membership_requests_building ON membership_requests(building_id, created_at, id);

-- Memberships that ended (moving out): the history, and who a manager may erase later.
CREATE TABLE past_memberships (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    role TEXT NOT NULL,
    occupancy TEXT,
    lot_id TEXT REFERENCES lots(id),
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    ended_by TEXT REFERENCES people(id)
);
CREATE INDEX past_memberships_building ON past_memberships(building_id, ended_at DESC, id DESC);
CREATE INDEX past_memberships_person ON past_memberships(person_id);

-- Erased accounts keep their row (reports and comments point at it) without personal data.
ALTER TABLE people ADD COLUMN erased_at INTEGER;

-- A new e-mail address waits here until the link sent to it is followed.
CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    new_email TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX email_changes_person ON email_changes(person_id);
