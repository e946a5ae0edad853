-- The overdue part of a building's on-time share from the rollup (issue 12): report_days
-- also counts the reports that have a due time, so the reports of a period still without
-- an answer past it are (due - answered_due) minus the few not yet due, which the
-- reordered partial index reads from `due_at >= now` on (instead of every unanswered report
-- of the period).

ALTER TABLE report_days ADD COLUMN due INTEGER NOT NULL DEFAULT 0;

UPDATE report_days SET due = (
    SELECT COUNT(*) FROM reports r
    WHERE r.building_id = report_days.building_id
      AND r.created_at >= report_days.day * 86400000
      AND r.created_at < (report_days.day + 1) * 86400000
      AND r.category = report_days.category AND r.location_part = report_days.location_part
      AND r.manager_visible = report_days.manager_visible
      AND r.removed_at IS NULL AND r.due_at IS NOT NULL);

DROP TRIGGER report_stats_delta_apply;

CREATE TRIGGER report_stats_delta_apply INSTEAD OF INSERT ON report_stats_delta BEGIN
    INSERT INTO report_status_counts (building_id, status, urgent, manager_visible, n)
    VALUES (NEW.building_id, NEW.status, NEW.urgent, NEW.manager_visible, NEW.sign)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO report_quarters (building_id, quarter, manager_visible, n)
    VALUES (NEW.building_id, NEW.created_at / 900000, NEW.manager_visible, NEW.sign)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO report_days (building_id, day, category, location_part, manager_visible, n,
                             answered, closed, on_time, answered_due, due)
    VALUES (NEW.building_id, NEW.created_at / 86400000, NEW.category, NEW.location_part,
            NEW.manager_visible, NEW.sign, NEW.sign * (NEW.first_response_at IS NOT NULL),
            NEW.sign * (NEW.closed_at IS NOT NULL),
            NEW.sign * COALESCE(NEW.first_response_at <= NEW.due_at, 0),
            NEW.sign * (NEW.first_response_at IS NOT NULL AND NEW.due_at IS NOT NULL),
            NEW.sign * (NEW.due_at IS NOT NULL))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered,
        closed = closed + excluded.closed, on_time = on_time + excluded.on_time,
        answered_due = answered_due + excluded.answered_due, due = due + excluded.due;
    INSERT INTO report_durations (building_id, day, manager_visible, which, bucket, n)
    SELECT NEW.building_id, NEW.created_at / 86400000, NEW.manager_visible, which,
           CASE WHEN d < 0 THEN 0 WHEN d < 360000000 THEN d / 360000
                WHEN d < 3600000000 THEN 1000 + (d - 360000000) / 3600000
                ELSE 1900 + (d - 3600000000) / 86400000 END, NEW.sign
    FROM (SELECT 0 AS which, NEW.first_response_at - NEW.created_at AS d
          UNION ALL SELECT 1, NEW.closed_at - NEW.created_at) WHERE d IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

DROP INDEX reports_unanswered;
-- Reports still without an answer, by due time: the not-yet-due ones of the statistics and
-- the overdue count per building of the dashboard are both ranges of `due_at`. The two
-- always-NULL columns and the status make it covering for both.
CREATE INDEX reports_unanswered ON reports(building_id, due_at, created_at, manager_visible,
    first_response_at, removed_at, status) WHERE first_response_at IS NULL AND removed_at IS NULL;
