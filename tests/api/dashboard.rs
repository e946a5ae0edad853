//! Service levels and the manager's dashboard (issue 12 items 1–2, D1, D4): due times with a
//! pinned clock, overdue marks on the dashboard, board and report page, the 08:00 digest.

use palier::clock::{Clock, HOUR_MS};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

pub fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .expect("timestamp")
        .as_millisecond()
}

pub async fn agency_id(app: &TestApp) -> String {
    let manager = app.token(MANAGER).await;
    let (_, agencies) = app.get_json("/api/v1/agencies", Some(&manager)).await;
    agencies[0]["id"].as_str().expect("agency id").to_string()
}

fn overdue_ids(dashboard: &Value) -> Vec<String> {
    dashboard["overdue"]
        .as_array()
        .expect("overdue list")
        .iter()
        .map(|o| o["report_id"].as_str().expect("id").to_string())
        .collect()
}

fn tilleuls<'a>(app: &TestApp, dashboard: &'a Value) -> &'a Value {
    dashboard["buildings"]
        .as_array()
        .expect("buildings")
        .iter()
        .find(|b| b["id"] == app.tilleuls.as_str())
        .expect("Tilleuls line")
}

#[tokio::test]
async fn a_report_past_its_target_is_overdue_on_the_dashboard_board_and_report_page() {
    // Tuesday 24 November 2026, 10:00 in Paris.
    let start = at("2026-11-24T09:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let ordinary = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite lente"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let urgent = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué", "urgent": true}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();

    let (status, dash) = app.get_json("/api/v1/dashboard", Some(&manager)).await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    assert!(overdue_ids(&dash).is_empty(), "nothing due yet: {dash}");
    let line = tilleuls(&app, &dash);
    assert_eq!(line["name"], "Résidence des Tilleuls");
    assert_eq!(line["lots"], 40);
    assert_eq!(
        line["reports"],
        json!({"todo": 2, "in_progress": 0, "closed": 0})
    );
    assert_eq!(line["urgent_open"], 1);
    assert_eq!(line["overdue"], 0);
    assert_eq!(line["work_orders_open"], 0);
    assert!(dash["work_orders_waiting"].as_array().is_some());

    // Four hours and a minute later the urgent one is overdue (4 h target), not the other.
    clock.set(start + 4 * HOUR_MS + 60_000);
    let (_, dash) = app.get_json("/api/v1/dashboard", Some(&manager)).await;
    assert_eq!(overdue_ids(&dash), vec![urgent.clone()]);
    assert_eq!(dash["overdue"][0]["building_id"], app.tilleuls.as_str());
    assert_eq!(dash["overdue"][0]["title"], "Ascenseur bloqué");
    assert_eq!(dash["overdue"][0]["due_at"], "2026-11-24T13:00:00Z");
    assert_eq!(tilleuls(&app, &dash)["overdue"], 1);

    let browser = app.browser(Some(MANAGER)).await;
    let resp = browser.get("/").await;
    assert_eq!(location(&resp), "/dashboard", "the manager's home");
    let (status, home) = browser.get_text("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Ascenseur bloqué") && home.contains("En retard"));
    assert!(
        home.contains(r#"<form method="get" action="/search""#) && home.contains(r#"name="q""#)
    );
    let (_, board) = browser
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    assert_eq!(
        board.matches("badge overdue").count(),
        1,
        "one overdue card"
    );
    // The board's and the API's "overdue" filter (D4): the urgent one only.
    let (status, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?overdue=true", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, vec![urgent.as_str()]);
    let (_, filtered) = browser
        .get_text(&format!("/buildings/{}?overdue=1", app.tilleuls))
        .await;
    assert!(filtered.contains("Ascenseur bloqué") && !filtered.contains("Fuite lente"));
    assert!(filtered.contains(r#"<strong aria-current="true">En retard</strong>"#));
    let (_, page) = browser.get_text(&format!("/reports/{urgent}")).await;
    assert!(page.contains("badge overdue"));
    let (_, page) = browser.get_text(&format!("/reports/{ordinary}")).await;
    assert!(!page.contains("badge overdue"));

    // The first staff answer ends it; the ordinary one falls due after 48 hours.
    let referent = app.token(REFERENT).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{urgent}/comments"),
            Some(&referent),
            &json!({"body": "Le technicien est prévenu."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    clock.set(start + 48 * HOUR_MS + 60_000);
    let (_, dash) = app.get_json("/api/v1/dashboard", Some(&manager)).await;
    assert_eq!(overdue_ids(&dash), vec![ordinary.clone()]);
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?overdue=true", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(
        list["items"][0]["id"],
        ordinary.as_str(),
        "answered: no longer listed"
    );
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));

    // Occupants, landlords and referents have no portfolio.
    for who in [TENANT, LANDLORD, REFERENT] {
        let token = app.token(who).await;
        let (status, _) = app.get_json("/api/v1/dashboard", Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let resp = app
            .client
            .get(app.url("/api/v1/dashboard.csv"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("csv");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let (status, _) = app.get_json("/api/v1/dashboard", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another agency's manager sees their own portfolio only.
    let other = app.token(OTHER_MANAGER).await;
    let (_, theirs) = app.get_json("/api/v1/dashboard", Some(&other)).await;
    assert_eq!(theirs["buildings"].as_array().map(Vec::len), Some(1));
    assert!(overdue_ids(&theirs).is_empty());
}

#[tokio::test]
async fn working_hours_skip_the_night_and_follow_a_change_of_targets() {
    // Tuesday 24 November 2026, 17:00 in Paris.
    let start = at("2026-11-24T16:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur arrêté", "urgent": true}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let agency = agency_id(&app).await;
    let path = format!("/api/v1/agencies/{agency}/settings");
    let (_, mut settings) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(settings["urgent_target_hours"], 4);
    assert_eq!(settings["target_clock"], "calendar");
    settings["target_clock"] = json!("working");
    settings["urgent_target_hours"] = json!(3);
    let (status, saved) = app
        .send_json(reqwest::Method::PUT, &path, Some(&manager), &settings)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["target_clock"], "working");

    // 3 working hours from 17:00: 1 h tonight, 2 h from 9:00 -> Wednesday 11:00 Paris.
    clock.set(at("2026-11-25T09:59:00Z"));
    let (_, dash) = app.get_json("/api/v1/dashboard", Some(&manager)).await;
    assert!(overdue_ids(&dash).is_empty(), "{dash}");
    clock.set(at("2026-11-25T10:01:00Z"));
    let (_, dash) = app.get_json("/api/v1/dashboard", Some(&manager)).await;
    assert_eq!(overdue_ids(&dash), vec![id]);
    assert_eq!(dash["overdue"][0]["due_at"], "2026-11-25T10:00:00Z");

    // A bad value is refused with the field named.
    settings["target_clock"] = json!("lunar");
    let (status, _) = app
        .send_json(reqwest::Method::PUT, &path, Some(&manager), &settings)
        .await;
    assert!(status.is_client_error());
    settings["target_clock"] = json!("working");
    settings["urgent_target_hours"] = json!(0);
    let (status, err) = app
        .send_json(reqwest::Method::PUT, &path, Some(&manager), &settings)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "urgent_target_hours");
}

#[tokio::test]
async fn the_managers_morning_digest_lists_what_is_overdue() {
    // Tuesday 24 November 2026, 10:00 in Paris; the manager reads the daily digest.
    let start = at("2026-11-24T09:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&manager),
            &json!({"mode": "digest", "categories": ["plomberie"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let tenant = app.token(TENANT).await;
    create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite sous l’évier du local vélos"}),
    )
    .await;
    app.dispatched().await;

    // New reports reach the manager at once; the digest waits for the first morning after
    // the due time (Thursday 10:00): none on Wednesday, one on Friday.
    clock.set(at("2026-11-25T07:00:00Z"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !app.mails_to(MANAGER)
            .iter()
            .any(|m| m.contains("récapitulatif")),
        "nothing overdue on Wednesday"
    );

    // Friday 08:00: still without an answer, it is listed as overdue.
    clock.set(at("2026-11-27T07:00:00Z"));
    let digest = app
        .wait_for_mail(MANAGER, "récapitulatif du 27/11/2026")
        .await;
    assert!(
        digest.contains("Sans réponse dans les délais")
            && digest.contains("Fuite sous l’évier du local vélos")
            && digest.contains("Résidence des Tilleuls"),
        "{digest}"
    );
}
