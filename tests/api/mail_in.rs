//! Answer by e-mail (N6, issue 14): messages piped to the real `palier mail receive`
//! binary, on the test app's database.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;
use crate::work_orders::add_provider;

/// Pipes `raw` to `palier mail receive`; returns (exit status, last line of stdout).
pub async fn receive_with(
    app: &TestApp,
    raw: Vec<u8>,
    database_url: Option<String>,
) -> (i32, String) {
    let dir = app.data_dir.path().to_path_buf();
    let url = database_url.unwrap_or_else(|| app.state.config.database_url.clone());
    let base = app.address.clone();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palier"))
            .args(["mail", "receive"])
            .env("PALIER_DATA_DIR", &dir)
            .env("DATABASE_URL", &url)
            .env("PALIER_BASE_URL", &base)
            .env("PALIER_REPLY_ADDRESS", REPLY_ADDRESS)
            .env("PALIER_LOG", "palier=warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start palier");
        if let Some(mut stdin) = child.stdin.take() {
            // A refused message may be cut short by the reader: a broken pipe is fine.
            let _ = stdin.write_all(&raw);
        }
        let out = child.wait_with_output().expect("palier output");
        // Log lines (warnings) come first; the outcome is the last line.
        let stdout = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        (out.status.code().unwrap_or(-1), stdout)
    })
    .await
    .expect("join")
}

async fn receive(app: &TestApp, raw: String) -> (i32, String) {
    receive_with(app, raw.into_bytes(), None).await
}

