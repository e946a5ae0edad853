-- Private calendar feeds (X2, issue 12 item 7): one per person. The token is kept as is
-- (not as a digest like credentials) because `GET /api/v1/me/calendar` gives the same
-- address every time, for calendar apps already subscribed; it opens a read-only list of
-- dates and nothing else. Revoking deletes the row; the next GET makes a new token.
CREATE TABLE calendar_feeds (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    token TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Work orders at scale (W7, issue 12 item 6): the portfolio list by cursor, newest
-- first, with or without a provider filter.
CREATE INDEX work_orders_recent ON work_orders(agency_id, created_at DESC, id DESC);
CREATE INDEX work_orders_provider ON work_orders(provider_id, created_at DESC, id DESC);
-- Interventions planned in a building, for the calendar feed.
CREATE INDEX work_orders_planned ON work_orders(building_id, scheduled_for)
    WHERE scheduled_for IS NOT NULL;
-- Poll closing dates in a building, for the calendar feed.
CREATE INDEX polls_closing ON polls(building_id, closes_at) WHERE closes_at IS NOT NULL;
