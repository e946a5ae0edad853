-- Service levels and dashboards (issue 12 items 1-3, D1-D4).
-- The agency's urgent first-answer target beside the ordinary one (0010), whether targets
-- count calendar hours or working hours (Monday-Friday 9:00-18:00 in the agency's time zone,
-- French public holidays excluded), and that time zone.
ALTER TABLE agencies ADD COLUMN urgent_target_hours INTEGER NOT NULL DEFAULT 4;
ALTER TABLE agencies ADD COLUMN target_clock TEXT NOT NULL DEFAULT 'calendar';
ALTER TABLE agencies ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Europe/Paris';

-- When the first staff answer is due: set when the report is filed and again when the
-- agency changes its targets. Reports filed before this migration: calendar hours.
ALTER TABLE reports ADD COLUMN due_at INTEGER;
UPDATE reports SET due_at = created_at + CAST(3600000 AS BIGINT) * CASE WHEN urgent = 1 THEN 4 ELSE
    COALESCE((SELECT a.answer_target_hours FROM buildings b JOIN agencies a ON a.id = b.agency_id
              WHERE b.id = reports.building_id), 48) END;

-- Open reports still waiting for their first answer, by due time: the overdue list of the
-- dashboard and the digest (walked in due order), and the per-building overdue count
-- (covered: building and visibility are in the index).
CREATE INDEX reports_waiting_answer ON reports(due_at, building_id, manager_visible)
    WHERE first_response_at IS NULL AND status <> 'closed' AND removed_at IS NULL;
-- The dashboard's counts per building, status and urgency, read from the index alone.
CREATE INDEX reports_counts ON reports(building_id, status, urgent, manager_visible, removed_at);
-- A building's statistics over a period, every query read from the index alone (months,
-- categories, places, first answers and closings, due times).
CREATE INDEX reports_created ON reports(building_id, created_at, category, manager_visible,
    removed_at, location_part, first_response_at, closed_at, due_at);
