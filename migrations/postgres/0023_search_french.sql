-- Search that matches French (issue 15 item 9): comments and provider reports are
-- indexed, in one column per audience so that a search never looks into what its reader
-- cannot see; the `french` configuration stems them. Each column has its weight in the
-- one tsvector, and a query names the weights its reader may see:
--   A search_text     the report, comments for everyone, provider reports
--   B search_council  comments for the council or for one person (managers and referents)
--   C search_landlord the private landlord thread (managers)
ALTER TABLE reports ADD COLUMN search_council TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN search_landlord TEXT NOT NULL DEFAULT '';
-- Reports indexed before this migration are indexed again by the worker, in batches.
ALTER TABLE reports ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_search_stale ON reports(id) WHERE search_version = 0;
CREATE INDEX provider_reports_work_order ON provider_reports(work_order_id);

DROP INDEX reports_search;
ALTER TABLE reports DROP COLUMN search;
ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('french', search_text), 'A')
    || setweight(to_tsvector('french', search_council), 'B')
    || setweight(to_tsvector('french', search_landlord), 'C')
) STORED;
CREATE INDEX reports_search ON reports USING GIN (search);

-- The on-call contact's private read-only link to one urgent report (issue 15 item 5): no
-- account, stored as a digest, expiring.
CREATE TABLE on_call_links (
    token_hash TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Photos the provider attached to their report after the visit: shown apart from the
-- residents' photos, with their own text alternative (issue 15 item 4).
ALTER TABLE photos ADD COLUMN from_provider INTEGER NOT NULL DEFAULT 0;
