//! Answer by e-mail (N6, issue 14): messages piped to the real `palier mail receive`
//! binary, on the test app's database.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

/// Pipes `raw` to `palier mail receive`; returns (exit status, last line of stdout).
pub(crate) async fn receive_with(
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

pub(crate) async fn receive(app: &TestApp, raw: String) -> (i32, String) {
    receive_with(app, raw.into_bytes(), None).await
}

/// The last e-mail to `to` whose subject contains `subject`: (Reply-To, text body).
pub(crate) async fn mail_with_reply_to(app: &TestApp, to: &str, subject: &str) -> (String, String) {
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
pub(crate) fn reply(from: &str, to: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Someone <{from}>\r\nTo: {to}\r\nSubject: Re: Nouvelle réponse\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

pub(crate) fn b64(bytes: &[u8]) -> String {
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
pub(crate) fn reply_with_photo(
    from: &str,
    to: &str,
    message_id: &str,
    body: &str,
    jpeg: &[u8],
) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: Nouvelle réponse\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
         --b1\r\nContent-Type: image/jpeg; name=\"IMG_0001.jpg\"\r\nContent-Disposition: attachment; filename=\"IMG_0001.jpg\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64(jpeg)
    )
}

pub(crate) async fn report(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A report by the tenant answered by the manager; returns (report id, the tenant's reply address).
pub(crate) async fn answered_report(app: &TestApp) -> (String, String) {
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
    // The answer says it is automatic, so that an auto-responder never answers it back;
    // and if one does, or the answer comes back, it is ignored.
    let raw = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .find(|raw| {
            mail_parser::MessageParser::default()
                .parse(raw)
                .and_then(|m| m.subject().map(|s| s.starts_with("Signalement clos")))
                .unwrap_or(false)
        })
        .expect("the answer");
    let text = String::from_utf8_lossy(&raw).to_string();
    assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
    let echoed = text.replacen("To: ", &format!("X-Original-To: {reply_to}\r\nTo: "), 1);
    assert_eq!(
        receive(&app, echoed).await,
        (0, "ignored: automatic".into())
    );
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
async fn a_person_revokes_their_reply_addresses() {
    let app = spawn_app_replying().await;
    let (_, reply_to) = answered_report(&app).await;
    let tenant = app.token(TENANT).await;
    let (status, body) = app
        .post_json(
            "/api/v1/me/reply-addresses/revoke",
            Some(&tenant),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["revoked"].as_u64().is_some_and(|n| n >= 1), "{body}");
    let (code, out) = receive(&app, reply(TENANT, &reply_to, "rv1@x.test", "Encore là ?")).await;
    assert_eq!((code, out.as_str()), (0, "ignored: unknown_token"));
}

#[tokio::test]
async fn erasing_an_account_removes_its_reply_addresses() {
    let app = spawn_app_replying().await;
    let (_, reply_to) = answered_report(&app).await;
    let tenant_id = app.person_id(TENANT).await;
    let held = |pool: sqlx::AnyPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM mail_tokens WHERE email = $1")
            .bind(TENANT)
            .fetch_one(&pool)
            .await
            .expect("count")
    };
    assert!(
        held(app.state.db.pool.clone()).await >= 1,
        "the check can fail"
    );
    let resp = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(app.token(TENANT).await)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(held(app.state.db.pool.clone()).await, 0);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_tokens WHERE person_id = $1")
        .bind(&tenant_id)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
    let (_, out) = receive(&app, reply(TENANT, &reply_to, "er1@x.test", "Encore moi")).await;
    assert_eq!(out, "ignored: unknown_token");
}
