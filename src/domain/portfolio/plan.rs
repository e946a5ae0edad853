//! From checked lines to changes: what exists is read once, the differences are computed in
//! memory, then written in batches inside one transaction (nothing at all in a dry run).

use std::collections::{HashMap, HashSet};

use super::{Counts, ImportOptions, ImportSummary, Line, PeopleCounts, Relation};
use crate::db::lots::{self as ldb, LotInput, LotRow};
use crate::db::portfolio::{
    self as pdb, NewBuildingRow, NewLotRow, NewMembershipRow, NewPersonRow,
};
use crate::domain::{AppError, AppResult, Context, invitations, is_unique_violation};

type BuildingKey = (String, String);

/// A lot as it will be after the import.
struct LotState {
    id: String,
    building_id: String,
    shares: i64,
    staircase: String,
    floor: String,
    new: bool,
    changed: bool,
}

struct PersonState {
    id: String,
    name: String,
    email: String,
    lang: String,
    phone: String,
    active: bool,
    new: bool,
    changed: bool,
    /// The first building the file names for them (said in their invitation).
    building_name: String,
}

#[derive(Default)]
struct Changes {
    buildings: Vec<NewBuildingRow>,
    memberships: Vec<NewMembershipRow>,
    /// (person, building, occupancy, lot)
    residences: Vec<(String, String, &'static str, String)>,
    /// (lot, building, person)
    landlords: Vec<(String, String, String)>,
    /// (person, phone)
    phones: Vec<(String, String)>,
    /// (person, building, lot): an owner's further lots in a building.
    owned_lots: Vec<(String, String, String)>,
}

pub(super) async fn run(
    cx: &Context,
    agency_id: &str,
    actor_id: Option<&str>,
    lines: &[Line],
    options: ImportOptions,
    mut progress: impl FnMut(usize, usize),
) -> AppResult<ImportSummary> {
    let now = cx.clock.now_ms();
    let mut conn = cx.db.pool.acquire().await?;
    let lang = crate::db::buildings::agency_lang(&mut *conn, agency_id)
        .await?
        .unwrap_or_else(|| "fr".into());

    // Buildings by name and address.
    let mut buildings: HashMap<BuildingKey, (String, bool, bool)> = HashMap::new();
    for b in pdb::buildings_of_agency(&mut *conn, agency_id).await? {
        buildings
            .entry(super::building_key(&b.name, &b.address))
            .or_insert((b.id, false, false));
    }
    let mut changes = Changes::default();
    for line in lines {
        buildings.entry(line.building_key()).or_insert_with(|| {
            let id = crate::db::new_id();
            changes.buildings.push(NewBuildingRow {
                id: id.clone(),
                agency_id: agency_id.to_string(),
                name: line.building.clone(),
                address: line.address.clone(),
                code: crate::auth::secret::new_building_code(),
            });
            (id, true, false)
        });
    }

    // Lots by building and label.
    let mut lots: HashMap<(String, String), LotState> = HashMap::new();
    for l in pdb::lots_of_agency(&mut *conn, agency_id).await? {
        let LotRow {
            id,
            building_id,
            label,
            shares,
            staircase,
            floor,
        } = l;
        lots.insert(
            (building_id.clone(), label),
            LotState {
                id,
                building_id,
                shares,
                staircase,
                floor,
                new: false,
                changed: false,
            },
        );
    }
    let line_buildings: Vec<String> = lines
        .iter()
        .map(|l| buildings[&l.building_key()].0.clone())
        .collect();
    let mut lot_ids: Vec<String> = Vec::with_capacity(lines.len());
    for (line, building_id) in lines.iter().zip(&line_buildings) {
        let building_id = building_id.clone();
        let lot = lots
            .entry((building_id.clone(), line.lot.clone()))
            .or_insert_with(|| LotState {
                id: crate::db::new_id(),
                building_id,
                shares: 0,
                staircase: String::new(),
                floor: String::new(),
                new: true,
                changed: false,
            });
        if let Some(s) = line.shares
            && s != lot.shares
        {
            lot.shares = s;
            lot.changed = true;
        }
        for (value, stored) in [
            (&line.staircase, &mut lot.staircase),
            (&line.floor, &mut lot.floor),
        ] {
            if !value.is_empty() && value != stored {
                *stored = value.clone();
                lot.changed = true;
            }
        }
        lot_ids.push(lot.id.clone());
    }

    // People by e-mail, their memberships and the lots' landlords.
    let emails: Vec<&str> = {
        let mut seen = HashSet::new();
        lines
            .iter()
            .filter_map(|l| l.person.as_ref().map(|p| p.email.as_str()))
            .filter(|e| seen.insert(*e))
            .collect()
    };
    let mut people: HashMap<String, PersonState> = HashMap::new();
    for p in pdb::people_by_emails(&mut conn, &emails).await? {
        people.insert(
            p.email.clone(),
            PersonState {
                id: p.id,
                name: p.name,
                email: p.email,
                lang: p.lang,
                phone: p.phone,
                active: p.active != 0,
                new: false,
                changed: false,
                building_name: String::new(),
            },
        );
    }
    // (person, building) → (occupancy, lot) for residents; (person, building) for landlords.
    let mut residents: HashMap<(String, String), (Option<String>, Option<String>)> = HashMap::new();
    let mut landlord_members: HashSet<(String, String)> = HashSet::new();
    let mut lot_landlord: HashMap<String, String> = HashMap::new();
    for m in pdb::memberships_of_agency(&mut *conn, agency_id).await? {
        match m.role.as_str() {
            "landlord" => {
                if let Some(lot) = &m.lot_id {
                    lot_landlord.insert(lot.clone(), m.person_id.clone());
                }
                landlord_members.insert((m.person_id, m.building_id));
            }
            _ => {
                residents.insert((m.person_id, m.building_id), (m.occupancy, m.lot_id));
            }
        }
    }
    for l in pdb::landlords_of_agency(&mut *conn, agency_id).await? {
        lot_landlord.insert(l.lot_id, l.person_id);
    }
    // (person, lot) an owner holds beside their membership's lot.
    let mut owned: HashSet<(String, String)> =
        crate::db::owned_lots::of_agency(&mut *conn, agency_id)
            .await?
            .into_iter()
            .collect();
    let mut new_people = Vec::new();
    let mut decided: HashSet<(String, String)> = HashSet::new();
    let mut without_email = 0;
    for ((line, lot_id), building_id) in lines.iter().zip(&lot_ids).zip(&line_buildings) {
        without_email += usize::from(line.without_email);
        let Some(p) = &line.person else { continue };
        let building_id = building_id.clone();
        let person = people.entry(p.email.clone()).or_insert_with(|| {
            let id = crate::db::new_id();
            new_people.push(NewPersonRow {
                id: id.clone(),
                name: p.name.clone(),
                email: p.email.clone(),
                phone: p.phone.clone(),
                lang: lang.clone(),
            });
            PersonState {
                id,
                name: p.name.clone(),
                email: p.email.clone(),
                lang: lang.clone(),
                phone: p.phone.clone(),
                active: false,
                new: true,
                changed: false,
                building_name: String::new(),
            }
        });
        if person.building_name.is_empty() {
            person.building_name = line.building.clone();
        }
        if !person.new && person.phone.is_empty() && !p.phone.is_empty() {
            // Filled only where the person has none, and once.
            person.phone = p.phone.clone();
            changes.phones.push((person.id.clone(), p.phone.clone()));
            person.changed = true;
        }
        let touched = match p.relation {
            Relation::Resident(occ) => {
                // The first line naming a resident in a building decides their lot there; an
                // owner's further lines there add the lots they also own.
                if !decided.insert((person.id.clone(), building_id.clone())) {
                    let key = (person.id.clone(), building_id.clone());
                    let main = residents.get(&key);
                    let owner_there = main.is_some_and(|(o, _)| o.as_deref() == Some("owner"));
                    let main_lot = main.and_then(|(_, l)| l.as_deref()) == Some(lot_id.as_str());
                    if occ.as_str() == "owner"
                        && owner_there
                        && !main_lot
                        && owned.insert((person.id.clone(), lot_id.clone()))
                    {
                        changes.owned_lots.push((
                            person.id.clone(),
                            building_id.clone(),
                            lot_id.clone(),
                        ));
                        true
                    } else {
                        false
                    }
                } else {
                    let key = (person.id.clone(), building_id.clone());
                    match residents.get(&key) {
                        None => {
                            changes.memberships.push(NewMembershipRow {
                                person_id: person.id.clone(),
                                building_id: building_id.clone(),
                                role: "occupant",
                                occupancy: Some(occ.as_str()),
                                lot_id: Some(lot_id.clone()),
                            });
                            residents
                                .insert(key, (Some(occ.as_str().into()), Some(lot_id.clone())));
                            true
                        }
                        Some((o, l))
                            if o.as_deref() == Some(occ.as_str())
                                && l.as_deref() == Some(lot_id.as_str()) =>
                        {
                            false
                        }
                        Some(_) => {
                            changes.residences.push((
                                person.id.clone(),
                                building_id.clone(),
                                occ.as_str(),
                                lot_id.clone(),
                            ));
                            true
                        }
                    }
                }
            }
            Relation::Landlord => {
                if lot_landlord.get(lot_id) == Some(&person.id) {
                    false
                } else {
                    lot_landlord.insert(lot_id.clone(), person.id.clone());
                    landlord_members.insert((person.id.clone(), building_id.clone()));
                    changes.landlords.push((
                        lot_id.clone(),
                        building_id.clone(),
                        person.id.clone(),
                    ));
                    true
                }
            }
        };
        if touched {
            person.changed = true;
            if let Some(b) = buildings.get_mut(&line.building_key()) {
                b.2 = true;
            }
        }
    }

    // Counts.
    let mut summary = ImportSummary::default();
    let lots_by_building: HashSet<&String> = lots
        .values()
        .filter(|l| l.new || l.changed)
        .map(|l| &l.building_id)
        .collect();
    let named: HashSet<BuildingKey> = lines.iter().map(Line::building_key).collect();
    for key in &named {
        let (id, new, touched) = &buildings[key];
        bump(
            &mut summary.buildings,
            *new,
            *touched || lots_by_building.contains(id),
        );
    }
    let named_lots: HashSet<&String> = lot_ids.iter().collect();
    for lot in lots.values().filter(|l| named_lots.contains(&l.id)) {
        bump(&mut summary.lots, lot.new, lot.changed);
    }
    let mut pc = Counts::default();
    for p in people.values() {
        bump(&mut pc, p.new, p.changed);
    }
    summary.people = PeopleCounts {
        created: pc.created,
        updated: pc.updated,
        unchanged: pc.unchanged,
        without_email,
    };
    if options.dry_run {
        return Ok(summary);
    }
    drop(conn);

    // Writes, in one transaction.
    let new_lots: Vec<NewLotRow> = lots
        .iter()
        .filter(|(_, l)| l.new)
        .map(|((_, label), l)| NewLotRow {
            id: l.id.clone(),
            building_id: l.building_id.clone(),
            label: label.clone(),
            shares: l.shares,
            staircase: l.staircase.clone(),
            floor: l.floor.clone(),
        })
        .collect();
    let changed_lots: Vec<(&String, &LotState)> = lots
        .iter()
        .filter(|(_, l)| !l.new && l.changed)
        .map(|((_, label), l)| (label, l))
        .collect();
    let live: HashSet<String> = if options.invite {
        pdb::live_invitations_in_agency(&cx.db.pool, agency_id, now)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    let to_invite: Vec<&PersonState> = people
        .values()
        .filter(|p| options.invite && !p.active && !live.contains(&p.id))
        .collect();
    let total = changes.buildings.len()
        + new_lots.len()
        + new_people.len()
        + changed_lots.len()
        + changes.memberships.len()
        + changes.residences.len()
        + changes.landlords.len()
        + changes.owned_lots.len()
        + changes.phones.len()
        + to_invite.len();
    let mut done = 0;
    let mut step = |n: usize, progress: &mut dyn FnMut(usize, usize)| {
        done += n;
        progress(done, total);
    };
    let mut tx = cx.db.begin().await?;
    let written: AppResult<()> = async {
        pdb::insert_buildings(&mut tx, &changes.buildings, now).await?;
        step(changes.buildings.len(), &mut progress);
        pdb::insert_lots(&mut tx, &new_lots).await?;
        step(new_lots.len(), &mut progress);
        pdb::insert_people(&mut tx, &new_people, now).await?;
        step(new_people.len(), &mut progress);
        for (label, l) in &changed_lots {
            let input = LotInput {
                label,
                shares: l.shares,
                staircase: &l.staircase,
                floor: &l.floor,
            };
            ldb::update(&mut *tx, &l.id, input).await?;
            step(1, &mut progress);
        }
        pdb::insert_memberships(&mut tx, &changes.memberships, now).await?;
        step(changes.memberships.len(), &mut progress);
        for (person, building, occ, lot) in &changes.residences {
            pdb::update_residence(&mut *tx, person, building, occ, lot).await?;
            step(1, &mut progress);
        }
        for (lot, building, person) in &changes.landlords {
            pdb::set_lot_landlord(&mut tx, lot, building, person, now).await?;
            step(1, &mut progress);
        }
        for (person, phone) in &changes.phones {
            pdb::fill_phone(&mut *tx, person, phone).await?;
            step(1, &mut progress);
        }
        for (person, building, lot) in &changes.owned_lots {
            crate::db::owned_lots::insert(&mut tx, person, building, lot, now).await?;
            step(1, &mut progress);
        }
        for p in &to_invite {
            let lang = crate::i18n::Lang::parse(&p.lang).unwrap_or_default();
            let invitee = invitations::Invitee {
                person_id: &p.id,
                name: &p.name,
                email: &p.email,
                lang,
                building: &p.building_name,
            };
            invitations::issue(cx, &mut tx, &invitee, now).await?;
            step(1, &mut progress);
        }
        let detail = format!(
            "buildings +{} ~{}; lots +{} ~{}; people +{} ~{}; invited {}",
            summary.buildings.created,
            summary.buildings.updated,
            summary.lots.created,
            summary.lots.updated,
            summary.people.created,
            summary.people.updated,
            to_invite.len()
        );
        crate::db::audit::record(
            &mut *tx,
            actor_id,
            "portfolio_import",
            "agency",
            agency_id,
            &detail,
            now,
        )
        .await?;
        Ok(())
    }
    .await;
    match written {
        // Someone registered or linked the same person meanwhile: nothing is kept.
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("error.import_conflict"));
        }
        other => other?,
    }
    tx.commit().await?;
    if total > 0 {
        progress(total, total);
    }
    summary.invited = to_invite.len();
    if summary.invited > 0 {
        cx.jobs_notify.notify_one();
    }
    Ok(summary)
}

fn bump(counts: &mut Counts, new: bool, changed: bool) {
    match (new, changed) {
        (true, _) => counts.created += 1,
        (false, true) => counts.updated += 1,
        (false, false) => counts.unchanged += 1,
    }
}
