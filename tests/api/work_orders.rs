//! Work orders end to end: directory and CSV import, dispatch with a real PDF, the
//! provider's link, reminders with a pinned clock, the poster's QR code.

use std::process::Command;

use mail_parser::MimeHeaders;
use palier::clock::{Clock, DAY_MS, HOUR_MS};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

pub fn ts(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .expect("timestamp")
        .as_millisecond()
}

/// Text of a PDF, through poppler's pdftotext.
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub async fn add_provider(app: &TestApp, token: &str, company: &str, email: &str) -> String {
    let (status, list) = app.post_json("/api/v1/providers", Some(token), &json!({"company": company, "trades": "Ascenseur", "email": email, "phone": "04 00 00 00 00"})).await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["email"] == email))
        .and_then(|p| p["id"].as_str())
        .expect("provider")
        .to_string()
}

/// The provider's private link, read from the e-mail they received.
pub async fn provider_token(app: &TestApp, email: &str, reference: &str) -> String {
    let text = app.wait_for_mail(email, reference).await;
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/p/"))
        .expect("link in the e-mail");
    link.rsplit('/').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_manager_dispatches_a_provider_who_answers_through_the_link() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(&app, &tenant, &app.tilleuls, json!({"category": "ascenseur", "title": "Ascenseur bloqué au 3ème", "description": "Fuite d’eau au 3ème étage — réparé, façade, cœur"})).await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(
        &app,
        &manager,
        "Ascenseurs Dupont",
        "dupont@ascenseurs.test",
    )
    .await;

    let path = format!("/api/v1/reports/{rid}/work-orders");
    assert_eq!(
        app.post_json(
            &path,
            Some(&app.token(REFERENT).await),
            &json!({"provider_id": provider})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(
            &path,
            Some(&app.token(OTHER_MANAGER).await),
            &json!({"provider_id": provider})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, err) = app
        .post_json(&path, Some(&manager), &json!({"provider_id": "nope"}))
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("provider_id"))
    );

    let (status, wo) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"provider_id": provider, "desired_date": "jeudi matin", "priority": "urgent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    assert_eq!(wo["status"], "sent");
    let reference = wo["reference"].as_str().expect("reference").to_string();
    assert_eq!(reference, "OS-2026-0001");
    let wid = wo["id"].as_str().expect("id").to_string();

    // The PDF: reference, address, access code, accents, read back by a real parser.
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/work-orders/{wid}/pdf")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("pdf");
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let text = pdf_text(&resp.bytes().await.expect("bytes"));
    for needle in [
        reference.as_str(),
        "12 rue des Tilleuls",
        "4821B",
        "Ascenseurs Dupont",
        "réparé",
        "façade",
        "cœur",
        "3ème",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the PDF:\n{text}"
        );
    }
    // The provider's e-mail carries the PDF and the link; occupants see that the manager acted.
    let token = provider_token(&app, "dupont@ascenseurs.test", &reference).await;
    let raw = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .find(|raw| String::from_utf8_lossy(raw).contains("dupont@ascenseurs.test"))
        .expect("provider e-mail");
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("parse");
    assert!(
        parsed
            .attachments()
            .any(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
    );
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    assert_eq!(seen["status"], "in_progress");
    assert!(
        !seen.to_string().contains(&token),
        "occupants never see the provider's link"
    );
    assert!(seen["history"].as_array().is_some_and(|h| {
        h.iter()
            .any(|e| e["kind"] == "work_order_sent" && e["detail"] == "Ascenseurs Dupont")
    }));

    // The provider: acknowledge, a past date refused, a date confirmed, then the report.
    let (status, view) = app.get_json(&format!("/api/v1/p/{token}"), None).await;
    assert_eq!(
        (
            status,
            view["reference"].as_str(),
            view["access_codes"].as_str().map(|a| a.contains("4821B"))
        ),
        (StatusCode::OK, Some(reference.as_str()), Some(true))
    );
    clock.set(ts("2026-11-23T11:00:00Z"));
    let (status, view) = app
        .post_json(&format!("/api/v1/p/{token}/acknowledge"), None, &json!({}))
        .await;
    assert_eq!(
        (status, view["status"].as_str()),
        (StatusCode::OK, Some("acknowledged"))
    );
    let (status, err) = app
        .post_json(
            &format!("/api/v1/p/{token}/schedule"),
            None,
            &json!({"date": "2026-11-20T09:00"}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("date"))
    );
    let (status, view) = app
        .post_json(
            &format!("/api/v1/p/{token}/schedule"),
            None,
            &json!({"date": "2026-11-26T09:00"}),
        )
        .await;
    assert_eq!(
        (
            status,
            view["status"].as_str(),
            view["scheduled_for"].as_str()
        ),
        (
            StatusCode::OK,
            Some("scheduled"),
            Some("2026-11-26T08:00:00Z")
        )
    );
    let confirmation = app
        .wait_for_mail("dupont@ascenseurs.test", "Intervention confirmée")
        .await;
    assert!(confirmation.contains("26/11/2026 09:00"));
    let ics = app
        .client
        .get(app.url(&format!("/p/{token}/visit.ics")))
        .send()
        .await
        .expect("ics");
    let ics = ics.text().await.unwrap_or_default();
    assert!(
        ics.contains("BEGIN:VEVENT")
            && ics.contains("DTSTART:20261126T080000Z")
            && ics.contains(&reference),
        "{ics}"
    );

    let page = app
        .client
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .expect("page");
    let page = page.text().await.unwrap_or_default();
    assert!(
        page.contains("value=\"2026-11-26T09:00\""),
        "the confirmed date is shown in the form"
    );
    assert!(
        !page.contains("Se connecter"),
        "no account navigation for providers"
    );
    // The manager follows each step; the provider is reminded the day before the visit.
    app.wait_for_mail(MANAGER, "Intervention planifiée").await;
    clock.set(ts("2026-11-25T08:30:00Z"));
    app.wait_for_mail("dupont@ascenseurs.test", "Rappel : intervention")
        .await;

    clock.set(ts("2026-11-26T14:00:00Z"));
    let (status, view) = app
        .post_json(
            &format!("/api/v1/p/{token}/report"),
            None,
            &json!({"body": "Câble remplacé", "done": true}),
        )
        .await;
    assert_eq!(
        (status, view["status"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/p/{token}/report"),
            None,
            &json!({"body": "x", "done": true})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    let kinds: Vec<&str> = seen["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"visit_scheduled") && kinds.contains(&"visit_reported"),
        "{kinds:?}"
    );
    assert!(
        seen.to_string().contains("Câble remplacé"),
        "occupants see the outcome"
    );

    let (_, stats) = app
        .get_json(
            &format!("/api/v1/providers/{provider}/stats"),
            Some(&manager),
        )
        .await;
    assert_eq!(stats["work_orders"], 1);
    assert_eq!(stats["median_hours_to_acknowledge"], 2.0);
    assert_eq!(stats["median_hours_to_intervention"], 77.0);
    assert_eq!(stats["done_first_visit"], 1.0);
    let (_, providers_page) = app
        .browser(Some(MANAGER))
        .await
        .get_text("/providers")
        .await;
    assert!(
        providers_page.contains("intervention médiane 77,0 h"),
        "French decimal comma"
    );
    // The report was sent: the day-after request for it is cancelled.
    clock.set(ts("2026-11-27T09:00:00Z"));
    app.drained().await;
    assert!(
        !app.mails_to("dupont@ascenseurs.test")
            .iter()
            .any(|m| m.starts_with("Compte rendu attendu"))
    );
    assert!(
        app.mails_to(MANAGER)
            .iter()
            .any(|m| m.contains("Compte rendu d’intervention"))
    );
    let (_, list) = app
        .get_json("/api/v1/work-orders?status=done", Some(&manager))
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/work-orders?status=sent", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn provider_links_are_unforgeable_expire_and_can_be_revoked() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let provider = add_provider(&app, &manager, "Plomberie Martin", "martin@plomberie.test").await;
    let r1 = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await;
    let r2 = create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite cave"}),
    )
    .await;
    let (_, a) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/work-orders",
                r1["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let (_, b) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/work-orders",
                r2["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let token_a = provider_token(
        &app,
        "martin@plomberie.test",
        a["reference"].as_str().unwrap_or_default(),
    )
    .await;
    let (_, view) = app.get_json(&format!("/api/v1/p/{token_a}"), None).await;
    assert_eq!(
        view["reference"], a["reference"],
        "a link opens its own work order only"
    );
    assert_ne!(view["reference"], b["reference"]);

    let mut forged = token_a.clone();
    forged.replace_range(0..1, if token_a.starts_with('a') { "b" } else { "a" });
    for bad in [forged.as_str(), "not-a-token", &"0".repeat(64)] {
        assert_eq!(
            app.get_json(&format!("/api/v1/p/{bad}"), None).await.0,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    let resp = app
        .client
        .get(app.url(&format!("/p/{forged}")))
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let (status, wo) = app
        .post_json(
            &format!(
                "/api/v1/work-orders/{}/revoke",
                a["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, wo["link_active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/p/{token_a}/acknowledge"),
            None,
            &json!({})
        )
        .await
        .0,
        StatusCode::GONE
    );

    let token_b = provider_token(
        &app,
        "martin@plomberie.test",
        b["reference"].as_str().unwrap_or_default(),
    )
    .await;
    clock.set(ts("2026-11-23T09:00:00Z") + 91 * DAY_MS);
    let (status, err) = app.get_json(&format!("/api/v1/p/{token_b}"), None).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(err["error"].as_str().unwrap_or_default().contains("expiré"));
}

#[tokio::test]
async fn reminders_chase_the_provider_then_escalate_and_stop_when_they_act() {
    // Monday 23 November 2026, 09:00 UTC.
    let start = ts("2026-11-23T09:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let silent = add_provider(&app, &manager, "Entreprise Muette", "muette@test.test").await;
    let quick = add_provider(&app, &manager, "Entreprise Rapide", "rapide@test.test").await;
    let r1 = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "autre", "title": "Porte"}),
    )
    .await;
    let r2 = create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "autre", "title": "Fenêtre"}),
    )
    .await;
    let (_, a) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/work-orders",
                r1["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
            &json!({"provider_id": silent}),
        )
        .await;
    let (_, b) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/work-orders",
                r2["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
            &json!({"provider_id": quick}),
        )
        .await;
    let token_b = provider_token(
        &app,
        "rapide@test.test",
        b["reference"].as_str().unwrap_or_default(),
    )
    .await;
    app.post_json(
        &format!("/api/v1/p/{token_b}/acknowledge"),
        None,
        &json!({}),
    )
    .await;

    let reminders = |who: &str| {
        app.mails_to(who)
            .into_iter()
            .filter(|m| m.starts_with("Relance : ordre de service"))
            .count()
    };
    // Tuesday: nothing yet (two working days).
    clock.set(start + DAY_MS);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(reminders("muette@test.test"), 0);
    // Wednesday: first reminder.
    clock.set(start + 2 * DAY_MS);
    eventually("first reminder", || async {
        reminders("muette@test.test") == 1
    })
    .await;
    // Friday: second reminder.
    clock.set(start + 4 * DAY_MS);
    eventually("second reminder", || async {
        reminders("muette@test.test") == 2
    })
    .await;
    // The next Tuesday: escalation to the manager, no third reminder.
    clock.set(start + 8 * DAY_MS + HOUR_MS);
    app.wait_for_mail(MANAGER, "Sans réponse").await;
    app.drained().await;
    assert_eq!(reminders("muette@test.test"), 2);
    assert_eq!(
        reminders("rapide@test.test"),
        0,
        "acting cancels the reminders"
    );
    let (_, wo) = app
        .get_json(
            &format!(
                "/api/v1/work-orders/{}",
                a["id"].as_str().unwrap_or_default()
            ),
            Some(&manager),
        )
        .await;
    assert_eq!(wo["reminders_sent"], 2);
}

#[tokio::test]
async fn providers_import_from_csv_reports_bad_rows_and_is_idempotent() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let csv = "Société;Email;Métiers;Contact;Téléphone\n\
               Ascenseurs Dupont;dupont@asc.test;ascenseur;Paul;0401\n\
               Sans Mail;;plomberie;;\n\
               Plomberie Martin;martin@plomb.test;plomberie, chauffage;Luc;0402\n\
               Doublon;dupont@asc.test;;;\n\
               ;vide@test.test;;;\n";
    let post = |body: Vec<u8>| {
        app.client
            .post(app.url("/api/v1/providers/import"))
            .bearer_auth(&manager)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let report: Value = post(csv.as_bytes().to_vec())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );
    let rejected: Vec<u64> = report["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .filter_map(|r| r[0].as_u64())
        .collect();
    assert_eq!(rejected, [3, 5, 6]);
    let report: Value = post(csv.as_bytes().to_vec())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(2)),
        "re-running updates"
    );

    let resp = post(b"Soci\xe9t\xe9;Email\nA;a@b.test\n".to_vec())
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "non-UTF-8");
    let resp = post(b"company|email\nA|a@b.test\n".to_vec())
        .await
        .expect("send");
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong separator: no columns found"
    );
    let (_, list) = app.get_json("/api/v1/providers", Some(&manager)).await;
    let demo = palier::demo::PROVIDERS.len();
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(demo + 2),
        "nothing half-imported"
    );
    let dupont = list
        .as_array()
        .and_then(|l| l.iter().find(|p| p["email"] == "dupont@asc.test"))
        .expect("dupont");
    assert_eq!(dupont["trades"], "ascenseur");
    let martin = list
        .as_array()
        .and_then(|l| l.iter().find(|p| p["email"] == "martin@plomb.test"))
        .expect("martin");
    assert_eq!(martin["trades"], "plomberie,chauffage");

    // Favorites come first.
    let id = martin["id"].as_str().expect("id");
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/providers/{id}/favorite")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (_, list) = app.get_json("/api/v1/providers", Some(&manager)).await;
    let order: Vec<(&str, bool)> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| Some((p["email"].as_str()?, p["favorite"].as_bool()?)))
        .collect();
    let martin_at = order
        .iter()
        .position(|(e, _)| *e == "martin@plomb.test")
        .expect("martin listed");
    assert!(
        order[martin_at].1 && order[..martin_at].iter().all(|(_, fav)| *fav),
        "favorites first: {order:?}"
    );
    assert!(!order.last().is_some_and(|(_, fav)| *fav));
    assert_eq!(
        app.get_json("/api/v1/providers", Some(&app.token(REFERENT).await))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn attached_pdfs_must_be_real_and_the_poster_qr_code_opens_registration() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let provider = add_provider(&app, &manager, "Nettoyage Pro", "nettoyage@test.test").await;
    let report = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "proprete", "title": "Hall sale"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");

    // The poster: a real PDF whose QR code decodes to the registration address.
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/buildings/{}/poster.pdf", app.tilleuls)))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("poster");
    assert_eq!(resp.status(), StatusCode::OK);
    let poster = resp.bytes().await.expect("bytes").to_vec();
    let code = app.building_code(&app.tilleuls).await;
    assert!(pdf_text(&poster).contains(&code));
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("poster.pdf"), &poster).expect("write");
    let ok = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(dir.path().join("poster.pdf"))
        .arg(dir.path().join("poster"))
        .status()
        .expect("pdftoppm");
    assert!(ok.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(dir.path().join("poster.png"))
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{}/register?code={code}", app.address)
    );
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/buildings/{}/poster.pdf", app.tilleuls)))
            .bearer_auth(app.token(REFERENT).await)
            .send()
            .await
            .expect("poster")
            .status(),
        StatusCode::FORBIDDEN
    );

    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("provider_id", provider.clone())
            .text("desired_date", "lundi")
            .part(
                "pdf",
                reqwest::multipart::Part::bytes(bytes).file_name("os.pdf"),
            );
        app.client
            .post(app.url(&format!("/api/v1/reports/{rid}/work-orders/attached")))
            .bearer_auth(&manager)
            .multipart(form)
            .send()
    };
    let resp = upload(b"%PDF-1.4 not really".to_vec()).await.expect("send");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = upload(poster.clone()).await.expect("send");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let wo: Value = resp.json().await.expect("json");
    assert_eq!(wo["attached_pdf"], true);
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/work-orders/{}/pdf",
            wo["id"].as_str().unwrap_or_default()
        )))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("pdf");
    assert_eq!(
        resp.bytes().await.expect("bytes").to_vec(),
        poster,
        "the agency's own PDF is kept as sent"
    );
}

