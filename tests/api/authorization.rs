//! The permission table of SPEC §4, role by role, over HTTP, including foreign buildings
//! and agencies (always 404: existence does not leak).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

async fn post_status(app: &TestApp, token: &str, path: String, body: Value) -> u16 {
    app.post_json(&path, Some(token), &body).await.0.as_u16()
}

async fn tenant_report(app: &TestApp, tenant: &str) -> String {
    let (status, r) = app
        .post_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(tenant),
            &json!({"category": "autre", "title": "Test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    r["id"].as_str().unwrap_or_default().to_string()
}

/// SPEC §4 for reports, over HTTP: every role × every report action, on a tenant's report,
/// with the other building and the other agency (404 everywhere).
#[tokio::test]
async fn every_role_gets_exactly_its_rights_on_a_report() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let (_, providers) = app.get_json("/api/v1/providers", Some(&manager)).await;
    let provider = providers[0]["id"]
        .as_str()
        .expect("demo provider")
        .to_string();

    const C: u16 = 201;
    // view, comment, council comment, private thread, share, close, remove, reopen, work order
    let table: Vec<(&str, [u16; 9])> = vec![
        (MANAGER, [OK, C, C, C, FORBIDDEN, OK, OK, OK, C]),
        (
            REFERENT,
            [OK, C, C, FORBIDDEN, OK, OK, OK, FORBIDDEN, FORBIDDEN],
        ),
        (
            CARETAKER,
            [OK, C, C, FORBIDDEN, OK, OK, OK, FORBIDDEN, FORBIDDEN],
        ),
        (
            OWNER,
            [
                OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                FORBIDDEN,
            ],
        ),
        (
            TENANT,
            [
                OK, C, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN,
            ],
        ),
        (
            LANDLORD,
            [
                OK, C, FORBIDDEN, C, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
            ],
        ),
        (NEIGHBOUR, [NOT_FOUND; 9]),
        (OTHER_MANAGER, [NOT_FOUND; 9]),
    ];
    for (who, expected) in table {
        let token = app.token(who).await;
        let t = token.as_str();
        let shared = tenant_report(&app, &tenant).await;
        let view = app
            .get_json(&format!("/api/v1/reports/{shared}"), Some(t))
            .await
            .0
            .as_u16();
        let comment = post_status(
            &app,
            t,
            format!("/api/v1/reports/{shared}/comments"),
            json!({"body": "Bonjour"}),
        )
        .await;
        let council = post_status(
            &app,
            t,
            format!("/api/v1/reports/{shared}/comments"),
            json!({"body": "Conseil", "audience": "council"}),
        )
        .await;
        let private = post_status(
            &app,
            t,
            format!("/api/v1/reports/{shared}/comments"),
            json!({"body": "Privé", "private_landlord": true}),
        )
        .await;
        let share = post_status(
            &app,
            t,
            format!("/api/v1/reports/{shared}/share"),
            json!({}),
        )
        .await;
        let close = post_status(
            &app,
            t,
            format!(
                "/api/v1/reports/{}/close",
                tenant_report(&app, &tenant).await
            ),
            json!({}),
        )
        .await;
        let remove = post_status(
            &app,
            t,
            format!(
                "/api/v1/reports/{}/remove",
                tenant_report(&app, &tenant).await
            ),
            json!({"reason": "doublon"}),
        )
        .await;
        let closed = tenant_report(&app, &tenant).await;
        app.post_json(
            &format!("/api/v1/reports/{closed}/close"),
            Some(&tenant),
            &json!({}),
        )
        .await;
        let reopen = post_status(
            &app,
            t,
            format!("/api/v1/reports/{closed}/reopen"),
            json!({}),
        )
        .await;
        let report = tenant_report(&app, &tenant).await;
        let work_order = post_status(
            &app,
            t,
            format!("/api/v1/reports/{report}/work-orders"),
            json!({"provider_id": provider}),
        )
        .await;
        assert_eq!(
            [
                view, comment, council, private, share, close, remove, reopen, work_order
            ],
            expected,
            "{who}"
        );
    }
}

/// The lifecycle's rights (approval list, approval setting, former residents), role by
/// role, with other buildings and agencies answering 404.
#[tokio::test]
async fn lifecycle_rights_by_role() {
    let app = spawn_app().await;
    // (who, building, [requests list, approval setting, former residents])
    let table: Vec<(&str, &str, [u16; 3])> = vec![
        (MANAGER, "tilleuls", [OK, OK, OK]),
        (REFERENT, "tilleuls", [OK, FORBIDDEN, FORBIDDEN]),
        (OWNER, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (LANDLORD, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (NEIGHBOUR, "tilleuls", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (OTHER_MANAGER, "tilleuls", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (MANAGER, "other", [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (OTHER_MANAGER, "other", [OK, OK, OK]),
    ];
    for (who, building, expected) in table {
        let token = app.token(who).await;
        let id = match building {
            "tilleuls" => app.tilleuls.clone(),
            _ => app.other_building.clone(),
        };
        let (requests, _) = app
            .get_json(
                &format!("/api/v1/buildings/{id}/membership-requests"),
                Some(&token),
            )
            .await;
        let (approval, _) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/buildings/{id}/approval"),
                Some(&token),
                &json!({"needs_approval": false}),
            )
            .await;
        let (former, _) = app
            .get_json(
                &format!("/api/v1/buildings/{id}/former-members"),
                Some(&token),
            )
            .await;
        assert_eq!(
            [requests.as_u16(), approval.as_u16(), former.as_u16()],
            expected,
            "{who} on {building}"
        );
    }
}

/// Announcements and polls (A1, P1): who publishes, who reads an owners-only announcement,
/// who votes in a poll for everyone; other buildings and agencies 404.
#[tokio::test]
async fn every_role_gets_exactly_its_news_rights() {
    let app = spawn_app().await;
    let referent = app.token(REFERENT).await;
    let tilleuls = app.tilleuls.clone();
    let (_, owners_only) = app
        .post_json(
            &format!("/api/v1/buildings/{tilleuls}/announcements"),
            Some(&referent),
            &json!({"title": "AG", "body": "Pour les propriétaires", "audience": "owners"}),
        )
        .await;
    let owners_only = owners_only["id"].as_str().expect("id").to_string();
    let (_, poll) = app
        .post_json(
            &format!("/api/v1/buildings/{tilleuls}/polls"),
            Some(&referent),
            &json!({"title": "Hall", "question": "Couleur ?", "options": ["Bleu", "Vert"],
                    "audience": "all", "results_visible": "after_close"}),
        )
        .await;
    let poll = poll["id"].as_str().expect("id").to_string();
    app.post_json(
        &format!("/api/v1/polls/{poll}/publish"),
        Some(&referent),
        &json!({}),
    )
    .await;
    const CREATED: u16 = 201;
    // (who, [publish announcement, create poll, read owners' announcement, vote])
    let table: Vec<(&str, [u16; 4])> = vec![
        (MANAGER, [CREATED, CREATED, OK, FORBIDDEN]),
        (REFERENT, [CREATED, CREATED, OK, CREATED]),
        (CARETAKER, [CREATED, CREATED, OK, CREATED]),
        (OWNER, [FORBIDDEN, FORBIDDEN, OK, CREATED]),
        (TENANT, [FORBIDDEN, FORBIDDEN, NOT_FOUND, CREATED]),
        (LANDLORD, [FORBIDDEN, FORBIDDEN, OK, CREATED]),
        (NEIGHBOUR, [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (OTHER_MANAGER, [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ];
    for (who, expected) in table {
        let token = app.token(who).await;
        let publish = post_status(
            &app,
            &token,
            format!("/api/v1/buildings/{tilleuls}/announcements"),
            json!({"title": "Info", "body": "Texte", "audience": "all"}),
        )
        .await;
        let create = post_status(
            &app,
            &token,
            format!("/api/v1/buildings/{tilleuls}/polls"),
            json!({"title": "T", "question": "Q", "options": ["A", "B"], "audience": "all",
                   "results_visible": "after_vote"}),
        )
        .await;
        let (read, _) = app
            .get_json(
                &format!("/api/v1/announcements/{owners_only}"),
                Some(&token),
            )
            .await;
        let vote = post_status(
            &app,
            &token,
            format!("/api/v1/polls/{poll}/votes"),
            json!({"options": [0]}),
        )
        .await;
        assert_eq!([publish, create, read.as_u16(), vote], expected, "{who}");
    }
}

/// Import, invitations and landlords (issue 9 items 3–5): the agency's managers only;
/// another agency, or a building outside one's own, is 404.
#[tokio::test]
async fn import_invitation_and_landlord_rights_by_role() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (_, agencies) = app.get_json("/api/v1/agencies", Some(&manager)).await;
    let agency = agencies[0]["id"].as_str().expect("agency").to_string();
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(&manager),
        )
        .await;
    let lot = lots["lots"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["label"] == "23"))
        .and_then(|x| x["id"].as_str())
        .expect("lot 23")
        .to_string();
    let tenant = app.person_id(TENANT).await;
    let csv = "immeuble;adresse;lot\nLes Acacias;3 rue des Acacias;1\n";
    // (who, [import (dry run), link landlord, invite (the tenant already signs in: 409)])
    let table: Vec<(&str, [u16; 3])> = vec![
        (MANAGER, [OK, OK, 409]),
        (REFERENT, [NOT_FOUND, FORBIDDEN, FORBIDDEN]),
        (OWNER, [NOT_FOUND, FORBIDDEN, FORBIDDEN]),
        (TENANT, [NOT_FOUND, FORBIDDEN, FORBIDDEN]),
        (LANDLORD, [NOT_FOUND, FORBIDDEN, FORBIDDEN]),
        (NEIGHBOUR, [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (OTHER_MANAGER, [NOT_FOUND, NOT_FOUND, NOT_FOUND]),
    ];
    for (who, expected) in table {
        let token = app.token(who).await;
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("p.csv"),
        );
        let import = app
            .client
            .post(app.url(&format!("/api/v1/agencies/{agency}/import?dry_run=true")))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .expect("import")
            .status();
        let (link, _) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/lots/{lot}/landlord"),
                Some(&token),
                &json!({"email": LANDLORD}),
            )
            .await;
        let (invite, _) = app
            .post_json(
                &format!("/api/v1/buildings/{}/members/{tenant}/invite", app.tilleuls),
                Some(&token),
                &json!({}),
            )
            .await;
        assert_eq!(
            [import.as_u16(), link.as_u16(), invite.as_u16()],
            expected,
            "{who}"
        );
    }
}

#[tokio::test]
async fn dashboard_and_statistics_rights_by_role() {
    let app = spawn_app().await;
    // (who, building, [building stats, stats CSV, portfolio dashboard, portfolio CSV])
    let table: Vec<(&str, &str, [u16; 4])> = vec![
        (MANAGER, "tilleuls", [OK, OK, OK, OK]),
        (REFERENT, "tilleuls", [OK, OK, FORBIDDEN, FORBIDDEN]),
        (CARETAKER, "tilleuls", [OK, OK, FORBIDDEN, FORBIDDEN]),
        (
            OWNER,
            "tilleuls",
            [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        (
            TENANT,
            "tilleuls",
            [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        (
            LANDLORD,
            "tilleuls",
            [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        (
            NEIGHBOUR,
            "tilleuls",
            [NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN],
        ),
        (
            REFERENT,
            "vignes",
            [NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN],
        ),
        (OTHER_MANAGER, "tilleuls", [NOT_FOUND, NOT_FOUND, OK, OK]),
        (MANAGER, "other", [NOT_FOUND, NOT_FOUND, OK, OK]),
        (OTHER_MANAGER, "other", [OK, OK, OK, OK]),
    ];
    for (who, building, expected) in table {
        let token = app.token(who).await;
        let id = match building {
            "tilleuls" => app.tilleuls.clone(),
            "vignes" => app.vignes.clone(),
            _ => app.other_building.clone(),
        };
        let mut got = [0u16; 4];
        for (slot, path) in [
            format!("/api/v1/buildings/{id}/stats"),
            format!("/api/v1/buildings/{id}/stats.csv"),
            "/api/v1/dashboard".to_string(),
            "/api/v1/dashboard.csv".to_string(),
        ]
        .iter()
        .enumerate()
        {
            got[slot] = app
                .client
                .get(app.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .expect("request")
                .status()
                .as_u16();
        }
        assert_eq!(got, expected, "{who} on {building}");
    }
}

#[tokio::test]
async fn claims_are_for_the_buildings_managers_only() {
    let app = spawn_app().await;
    // (who, building, [list claims, set insurance, read the insurers' directory])
    let table: Vec<(&str, &str, [u16; 3])> = vec![
        (MANAGER, "tilleuls", [OK, 422, OK]),
        (REFERENT, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (CARETAKER, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (OWNER, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (TENANT, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (LANDLORD, "tilleuls", [FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        (NEIGHBOUR, "tilleuls", [NOT_FOUND, NOT_FOUND, FORBIDDEN]),
        (OTHER_MANAGER, "tilleuls", [NOT_FOUND, NOT_FOUND, OK]),
        (MANAGER, "other", [NOT_FOUND, NOT_FOUND, OK]),
    ];
    for (who, building, expected) in table {
        let token = app.token(who).await;
        let id = match building {
            "tilleuls" => app.tilleuls.clone(),
            _ => app.other_building.clone(),
        };
        let (list, _) = app
            .get_json(&format!("/api/v1/buildings/{id}/claims"), Some(&token))
            .await;
        // An unknown insurer: 422 once the building's manager is recognised.
        let (insurance, _) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/buildings/{id}/insurance"),
                Some(&token),
                &json!({"insurer_id": "none", "policy_number": "P"}),
            )
            .await;
        let (insurers, _) = app.get_json("/api/v1/insurers", Some(&token)).await;
        assert_eq!(
            [list.as_u16(), insurance.as_u16(), insurers.as_u16()],
            expected,
            "{who} on {building}"
        );
    }
}

/// Issue 12 items 4–7, role by role: assigning a report (staff only), the "assigned to
/// me" list and the portfolio search (everyone in their buildings), the calendar address
/// (everyone), the work-order list (managers), with the other building and agency.
#[tokio::test]
async fn assignment_search_calendar_and_work_order_rights_by_role() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = tenant_report(&app, &tenant).await;
    let caretaker = app.person_id(CARETAKER).await;
    // assign, assigned=me on Tilleuls, search, calendar, work-order list of Tilleuls
    let table: Vec<(&str, [u16; 5])> = vec![
        (MANAGER, [OK, OK, OK, OK, OK]),
        (REFERENT, [OK, OK, OK, OK, FORBIDDEN]),
        (CARETAKER, [OK, OK, OK, OK, FORBIDDEN]),
        (OWNER, [FORBIDDEN, OK, OK, OK, FORBIDDEN]),
        (TENANT, [FORBIDDEN, OK, OK, OK, FORBIDDEN]),
        (LANDLORD, [FORBIDDEN, OK, OK, OK, FORBIDDEN]),
        (NEIGHBOUR, [NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND]),
        (OTHER_MANAGER, [NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND]),
    ];
    for (who, expected) in table {
        let token = app.token(who).await;
        let t = Some(token.as_str());
        let assign = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/reports/{report}/assignee"),
                t,
                &json!({"person_id": caretaker}),
            )
            .await
            .0
            .as_u16();
        let mine = app
            .get_json(
                &format!("/api/v1/buildings/{}/reports?assigned=me", app.tilleuls),
                t,
            )
            .await
            .0
            .as_u16();
        let search = app.get_json("/api/v1/search?q=test", t).await.0.as_u16();
        let calendar = app.get_json("/api/v1/me/calendar", t).await.0.as_u16();
        let work_orders = app
            .get_json(
                &format!("/api/v1/buildings/{}/work-orders", app.tilleuls),
                t,
            )
            .await
            .0
            .as_u16();
        assert_eq!(
            [assign, mine, search, calendar, work_orders],
            expected,
            "{who}"
        );
    }
}
