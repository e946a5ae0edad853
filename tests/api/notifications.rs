//! Notifications through a real SMTP server: who gets what, headers, outages, crashed
//! workers, and the 08:00 digest with a pinned clock.

use palier::clock::{Clock, HOUR_MS, MINUTE_MS};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::reports::create_report;
use crate::smtp::SmtpSink;

fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parsable e-mail")
}

/// A header's value, with folded continuation lines joined back.
fn header(raw: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(raw)
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ");
    text.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| {
            l.split_once(':')
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_new_report_reaches_the_manager_at_once_and_the_reply_reaches_the_author() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_custom(Clock::system(), Some(smtp.url())).await;
    let report = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");

    let raw = smtp.wait_for(MANAGER, "Nouveau signalement").await;
    let mail = parse(&raw);
    assert_eq!(
        mail.subject(),
        Some("[Résidence des Tilleuls] Nouveau signalement : Fuite au plafond")
    );
    let text = mail.body_text(0).expect("plain-text part").to_string();
    let html = mail.body_html(0).expect("HTML part").to_string();
    let link = format!("{}/reports/{id}#comments", app.address);
    assert!(
        text.contains(&link) && html.contains(&link),
        "a direct link to the report"
    );
    assert!(text.contains("Nadia Benali a créé le signalement"));
    assert!(header(&raw, "List-Unsubscribe").contains("/account/notifications"));
    assert!(header(&raw, "Message-ID").starts_with('<'));
    let thread = header(&raw, "In-Reply-To");
    assert!(thread.contains(&format!("report-{id}@")), "{thread}");
    // Referents of the building hear of it; the author and other buildings do not.
    smtp.wait_for(REFERENT, "Nouveau signalement").await;
    app.dispatched().await;
    app.drained().await;
    assert!(
        smtp.find(TENANT, "").is_empty()
            && smtp.find(NEIGHBOUR, "").is_empty()
            && smtp.find(OWNER, "").is_empty()
    );

    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&app.token(REFERENT).await),
            &json!({"body": "Le plombier passe demain."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let raw = smtp.wait_for(TENANT, "Nouvelle réponse").await;
    let reply = parse(&raw);
    assert!(
        reply
            .body_text(0)
            .unwrap_or_default()
            .contains("Le plombier passe demain.")
    );
    assert_eq!(
        header(&raw, "References"),
        thread,
        "the report's e-mails thread together"
    );

    // In-app: the bell counts it, the list shows it, it can be marked read.
    let tenant = app.token(TENANT).await;
    let (_, list) = app.get_json("/api/v1/notifications", Some(&tenant)).await;
    assert_eq!(list["unread"], 1);
    assert_eq!(list["items"][0]["kind"], "comment_added");
    let nid = list["items"][0]["id"].as_str().expect("id");
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/notifications/{nid}/read")))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json("/api/v1/notifications", Some(&tenant)).await.1["unread"],
        0
    );
    let voisin = app.token(NEIGHBOUR).await;
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/notifications/{nid}/read")))
        .bearer_auth(&voisin)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn nobody_is_told_what_they_may_not_see_or_did_not_subscribe_to() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let manager = app.token(MANAGER).await;
    let path = format!("/api/v1/reports/{id}/comments");
    app.post_json(
        &path,
        Some(&manager),
        &json!({"body": "Note interne conseil", "audience": "council"}),
    )
    .await;
    app.post_json(
        &path,
        Some(&manager),
        &json!({"body": "Fil privé bailleur", "private_landlord": true}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/reports/{id}/follow"),
        Some(&app.token(LANDLORD).await),
        &json!({}),
    )
    .await;
    app.post_json(
        &path,
        Some(&manager),
        &json!({"body": "Suite fil bailleur", "private_landlord": true}),
    )
    .await;
    app.dispatched().await;
    app.drained().await;
    let tenant_mail = app.mails_to(TENANT).join("\n");
    assert!(
        !tenant_mail.contains("Note interne") && !tenant_mail.contains("bailleur"),
        "{tenant_mail}"
    );
    assert!(
        app.mails_to(LANDLORD)
            .iter()
            .any(|m| m.contains("Suite fil bailleur"))
    );
    let (_, list) = app.get_json("/api/v1/notifications", Some(&tenant)).await;
    assert_eq!(list["items"], json!([]));

    // Managers are unsubscribed from neighbours' messages by default (R9); referents are not.
    create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "voisins", "title": "Vide-grenier dimanche"}),
    )
    .await;
    app.dispatched().await;
    app.drained().await;
    assert!(
        !app.mails_to(MANAGER)
            .iter()
            .any(|m| m.contains("Vide-grenier"))
    );
    assert!(
        app.mails_to(REFERENT)
            .iter()
            .any(|m| m.contains("Vide-grenier"))
    );
    // A referent who unticks a category stops hearing of it.
    let referent = app.token(REFERENT).await;
    let (status, settings) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&referent),
            &json!({"mode": "immediate", "categories": ["plomberie"]}),
        )
        .await;
    assert_eq!(
        (status, settings["categories"].clone()),
        (StatusCode::OK, json!(["plomberie"]))
    );
    create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "proprete", "title": "Hall sale"}),
    )
    .await;
    app.dispatched().await;
    app.drained().await;
    assert!(
        !app.mails_to(REFERENT)
            .iter()
            .any(|m| m.contains("Hall sale"))
    );
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&referent),
            &json!({"mode": "weekly", "categories": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn urgent_reports_reach_the_on_call_contact_at_once_even_for_digest_readers() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    app.send_json(
        reqwest::Method::PUT,
        "/api/v1/me/notification-settings",
        Some(&manager),
        &json!({"mode": "digest", "categories": []}),
    )
    .await;
    create_report(&app, &app.token(OWNER).await, &app.tilleuls, json!({"category": "ascenseur", "title": "Personne bloquée dans l'ascenseur", "urgent": true})).await;
    let on_call = app.wait_for_mail(palier::demo::ON_CALL, "URGENT").await;
    assert!(
        on_call.contains("/urgent/"),
        "the on-call contact's private link"
    );
    let manager_mail = app.wait_for_mail(MANAGER, "URGENT").await;
    assert!(manager_mail.contains("bloquée") || !manager_mail.is_empty());
    app.dispatched().await;
    app.drained().await;
    assert_eq!(
        app.mails_to(MANAGER).len(),
        1,
        "one e-mail, not one per event"
    );
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_but_loses_and_duplicates_nothing() {
    let start = "2026-11-23T10:00:00Z"
        .parse::<jiff::Timestamp>()
        .expect("ts")
        .as_millisecond();
    let clock = Clock::fixed(start);
    let mut smtp = SmtpSink::start().await;
    let app = spawn_app_custom(clock.clone(), Some(smtp.url())).await;
    smtp.stop();

    let tenant = app.token(TENANT).await;
    for title in ["Fuite 1", "Fuite 2", "Fuite 3"] {
        create_report(
            &app,
            &tenant,
            &app.tilleuls,
            json!({"category": "plomberie", "title": title}),
        )
        .await;
    }
    app.dispatched().await;
    let pool = app.state.db.pool.clone();
    eventually("failed attempts recorded", || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND attempts >= 1 AND last_error IS NOT NULL AND status = 'pending'")
                .fetch_one(&pool)
                .await
                .is_ok_and(|n| n == 9)
        }
    })
    .await;
    assert!(smtp.messages().is_empty());

    smtp.resume().await;
    clock.set(start + HOUR_MS);
    app.drained().await;
    for title in ["Fuite 1", "Fuite 2", "Fuite 3"] {
        for who in [MANAGER, REFERENT, CARETAKER] {
            assert_eq!(
                smtp.find(who, &format!(": {title}")).len(),
                1,
                "{who} gets {title} exactly once"
            );
        }
    }
    assert_eq!(smtp.messages().len(), 9);
}

