//! The permission table of SPEC §4, role by role, over HTTP, including foreign buildings
//! and agencies (always 404: existence does not leak).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

const OK: u16 = 200;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;

#[tokio::test]
async fn every_role_gets_exactly_its_rights_on_each_building() {
    let app = spawn_app().await;
    let tenant = app.person_id(TENANT).await;
    let voisin = app.person_id(NEIGHBOUR).await;

    // (who, building, [view, members, change role])
    let table: Vec<(&str, &str, [u16; 3])> = vec![
        (MANAGER, "tilleuls", [OK, OK, OK]),
        (REFERENT, "tilleuls", [OK, OK, FORBIDDEN]),
        (CARETAKER, "tilleuls", [OK, OK, FORBIDDEN]),
        (OWNER, "tilleuls", [OK, FORBIDDEN, FORBIDDEN]),
        (TENANT, "tilleuls", [OK, FORBIDDEN, FORBIDDEN]),
        (LANDLORD, "tilleuls", [OK, FORBIDDEN, FORBIDDEN]),
        (NEIGHBOUR, "tilleuls", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (OTHER_MANAGER, "tilleuls", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (MANAGER, "other", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (REFERENT, "vignes", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (NEIGHBOUR, "vignes", [OK, FORBIDDEN, FORBIDDEN]),
        (MANAGER, "vignes", [OK, OK, OK]),
        (OTHER_MANAGER, "other", [OK, OK, NOT_FOUND]),
        (OTHER_MANAGER, "missing", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ];
    for (who, building, expected) in table {
        let token = app.token(who).await;
        let (id, target) = match building {
            "tilleuls" => (app.tilleuls.clone(), tenant.clone()),
            "vignes" => (app.vignes.clone(), voisin.clone()),
            "other" => (app.other_building.clone(), tenant.clone()),
            _ => ("0000".to_string(), tenant.clone()),
        };
        let (view, _) = app
            .get_json(&format!("/api/v1/buildings/{id}"), Some(&token))
            .await;
        let (members, _) = app
            .get_json(&format!("/api/v1/buildings/{id}/members"), Some(&token))
            .await;
        let (role, body) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/buildings/{id}/members/{target}/role"),
                Some(&token),
                &json!({"role": "occupant"}),
            )
            .await;
        assert_eq!(
            [view.as_u16(), members.as_u16(), role.as_u16()],
            expected,
            "{who} on {building} (role change answered {body})"
        );
    }
}

#[tokio::test]
async fn buildings_list_shows_only_the_callers_buildings_and_codes_to_managers() {
    let app = spawn_app().await;
    let (status, list) = app
        .get_json("/api/v1/buildings", Some(&app.token(MANAGER).await))
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Le Clos des Vignes", "Résidence des Tilleuls"]);
    assert!(list[0]["code"].as_str().is_some_and(|c| c.len() == 8));
    assert_eq!(list[1]["lots"], 40);

    let (_, list) = app
        .get_json("/api/v1/buildings", Some(&app.token(OWNER).await))
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], app.tilleuls);
    assert!(
        list[0].get("code").is_none(),
        "occupants do not get the registration code"
    );
    assert!(
        list[0].get("access_codes").is_none(),
        "occupants do not get access codes"
    );

    let (_, list) = app
        .get_json("/api/v1/buildings", Some(&app.token(NEIGHBOUR).await))
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["name"], "Le Clos des Vignes");
}
