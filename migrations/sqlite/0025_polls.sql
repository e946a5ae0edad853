-- Polls (P1–P5): drafts, publication, secret votes, reminders, closing, weighted results.
CREATE TABLE polls (
    id TEXT PRIMARY KEY,
    building_id TEXT NOT NULL REFERENCES buildings(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    -- The option labels as a JSON array of strings (2 to 10, fixed once published).
    options TEXT NOT NULL,
    multiple INTEGER NOT NULL DEFAULT 0,
    audience TEXT NOT NULL CHECK (audience IN ('all', 'owners', 'tenants')),
    weighted INTEGER NOT NULL DEFAULT 0,
    results_visible TEXT NOT NULL CHECK (results_visible IN ('after_vote', 'after_close')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    closes_at INTEGER,
    published_at INTEGER,
    reminded_at INTEGER,
    closed_at INTEGER,
    created_at INTEGER NOT NULL
);
-- The list's order: newest first, the id as tie-breaker (keyset).
CREATE INDEX polls_list ON polls(building_id, created_at, id);

-- One vote per person and poll: voting again replaces it (an upsert, so concurrent
-- double votes leave one). The chosen option indexes as a JSON array.
CREATE TABLE poll_votes (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    options TEXT NOT NULL,
    voted_at INTEGER NOT NULL,
    -- Time-ordered id of this vote: orders votes cast in the same millisecond.
    vote_seq TEXT NOT NULL,
    PRIMARY KEY (poll_id, person_id)
);
