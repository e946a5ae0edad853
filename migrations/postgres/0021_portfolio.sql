-- Portfolio import, invitations and landlords (issue 9, items 3 to 5).
-- Invitations reuse the single-use, expiring links of password resets; `purpose` keeps an
-- invitation (which also records the charter) from serving as a reset link and back.
ALTER TABLE password_resets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
CREATE INDEX password_resets_person ON password_resets(person_id, purpose);

-- A lot's landlord (R10). A landlord may own several lots of one building, which the
-- one-row-per-role membership cannot say; the membership row still makes them a member.
CREATE TABLE lot_landlords (
    lot_id TEXT PRIMARY KEY REFERENCES lots(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX lot_landlords_person ON lot_landlords(person_id, building_id);
CREATE INDEX lot_landlords_building ON lot_landlords(building_id);

-- Landlords linked before this table existed keep their lot.
INSERT INTO lot_landlords (lot_id, person_id, building_id, created_at)
SELECT lot_id, MIN(person_id), MIN(building_id), MIN(created_at) FROM memberships
WHERE role = 'landlord' AND lot_id IS NOT NULL GROUP BY lot_id;
