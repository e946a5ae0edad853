-- Private calendar feeds (X2, issue 12 item 7): one per person, the token stored as a
-- digest; revoking deletes the row, a new GET makes a new one.
CREATE TABLE calendar_feeds (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Work orders at scale (W7, issue 12 item 6): the portfolio list by cursor, newest
-- first, with or without a provider filter.
CREATE INDEX work_orders_recent ON work_orders(agency_id, created_at DESC, id DESC);
CREATE INDEX work_orders_provider ON work_orders(provider_id, created_at DESC, id DESC);
-- Interventions planned in a building, for the calendar feed.
CREATE INDEX work_orders_planned ON work_orders(building_id, scheduled_for)
    WHERE scheduled_for IS NOT NULL;
