//! Claims: the bad inputs of issue 11 (each listed), the insurers' directory per agency and
//! the shared ones, lists with filters and pages, links of another claim, forged or expired
//! tokens, and reminders to a silent insurer then escalation.

use palier::clock::{Clock, DAY_MS, HOUR_MS};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::claims_support::{INSURER_EMAIL, a_lot, a_pdf, attach, insure, insurer_token};
use crate::fixtures::jpeg_with_exif;
use crate::helpers::*;
use crate::work_orders::ts;

fn declaration(extra: Value) -> Value {
    let mut body = json!({
        "kind": "bris-de-glace", "occurred_at": "2026-11-20", "discovered_at": "2026-11-20",
        "title": "Vitre du hall brisée", "description": "Vitre fêlée", "damages": "Une vitre"
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

async fn declare(app: &TestApp, token: &str, building: &str, extra: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/buildings/{building}/claims"),
        Some(token),
        &declaration(extra),
    )
    .await
}

#[tokio::test]
async fn bad_claim_inputs_are_clear_field_errors() {
    let app = spawn_app_with(Clock::fixed(ts("2026-11-23T09:00:00Z"))).await;
    let manager = app.token(MANAGER).await;
    let other_lot = a_lot(&app, &manager, &app.vignes).await;
    let cases = [
        (
            json!({"estimated_amount_cents": -5}),
            "estimated_amount_cents",
        ),
        (
            json!({"estimated_amount_cents": "douze"}),
            "estimated_amount_cents",
        ),
        (
            json!({"estimated_amount_cents": 12.5}),
            "estimated_amount_cents",
        ),
        (json!({"occurred_at": "2026-12-25"}), "occurred_at"),
        (json!({"occurred_at": "hier"}), "occurred_at"),
        (json!({"discovered_at": "2026-11-19"}), "discovered_at"),
        (json!({"kind": "inondation"}), "kind"),
        (json!({"lots_concerned": [other_lot]}), "lots_concerned"),
        (json!({"description": ""}), "description"),
        (json!({"report_id": "nope"}), "report_id"),
    ];
    for (extra, field) in cases {
        let (status, err) = declare(&app, &manager, &app.tilleuls, extra.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{extra} → {err}");
        assert_eq!(err["field"], field, "{extra}");
        assert!(!err["error"].as_str().unwrap_or_default().is_empty());
    }
    // Water damage estimates fall in IRSI bands; other kinds carry none.
    for (cents, band) in [
        (160_000, "up_to_1600"),
        (160_001, "1600_to_5000"),
        (500_001, "above_5000"),
    ] {
        let (_, c) = declare(
            &app,
            &manager,
            &app.tilleuls,
            json!({"kind": "degat-des-eaux", "estimated_amount_cents": cents}),
        )
        .await;
        assert_eq!(c["irsi_band"], band);
    }
    let (status, c) = declare(
        &app,
        &manager,
        &app.tilleuls,
        json!({"estimated_amount_cents": 900_000}),
    )
    .await;
    assert_eq!(
        (status, c["irsi_band"].clone()),
        (StatusCode::CREATED, Value::Null)
    );
    let cid = c["id"].as_str().expect("id").to_string();

    // Attachments: too large, unknown kind, not a PDF nor an image, a photo that is a PDF.
    let (status, _) = attach(
        &app,
        &manager,
        &cid,
        "quote",
        "big.pdf",
        vec![b'%'; 30 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, err) = attach(
        &app,
        &manager,
        &cid,
        "receipt",
        "a.jpg",
        jpeg_with_exif(32, 32, 1),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let (status, err) = attach(
        &app,
        &manager,
        &cid,
        "invoice",
        "facture.pdf",
        b"<html>not a pdf</html>".to_vec(),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );
    let (status, err) = attach(
        &app,
        &manager,
        &cid,
        "photo",
        "photo.pdf",
        a_pdf(&app, &manager).await,
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );
    let (status, photo) = attach(
        &app,
        &manager,
        &cid,
        "photo",
        "vitre.jpg",
        jpeg_with_exif(32, 32, 1),
    )
    .await;
    assert_eq!(
        (status, photo["format"].as_str()),
        (StatusCode::CREATED, Some("photo"))
    );

    // Settlement amounts: not negative, a number.
    insure(&app, &manager, &app.tilleuls, "POL-1").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/claims/{cid}/transmit"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for amount in [json!(-1), json!("beaucoup"), Value::Null] {
        let (status, err) = app
            .post_json(
                &format!("/api/v1/claims/{cid}/status"),
                Some(&manager),
                &json!({"status": "settled", "amount_cents": amount}),
            )
            .await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_cents")),
            "{amount}"
        );
    }
    // An insurer of another agency cannot be chosen.
    let (_, foreign) = app
        .post_json(
            "/api/v1/insurers",
            Some(&app.token(OTHER_MANAGER).await),
            &json!({"name": "Autre", "claims_email": "autre@assur.test"}),
        )
        .await;
    let (status, err) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/buildings/{}/insurance", app.tilleuls),
            Some(&manager),
            &json!({"insurer_id": foreign["id"], "policy_number": "X"}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("insurer_id"))
    );
}

#[tokio::test]
async fn insurers_lists_links_and_reminders() {
    let start = ts("2026-11-23T09:00:00Z"); // a Monday
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let other = app.token(OTHER_MANAGER).await;

    // A shared insurer (`palier admin create-insurer`) is offered to every agency; an
    // agency's own only to it.
    palier::domain::claims::insurers::create_shared(
        &app.state,
        "Assureur National",
        "national@assur.test",
        "",
    )
    .await
    .expect("shared insurer");
    insure(&app, &manager, &app.tilleuls, "POL-42").await;
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .filter_map(|i| i["name"].as_str().map(str::to_string))
            .collect()
    };
    let (_, mine) = app.get_json("/api/v1/insurers", Some(&manager)).await;
    assert_eq!(names(&mine), ["Assurances Mutuelles", "Assureur National"]);
    let (_, theirs) = app.get_json("/api/v1/insurers", Some(&other)).await;
    assert_eq!(names(&theirs), ["Assureur National"]);
    let (status, _) = app
        .get_json("/api/v1/insurers", Some(&app.token(REFERENT).await))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Two claims: lists by building and portfolio, filters, pages.
    let (_, a) = declare(&app, &manager, &app.tilleuls, json!({})).await;
    let (_, b) = declare(&app, &manager, &app.tilleuls, json!({"kind": "incendie"})).await;
    let (a, b) = (
        a["id"].as_str().expect("a").to_string(),
        b["id"].as_str().expect("b").to_string(),
    );
    let (status, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/claims", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["items"][0]["id"], b.as_str(), "newest first");
    let (_, list) = app
        .get_json("/api/v1/claims?kind=incendie", Some(&manager))
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (status, _) = app
        .get_json("/api/v1/claims?status=lost", Some(&manager))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = app.get_json("/api/v1/claims", Some(&other)).await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "another agency sees none"
    );
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/claims", app.tilleuls),
            Some(&other),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Short delays for the test: one working day, one reminder before escalation.
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/agency/claim-settings",
            Some(&manager),
            &json!({"remind_after_days": 1, "reminders_before_escalation": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for id in [&a, &b] {
        let (status, c) = app
            .post_json(
                &format!("/api/v1/claims/{id}/transmit"),
                Some(&manager),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{c}");
    }
    let (_, list) = app
        .get_json(
            "/api/v1/claims?status=transmitted&kind=bris-de-glace",
            Some(&manager),
        )
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let token_a = insurer_token(&app, "SIN-2026-0001").await;
    let token_b = insurer_token(&app, "SIN-2026-0002").await;

    // A link opens its own claim only; forged tokens are 404.
    let (status, file) = attach(
        &app,
        &manager,
        &b,
        "note",
        "note.jpg",
        jpeg_with_exif(16, 16, 1),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let browser = app.browser(None).await;
    let fid = file["id"].as_str().expect("id");
    assert_eq!(
        browser
            .get(&format!("/i/{token_a}/attachments/{fid}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get(&format!("/i/{token_b}/attachments/{fid}"))
            .await
            .status(),
        StatusCode::OK
    );
    let forged = "f".repeat(64);
    assert_eq!(
        browser.get(&format!("/i/{forged}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/i/not-a-token").await.status(),
        StatusCode::NOT_FOUND
    );

    // B's insurer answers; A's stays silent: reminded after a working day, then the manager is told.
    clock.set(start + 20 * HOUR_MS);
    let resp = browser
        .submit(
            &format!("/i/{token_b}"),
            &format!("/i/{token_b}/reference"),
            &[("reference", "REF-B")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let reminders = |reference: &str| {
        app.mails_to(INSURER_EMAIL)
            .into_iter()
            .filter(|m| m.starts_with("Relance") && m.contains(reference))
            .count()
    };
    clock.set(start + DAY_MS + HOUR_MS);
    eventually("first reminder", || async {
        reminders("SIN-2026-0001") == 1
    })
    .await;
    assert_eq!(
        reminders("SIN-2026-0002"),
        0,
        "answering restarts the delay"
    );
    clock.set(start + 2 * DAY_MS + 2 * HOUR_MS);
    app.wait_for_mail(MANAGER, "l’assureur ne répond pas").await;
    // B's own reminder stays queued for later: wait a few worker rounds instead of a drain.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        reminders("SIN-2026-0001"),
        1,
        "one reminder, then escalation"
    );
    let (_, c) = app
        .get_json(&format!("/api/v1/claims/{a}"), Some(&manager))
        .await;
    assert_eq!(c["reminders_sent"], 1);
}
