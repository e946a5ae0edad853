-- Foundation: agencies, buildings, lots, people, memberships, sessions, tokens, jobs, audit.
-- Timestamps are UTC milliseconds since the Unix epoch; flags are 0/1 integers, so one query layer decodes both backends.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    on_call_email TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE buildings (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    lots_count BIGINT NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE,
    access_codes TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    council_filter BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX buildings_agency ON buildings(agency_id);

CREATE TABLE lots (
    id TEXT PRIMARY KEY,
    building_id TEXT NOT NULL REFERENCES buildings(id),
    label TEXT NOT NULL,
    -- Ownership shares (tantiemes), ready for weighted polls.
    shares BIGINT NOT NULL DEFAULT 0,
    UNIQUE (building_id, label)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'fr',
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    phone TEXT NOT NULL DEFAULT '',
    is_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE agency_staff (
    person_id TEXT NOT NULL REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    role TEXT NOT NULL DEFAULT 'manager',
    PRIMARY KEY (person_id, agency_id)
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    role TEXT NOT NULL CHECK (role IN ('occupant', 'referent', 'landlord')),
    occupancy TEXT CHECK (occupancy IN ('owner', 'tenant')),
    referent_kind TEXT CHECK (referent_kind IN ('council', 'caretaker')),
    lot_id TEXT REFERENCES lots(id),
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, building_id, role)
);
CREATE INDEX memberships_building ON memberships(building_id);

CREATE TABLE charter_acceptances (
    person_id TEXT NOT NULL REFERENCES people(id),
    version TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, version)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);

-- Durable job queue (outbox); e-mails and scheduled work are rows here.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    last_error TEXT,
    locked_by TEXT,
    locked_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(status, run_at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    actor_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX audit_target ON audit_log(target_type, target_id);
