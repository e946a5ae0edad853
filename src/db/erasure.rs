//! Erasure of a person's data: what still ties them, the rows that mention them (e-mails in
//! the queue, audit lines), and the blanking of their row.

use sqlx::{Any, AnyConnection, Executor};

use super::{Backend, Db};

/// Memberships, requests and agency roles a person still holds anywhere.
pub async fn current_ties<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM membership_requests WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM agency_staff WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM lot_landlords WHERE person_id = $1)",
    )
    .bind(person_id)
    .fetch_one(ex)
    .await
}

/// Agencies this person is the only manager of.
pub async fn agencies_managed_alone<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM agency_staff s WHERE s.person_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM agency_staff o WHERE o.agency_id = s.agency_id AND o.person_id <> $1)",
    )
    .bind(person_id)
    .fetch_one(ex)
    .await
}

pub async fn erased_at<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Option<Option<i64>>> {
    sqlx::query_scalar("SELECT erased_at FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(ex)
        .await
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally (`ESCAPE '\'`).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Rows of `table` whose `column` holds any of `needles`: (id, status or '', text).
async fn rows_mentioning(
    conn: &mut AnyConnection,
    select: &str,
    column: &str,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = super::sql::Sql::new(select);
    sql.push(" WHERE ");
    for (i, n) in needles.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(column).push(" LIKE ");
        sql.text(&contains_pattern(n));
        sql.push(" ESCAPE '\\'");
    }
    sql.query_as().fetch_all(&mut *conn).await
}

/// Queued and sent jobs whose payload mentions any of `needles`: (id, status, payload).
pub async fn jobs_mentioning(
    conn: &mut AnyConnection,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    rows_mentioning(
        conn,
        "SELECT id, status, payload FROM jobs",
        "payload",
        needles,
    )
    .await
}

pub async fn set_job_payload<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    payload: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET payload = $2 WHERE id = $1")
        .bind(id)
        .bind(payload)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_job<'c>(ex: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Audit lines whose detail mentions any of `needles`: (id, '', detail).
pub async fn audit_mentioning(
    conn: &mut AnyConnection,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    rows_mentioning(
        conn,
        "SELECT id, '' AS status, detail FROM audit_log",
        "detail",
        needles,
    )
    .await
}

pub async fn set_audit_detail<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    detail: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE audit_log SET detail = $2 WHERE id = $1")
        .bind(id)
        .bind(detail)
        .execute(ex)
        .await?;
    Ok(())
}

/// Removes everything that identifies a person or lets anyone act as them, and blanks
/// their row; what they wrote stays, pointing at the blank row.
pub async fn erase_person(
    conn: &mut AnyConnection,
    person_id: &str,
    old_email: &str,
    placeholder_email: &str,
    now: i64,
) -> sqlx::Result<()> {
    for statement in [
        "DELETE FROM sessions WHERE person_id = $1",
        "DELETE FROM api_tokens WHERE person_id = $1",
        "DELETE FROM calendar_feeds WHERE person_id = $1",
        "DELETE FROM password_resets WHERE person_id = $1",
        "DELETE FROM email_changes WHERE person_id = $1",
        "DELETE FROM notification_settings WHERE person_id = $1",
        "DELETE FROM category_subscriptions WHERE person_id = $1",
        "DELETE FROM report_followers WHERE person_id = $1",
        "DELETE FROM notifications WHERE person_id = $1",
        "DELETE FROM provider_favorites WHERE person_id = $1",
        "DELETE FROM charter_acceptances WHERE person_id = $1",
        "DELETE FROM membership_requests WHERE person_id = $1",
        "DELETE FROM memberships WHERE person_id = $1",
        "DELETE FROM owned_lots WHERE person_id = $1",
        "DELETE FROM agency_staff WHERE person_id = $1",
        "DELETE FROM lot_landlords WHERE person_id = $1",
        // Who read which notice; their poll votes stay, anonymous, in the results.
        "DELETE FROM announcement_views WHERE person_id = $1",
        // Stored answers to retried requests may carry their name.
        "DELETE FROM idempotency_keys WHERE person_id = $1",
        // Reply addresses (N6) would let whoever holds the mailbox act as them.
        "DELETE FROM mail_tokens WHERE person_id = $1",
    ] {
        sqlx::query(statement)
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
    }
    for statement in [
        "DELETE FROM login_failures WHERE email = $1",
        "DELETE FROM login_unlocks WHERE email = $1",
        "DELETE FROM mail_failures WHERE email = $1",
        "DELETE FROM mail_answers WHERE address = $1",
    ] {
        sqlx::query(statement)
            .bind(old_email)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE people SET name = '', email = $2, password_hash = '', phone = '', erased_at = $3 \
         WHERE id = $1",
    )
    .bind(person_id)
    .bind(placeholder_email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// SQLite: moves the write-ahead log into the database file and empties it, so erased
/// data does not linger in the `-wal` file (with `secure_delete`, the freed space in the
/// database is zeroed). Retried while readers hold old snapshots. Nothing on PostgreSQL.
pub async fn checkpoint(db: &Db) -> sqlx::Result<bool> {
    if db.backend != Backend::Sqlite {
        return Ok(true);
    }
    for _ in 0..20 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&db.pool)
            .await?;
        if busy == 0 {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(false)
}
