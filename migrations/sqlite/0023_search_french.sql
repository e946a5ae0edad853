-- Search that matches French (issue 15 item 9): the indexed text holds French stems (made
-- by Palier: FTS5 has no French stemmer), and comments and provider reports are indexed,
-- in one column per audience so that a search never looks into what its reader cannot see.
--   search_text     the report, comments for everyone, provider reports
--   search_council  comments for the council or for one person (managers and referents)
--   search_landlord the private landlord thread (managers)
ALTER TABLE reports ADD COLUMN search_council TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN search_landlord TEXT NOT NULL DEFAULT '';
-- Reports indexed before this migration are indexed again by the worker, in batches.
ALTER TABLE reports ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_search_stale ON reports(id) WHERE search_version = 0;
CREATE INDEX provider_reports_work_order ON provider_reports(work_order_id);

DROP TRIGGER reports_fts_insert;
DROP TRIGGER reports_fts_delete;
DROP TRIGGER reports_fts_update;
DROP TABLE reports_fts;
CREATE VIRTUAL TABLE reports_fts USING fts5(
    search_text, search_council, search_landlord,
    content='reports', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_fts(rowid, search_text, search_council, search_landlord)
    VALUES (new.rowid, new.search_text, new.search_council, new.search_landlord);
END;
CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, search_text, search_council, search_landlord)
    VALUES ('delete', old.rowid, old.search_text, old.search_council, old.search_landlord);
END;
CREATE TRIGGER reports_fts_update AFTER UPDATE OF search_text, search_council, search_landlord ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, search_text, search_council, search_landlord)
    VALUES ('delete', old.rowid, old.search_text, old.search_council, old.search_landlord);
    INSERT INTO reports_fts(rowid, search_text, search_council, search_landlord)
    VALUES (new.rowid, new.search_text, new.search_council, new.search_landlord);
END;
INSERT INTO reports_fts(reports_fts) VALUES ('rebuild');

-- The on-call contact's private read-only link to one urgent report (issue 15 item 5): no
-- account, stored as a digest, expiring.
CREATE TABLE on_call_links (
    token_hash TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Photos the provider attached to their report after the visit: shown apart from the
-- residents' photos, with their own text alternative (issue 15 item 4).
ALTER TABLE photos ADD COLUMN from_provider INTEGER NOT NULL DEFAULT 0;
