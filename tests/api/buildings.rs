use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn members_list_shows_owner_and_tenant_status() {
    let app = spawn_app().await;
    let (status, members) = app
        .get_json(
            &format!("/api/v1/buildings/{}/members", app.tilleuls),
            Some(&app.token(REFERENT).await),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let find = |email: &str| {
        members
            .as_array()
            .and_then(|m| m.iter().find(|x| x["email"] == email))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(find(TENANT)["occupancy"], "tenant");
    assert_eq!(find(TENANT)["lot"], "23");
    assert_eq!(find(OWNER)["occupancy"], "owner");
    assert_eq!(find(CARETAKER)["referent_kind"], "caretaker");
    assert_eq!(find(LANDLORD)["role"], "landlord");
    assert!(find(NEIGHBOUR).is_null(), "no one from another building");
}

#[tokio::test]
async fn the_manager_turns_an_occupant_into_a_referent_and_back() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let owner_id = app.person_id(OWNER).await;
    let path = format!("/api/v1/buildings/{}/members/{owner_id}/role", app.tilleuls);

    let (status, body) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"role": "referent"}),
        )
        .await;
    assert_eq!(
        (status, body["role"].clone()),
        (StatusCode::OK, json!("referent"))
    );
    let owner = app.token(OWNER).await;
    let (_, me) = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["memberships"][0]["role"], "referent");
    assert_eq!(me["memberships"][0]["referent_kind"], "council");
    // As a referent they now see the occupants list.
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/members", app.tilleuls),
            Some(&owner),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"role": "occupant"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["memberships"][0]["role"], "occupant");
    assert_eq!(
        me["memberships"][0]["occupancy"], "owner",
        "occupancy survives the round trip"
    );

    let (status, body) = app
        .send_json(Method::PUT, &path, Some(&manager), &json!({"role": "king"}))
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("role"))
    );
    let (status, _) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"rôle": "referent"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A person who is not a resident of this building cannot be given a role here.
    let voisin = app.person_id(NEIGHBOUR).await;
    let (status, _) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/buildings/{}/members/{voisin}/role", app.tilleuls),
            Some(&manager),
            &json!({"role": "referent"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'role_change' AND target_id = $1",
    )
    .bind(&owner_id)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("audit");
    assert_eq!(audit, 2, "both changes are in the audit trail");
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/auth/token",
        "/api/v1/register",
        "/api/v1/me",
        "/api/v1/buildings",
        "/api/v1/buildings/{id}/members",
        "/api/v1/buildings/{id}/members/{person_id}/role",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
