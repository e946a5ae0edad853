-- Insurance claims (sinistres, C1–C4): the insurers' directory, each building's insurer and
-- policy number, claims with their lots, attachments, thread and history.

-- Insurers of an agency, or shared ones registered by the instance administrator (agency_id NULL).
CREATE TABLE insurers (
    id TEXT PRIMARY KEY,
    agency_id TEXT REFERENCES agencies(id),
    name TEXT NOT NULL,
    claims_email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX insurers_agency ON insurers(agency_id, name);

-- A building's insurance (C3): with both set, its claims can be transmitted.
CREATE TABLE building_insurance (
    building_id TEXT PRIMARY KEY REFERENCES buildings(id),
    insurer_id TEXT NOT NULL REFERENCES insurers(id),
    policy_number TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Working days without news before the insurer is reminded, and reminders before the manager is told.
ALTER TABLE agencies ADD COLUMN claim_remind_after_days BIGINT NOT NULL DEFAULT 10;
ALTER TABLE agencies ADD COLUMN claim_reminders_before_escalation BIGINT NOT NULL DEFAULT 2;

CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    report_id TEXT REFERENCES reports(id),
    -- Sequence number per agency, shown as the reference "SIN-<year>-<seq>".
    seq BIGINT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('degat-des-eaux', 'incendie', 'bris-de-glace', 'vol-vandalisme',
        'evenement-climatique', 'responsabilite-civile', 'autre')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'transmitted', 'acknowledged',
        'expert_visit_planned', 'settled', 'refused', 'closed')),
    title TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL,
    discovered_at BIGINT NOT NULL,
    description TEXT NOT NULL,
    damages TEXT NOT NULL,
    estimated_amount_cents BIGINT,
    third_parties TEXT NOT NULL DEFAULT '',
    -- Set at transmission: whom it went to, under which policy.
    insurer_id TEXT REFERENCES insurers(id),
    policy_number TEXT NOT NULL DEFAULT '',
    insurer_reference TEXT NOT NULL DEFAULT '',
    expert_visit_at BIGINT,
    settled_amount_cents BIGINT,
    -- The insurer's private link: stored as a digest, expiring, revocable.
    token_hash TEXT UNIQUE,
    token_expires_at BIGINT,
    token_revoked_at BIGINT,
    transmitted_at BIGINT,
    -- Last step by either side: reminders count from it.
    last_activity_at BIGINT NOT NULL,
    reminders_sent BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, seq)
);
-- Lists, newest first, keyset on (created_at, id): per building, per agency, by status or kind.
CREATE INDEX claims_building ON claims(building_id, created_at DESC, id DESC);
CREATE INDEX claims_agency ON claims(agency_id, created_at DESC, id DESC);
CREATE INDEX claims_agency_status ON claims(agency_id, status, created_at DESC, id DESC);
CREATE INDEX claims_agency_kind ON claims(agency_id, kind, created_at DESC, id DESC);
CREATE INDEX claims_report ON claims(report_id);

CREATE TABLE claim_lots (
    claim_id TEXT NOT NULL REFERENCES claims(id),
    lot_id TEXT NOT NULL REFERENCES lots(id),
    PRIMARY KEY (claim_id, lot_id)
);

CREATE TABLE claim_messages (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    -- 'manager' or 'insurer' (who has no account).
    author TEXT NOT NULL CHECK (author IN ('manager', 'insurer')),
    author_id TEXT REFERENCES people(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX claim_messages_claim ON claim_messages(claim_id, created_at);

CREATE TABLE claim_attachments (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    kind TEXT NOT NULL CHECK (kind IN ('quote', 'invoice', 'photo', 'expert_report', 'note')),
    -- 'pdf' or 'photo' (a re-encoded JPEG).
    format TEXT NOT NULL CHECK (format IN ('pdf', 'photo')),
    filename TEXT NOT NULL,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    -- Sent with a message of the thread, and by whom.
    message_id TEXT REFERENCES claim_messages(id),
    from_insurer BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX claim_attachments_claim ON claim_attachments(claim_id, created_at);

-- Every step of a claim (its history).
CREATE TABLE claim_events (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    kind TEXT NOT NULL,
    actor_id TEXT REFERENCES people(id),
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX claim_events_claim ON claim_events(claim_id, created_at);
