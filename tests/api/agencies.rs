//! Agency settings: listed and edited by the agency's managers only, page and API.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn valid_settings() -> Value {
    json!({
        "name": "Démo Gestion",
        "lang": "en",
        "on_call_email": "astreinte@demo.palier.test",
        "on_call_phone": "06 00 00 00 00",
        "remind_after_days": 3,
        "reminders_before_escalation": 1,
        "answer_target_hours": 24,
        "urgent_target_hours": 4,
        "target_clock": "calendar",
        "timezone": "Europe/Paris"
    })
}

#[tokio::test]
async fn managers_list_read_and_change_their_agency_settings() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;

    let (status, agencies) = app.get_json("/api/v1/agencies", Some(&manager)).await;
    assert_eq!(status, StatusCode::OK);
    let list = agencies.as_array().expect("list");
    assert_eq!(list.len(), 1, "{agencies}");
    assert_eq!(list[0]["name"], "Démo Gestion");
    let agency = list[0]["id"].as_str().expect("id").to_string();

    // Every building says which agency manages it, in the list and alone.
    let (_, buildings) = app.get_json("/api/v1/buildings", Some(&manager)).await;
    assert!(
        buildings
            .as_array()
            .expect("buildings")
            .iter()
            .all(|b| b["agency_id"] == agency.as_str()),
        "{buildings}"
    );
    let (_, one) = app
        .get_json(
            &format!("/api/v1/buildings/{}", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(one["agency_id"], agency.as_str());

    let path = format!("/api/v1/agencies/{agency}/settings");
    let (status, defaults) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(status, StatusCode::OK, "{defaults}");
    assert_eq!(defaults["lang"], "fr");
    assert_eq!(defaults["answer_target_hours"], 48);
    assert_eq!(defaults["remind_after_days"], 2);

    // The reminder-settings endpoint of the work-order API keeps working and shows here.
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/agency/reminder-settings",
            Some(&manager),
            &json!({"remind_after_days": 5, "reminders_before_escalation": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(after["remind_after_days"], 5);

    let (status, saved) = app
        .send_json(Method::PUT, &path, Some(&manager), &valid_settings())
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, valid_settings());
    let (_, read) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(read, valid_settings());

    // Each bad field is named, and nothing is saved.
    for (field, value) in [
        ("on_call_email", json!("pas une adresse")),
        ("answer_target_hours", json!(0)),
        ("remind_after_days", json!(31)),
        ("name", json!("   ")),
    ] {
        let mut bad = valid_settings();
        bad[field] = value;
        bad["on_call_phone"] = json!("01 11 11 11 11");
        let (status, err) = app
            .send_json(Method::PUT, &path, Some(&manager), &bad)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        assert_eq!(err["field"], field);
    }
    let mut bad_lang = valid_settings();
    bad_lang["lang"] = json!("de");
    let (status, _) = app
        .send_json(Method::PUT, &path, Some(&manager), &bad_lang)
        .await;
    assert!(status.is_client_error(), "{status}");
    let (_, unchanged) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(unchanged, valid_settings());
}

#[tokio::test]
async fn only_the_agency_managers_reach_its_settings() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (_, agencies) = app.get_json("/api/v1/agencies", Some(&manager)).await;
    let agency = agencies[0]["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/agencies/{agency}/settings");

    for who in [OTHER_MANAGER, REFERENT, CARETAKER, OWNER, TENANT, LANDLORD] {
        let token = app.token(who).await;
        let (status, _) = app.get_json(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} reads");
        let (status, _) = app
            .send_json(Method::PUT, &path, Some(&token), &valid_settings())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} writes");
    }
    let (_, residents) = app
        .get_json("/api/v1/agencies", Some(&app.token(OWNER).await))
        .await;
    assert_eq!(residents, json!([]));
    let (status, _) = app.get_json(&path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, still) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(still["lang"], "fr");
}

#[tokio::test]
async fn the_settings_page_saves_and_explains_mistakes() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (_, agencies) = app.get_json("/api/v1/agencies", Some(&manager)).await;
    let agency = agencies[0]["id"].as_str().expect("id").to_string();
    let page = format!("/agencies/{agency}/settings");
    let browser = app.browser(Some(MANAGER)).await;

    let (status, list) = browser.get_text("/buildings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(&page),
        "the buildings page links the agency settings"
    );

    let fields = |target: &'static str| {
        vec![
            ("name", "Démo Gestion"),
            ("lang", "en"),
            ("on_call_email", "astreinte@demo.palier.test"),
            ("on_call_phone", ""),
            ("remind_after_days", "2"),
            ("reminders_before_escalation", "2"),
            ("answer_target_hours", target),
        ]
    };
    let resp = browser.submit(&page, &page, &fields("beaucoup")).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("astreinte@demo.palier.test"),
        "what was typed is kept"
    );
    assert!(html.contains("field-error"));

    let resp = browser.submit(&page, &page, &fields("72")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, saved) = app
        .get_json(
            &format!("/api/v1/agencies/{agency}/settings"),
            Some(&manager),
        )
        .await;
    assert_eq!(saved["answer_target_hours"], 72);
    assert_eq!(saved["lang"], "en");

    let neighbour = app.browser(Some(NEIGHBOUR)).await;
    let (status, _) = neighbour.get_text(&page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A manager of two agencies names the one an agency-wide request is for; the building or
/// item at hand says it otherwise. Never "the first agency".
#[tokio::test]
async fn a_manager_of_two_agencies_picks_one_explicitly() {
    let app = spawn_app().await;
    let demo_manager = app.token(MANAGER).await;
    let (_, demo) = app.get_json("/api/v1/agencies", Some(&demo_manager)).await;
    let demo_agency = demo[0]["id"].as_str().expect("id").to_string();
    // The other agency's manager also manages the demo agency.
    let other = app.person_id(OTHER_MANAGER).await;
    sqlx::query("INSERT INTO agency_staff (person_id, agency_id) VALUES ($1, $2)")
        .bind(&other)
        .bind(&demo_agency)
        .execute(&app.state.db.pool)
        .await
        .expect("second agency");
    let token = app.token(OTHER_MANAGER).await;

    let (_, agencies) = app.get_json("/api/v1/agencies", Some(&token)).await;
    assert_eq!(agencies.as_array().map(Vec::len), Some(2), "{agencies}");

    let (status, err) = app.get_json("/api/v1/providers", Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "agency_id");
    let (status, providers) = app
        .get_json(
            &format!("/api/v1/providers?agency_id={demo_agency}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        providers
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["company"] == "Ascenseurs Dupont")),
        "{providers}"
    );
    let (status, _) = app
        .get_json("/api/v1/providers?agency_id=inconnue", Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json("/api/v1/work-orders", Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The report page knows its building's agency: the demo providers are offered.
    let tenant = app.token(TENANT).await;
    let report = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur en panne", "description": "Bloqué"}),
    )
    .await;
    let browser = app.browser(Some(OTHER_MANAGER)).await;
    let (status, html) = browser
        .get_text(&format!("/reports/{}", report["id"].as_str().expect("id")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ascenseurs Dupont"),
        "providers of the report's agency"
    );
}
