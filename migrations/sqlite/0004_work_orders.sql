-- Work orders (ordres de service) and the agency's provider directory.

CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    company TEXT NOT NULL,
    -- Comma-separated trade slugs (plomberie, ascenseur…).
    trades TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (agency_id, email)
);

CREATE TABLE provider_favorites (
    person_id TEXT NOT NULL REFERENCES people(id),
    provider_id TEXT NOT NULL REFERENCES providers(id),
    PRIMARY KEY (person_id, provider_id)
);

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    report_id TEXT NOT NULL REFERENCES reports(id),
    provider_id TEXT NOT NULL REFERENCES providers(id),
    -- Sequence number per agency, shown as the reference "OS-<year>-<seq>".
    seq INTEGER NOT NULL,
    reference TEXT NOT NULL,
    description TEXT NOT NULL,
    desired_date TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL DEFAULT 'normal',
    status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'acknowledged', 'scheduled', 'done', 'cancelled')),
    -- The PDF: rendered by Palier, or attached from the agency's own software.
    pdf_key TEXT NOT NULL,
    attached INTEGER NOT NULL DEFAULT 0,
    -- The provider's private link: stored as a digest, expiring, revocable.
    token_hash TEXT NOT NULL UNIQUE,
    token_expires_at INTEGER NOT NULL,
    token_revoked_at INTEGER,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    scheduled_for INTEGER,
    done_at INTEGER,
    visits INTEGER NOT NULL DEFAULT 0,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    UNIQUE (agency_id, seq)
);
CREATE INDEX work_orders_building ON work_orders(building_id, created_at DESC);
CREATE INDEX work_orders_agency ON work_orders(agency_id, status, created_at DESC);
CREATE INDEX work_orders_report ON work_orders(report_id);

CREATE TABLE provider_reports (
    id TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    body TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'another_visit')),
    created_at INTEGER NOT NULL
);

-- Reminder delays per agency (W6), in working days.
ALTER TABLE agencies ADD COLUMN remind_after_days INTEGER NOT NULL DEFAULT 2;
ALTER TABLE agencies ADD COLUMN reminders_before_escalation INTEGER NOT NULL DEFAULT 2;
