//! Reports end to end over the API: creation, board, replies, visibility, search.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

pub async fn create_report(app: &TestApp, token: &str, building: &str, body: Value) -> Value {
    let (status, report) = app
        .post_json(
            &format!("/api/v1/buildings/{building}/reports"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    report
}

fn leak() -> Value {
    json!({"category": "plomberie", "location": "escalier A, 3e étage", "title": "Fuite au plafond", "description": "De l'eau coule du plafond du palier.", "urgent": false})
}

#[tokio::test]
async fn categories_carry_hints_and_stable_slugs() {
    let app = spawn_app().await;
    let (status, cats) = app
        .get_json(
            &format!("/api/v1/buildings/{}/categories", app.tilleuls),
            Some(&app.token(TENANT).await),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let slugs: Vec<&str> = cats
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["slug"].as_str())
        .collect();
    assert_eq!(
        slugs,
        [
            "plomberie",
            "electricite",
            "ascenseur",
            "chauffage",
            "acces",
            "proprete",
            "espaces-verts",
            "nuisibles",
            "securite",
            "voisins",
            "autre"
        ]
    );
    assert_eq!(cats[0]["label"], "Plomberie / fuite");
    assert!(
        cats[0]["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("réparation locative")
    );
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/categories", app.tilleuls),
            Some(&app.token(NEIGHBOUR).await),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_report_is_created_in_todo_and_only_its_building_sees_it() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = create_report(&app, &tenant, &app.tilleuls, leak()).await;
    assert_eq!(report["status"], "todo");
    assert_eq!(report["category"], "plomberie");
    assert_eq!(report["location"], "escalier A, 3e étage");
    let id = report["id"].as_str().expect("id");

    let (status, page) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?status=todo", app.tilleuls),
            Some(&app.token(OWNER).await),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"][0]["id"], id);
    assert_eq!(page["next_cursor"], Value::Null);
    let (_, page) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?status=closed", app.tilleuls),
            Some(&tenant),
        )
        .await;
    assert_eq!(page["items"], json!([]));

    let voisin = app.token(NEIGHBOUR).await;
    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{id}"), Some(&voisin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&voisin)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&voisin),
            &json!({"body": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let other = app.token(OTHER_MANAGER).await;
    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{id}"), Some(&other))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The creation is recorded as a domain event, for history and notifications.
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE report_id = $1 AND kind = 'report_created'",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("events");
    assert_eq!(events, 1);
}

#[tokio::test]
async fn bad_reports_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let path = format!("/api/v1/buildings/{}/reports", app.tilleuls);
    let cases = [
        (json!({"category": "plomberie", "title": "  "}), "title"),
        (
            json!({"category": "teleportation", "title": "Fuite"}),
            "category",
        ),
        (
            json!({"category": "plomberie", "title": "x".repeat(121)}),
            "title",
        ),
        (
            json!({"category": "plomberie", "title": "Fuite", "description": "x".repeat(10 * 1024 * 1024)}),
            "description",
        ),
        (
            json!({"category": "plomberie", "title": "Fuite", "on_behalf_of": app.person_id(OWNER).await}),
            "",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = app.post_json(&path, Some(&tenant), &body).await;
        if field.is_empty() {
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "only staff file on behalf of someone"
            );
        } else {
            assert_eq!(
                (status, err["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{err}"
            );
        }
    }
    let (status, _) = app
        .post_json(&path, Some(&tenant), &json!({"title": "no category"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn the_first_staff_reply_moves_the_report_to_in_progress() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(&app, &tenant, &app.tilleuls, leak()).await["id"]
        .as_str()
        .expect("id")
        .to_string();

    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&tenant),
            &json!({"body": "Ça coule encore."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
            .await
            .1["status"],
        "todo",
        "the author's own reply moves nothing"
    );

    let owner = app.token(OWNER).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&owner),
            &json!({"body": "Chez moi aussi"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "other occupants follow, they do not reply"
    );

    let referent = app.token(REFERENT).await;
    let (templates_status, templates) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reply-templates", app.tilleuls),
            Some(&referent),
        )
        .await;
    assert_eq!(templates_status, StatusCode::OK);
    let template = templates
        .as_array()
        .and_then(|t| t.iter().find(|t| t["title"] == "Bien pris en compte"))
        .cloned()
        .expect("seeded template");
    let (status, comment) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&referent),
            &json!({"body": template["body"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["audience"], "all");

    let (_, report) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(report["status"], "in_progress");
    assert!(report["first_response_at"].is_string());
    let kinds: Vec<&str> = report["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "report_created",
            "comment_added",
            "comment_added",
            "status_changed"
        ]
    );
    assert_eq!(report["history"][3]["actor"]["name"], "Claire Martin");
}

#[tokio::test]
async fn closing_reopening_and_comments_on_closed_reports() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(&app, &tenant, &app.tilleuls, leak()).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let owner = app.token(OWNER).await;
    assert_eq!(
        app.post_json(
            &format!("/api/v1/reports/{id}/close"),
            Some(&owner),
            &json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (status, report) = app
        .post_json(
            &format!("/api/v1/reports/{id}/close"),
            Some(&tenant),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, report["status"].as_str()),
        (StatusCode::OK, Some("closed"))
    );
    assert!(report["closed_at"].is_string());
    assert_eq!(
        app.post_json(
            &format!("/api/v1/reports/{id}/close"),
            Some(&tenant),
            &json!({})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (status, err) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&tenant),
            &json!({"body": "encore ?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        err["error"]
            .as_str()
            .unwrap_or_default()
            .contains("clôturé")
    );

    let referent = app.token(REFERENT).await;
    assert_eq!(
        app.post_json(
            &format!("/api/v1/reports/{id}/reopen"),
            Some(&referent),
            &json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, report) = app
        .post_json(
            &format!("/api/v1/reports/{id}/reopen"),
            Some(&app.token(MANAGER).await),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, report["status"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
}

#[tokio::test]
async fn staff_choose_who_sees_an_update() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(&app, &tenant, &app.tilleuls, leak()).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let manager = app.token(MANAGER).await;
    let path = format!("/api/v1/reports/{id}/comments");
    assert_eq!(
        app.post_json(
            &path,
            Some(&manager),
            &json!({"body": "Note au conseil", "audience": "council"})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let tenant_id = app.person_id(TENANT).await;
    assert_eq!(
        app.post_json(
            &path,
            Some(&manager),
            &json!({"body": "Message pour Nadia", "audience": "person", "person_id": tenant_id})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let (status, _) = app
        .post_json(
            &path,
            Some(&tenant),
            &json!({"body": "secret", "audience": "council"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only staff choose the audience"
    );

    let bodies = |report: &Value| -> Vec<String> {
        report["comments"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|x| x["body"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/reports/{id}"),
            Some(&app.token(REFERENT).await),
        )
        .await;
    assert_eq!(bodies(&seen), ["Note au conseil", "Message pour Nadia"]);
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(bodies(&seen), ["Message pour Nadia"]);
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/reports/{id}"),
            Some(&app.token(OWNER).await),
        )
        .await;
    assert!(bodies(&seen).is_empty(), "{seen}");
    assert_eq!(
        seen["history"]
            .as_array()
            .map(|h| h.iter().filter(|e| e["kind"] == "comment_added").count()),
        Some(0)
    );
}

#[tokio::test]
async fn the_private_landlord_thread_leaves_no_trace_for_the_tenant() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(&app, &tenant, &app.tilleuls, leak()).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (_, before) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;

    let manager = app.token(MANAGER).await;
    let landlord = app.token(LANDLORD).await;
    let path = format!("/api/v1/reports/{id}/comments");
    let (status, c) = app
        .post_json(
            &path,
            Some(&manager),
            &json!({"body": "Joint à la charge du locataire ?", "private_landlord": true}),
        )
        .await;
    assert_eq!(
        (status, c["audience"].as_str()),
        (StatusCode::CREATED, Some("landlord"))
    );
    assert_eq!(
        app.post_json(
            &path,
            Some(&landlord),
            &json!({"body": "Oui, à lui de payer", "private_landlord": true})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post_json(
            &path,
            Some(&tenant),
            &json!({"body": "x", "private_landlord": true})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(
            &path,
            Some(&app.token(REFERENT).await),
            &json!({"body": "x", "private_landlord": true})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (_, landlord_view) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&landlord))
        .await;
    assert_eq!(landlord_view["comments"].as_array().map(Vec::len), Some(2));
    let (_, tenant_view) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    let text = tenant_view.to_string();
    assert!(
        !text.contains("locataire ?") && !text.contains("payer") && !text.contains("landlord"),
        "{text}"
    );
    assert_eq!(
        tenant_view["history"], before["history"],
        "not even a history line"
    );
    assert_eq!(
        tenant_view["updated_at"], before["updated_at"],
        "not even the activity time"
    );
    assert_eq!(tenant_view["status"], "todo");

    // The landlord sees the reports of their lot only.
    let owner_report = create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "acces", "title": "Porte du hall bloquée"}),
    )
    .await;
    let (status, _) = app
        .get_json(
            &format!(
                "/api/v1/reports/{}",
                owner_report["id"].as_str().unwrap_or_default()
            ),
            Some(&landlord),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&landlord),
        )
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [id.as_str()]);
}

#[tokio::test]
async fn the_council_filter_keeps_referent_reports_from_the_manager_until_shared() {
    let app = spawn_app().await;
    sqlx::query("UPDATE buildings SET council_filter = 1 WHERE id = $1")
        .bind(&app.tilleuls)
        .execute(&app.state.db.pool)
        .await
        .expect("filter on");
    let referent = app.token(REFERENT).await;
    let manager = app.token(MANAGER).await;
    let kept = create_report(
        &app,
        &referent,
        &app.tilleuls,
        json!({"category": "voisins", "title": "Fête samedi soir"}),
    )
    .await;
    let kept_id = kept["id"].as_str().expect("id");
    assert_eq!(kept["shared_with_manager"], false);
    let shared = create_report(
        &app,
        &referent,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur en panne", "share_with_manager": true}),
    )
    .await;
    // Occupants' reports are not filtered.
    let occupant_report = create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "proprete", "title": "Hall sale"}),
    )
    .await;

    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&manager),
        )
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&shared["id"].as_str().unwrap_or_default())
            && ids.contains(&occupant_report["id"].as_str().unwrap_or_default())
    );
    assert!(!ids.contains(&kept_id));
    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{kept_id}"), Some(&manager))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_json(
            &format!("/api/v1/reports/{kept_id}"),
            Some(&app.token(OWNER).await)
        )
        .await
        .0,
        StatusCode::OK
    );

    assert_eq!(
        app.post_json(
            &format!("/api/v1/reports/{kept_id}/share"),
            Some(&app.token(OWNER).await),
            &json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, report) = app
        .post_json(
            &format!("/api/v1/reports/{kept_id}/share"),
            Some(&referent),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, report["shared_with_manager"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{kept_id}"), Some(&manager))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn removal_as_abuse_hides_the_report_from_occupants_and_keeps_it_for_audit() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let id = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "autre", "title": "Insultes envers un voisin"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/api/v1/reports/{id}/remove");
    assert_eq!(
        app.post_json(&path, Some(&owner), &json!({"reason": "oups"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let referent = app.token(REFERENT).await;
    let (status, err) = app
        .post_json(&path, Some(&referent), &json!({"reason": " "}))
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let (status, report) = app
        .post_json(
            &path,
            Some(&referent),
            &json!({"reason": "Contraire à la charte"}),
        )
        .await;
    assert_eq!(
        (status, report["removed"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    assert_eq!(
        app.get_json(&format!("/api/v1/reports/{id}"), Some(&owner))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&app.token(TENANT).await),
        )
        .await;
    assert_eq!(list["items"], json!([]));
    let (status, seen) = app
        .get_json(
            &format!("/api/v1/reports/{id}"),
            Some(&app.token(MANAGER).await),
        )
        .await;
    assert_eq!(
        (status, seen["removed_reason"].as_str()),
        (StatusCode::OK, Some("Contraire à la charte"))
    );
    assert!(
        seen["history"]
            .as_array()
            .is_some_and(|h| h.iter().any(|e| e["kind"] == "report_removed"))
    );
}

#[tokio::test]
async fn search_folds_accents_and_apostrophes_and_includes_closed_reports() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let target = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite d’eau au 3ème", "location": "Escalier B"}),
    )
    .await;
    create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let id = target["id"].as_str().expect("id");
    app.post_json(
        &format!("/api/v1/reports/{id}/close"),
        Some(&tenant),
        &json!({}),
    )
    .await;

    for q in ["fuite d'eau", "FUITE", "3eme", "escalier b", "fuit"] {
        let (status, found) = app
            .get_json(
                &format!(
                    "/api/v1/buildings/{}/reports?q={}",
                    app.tilleuls,
                    q.replace(' ', "%20")
                ),
                Some(&tenant),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = found["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(ids, [id], "query {q:?}");
    }
    let (_, found) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?q=gaz", app.tilleuls),
            Some(&tenant),
        )
        .await;
    assert_eq!(found["items"], json!([]));
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?status=lost", app.tilleuls),
            Some(&tenant),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn similar_open_reports_are_suggested_and_can_be_followed() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let existing = create_report(&app, &owner, &app.tilleuls, leak()).await;
    create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "espaces-verts", "title": "Haie à tailler"}),
    )
    .await;
    let tenant = app.token(TENANT).await;
    let (status, similar) = app
        .get_json(&format!("/api/v1/buildings/{}/reports/similar?title=fuite%20plafond&category=plomberie&location=escalier%20A", app.tilleuls), Some(&tenant))
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = similar
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [existing["id"].as_str().unwrap_or_default()]);

    let (status, followed) = app
        .post_json(
            &format!(
                "/api/v1/reports/{}/follow",
                existing["id"].as_str().unwrap_or_default()
            ),
            Some(&tenant),
            &json!({}),
        )
        .await;
    assert_eq!(
        (
            status,
            followed["following"].as_bool(),
            followed["follower_count"].as_i64()
        ),
        (StatusCode::OK, Some(true), Some(2))
    );
    // Closed reports are not suggested.
    app.post_json(
        &format!(
            "/api/v1/reports/{}/close",
            existing["id"].as_str().unwrap_or_default()
        ),
        Some(&owner),
        &json!({}),
    )
    .await;
    let (_, similar) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/reports/similar?title=fuite%20plafond&category=plomberie",
                app.tilleuls
            ),
            Some(&tenant),
        )
        .await;
    assert_eq!(similar, json!([]));
}

#[tokio::test]
async fn the_board_is_paginated_newest_activity_first() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let mut created = Vec::new();
    for i in 0..25 {
        let r = create_report(
            &app,
            &tenant,
            &app.tilleuls,
            json!({"category": "autre", "title": format!("Problème {i}")}),
        )
        .await;
        created.push(r["id"].as_str().unwrap_or_default().to_string());
    }
    let base = format!("/api/v1/buildings/{}/reports?status=todo", app.tilleuls);
    let (_, first) = app.get_json(&base, Some(&tenant)).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(20));
    let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
    let (_, second) = app
        .get_json(&format!("{base}&cursor={cursor}"), Some(&tenant))
        .await;
    assert_eq!(second["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(second["next_cursor"], Value::Null);
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .into_iter()
        .chain(second["items"].as_array())
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(seen.first(), created.last(), "newest first");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25, "no report twice, none missing");
    assert_eq!(
        app.get_json(&format!("{base}&cursor=garbage"), Some(&tenant))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn staff_file_on_behalf_of_an_occupant_and_urgent_reports_record_an_event() {
    let app = spawn_app().await;
    let caretaker = app.token(CARETAKER).await;
    let tenant_id = app.person_id(TENANT).await;
    let report = create_report(
        &app,
        &caretaker,
        &app.tilleuls,
        json!({"category": "chauffage", "title": "Plus de chauffage", "urgent": true, "on_behalf_of": tenant_id}),
    )
    .await;
    assert_eq!(report["concerned"]["name"], "Nadia Benali");
    assert_eq!(report["author"]["name"], "Jean Moreau");
    assert_eq!(report["urgent"], true);
    let id = report["id"].as_str().expect("id");
    // The person concerned has the author's rights.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/close"),
            Some(&app.token(TENANT).await),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let urgent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE report_id = $1 AND kind = 'urgent_report'",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("events");
    assert_eq!(urgent, 1);
    let voisin = app.person_id(NEIGHBOUR).await;
    let (status, err) = app
        .post_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&caretaker),
            &json!({"category": "autre", "title": "x", "on_behalf_of": voisin}),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("on_behalf_of"))
    );
}
