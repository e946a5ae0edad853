-- Assignment of a report to one staff member (D5, issue 12 item 4): a manager of the
-- building's agency or one of its referents (council "contact" or caretaker).
ALTER TABLE reports ADD COLUMN assignee_id TEXT REFERENCES people(id);

-- "Assigned to me" on a building's board, newest activity first: the same order as
-- reports_recent, only over assigned reports.
CREATE INDEX reports_assigned ON reports(building_id, assignee_id, updated_at DESC, id DESC)
    WHERE assignee_id IS NOT NULL;
