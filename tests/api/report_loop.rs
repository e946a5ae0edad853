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

#[tokio::test]
async fn followers_add_a_detail_and_can_stop_following() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let report = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule grillée sur le palier", "location_part": "Escalier B"}),
    )
    .await;
    let id = report["id"].as_str().expect("id").to_string();
    let tenant = app.token(TENANT).await;
    let report_path = format!("/api/v1/reports/{id}");
    let comments = format!("{report_path}/comments");
    let follow = format!("{report_path}/follow");
    let detail = json!({"body": "Pareil au 4e étage"});

    // A neighbour who does not follow only reads.
    assert_eq!(
        app.post_json(&comments, Some(&tenant), &detail).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, followed) = app.post_json(&follow, Some(&tenant), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(followed["following"], true);
    assert!(
        followed["can"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("comment")) && c.contains(&json!("add_photo"))),
        "{followed}"
    );

    // A follower adds a short note and a photo through the same endpoints.
    let (status, c) = app.post_json(&comments, Some(&tenant), &detail).await;
    assert_eq!(
        (status, c["audience"].as_str()),
        (StatusCode::CREATED, Some("all")),
        "{c}"
    );
    let png = crate::fixtures::small_png(32, 32);
    let (status, body) = crate::photos::upload(&app, &tenant, &id, "palier.png", png).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, seen) = app.get_json(&report_path, Some(&owner)).await;
    assert_eq!(comment_count(&seen), 1, "the author sees the detail");
    assert_eq!(seen["photo_count"], 1);

    // The page: one "you follow" line, "Ne plus suivre", and a box to add a detail.
    let browser = app.browser(Some(TENANT)).await;
    let (_, page) = browser
        .get_text(&format!("/reports/{id}?notice=following"))
        .await;
    assert_eq!(
        page.matches("Vous suivez ce signalement").count(),
        1,
        "said once"
    );
    assert!(page.contains("Ne plus suivre") && page.contains("Ajouter une précision"));
    let resp = browser
        .submit(
            &format!("/reports/{id}"),
            &format!("/reports/{id}/unfollow"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).ends_with("?notice=unfollowed"));
    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    assert!(page.contains("Suivre (moi aussi)") && !page.contains("Ne plus suivre"));

    // Following again, then stopping through the API.
    app.post_json(&follow, Some(&tenant), &json!({})).await;
    let (status, after) = app
        .send_json(reqwest::Method::DELETE, &follow, Some(&tenant), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["following"], false);
    assert_eq!(after["follower_count"], 1, "only the author is left");
    assert_eq!(
        app.post_json(&comments, Some(&tenant), &detail).await.0,
        StatusCode::FORBIDDEN,
        "no longer a follower"
    );

    // Managers are not offered "me too".
    let manager = app.browser(Some(MANAGER)).await;
    let (_, page) = manager.get_text(&format!("/reports/{id}")).await;
    assert!(!page.contains("Suivre (moi aussi)") && !page.contains("/follow\""));
}

#[tokio::test]
async fn the_duplicate_check_weighs_category_and_place_and_keeps_the_draft() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let leak = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond", "location": "escalier A",
               "description": "De l'eau coule du plafond du palier."}),
    )
    .await;
    let leak_id = leak["id"].as_str().expect("id").to_string();
    let similar = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let (status, list) = app
                .get_json(
                    &format!("/api/v1/buildings/{}/reports/similar?{query}", app.tilleuls),
                    Some(&token),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            list.as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|r| r["id"].as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    let tenant = app.token(TENANT).await;
    let lamp = "title=Ampoule%20grill%C3%A9e%20sur%20le%20palier&category=electricite&location=Escalier%20B";
    assert!(
        similar(tenant.clone(), lamp).await.is_empty(),
        "another category and another staircase: not a duplicate"
    );
    let same = "title=fuite%20plafond&category=plomberie&location=escalier%20A";
    assert_eq!(similar(tenant.clone(), same).await, vec![leak_id.clone()]);
    assert!(
        similar(owner.clone(), same).await.is_empty(),
        "never the person's own report"
    );

    // The page: "Moi aussi" is not the primary button and belongs to the draft's form.
    let browser = app.browser(Some(TENANT)).await;
    let (_, step2) = browser
        .get_text(&format!(
            "/buildings/{}/reports/new?category=plomberie&title=fuite+plafond&location_part=Escalier+A",
            app.tilleuls
        ))
        .await;
    let button = step2
        .split(&format!("/reports/{leak_id}/follow?csrf="))
        .next()
        .and_then(|before| before.rsplit("<button").next())
        .unwrap_or_default();
    assert!(
        button.contains("form=\"report-form\"") && !button.contains("primary"),
        "{button}"
    );
    assert!(step2.contains("id=\"report-form\""));

    // Pressing it follows and keeps what was typed, ready to add as a detail.
    let csrf = browser.csrf(&format!("/reports/{leak_id}")).await;
    let form = Form::new()
        .text("category", "plomberie")
        .text("title", "fuite plafond")
        .text("description", "Pareil au 4e, ça goutte sur l’interrupteur.");
    let resp = browser
        .client
        .post(format!(
            "{}/reports/{leak_id}/follow?csrf={csrf}",
            app.address
        ))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(
        to.starts_with(&format!("/reports/{leak_id}?notice=following")),
        "{to}"
    );
    let (_, page) = browser.get_text(&to).await;
    assert!(
        page.contains("Pareil au 4e, ça goutte sur l’interrupteur.</textarea>"),
        "the draft waits in the detail box"
    );
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{leak_id}"), Some(&tenant))
        .await;
    assert_eq!(
        (seen["following"].as_bool(), comment_count(&seen)),
        (Some(true), 0)
    );
}

