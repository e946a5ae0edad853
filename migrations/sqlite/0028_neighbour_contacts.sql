-- A report filed by staff for a neighbour without an account (issue 15 item 10): who to
-- call back, and where. At most one per report; the report itself is the staff member's.
CREATE TABLE report_neighbours (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    lot TEXT NOT NULL DEFAULT ''
);
