//! Answer by e-mail (N6): a provider's reply to a work order, and reports sent to a
//! building's intake address, piped to the real `palier mail receive`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::mail_in::{mail_with_reply_to, receive, reply, reply_with_photo, report};
use crate::reports::create_report;
use crate::work_orders::add_provider;

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
