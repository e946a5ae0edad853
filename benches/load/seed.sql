-- Bulk seed for the load benchmark, valid on SQLite and PostgreSQL alike.
-- Placeholders replaced by run.sh: :N (reports), :NOW (ms), :MANAGER (person id).
-- 50 buildings of the manager's agency; the N reports in the first one, filed by one
-- occupant who follows them; one dispatched event and one manager notification per
-- report (the latest 500 unread).

INSERT INTO buildings (id, agency_id, name, address, code, created_at)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50)
SELECT 'b' || i, (SELECT agency_id FROM agency_staff WHERE person_id = ':MANAGER'),
       'Résidence ' || i, i || ' rue du Banc', 'BENCH' || i, :NOW FROM s;

INSERT INTO people (id, name, email, password_hash, lang, created_at)
SELECT 'poccupant', 'Occupante Banc', 'occupant@bench.test', password_hash, 'fr', :NOW
FROM people WHERE id = ':MANAGER';
INSERT INTO memberships (id, person_id, building_id, role, occupancy, created_at)
VALUES ('mocc', 'poccupant', 'b1', 'occupant', 'tenant', :NOW);

INSERT INTO reports (id, building_id, author_id, concerned_id, category, title, description,
                     location_part, status, search_text, created_at, updated_at, search_version)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :N)
SELECT 'r' || i, 'b1', 'poccupant', 'poccupant',
       CASE i % 8 WHEN 0 THEN 'plomberie' WHEN 1 THEN 'electricite' WHEN 2 THEN 'ascenseur'
            WHEN 3 THEN 'chauffage' WHEN 4 THEN 'acces' WHEN 5 THEN 'proprete'
            WHEN 6 THEN 'espaces-verts' ELSE 'nuisibles' END,
       CASE i % 5 WHEN 0 THEN 'Fuite au plafond' WHEN 1 THEN 'Porte du hall bloquée'
            WHEN 2 THEN 'Ampoule grillée' WHEN 3 THEN 'Radiateur froid' ELSE 'Interphone muet' END
         || CASE WHEN i % 1000 = 0 THEN ' zinguerie' ELSE '' END || ' ' || i,
       'Constaté ce matin dans l''immeuble.', 'escalier ' || (i % 4),
       CASE i % 3 WHEN 0 THEN 'todo' WHEN 1 THEN 'in_progress' ELSE 'closed' END,
       CASE i % 5 WHEN 0 THEN 'fuite au plafond' WHEN 1 THEN 'porte du hall bloquee'
            WHEN 2 THEN 'ampoule grillee' WHEN 3 THEN 'radiateur froid' ELSE 'interphone muet' END
         || CASE WHEN i % 1000 = 0 THEN ' zinguerie' ELSE '' END || ' ' || i
         || ' constate ce matin dans l immeuble escalier ' || (i % 4),
       :NOW - (:N - i) * CAST(60000 AS BIGINT), :NOW - (:N - i) * CAST(60000 AS BIGINT),
       -- Marked current so the worker does not index a million reports again under wrk;
       -- folded words are what a stemmed query's prefixes match anyway.
       1
FROM s;

INSERT INTO report_followers (report_id, person_id, created_at)
SELECT id, 'poccupant', created_at FROM reports WHERE building_id = 'b1';

INSERT INTO events (id, kind, building_id, report_id, actor_id, created_at, dispatched_at)
SELECT 'e' || substr(id, 2), 'report_created', 'b1', id, 'poccupant', created_at, created_at
FROM reports WHERE building_id = 'b1';

INSERT INTO notifications (id, person_id, event_id, building_id, report_id, kind, delivery,
                           read_at, created_at)
SELECT 'n' || substr(id, 2), ':MANAGER', 'e' || substr(id, 2), 'b1', id, 'report_created', 'none',
       CASE WHEN created_at > :NOW - 500 * 60000 THEN NULL ELSE created_at + 1 END, created_at
FROM reports WHERE building_id = 'b1';
