//! The HTML pages, driven as a browser would: cookies, CSRF tokens, redirects.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_new_occupant_registers_with_the_code_and_lands_in_their_building() {
    let app = spawn_app().await;
    let code = app.building_code(&app.tilleuls).await;
    let browser = app.browser(None).await;
    let (status, form) = browser.get_text(&format!("/register?code={code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(&format!("value=\"{code}\"")),
        "the code from the poster link is filled in"
    );

    let fields = [
        ("code", code.as_str()),
        ("name", "Léa Petit"),
        ("email", "lea@example.test"),
        ("password", "mot-de-passe-long"),
        ("lot", "31"),
        ("occupancy", "owner"),
    ];
    // Without the charter: the form comes back with what was typed and the error.
    let resp = browser.submit("/register", "/register", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.expect("body");
    assert!(
        html.contains("Vous devez accepter la charte"),
        "error shown next to the field"
    );
    assert!(
        html.contains("value=\"Léa Petit\""),
        "what was typed is kept"
    );

    let mut with_charter = fields.to_vec();
    with_charter.push(("accept_charter", "1"));
    let resp = browser
        .submit("/register", "/register", &with_charter)
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&resp),
        format!("/buildings/{}?notice=registered", app.tilleuls)
    );
    let (status, html) = browser.get_text(&location(&resp)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Résidence des Tilleuls") && html.contains("Bienvenue"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let browser = app.browser(Some(MANAGER)).await;
    let resp = browser
        .client
        .post(format!(
            "{}/buildings/{}/settings",
            app.address, app.tilleuls
        ))
        .form(&[("name", "Piraté"), ("address", "x"), ("lots_count", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = browser
        .client
        .post(format!(
            "{}/buildings/{}/settings",
            app.address, app.tilleuls
        ))
        .form(&[
            ("name", "Piraté"),
            ("address", "x"),
            ("lots_count", "1"),
            ("csrf", "0".repeat(64).as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let name = palier::db::buildings::by_id(&app.state.db.pool, &app.tilleuls)
        .await
        .expect("q")
        .expect("b")
        .name;
    assert_eq!(name, "Résidence des Tilleuls");
}

#[tokio::test]
async fn login_logout_and_protected_pages() {
    let app = spawn_app().await;
    let anonymous = app.browser(None).await;
    let resp = anonymous.get("/buildings").await;
    assert_eq!(location(&resp), "/login?next=/buildings");

    let resp = anonymous
        .submit(
            "/login",
            "/login",
            &[("email", OWNER), ("password", "mauvais mot de passe")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("Adresse e-mail ou mot de passe incorrect")
    );

    let browser = app.browser(Some(OWNER)).await;
    let (status, html) = browser.get_text("/buildings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Résidence des Tilleuls") && !html.contains("Clos des Vignes"));

    let (status, html) = browser
        .get_text(&format!("/buildings/{}", app.vignes))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("n’existe pas"));
    assert!(
        html.contains("Mon compte"),
        "the error page keeps the signed-in header"
    );
    let (status, _) = browser
        .get_text(&format!("/buildings/{}/members", app.tilleuls))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let resp = browser.submit("/buildings", "/logout", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = browser.get("/buildings").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "the session is over");
}

#[tokio::test]
async fn the_manager_promotes_a_referent_from_the_members_page() {
    let app = spawn_app().await;
    let browser = app.browser(Some(MANAGER)).await;
    let members = format!("/buildings/{}/members", app.tilleuls);
    let (status, html) = browser.get_text(&members).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nadia Benali") && html.contains("Locataire") && html.contains("🦉"));

    let tenant = app.person_id(TENANT).await;
    let resp = browser
        .submit(
            &members,
            &format!("{members}/{tenant}/role"),
            &[("role", "referent"), ("kind", "caretaker")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let token = app.token(TENANT).await;
    let (_, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (
            me["memberships"][0]["role"].as_str(),
            me["memberships"][0]["referent_kind"].as_str()
        ),
        (Some("referent"), Some("caretaker"))
    );

    // A referent sees the list but has no role buttons, and cannot post the form.
    let referent = app.browser(Some(REFERENT)).await;
    let (status, html) = referent.get_text(&members).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("/role\""));
    let owner = app.person_id(OWNER).await;
    let resp = referent
        .submit(
            &members,
            &format!("{members}/{owner}/role"),
            &[("role", "referent")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn settings_are_validated_and_saved_for_managers_only() {
    let app = spawn_app().await;
    let settings = format!("/buildings/{}/settings", app.tilleuls);
    let referent = app.browser(Some(REFERENT)).await;
    assert_eq!(
        referent.get(&settings).await.status(),
        StatusCode::FORBIDDEN
    );

    let browser = app.browser(Some(MANAGER)).await;
    let (_, html) = browser.get_text(&settings).await;
    let code = app.building_code(&app.tilleuls).await;
    assert!(
        html.contains(&code),
        "the manager sees the registration code"
    );

    let resp = browser
        .submit(
            &settings,
            &settings,
            &[
                ("name", "Tilleuls B"),
                ("address", ""),
                ("lots_count", "40"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("value=\"Tilleuls B\"")
    );

    let resp = browser
        .submit(
            &settings,
            &settings,
            &[
                ("name", "Tilleuls B"),
                ("address", "12 rue des Tilleuls"),
                ("lots_count", "41"),
                ("access_codes", "Digicode 9999"),
                ("council_filter", "1"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let b = palier::db::buildings::by_id(&app.state.db.pool, &app.tilleuls)
        .await
        .expect("q")
        .expect("b");
    assert_eq!(
        (
            b.name.as_str(),
            b.lots_count,
            b.access_codes.as_str(),
            b.council_filter
        ),
        ("Tilleuls B", 41, "Digicode 9999", 1)
    );
}

#[tokio::test]
async fn language_switch_and_password_change() {
    let app = spawn_app().await;
    let browser = app.browser(Some(OWNER)).await;
    let other = app.browser(Some(OWNER)).await;
    let resp = browser.get("/lang/en?next=/account").await;
    assert_eq!(location(&resp), "/account");
    let (_, html) = browser.get_text("/account").await;
    assert!(html.contains("My account") && html.contains("lang=\"en\""));

    let resp = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "wrong one!!"),
                ("new_password", "tout-nouveau-mdp"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("The current password is wrong")
    );

    let resp = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "tout-nouveau-mdp"),
            ],
        )
        .await;
    assert_eq!(location(&resp), "/account?notice=password_changed");
    assert_eq!(
        browser.get("/account").await.status(),
        StatusCode::OK,
        "this session stays open"
    );
    assert_eq!(
        other.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "other sessions are closed"
    );
}