/// The card of one report in a page of cards (search results, board).
fn card_of<'a>(html: &'a str, title: &str) -> &'a str {
    html.split("<li class=\"report-card")
        .find(|c| c.contains(title))
        .and_then(|c| c.split("</li>").next())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_status_is_in_words_and_a_closed_report_is_no_longer_urgent() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let manager = app.token(MANAGER).await;
    let closed = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite urgente réparée", "urgent": true}),
    )
    .await;
    create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite urgente ouverte", "urgent": true}),
    )
    .await;
    let closed_id = closed["id"].as_str().expect("id");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{closed_id}/comments"),
            Some(&manager),
            &json!({"body": "Le plombier passe."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.post_json(
        &format!("/api/v1/reports/{closed_id}/close"),
        Some(&manager),
        &json!({}),
    )
    .await;

    let browser = app.browser(Some(OWNER)).await;
    let (_, found) = browser
        .get_text(&format!("/buildings/{}?q=fuite+urgente", app.tilleuls))
        .await;
    let done = card_of(&found, "Fuite urgente réparée");
    assert!(done.contains(">Clôturé</span>"), "status in words: {done}");
    assert!(!done.contains("Urgent"), "urgent only while open: {done}");
    assert!(
        done.contains("signalé aujourd’hui à") && done.contains("dernière activité aujourd’hui à")
    );
    let open = card_of(&found, "Fuite urgente ouverte");
    assert!(
        open.contains(">À traiter</span>") && open.contains(">Urgent</span>"),
        "{open}"
    );
    assert!(
        !open.contains("dernière activité"),
        "nothing happened since: {open}"
    );

    let (_, board) = browser
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    assert!(card_of(&board, "Fuite urgente ouverte").contains(">À traiter</span>"));
    let (_, page) = browser.get_text(&format!("/reports/{closed_id}")).await;
    assert!(!page.contains("badge urgent") && page.contains("dernière activité"));
}

#[tokio::test]
async fn the_providers_outcome_and_dates_are_in_the_readers_language() {
    use crate::work_orders::{add_provider, provider_token, ts};
    let clock = palier::clock::Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(&app, &manager, "Ascenseurs Test", "test@ascenseurs.test").await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let reference = wo["reference"].as_str().expect("reference");
    let token = provider_token(&app, "test@ascenseurs.test", reference).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{token}/schedule"),
            None,
            &json!({"date": "2026-11-26T09:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    clock.set(ts("2026-11-26T14:00:00Z"));
    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{token}/report"),
            None,
            &json!({"body": "Câble remplacé", "done": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // French readers: as before.
    let french = app.browser(Some(TENANT)).await;
    let (_, page) = french.get_text(&format!("/reports/{rid}")).await;
    assert!(
        page.contains("Intervention prévue le 26/11/2026 09:00"),
        "{page}"
    );
    assert!(page.contains("Compte rendu du prestataire : Intervention terminée — Câble remplacé"));

    // An English reader: the outcome in English, the date in an English format.
    let english = app.browser(Some(TENANT)).await;
    let resp = english.get(&format!("/lang/en?next=/reports/{rid}")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, page) = english.get_text(&format!("/reports/{rid}")).await;
    assert!(
        page.contains("Visit planned on 26 Nov 2026 09:00"),
        "{page}"
    );
    assert!(
        page.contains("Provider&#39;s report: Work finished — Câble remplacé")
            || page.contains("Provider's report: Work finished — Câble remplacé"),
        "{page}"
    );
    assert!(!page.contains("Intervention terminée") && !page.contains("26/11/2026"));
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    let details: Vec<&str> = seen["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["detail"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        details.contains(&"Work finished — Câble remplacé"),
        "{details:?}"
    );
    assert!(details.contains(&"26 Nov 2026 09:00"), "{details:?}");

    let stored: String =
        sqlx::query_scalar("SELECT detail FROM events WHERE kind = 'visit_reported'")
            .fetch_one(&app.state.db.pool)
            .await
            .expect("event");
    assert_eq!(
        stored, "done\nCâble remplacé",
        "stored as a code, not as French text"
    );
}

#[tokio::test]
async fn a_sent_reply_is_confirmed_and_the_bell_says_what_it_shows() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur à l'arrêt"}),
    )
    .await;
    let id = report["id"].as_str().expect("id").to_string();
    let referent = app.browser(Some(REFERENT)).await;
    let csrf = referent.csrf(&format!("/reports/{id}")).await;
    let resp = referent
        .client
        .post(format!("{}/reports/{id}/comments?csrf={csrf}", app.address))
        .multipart(
            Form::new()
                .text("body", "Le technicien passe demain.")
                .text("audience", "all"),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(to.ends_with("?notice=reply_sent#comments"), "{to}");
    let (_, page) = referent.get_text(&to).await;
    assert!(page.contains("Message envoyé."));

    app.dispatched().await;
    let nadia = app.browser(Some(TENANT)).await;
    let (_, html) = nadia.get_text("/buildings").await;
    let bell = html
        .split("class=\"bell\"")
        .nth(1)
        .and_then(|b| b.split("</a>").next())
        .unwrap_or_default();
    assert!(
        !bell.contains("aria-label") && !bell.contains('🔔'),
        "{bell}"
    );
    assert!(
        bell.contains("<svg") && bell.contains("aria-hidden=\"true\""),
        "{bell}"
    );
    assert!(
        bell.contains("Notifications </span><span class=\"unread\">1</span><span class=\"sr-only\"> non lue</span>"),
        "the name holds the visible figure, in the singular: {bell}"
    );
    let (_, account) = nadia.get_text("/account").await;
    assert!(
        account.contains("href=\"/account/notifications\""),
        "settings reachable from Mon compte"
    );
}

#[tokio::test]
async fn closing_asks_for_an_optional_note_and_cards_say_photos_in_words() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule grillée au hall"}),
    )
    .await;
    let id = report["id"].as_str().expect("id").to_string();
    let png = crate::fixtures::small_png(32, 32);
    let (status, _) = crate::photos::upload(&app, &tenant, &id, "hall.png", png).await;
    assert_eq!(status, StatusCode::CREATED);

    let browser = app.browser(Some(REFERENT)).await;
    let (_, board) = browser
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    let card = card_of(&board, "Ampoule grillée au hall");
    assert!(
        !card.contains('📷') && card.contains("Photos :</span> 1"),
        "{card}"
    );

    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    assert!(page.contains("Note de clôture (facultatif)"));
    let resp = browser
        .submit(
            &format!("/reports/{id}"),
            &format!("/reports/{id}/close"),
            &[("note", "Ampoule changée ce matin.")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).ends_with("?notice=report_closed"));
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(seen["status"], "closed");
    assert_eq!(
        seen["comments"][0]["body"], "Ampoule changée ce matin.",
        "{seen}"
    );
}

#[tokio::test]
async fn every_email_has_a_message_id_and_the_settings_link_no_stray_colon() {
    let app = spawn_app().await;
    let email =
        palier::mail::messages::plain("occupant@example.test", "Sujet".into(), "Corps".into())
            .expect("render");
    assert!(email.message_id.is_none());
    let message = app.state.mailer.build(&email, &[]).expect("build");
    let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
    assert!(
        raw.lines()
            .any(|l| l.to_ascii_lowercase().starts_with("message-id: <")
                && l.ends_with("@palier.test>")),
        "{raw}"
    );

    // The HTML link reads "Régler mes notifications", the text keeps "… : URL".
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur à l'arrêt"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");
    let manager = app.token(MANAGER).await;
    app.post_json(
        &format!("/api/v1/reports/{id}/comments"),
        Some(&manager),
        &json!({"body": "Technicien demain."}),
    )
    .await;
    app.dispatched().await;
    app.drained().await;
    let raw = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .find(|r| r.contains(TENANT))
        .expect("an e-mail to the tenant");
    let msg = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("parse");
    let html = msg.body_html(0).map(|h| h.to_string()).unwrap_or_default();
    assert!(html.contains(">Régler mes notifications</a>"), "{html}");
}

#[tokio::test]
async fn an_urgent_reports_work_order_defaults_to_urgent_and_the_pdf_ends_cleanly() {
    use crate::work_orders::{add_provider, pdf_text};
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué", "urgent": true}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser.get_text(&format!("/reports/{rid}")).await;
    assert!(
        page.contains("<option value=\"urgent\" selected>"),
        "priority from the report"
    );

    let provider = add_provider(&app, &manager, "Ascenseurs PDF", "pdf@ascenseurs.test").await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider, "priority": "urgent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let wid = wo["id"].as_str().expect("id");
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/work-orders/{wid}/pdf")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("pdf");
    let text = pdf_text(&resp.bytes().await.expect("bytes"));
    assert!(
        text.contains("Marc Lambert") && text.contains("gestionnaire@demo.palier.test"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with('—')),
        "no dangling dash: {text}"
    );
}
