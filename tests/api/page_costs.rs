//! What keeps a page's cost independent of the table (issue 17), checked for results, not
//! for time: the board's search plans agree with each other, the bell's count is capped,
//! card counts are kept by the database.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Inserts `count` reports in `building` straight into the database, newest last, with
/// "immeuble" in every one, "zinguerie" in the ones whose number is a multiple of 10,000
/// and "ancien" in all but the newest 2,500.
async fn bulk_reports(app: &TestApp, building: &str, author: &str, count: i64) {
    let now = app.state.clock.now_ms();
    sqlx::query(
        "INSERT INTO reports (id, building_id, author_id, concerned_id, category, title, search_text, created_at, updated_at) \
         WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $3) \
         SELECT 'bulk' || i, $1, $2, $2, 'autre', \
                'Volet ' || i || CASE WHEN i % 10000 = 0 THEN ' zinguerie' ELSE '' END, \
                'volet ' || i || CASE WHEN i % 10000 = 0 THEN ' zinguerie' ELSE '' END || ' immeuble' \
                || CASE WHEN i <= $3 - 2500 THEN ' ancien' ELSE '' END, \
                $4 - ($3 - i) * 1000, $4 - ($3 - i) * 1000 FROM s",
    )
    .bind(building)
    .bind(author)
    .bind(count)
    .bind(now)
    .execute(&app.state.db.pool)
    .await
    .expect("bulk reports");
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn searches_find_the_same_pages_whether_matches_are_common_or_rare() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let author = app.person_id(TENANT).await;
    // More reports than a search checks one by one before it turns to the full-text
    // index: common words are found along the board, rare ones through the index.
    bulk_reports(&app, &app.tilleuls, &author, 22_000).await;
    let base = format!("/api/v1/buildings/{}/reports", app.tilleuls);

    let (status, common) = app
        .get_json(&format!("{base}?q=immeuble"), Some(&tenant))
        .await;
    assert_eq!(status, StatusCode::OK);
    let expected: Vec<String> = (21_981..=22_000)
        .rev()
        .map(|i| format!("bulk{i}"))
        .collect();
    assert_eq!(ids(&common), expected, "newest matches first, a full page");
    let cursor = common["next_cursor"].as_str().expect("cursor");
    let (_, next) = app
        .get_json(&format!("{base}?q=immeuble&cursor={cursor}"), Some(&tenant))
        .await;
    let expected: Vec<String> = (21_961..=21_980)
        .rev()
        .map(|i| format!("bulk{i}"))
        .collect();
    assert_eq!(ids(&next), expected, "the next page follows on");

    // A common word, but not among the newest reports: a wider window finds its page.
    let (_, older) = app
        .get_json(&format!("{base}?q=ancien"), Some(&tenant))
        .await;
    let expected: Vec<String> = (19_481..=19_500)
        .rev()
        .map(|i| format!("bulk{i}"))
        .collect();
    assert_eq!(ids(&older), expected);

    // Two matches, 2,000 and 12,000 reports down the board: past the windows checked one
    // by one.
    let (_, rare) = app
        .get_json(&format!("{base}?q=zinguerie"), Some(&tenant))
        .await;
    assert_eq!(ids(&rare), vec!["bulk20000", "bulk10000"]);
    assert_eq!(rare["next_cursor"], Value::Null);
    let (_, both) = app
        .get_json(&format!("{base}?q=zinguerie%20immeuble"), Some(&tenant))
        .await;
    assert_eq!(
        ids(&both),
        vec!["bulk20000", "bulk10000"],
        "every word must match"
    );

    // Deep pages of the unfiltered list continue from the cursor.
    let cursor_at = app.state.clock.now_ms();
    let (_, list) = app.get_json(&base, Some(&tenant)).await;
    assert_eq!(ids(&list).len(), 20);
    let row: (i64,) = sqlx::query_as("SELECT updated_at FROM reports WHERE id = 'bulk1201'")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("report");
    assert!(row.0 <= cursor_at);
    let (_, deep) = app
        .get_json(&format!("{base}?cursor={}_bulk1201", row.0), Some(&tenant))
        .await;
    let expected: Vec<String> = (1181..=1200).rev().map(|i| format!("bulk{i}")).collect();
    assert_eq!(ids(&deep), expected);
}

