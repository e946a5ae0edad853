//! The people lifecycle: approval of new members and moving out; erasure and the account's
//! e-mail and time zone in the submodules.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

mod account_settings;
mod erasure;

const NAME: &str = "Zoé Quintavalle";
const EMAIL: &str = "zoe.quintavalle@example.test";

async fn set_approval(app: &TestApp, token: &str, building: &str, on: bool) {
    let (status, body) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/buildings/{building}/approval"),
            Some(token),
            &json!({"needs_approval": on}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Registers someone in Les Tilleuls through the API; returns (person id, status).
async fn register(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let code = app.building_code(&app.tilleuls).await;
    let (status, body) = app
        .post_json(
            "/api/v1/register",
            None,
            &json!({"building_code": code, "name": name, "email": email, "password": PASSWORD,
                    "lot": "31", "occupancy": "tenant", "accept_charter": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap_or_default().to_string(),
        body["status"].as_str().unwrap_or_default().to_string(),
    )
}

async fn delete(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    app.send_json(Method::DELETE, path, Some(token), body).await
}

#[tokio::test]
async fn a_new_member_waits_for_approval_and_sees_nothing_until_approved() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let referent = app.token(REFERENT).await;
    set_approval(&app, &manager, &app.tilleuls, true).await;

    let (zoe, status) = register(&app, NAME, EMAIL).await;
    assert_eq!(status, "pending");
    let token = app.token(EMAIL).await;
    let building = format!("/api/v1/buildings/{}", app.tilleuls);
    let (status, _) = app.get_json(&building, Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "pending sees nothing");
    let (status, _) = app
        .get_json(&format!("{building}/reports"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(me["memberships"], json!([]));

    // Those who decide are told.
    let told = app.wait_for_mail(REFERENT, "Demande d’inscription").await;
    assert!(told.contains(NAME) && told.contains("/requests"), "{told}");
    app.wait_for_mail(MANAGER, "Demande d’inscription").await;
    let (_, export) = app.get_json("/api/v1/me/export", Some(&token)).await;
    assert_eq!(
        export["pending_memberships"][0]["building_id"],
        app.tilleuls.as_str()
    );
    let staff = app.browser(Some(REFERENT)).await;
    let (_, html) = staff
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    assert!(
        html.contains("Demandes d’inscription (1)"),
        "staff see who waits"
    );

    // The referent sees the request; occupants and other agencies do not.
    let requests = format!("{building}/membership-requests");
    let (status, list) = app.get_json(&requests, Some(&referent)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["person_id"], zoe.as_str());
    assert_eq!(list["items"][0]["name"], NAME);
    assert_eq!(list["items"][0]["occupancy"], "tenant");
    let owner = app.token(OWNER).await;
    let (status, _) = app.get_json(&requests, Some(&owner)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.token(OTHER_MANAGER).await;
    let approve = format!("{requests}/{zoe}/approve");
    let (status, _) = app.post_json(&approve, Some(&other), &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another agency's manager");
    let (status, _) = app.post_json(&approve, Some(&owner), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Approving a member of another building: 404.
    let (status, _) = app
        .post_json(
            &format!(
                "/api/v1/buildings/{}/membership-requests/{zoe}/approve",
                app.vignes
            ),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = app.post_json(&approve, Some(&referent), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, b) = app.get_json(&building, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "approved: sees the building");
    assert_eq!(b["role"], "occupant");
    let mail = app.wait_for_mail(EMAIL, "Bienvenue").await;
    assert!(mail.contains("validée"), "{mail}");
    let (_, list) = app.get_json(&requests, Some(&referent)).await;
    assert_eq!(list["items"], json!([]));
    let (status, _) = app.post_json(&approve, Some(&referent), &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing left to approve");
}

#[tokio::test]
async fn joining_a_building_needing_approval_can_be_refused() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    set_approval(&app, &manager, &app.vignes, true).await;
    let owner = app.token(OWNER).await;
    let code = app.building_code(&app.vignes).await;
    let join = json!({"building_code": code, "lot": "4", "occupancy": "owner"});
    let (status, body) = app
        .post_json("/api/v1/me/memberships", Some(&owner), &join)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    let (status, _) = app
        .post_json("/api/v1/me/memberships", Some(&owner), &join)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already waiting");
    let vignes = format!("/api/v1/buildings/{}", app.vignes);
    let (status, _) = app.get_json(&vignes, Some(&owner)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let paul = app.person_id(OWNER).await;
    let (status, _) = app
        .post_json(
            &format!("{vignes}/membership-requests/{paul}/refuse"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get_json(&vignes, Some(&owner)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "refused: still outside");
    app.wait_for_mail(OWNER, "Votre demande").await;
    let (_, list) = app
        .get_json(&format!("{vignes}/membership-requests"), Some(&manager))
        .await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn moving_out_ends_access_at_once_and_keeps_the_reports() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let nadia = app.person_id(TENANT).await;
    let report = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite sous l'évier commun", "description": "Cave"}),
    )
    .await;
    let report_path = format!("/api/v1/reports/{}", report["id"].as_str().expect("id"));
    let member = format!("/api/v1/buildings/{}/members/{nadia}", app.tilleuls);

    // A lot or status change is an edit, audited.
    let (status, body) = app
        .send_json(
            Method::PUT,
            &member,
            Some(&manager),
            &json!({"lot": "24", "occupancy": "owner"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, members) = app
        .get_json(
            &format!("/api/v1/buildings/{}/members", app.tilleuls),
            Some(&manager),
        )
        .await;
    let row = members
        .as_array()
        .and_then(|m| m.iter().find(|m| m["person_id"] == nadia.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["lot"], "24");
    assert_eq!(row["occupancy"], "owner");
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'residence_edit' AND target_id = $1",
    )
    .bind(&nadia)
    .fetch_all(&app.state.db.pool)
    .await
    .expect("audit");
    assert!(
        audited
            .iter()
            .any(|d| d.contains("lot:23→24") && d.contains("occupancy:tenant→owner")),
        "{audited:?}"
    );

    // A referent may not end someone's residence; another agency does not see it.
    let referent = app.token(REFERENT).await;
    let (status, _) = delete(&app, &member, &referent, &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = delete(&app, &member, &other, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = delete(&app, &member, &manager, &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}", app.tilleuls),
            Some(&tenant),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "access ends at once");
    let (status, _) = app.get_json(&report_path, Some(&tenant)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, kept) = app.get_json(&report_path, Some(&manager)).await;
    assert_eq!(status, StatusCode::OK, "the report stays");
    assert_eq!(kept["author"]["name"], "Nadia Benali");
    let (status, former) = app
        .get_json(
            &format!("/api/v1/buildings/{}/former-members", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(former["items"][0]["person_id"], nadia.as_str());
    let (status, _) = delete(&app, &member, &manager, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone");
    let (_, export) = app.get_json("/api/v1/me/export", Some(&tenant)).await;
    assert_eq!(
        export["past_memberships"][0]["building_id"],
        app.tilleuls.as_str(),
        "{export}"
    );

    // The person ends their own residence too.
    let owner = app.token(OWNER).await;
    let paul = app.person_id(OWNER).await;
    let (status, _) = delete(
        &app,
        &format!("/api/v1/buildings/{}/members/{paul}", app.tilleuls),
        &owner,
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, me) = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["memberships"], json!([]));
}

#[tokio::test]
async fn the_registration_form_names_the_building_and_preselects_nothing() {
    let app = spawn_app().await;
    let code = app.building_code(&app.tilleuls).await;
    let browser = app.browser(None).await;
    let (status, html) = browser.get_text(&format!("/register?code={code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(palier::demo::TILLEULS), "names the building");
    assert!(
        !html.contains("checked"),
        "owner/tenant is an explicit choice"
    );
}

#[tokio::test]
async fn the_pages_end_a_residence_and_erase_an_account() {
    let app = spawn_app().await;
    let nadia = app.person_id(TENANT).await;
    let manager = app.browser(Some(MANAGER)).await;
    let members = format!("/buildings/{}/members", app.tilleuls);
    let (_, html) = manager.get_text(&members).await;
    assert!(
        html.contains(&format!("/members/{nadia}/end")),
        "an end form per resident"
    );
    let resp = manager
        .submit(&members, &format!("{members}/{nadia}/end"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).ends_with("notice=residence_ended"));
    let (status, html) = manager
        .get_text(&format!("/buildings/{}/former", app.tilleuls))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nadia Benali"));
    let former = format!("/buildings/{}/former", app.tilleuls);
    let erase = format!("{former}/{nadia}/erase");
    let resp = manager.submit(&former, &erase, &[]).await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "erasure asks for the box"
    );
    assert!(resp.text().await.unwrap_or_default().contains("définitif"));
    let resp = manager.submit(&former, &erase, &[("confirm", "1")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = manager.get_text(&former).await;
    assert!(html.contains("Ancien occupant") && !html.contains("Nadia Benali"));

    // The owner erases his account from "Mon compte": a wrong password is said next to
    // the field, the right one erases and logs out.
    let owner = app.browser(Some(OWNER)).await;
    let resp = owner
        .submit("/account", "/account/erase", &[("password", "wrong")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("Le mot de passe actuel est incorrect."));
    let resp = owner
        .submit("/account", "/account/erase", &[("password", PASSWORD)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/?notice=account_erased");
    let (status, _) = owner.get_text("/account").await;
    assert_ne!(status, StatusCode::OK, "logged out");

    // The only manager of an agency is told why not, on the page.
    let other = app.browser(Some(OTHER_MANAGER)).await;
    let resp = other
        .submit("/account", "/account/erase", &[("password", PASSWORD)])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("dernier gestionnaire"));
}
