//! Demo data for `palier demo`: seeded idempotently, so restarting the demo changes nothing.

use crate::auth::{password, secret};
use crate::db::{self, buildings as bdb, people as pdb};
use crate::domain::AppResult;
use crate::domain::Context;

pub const PASSWORD: &str = "palier-demo";
pub const AGENCY: &str = "Démo Gestion";
pub const TILLEULS: &str = "Résidence des Tilleuls";
pub const VIGNES: &str = "Le Clos des Vignes";
/// The agency's on-call contact, told of urgent reports at once (R13).
pub const ON_CALL: &str = "astreinte@demo.palier.test";

/// (e-mail, name, building, role, occupancy, referent kind, lot)
type Account = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

pub const ACCOUNTS: [Account; 6] = [
    (
        "referent@demo.palier.test",
        "Claire Martin",
        TILLEULS,
        "referent",
        Some("owner"),
        Some("council"),
        Some("12"),
    ),
    (
        "gardien@demo.palier.test",
        "Jean Moreau",
        TILLEULS,
        "referent",
        None,
        Some("caretaker"),
        None,
    ),
    (
        "occupant@demo.palier.test",
        "Paul Lefèvre",
        TILLEULS,
        "occupant",
        Some("owner"),
        None,
        Some("7"),
    ),
    (
        "locataire@demo.palier.test",
        "Nadia Benali",
        TILLEULS,
        "occupant",
        Some("tenant"),
        None,
        Some("23"),
    ),
    (
        "bailleur@demo.palier.test",
        "Henri Dubois",
        TILLEULS,
        "landlord",
        None,
        None,
        Some("23"),
    ),
    (
        "voisin@demo.palier.test",
        "Sophie Girard",
        VIGNES,
        "occupant",
        Some("owner"),
        None,
        Some("3"),
    ),
];
pub const MANAGER: (&str, &str) = ("gestionnaire@demo.palier.test", "Marc Lambert");

/// The demo agency's providers: (company, trades, contact, e-mail, phone, manager's favorite).
pub const PROVIDERS: [(&str, &str, &str, &str, &str, bool); 3] = [
    (
        "Ascenseurs Dupont",
        "ascenseur",
        "Pierre Dupont",
        "contact@ascenseurs-dupont.demo.palier.test",
        "04 72 00 00 01",
        true,
    ),
    (
        "Plomberie Martin",
        "plomberie,chauffage",
        "Luc Martin",
        "luc@plomberie-martin.demo.palier.test",
        "04 72 00 00 02",
        false,
    ),
    (
        "Propreté Lyonnaise",
        "proprete",
        "Inès Roux",
        "planning@proprete-lyonnaise.demo.palier.test",
        "04 72 00 00 03",
        false,
    ),
];

