//! The account's e-mail (changed through a link sent to the new address) and time zone.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_email_changes_only_through_the_link_sent_to_the_new_address() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let new = "paul.nouveau@example.test";
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/me/email",
            Some(&owner),
            &json!({"email": new, "password": "wrong"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/me/email",
            Some(&owner),
            &json!({"email": TENANT, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "taken");
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/me/email",
            Some(&owner),
            &json!({"email": new, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, me) = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["email"], OWNER, "unchanged until confirmed");
    let mail = app.wait_for_mail(new, "Confirmez").await;
    let token = mail
        .split("/account/email/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("link in the e-mail")
        .to_string();
    let (status, _) = app
        .post_json("/api/v1/me/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, me) = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["email"], new);
    let (status, _) = app
        .post_json("/api/v1/me/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::GONE, "single use");
}

#[tokio::test]
async fn the_time_zone_is_a_known_zone() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let (status, body) = app.get_json("/api/v1/me/timezone", Some(&owner)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["timezone"], "Europe/Paris");
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/me/timezone",
            Some(&owner),
            &json!({"timezone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/me/timezone",
            Some(&owner),
            &json!({"timezone": "America/Montreal"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app.get_json("/api/v1/me/timezone", Some(&owner)).await;
    assert_eq!(body["timezone"], "America/Montreal");
}
