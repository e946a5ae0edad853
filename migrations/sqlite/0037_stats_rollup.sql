-- A building's statistics cost the period's days, not its reports (issue 12, D2-D3).
-- Four tables kept by triggers on reports (only reports not removed count):
--  * report_status_counts: reports per building, status, urgency and council filter, the
--    manager's dashboard counts (issue 17: counts kept, not counted per request);
--  * report_quarters: reports per quarter of an hour (UTC), so the monthly bars are exact
--    for any time zone whose midnight falls on a quarter of an hour;
--  * report_days: per UTC day, category, place and council filter, the counts behind the
--    categories, the recurrent problems and the on-time share;
--  * report_durations: per UTC day, histograms of the time to the first answer (which = 0)
--    and to closing (which = 1), for the medians of long periods. Buckets: 6 minutes below
--    100 hours, then hours below 1,000 hours, then days (see src/db/stats.rs).
-- The partial days at both ends of a period are read from the reports themselves.

CREATE TABLE report_status_counts (
    building_id TEXT NOT NULL,
    status TEXT NOT NULL,
    urgent INTEGER NOT NULL,
    manager_visible INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (building_id, manager_visible, status, urgent)
) WITHOUT ROWID;

CREATE TABLE report_quarters (
    building_id TEXT NOT NULL,
    quarter INTEGER NOT NULL,
    manager_visible INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (building_id, quarter, manager_visible)
) WITHOUT ROWID;

CREATE TABLE report_days (
    building_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    category TEXT NOT NULL,
    location_part TEXT NOT NULL,
    manager_visible INTEGER NOT NULL,
    n INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    answered_due INTEGER NOT NULL,
    PRIMARY KEY (building_id, day, category, location_part, manager_visible)
) WITHOUT ROWID;

CREATE TABLE report_durations (
    building_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    manager_visible INTEGER NOT NULL,
    which INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (building_id, which, day, manager_visible, bucket)
) WITHOUT ROWID;

INSERT INTO report_status_counts (building_id, status, urgent, manager_visible, n)
SELECT building_id, status, urgent, manager_visible, COUNT(*) FROM reports
WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4;

INSERT INTO report_quarters (building_id, quarter, manager_visible, n)
SELECT building_id, created_at / 900000, manager_visible, COUNT(*) FROM reports
WHERE removed_at IS NULL GROUP BY 1, 2, 3;

INSERT INTO report_days (building_id, day, category, location_part, manager_visible, n,
                         answered, closed, on_time, answered_due)
SELECT building_id, created_at / 86400000, category, location_part, manager_visible, COUNT(*),
       COUNT(first_response_at), COUNT(closed_at),
       SUM(CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END),
       SUM(CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL THEN 1 ELSE 0 END)
FROM reports WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4, 5;

INSERT INTO report_durations (building_id, day, manager_visible, which, bucket, n)
SELECT building_id, created_at / 86400000, manager_visible, which,
       CASE WHEN d < 0 THEN 0 WHEN d < 360000000 THEN d / 360000
            WHEN d < 3600000000 THEN 1000 + (d - 360000000) / 3600000
            ELSE 1900 + (d - 3600000000) / 86400000 END, COUNT(*)
FROM (SELECT building_id, created_at, manager_visible, 0 AS which,
             first_response_at - created_at AS d FROM reports WHERE removed_at IS NULL
      UNION ALL SELECT building_id, created_at, manager_visible, 1, closed_at - created_at
      FROM reports WHERE removed_at IS NULL)
WHERE d IS NOT NULL GROUP BY 1, 2, 3, 4, 5;

-- One report's share of the four tables, added (sign 1) or taken back (sign -1): SQLite
-- triggers cannot call a routine, so the share is applied by inserting a row into this
-- empty view, whose INSTEAD OF trigger holds the one copy of the upserts.
CREATE VIEW report_stats_delta AS
SELECT building_id, created_at, category, location_part, manager_visible, first_response_at,
       closed_at, due_at, status, urgent, 0 AS sign FROM reports WHERE 0;