/// Creates what is missing of the demo agency, buildings and accounts.
pub async fn seed(state: &Context) -> AppResult<()> {
    let now = state.clock.now_ms();
    let pool = &state.db.pool;
    let agency_id = match bdb::agency_by_name(pool, AGENCY).await? {
        Some(id) => id,
        None => {
            let id = db::new_id();
            bdb::insert_agency(pool, &id, AGENCY, now).await?;
            id
        }
    };
    crate::domain::reports::templates::seed_templates(state, &agency_id).await?;
    crate::db::agencies::default_on_call_email(pool, &agency_id, ON_CALL).await?;
    let mut building_ids = Vec::new();
    for (name, address, lots, access, contact, phone) in [
        (
            TILLEULS,
            "12 rue des Tilleuls, 69003 Lyon",
            40,
            "Portail : 4821B — Hall : badge Vigik",
            "Jean Moreau (gardien)",
            "06 12 34 56 78",
        ),
        (
            VIGNES,
            "3 allée des Vignes, 69005 Lyon",
            12,
            "Digicode : 1975A",
            "Sophie Girard",
            "06 98 76 54 32",
        ),
    ] {
        let id = match bdb::by_agency_and_name(pool, &agency_id, name).await? {
            Some(b) => b.id,
            None => {
                let id = db::new_id();
                let code = secret::new_building_code();
                bdb::insert(
                    pool,
                    bdb::NewBuilding {
                        id: &id,
                        agency_id: &agency_id,
                        name,
                        address,
                        lots_count: lots,
                        code: &code,
                        access_codes: access,
                        contact_name: contact,
                        contact_phone: phone,
                        now,
                    },
                )
                .await?;
                let mut conn = pool.acquire().await?;
                for lot in 1..=lots {
                    bdb::find_or_create_lot(&mut conn, &id, &lot.to_string()).await?;
                }
                id
            }
        };
        for lot in 1..=lots {
            crate::db::lots::set_shares_if_unset(
                pool,
                &id,
                &lot.to_string(),
                demo_shares(name, lot),
            )
            .await?;
        }
        building_ids.push((name, id));
    }
    crate::domain::announcements::templates::seed(state, &agency_id).await?;
    let hash = password::hash(PASSWORD.to_string()).await?;
    let manager_id = ensure_person(state, MANAGER.0, MANAGER.1, &hash).await?;
    pdb::add_staff(pool, &manager_id, &agency_id).await?;
    for (company, trades, contact, email, phone, favorite) in PROVIDERS {
        let input = crate::db::work_orders::ProviderInput {
            company,
            trades,
            contact_name: contact,
            email,
            phone,
            notes: "",
        };
        crate::db::work_orders::upsert_provider(pool, &agency_id, &input, now).await?;
        if favorite
            && let Some(id) =
                crate::db::work_orders::provider_id_by_email(pool, &agency_id, email).await?
        {
            crate::db::work_orders::set_favorite(pool, &manager_id, &id, true).await?;
        }
    }
    for (email, name, building, role, occupancy, kind, lot) in ACCOUNTS {
        let person_id = ensure_person(state, email, name, &hash).await?;
        let building_id = building_ids
            .iter()
            .find(|(n, _)| *n == building)
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        let already = pdb::memberships(pool, &person_id)
            .await?
            .iter()
            .any(|m| m.building_id == building_id);
        if already {
            continue;
        }
        let mut conn = pool.acquire().await?;
        let lot_id = match lot {
            Some(label) => Some(bdb::find_or_create_lot(&mut conn, &building_id, label).await?),
            None => None,
        };
        pdb::insert_membership(
            &mut *conn,
            pdb::NewMembership {
                person_id: &person_id,
                building_id: &building_id,
                role,
                occupancy,
                referent_kind: kind,
                lot_id: lot_id.as_deref(),
                now,
            },
        )
        .await?;
        pdb::accept_charter(
            &mut *conn,
            &person_id,
            crate::domain::accounts::CHARTER_VERSION,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Ownership shares of a demo lot: each building's lots add up to 10,000 (P5). The
/// Tilleuls' lots differ by floor (200 to 300), the Vignes' are nearly equal.
pub fn demo_shares(building: &str, lot: i64) -> i64 {
    if building == TILLEULS {
        200 + (lot % 5) * 25
    } else if lot == 12 {
        837
    } else {
        833
    }
}

async fn ensure_person(state: &Context, email: &str, name: &str, hash: &str) -> AppResult<String> {
    if let Some(p) = pdb::by_email(&state.db.pool, email).await? {
        return Ok(p.id);
    }
    let id = db::new_id();
    pdb::insert(
        &state.db.pool,
        pdb::NewPerson {
            id: &id,
            name,
            email,
            password_hash: hash,
            lang: "fr",
            is_admin: false,
            now: state.clock.now_ms(),
        },
    )
    .await?;
    Ok(id)
}

/// The lines `palier demo` prints.
pub async fn summary(state: &Context) -> AppResult<String> {
    let mut out = format!("Palier demo at {}\n", state.config.base_url);
    if let Some(agency_id) = bdb::agency_by_name(&state.db.pool, AGENCY).await? {
        for name in [TILLEULS, VIGNES] {
            if let Some(b) = bdb::by_agency_and_name(&state.db.pool, &agency_id, name).await? {
                out.push_str(&format!("  {name}: building code {}\n", b.code));
            }
        }
    }
    out.push_str(&format!(
        "Accounts (password \"{PASSWORD}\"):\n  {} (manager)\n",
        MANAGER.0
    ));
    for (email, _, building, role, occupancy, kind, _) in ACCOUNTS {
        let detail = [Some(role), kind, occupancy]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!("  {email} ({detail}, {building})\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_lots_shares_add_up_to_ten_thousand() {
        let total = |b, n| (1..=n).map(|l| demo_shares(b, l)).sum::<i64>();
        assert_eq!(total(TILLEULS, 40), 10_000);
        assert_eq!(total(VIGNES, 12), 10_000);
    }
}
