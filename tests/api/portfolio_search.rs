//! Portfolio search (issue 12 item 5): `GET /api/v1/search` and the `/search` page look
//! into every building the person may see, name the building of each hit, match French
//! forms, search comments by audience, and page by cursor across buildings.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, page) = app
        .get_json(&format!("/api/v1/search?{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

fn titles(page: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| {
            (
                h["building"]["name"]
                    .as_str()
                    .expect("building")
                    .to_string(),
                h["title"].as_str().expect("title").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn every_visible_building_is_searched_and_named() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let neighbour = app.token(NEIGHBOUR).await;
    let manager = app.token(MANAGER).await;
    let leak = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond du hall"}),
    )
    .await;
    create_report(
        &app,
        &neighbour,
        &app.vignes,
        json!({"category": "plomberie", "title": "Tache sur un plafond"}),
    )
    .await;
    create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule grillée"}),
    )
    .await;
    // A council comment: the manager finds it, the tenant does not.
    let (status, body) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/comments",
                leak["id"].as_str().expect("id")
            ),
            Some(&manager),
            &json!({"body": "Devis de l’étancheur demandé", "audience": "council"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let found = search(&app, &manager, "q=plafonds").await;
    assert_eq!(
        titles(&found),
        [
            ("Le Clos des Vignes".into(), "Tache sur un plafond".into()),
            (
                "Résidence des Tilleuls".into(),
                "Fuite au plafond du hall".into()
            ),
        ]
    );
    assert_eq!(found["buildings"], 2);
    assert_eq!(
        titles(&search(&app, &manager, "q=etancheur").await).len(),
        1
    );
    assert!(titles(&search(&app, &tenant, "q=etancheur").await).is_empty());
    // Residents search their own buildings only; another agency sees nothing of ours.
    assert_eq!(
        titles(&search(&app, &tenant, "q=plafonds").await),
        [(
            "Résidence des Tilleuls".to_string(),
            "Fuite au plafond du hall".to_string()
        )]
    );
    assert_eq!(
        titles(&search(&app, &neighbour, "q=plafonds").await),
        [(
            "Le Clos des Vignes".to_string(),
            "Tache sur un plafond".to_string()
        )]
    );
    let other = app.token(OTHER_MANAGER).await;
    assert!(titles(&search(&app, &other, "q=plafonds").await).is_empty());
    assert!(titles(&search(&app, &manager, "q=").await).is_empty());
    let (status, _) = app.get_json("/api/v1/search?q=plafond", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get_json("/api/v1/search?q=plafond&cursor=nope", Some(&manager))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn pages_follow_the_cursor_across_buildings() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let building = if i % 2 == 0 {
            &app.tilleuls
        } else {
            &app.vignes
        };
        let title = format!("Porte de cave numéro {i}");
        create_report(
            &app,
            &manager,
            building,
            json!({"category": "acces", "title": title}),
        )
        .await;
        expected.push(title);
    }
    let mut seen = Vec::new();
    let mut query = "q=caves&limit=2".to_string();
    for _ in 0..5 {
        let page = search(&app, &manager, &query).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|h| h["title"].as_str().expect("t").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("q=caves&limit=2&cursor={c}"),
            None => break,
        }
    }
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");
}

#[tokio::test]
async fn the_search_page_names_each_building() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let neighbour = app.token(NEIGHBOUR).await;
    create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué <b>"}),
    )
    .await;
    create_report(
        &app,
        &neighbour,
        &app.vignes,
        json!({"category": "ascenseur", "title": "Bruit dans l’ascenseur"}),
    )
    .await;
    let browser = app.browser(Some(MANAGER)).await;
    let (status, page) = browser.get_text("/search?q=ascenseurs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Résidence des Tilleuls"), "{page}");
    assert!(page.contains("Le Clos des Vignes"));
    assert!(
        page.contains("Ascenseur bloqué &#60;b&#62;")
            || page.contains("Ascenseur bloqué &lt;b&gt;")
    );
    assert!(
        page.contains("Bruit dans l’ascenseur") || page.contains("Bruit dans l&#8217;ascenseur")
    );
    let (status, empty) = browser.get_text("/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!empty.contains("Résultats"));
}
