-- A person's votes, for their data export (GDPR access) and erasure, without scanning
-- every vote.
CREATE INDEX poll_votes_person ON poll_votes(person_id);
