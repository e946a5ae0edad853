-- The dispatcher reads pending events in batches, oldest first (issue 17 item 3): a
-- partial index holds only the pending ones, in the order they are taken, so a batch is
-- a walk of its first rows however long the history grows.
DROP INDEX events_undispatched;
CREATE INDEX events_pending ON events(created_at, id) WHERE dispatched_at IS NULL;

-- Digest jobs due are claimed many at a time, apart from the e-mails queued beside them.
CREATE INDEX jobs_digest_due ON jobs(run_at, id) WHERE status = 'pending' AND kind = 'digest';
