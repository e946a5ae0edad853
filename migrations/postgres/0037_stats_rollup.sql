-- A building's statistics cost the period's days, not its reports (issue 12, D2-D3).
-- Four tables kept by a trigger on reports (only reports not removed count):
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

-- One report's share of the four tables, added (sign 1) or taken back (sign -1).
CREATE FUNCTION palier_report_stats_apply(r reports, sign BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF r.removed_at IS NOT NULL THEN
        RETURN;
    END IF;
    INSERT INTO report_status_counts AS t (building_id, status, urgent, manager_visible, n)
    VALUES (r.building_id, r.status, r.urgent, r.manager_visible, sign)
    ON CONFLICT (building_id, manager_visible, status, urgent) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_quarters AS t (building_id, quarter, manager_visible, n)
    VALUES (r.building_id, r.created_at / 900000, r.manager_visible, sign)
    ON CONFLICT (building_id, quarter, manager_visible) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_days AS t (building_id, day, category, location_part, manager_visible,
                                  n, answered, closed, on_time, answered_due)
    VALUES (r.building_id, r.created_at / 86400000, r.category, r.location_part,
            r.manager_visible, sign,
            sign * (CASE WHEN r.first_response_at IS NOT NULL THEN 1 ELSE 0 END),
            sign * (CASE WHEN r.closed_at IS NOT NULL THEN 1 ELSE 0 END),
            sign * (CASE WHEN r.first_response_at <= r.due_at THEN 1 ELSE 0 END),
            sign * (CASE WHEN r.first_response_at IS NOT NULL AND r.due_at IS NOT NULL
                         THEN 1 ELSE 0 END))
    ON CONFLICT (building_id, day, category, location_part, manager_visible) DO UPDATE SET
        n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered,
        closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time,
        answered_due = t.answered_due + EXCLUDED.answered_due;
    IF r.first_response_at IS NOT NULL THEN
        INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n)
        VALUES (r.building_id, r.created_at / 86400000, r.manager_visible, 0,
                palier_duration_bucket(r.first_response_at - r.created_at), sign)
        ON CONFLICT (building_id, which, day, manager_visible, bucket)
        DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    IF r.closed_at IS NOT NULL THEN
        INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n)
        VALUES (r.building_id, r.created_at / 86400000, r.manager_visible, 1,
                palier_duration_bucket(r.closed_at - r.created_at), sign)
        ON CONFLICT (building_id, which, day, manager_visible, bucket)
        DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
END;
$$;

CREATE FUNCTION palier_report_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.removed_at IS NOT DISTINCT FROM NEW.removed_at
        AND OLD.building_id = NEW.building_id AND OLD.created_at = NEW.created_at
        AND OLD.category = NEW.category AND OLD.location_part = NEW.location_part
        AND OLD.manager_visible = NEW.manager_visible
        AND OLD.first_response_at IS NOT DISTINCT FROM NEW.first_response_at
        AND OLD.closed_at IS NOT DISTINCT FROM NEW.closed_at
        AND OLD.due_at IS NOT DISTINCT FROM NEW.due_at
        AND OLD.status = NEW.status AND OLD.urgent = NEW.urgent THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM palier_report_stats_apply(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM palier_report_stats_apply(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

-- Deferred to the commit, so that concurrent reports of one building and day wait on the
-- shared counter rows only while committing, not for their whole transaction.
CREATE CONSTRAINT TRIGGER reports_stats AFTER INSERT OR DELETE OR UPDATE OF building_id,
    created_at, category, location_part, manager_visible, removed_at, first_response_at,
    closed_at, due_at, status, urgent ON reports
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION palier_report_stats();

-- Reports still without an answer, for the overdue part of the on-time share (read live:
-- it depends on the time of the request). The two always-NULL columns make it covering for
-- SQLite, which otherwise prefers `reports_created`; with the status it also covers the
-- dashboard's overdue count per building, which SQLite then reads from it.
CREATE INDEX reports_unanswered ON reports(building_id, created_at, due_at, manager_visible,
    first_response_at, removed_at, status) WHERE first_response_at IS NULL AND removed_at IS NULL;
