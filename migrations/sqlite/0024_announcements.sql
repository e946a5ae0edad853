-- Announcements (A1, A2): building news with attachments, seen-by counts and templates.
CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    building_id TEXT NOT NULL REFERENCES buildings(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('all', 'owners', 'tenants', 'council')),
    template TEXT,
    pinned INTEGER NOT NULL DEFAULT 0,
    -- Visible to the audience from publish_at; the e-mail notice is sent once (notified_at).
    publish_at INTEGER NOT NULL,
    expires_at INTEGER,
    notified_at INTEGER,
    withdrawn_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- The list's order: pinned first, newest first, with the id as tie-breaker (keyset).
CREATE INDEX announcements_list ON announcements(building_id, pinned, publish_at, id);

-- Who of the audience opened it ("vu par 23 / 40").
CREATE TABLE announcement_views (
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, person_id)
);

CREATE TABLE announcement_attachments (
    id TEXT PRIMARY KEY,
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    -- 'photo' (re-encoded JPEG) or 'pdf'
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'pdf')),
    object_key TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX announcement_attachments_of ON announcement_attachments(announcement_id, created_at);

-- A2 templates, per agency and language; seeded, then editable by the agency.
CREATE TABLE announcement_templates (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (agency_id, slug, lang)
);
