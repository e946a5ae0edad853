//! An owner of several lots (issue 9): the import records each lot they own in a building,
//! importing again changes nothing, and a weighted poll counts the shares of all of them.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;

async fn import(app: &TestApp, token: &str, csv: &str) -> Value {
    let (_, list) = app.get_json("/api/v1/agencies", Some(token)).await;
    let agency = list[0]["id"].as_str().expect("agency id").to_string();
    let form = Form::new().part(
        "file",
        Part::bytes(csv.as_bytes().to_vec()).file_name("lots.csv"),
    );
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/agencies/{agency}/import")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.expect("summary")
}

#[tokio::test]
async fn an_owner_of_two_lots_votes_with_the_shares_of_both() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    // Paul owns lot 7 (his membership) and lot 8 too; a line saying he rents lot 9 in the
    // same building contradicts them and is rejected.
    let csv = format!(
        "immeuble;adresse;lot;nom;email;relation\n\
         {b};12 rue des Tilleuls, 69003 Lyon;7;Paul Lefèvre;{OWNER};proprietaire\n\
         {b};12 rue des Tilleuls, 69003 Lyon;8;Paul Lefèvre;{OWNER};proprietaire\n\
         {b};12 rue des Tilleuls, 69003 Lyon;9;Paul Lefèvre;{OWNER};locataire\n",
        b = palier::demo::TILLEULS
    );
    let first = import(&app, &manager, &csv).await;
    assert_eq!(
        first["rejected"].as_array().map(Vec::len),
        Some(1),
        "{first}"
    );
    assert_eq!(first["rejected"][0]["line"], 4, "{first}");
    assert_eq!(first["people"]["updated"], 1, "{first}");
    let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owned_lots")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(owned, 1, "lot 8 beside lot 7");
    let again = import(&app, &manager, &csv).await;
    assert_eq!(
        again["people"]["updated"], 0,
        "importing again changes nothing: {again}"
    );

    // A weighted poll: Paul's vote weighs lots 7 and 8.
    let referent = app.token(REFERENT).await;
    let (status, p) = app
        .post_json(
            &format!("/api/v1/buildings/{}/polls", app.tilleuls),
            Some(&referent),
            &json!({"title": "Local vélos", "question": "Un abri ?", "options": ["Oui", "Non"],
                    "multiple": false, "audience": "owners", "weighted": true, "results_visible": "after_vote"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_str().expect("id").to_string();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{pid}/publish"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let owner = app.token(OWNER).await;
    let (status, v) = app
        .post_json(
            &format!("/api/v1/polls/{pid}/votes"),
            Some(&owner),
            &json!({"options": [0]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (_, results) = app
        .get_json(&format!("/api/v1/polls/{pid}"), Some(&owner))
        .await;
    let both = palier::demo::demo_shares(palier::demo::TILLEULS, 7)
        + palier::demo::demo_shares(palier::demo::TILLEULS, 8);
    assert_eq!(results["options"][0]["shares"], both, "{results}");

    // The members list sums them.
    let paul = app.person_id(OWNER).await;
    let (_, members) = app
        .get_json(
            &format!("/api/v1/buildings/{}/members", app.tilleuls),
            Some(&manager),
        )
        .await;
    let row = members
        .as_array()
        .and_then(|m| m.iter().find(|x| x["person_id"] == paul.as_str()))
        .expect("Paul listed")
        .clone();
    assert_eq!(
        (row["lot"].as_str(), row["other_lots"].as_i64()),
        (Some("7"), Some(1))
    );
    assert_eq!(row["owned_shares"], both);
    // The owner's own export lists the further lot with its shares (GDPR access).
    let (status, export) = app.get_json("/api/v1/me/export", Some(&owner)).await;
    assert_eq!(status, StatusCode::OK);
    let lots: Vec<(String, i64)> = export["owned_lots"]
        .as_array()
        .expect("owned_lots")
        .iter()
        .map(|l| {
            (
                l["lot"].as_str().unwrap_or_default().to_string(),
                l["shares"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        lots,
        vec![(
            "8".to_string(),
            palier::demo::demo_shares(palier::demo::TILLEULS, 8)
        )]
    );
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser
        .get_text(&format!("/buildings/{}/members", app.tilleuls))
        .await;
    assert!(
        page.contains("(et 1 autre(s))") && page.contains(&format!("{both} tantièmes")),
        "shown on the members page"
    );

    // Moving out ends every ownership link in the building.
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/buildings/{}/members/{paul}", app.tilleuls),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owned_lots")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(owned, 0);
}