/// The last e-mail to `to` whose subject contains `subject`: (Reply-To, text body).
async fn mail_with_reply_to(app: &TestApp, to: &str, subject: &str) -> (String, String) {
    for _ in 0..200 {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(app.mail_dir()) {
            for entry in entries.flatten() {
                let Ok(raw) = std::fs::read(entry.path()) else {
                    continue;
                };
                let Some(msg) = mail_parser::MessageParser::default().parse(&raw) else {
                    continue;
                };
                let to_ok = msg
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .is_some_and(|a| a == to);
                if to_ok && msg.subject().is_some_and(|s| s.contains(subject)) {
                    let reply_to = msg
                        .reply_to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_string();
                    let modified = entry.metadata().and_then(|m| m.modified()).ok();
                    found.push((
                        modified,
                        reply_to,
                        msg.body_text(0).unwrap_or_default().to_string(),
                    ));
                }
            }
        }
        found.sort_by_key(|f| f.0);
        if let Some((_, reply_to, text)) = found.pop() {
            return (reply_to, text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no e-mail to {to} about {subject:?}");
}

/// A plain reply as a mail client writes it, with the quoted original below.
fn reply(from: &str, to: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Someone <{from}>\r\nTo: {to}\r\nSubject: Re: Nouvelle réponse\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(A[((n >> (18 - 6 * j)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}

/// A reply with a photo attached, as a phone's mail client sends it.
fn reply_with_photo(from: &str, to: &str, message_id: &str, body: &str, jpeg: &[u8]) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: Nouvelle réponse\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
         --b1\r\nContent-Type: image/jpeg; name=\"IMG_0001.jpg\"\r\nContent-Disposition: attachment; filename=\"IMG_0001.jpg\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64(jpeg)
    )
}

async fn report(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A report by the tenant answered by the manager; returns (report id, the tenant's reply address).
async fn answered_report(app: &TestApp) -> (String, String) {
    let tenant = app.token(TENANT).await;
    let r = create_report(
        app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite sous l'évier"}),
    )
    .await;
    let id = r["id"].as_str().expect("id").to_string();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&app.token(MANAGER).await),
            &json!({"body": "Le plombier passe jeudi, serez-vous là ?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (reply_to, text) = mail_with_reply_to(app, TENANT, "Fuite sous l'évier").await;
    assert!(
        reply_to.starts_with("reponse+") && reply_to.ends_with("@palier.test"),
        "{reply_to}"
    );
    assert!(
        text.contains("Vous pouvez répondre directement à cet e-mail"),
        "{text}"
    );
    (id, reply_to)
}

#[tokio::test]
async fn a_reply_by_e_mail_becomes_one_comment_without_the_quote_and_with_the_photo() {
    let app = spawn_app_replying().await;
    let (id, reply_to) = answered_report(&app).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/follow"),
            Some(&app.token(MANAGER).await),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let photo = crate::fixtures::jpeg_with_gps_exif();
    let raw = reply_with_photo(
        TENANT,
        &reply_to,
        "r1@client.test",
        "Oui, je serai là jeudi matin.\r\n\r\nLe lun. 30 nov. 2026 à 10:00, Palier <reponse@palier.test> a écrit :\r\n> Le plombier passe jeudi, serez-vous là ?\r\n",
        &photo,
    );
    let (code, out) = receive(&app, raw.clone()).await;
    assert_eq!((code, out.starts_with("commented")), (0, true), "{out}");
    // The same message delivered again changes nothing.
    let (code, out) = receive(&app, raw).await;
    assert_eq!((code, out.as_str()), (0, "duplicate: already handled"));
    // An out-of-office answer to the same address changes nothing either.
    let ooo = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nSubject: Absent du bureau\r\nAuto-Submitted: auto-replied\r\n\
         Message-ID: <ooo1@client.test>\r\n\r\nJe suis absente jusqu'au 5.\r\n"
    );
    assert_eq!(receive(&app, ooo).await, (0, "ignored: automatic".into()));
    let ooo_subject = reply(TENANT, &reply_to, "ooo2@client.test", "Je suis absente.").replace(
        "Subject: Re: Nouvelle réponse",
        "Subject: Réponse automatique : absente",
    );
    assert_eq!(receive(&app, ooo_subject).await.1, "ignored: automatic");

    let tenant = app.token(TENANT).await;
    let r = report(&app, &tenant, &id).await;
    let comments = r["comments"].as_array().expect("comments");
    let tenant_id = app.person_id(TENANT).await;
    let mine: Vec<&Value> = comments
        .iter()
        .filter(|c| c["author"]["id"] == tenant_id.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{comments:?}");
    assert_eq!(mine[0]["body"], "Oui, je serai là jeudi matin.");
    assert_eq!(mine[0]["audience"], "all");
    assert_eq!(mine[0]["photos"].as_array().map(Vec::len), Some(1));
    // The usual notifications follow: the manager hears of the answer.
    let (_, text) = mail_with_reply_to(&app, MANAGER, "Nouvelle réponse").await;
    assert!(text.contains("Oui, je serai là jeudi matin."), "{text}");
}

#[tokio::test]
async fn forged_reused_and_stale_addresses_are_refused() {
    let app = spawn_app_replying().await;
    let (id, reply_to) = answered_report(&app).await;
    // A forwarded notification answered by someone else: From is not the token's person.
    let (code, out) = receive(
        &app,
        reply(NEIGHBOUR, &reply_to, "f1@x.test", "Moi aussi !"),
    )
    .await;
    assert_eq!((code, out.as_str()), (0, "refused: sender_mismatch"));
    // A made-up token.
    let forged = format!("reponse+{}@palier.test", "ab".repeat(20));
    let (code, out) = receive(&app, reply(TENANT, &forged, "f2@x.test", "Bonjour")).await;
    assert_eq!((code, out.as_str()), (0, "ignored: unknown_token"));
    // Not one of Palier's addresses at all.
    let out = receive(
        &app,
        reply(TENANT, "quelquun@ailleurs.test", "f3@x.test", "?"),
    )
    .await;
    assert_eq!(out.1, "ignored: not_a_palier_address");
    // The report removed: the tenant may no longer see it, the reply is refused.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/remove"),
            Some(&app.token(MANAGER).await),
            &json!({"reason": "doublon"}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (code, out) = receive(&app, reply(TENANT, &reply_to, "f4@x.test", "Toujours là ?")).await;
    assert_eq!((code, out.as_str()), (0, "refused: not_allowed"));
    let tenant_id = app.person_id(TENANT).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE author_id = $1")
        .bind(&tenant_id)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_reply_to_a_closed_report_does_not_reopen_it_and_the_sender_is_told() {
    let app = spawn_app_replying().await;
    let (id, reply_to) = answered_report(&app).await;
    let manager = app.token(MANAGER).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/close"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (code, out) = receive(&app, reply(TENANT, &reply_to, "c1@x.test", "Merci")).await;
    assert_eq!((code, out.as_str()), (0, "refused: report_closed"));
    let r = report(&app, &app.token(TENANT).await, &id).await;
    assert_eq!(r["status"], "closed");
    let text = app.wait_for_mail(TENANT, "Signalement clos").await;
    assert!(text.contains(&format!("/reports/{id}")), "{text}");
    // Answers are rate-limited: three a day to one address, whatever arrives.
    for n in 2..7 {
        let raw = reply(TENANT, &reply_to, &format!("c{n}@x.test"), "Merci");
        assert_eq!(receive(&app, raw).await.1, "refused: report_closed");
    }
    app.drained().await;
    let answers = app
        .mails_to(TENANT)
        .into_iter()
        .filter(|m| m.starts_with("Signalement clos"))
        .count();
    assert_eq!(
        answers,
        palier::domain::mail_in::MAX_ANSWERS_PER_DAY as usize
    );
}

#[tokio::test]
async fn a_reply_to_a_personal_message_goes_back_to_its_writer_only() {
    let app = spawn_app_replying().await;
    let tenant = app.token(TENANT).await;
    let r = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Compteur d'eau"}),
    )
    .await;
    let id = r["id"].as_str().expect("id").to_string();
    let tenant_id = app.person_id(TENANT).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&app.token(MANAGER).await),
            &json!({"body": "Votre code d'accès personnel est 1234.", "person_id": tenant_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (reply_to, _) = mail_with_reply_to(&app, TENANT, "Compteur d'eau").await;
    let (code, out) = receive(
        &app,
        reply(TENANT, &reply_to, "p1@x.test", "Bien reçu, merci."),
    )
    .await;
    assert_eq!((code, out.starts_with("commented")), (0, true), "{out}");
    let manager_id = app.person_id(MANAGER).await;
    let r = report(&app, &tenant, &id).await;
    let answer = r["comments"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["body"] == "Bien reçu, merci."))
        .cloned()
        .expect("the answer");
    assert_eq!(answer["audience"], "person");
    assert_eq!(answer["person_id"], manager_id.as_str());
    // A neighbour who can see the report does not see the private answer.
    let (status, seen) = app
        .get_json(
            &format!("/api/v1/reports/{id}"),
            Some(&app.token(NEIGHBOUR).await),
        )
        .await;
    if status == StatusCode::OK {
        assert!(!seen.to_string().contains("Bien reçu"), "{seen}");
    }
}

#[tokio::test]
async fn the_providers_reply_lands_on_the_work_order_for_staff_only() {
    let app = spawn_app_replying().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let r = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let rid = r["id"].as_str().expect("id").to_string();
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
    let wid = wo["id"].as_str().expect("id").to_string();
    let reference = wo["reference"].as_str().expect("reference").to_string();
    let (reply_to, text) = mail_with_reply_to(&app, "dupont@ascenseurs.test", &reference).await;
    assert!(reply_to.starts_with("reponse+"), "{reply_to}");
    assert!(
        text.contains("Vous pouvez aussi répondre à cet e-mail"),
        "{text}"
    );

    let body = "Nous passons demain à 9 h, prévoir l'accès à la machinerie.\r\n\r\n-- \r\nAscenseurs Dupont\r\n04 00 00 00 00\r\n\r\n-----Original Message-----\r\nFrom: Palier";
    let (code, out) = receive(
        &app,
        reply("dupont@ascenseurs.test", &reply_to, "w1@dupont.test", body),
    )
    .await;
    assert_eq!((code, out), (0, format!("added to work order {wid}")));
    // Someone else answering with the provider's address is refused.
    let (_, out) = receive(&app, reply(TENANT, &reply_to, "w2@x.test", "Et moi ?")).await;
    assert_eq!(out, "refused: sender_mismatch");

    let path = format!("/api/v1/work-orders/{wid}/messages");
    let (status, list) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(
        list[0]["body"],
        "Nous passons demain à 9 h, prévoir l'accès à la machinerie."
    );
    assert_eq!(list[0]["from"], "dupont@ascenseurs.test");
    // Occupants see neither the messages nor their words on the report.
    assert_eq!(
        app.get_json(&path, Some(&tenant)).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        !report(&app, &tenant, &rid)
            .await
            .to_string()
            .contains("machinerie")
    );
    // On the report page the manager reads it under the work order; the tenant does not.
    let page = |who: &'static str| {
        let app = &app;
        let rid = rid.clone();
        async move {
            let browser = app.browser(Some(who)).await;
            browser
                .get(&format!("/reports/{rid}"))
                .await
                .text()
                .await
                .expect("page")
        }
    };
    let staff_page = page(MANAGER).await;
    assert!(
        staff_page.contains("Réponse par e-mail de dupont@ascenseurs.test"),
        "manager page"
    );
    assert!(staff_page.contains("machinerie"));
    assert!(!page(TENANT).await.contains("machinerie"));
    // The manager is told.
    let text = app
        .wait_for_mail(
            MANAGER,
            &format!("Réponse de Ascenseurs Dupont — {reference}"),
        )
        .await;
    assert!(text.contains("prévoir l'accès à la machinerie"), "{text}");
    // Once the link is revoked, so is the reply address.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/work-orders/{wid}/revoke"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (_, out) = receive(
        &app,
        reply(
            "dupont@ascenseurs.test",
            &reply_to,
            "w3@dupont.test",
            "Encore",
        ),
    )
    .await;
    assert_eq!(out, "ignored: unknown_token");
}

#[tokio::test]
async fn the_intake_address_takes_reports_from_members_and_refuses_strangers() {
    let app = spawn_app_replying().await;
    let manager = app.token(MANAGER).await;
    let path = format!("/api/v1/buildings/{}/intake-address", app.tilleuls);
    let (status, body) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let intake = body["address"].as_str().expect("address").to_string();
    assert!(
        intake.starts_with("signaler+") && intake.ends_with("@palier.test"),
        "{intake}"
    );
    // The same address every time; occupants are not shown it.
    assert_eq!(
        app.get_json(&path, Some(&manager)).await.1["address"],
        intake.as_str()
    );
    assert_eq!(
        app.get_json(&path, Some(&app.token(TENANT).await)).await.0,
        StatusCode::FORBIDDEN
    );
    // Shown to staff on the building's settings page, beside the poster.
    let settings = app
        .browser(Some(MANAGER))
        .await
        .get(&format!("/buildings/{}/settings", app.tilleuls))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        settings.contains(&intake),
        "settings page shows the intake address"
    );
    let poster = app
        .browser(Some(MANAGER))
        .await
        .get(&format!("/buildings/{}/poster.pdf", app.tilleuls))
        .await;
    assert_eq!(poster.status(), StatusCode::OK);

    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM reports WHERE building_id = $1")
            .bind(&app.tilleuls)
            .fetch_one(&app.state.db.pool)
            .await
            .expect("count")
    };
    let before = count().await;
    let stranger = reply(
        "inconnu@ailleurs.test",
        &intake,
        "s1@ailleurs.test",
        "Il y a une fuite.",
    )
    .replace("Re: Nouvelle réponse", "Fuite dans le hall");
    let (code, out) = receive(&app, stranger).await;
    assert_eq!((code, out.as_str()), (0, "refused: not_a_member"));
    assert_eq!(count().await, before, "a stranger's e-mail creates nothing");
    let text = app
        .wait_for_mail("inconnu@ailleurs.test", "n’a pas été enregistré")
        .await;
    assert!(text.contains("/register"), "{text}");

    let photo = crate::fixtures::jpeg_with_gps_exif();
    let member = reply_with_photo(
        TENANT,
        &intake,
        "m1@client.test",
        "L'ampoule du palier du 2e est grillée.\r\n-- \r\nNadia",
        &photo,
    )
    .replace("Re: Nouvelle réponse", "Ampoule grillée au 2e");
    let (code, out) = receive(&app, member).await;
    assert_eq!(code, 0);
    let id = out
        .strip_prefix("report ")
        .and_then(|s| s.strip_suffix(" created"))
        .expect(&out)
        .to_string();
    let r = report(&app, &app.token(TENANT).await, &id).await;
    assert_eq!(r["title"], "Ampoule grillée au 2e");
    assert_eq!(r["category"], "autre");
    assert_eq!(r["description"], "L'ampoule du palier du 2e est grillée.");
    assert_eq!(r["photos"].as_array().map(Vec::len), Some(1));
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn bad_messages_are_handled_without_harm() {
    let app = spawn_app_replying().await;
    let (id, reply_to) = answered_report(&app).await;
    let tenant = app.token(TENANT).await;

    // Not a message at all, and broken MIME.
    assert_eq!(
        receive(&app, "ceci n'est pas un e-mail".into()).await,
        (0, "ignored: malformed".into())
    );
    let broken = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nMessage-ID: <b1@x.test>\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nMorceau sans fin"
    );
    assert_eq!(receive(&app, broken).await.0, 0);

    // Windows-1252 in quoted-printable.
    let cp1252 = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nSubject: Re: x\r\nMessage-ID: <b2@x.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         D=E9j=E0 r=E9par=E9 ? Merci=85\r\n"
    );
    assert!(receive(&app, cp1252).await.1.starts_with("commented"));

    // HTML only, with a script: kept as text, the script dropped, nothing runs on the page.
    let html = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nSubject: Re: x\r\nMessage-ID: <b3@x.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <b>gras</b></p><script>alert('x')</script><img src=x onerror=alert(1)>\r\n"
    );
    assert!(receive(&app, html).await.1.starts_with("commented"));
    let plain_script = reply(
        TENANT,
        &reply_to,
        "b4@x.test",
        "<script>alert('y')</script> texte",
    );
    assert!(receive(&app, plain_script).await.1.starts_with("commented"));

    // Ten thousand parts: handled quickly (only the first parts are looked at).
    let mut many = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nSubject: Re: x\r\nMessage-ID: <b5@x.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\nBeaucoup de pièces\r\n"
    );
    for n in 0..10_000 {
        many.push_str(&format!(
            "--p\r\nContent-Type: application/octet-stream\r\n\r\n{n}\r\n"
        ));
    }
    many.push_str("--p--\r\n");
    let started = std::time::Instant::now();
    let (code, out) = receive(&app, many).await;
    assert_eq!((code, out.starts_with("commented")), (0, true), "{out}");
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());

    // Over 25 MB: refused unread.
    let mut huge = reply(TENANT, &reply_to, "b6@x.test", "gros").into_bytes();
    huge.resize(26 * 1024 * 1024, b'a');
    assert_eq!(
        receive_with(&app, huge, None).await,
        (0, "refused: too_large".into())
    );

    // A bounce marks the address as failing and comments nothing.
    let dsn = format!(
        "From: MAILER-DAEMON@mx.palier.test\r\nTo: {reply_to}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <b7@mx.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\r\n\r\n\
         --d\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.palier.test\r\n\r\n\
         Final-Recipient: rfc822; {TENANT}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--d--\r\n"
    );
    assert_eq!(
        receive(&app, dsn).await,
        (0, format!("bounce: {TENANT} failing"))
    );
    let failing: Option<String> =
        sqlx::query_scalar("SELECT reason FROM mail_failures WHERE email = $1")
            .bind(TENANT)
            .fetch_optional(&app.state.db.pool)
            .await
            .expect("query");
    assert_eq!(failing.as_deref(), Some("bounce"));

    let r = report(&app, &tenant, &id).await;
    let bodies: Vec<String> = r["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["body"].as_str().map(str::to_string))
        .collect();
    assert!(
        bodies.contains(&"Déjà réparé ? Merci…".to_string()),
        "{bodies:?}"
    );
    let from_html = bodies
        .iter()
        .find(|b| b.contains("Bonjour"))
        .expect("html reply");
    assert!(
        from_html.contains("gras") && !from_html.contains("alert"),
        "{from_html}"
    );
    assert!(
        bodies.contains(&"Beaucoup de pièces".to_string()),
        "{bodies:?}"
    );
    assert!(
        !bodies
            .iter()
            .any(|b| b.contains("gros") || b.contains("delivered"))
    );
    // The page escapes what the e-mail said.
    let browser = app.browser(Some(TENANT)).await;
    let page = browser
        .get(&format!("/reports/{id}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("&#60;script&#62;alert(&#39;y&#39;)") || page.contains("&lt;script&gt;"),
        "escaped"
    );
    assert!(!page.contains("<script>alert('y')"));
}

#[tokio::test]
async fn an_unavailable_database_asks_the_mail_server_to_retry() {
    let app = spawn_app_replying().await;
    let raw = reply(TENANT, "reponse+ab@palier.test", "u1@x.test", "Bonjour").into_bytes();
    let url = "sqlite:///proc/palier-nowhere/palier.db?mode=rwc".to_string();
    let (code, _) = receive_with(&app, raw, Some(url)).await;
    assert_eq!(code, 75);
}

#[tokio::test]
async fn without_a_reply_address_e_mails_say_replies_are_not_read() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let r = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Robinet"}),
    )
    .await;
    let id = r["id"].as_str().expect("id");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&app.token(MANAGER).await),
            &json!({"body": "Vu."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (reply_to, text) = mail_with_reply_to(&app, TENANT, "Robinet").await;
    assert!(reply_to.is_empty(), "{reply_to}");
    assert!(text.contains("les réponses ne sont pas lues"), "{text}");
}
