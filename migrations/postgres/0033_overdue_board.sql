-- The board's "overdue" filter (issue 12 item 4): the reports still waiting for a first
-- answer, in board order, so a page of overdue reports reads about its own rows.
CREATE INDEX reports_overdue_board ON reports(building_id, updated_at DESC, id DESC)
    WHERE first_response_at IS NULL AND status <> 'closed' AND removed_at IS NULL;
