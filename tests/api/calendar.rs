//! The private calendar feed (issue 12 item 7, X2): a confirmed intervention and a poll's
//! closing date, read back by a real iCalendar parser (Python's `icalendar`), only for
//! those who may see them; revocable.

use std::io::Write;
use std::process::{Command, Stdio};

use palier::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;
use crate::work_orders::{add_provider, provider_token, ts};

/// The events of a feed as (UID, start in UTC, summary, location), through `icalendar`.
fn parse_ics(body: &str) -> Vec<Value> {
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
assert cal.get('VERSION') == '2.0', 'version'
out = []
for e in cal.walk('VEVENT'):
    start = e.decoded('DTSTART')
    out.append({'uid': str(e.get('UID')), 'start': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'summary': str(e.get('SUMMARY')), 'location': str(e.get('LOCATION', '')),
                'end_after_start': e.decoded('DTEND') > start})
print(json.dumps(out))
"#;
    let mut child = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (apt-get install python3-icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Value = serde_json::from_slice(&out.stdout).expect("json");
    events.as_array().expect("events").clone()
}

async fn feed_url(app: &TestApp, token: &str) -> String {
    let (status, body) = app.get_json("/api/v1/me/calendar", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["url"].as_str().expect("url").to_string();
    assert!(url.ends_with(".ics"), "{url}");
    url
}

async fn fetch(app: &TestApp, url: &str) -> (StatusCode, String) {
    let full = if url.starts_with('/') {
        app.url(url)
    } else {
        url.to_string()
    };
    let resp = app.client.get(full).send().await.expect("feed");
    let status = resp.status();
    if status == StatusCode::OK {
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .is_ok_and(|c| c.starts_with("text/calendar")),
        );
    }
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_feed_lists_a_confirmed_intervention_and_a_poll_closing() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let referent = app.token(REFERENT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué, 3e étage; porte B"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(
        &app,
        &manager,
        "Ascenseurs Dupont",
        "dupont@ascenseurs.test",
    )
    .await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let reference = wo["reference"].as_str().expect("reference").to_string();
    let link = provider_token(&app, "dupont@ascenseurs.test", &reference).await;
    // The provider confirms 26 November, 9:00 in Paris.
    let (status, view) = app
        .post_json(
            &format!("/api/v1/p/{link}/schedule"),
            None,
            &json!({"date": "2026-11-26T09:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    // A poll closing on 3 December.
    let (status, poll) = app
        .post_json(
            &format!("/api/v1/buildings/{}/polls", app.tilleuls),
            Some(&referent),
            &json!({"title": "Local vélos", "question": "Un abri ?", "options": ["Oui", "Non"],
                    "multiple": false, "audience": "all", "weighted": false,
                    "results_visible": "after_vote", "closes_at": "2026-12-03T08:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{poll}");
    let poll_id = poll["id"].as_str().expect("id");
    let url = feed_url(&app, &tenant).await;
    // A draft poll is nobody's date yet.
    let (_, body) = fetch(&app, &url).await;
    assert!(
        parse_ics(&body)
            .iter()
            .all(|e| !e["uid"].as_str().unwrap_or("").contains(poll_id))
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{poll_id}/publish"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The same address on every request.
    assert_eq!(feed_url(&app, &tenant).await, url);
    let (status, body) = fetch(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    let events = parse_ics(&body);
    assert_eq!(events.len(), 2, "{body}");
    let visit = events
        .iter()
        .find(|e| {
            e["summary"]
                .as_str()
                .is_some_and(|s| s.contains("Intervention"))
        })
        .expect("the intervention");
    assert_eq!(visit["start"], "2026-11-26T08:00:00Z");
    assert_eq!(
        visit["summary"],
        "Intervention : Ascenseur bloqué, 3e étage; porte B — Résidence des Tilleuls"
    );
    assert!(
        visit["location"]
            .as_str()
            .is_some_and(|l| l.contains("12 rue des Tilleuls"))
    );
    assert_eq!(visit["end_after_start"], true);
    let closing = events
        .iter()
        .find(|e| e["uid"].as_str().is_some_and(|u| u.contains(poll_id)))
        .expect("the poll");
    assert_eq!(closing["start"], "2026-12-03T08:00:00Z");
    assert!(
        closing["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Local vélos"))
    );

    // The manager sees the intervention too; a neighbour of another building, nothing.
    let (_, body) = fetch(&app, &feed_url(&app, &manager).await).await;
    assert_eq!(parse_ics(&body).len(), 2);
    let neighbour = app.token(NEIGHBOUR).await;
    let (_, body) = fetch(&app, &feed_url(&app, &neighbour).await).await;
    assert!(parse_ics(&body).is_empty(), "{body}");
    let other = app.token(OTHER_MANAGER).await;
    let (_, body) = fetch(&app, &feed_url(&app, &other).await).await;
    assert!(parse_ics(&body).is_empty());

    // Revoked: the address stops working; a new one is given next time.
    let (status, _) = app
        .send_json(
            Method::DELETE,
            "/api/v1/me/calendar",
            Some(&tenant),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &url).await.0, StatusCode::NOT_FOUND);
    let fresh = feed_url(&app, &tenant).await;
    assert_ne!(fresh, url);
    assert_eq!(fetch(&app, &fresh).await.0, StatusCode::OK);
    assert_eq!(
        fetch(&app, "/calendar/not-a-token.ics").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = app.get_json("/api/v1/me/calendar", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_feed_leaves_out_reports_the_person_may_not_see() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock).await;
    let manager = app.token(MANAGER).await;
    let owner = app.token(OWNER).await;
    let landlord = app.token(LANDLORD).await;
    // The owner's report (lot 7): the landlord of lot 23 does not see it.
    let report = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite dans la cave du lot 7"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(&app, &manager, "Plomberie Martin", "martin@plomberie.test").await;
    let (_, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let reference = wo["reference"].as_str().expect("reference").to_string();
    let link = provider_token(&app, "martin@plomberie.test", &reference).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{link}/schedule"),
            None,
            &json!({"date": "2026-11-27T14:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = fetch(&app, &feed_url(&app, &owner).await).await;
    assert_eq!(parse_ics(&body).len(), 1);
    let (_, body) = fetch(&app, &feed_url(&app, &landlord).await).await;
    assert!(parse_ics(&body).is_empty(), "{body}");
}

/// The account page gives the same private address as the API, on request, and revokes it:
/// the old address then answers 404 and the page offers a new one.
#[tokio::test]
async fn the_account_page_gives_and_revokes_the_calendar_address() {
    let app = spawn_app().await;
    let browser = app.browser(Some(CARETAKER)).await;
    let (status, page) = browser.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/account/calendar\""), "{page}");
    assert!(
        !page.contains("/calendar/"),
        "no address before it is asked for"
    );

    let resp = browser.submit("/account", "/account/calendar", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/account?notice=calendar_ready"));
    let (_, page) = browser.get_text("/account").await;
    let token = app.token(CARETAKER).await;
    let url = feed_url(&app, &token).await;
    assert!(
        page.contains(&url),
        "the page shows the API's address {url}"
    );
    assert_eq!(fetch(&app, &url).await.0, StatusCode::OK);

    let resp = browser
        .submit("/account", "/account/calendar/revoke", &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(fetch(&app, &url).await.0, StatusCode::NOT_FOUND);
    let (_, page) = browser.get_text("/account").await;
    assert!(!page.contains(&url));
    assert!(page.contains("action=\"/account/calendar\""));
}
