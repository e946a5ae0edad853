//! A person downloads everything Palier stores about them, and only that.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_person_exports_their_own_data_only() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let owner = app.token(OWNER).await;
    let mine = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite dans la cave", "description": "Goutte à goutte"}),
    )
    .await;
    let theirs = crate::reports::create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule du hall", "description": "Grillée"}),
    )
    .await;
    let mine_id = mine["id"].as_str().expect("id");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{mine_id}/comments"),
            Some(&tenant),
            &json!({"body": "Toujours là ce matin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, export) = app.get_json("/api/v1/me/export", Some(&tenant)).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!(export["profile"]["email"], TENANT);
    assert_eq!(
        export["memberships"][0]["building_id"],
        app.tilleuls.as_str()
    );
    assert_eq!(export["memberships"][0]["role"], "occupant");
    assert_eq!(export["memberships"][0]["occupancy"], "tenant");
    assert!(
        export["consents"].as_array().is_some_and(|c| !c.is_empty()),
        "the charter acceptance and its date: {export}"
    );
    let reports = export["reports"].as_array().expect("reports");
    assert!(reports.iter().any(|r| r["id"] == mine_id));
    assert!(
        reports.iter().all(|r| r["id"] != theirs["id"]),
        "another person's report is not in my export"
    );
    assert!(
        export["comments"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["body"] == "Toujours là ce matin"))
    );
    assert!(export["notifications"].is_array());
    assert!(export["photos"].is_array());
    // No secret of the account is part of it.
    let text = export.to_string();
    assert!(!text.contains("argon2"), "no password hash");

    let (status, _) = app.get_json("/api/v1/me/export", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// An existing account joins another building with its code instead of failing with
/// "e-mail taken".
#[tokio::test]
async fn an_existing_account_joins_another_building_with_its_code() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let code = app.building_code(&app.vignes).await;
    let join = |code: &str| json!({"building_code": code, "lot": "7", "occupancy": "owner"});

    let (status, _) = app
        .post_json("/api/v1/me/memberships", Some(&owner), &join("NOPE1234"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post_json("/api/v1/me/memberships", Some(&owner), &join(&code))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["building_id"], app.vignes.as_str());
    let (_, buildings) = app.get_json("/api/v1/buildings", Some(&owner)).await;
    assert!(
        buildings
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["id"] == app.vignes.as_str())),
        "{buildings}"
    );
    let (status, _) = app
        .post_json("/api/v1/me/memberships", Some(&owner), &join(&code))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "joining twice");
    let (status, _) = app
        .post_json(
            "/api/v1/me/memberships",
            Some(&owner),
            &json!({"building_code": code, "lot": " ", "occupancy": "owner"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post_json("/api/v1/me/memberships", None, &join(&code))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The export lists the person's own votes with the options chosen; nobody else's.
#[tokio::test]
async fn the_export_lists_ones_own_votes() {
    let app = spawn_app().await;
    let referent = app.token(REFERENT).await;
    let (tenant, owner) = (app.token(TENANT).await, app.token(OWNER).await);
    let (status, poll) = app
        .post_json(
            &format!("/api/v1/buildings/{}/polls", app.tilleuls),
            Some(&referent),
            &json!({"title": "Couleur du hall", "question": "Quelle couleur ?",
                    "options": ["Vert d’eau", "Gris perle"], "multiple": false,
                    "audience": "all", "weighted": false, "results_visible": "after_close"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{poll}");
    let id = poll["id"].as_str().expect("id");
    let (status, published) = app
        .post_json(
            &format!("/api/v1/polls/{id}/publish"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{published}");
    for (token, choice) in [(&tenant, 1), (&owner, 0)] {
        let (status, vote) = app
            .post_json(
                &format!("/api/v1/polls/{id}/votes"),
                Some(token),
                &json!({"options": [choice]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{vote}");
    }
    let (status, export) = app.get_json("/api/v1/me/export", Some(&tenant)).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let votes = export["votes"].as_array().expect("votes");
    assert_eq!(votes.len(), 1, "only my vote: {export}");
    assert_eq!(votes[0]["poll_id"], id);
    assert_eq!(votes[0]["poll_title"], "Couleur du hall");
    assert_eq!(votes[0]["choices"], json!(["Gris perle"]));
}