#[tokio::test]
async fn the_bell_counts_unread_notifications_up_to_99_plus() {
    let app = spawn_app().await;
    let tenant_id = app.person_id(TENANT).await;
    let now = app.state.clock.now_ms();
    let add = |n: i64| {
        let pool = app.state.db.pool.clone();
        let building = app.tilleuls.clone();
        let person = tenant_id.clone();
        async move {
            // One event per person and notification: (event_id, person_id) is unique.
            sqlx::query(
                "INSERT INTO events (id, kind, building_id, created_at, dispatched_at) \
                 WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $2) \
                 SELECT 'bell' || i, 'report_created', $1, $3, $3 FROM s \
                 WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = 'bell' || i)",
            )
            .bind(&building)
            .bind(n)
            .bind(now)
            .execute(&pool)
            .await
            .expect("events");
            sqlx::query(
                "INSERT INTO notifications (id, person_id, event_id, building_id, kind, delivery, created_at) \
                 SELECT 'n' || id, $1, id, $2, kind, 'none', created_at FROM events \
                 WHERE id LIKE 'bell%' \
                 AND NOT EXISTS (SELECT 1 FROM notifications WHERE id = 'n' || events.id)",
            )
            .bind(&person)
            .bind(&building)
            .execute(&pool)
            .await
            .expect("notifications");
        }
    };
    add(99).await;
    let tenant = app.token(TENANT).await;
    let (_, list) = app.get_json("/api/v1/notifications", Some(&tenant)).await;
    assert_eq!(list["unread"], 99);
    assert_eq!(list["unread_capped"], false);
    let browser = app.browser(Some(TENANT)).await;
    let (_, html) = browser.get_text("/notifications").await;
    assert!(html.contains(r#"<span class="unread">99</span>"#), "{html}");

    add(150).await;
    let (_, list) = app.get_json("/api/v1/notifications", Some(&tenant)).await;
    assert_eq!(list["unread"], 100, "counted up to the cap");
    assert_eq!(list["unread_capped"], true);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(100));
    let (_, html) = browser.get_text("/buildings").await;
    assert!(
        html.contains(r#"<span class="unread">99+</span>"#),
        "{html}"
    );

    sqlx::query("UPDATE notifications SET read_at = $2 WHERE person_id = $1")
        .bind(&tenant_id)
        .bind(now)
        .execute(&app.state.db.pool)
        .await
        .expect("read");
    let (_, html) = browser.get_text("/buildings").await;
    assert!(
        !html.contains(r#"<span class="unread">"#),
        "no badge when all are read"
    );
}

#[tokio::test]
async fn card_counts_follow_photos_and_followers() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let (status, report) = app
        .post_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&tenant),
            &json!({"category": "plomberie", "title": "Fuite sous l'évier"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = report["id"].as_str().expect("id");
    let counts = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT photo_count, follower_count FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .expect("counts")
    };
    assert_eq!(counts().await, (0, 1), "the author follows");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/follow"),
            Some(&app.token(OWNER).await),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts().await, (0, 2));
    let uploader = app.person_id(TENANT).await;
    for photo in ["p1", "p2"] {
        sqlx::query(
            "INSERT INTO photos (id, report_id, comment_id, uploader_id, object_key, thumb_key, width, height, created_at) \
             VALUES ($1, $2, NULL, $3, 'k', 't', 1, 1, 0)",
        )
        .bind(photo)
        .bind(id)
        .bind(&uploader)
        .execute(&app.state.db.pool)
        .await
        .expect("photo");
    }
    assert_eq!(counts().await, (2, 2));
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&tenant),
        )
        .await;
    let card = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == id)
        .cloned()
        .expect("listed");
    assert_eq!(card["photo_count"], 2, "{card}");
    assert_eq!(card["follower_count"], 2, "{card}");
}

#[tokio::test]
async fn sent_emails_keep_a_summary_past_the_retention_period() {
    let app = spawn_app().await;
    let now = app.state.clock.now_ms();
    let day = 86_400_000;
    let mut email = palier::mail::messages::plain(
        "occupant@example.test",
        "Votre signalement a avancé".into(),
        "Le plombier passe demain matin.".into(),
    )
    .expect("render");
    email.attachments.push(palier::mail::Attachment {
        filename: "visite.ics".into(),
        content_type: "text/calendar".into(),
        file_key: None,
        text: Some("BEGIN:VCALENDAR".into()),
    });
    let payload = serde_json::to_string(&email).expect("json");
    // Sent 31 days ago, sent yesterday, and still failing after 31 days.
    for (id, status, age) in [
        ("old-sent", "done", 31),
        ("new-sent", "done", 1),
        ("old-dead", "dead", 31),
    ] {
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, status, run_at, created_at) VALUES ($1, 'email', $2, $3, $4, $4)",
        )
        .bind(id)
        .bind(&payload)
        .bind(status)
        .bind(now - age * day)
        .execute(&app.state.db.pool)
        .await
        .expect("job");
    }
    let summarized = palier::jobs::summarize_sent_mail(&app.state, now)
        .await
        .expect("summarize");
    // The app's own worker summarizes at start-up too: on a loaded machine its first pass
    // may come after the inserts above and take the old e-mail first.
    assert!(summarized <= 1, "{summarized}");
    let stored = |id: &'static str| {
        let pool = app.state.db.pool.clone();
        async move {
            let (payload, at): (String, Option<i64>) =
                sqlx::query_as("SELECT payload, summarized_at FROM jobs WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .expect("job");
            let email: palier::mail::OutgoingEmail =
                serde_json::from_str(&payload).expect("still an e-mail");
            (email, at)
        }
    };
    let (old, at) = stored("old-sent").await;
    assert!(at.is_some_and(|at| at >= now), "summarized at {at:?}");
    assert_eq!(old.to, "occupant@example.test");
    assert_eq!(old.subject, "Votre signalement a avancé");
    assert_eq!(old.attachments[0].filename, "visite.ics");
    assert!(old.text.is_empty() && old.html.is_empty());
    assert_eq!(old.attachments[0].text, None);
    assert_eq!(stored("new-sent").await, (email.clone(), None));
    assert_eq!(
        stored("old-dead").await,
        (email, None),
        "a failed e-mail keeps what a retry needs"
    );
    assert_eq!(
        palier::jobs::summarize_sent_mail(&app.state, now)
            .await
            .expect("again"),
        0,
        "summarized once"
    );
}
