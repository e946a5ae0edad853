-- An owner of several lots in one building (issue 9): the membership names one lot, this
-- table the others. Weighted polls count each owned lot's shares (summed per owner).
CREATE TABLE owned_lots (
    person_id TEXT NOT NULL REFERENCES people(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    lot_id TEXT NOT NULL REFERENCES lots(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (person_id, lot_id)
);
CREATE INDEX owned_lots_building ON owned_lots(building_id, person_id);