CREATE TRIGGER report_stats_delta_apply INSTEAD OF INSERT ON report_stats_delta BEGIN
    INSERT INTO report_status_counts (building_id, status, urgent, manager_visible, n)
    VALUES (NEW.building_id, NEW.status, NEW.urgent, NEW.manager_visible, NEW.sign)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO report_quarters (building_id, quarter, manager_visible, n)
    VALUES (NEW.building_id, NEW.created_at / 900000, NEW.manager_visible, NEW.sign)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO report_days (building_id, day, category, location_part, manager_visible, n,
                             answered, closed, on_time, answered_due)
    VALUES (NEW.building_id, NEW.created_at / 86400000, NEW.category, NEW.location_part,
            NEW.manager_visible, NEW.sign, NEW.sign * (NEW.first_response_at IS NOT NULL),
            NEW.sign * (NEW.closed_at IS NOT NULL),
            NEW.sign * COALESCE(NEW.first_response_at <= NEW.due_at, 0),
            NEW.sign * (NEW.first_response_at IS NOT NULL AND NEW.due_at IS NOT NULL))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered,
        closed = closed + excluded.closed, on_time = on_time + excluded.on_time,
        answered_due = answered_due + excluded.answered_due;
    INSERT INTO report_durations (building_id, day, manager_visible, which, bucket, n)
    SELECT NEW.building_id, NEW.created_at / 86400000, NEW.manager_visible, which,
           CASE WHEN d < 0 THEN 0 WHEN d < 360000000 THEN d / 360000
                WHEN d < 3600000000 THEN 1000 + (d - 360000000) / 3600000
                ELSE 1900 + (d - 3600000000) / 86400000 END, NEW.sign
    FROM (SELECT 0 AS which, NEW.first_response_at - NEW.created_at AS d
          UNION ALL SELECT 1, NEW.closed_at - NEW.created_at) WHERE d IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER reports_stats_insert AFTER INSERT ON reports WHEN NEW.removed_at IS NULL BEGIN
    INSERT INTO report_stats_delta VALUES (NEW.building_id, NEW.created_at, NEW.category,
        NEW.location_part, NEW.manager_visible, NEW.first_response_at, NEW.closed_at,
        NEW.due_at, NEW.status, NEW.urgent, 1);
END;

CREATE TRIGGER reports_stats_delete AFTER DELETE ON reports WHEN OLD.removed_at IS NULL BEGIN
    INSERT INTO report_stats_delta VALUES (OLD.building_id, OLD.created_at, OLD.category,
        OLD.location_part, OLD.manager_visible, OLD.first_response_at, OLD.closed_at,
        OLD.due_at, OLD.status, OLD.urgent, -1);
END;

-- An update takes the old share back and adds the new one, only when a counted column
-- changed (status changes, edits of the text and the like cost nothing here).
CREATE TRIGGER reports_stats_update AFTER UPDATE ON reports
WHEN OLD.removed_at IS NOT NEW.removed_at
    OR OLD.building_id IS NOT NEW.building_id OR OLD.created_at IS NOT NEW.created_at
    OR OLD.category IS NOT NEW.category OR OLD.location_part IS NOT NEW.location_part
    OR OLD.manager_visible IS NOT NEW.manager_visible
    OR OLD.first_response_at IS NOT NEW.first_response_at
    OR OLD.closed_at IS NOT NEW.closed_at OR OLD.due_at IS NOT NEW.due_at
    OR OLD.status IS NOT NEW.status OR OLD.urgent IS NOT NEW.urgent BEGIN
    INSERT INTO report_stats_delta SELECT OLD.building_id, OLD.created_at, OLD.category,
        OLD.location_part, OLD.manager_visible, OLD.first_response_at, OLD.closed_at,
        OLD.due_at, OLD.status, OLD.urgent, -1 WHERE OLD.removed_at IS NULL;
    INSERT INTO report_stats_delta SELECT NEW.building_id, NEW.created_at, NEW.category,
        NEW.location_part, NEW.manager_visible, NEW.first_response_at, NEW.closed_at,
        NEW.due_at, NEW.status, NEW.urgent, 1 WHERE NEW.removed_at IS NULL;
END;

-- Reports still without an answer, for the overdue part of the on-time share (read live:
-- it depends on the time of the request). The two always-NULL columns make it covering for
-- SQLite, which otherwise prefers `reports_created`; with the status it also covers the
-- dashboard's overdue count per building, which SQLite then reads from it.
CREATE INDEX reports_unanswered ON reports(building_id, created_at, due_at, manager_visible,
    first_response_at, removed_at, status) WHERE first_response_at IS NULL AND removed_at IS NULL;
