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
