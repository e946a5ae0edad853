//! Portfolio import (B7), invitations and lot landlords (R10), over HTTP on the real app.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const SAMPLE: &[u8] = include_bytes!("../fixtures/portfolio-40-buildings.csv");

async fn demo_agency(app: &TestApp, token: &str) -> String {
    let (_, list) = app.get_json("/api/v1/agencies", Some(token)).await;
    list[0]["id"].as_str().expect("agency id").to_string()
}

/// Posts `csv` as the `file` field of the import endpoint.
async fn upload(
    app: &TestApp,
    token: &str,
    agency: &str,
    query: &str,
    csv: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(csv).file_name("portefeuille.csv"));
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/agencies/{agency}/import{query}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count")
}

/// Everything an import may write, to prove a refused or dry request wrote nothing.
async fn footprint(app: &TestApp) -> [i64; 6] {
    [
        count(app, "SELECT COUNT(*) FROM buildings").await,
        count(app, "SELECT COUNT(*) FROM lots").await,
        count(app, "SELECT COUNT(*) FROM people").await,
        count(app, "SELECT COUNT(*) FROM memberships").await,
        count(app, "SELECT COUNT(*) FROM lot_landlords").await,
        count(app, "SELECT COUNT(*) FROM jobs").await,
    ]
}

fn invitation_token(mail: &str) -> String {
    let start = mail.find("/invitation/").expect("invitation link") + "/invitation/".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test]
async fn the_sample_portfolio_imports_once_and_a_second_time_changes_nothing() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let agency = demo_agency(&app, &manager).await;

    let before = footprint(&app).await;
    let (status, dry) = upload(&app, &manager, &agency, "?dry_run=true", SAMPLE.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["buildings"]["created"], 40, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(footprint(&app).await, before, "a dry run writes nothing");

    let (status, first) = upload(&app, &manager, &agency, "", SAMPLE.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["buildings"],
        json!({"created": 40, "updated": 0, "unchanged": 0})
    );
    assert_eq!(first["rejected"], json!([]), "the sample is clean");
    assert_eq!(
        first["lots"], dry["lots"],
        "the dry run said what would happen"
    );
    assert_eq!(first["people"], dry["people"]);
    let lots = first["lots"]["created"].as_i64().expect("lots");
    let people = first["people"]["created"].as_i64().expect("people");
    assert!(lots > 200 && people > 200, "{first}");
    assert_eq!(first["invited"], 0, "no invitation unless asked");
    let after = footprint(&app).await;
    assert_eq!(after[0] - before[0], 40);
    assert_eq!(after[1] - before[1], lots);
    assert_eq!(after[2] - before[2], people);

    // Windows-1252 was read: accents and the typographic apostrophe are intact.
    let (_, list) = app.get_json("/api/v1/buildings", Some(&manager)).await;
    let names: Vec<&str> = list
        .as_array()
        .expect("buildings")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert!(names.contains(&"Les Jardins d’Hélène"), "{names:?}");
    assert!(names.contains(&"Résidence Les Érables"), "{names:?}");

    let (status, again) = upload(&app, &manager, &agency, "", SAMPLE.to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["buildings"],
        json!({"created": 0, "updated": 0, "unchanged": 40})
    );
    assert_eq!(again["lots"]["created"], 0);
    assert_eq!(again["lots"]["updated"], 0);
    assert_eq!(again["people"]["created"], 0);
    assert_eq!(again["people"]["updated"], 0);
    assert_eq!(footprint(&app).await[..5], after[..5], "nothing changed");
}

