-- A building's statistics cost the period's days, not its reports (issue 12, D2-D3).
-- Four tables kept by statement triggers on reports (only reports not removed count):
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
    urgent BIGINT NOT NULL,
    manager_visible BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (building_id, manager_visible, status, urgent)
);

CREATE TABLE report_quarters (
    building_id TEXT NOT NULL,
    quarter BIGINT NOT NULL,
    manager_visible BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (building_id, quarter, manager_visible)
);

CREATE TABLE report_days (
    building_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    category TEXT NOT NULL,
    location_part TEXT NOT NULL,
    manager_visible BIGINT NOT NULL,
    n BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    answered_due BIGINT NOT NULL,
    PRIMARY KEY (building_id, day, category, location_part, manager_visible)
);

CREATE TABLE report_durations (
    building_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    manager_visible BIGINT NOT NULL,
    which BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (building_id, which, day, manager_visible, bucket)
);

-- The histogram bucket of a duration in milliseconds.
CREATE FUNCTION palier_duration_bucket(d BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN d < 0 THEN 0 WHEN d < 360000000 THEN d / 360000
                WHEN d < 3600000000 THEN 1000 + (d - 360000000) / 3600000
                ELSE 1900 + (d - 3600000000) / 86400000 END
$$;

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
SELECT building_id, day, manager_visible, which, bucket, COUNT(*) FROM (
    SELECT building_id, created_at / 86400000 AS day, manager_visible, 0 AS which,
           palier_duration_bucket(first_response_at - created_at) AS bucket
    FROM reports WHERE removed_at IS NULL AND first_response_at IS NOT NULL
    UNION ALL
    SELECT building_id, created_at / 86400000, manager_visible, 1,
           palier_duration_bucket(closed_at - created_at)
    FROM reports WHERE removed_at IS NULL AND closed_at IS NOT NULL
) s GROUP BY 1, 2, 3, 4, 5;

-- Every statement's changes applied at its end, summed per counter row: a statement that
-- writes 100,000 reports updates each counter row once, not 100,000 times (many updates of
-- one row in one transaction leave a chain of versions each later update walks). The
-- statement's rows come from its transition tables (new_rows, old_rows), a report counting
-- +1 as it is after and -1 as it was before.
CREATE FUNCTION palier_report_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    src TEXT;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT r.*, 1 AS sign FROM new_rows r WHERE r.removed_at IS NULL'
        WHEN 'DELETE' THEN 'SELECT r.*, -1 AS sign FROM old_rows r WHERE r.removed_at IS NULL'
        ELSE 'SELECT r.*, 1 AS sign FROM new_rows r WHERE r.removed_at IS NULL UNION ALL '
             'SELECT r.*, -1 AS sign FROM old_rows r WHERE r.removed_at IS NULL' END;
    EXECUTE format(
        'INSERT INTO report_status_counts AS t (building_id, status, urgent, manager_visible, n) '
        'SELECT building_id, status, urgent, manager_visible, SUM(sign) FROM (%s) d '
        'GROUP BY 1, 2, 3, 4 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, manager_visible, status, urgent) '
        'DO UPDATE SET n = t.n + EXCLUDED.n', src);
    EXECUTE format(
        'INSERT INTO report_quarters AS t (building_id, quarter, manager_visible, n) '
        'SELECT building_id, created_at / 900000, manager_visible, SUM(sign) FROM (%s) d '
        'GROUP BY 1, 2, 3 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, quarter, manager_visible) DO UPDATE SET n = t.n + EXCLUDED.n',
        src);
    EXECUTE format(
        'INSERT INTO report_days AS t (building_id, day, category, location_part, '
        'manager_visible, n, answered, closed, on_time, answered_due) '
        'SELECT building_id, created_at / 86400000, category, location_part, manager_visible, '
        'SUM(sign), SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END) FROM (%s) d GROUP BY 1, 2, 3, 4, 5 '
        'HAVING SUM(sign) <> 0 OR SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END) <> 0 '
        'ON CONFLICT (building_id, day, category, location_part, manager_visible) DO UPDATE SET '
        'n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered, '
        'closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time, '
        'answered_due = t.answered_due + EXCLUDED.answered_due', src);
    EXECUTE format(
        'INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n) '
        'SELECT building_id, created_at / 86400000, manager_visible, which, '
        'palier_duration_bucket(d), SUM(sign) FROM ('
        'SELECT building_id, created_at, manager_visible, 0 AS which, '
        'first_response_at - created_at AS d, sign FROM (%1$s) a WHERE first_response_at IS NOT NULL '
        'UNION ALL SELECT building_id, created_at, manager_visible, 1, closed_at - created_at, sign '
        'FROM (%1$s) b WHERE closed_at IS NOT NULL) x '
        'GROUP BY 1, 2, 3, 4, 5 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, which, day, manager_visible, bucket) '
        'DO UPDATE SET n = t.n + EXCLUDED.n', src);
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_stats_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION palier_report_stats();
CREATE TRIGGER reports_stats_update AFTER UPDATE ON reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION palier_report_stats();
CREATE TRIGGER reports_stats_delete AFTER DELETE ON reports
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION palier_report_stats();

-- Reports still without an answer, for the overdue part of the on-time share (read live:
-- it depends on the time of the request). The two always-NULL columns make it covering for
-- SQLite, which otherwise prefers `reports_created`; with the status it also covers the
-- dashboard's overdue count per building, which SQLite then reads from it.
CREATE INDEX reports_unanswered ON reports(building_id, created_at, due_at, manager_visible,
    first_response_at, removed_at, status) WHERE first_response_at IS NULL AND removed_at IS NULL;
