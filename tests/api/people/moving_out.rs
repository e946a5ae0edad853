//! Someone who ends their own residence: the agency's managers are told (issue 9 item 7).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn member_left(app: &TestApp, token: &str) -> Vec<serde_json::Value> {
    let (status, list) = app.get_json("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|n| n["kind"] == "member_left")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn managers_are_told_when_a_resident_moves_out_by_themself() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let tenant_id = app.person_id(TENANT).await;
    assert!(member_left(&app, &manager).await.is_empty());

    let (status, body) = app
        .send_json(
            Method::DELETE,
            &format!("/api/v1/buildings/{}/members/{tenant_id}", app.tilleuls),
            Some(&tenant),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let told = member_left(&app, &manager).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["building_id"], app.tilleuls.as_str());
    assert_eq!(told[0]["read"], false);
    assert!(told[0]["actor"].as_str().is_some_and(|a| !a.is_empty()));
    // Not the people of the building, only its managers.
    let neighbour = app.token(OWNER).await;
    assert!(member_left(&app, &neighbour).await.is_empty());
    let other = app.token(OTHER_MANAGER).await;
    assert!(member_left(&app, &other).await.is_empty());

    // An e-mail at once, naming the building and linking to the former residents.
    let mail = app.wait_for_mail(MANAGER, "Départ").await;
    assert!(
        mail.contains(&format!("/buildings/{}/former", app.tilleuls)),
        "{mail}"
    );
    assert!(mail.contains("a quitté l’immeuble (lot "), "{mail}");

    // The bell's page lists it, linking to the former residents.
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser.get_text("/notifications").await;
    assert!(page.contains("Fin de résidence"), "{page}");
    assert!(page.contains(&format!("/buildings/{}/former", app.tilleuls)));
    let (status, _) = browser
        .get_text(&format!("/buildings/{}/former", app.tilleuls))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_residence_the_manager_ends_tells_no_one() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let owner_id = app.person_id(OWNER).await;
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &format!("/api/v1/buildings/{}/members/{owner_id}", app.tilleuls),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(member_left(&app, &manager).await.is_empty());
    app.drained().await;
    assert!(
        app.mails_to(MANAGER).iter().all(|m| !m.contains("Départ")),
        "no e-mail about what they did themself"
    );
}