#[tokio::test]
async fn bad_lines_are_rejected_with_their_number_and_the_rest_is_imported() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let agency = demo_agency(&app, &manager).await;
    let wide = vec!["x"; 3000].join(",");
    // UTF-8 with a BOM, commas, English headers in another order, an unknown column.
    let csv = format!(
        "\u{feff}E-mail,Name,Building,Address,Lot,Shares,Relation,Notes\n\
         ana@example.test,Ana Lopes,Les Acacias,\"3 rue des Acacias, Lyon\",1,100,owner,\n\
         bob@example.test,Bob Marchand,Les Acacias,\"3 rue des Acacias, Lyon\",2,-5,tenant,\n\
         cyd@example.test,Cyd Roy,Les Acacias,\"3 rue des Acacias, Lyon\",3,douze,owner,\n\
         dan@example.test,Dan Petit,Les Acacias,\"3 rue des Acacias, Lyon\",4,80,concierge,\n\
         ana@example.test,Anne Autre,Les Acacias,\"3 rue des Acacias, Lyon\",5,90,owner,\n\
         {wide}\n\
         eve@example.test,Eve Noir,Les Acacias,\"3 rue des Acacias, Lyon\",6,70,landlord,\n\
         ,Sans Courriel,Les Acacias,\"3 rue des Acacias, Lyon\",7,60,,\n"
    );
    let (status, body) = upload(&app, &manager, &agency, "", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rejected: Vec<(i64, String)> = body["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap_or(0),
                r["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let lines: Vec<i64> = rejected.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7], "{body}");
    assert!(
        rejected[0].1.contains("-5") && rejected[0].1.contains("Shares"),
        "{rejected:?}"
    );
    assert!(rejected[1].1.contains("douze"), "{rejected:?}");
    assert!(rejected[2].1.contains("concierge"), "{rejected:?}");
    assert!(
        rejected[3].1.contains("ligne 2"),
        "same e-mail, other name: {rejected:?}"
    );
    assert!(rejected[4].1.contains("3000"), "{rejected:?}");
    assert_eq!(body["buildings"]["created"], 1);
    // Lots 1, 6 and 7 (the last line names no e-mail: its lot only).
    assert_eq!(body["lots"]["created"], 3, "{body}");
    assert_eq!(body["people"]["created"], 2, "{body}");
    assert_eq!(body["people"]["without_email"], 1, "{body}");

    // A whole file that cannot be used is refused, and nothing is written.
    let before = footprint(&app).await;
    let refusals: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            b"nom;email;lot\nA;a@x.test;1\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "immeuble",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00binary".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CSV",
        ),
        (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "CSV"),
    ];
    for (bytes, expected, words) in refusals {
        let (status, err) = upload(&app, &manager, &agency, "", bytes).await;
        assert_eq!(status, expected, "{err}");
        assert!(
            err["error"].as_str().is_some_and(|e| e.contains(words)),
            "{err}"
        );
    }
    let huge = "immeuble;adresse;lot\n".repeat(5_000_000).into_bytes();
    assert!(huge.len() >= 100_000_000);
    let form = Form::new().part("file", Part::bytes(huge).file_name("huge.csv"));
    let sent = app
        .client
        .post(app.url(&format!("/api/v1/agencies/{agency}/import")))
        .bearer_auth(&manager)
        .multipart(form)
        .send()
        .await;
    // The server answers 413 as soon as the limit is passed; it may close the connection
    // before the client has finished sending, which the client sees as an error.
    if let Ok(resp) = sent {
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(footprint(&app).await, before, "nothing half-imported");
}

#[tokio::test]
async fn invitations_are_single_use_links_and_no_password_is_mailed() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let agency = demo_agency(&app, &manager).await;
    let csv = "immeuble;adresse;lot;tantièmes;nom;courriel;relation\n\
               Le Tilleul;1 rue Haute, Lyon;1;100;Inès Faure;ines@example.test;propriétaire\n\
               Le Tilleul;1 rue Haute, Lyon;2;100;Jules Morel;jules@example.test;locataire\n";
    let (status, body) = upload(&app, &manager, &agency, "?invite=true", csv.into()).await;
    assert_eq!(
        (status, body["invited"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{body}"
    );
    let mail = app.wait_for_mail("ines@example.test", "Le Tilleul").await;
    let token = invitation_token(&mail);
    assert_eq!(token.len(), 64, "{mail}");
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM people WHERE email = 'ines@example.test'")
            .fetch_one(&app.state.db.pool)
            .await
            .expect("person");
    assert!(
        hash.is_empty(),
        "no password until the invitation is accepted"
    );

    // Cannot sign in yet; the page greets her; the charter is required.
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": "ines@example.test", "password": "un-mot-de-passe-sur"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, page) = app
        .browser(None)
        .await
        .get_text(&format!("/invitation/{token}"))
        .await;
    assert!(
        status == StatusCode::OK && page.contains("Inès Faure"),
        "{status}"
    );
    let accept = format!("/api/v1/invitations/{token}/accept");
    let (status, err) = app
        .post_json(
            &accept,
            None,
            &json!({"password": "un-mot-de-passe-sur", "accept_charter": false}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("accept_charter"))
    );
    let (status, _) = app
        .post_json(
            &accept,
            None,
            &json!({"password": "un-mot-de-passe-sur", "accept_charter": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": "ines@example.test", "password": "un-mot-de-passe-sur"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "she signs in");
    let charter = count(&app, "SELECT COUNT(*) FROM charter_acceptances c JOIN people p ON p.id = c.person_id WHERE p.email = 'ines@example.test'").await;
    assert_eq!(charter, 1, "the charter is recorded");
    let (status, _) = app
        .post_json(
            &accept,
            None,
            &json!({"password": "un-autre-mot-de-passe", "accept_charter": true}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE, "single use");
    // The invitation link is no reset link.
    let resp = app
        .browser(None)
        .await
        .submit(
            "/login",
            &format!("/password/reset/{token}"),
            &[("password", "encore-un-mot-de-passe")],
        )
        .await;
    assert_ne!(resp.status(), StatusCode::SEE_OTHER);

    // Per person: a new link replaces the old; someone who signs in is not invited (409).
    let tilleul =
        sqlx::query_scalar::<_, String>("SELECT id FROM buildings WHERE name = 'Le Tilleul'")
            .fetch_one(&app.state.db.pool)
            .await
            .expect("building");
    let jules = app.person_id("jules@example.test").await;
    let ines = app.person_id("ines@example.test").await;
    let old = invitation_token(&app.wait_for_mail("jules@example.test", "Le Tilleul").await);
    let invite = |who: &str| format!("/api/v1/buildings/{tilleul}/members/{who}/invite");
    assert_eq!(
        app.post_json(&invite(&jules), Some(&manager), &json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post_json(&invite(&ines), Some(&manager), &json!({}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let other = app.token(OTHER_MANAGER).await;
    assert_eq!(
        app.post_json(&invite(&jules), Some(&other), &json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let stranger = app.person_id(TENANT).await;
    assert_eq!(
        app.post_json(&invite(&stranger), Some(&manager), &json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "not a member there"
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/invitations/{old}/accept"),
            None,
            &json!({"password": "un-mot-de-passe-sur", "accept_charter": true}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE, "the earlier link stopped working");
    app.drained().await;
    let mails = app.mails_to("jules@example.test");
    assert_eq!(mails.len(), 2, "first invitation and the new one");
    assert!(
        mails.iter().all(|m| !m.contains("palier-demo")),
        "no password in any e-mail"
    );

    // Re-importing with invitations asks nothing of people who signed in or hold a live link.
    let (_, again) = upload(&app, &manager, &agency, "?invite=true", csv.into()).await;
    assert_eq!(again["invited"], 0, "{again}");
}

#[tokio::test]
async fn a_landlord_linked_by_the_manager_gets_everything_r10_promises() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(&manager),
        )
        .await;
    let lot_of = |label: &str| {
        lots["lots"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["label"] == label))
            .and_then(|x| x["id"].as_str())
            .expect("lot")
            .to_string()
    };
    let tenant_lot = lot_of("23");
    let path = format!("/api/v1/lots/{tenant_lot}/landlord");
    let body = json!({"email": "Odile.Bailleur@Example.test", "name": "Odile Marchal"});

    // Others may not; bad input names its field.
    for (who, expected) in [
        (REFERENT, StatusCode::FORBIDDEN),
        (TENANT, StatusCode::FORBIDDEN),
        (OTHER_MANAGER, StatusCode::NOT_FOUND),
    ] {
        let token = app.token(who).await;
        assert_eq!(
            app.send_json(Method::PUT, &path, Some(&token), &body)
                .await
                .0,
            expected,
            "{who}"
        );
    }
    let (status, err) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"email": "pas-un-email", "name": "x"}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    let (status, err) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"email": "nouveau@example.test"}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
        "a new person needs a name"
    );

    let (status, linked) = app
        .send_json(Method::PUT, &path, Some(&manager), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["email"], "odile.bailleur@example.test");
    assert_eq!(
        (linked["created"].as_bool(), linked["invited"].as_bool()),
        (Some(true), Some(true))
    );
    let mail = app
        .wait_for_mail("odile.bailleur@example.test", "Tilleuls")
        .await;
    let token = invitation_token(&mail);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            &json!({"password": "bailleur-tout-neuf", "accept_charter": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let odile = {
        let (status, b) = app
            .post_json(
                "/api/v1/auth/token",
                None,
                &json!({"email": "odile.bailleur@example.test", "password": "bailleur-tout-neuf"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        b["token"].as_str().expect("token").to_string()
    };

    // The tenant of lot 23 reports; the owner of lot 7 too.
    let tenant = app.token(TENANT).await;
    let owner = app.token(OWNER).await;
    let report = |title: &str| json!({"category": "plomberie", "title": title, "description": "Fuite sous l’évier, ça coule au plafond du dessous.", "location": "Cuisine"});
    let create = |token: String, title: &'static str| {
        let app = &app;
        async move {
            let (status, r) = app
                .post_json(
                    &format!("/api/v1/buildings/{}/reports", app.tilleuls),
                    Some(&token),
                    &report(title),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{r}");
            r["id"].as_str().expect("id").to_string()
        }
    };
    let tenants_report = create(tenant.clone(), "Fuite chez le locataire").await;
    let owners_report = create(owner.clone(), "Fuite chez le propriétaire").await;

    // Odile sees her lot's report, not the other lot's; the private thread works both ways.
    let (status, _) = app
        .get_json(&format!("/api/v1/reports/{tenants_report}"), Some(&odile))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v1/reports/{owners_report}"), Some(&odile))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let comments = format!("/api/v1/reports/{tenants_report}/comments");
    let private = |text: &str| json!({"body": text, "private_landlord": true});
    assert_eq!(
        app.post_json(
            &comments,
            Some(&manager),
            &private("Dégât des eaux : votre assurance ?")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post_json(
            &comments,
            Some(&odile),
            &private("Je préviens mon assureur")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{tenants_report}"), Some(&odile))
        .await;
    let text = seen.to_string();
    assert!(
        text.contains("votre assurance") && text.contains("mon assureur"),
        "{text}"
    );
    let (_, tenant_view) = app
        .get_json(&format!("/api/v1/reports/{tenants_report}"), Some(&tenant))
        .await;
    let text = tenant_view.to_string();
    assert!(
        !text.contains("assurance") && !text.contains("assureur"),
        "invisible to the tenant: {text}"
    );
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&odile),
        )
        .await;
    let listed = list.to_string();
    assert!(
        listed.contains(&tenants_report) && !listed.contains(&owners_report),
        "{listed}"
    );

    // The lot's previous landlord (the demo's) no longer sees it; re-linking changes nothing.
    let previous = app.token(LANDLORD).await;
    let (status, _) = app
        .get_json(
            &format!("/api/v1/reports/{tenants_report}"),
            Some(&previous),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, again) = app
        .send_json(Method::PUT, &path, Some(&manager), &body)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["created"].as_bool(), again["invited"].as_bool()),
        (Some(false), Some(false))
    );

    // One landlord, several lots: the owner's lot too.
    let (status, _) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/lots/{}/landlord", lot_of("7")),
            Some(&manager),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v1/reports/{owners_report}"), Some(&odile))
        .await;
    assert_eq!(status, StatusCode::OK, "both lots");
    let (_, export) = app.get_json("/api/v1/me/export", Some(&odile)).await;
    assert_eq!(
        export["memberships"].as_array().map(Vec::len),
        Some(1),
        "one landlord membership, whatever the number of lots: {export}"
    );
}

#[tokio::test]
async fn the_pages_link_a_landlord_and_accept_an_invitation_without_javascript() {
    let app = spawn_app().await;
    let manager = app.browser(Some(MANAGER)).await;
    let lots_page = format!("/buildings/{}/lots", app.tilleuls);
    let (status, html) = manager.get_text(&lots_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Henri Dubois"),
        "the demo landlord of lot 23 is shown"
    );
    let token = app.token(MANAGER).await;
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(&token),
        )
        .await;
    let lot = lots["lots"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["label"] == "7"))
        .and_then(|x| x["id"].as_str())
        .expect("lot 7")
        .to_string();
    let action = format!("/lots/{lot}/landlord");
    let resp = manager
        .submit(
            &lots_page,
            &action,
            &[("email", "pas-un-email"), ("name", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("n’est pas valide")
    );
    let resp = manager
        .submit(
            &lots_page,
            &action,
            &[
                ("email", "paulette@example.test"),
                ("name", "Paulette Riviere"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).contains("notice=landlord_linked"));
    let (_, html) = manager.get_text(&lots_page).await;
    assert!(
        html.contains("Paulette Riviere (paulette@example.test)"),
        "shown on the lot"
    );
    // Residents do not get the page.
    let (status, _) = app.browser(Some(REFERENT)).await.get_text(&lots_page).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Paulette has no password yet: the members list offers to invite her again.
    let (_, members) = manager
        .get_text(&format!("/buildings/{}/members", app.tilleuls))
        .await;
    let paulette = app.person_id("paulette@example.test").await;
    assert!(
        members.contains(&format!("/members/{paulette}/invite")),
        "invite button"
    );
    assert!(!members.contains(&format!("/members/{}/invite", app.person_id(TENANT).await)));

    // She accepts in the browser: a password, the charter, and she is signed in.
    let mail = app.wait_for_mail("paulette@example.test", "Tilleuls").await;
    let page = format!("/invitation/{}", invitation_token(&mail));
    let visitor = app.browser(None).await;
    let resp = visitor
        .submit(&page, &page, &[("password", "paulette-mot-de-passe")])
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the charter is required"
    );
    let resp = visitor
        .submit(
            &page,
            &page,
            &[
                ("password", "paulette-mot-de-passe"),
                ("accept_charter", "1"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/buildings");
    let (status, html) = visitor.get_text("/buildings").await;
    assert!(
        status == StatusCode::OK && html.contains("Résidence des Tilleuls"),
        "{status}"
    );
    let (status, _) = app.browser(None).await.get_text(&page).await;
    assert_eq!(status, StatusCode::GONE, "the link is spent");
}
