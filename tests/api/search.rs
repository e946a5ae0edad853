//! Search that matches French (issue 15 item 9): plural and other forms meet by their
//! stem; comments and provider reports are searched, each only by those who may read it;
//! reports indexed before the current index are indexed again by the worker.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;
use crate::work_orders::{add_provider, provider_token};

/// The ids a search of the Tilleuls board finds for `who`.
async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let (status, page) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/reports?q={}",
                app.tilleuls,
                q.replace(' ', "%20")
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

fn id(report: &Value) -> String {
    report["id"].as_str().expect("id").to_string()
}

async fn comment(app: &TestApp, token: &str, report: &str, body: Value) {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/reports/{report}/comments"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn french_plurals_and_forms_find_the_report() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let bulb = id(&create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule grillée sur le palier", "location": "Escalier B"}),
    )
    .await);
    let leak = id(&create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond", "description": "Les peintures gonflent."}),
    )
    .await);
    let owner = app.token(OWNER).await;
    for (q, expected) in [
        ("ampoules", &bulb),
        ("ampoules grillées", &bulb),
        ("plafonds", &leak),
        ("fuites", &leak),
        ("peinture", &leak),
        ("gonflé", &leak),
    ] {
        assert_eq!(found(&app, &owner, q).await, [expected.as_str()], "{q:?}");
    }
    assert!(found(&app, &owner, "ascenseurs").await.is_empty());
}

#[tokio::test]
async fn comments_and_provider_reports_are_searched_only_by_who_may_read_them() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let referent = app.token(REFERENT).await;
    let landlord = app.token(LANDLORD).await;
    let owner = app.token(OWNER).await;
    let report = id(&create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await);

    // For everyone: the author's detail.
    comment(
        &app,
        &tenant,
        &report,
        json!({"body": "Les boutons clignotent."}),
    )
    .await;
    // For the council only (the manager and referents).
    comment(
        &app,
        &manager,
        &report,
        json!({"body": "Devis du serrurier attendu.", "audience": "council"}),
    )
    .await;
    // To one person: read by that person and by staff.
    let paul = app.person_id(OWNER).await;
    comment(
        &app,
        &referent,
        &report,
        json!({"body": "Pouvez-vous ouvrir la chaufferie ?", "audience": "person", "person_id": paul}),
    )
    .await;
    // The private landlord thread: the landlord of the lot and the manager.
    comment(
        &app,
        &landlord,
        &report,
        json!({"body": "Le locataire signale des moisissures.", "audience": "landlord"}),
    )
    .await;

    let everyone = [&tenant, &owner, &referent, &manager, &landlord];
    for who in everyone {
        assert_eq!(found(&app, who, "clignotants").await, [report.as_str()]);
    }
    // Council words: staff find the report; occupants find nothing, not even its id.
    assert_eq!(found(&app, &manager, "serruriers").await, [report.as_str()]);
    assert_eq!(found(&app, &referent, "serrurier").await, [report.as_str()]);
    for who in [&tenant, &owner, &landlord] {
        assert!(found(&app, who, "serrurier").await.is_empty());
    }
    assert_eq!(found(&app, &manager, "chaufferie").await, [report.as_str()]);
    assert!(found(&app, &tenant, "chaufferie").await.is_empty());
    // Landlord thread words: the manager only, never the tenant nor the referent.
    assert_eq!(found(&app, &manager, "moisissure").await, [report.as_str()]);
    assert!(found(&app, &referent, "moisissure").await.is_empty());
    assert!(found(&app, &tenant, "moisissure").await.is_empty());
    // Words from several audiences together: each must be readable by the searcher.
    assert_eq!(
        found(&app, &manager, "serrurier moisissures").await,
        [report.as_str()]
    );
    assert!(
        found(&app, &referent, "serrurier moisissures")
            .await
            .is_empty()
    );

    // The provider's report after the visit is on the report for everyone: searched alike.
    let provider = add_provider(&app, &manager, "Ascenseurs Dupont", "dupont@asc.test").await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{report}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let token = provider_token(
        &app,
        "dupont@asc.test",
        wo["reference"].as_str().expect("reference"),
    )
    .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{token}/report"),
            None,
            &json!({"body": "Contacteurs remplacés", "done": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for who in everyone {
        assert_eq!(found(&app, who, "contacteur").await, [report.as_str()]);
    }
}

#[tokio::test]
async fn reports_indexed_before_the_stemmed_index_are_indexed_again_with_their_comments() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = id(&create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "autre", "title": "Volets cassés"}),
    )
    .await);
    comment(
        &app,
        &tenant,
        &report,
        json!({"body": "Les lames tombent."}),
    )
    .await;
    // As a report looked before migration 0023: its own folded words only, not yet current.
    sqlx::query(
        "UPDATE reports SET search_text = 'volets casses', search_council = '', \
         search_version = 0 WHERE id = $1",
    )
    .bind(&report)
    .execute(&app.state.db.pool)
    .await
    .expect("age the index");
    // Still found by its own words while it waits.
    assert_eq!(found(&app, &tenant, "volets").await, [report.as_str()]);
    // The worker's turn: the same call it makes at start-up until none is left.
    let n = palier::domain::reports::search::reindex_stale(&app.state)
        .await
        .expect("reindex");
    assert_eq!(n, 1);
    let version: i64 = sqlx::query_scalar("SELECT search_version FROM reports WHERE id = $1")
        .bind(&report)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("version");
    assert_eq!(version, 1);
    assert_eq!(found(&app, &tenant, "lame").await, [report.as_str()]);
    assert_eq!(found(&app, &tenant, "volet casse").await, [report.as_str()]);
}
