//! Announcements (A1, A2) and polls (P1–P5) over HTTP, with a pinned clock for schedules.

use palier::clock::{Clock, DAY_MS, MINUTE_MS};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::work_orders::{pdf_text, ts};

const START: &str = "2026-12-01T08:00:00Z";

async fn pinned() -> (TestApp, Clock) {
    let clock = Clock::fixed(ts(START));
    (spawn_app_with(clock.clone()).await, clock)
}

async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/announcements/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let resp = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = resp.status();
    (
        status,
        resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
    )
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn announce(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/buildings/{}/announcements", app.tilleuls),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn announcements_reach_their_audience_only_and_are_counted_edited_and_withdrawn() {
    let (app, clock) = pinned().await;
    let referent = app.token(REFERENT).await;
    let (owner, tenant, landlord, neighbour, manager) = (
        app.token(OWNER).await,
        app.token(TENANT).await,
        app.token(LANDLORD).await,
        app.token(NEIGHBOUR).await,
        app.token(MANAGER).await,
    );

    // Occupants and landlords may not publish.
    for who in [&owner, &tenant, &landlord] {
        let (status, _) = announce(
            &app,
            who,
            json!({"title": "x", "body": "y", "audience": "all"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Another building's people get 404.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/buildings/{}/announcements", app.tilleuls),
            Some(&neighbour),
            &json!({"title": "x", "body": "y", "audience": "all"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Bad input names its field; nothing is created.
    for (body, field) in [
        (
            json!({"title": " ", "body": "y", "audience": "all"}),
            "title",
        ),
        (
            json!({"title": "x", "body": "y", "audience": "everyone"}),
            "audience",
        ),
        (
            json!({"title": "x", "body": "y", "audience": "all", "publish_at": "demain"}),
            "publish_at",
        ),
        (
            json!({"title": "x", "body": "y", "audience": "all", "expires_at": "2026-11-30T08:00:00Z"}),
            "expires_at",
        ),
        (
            json!({"title": "x", "body": "y", "audience": "all", "template": "nope"}),
            "template",
        ),
    ] {
        let (status, err) = announce(&app, &referent, body).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{err}"
        );
    }

    let (status, owners_only) = announce(
        &app,
        &referent,
        json!({"title": "Assemblée <b>générale</b>", "body": "Pour les propriétaires", "audience": "owners"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{owners_only}");
    assert_eq!(owners_only["status"], "published");
    let owners_only = owners_only["id"].as_str().expect("id").to_string();
    let (_, pinned_one) = announce(
        &app,
        &manager,
        json!({"title": "Règlement", "body": "À lire", "audience": "all", "pinned": true}),
    )
    .await;
    let pinned_one = pinned_one["id"].as_str().expect("id").to_string();
    clock.set(ts(START) + MINUTE_MS);
    let (_, everyone) = announce(
        &app,
        &referent,
        json!({"title": "Ascenseur", "body": "Visite le 3", "audience": "all",
               "expires_at": "2026-12-04T08:00:00Z"}),
    )
    .await;
    let everyone = everyone["id"].as_str().expect("id").to_string();

    // Lists: pinned first, then newest; the tenant does not see the owners' one.
    let path = format!("/api/v1/buildings/{}/announcements", app.tilleuls);
    let (_, list) = app.get_json(&path, Some(&owner)).await;
    assert_eq!(
        ids(&list),
        [pinned_one.clone(), everyone.clone(), owners_only.clone()]
    );
    let (_, list) = app.get_json(&path, Some(&tenant)).await;
    assert_eq!(ids(&list), [pinned_one.clone(), everyone.clone()]);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/announcements/{owners_only}"),
            Some(&tenant),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/announcements/{everyone}"),
            Some(&neighbour),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/announcements", app.vignes),
            Some(&owner),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Keyset pages of one.
    let (_, first) = app.get_json(&format!("{path}?limit=1"), Some(&owner)).await;
    let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
    let (_, second) = app
        .get_json(&format!("{path}?limit=1&cursor={cursor}"), Some(&owner))
        .await;
    assert_eq!(ids(&second), vec![everyone.clone()]);
    let (status, _) = app
        .get_json(&format!("{path}?cursor=x'--"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Seen by: members of the audience who opened it, out of the audience.
    app.get_json(&format!("/api/v1/announcements/{everyone}"), Some(&owner))
        .await;
    app.get_json(&format!("/api/v1/announcements/{everyone}"), Some(&owner))
        .await;
    app.get_json(&format!("/api/v1/announcements/{everyone}"), Some(&tenant))
        .await;
    let (_, seen) = app
        .get_json(&format!("/api/v1/announcements/{everyone}"), Some(&manager))
        .await;
    // Tilleuls: caretaker, owner, tenant, landlord (the author, the referent, is not counted).
    assert_eq!(
        (seen["seen_by"].as_i64(), seen["audience_size"].as_i64()),
        (Some(2), Some(4)),
        "{seen}"
    );
    let (_, as_owner) = app
        .get_json(&format!("/api/v1/announcements/{everyone}"), Some(&owner))
        .await;
    assert!(
        as_owner.get("seen_by").is_none(),
        "residents do not see counts"
    );

    // Expired ones move to "past".
    clock.set(ts("2026-12-05T08:00:00Z"));
    let (_, list) = app.get_json(&path, Some(&owner)).await;
    assert!(!ids(&list).contains(&everyone));
    let (_, past) = app
        .get_json(&format!("{path}?past=true"), Some(&owner))
        .await;
    assert_eq!(ids(&past), vec![everyone.clone()]);

    // Edit (staff only; audited), then withdraw: it disappears for occupants.
    let edit = json!({"title": "Règlement intérieur", "body": "À lire <script>", "audience": "all", "pinned": true});
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/announcements/{pinned_one}"),
            Some(&owner),
            &edit,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, edited) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/announcements/{pinned_one}"),
            Some(&referent),
            &edit,
        )
        .await;
    assert_eq!(
        (status, edited["title"].as_str()),
        (StatusCode::OK, Some("Règlement intérieur"))
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/announcements/{pinned_one}/withdraw"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v1/announcements/{pinned_one}"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get_json(&path, Some(&owner)).await;
    assert_eq!(ids(&list), vec![owners_only.clone()]);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/announcements/{pinned_one}/withdraw"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE target_id = $1 AND action IN ('announcement_edited', 'announcement_withdrawn')",
    )
    .bind(&pinned_one)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_scheduled_announcement_is_e_mailed_at_its_time_once_and_never_before() {
    let (app, clock) = pinned().await;
    let referent = app.token(REFERENT).await;
    let (status, created) = announce(
        &app,
        &referent,
        json!({"title": "Coupure <i>d’eau</i>", "body": "Jeudi 9h–12h", "audience": "tenants",
               "publish_at": "2026-12-02T18:00:00Z"}),
    )
    .await;
    assert_eq!(
        (status, created["status"].as_str()),
        (StatusCode::CREATED, Some("scheduled"))
    );
    let id = created["id"].as_str().expect("id").to_string();
    let tenant = app.token(TENANT).await;
    let (status, _) = app
        .get_json(&format!("/api/v1/announcements/{id}"), Some(&tenant))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not visible before its time");

    // A minute before: nothing leaves.
    clock.set(ts("2026-12-02T17:59:00Z"));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(app.mails_to(TENANT).is_empty());
    clock.set(ts("2026-12-02T18:00:00Z"));
    let text = app.wait_for_mail(TENANT, "Coupure <i>d’eau</i>").await;
    assert!(text.contains("Jeudi 9h–12h"), "{text}");
    assert!(text.contains(&format!("/announcements/{id}")), "{text}");
    let (status, _) = app
        .get_json(&format!("/api/v1/announcements/{id}"), Some(&tenant))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Exactly once, and only to the audience (tenants: not the owner).
    clock.set(ts("2026-12-03T18:00:00Z"));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.mails_to(TENANT).len(), 1);
    assert!(app.mails_to(OWNER).is_empty());
    // The HTML part escapes the title.
    let html = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|raw| {
            let msg = mail_parser::MessageParser::default().parse(&raw)?;
            Some(msg.body_html(0)?.to_string())
        })
        .find(|h| h.contains("Jeudi"))
        .expect("HTML part");
    assert!(
        html.contains("&#60;i&#62;d") && !html.contains("<i>d"),
        "{html}"
    );

    // Turning the category off stops the notices.
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&tenant),
            &json!({"mode": "immediate", "categories": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    announce(
        &app,
        &referent,
        json!({"title": "Deuxième", "body": "b", "audience": "all"}),
    )
    .await;
    clock.set(ts("2026-12-03T18:10:00Z"));
    app.wait_for_mail(OWNER, "Deuxième").await;
    assert_eq!(app.mails_to(TENANT).len(), 1);
}

#[tokio::test]
async fn attachments_templates_and_the_printable_notice() {
    let (app, _clock) = pinned().await;
    let referent = app.token(REFERENT).await;
    let manager = app.token(MANAGER).await;
    let (_, templates) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/announcement-templates?lang=fr",
                app.tilleuls
            ),
            Some(&referent),
        )
        .await;
    let cut = templates
        .as_array()
        .and_then(|t| t.iter().find(|t| t["slug"] == "water_power_cut"))
        .expect("water cut template")
        .clone();
    assert!(
        cut["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "date"))
    );
    let (_, english) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/announcement-templates?lang=en",
                app.tilleuls
            ),
            Some(&referent),
        )
        .await;
    assert!(english.to_string().contains("Water cut"));
    let owner = app.token(OWNER).await;
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/announcement-templates", app.tilleuls),
            Some(&owner),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The agency rewrites it; the new text is what staff start from.
    let (status, saved) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/announcement-templates/water_power_cut",
            Some(&manager),
            &json!({"lang": "fr", "title": "Eau coupée le {date}", "body": "Coupure le {date}."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/announcement-templates/water_power_cut",
            Some(&referent),
            &json!({"lang": "fr", "title": "t", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, created) = announce(
        &app,
        &referent,
        json!({"title": "Eau coupée le {date}", "body": "Coupure le {date}.", "audience": "all",
               "template": "water_power_cut", "fields": {"date": "3 décembre"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().expect("id").to_string();

    let (_, poster) = bytes(
        &app,
        &manager,
        &format!("/api/v1/buildings/{}/poster.pdf", app.tilleuls),
    )
    .await;
    let (status, pdf) = upload(&app, &referent, &id, "plan.pdf", poster.clone()).await;
    assert_eq!(
        (status, pdf["kind"].as_str()),
        (StatusCode::CREATED, Some("pdf")),
        "{pdf}"
    );
    let (status, photo) = upload(
        &app,
        &referent,
        &id,
        "hall.png",
        crate::fixtures::small_png(40, 30),
    )
    .await;
    assert_eq!(
        (status, photo["kind"].as_str()),
        (StatusCode::CREATED, Some("photo")),
        "{photo}"
    );
    let (status, _) = upload(
        &app,
        &referent,
        &id,
        "fake.pdf",
        b"%PDF-1.4 nothing".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = upload(
        &app,
        &referent,
        &id,
        "big.pdf",
        vec![b'a'; 20 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = upload(&app, &owner, &id, "x.pdf", poster.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, read) = app
        .get_json(&format!("/api/v1/announcements/{id}"), Some(&owner))
        .await;
    assert_eq!(read["title"], "Eau coupée le 3 décembre");
    assert_eq!(read["attachments"].as_array().map(Vec::len), Some(2));
    let url = read["attachments"][0]["url"]
        .as_str()
        .expect("url")
        .to_string();
    let (status, got) = bytes(&app, &owner, &url).await;
    assert_eq!((status, got == poster), (StatusCode::OK, true));
    let neighbour = app.token(NEIGHBOUR).await;
    let (status, _) = bytes(&app, &neighbour, &url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, notice) = bytes(&app, &referent, &format!("/api/v1/announcements/{id}/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&notice);
    assert!(text.contains("Eau coupée le 3 décembre"), "{text}");
    assert!(text.contains(palier::demo::TILLEULS), "{text}");
    let (status, _) = bytes(&app, &owner, &format!("/api/v1/announcements/{id}/pdf")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn poll(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/buildings/{}/polls", app.tilleuls),
        Some(token),
        &body,
    )
    .await
}

fn poll_body(weighted: bool) -> Value {
    json!({"title": "Local vélos", "question": "Voulez-vous un abri <vélos> ?", "options": ["Oui", "Non", "Sans avis"],
           "multiple": false, "audience": if weighted { "owners" } else { "all" }, "weighted": weighted,
           "results_visible": "after_vote"})
}

#[tokio::test]
async fn polls_refuse_bad_input_and_keep_votes_secret() {
    let (app, clock) = pinned().await;
    let referent = app.token(REFERENT).await;
    let (owner, tenant, manager) = (
        app.token(OWNER).await,
        app.token(TENANT).await,
        app.token(MANAGER).await,
    );
    let (status, _) = poll(&app, &owner, poll_body(false)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let eleven: Vec<String> = (0..11).map(|i| format!("Choix {i}")).collect();
    for (patch, field) in [
        (json!({"title": ""}), "title"),
        (json!({"options": eleven}), "options"),
        (json!({"options": ["Oui"]}), "options"),
        (json!({"options": ["Oui", " oui "]}), "options"),
        (json!({"closes_at": "2026-11-30T00:00:00Z"}), "closes_at"),
        (json!({"audience": "council"}), "audience"),
        (json!({"results_visible": "never"}), "results_visible"),
    ] {
        let mut body = poll_body(false);
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, err) = poll(&app, &referent, body).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{err}"
        );
    }
    let (status, created) = poll(&app, &referent, poll_body(false)).await;
    assert_eq!(
        (status, created["status"].as_str()),
        (StatusCode::CREATED, Some("draft"))
    );
    let id = created["id"].as_str().expect("id").to_string();
    // A draft is invisible to occupants and cannot be voted on.
    let (status, _) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let polls = format!("/api/v1/buildings/{}/polls", app.tilleuls);
    let (_, listed) = app.get_json(&polls, Some(&owner)).await;
    assert_eq!(
        ids(&listed),
        Vec::<String>::new(),
        "drafts are not listed for occupants"
    );
    let (_, listed) = app.get_json(&polls, Some(&referent)).await;
    assert_eq!(ids(&listed), vec![id.clone()]);
    assert_eq!(listed["items"][0]["status"], "draft");
    let (status, p) = app
        .post_json(
            &format!("/api/v1/polls/{id}/publish"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (StatusCode::OK, Some("open")),
        "{p}"
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{id}/publish"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/polls/{id}"),
            Some(&referent),
            &poll_body(false),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a published poll is not edited"
    );
    let invite = app.wait_for_mail(TENANT, "Sondage").await;
    assert!(invite.contains(&format!("/polls/{id}")), "{invite}");

    let vote = |token: String, options: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            app.post_json(
                &format!("/api/v1/polls/{id}/votes"),
                Some(&token),
                &json!({"options": options}),
            )
            .await
        }
    };
    assert_eq!(
        vote(owner.clone(), json!([0, 1])).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        vote(owner.clone(), json!([7])).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        vote(manager.clone(), json!([0])).await.0,
        StatusCode::FORBIDDEN
    );
    // Before voting the counts are hidden; the turnout shows.
    let (_, before) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&owner))
        .await;
    assert!(before["options"][0]["votes"].is_null(), "{before}");
    // Concurrent double votes: one stands.
    let (a, b) = tokio::join!(
        vote(owner.clone(), json!([0])),
        vote(owner.clone(), json!([1]))
    );
    assert_eq!((a.0, b.0), (StatusCode::CREATED, StatusCode::CREATED));
    let (status, after) = vote(owner.clone(), json!([1])).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(after["my_vote"], json!([1]));
    assert_eq!(after["voters"], 1);
    assert_eq!(after["options"][1]["votes"], 1);
    vote(tenant.clone(), json!([0])).await;
    // Staff see the turnout and counts, never who voted what.
    let (_, staff) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&manager))
        .await;
    assert_eq!(staff["voters"], 2);
    assert!(staff["my_vote"].is_null());
    assert!(!staff.to_string().contains(&app.person_id(OWNER).await));

    // Closing: not the owner, and the poll closes at closes_at by itself too.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{id}/close"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut timed = poll_body(false);
    timed["closes_at"] = json!("2026-12-03T08:00:00Z");
    let (_, timed) = poll(&app, &referent, timed).await;
    let timed = timed["id"].as_str().expect("id").to_string();
    app.post_json(
        &format!("/api/v1/polls/{timed}/publish"),
        Some(&referent),
        &json!({}),
    )
    .await;
    clock.set(ts("2026-12-03T08:00:00Z") + 1);
    let results = app.wait_for_mail(OWNER, "Résultats du sondage").await;
    assert!(results.contains("Participation : 0 sur 5"), "{results}");
    let (_, closed) = app
        .get_json(&format!("/api/v1/polls/{timed}"), Some(&owner))
        .await;
    assert_eq!(closed["status"], "closed");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{timed}/votes"),
            Some(&owner),
            &json!({"options": [0]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// The "Done when", on the demo: a water-cut notice from a template with a PDF, a
/// weighted poll among owners with two votes, the day-4 reminder, closing and the CSV.
#[tokio::test]
async fn done_when_the_demo_publishes_a_notice_and_runs_a_weighted_poll() {
    let (app, clock) = pinned().await;
    let referent = app.token(REFERENT).await;
    let manager = app.token(MANAGER).await;
    // The demo's lots carry shares: 10,000 in all at the Tilleuls.
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(lots["total_shares"], 10_000);

    let (_, tpl) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/announcement-templates?lang=fr",
                app.tilleuls
            ),
            Some(&referent),
        )
        .await;
    let cut = tpl
        .as_array()
        .and_then(|t| t.iter().find(|t| t["slug"] == "water_power_cut"))
        .expect("template")
        .clone();
    let (status, created) = announce(
        &app,
        &referent,
        json!({"title": cut["title"], "body": cut["body"], "audience": "all", "template": "water_power_cut",
               "fields": {"date": "jeudi 3 décembre", "start": "9 h", "end": "12 h", "reason": "travaux"}}),
    )
    .await;
    assert_eq!(
        (status, created["status"].as_str()),
        (StatusCode::CREATED, Some("published"))
    );
    let id = created["id"].as_str().expect("id").to_string();
    let (_, poster) = bytes(
        &app,
        &manager,
        &format!("/api/v1/buildings/{}/poster.pdf", app.tilleuls),
    )
    .await;
    let (status, _) = upload(&app, &referent, &id, "coupure.pdf", poster).await;
    assert_eq!(status, StatusCode::CREATED);
    clock.set(ts(START) + 3 * MINUTE_MS);
    for who in [TENANT, OWNER] {
        let text = app
            .wait_for_mail(who, "Coupure d’eau le jeudi 3 décembre")
            .await;
        assert!(text.contains("coupure.pdf"), "{text}");
        let token = app.token(who).await;
        let (status, read) = app
            .get_json(&format!("/api/v1/announcements/{id}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            read["body"]
                .as_str()
                .is_some_and(|b| b.contains("de 9 h à 12 h")),
            "{read}"
        );
    }
    let neighbour = app.token(NEIGHBOUR).await;
    let (status, _) = app
        .get_json(&format!("/api/v1/announcements/{id}"), Some(&neighbour))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, vignes) = app
        .get_json(
            &format!("/api/v1/buildings/{}/announcements", app.vignes),
            Some(&neighbour),
        )
        .await;
    assert_eq!(ids(&vignes), Vec::<String>::new());
    assert!(app.mails_to(NEIGHBOUR).is_empty());

    // A weighted poll among owners: the referent (lot 12), the owner (lot 7), the landlord (lot 23).
    let (_, p) = poll(&app, &referent, poll_body(true)).await;
    let pid = p["id"].as_str().expect("id").to_string();
    let published_at = ts(START) + 3 * MINUTE_MS;
    app.post_json(
        &format!("/api/v1/polls/{pid}/publish"),
        Some(&referent),
        &json!({}),
    )
    .await;
    let (_, read) = app
        .get_json(&format!("/api/v1/polls/{pid}"), Some(&referent))
        .await;
    assert_eq!(read["eligible"], 3, "{read}");
    let tenant = app.token(TENANT).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/polls/{pid}/votes"),
            Some(&tenant),
            &json!({"options": [0]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "tenants do not vote in a weighted poll"
    );
    for (who, option) in [(REFERENT, 0), (OWNER, 1)] {
        let token = app.token(who).await;
        let (status, v) = app
            .post_json(
                &format!("/api/v1/polls/{pid}/votes"),
                Some(&token),
                &json!({"options": [option]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let (_, results) = app
        .get_json(&format!("/api/v1/polls/{pid}"), Some(&referent))
        .await;
    // Lot 12 = 250 shares, lot 7 = 250 shares, of 10,000.
    let shares = palier::demo::demo_shares(palier::demo::TILLEULS, 12);
    assert_eq!(results["options"][0]["votes"], 1);
    assert_eq!(results["options"][0]["shares"], shares);
    assert_eq!(
        results["options"][1]["shares"],
        palier::demo::demo_shares(palier::demo::TILLEULS, 7)
    );
    assert_eq!(results["total_shares"], 10_000);
    assert_eq!(results["voters"], 2);

    // Day 4: the reminder reaches only the landlord, who has not voted; exactly once.
    clock.set(published_at + 4 * DAY_MS - MINUTE_MS);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.mails_to(LANDLORD).iter().all(|m| !m.contains("Rappel")));
    clock.set(published_at + 4 * DAY_MS + MINUTE_MS);
    app.wait_for_mail(LANDLORD, "Rappel").await;
    clock.set(published_at + 5 * DAY_MS);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reminders = |to: &str| {
        app.mails_to(to)
            .iter()
            .filter(|m| m.contains("Rappel"))
            .count()
    };
    assert_eq!(reminders(LANDLORD), 1);
    assert_eq!(reminders(OWNER), 0);
    assert_eq!(reminders(REFERENT), 0);
    assert_eq!(reminders(TENANT), 0);

    // Closing e-mails the results; the CSV adds up.
    let (status, closed) = app
        .post_json(
            &format!("/api/v1/polls/{pid}/close"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, closed["status"].as_str()),
        (StatusCode::OK, Some("closed"))
    );
    let mail = app.wait_for_mail(OWNER, "Résultats du sondage").await;
    assert!(
        mail.contains(&format!("{shares} / 10000 tantièmes")),
        "{mail}"
    );
    assert!(mail.contains("pas un vote d’assemblée générale"), "{mail}");
    let (status, csv) = bytes(&app, &referent, &format!("/api/v1/polls/{pid}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).expect("utf-8");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let (options, total) = rows.split_at(rows.len() - 1);
    let votes: i64 = options
        .iter()
        .map(|r| r[1].parse::<i64>().expect("votes"))
        .sum();
    let share_sum: i64 = options
        .iter()
        .map(|r| r[2].parse::<i64>().expect("shares"))
        .sum();
    assert_eq!(votes, total[0][1].parse::<i64>().expect("total votes"));
    assert_eq!(share_sum, total[0][2].parse::<i64>().expect("total shares"));
    assert_eq!(share_sum, 2 * shares);
}

/// The pages, without JavaScript: publishing from a template, reading, a poll from draft to
/// its greyed results with the SVG chart and its table.
#[tokio::test]
async fn pages_publish_read_vote_and_show_results() {
    let (app, _clock) = pinned().await;
    let referent = app.browser(Some(REFERENT)).await;
    let list = format!("/buildings/{}/announcements", app.tilleuls);
    let (status, html) = referent
        .get_text(&format!("{list}?template=water_power_cut"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Coupure d’eau le {date}"),
        "the template fills the form"
    );
    // Invalid: the form comes back with the message and what was typed.
    let resp = referent
        .submit(
            &list,
            &list,
            &[
                ("title", "Coupure <b>eau</b>"),
                ("body", "Texte"),
                ("audience", "nobody"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap_or_default();
    assert!(
        html.contains("Coupure &#60;b&#62;eau&#60;/b&#62;")
            || html.contains("Coupure &lt;b&gt;eau&lt;/b&gt;"),
        "{html}"
    );
    let resp = referent
        .submit(
            &list,
            &list,
            &[
                ("title", "Coupure <b>eau</b>"),
                ("body", "Jeudi 9h"),
                ("audience", "all"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = location(&resp);
    let (_, html) = referent.get_text(&page).await;
    assert!(html.contains("Vu par 0 / 4"), "{html}");
    assert!(!html.contains("<b>eau</b>"));

    let tenant = app.browser(Some(TENANT)).await;
    let (_, html) = tenant.get_text(&list).await;
    assert!(
        html.contains("Coupure &#60;b&#62;eau") || html.contains("Coupure &lt;b&gt;eau"),
        "{html}"
    );
    let (status, html) = tenant.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Retirer"), "no staff actions for tenants");
    let (_, html) = referent.get_text(&page).await;
    assert!(html.contains("Vu par 1 / 4"), "{html}");

    // A poll: draft, confirmation, votes, close.
    let polls = format!("/buildings/{}/polls", app.tilleuls);
    let resp = referent
        .submit(
            &polls,
            &polls,
            &[
                ("title", "Couleur du hall"),
                ("question", "Quelle couleur ?"),
                ("options", "Bleu\nVert\n"),
                ("audience", "all"),
                ("results_visible", "after_close"),
                ("closes_at", ""),
            ],
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    let poll = location(&resp);
    let poll = poll.split('?').next().unwrap_or_default().to_string();
    let (_, html) = referent.get_text(&poll).await;
    assert!(html.contains("Publier et inviter 5 personnes"), "{html}");
    let resp = referent
        .submit(&poll, &format!("{poll}/publish"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = tenant
        .submit(&poll, &format!("{poll}/vote"), &[("options", "1")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = tenant.get_text(&poll).await;
    assert!(
        html.contains("Changer mon vote")
            && html.contains("résultats seront visibles après la clôture"),
        "{html}"
    );
    let owner = app.browser(Some(OWNER)).await;
    let resp = owner
        .submit(&poll, &format!("{poll}/vote"), &[("options", "9")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = referent.submit(&poll, &format!("{poll}/close"), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = owner.get_text(&poll).await;
    assert!(html.contains("poll closed"), "greyed when closed");
    assert!(html.contains("<svg class=\"chart\" role=\"img\""), "{html}");
    assert!(
        html.contains("<th scope=\"row\">Vert</th><td>1</td>"),
        "table as the text equivalent: {html}"
    );
    assert!(!html.contains("Voter"), "no vote form once closed");
    let (status, csv) = owner.get_text(&format!("{poll}/results.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("Vert,1,100.0"), "{csv}");
}

#[tokio::test]
async fn managers_rewrite_the_agency_templates_from_a_page() {
    let app = spawn_app().await;
    let manager_token = app.token(MANAGER).await;
    let (_, b) = app
        .get_json(
            &format!("/api/v1/buildings/{}", app.tilleuls),
            Some(&manager_token),
        )
        .await;
    let agency = b["agency_id"].as_str().expect("agency").to_string();
    let page = format!("/agencies/{agency}/announcement-templates");
    let manager = app.browser(Some(MANAGER)).await;
    let (status, html) = manager.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Collecte des encombrants le {date}")
            && html.contains("Bulky-waste collection on {date}")
    );
    let action = format!("{page}/bulky_waste/fr");
    let resp = manager
        .submit(&page, &action, &[("title", " "), ("body", "x")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = manager
        .submit(
            &page,
            &action,
            &[
                ("title", "Encombrants : {date}"),
                ("body", "Dépôt {place}."),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let referent = app.browser(Some(REFERENT)).await;
    let (status, _) = referent.get_text(&page).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agency's page does not exist for them"
    );
    let (_, html) = referent
        .get_text(&format!(
            "/buildings/{}/announcements?template=bulky_waste",
            app.tilleuls
        ))
        .await;
    assert!(
        html.contains("Encombrants : {date}"),
        "the rewritten template is offered"
    );
    assert!(
        !html.contains("Modifier les modèles"),
        "only managers edit templates"
    );
}