#[tokio::test]
async fn provider_photos_trade_stats_date_filters_and_reminder_settings() {
    let start = ts("2026-11-23T09:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let (status, settings) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/agency/reminder-settings",
            Some(&manager),
            &json!({"remind_after_days": 1, "reminders_before_escalation": 1}),
        )
        .await;
    assert_eq!(
        (status, settings["remind_after_days"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/agency/reminder-settings",
            Some(&manager),
            &json!({"remind_after_days": 0, "reminders_before_escalation": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let provider = add_provider(&app, &manager, "Vitrerie Lumière", "vitrerie@test.test").await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "autre", "title": "Vitre cassée"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let (_, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let token = provider_token(
        &app,
        "vitrerie@test.test",
        wo["reference"].as_str().unwrap_or_default(),
    )
    .await;

    // One working day later (Tuesday): the reminder, per the agency's setting.
    clock.set(start + DAY_MS);
    eventually("reminder after one working day", || async {
        app.mails_to("vitrerie@test.test")
            .iter()
            .any(|m| m.starts_with("Relance"))
    })
    .await;

    // The report with a photo: it shows on the report for the occupant; a text file is refused whole.
    let send = |name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("body", "Vitre remplacée")
            .text("done", "true")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        app.client
            .post(app.url(&format!("/api/v1/p/{token}/report-with-photos")))
            .multipart(form)
            .send()
    };
    let resp = send("notes.jpg", b"not an image".to_vec())
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = send("after.png", crate::fixtures::small_png(40, 30))
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    assert_eq!(seen["photo_count"], 1);
    let photo = seen["photos"][0]["url"].as_str().expect("photo url");
    assert_eq!(
        app.client
            .get(app.url(photo))
            .bearer_auth(&tenant)
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );

    // Reactivity per trade, and lists filtered by date.
    let (status, trades) = app
        .get_json("/api/v1/provider-stats/trades", Some(&manager))
        .await;
    assert_eq!(status, StatusCode::OK);
    let lift = trades
        .as_array()
        .and_then(|t| t.iter().find(|x| x["trade"] == "ascenseur"))
        .expect("ascenseur trade");
    assert_eq!(
        lift["work_orders"], 1,
        "Vitrerie Lumière is filed under ascenseur by add_provider"
    );
    assert_eq!(lift["done_first_visit"], 1.0);
    let (_, listed) = app
        .get_json(
            "/api/v1/work-orders?from=2026-11-23&to=2026-11-23",
            Some(&manager),
        )
        .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let (_, listed) = app
        .get_json("/api/v1/work-orders?from=2026-11-24", Some(&manager))
        .await;
    assert_eq!(listed["items"], json!([]));
    assert_eq!(
        app.get_json("/api/v1/work-orders?from=hier", Some(&manager))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// An agency that writes in English sends its providers English e-mails and PDFs.
#[tokio::test]
async fn provider_mail_and_pdf_follow_the_agency_language() {
    let app = spawn_app().await;
    sqlx::query("UPDATE agencies SET lang = 'en'")
        .execute(&app.state.db.pool)
        .await
        .expect("agency language");
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Lift stuck", "description": "Between floors"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(&app, &manager, "Lifts Ltd", "lifts@example.test").await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let reference = wo["reference"].as_str().expect("reference");
    app.wait_for_mail("lifts@example.test", &format!("Work order {reference}"))
        .await;
    let pdf = app
        .client
        .get(app.url(&format!(
            "/api/v1/work-orders/{}/pdf",
            wo["id"].as_str().expect("id")
        )))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("WORK ORDER") || text.contains("Work order"),
        "{text}"
    );
    assert!(!text.contains("Ordre de service"), "{text}");
}