#[tokio::test]
async fn a_job_locked_by_a_dead_worker_is_taken_again_after_its_lease() {
    let start = "2026-11-23T10:00:00Z"
        .parse::<jiff::Timestamp>()
        .expect("ts")
        .as_millisecond();
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let email = palier::mail::OutgoingEmail {
        to: "orphan@example.test".into(),
        subject: "Orphelin".into(),
        text: "t".into(),
        html: "<p>h</p>".into(),
        message_id: None,
        thread_id: None,
        unsubscribe: None,
        attachments: Vec::new(),
        reply_to: None,
        auto_submitted: false,
    };
    // As if a worker had claimed it and died: inserted already locked for a few more minutes,
    // in one statement so the live worker cannot take it first.
    let id = palier::db::new_id();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, created_at, attempts, locked_by, locked_until) \
         VALUES ($1, 'email', $2, $3, $3, 1, 'worker-dead', $4)",
    )
    .bind(&id)
    .bind(serde_json::to_string(&email).expect("json"))
    .bind(start)
    .bind(start + 5 * MINUTE_MS)
    .execute(&app.state.db.pool)
    .await
    .expect("locked job");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.mails_to("orphan@example.test").is_empty(),
        "the lease is respected"
    );
    clock.set(start + 6 * MINUTE_MS);
    app.wait_for_mail("orphan@example.test", "Orphelin").await;
    // The worker marks the job done just after the message leaves.
    eventually("the orphan job is done", || async {
        let status: String = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .expect("job");
        status == "done"
    })
    .await;
}

