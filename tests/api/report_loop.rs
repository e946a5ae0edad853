//! Issue 15: the report loop as people live it — who a reply reaches, following, the
//! duplicate check, statuses in words, the provider's outcome in the reader's language.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

fn comment_count(report: &Value) -> usize {
    report["comments"].as_array().map(Vec::len).unwrap_or(0)
}

/// Posts the reply form of a report page as a browser would (multipart, CSRF in the URL).
async fn post_reply(
    app: &TestApp,
    browser: &Browser,
    id: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let csrf = browser.csrf(&format!("/reports/{id}")).await;
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let resp = browser
        .client
        .post(format!("{}/reports/{id}/comments?csrf={csrf}", app.address))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_message_for_one_person_never_reaches_the_whole_building() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let report = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond", "location_part": "Escalier A"}),
    )
    .await;
    let id = report["id"].as_str().expect("id").to_string();
    let manager = app.token(MANAGER).await;
    let path = format!("/api/v1/reports/{id}/comments");
    let nadia = app.person_id(TENANT).await;
    let henri = app.person_id(LANDLORD).await;

    // A person with another audience is a mismatch: refused, nothing stored.
    let (status, body) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"body": "Pour Nadia seulement", "audience": "all", "person_id": nadia}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&owner))
        .await;
    assert_eq!(comment_count(&seen), 0, "nothing was sent");

    // The landlord of another lot cannot see Paul's report: he cannot be addressed.
    let (status, body) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"body": "Pour Henri", "audience": "person", "person_id": henri}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Choosing a person is choosing that audience.
    let (status, c) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"body": "Pour Nadia", "person_id": nadia}),
        )
        .await;
    assert_eq!(
        (status, c["audience"].as_str()),
        (StatusCode::CREATED, Some("person"))
    );
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&owner))
        .await;
    assert_eq!(
        comment_count(&seen),
        0,
        "the author does not see Nadia's message"
    );

    // The page: only people who can see the report, once each; the button names the audience.
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    assert!(
        page.contains(&format!("value=\"{nadia}\"")),
        "Nadia can be chosen"
    );
    assert!(
        !page.contains(&format!("value=\"{henri}\"")),
        "Henri cannot see it"
    );
    assert!(page.contains("Envoyer à tout l’immeuble") && page.contains("/static/reply.js"));

    // Without JavaScript: a person picked while "Tout l'immeuble" stays checked is refused.
    let (status, html) = post_reply(
        &app,
        &browser,
        &id,
        &[
            ("body", "Message privé"),
            ("audience", "all"),
            ("person_id", &nadia),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Rien n’a été envoyé") && html.contains("Message privé"));
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&manager))
        .await;
    assert_eq!(
        comment_count(&seen),
        1,
        "only the earlier message for Nadia"
    );

    // After an error the chosen audience and person stay, and the button says who.
    let (status, html) = post_reply(
        &app,
        &browser,
        &id,
        &[("body", ""), ("audience", "person"), ("person_id", &nadia)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("value=\"person\" id=\"audience-person\" checked"),
        "audience kept"
    );
    assert!(!html.contains("value=\"all\" checked"));
    assert!(
        html.contains(&format!("value=\"{nadia}\" selected")),
        "person kept"
    );
    assert!(
        html.contains("Envoyer à Nadia Benali"),
        "the button names the person"
    );

    let (_, js) = browser.get_text("/static/reply.js").await;
    assert!(
        js.contains("person.checked = true"),
        "choosing a person selects that audience"
    );
}
