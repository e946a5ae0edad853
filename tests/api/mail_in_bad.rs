//! Answer by e-mail (N6): each bad input of issue 14, an unavailable database, and e-mails
//! without a reply address.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::mail_in::{answered_report, mail_with_reply_to, receive, receive_with, reply, report};
use crate::reports::create_report;

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