#[tokio::test]
async fn a_failing_recipient_fails_alone_and_is_visible() {
    let app = spawn_app().await;
    // An address that passed no validation (legacy import): the job fails for it only.
    sqlx::query("UPDATE people SET email = 'not an address' WHERE email = $1")
        .bind(REFERENT)
        .execute(&app.state.db.pool)
        .await
        .expect("break");
    create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await;
    app.wait_for_mail(MANAGER, "Nouveau signalement").await;
    let pool = app.state.db.pool.clone();
    eventually("failure recorded", || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT last_error FROM jobs WHERE payload LIKE '%not an address%'",
            )
            .fetch_optional(&pool)
            .await
            .ok()
            .flatten()
            .flatten()
            .is_some_and(|e| e.contains("invalid address"))
        }
    })
    .await;
}

#[tokio::test]
async fn the_digest_leaves_at_eight_with_the_right_events_even_on_the_dst_day() {
    // 07:59 Paris on a winter day is 06:59 UTC.
    let at = |s: &str| s.parse::<jiff::Timestamp>().expect("ts").as_millisecond();
    let clock = Clock::fixed(at("2026-01-15T06:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let tenant = app.token(TENANT).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&tenant),
            &json!({"mode": "digest", "categories": ["plomberie"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let referent = app.token(REFERENT).await;
    for (when, body) in [
        ("2026-01-15T06:59:00Z", "réponse de 07:59"),
        ("2026-01-15T07:00:00Z", "réponse de 08:00"),
        ("2026-01-15T07:01:00Z", "réponse de 08:01"),
    ] {
        clock.set(at(when));
        app.post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&referent),
            &json!({"body": body}),
        )
        .await;
        app.dispatched().await;
        if when == "2026-01-15T06:59:00Z" {
            assert!(app.mails_to(TENANT).is_empty(), "nothing before 08:00");
        }
    }
    let first = app
        .wait_for_mail(TENANT, "récapitulatif du 15/01/2026")
        .await;
    assert!(
        first.contains("Claire Martin a répondu") && first.matches("a répondu").count() == 1,
        "{first}"
    );

    clock.set(at("2026-01-16T07:00:00Z"));
    let second = app
        .wait_for_mail(TENANT, "récapitulatif du 16/01/2026")
        .await;
    assert_eq!(second.matches("a répondu").count(), 2, "{second}");
    app.drained().await;
    assert_eq!(app.mails_to(TENANT).len(), 2);

    // Summer time begins on 29 March 2026: that digest is due at 08:00 Paris = 06:00 UTC.
    clock.set(at("2026-03-28T20:00:00Z"));
    app.post_json(
        &format!("/api/v1/reports/{id}/comments"),
        Some(&referent),
        &json!({"body": "réponse du samedi soir"}),
    )
    .await;
    app.dispatched().await;
    let run_at: i64 =
        sqlx::query_scalar("SELECT run_at FROM jobs WHERE kind = 'digest' AND status = 'pending'")
            .fetch_one(&app.state.db.pool)
            .await
            .expect("digest job");
    assert_eq!(run_at, at("2026-03-29T06:00:00Z"));
    clock.set(at("2026-03-29T05:59:00Z"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails_to(TENANT).len(), 2, "not before 08:00 local");
    clock.set(at("2026-03-29T06:00:00Z"));
    app.wait_for_mail(TENANT, "récapitulatif du 29/03/2026")
        .await;
    app.drained().await;
    assert_eq!(app.mails_to(TENANT).len(), 3, "one digest that morning");
}
