-- Lots as the agency's records know them: where they are (staircase, floor) beside their
-- label and ownership shares (tantièmes).
ALTER TABLE lots ADD COLUMN staircase TEXT NOT NULL DEFAULT '';
ALTER TABLE lots ADD COLUMN floor TEXT NOT NULL DEFAULT '';
