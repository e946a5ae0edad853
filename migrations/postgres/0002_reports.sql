-- Reports (signalements): board, comments, photos, followers, history, reply templates.

-- Categories an agency adds to the built-in list (built-in ones live in code + locales).
CREATE TABLE custom_categories (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    slug TEXT NOT NULL,
    label TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    urgent_by_default BIGINT NOT NULL DEFAULT 0,
    UNIQUE (agency_id, slug)
);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    building_id TEXT NOT NULL REFERENCES buildings(id),
    -- Who filed it, and for whom (a caretaker filing for an occupant who phoned).
    author_id TEXT NOT NULL REFERENCES people(id),
    concerned_id TEXT NOT NULL REFERENCES people(id),
    lot_id TEXT REFERENCES lots(id),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location_part TEXT NOT NULL DEFAULT '',
    location_floor TEXT NOT NULL DEFAULT '',
    location_detail TEXT NOT NULL DEFAULT '',
    urgent BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'closed')),
    -- Council filter (R8): 0 while a referent's report is kept from the manager.
    manager_visible BIGINT NOT NULL DEFAULT 1,
    removed_at BIGINT,
    removed_by TEXT REFERENCES people(id),
    removed_reason TEXT,
    -- Lower-cased, accent-free text of title, description and location, for search.
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX reports_board ON reports(building_id, status, updated_at DESC, id DESC);
CREATE INDEX reports_lot ON reports(lot_id);

ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('french', search_text)) STORED;
CREATE INDEX reports_search ON reports USING GIN (search);

CREATE TABLE report_followers (
    report_id TEXT NOT NULL REFERENCES reports(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, person_id)
);

CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    body TEXT NOT NULL,
    -- all | council (referents and manager) | person (one occupant) | landlord (private R10 thread)
    audience TEXT NOT NULL CHECK (audience IN ('all', 'council', 'person', 'landlord')),
    audience_person_id TEXT REFERENCES people(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_report ON comments(report_id, created_at);

CREATE TABLE photos (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    comment_id TEXT REFERENCES comments(id),
    uploader_id TEXT NOT NULL REFERENCES people(id),
    object_key TEXT NOT NULL,
    thumb_key TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX photos_report ON photos(report_id);

-- Domain events: the report's history (R11) and the source of notifications (issue N).
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    building_id TEXT NOT NULL REFERENCES buildings(id),
    report_id TEXT REFERENCES reports(id),
    comment_id TEXT REFERENCES comments(id),
    actor_id TEXT REFERENCES people(id),
    -- Same audience values as comments, so history is filtered like the thread.
    audience TEXT NOT NULL DEFAULT 'all',
    audience_person_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    dispatched_at BIGINT
);
CREATE INDEX events_report ON events(report_id, created_at);
CREATE INDEX events_undispatched ON events(dispatched_at, created_at);

CREATE TABLE reply_templates (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX reply_templates_agency ON reply_templates(agency_id, position);
