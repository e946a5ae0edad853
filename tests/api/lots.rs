//! Buildings created by their agency's managers, registration codes, lots with shares.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_manager_creates_a_building_whose_code_registers_people() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (status, b) = app
        .post_json(
            "/api/v1/buildings",
            Some(&manager),
            &json!({"name": "Les Acacias", "address": "3 rue des Acacias, Lyon"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().expect("id").to_string();
    let code = b["code"].as_str().expect("code").to_string();
    assert!(!code.is_empty());
    let (_, list) = app.get_json("/api/v1/buildings", Some(&manager)).await;
    assert!(
        list.as_array()
            .is_some_and(|l| l.iter().any(|x| x["id"] == id.as_str()))
    );

    // Regenerating the code retires the old one.
    let (status, fresh) = app
        .post_json(
            &format!("/api/v1/buildings/{id}/code"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let fresh = fresh["code"].as_str().expect("code").to_string();
    assert_ne!(fresh, code);
    assert_eq!(app.building_code(&id).await, fresh);
    let join = |code: &str, email: &str| {
        json!({"building_code": code, "name": "Nadia Test", "email": email,
               "password": "un-bon-mot-de-passe", "lot": "2", "occupancy": "owner",
               "accept_charter": true})
    };
    let (status, _) = app
        .post_json(
            "/api/v1/register",
            None,
            &join(&code, "ancien@example.test"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old code is retired");
    let (status, body) = app
        .post_json(
            "/api/v1/register",
            None,
            &join(&fresh, "nouveau@example.test"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Bad input names its field; others may not create or regenerate.
    let (status, err) = app
        .post_json(
            "/api/v1/buildings",
            Some(&manager),
            &json!({"name": " ", "address": "x"}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name"))
    );
    for who in [REFERENT, OWNER] {
        let token = app.token(who).await;
        let (status, _) = app
            .post_json(
                "/api/v1/buildings",
                Some(&token),
                &json!({"name": "X", "address": "Y"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/buildings/{id}/code"),
            Some(&other),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post_json(
            "/api/v1/buildings",
            Some(&other),
            &json!({"agency_id": b["agency_id"], "name": "X", "address": "Y"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another agency's manager");
}

#[tokio::test]
async fn lots_carry_shares_and_their_total() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let path = format!("/api/v1/buildings/{}/lots", app.vignes);
    let (_, before) = app.get_json(&path, Some(&manager)).await;
    let total_before = before["total_shares"].as_i64().expect("total");

    let (status, lot) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"label": "B12", "shares": 245, "staircase": "B", "floor": "3"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lot}");
    assert_eq!(lot["shares"], 245);
    assert_eq!(lot["staircase"], "B");
    let (status, err) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"label": "B12", "shares": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    for shares in [json!(0), json!(-3)] {
        let (status, err) = app
            .post_json(
                &path,
                Some(&manager),
                &json!({"label": "B13", "shares": shares}),
            )
            .await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("shares"))
        );
    }
    let (status, _) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"label": "B13", "shares": "beaucoup"}),
        )
        .await;
    assert!(status.is_client_error());

    let lot_path = format!("/api/v1/lots/{}", lot["id"].as_str().expect("id"));
    let (status, changed) = app
        .send_json(
            Method::PUT,
            &lot_path,
            Some(&manager),
            &json!({"label": "B12", "shares": 300}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["shares"], 300);
    let (_, after) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(after["total_shares"].as_i64(), Some(total_before + 300));

    // Occupants do not see the lots; another agency does not find them.
    let neighbour = app.token(NEIGHBOUR).await;
    let (status, _) = app.get_json(&path, Some(&neighbour)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = app.get_json(&path, Some(&other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .send_json(
            Method::PUT,
            &lot_path,
            Some(&other),
            &json!({"label": "Z", "shares": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, still) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(still["total_shares"].as_i64(), Some(total_before + 300));
}
