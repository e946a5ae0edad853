-- Concurrent creations in one building no longer queue on the rollups' counter rows
-- (issue 17): each counter row of 0037 becomes up to 16 rows, one per slot, and a
-- transaction adds to the slot of its server process, so the pool's connections mostly
-- write different rows instead of each waiting for the previous one's commit. Readers
-- already sum the rows of a key (a slot's count alone may even be negative: a report
-- created through one connection and closed through another). SQLite has one writer and
-- keeps 0037's tables as they are.

-- The slot of the current server process: consecutive process ids, as a pool opens its
-- connections, fall in different slots.
CREATE FUNCTION palier_slot() RETURNS SMALLINT LANGUAGE sql STABLE AS $$
    SELECT CAST(pg_backend_pid() % 16 AS SMALLINT)
$$;

ALTER TABLE report_status_counts ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE report_status_counts DROP CONSTRAINT report_status_counts_pkey,
    ADD PRIMARY KEY (building_id, manager_visible, status, urgent, slot);
ALTER TABLE report_quarters ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE report_quarters DROP CONSTRAINT report_quarters_pkey,
    ADD PRIMARY KEY (building_id, quarter, manager_visible, slot);
ALTER TABLE report_days ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE report_days DROP CONSTRAINT report_days_pkey,
    ADD PRIMARY KEY (building_id, day, category, location_part, manager_visible, slot);
ALTER TABLE report_durations ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE report_durations DROP CONSTRAINT report_durations_pkey,
    ADD PRIMARY KEY (building_id, which, day, manager_visible, bucket, slot);

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
        'INSERT INTO report_status_counts AS t (building_id, status, urgent, manager_visible, n, slot) '
        'SELECT building_id, status, urgent, manager_visible, SUM(sign), palier_slot() FROM (%s) d '
        'GROUP BY 1, 2, 3, 4 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, manager_visible, status, urgent, slot) '
        'DO UPDATE SET n = t.n + EXCLUDED.n', src);
    EXECUTE format(
        'INSERT INTO report_quarters AS t (building_id, quarter, manager_visible, n, slot) '
        'SELECT building_id, created_at / 900000, manager_visible, SUM(sign), palier_slot() FROM (%s) d '
        'GROUP BY 1, 2, 3 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, quarter, manager_visible, slot) DO UPDATE SET n = t.n + EXCLUDED.n',
        src);
    EXECUTE format(
        'INSERT INTO report_days AS t (building_id, day, category, location_part, '
        'manager_visible, n, answered, closed, on_time, answered_due, due, slot) '
        'SELECT building_id, created_at / 86400000, category, location_part, manager_visible, '
        'SUM(sign), SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END), '
        'SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END), SUM(sign * CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END), '
        'palier_slot() FROM (%s) d GROUP BY 1, 2, 3, 4, 5 '
        'HAVING SUM(sign) <> 0 OR SUM(sign * CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL '
        'THEN 1 ELSE 0 END) <> 0 '
        'OR SUM(sign * CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) <> 0 '
        'ON CONFLICT (building_id, day, category, location_part, manager_visible, slot) DO UPDATE SET '
        'n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered, '
        'closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time, '
        'answered_due = t.answered_due + EXCLUDED.answered_due, due = t.due + EXCLUDED.due', src);
    EXECUTE format(
        'INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n, slot) '
        'SELECT building_id, created_at / 86400000, manager_visible, which, '
        'palier_duration_bucket(d), SUM(sign), palier_slot() FROM ('
        'SELECT building_id, created_at, manager_visible, 0 AS which, '
        'first_response_at - created_at AS d, sign FROM (%1$s) a WHERE first_response_at IS NOT NULL '
        'UNION ALL SELECT building_id, created_at, manager_visible, 1, closed_at - created_at, sign '
        'FROM (%1$s) b WHERE closed_at IS NOT NULL) x '
        'GROUP BY 1, 2, 3, 4, 5 HAVING SUM(sign) <> 0 '
        'ON CONFLICT (building_id, which, day, manager_visible, bucket, slot) '
        'DO UPDATE SET n = t.n + EXCLUDED.n', src);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION palier_report_stats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_status_counts AS t (building_id, status, urgent, manager_visible, n, slot)
    SELECT building_id, status, urgent, manager_visible, COUNT(*), palier_slot() FROM new_rows
    WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4
    ON CONFLICT (building_id, manager_visible, status, urgent, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_quarters AS t (building_id, quarter, manager_visible, n, slot)
    SELECT building_id, created_at / 900000, manager_visible, COUNT(*), palier_slot() FROM new_rows
    WHERE removed_at IS NULL GROUP BY 1, 2, 3
    ON CONFLICT (building_id, quarter, manager_visible, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
    INSERT INTO report_days AS t (building_id, day, category, location_part, manager_visible, n,
                                  answered, closed, on_time, answered_due, due, slot)
    SELECT building_id, created_at / 86400000, category, location_part, manager_visible,
           COUNT(*), COUNT(first_response_at), COUNT(closed_at),
           SUM(CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END),
           SUM(CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL THEN 1 ELSE 0 END),
           COUNT(due_at), palier_slot()
    FROM new_rows WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (building_id, day, category, location_part, manager_visible, slot) DO UPDATE SET
        n = t.n + EXCLUDED.n, answered = t.answered + EXCLUDED.answered,
        closed = t.closed + EXCLUDED.closed, on_time = t.on_time + EXCLUDED.on_time,
        answered_due = t.answered_due + EXCLUDED.answered_due, due = t.due + EXCLUDED.due;
    INSERT INTO report_durations AS t (building_id, day, manager_visible, which, bucket, n, slot)
    SELECT building_id, day, manager_visible, which, palier_duration_bucket(d), COUNT(*),
           palier_slot() FROM (
        SELECT building_id, created_at / 86400000 AS day, manager_visible, 0 AS which,
               first_response_at - created_at AS d
        FROM new_rows WHERE removed_at IS NULL AND first_response_at IS NOT NULL
        UNION ALL
        SELECT building_id, created_at / 86400000, manager_visible, 1, closed_at - created_at
        FROM new_rows WHERE removed_at IS NULL AND closed_at IS NOT NULL
    ) x GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (building_id, which, day, manager_visible, bucket, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;
