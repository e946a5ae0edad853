//! A building's statistics and the CSV exports (issue 12 item 3, D2, D3): the Tilleuls'
//! figures against a hand count, the CSV read back, who may see them.

use palier::clock::{Clock, HOUR_MS};
use reqwest::StatusCode;
use serde_json::json;

use crate::dashboard::at;
use crate::helpers::*;
use crate::reports::create_report;

/// Files the Tilleuls' reports of the hand count, answering and closing them as the clock
/// moves; returns the app at 21 November 2026, 10:00 UTC.
async fn tilleuls_history() -> TestApp {
    let clock = Clock::fixed(at("2026-08-30T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let tenant = app.token(TENANT).await;
    let referent = app.token(REFERENT).await;
    let manager = app.token(MANAGER).await;
    // (filed at, category, place, hours to the first answer, hours to closing)
    type Line = (
        &'static str,
        &'static str,
        &'static str,
        Option<i64>,
        Option<i64>,
    );
    let history: [Line; 6] = [
        ("2026-08-30T09:00:00Z", "plomberie", "Cave", Some(1), None), // before the period
        (
            "2026-09-10T09:00:00Z",
            "plomberie",
            "Cave",
            Some(2),
            Some(10),
        ),
        (
            "2026-10-05T09:00:00Z",
            "plomberie",
            "Cave",
            Some(50),
            Some(100),
        ),
        ("2026-10-20T09:00:00Z", "electricite", "Hall", Some(4), None),
        ("2026-11-02T09:00:00Z", "ascenseur", "Hall", None, None),
        ("2026-11-20T09:00:00Z", "plomberie", "Cave", None, None),
    ];
    for (filed, category, place, answer, close) in history {
        let start = at(filed);
        clock.set(start);
        let id = create_report(
            &app,
            &tenant,
            &app.tilleuls,
            json!({"category": category, "location_part": place, "title": format!("{category} {filed}")}),
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_string();
        if let Some(h) = answer {
            clock.set(start + h * HOUR_MS);
            let (status, _) = app
                .post_json(
                    &format!("/api/v1/reports/{id}/comments"),
                    Some(&referent),
                    &json!({"body": "Pris en charge."}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
        if let Some(h) = close {
            clock.set(start + h * HOUR_MS);
            let (status, _) = app
                .post_json(
                    &format!("/api/v1/reports/{id}/close"),
                    Some(&manager),
                    &json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    clock.set(at("2026-11-21T10:00:00Z"));
    app
}

#[tokio::test]
async fn the_tilleuls_statistics_match_a_hand_count() {
    let app = tilleuls_history().await;
    let path = format!(
        "/api/v1/buildings/{}/stats?from=2026-09-01&to=2026-11-30",
        app.tilleuls
    );
    for who in [MANAGER, REFERENT] {
        let (status, stats) = app.get_json(&path, Some(&app.token(who).await)).await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(
            stats,
            json!({
                "reports_per_month": [
                    {"month": "2026-09", "count": 1},
                    {"month": "2026-10", "count": 2},
                    {"month": "2026-11", "count": 2},
                ],
                "per_category": [
                    {"category": "plomberie", "count": 3},
                    {"category": "ascenseur", "count": 1},
                    {"category": "electricite", "count": 1},
                ],
                // Answers after 2, 4 and 50 hours; closings after 10 and 100 hours.
                "median_first_answer_hours": 4.0,
                "median_close_hours": 55.0,
                // Answered in time: 2 of 3 answered plus 1 overdue without answer.
                "first_answer_on_time_pct": 50.0,
                "recurrent": [{"category": "plomberie", "location": "Cave", "count": 3}],
            }),
            "{who}"
        );
    }
    // The August report counts when the period includes it.
    let (_, stats) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/stats?from=2026-08-01&to=2026-08-31",
                app.tilleuls
            ),
            Some(&app.token(MANAGER).await),
        )
        .await;
    assert_eq!(
        stats["reports_per_month"],
        json!([{"month": "2026-08", "count": 1}])
    );
    assert_eq!(stats["median_close_hours"], json!(null));

    // The charts page: SVG bars, each chart with its table.
    let browser = app.browser(Some(REFERENT)).await;
    let (status, html) = browser
        .get_text(&format!(
            "/buildings/{}/stats?from=2026-09-01&to=2026-11-30",
            app.tilleuls
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("chart-bar"));
    assert!(
        html.contains("<th scope=\"row\">2026-10</th><td>2</td>"),
        "{html}"
    );
    assert!(html.contains("Électricité"));
    assert!(html.contains("4,0 h") && html.contains("55,0 h") && html.contains("50,0 %"));
}

#[tokio::test]
async fn statistics_refuse_residents_foreign_managers_and_bad_dates() {
    let app = spawn_app().await;
    let path = format!("/api/v1/buildings/{}/stats", app.tilleuls);
    for who in [TENANT, OWNER, LANDLORD] {
        let token = app.token(who).await;
        let (status, _) = app.get_json(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let resp = app
            .client
            .get(app.url(&format!("{path}.csv")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("csv");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = app.get_json(&path, Some(&other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let manager = app.token(MANAGER).await;
    let (status, stats) = app.get_json(&path, Some(&manager)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        stats["reports_per_month"].as_array().map(Vec::len),
        Some(12),
        "twelve months by default, empty ones included"
    );
    for query in [
        "from=2026-13-01",
        "from=26/11/2026",
        "from=2026-05-01&to=2026-04-01",
    ] {
        let (status, err) = app
            .get_json(&format!("{path}?{query}"), Some(&manager))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(err["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

#[tokio::test]
async fn the_csv_exports_keep_accents_bom_and_semicolons() {
    let app = tilleuls_history().await;
    let manager = app.token(MANAGER).await;
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/buildings/{}/stats.csv?from=2026-09-01&to=2026-11-30",
            app.tilleuls
        )))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/csv"))
    );
    let bytes = resp.bytes().await.expect("body");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let rows: Vec<Vec<&str>> = text
        .split("\r\n")
        .map(|line| line.split(';').collect())
        .collect();
    assert_eq!(rows[0], vec!["Immeuble", "Résidence des Tilleuls"]);
    assert!(rows.contains(&vec!["2026-10", "2"]));
    assert!(rows.contains(&vec!["Électricité / éclairage", "1"]));
    assert!(rows.contains(&vec!["Délai médian de première réponse (heures)", "4,0"]));
    assert!(rows.contains(&vec!["Plomberie / fuite", "Cave", "3"]));

    let resp = app
        .client
        .get(app.url("/api/v1/dashboard.csv"))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.expect("body");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(|l| l.split(';').count()),
        Some(8),
        "{text}"
    );
    assert!(text.contains("À traiter"), "{text}");
    // Tilleuls by the hand count: 40 lots; August's and October 20th's answered (in
    // progress), September's and October 5th's closed, November's two to do, one overdue.
    assert!(
        text.lines()
            .any(|l| l == "Résidence des Tilleuls;40;2;2;2;1;0;0"),
        "{text}"
    );
}

/// The rollups the triggers keep (migrations 0037, 0038) equal a count over the reports
/// after answers, closings, status changes, a change of category and place, a council
/// filter, a removal, a due time taken away and a deletion; the histogram medians agree with the exact ones to the bucket.
#[tokio::test]
async fn the_statistics_rollups_follow_every_change_of_a_report() {
    let app = tilleuls_history().await;
    let pool = &app.state.db.pool;
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM reports WHERE building_id = $1 ORDER BY created_at")
            .bind(&app.tilleuls)
            .fetch_all(pool)
            .await
            .expect("reports");
    assert!(ids.len() >= 6, "{ids:?}");
    for sql in [
        "UPDATE reports SET category = 'ascenseur', location_part = 'Toit' WHERE id = $1",
        "UPDATE reports SET manager_visible = 0 WHERE id = $1",
        "UPDATE reports SET removed_at = 1 WHERE id = $1",
        "UPDATE reports SET first_response_at = created_at + 3600000, closed_at = created_at + 7200000 WHERE id = $1",
        "UPDATE reports SET removed_at = NULL WHERE id = $1",
        "UPDATE reports SET due_at = NULL WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(&ids[1])
            .execute(pool)
            .await
            .expect(sql);
    }
    sqlx::query("UPDATE reports SET removed_at = 5 WHERE id = $1")
        .bind(&ids[2])
        .execute(pool)
        .await
        .expect("remove");
    // A report without dependants, inserted and deleted (a deletion takes its share back).
    for sql in [
        "INSERT INTO reports (id, building_id, author_id, concerned_id, category, title, \
         description, location_part, status, created_at, updated_at, due_at, first_response_at) \
         SELECT 'rtmp', building_id, author_id, concerned_id, 'chauffage', title, description, \
         'Cave', status, created_at, updated_at, due_at, first_response_at FROM reports WHERE id = $1",
        "INSERT INTO reports (id, building_id, author_id, concerned_id, category, title, \
         description, location_part, status, created_at, updated_at, due_at, first_response_at) \
         SELECT 'rdel', building_id, author_id, concerned_id, 'chauffage', title, description, \
         'Cave', status, created_at, updated_at, due_at, first_response_at FROM reports WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(&ids[0])
            .execute(pool)
            .await
            .expect(sql);
    }
    let deleted = sqlx::query("DELETE FROM reports WHERE id = 'rdel'")
        .execute(pool)
        .await
        .expect("delete")
        .rows_affected();
    assert_eq!(deleted, 1);
    let counted = |sql: &'static str| async move {
        let rows: Vec<(String, i64, String, String, i64, i64)> =
            sqlx::query_as(sql).fetch_all(pool).await.expect(sql);
        rows
    };
    // (building, day, category, place, visible, count) over the reports and in the rollup.
    let live = counted(
        "SELECT building_id, created_at / 86400000, category, location_part, manager_visible, \
         COUNT(*) * 10000 + COUNT(first_response_at) * 1000 + COUNT(closed_at) * 100 \
         + SUM(CASE WHEN first_response_at <= due_at THEN 1 ELSE 0 END) * 10 \
         + SUM(CASE WHEN first_response_at IS NOT NULL AND due_at IS NOT NULL THEN 1 ELSE 0 END) \
         + COUNT(due_at) * 100000 \
         FROM reports WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
    )
    .await;
    let rolled = counted(
        // PostgreSQL keeps a key's counts in several slots (migration 0039): summed.
        "SELECT building_id, day, category, location_part, manager_visible, CAST(SUM(\
         n * 10000 + answered * 1000 + closed * 100 + on_time * 10 + answered_due + due * 100000) \
         AS BIGINT) FROM report_days GROUP BY 1, 2, 3, 4, 5 \
         HAVING SUM(n) <> 0 OR SUM(answered) <> 0 OR SUM(closed) <> 0 ORDER BY 1, 2, 3, 4, 5",
    )
    .await;
    assert_eq!(rolled, live);
    assert!(live.iter().any(|r| r.2 == "ascenseur" && r.3 == "Toit"));

    let quarters = |sql: &'static str| async move {
        let rows: Vec<(String, i64, i64, i64)> =
            sqlx::query_as(sql).fetch_all(pool).await.expect(sql);
        rows
    };
    assert_eq!(
        quarters(
            "SELECT building_id, quarter, manager_visible, CAST(SUM(n) AS BIGINT) \
             FROM report_quarters GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3"
        )
        .await,
        quarters(
            "SELECT building_id, created_at / 900000, manager_visible, COUNT(*) FROM reports \
             WHERE removed_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        .await
    );
    let statuses = |sql: &'static str| async move {
        let rows: Vec<(String, String, i64, i64, i64)> =
            sqlx::query_as(sql).fetch_all(pool).await.expect(sql);
        rows
    };
    sqlx::query("UPDATE reports SET status = 'closed', urgent = 1 WHERE id = $1")
        .bind(&ids[4])
        .execute(pool)
        .await
        .expect("close");
    assert_eq!(
        statuses(
            "SELECT building_id, status, urgent, manager_visible, CAST(SUM(n) AS BIGINT) \
             FROM report_status_counts GROUP BY 1, 2, 3, 4 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4"
        )
        .await,
        statuses(
            "SELECT building_id, status, urgent, manager_visible, COUNT(*) FROM reports \
             WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        .await
    );
    let durations: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT which, CAST(SUM(n) AS BIGINT) FROM report_durations GROUP BY which ORDER BY which",
    )
    .fetch_all(pool)
    .await
    .expect("durations");
    let answered: i64 =
        sqlx::query_scalar("SELECT COUNT(first_response_at) FROM reports WHERE removed_at IS NULL")
            .fetch_one(pool)
            .await
            .expect("answered");
    let closed: i64 =
        sqlx::query_scalar("SELECT COUNT(closed_at) FROM reports WHERE removed_at IS NULL")
            .fetch_one(pool)
            .await
            .expect("closed");
    assert_eq!(durations, vec![(0, answered), (1, closed)]);

    // The histogram medians (long periods) against the exact ones, to the bucket.
    use palier::db::stats::{self, Duration, Scope};
    let scope = Scope {
        building_id: &app.tilleuls,
        from: at("2026-08-01T00:00:00Z") + 1_800_000,
        to: at("2026-11-30T23:00:00Z"),
        council_too: true,
    };
    for which in [Duration::FirstAnswer, Duration::Close] {
        let summary = stats::summary(pool, &scope).await.expect("summary");
        let n = match which {
            Duration::FirstAnswer => summary.answered,
            Duration::Close => summary.closed,
        };
        let exact = stats::exact_median_ms(pool, &scope, which, n)
            .await
            .expect("exact")
            .expect("a median");
        let histogram = stats::histogram(pool, &scope, which)
            .await
            .expect("histogram");
        assert_eq!(histogram.iter().map(|(_, n)| n).sum::<i64>(), n);
        let approx = stats::histogram_median(&histogram).expect("a median");
        assert!(
            (approx - exact).abs() <= 360_000.0,
            "{which:?}: {approx} against {exact}"
        );
    }
}
