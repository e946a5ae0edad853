-- A person's own data, found without scanning (GDPR export, and erasure later).
CREATE INDEX reports_author ON reports(author_id);
CREATE INDEX comments_author ON comments(author_id);
CREATE INDEX photos_uploader ON photos(uploader_id);
