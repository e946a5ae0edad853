//! Work orders at scale (issue 12 item 6): lists by cursor with building, report title and
//! days without acknowledgment; filters; reactivity computed by the database over every
//! work order (no 200-row cap); W6 chasing an acknowledged order without a date.

use palier::clock::{Clock, DAY_MS, HOUR_MS};
use palier::db::work_orders as wdb;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;
use crate::work_orders::{add_provider, provider_token, ts};

async fn send(app: &TestApp, token: &str, report: &str, provider: &str) -> Value {
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{report}/work-orders"),
            Some(token),
            &json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    wo
}

#[tokio::test]
async fn lists_page_by_cursor_with_building_report_and_waiting_days() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let neighbour = app.token(NEIGHBOUR).await;
    let lift = add_provider(
        &app,
        &manager,
        "Ascenseurs Dupont",
        "dupont@ascenseurs.test",
    )
    .await;
    let glass = add_provider(&app, &manager, "Vitrerie Claire", "claire@vitrerie.test").await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let (token, building) = if i % 2 == 0 {
            (&tenant, &app.tilleuls)
        } else {
            (&neighbour, &app.vignes)
        };
        let report = create_report(
            &app,
            token,
            building,
            json!({"category": "ascenseur", "title": format!("Panne numéro {i}")}),
        )
        .await;
        let provider = if i < 3 { &lift } else { &glass };
        let wo = send(&app, &manager, report["id"].as_str().expect("id"), provider).await;
        sent.push(wo);
        clock.set(clock.now_ms() + HOUR_MS);
    }
    // The lift company acknowledges its first order.
    let first_ref = sent[0]["reference"].as_str().expect("reference");
    let link = provider_token(&app, "dupont@ascenseurs.test", first_ref).await;
    let (status, _) = app
        .post_json(&format!("/api/v1/p/{link}/acknowledge"), None, &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Three days later.
    clock.set(ts("2026-11-26T12:00:00Z"));

    let mut seen: Vec<Value> = Vec::new();
    let mut path = "/api/v1/work-orders?limit=2".to_string();
    for _ in 0..5 {
        let (status, page) = app.get_json(&path, Some(&manager)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/work-orders?limit=2&cursor={c}"),
            None => break,
        }
    }
    let titles: Vec<&str> = seen
        .iter()
        .map(|w| w["report_title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        [
            "Panne numéro 4",
            "Panne numéro 3",
            "Panne numéro 2",
            "Panne numéro 1",
            "Panne numéro 0"
        ],
        "newest first, each once"
    );
    assert_eq!(seen[0]["building_name"], "Résidence des Tilleuls");
    assert_eq!(seen[1]["building_name"], "Le Clos des Vignes");
    assert_eq!(seen[4]["status"], "acknowledged");
    assert!(seen[4]["not_acknowledged_days"].is_null());
    // Sent on the 23rd at 10:00 (the second one), it is the 26th at noon: 3 whole days.
    assert_eq!(seen[3]["not_acknowledged_days"], 3);

    // Filters: building, provider, status, and the building's own list.
    let count = |v: &Value| v["items"].as_array().map(Vec::len);
    let (_, page) = app
        .get_json(
            &format!("/api/v1/work-orders?building_id={}", app.vignes),
            Some(&manager),
        )
        .await;
    assert_eq!(count(&page), Some(2));
    let (_, page) = app
        .get_json(
            &format!("/api/v1/work-orders?provider_id={glass}"),
            Some(&manager),
        )
        .await;
    assert_eq!(count(&page), Some(2));
    let (_, page) = app
        .get_json(
            &format!("/api/v1/work-orders?provider_id={lift}&status=sent"),
            Some(&manager),
        )
        .await;
    assert_eq!(count(&page), Some(2));
    let (_, page) = app
        .get_json(
            &format!("/api/v1/buildings/{}/work-orders?limit=1", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(count(&page), Some(1));
    assert!(page["next_cursor"].is_string());
    for bad in ["cursor=x", "status=lost", "from=hier"] {
        let (status, _) = app
            .get_json(&format!("/api/v1/work-orders?{bad}"), Some(&manager))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // Managers only; another agency's building is not found.
    let (status, _) = app.get_json("/api/v1/work-orders", Some(&tenant)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = app
        .get_json(
            &format!("/api/v1/work-orders?building_id={}", app.tilleuls),
            Some(&other),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The page: building, report, the waiting badge, the provider filter.
    let browser = app.browser(Some(MANAGER)).await;
    let (status, html) = browser
        .get_text(&format!("/work-orders?provider={lift}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Panne numéro 2") && !html.contains("Panne numéro 3"));
    assert!(html.contains("Le Clos des Vignes"));
    assert!(html.contains("Non pris en compte depuis 3 j"), "{html}");
}

#[tokio::test]
async fn reactivity_counts_every_work_order_not_the_latest_200() {
    let base = ts("2026-01-05T09:00:00Z");
    let app = spawn_app_with(Clock::fixed(base)).await;
    let manager = app.token(MANAGER).await;
    let provider = add_provider(
        &app,
        &manager,
        "Ascenseurs Dupont",
        "dupont@ascenseurs.test",
    )
    .await;
    let report = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur"}),
    )
    .await;
    let report_id = report["id"].as_str().expect("id");
    let pool = &app.state.db.pool;
    let building = palier::db::buildings::by_id(pool, &app.tilleuls)
        .await
        .expect("db")
        .expect("building");
    let creator = app.person_id(MANAGER).await;
    // 250 orders: the 50 oldest acknowledged after 10 hours, the 200 newest after 1 hour;
    // the first 100 done (the oldest 40 in one visit).
    for i in 0..250i64 {
        let id = palier::db::new_id();
        let created = base + i * HOUR_MS;
        wdb::insert(
            pool,
            wdb::NewWorkOrder {
                id: &id,
                agency_id: &building.agency_id,
                building_id: &app.tilleuls,
                report_id,
                provider_id: &provider,
                seq: 1000 + i,
                reference: &format!("OS-T-{i}"),
                description: "",
                desired_date: "",
                priority: "normal",
                pdf_key: "none",
                attached: true,
                token_hash: &format!("hash-{i}"),
                token_expires_at: created + 30 * DAY_MS,
                created_by: &creator,
                now: created,
            },
        )
        .await
        .expect("insert");
        let ack = if i < 50 { 10 } else { 1 };
        wdb::acknowledge(pool, &id, created + ack * HOUR_MS)
            .await
            .expect("ack");
        if i < 100 {
            wdb::record_visit(pool, &id, i < 40, created + 24 * HOUR_MS)
                .await
                .expect("visit");
            if i >= 40 {
                wdb::record_visit(pool, &id, true, created + 48 * HOUR_MS)
                    .await
                    .expect("visit");
            }
        }
    }
    let (status, stats) = app
        .get_json(
            &format!("/api/v1/providers/{provider}/stats"),
            Some(&manager),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["work_orders"], 250);
    assert_eq!(stats["median_hours_to_acknowledge"], 1.0);
    // Nearest rank: the 225th of 250 delays sorted, past the 200 one-hour ones.
    assert_eq!(stats["p90_hours_to_acknowledge"], 10.0);
    assert_eq!(stats["average_reminders"], 0.0);
    assert_eq!(stats["done_first_visit"], 0.4);
    // Done: 40 after 24 h, 60 after 48 h: median (50th of 100) 48 h.
    assert_eq!(stats["median_hours_to_intervention"], 48.0);
    assert_eq!(stats["p90_hours_to_intervention"], 48.0);
    let (status, trades) = app
        .get_json("/api/v1/provider-stats/trades", Some(&manager))
        .await;
    assert_eq!(status, StatusCode::OK, "{trades}");
    let lift = trades
        .as_array()
        .and_then(|t| t.iter().find(|t| t["work_orders"] == 250))
        .expect("the provider's trade");
    assert_eq!(lift["median_hours_to_acknowledge"], 1.0);
}

#[tokio::test]
async fn an_acknowledged_order_without_a_date_is_chased_then_escalated() {
    // Monday 23 November 2026.
    let start = ts("2026-11-23T09:00:00Z");
    let clock = Clock::fixed(start);
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let slow = add_provider(&app, &manager, "Entreprise Lente", "lente@test.test").await;
    let quick = add_provider(&app, &manager, "Entreprise Rapide", "rapide@test.test").await;
    let tenant = app.token(TENANT).await;
    let r1 = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "autre", "title": "Porte"}),
    )
    .await;
    let r2 = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "autre", "title": "Fenêtre"}),
    )
    .await;
    let a = send(&app, &manager, r1["id"].as_str().expect("id"), &slow).await;
    let b = send(&app, &manager, r2["id"].as_str().expect("id"), &quick).await;
    let link_a = provider_token(&app, "lente@test.test", a["reference"].as_str().expect("r")).await;
    let link_b = provider_token(
        &app,
        "rapide@test.test",
        b["reference"].as_str().expect("r"),
    )
    .await;
    for link in [&link_a, &link_b] {
        let (status, _) = app
            .post_json(&format!("/api/v1/p/{link}/acknowledge"), None, &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // The quick one confirms a date on Tuesday: nothing more to chase for it.
    clock.set(start + DAY_MS);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{link_b}/schedule"),
            None,
            &json!({"date": "2026-12-10T09:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let chased = |who: &str| {
        app.mails_to(who)
            .into_iter()
            .filter(|m| m.starts_with("Relance : date d’intervention"))
            .count()
    };
    // Wednesday (two working days): the first reminder; Friday: the second.
    clock.set(start + 2 * DAY_MS);
    eventually("first date reminder", || async {
        chased("lente@test.test") == 1
    })
    .await;
    clock.set(start + 4 * DAY_MS);
    eventually("second date reminder", || async {
        chased("lente@test.test") == 2
    })
    .await;
    // The next Tuesday: escalation to the manager, no third reminder.
    clock.set(start + 8 * DAY_MS + HOUR_MS);
    let escalation = app.wait_for_mail(MANAGER, "Pas de date").await;
    assert!(escalation.contains("Entreprise Lente"), "{escalation}");
    // The visit reminders of the confirmed order wait for December: the queue is not
    // empty, so give the worker a moment instead.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(chased("lente@test.test"), 2);
    assert_eq!(
        chased("rapide@test.test"),
        0,
        "a confirmed date stops the chase"
    );
    let (_, wo) = app
        .get_json(
            &format!("/api/v1/work-orders/{}", a["id"].as_str().expect("id")),
            Some(&manager),
        )
        .await;
    assert_eq!(wo["reminders_sent"], 2);
}
