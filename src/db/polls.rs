//! Polls and their votes.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub id: String,
    pub building_id: String,
    pub author_id: String,
    pub title: String,
    pub question: String,
    pub options: String,
    pub multiple: i64,
    pub audience: String,
    pub weighted: i64,
    pub results_visible: String,
    pub status: String,
    pub closes_at: Option<i64>,
    pub published_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, building_id, author_id, title, question, options, multiple, audience, \
     weighted, results_visible, status, closes_at, published_at, reminded_at, closed_at, created_at";

pub struct NewPoll<'a> {
    pub id: &'a str,
    pub building_id: &'a str,
    pub author_id: &'a str,
    pub title: &'a str,
    pub question: &'a str,
    pub options: &'a str,
    pub multiple: bool,
    pub audience: &'a str,
    pub weighted: bool,
    pub results_visible: &'a str,
    pub closes_at: Option<i64>,
    pub now: i64,
}

pub async fn insert<'c>(ex: impl Executor<'c, Database = Any>, p: NewPoll<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO polls (id, building_id, author_id, title, question, options, multiple, audience, \
         weighted, results_visible, closes_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(p.id)
    .bind(p.building_id)
    .bind(p.author_id)
    .bind(p.title)
    .bind(p.question)
    .bind(p.options)
    .bind(super::flag(p.multiple))
    .bind(p.audience)
    .bind(super::flag(p.weighted))
    .bind(p.results_visible)
    .bind(p.closes_at)
    .bind(p.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<PollRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM polls WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Draft → open; false when it was not a draft any more (a second click).
pub async fn publish<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE polls SET status = 'open', published_at = $2 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open → closed, for exactly one caller (the author's click or the closing job).
pub async fn close<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE polls SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the reminder (P3): true once, while the poll is open.
pub async fn claim_reminder<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE polls SET reminded_at = $2 WHERE id = $1 AND status = 'open' AND reminded_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One page, newest first, on the index `polls_list`; drafts only for staff (`drafts`).
pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    drafts: bool,
    after: Option<(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<PollRow>> {
    let filter = if drafts { "" } else { " AND status <> 'draft'" };
    let (at, id) = after.unwrap_or((i64::MAX, String::new()));
    // Without a cursor the bound is above every row, so one statement serves both.
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM polls WHERE building_id = $1{filter} \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
         ORDER BY created_at DESC, id DESC LIMIT {limit}"
    ))
    .bind(building_id)
    .bind(at)
    .bind(if id.is_empty() { "~".to_string() } else { id })
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoteRow {
    pub person_id: String,
    pub options: String,
    pub voted_at: i64,
    pub vote_seq: String,
}

/// Casts or replaces a person's vote in one statement, so concurrent votes leave one, and
/// only while the poll is open (false when it closed meanwhile).
pub async fn upsert_vote<'c>(
    ex: impl Executor<'c, Database = Any>,
    poll_id: &str,
    person_id: &str,
    options: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO poll_votes (poll_id, person_id, options, voted_at, vote_seq) \
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM polls WHERE id = $1 AND status = 'open') \
         ON CONFLICT (poll_id, person_id) DO UPDATE SET options = excluded.options, \
         voted_at = excluded.voted_at, vote_seq = excluded.vote_seq",
    )
    .bind(poll_id)
    .bind(person_id)
    .bind(options)
    .bind(now)
    .bind(super::new_id())
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn votes<'c>(
    ex: impl Executor<'c, Database = Any>,
    poll_id: &str,
) -> sqlx::Result<Vec<VoteRow>> {
    sqlx::query_as(
        "SELECT person_id, options, voted_at, vote_seq FROM poll_votes WHERE poll_id = $1 \
         ORDER BY voted_at, vote_seq",
    )
    .bind(poll_id)
    .fetch_all(ex)
    .await
}

/// Rewrites a draft; 0 rows when it was published meanwhile.
pub async fn update_draft<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    p: NewPoll<'_>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE polls SET title = $2, question = $3, options = $4, multiple = $5, audience = $6, \
         weighted = $7, results_visible = $8, closes_at = $9 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(p.title)
    .bind(p.question)
    .bind(p.options)
    .bind(super::flag(p.multiple))
    .bind(p.audience)
    .bind(super::flag(p.weighted))
    .bind(p.results_visible)
    .bind(p.closes_at)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// The votes of several polls (a page of the list) in one query: (poll id, vote).
pub async fn votes_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    poll_ids: &[&str],
) -> sqlx::Result<Vec<(String, VoteRow)>> {
    if poll_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=poll_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT poll_id, person_id, options, voted_at, vote_seq FROM poll_votes \
         WHERE poll_id IN ({}) ORDER BY voted_at, vote_seq",
        marks.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64, String)>(&sql);
    for id in poll_ids {
        query = query.bind(*id);
    }
    Ok(query
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(|(poll_id, person_id, options, voted_at, vote_seq)| {
            (
                poll_id,
                VoteRow {
                    person_id,
                    options,
                    voted_at,
                    vote_seq,
                },
            )
        })
        .collect())
}
