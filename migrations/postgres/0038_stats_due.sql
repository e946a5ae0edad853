-- The overdue part of a building's on-time share from the rollup (issue 12): report_days
-- also counts the reports that have a due time, so the reports of a period still without
-- an answer past it are (due - answered_due) minus the few not yet due, which the
-- reordered partial index reads from `due_at >= now` on (instead of every unanswered report
-- of the period). And the rollups' triggers at the cost of a page (issue 17), below.

ALTER TABLE report_days ADD COLUMN due BIGINT NOT NULL DEFAULT 0;

UPDATE report_days SET due = (
    SELECT COUNT(*) FROM reports r
    WHERE r.building_id = report_days.building_id
      AND r.created_at >= report_days.day * 86400000
      AND r.created_at < (report_days.day + 1) * 86400000
      AND r.category = report_days.category AND r.location_part = report_days.location_part
      AND r.manager_visible = report_days.manager_visible
      AND r.removed_at IS NULL AND r.due_at IS NOT NULL);

-- The statement trigger's function, with the new count, now for updates and deletions
-- only: 0037's built and planned four statements on every insert and every update (a
-- follow updates the follower count); inserts get static statements whose plans sessions
-- keep (below), updates that change nothing counted stop after one cached query.
CREATE OR REPLACE FUNCTION palier_report_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    src TEXT;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Most updates change nothing counted (the text, updated_at, the follower count):
        -- one cached query tells, before four statements are built and planned.
        IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                       WHERE n.removed_at IS DISTINCT FROM o.removed_at
                          OR n.building_id IS DISTINCT FROM o.building_id
                          OR n.created_at IS DISTINCT FROM o.created_at
                          OR n.category IS DISTINCT FROM o.category
                          OR n.location_part IS DISTINCT FROM o.location_part
                          OR n.manager_visible IS DISTINCT FROM o.manager_visible
                          OR n.first_response_at IS DISTINCT FROM o.first_response_at
                          OR n.closed_at IS DISTINCT FROM o.closed_at
                          OR n.due_at IS DISTINCT FROM o.due_at
                          OR n.status IS DISTINCT FROM o.status
                          OR n.urgent IS DISTINCT FROM o.urgent) THEN
            RETURN NULL;
        END IF;
    END IF;
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
        'manager_visible, n, answered, closed, on_time, answered_due, due) '
        'SELECT building_id, created_at / 86400000, category, location_part, manager_visible, '
        'SUM(sign), SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END), SUM(sign * CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) '
        'FROM (%s) d GROUP BY 1, 2, 3, 4, 5 '
        'HAVING SUM(sign) <> 0 OR SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'ON CONFLICT (building_id, day, category, location_part, manager_visible) DO UPDATE SET '
        'n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered, '
        'closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time, '
        'answered_due = t.answered_due + EXCLUDED.answered_due, due = t.due + EXCLUDED.due', src);
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

CREATE FUNCTION palier_report_stats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_status_counts AS t (building_id, status, urgent, manager_visible, n)
    SELECT building_id, status, urgent, manager_visible, COUNT(*) FROM new_rows
    WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4
    ON CONFLICT (building_id, manager_visible, status, urgent) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_quarters AS t (building_id, quarter, manager_visible, n)
    SELECT building_id, created_at / 900000, manager_visible, COUNT(*) FROM new_rows
    WHERE removed_at IS NULL GROUP BY 1, 2, 3
    ON CONFLICT (building_id, quarter, manager_visible) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_days AS t (building_id, day, category, location_part, manager_visible, n,
                                  answered, closed, on_time, answered_due, due)
    SELECT building_id, created_at / 86400000, category, location_part, manager_visible,
           COUNT(*), COUNT(first_response_at), COUNT(closed_at),
           SUM(CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END),
           SUM(CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL THEN 1 ELSE 0 END),
           COUNT(due_at)
    FROM new_rows WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (building_id, day, category, location_part, manager_visible) DO UPDATE SET
        n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered,
        closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time,
        answered_due = t.answered_due + EXCLUDED.answered_due, due = t.due + EXCLUDED.due;
    INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n)
    SELECT building_id, day, manager_visible, which, palier_duration_bucket(d), COUNT(*) FROM (
        SELECT building_id, created_at / 86400000 AS day, manager_visible, 0 AS which,
               first_response_at - created_at AS d
        FROM new_rows WHERE removed_at IS NULL AND first_response_at IS NOT NULL
        UNION ALL
        SELECT building_id, created_at / 86400000, manager_visible, 1, closed_at - created_at
        FROM new_rows WHERE removed_at IS NULL AND closed_at IS NOT NULL
    ) x GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (building_id, which, day, manager_visible, bucket) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;

DROP TRIGGER reports_stats_insert ON reports;
CREATE TRIGGER reports_stats_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION palier_report_stats_insert();

DROP INDEX reports_unanswered;
-- Reports still without an answer, by due time: the not-yet-due ones of the statistics and
-- the overdue count per building of the dashboard are both ranges of `due_at`. The two
-- always-NULL columns and the status make it covering for both.
CREATE INDEX reports_unanswered ON reports(building_id, due_at, created_at, manager_visible,
    first_response_at, removed_at, status) WHERE first_response_at IS NULL AND removed_at IS NULL;
