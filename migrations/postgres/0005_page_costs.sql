-- Every list costs its page, not the table (issue 17).

-- The whole board of a building by latest activity (no status filter), for the list
-- and for searches that match many reports: walked in order, stopped after a page.
CREATE INDEX reports_recent ON reports(building_id, updated_at DESC, id DESC);

-- Photo and follower counts shown on every card, kept up to date by triggers instead of
-- being counted per row.
ALTER TABLE reports ADD COLUMN photo_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN follower_count BIGINT NOT NULL DEFAULT 0;
UPDATE reports SET
    photo_count = (SELECT COUNT(*) FROM photos p WHERE p.report_id = reports.id AND p.comment_id IS NULL),
    follower_count = (SELECT COUNT(*) FROM report_followers f WHERE f.report_id = reports.id);

CREATE FUNCTION palier_photo_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.comment_id IS NULL THEN
            UPDATE reports SET photo_count = photo_count + 1 WHERE id = NEW.report_id;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.comment_id IS NULL THEN
        UPDATE reports SET photo_count = photo_count - 1 WHERE id = OLD.report_id;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER photos_count AFTER INSERT OR DELETE ON photos
    FOR EACH ROW EXECUTE FUNCTION palier_photo_count();

CREATE FUNCTION palier_follower_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE reports SET follower_count = follower_count + 1 WHERE id = NEW.report_id;
        RETURN NEW;
    END IF;
    UPDATE reports SET follower_count = follower_count - 1 WHERE id = OLD.report_id;
    RETURN OLD;
END $$;
CREATE TRIGGER followers_count AFTER INSERT OR DELETE ON report_followers
    FOR EACH ROW EXECUTE FUNCTION palier_follower_count();

-- The bell: unread notifications only, counted up to a cap on every page.
CREATE INDEX notifications_unread ON notifications(person_id) WHERE read_at IS NULL;
-- The notification list in its full order (newest first, id as tie-break).
DROP INDEX notifications_person;
CREATE INDEX notifications_person ON notifications(person_id, created_at DESC, id DESC);

-- Sent e-mails keep a summary past the retention period: when it replaced the full text.
ALTER TABLE jobs ADD COLUMN summarized_at BIGINT;
CREATE INDEX jobs_to_summarize ON jobs(run_at) WHERE kind = 'email' AND status = 'done' AND summarized_at IS NULL;
