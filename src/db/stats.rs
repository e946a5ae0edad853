//! A building's statistics (D2, D3) over a period, read from the rollups that triggers keep
//! (migration 0037: reports per quarter of an hour, counts and duration histograms per UTC
//! day) for the whole days of the period, and from the reports themselves for the partial
//! days at its two ends. Cost: the period's days and quarters, not its reports.

use sqlx::{Any, Executor};

use super::Backend;
use super::sql::Sql;

const DAY_MS: i64 = 86_400_000;
const QUARTER_MS: i64 = 900_000;

/// The bucket of a duration `d` (ms) in the histograms: 6 minutes below 100 hours, an hour
/// below 1,000 hours, a day beyond; the same expression as the triggers'.
const BUCKET: &str = "CASE WHEN d < 0 THEN 0 WHEN d < 360000000 THEN d / 360000 \
     WHEN d < 3600000000 THEN 1000 + (d - 360000000) / 3600000 \
     ELSE 1900 + (d - 3600000000) / 86400000 END";

/// The middle of a bucket, in ms: the value a histogram median reports.
pub fn bucket_middle(bucket: i64) -> i64 {
    match bucket {
        b if b < 1000 => b * 360_000 + 180_000,
        b if b < 1900 => 360_000_000 + (b - 1000) * 3_600_000 + 1_800_000,
        b => 3_600_000_000 + (b - 1900) * DAY_MS + DAY_MS / 2,
    }
}

/// The first multiple of `unit` at or after `ms`, in units.
fn ceil_units(ms: i64, unit: i64) -> i64 {
    ms.div_euclid(unit) + i64::from(ms.rem_euclid(unit) != 0)
}

/// What the statistics count: one building's reports created in [from, to) (ms), not
/// removed, and for a manager only those the council filter lets through.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub building_id: &'a str,
    pub from: i64,
    pub to: i64,
    pub council_too: bool,
}

impl Scope<'_> {
    /// The whole UTC days inside the period, as [first, end) day numbers (may be empty).
    fn days(&self) -> (i64, i64) {
        (ceil_units(self.from, DAY_MS), self.to.div_euclid(DAY_MS))
    }

    /// The parts of the period outside whole days, read from the reports.
    fn live(&self) -> Vec<(i64, i64)> {
        let (first, end) = self.days();
        if first >= end {
            return vec![(self.from, self.to)];
        }
        [(self.from, first * DAY_MS), (end * DAY_MS, self.to)]
            .into_iter()
            .filter(|(a, b)| a < b)
            .collect()
    }

    fn visible(&self, sql: &mut Sql, alias: &str) {
        if !self.council_too {
            sql.push(&format!(" AND {alias}.manager_visible = 1"));
        }
    }

    /// `FROM reports r WHERE` one building's reports of [from, to), not removed.
    fn reports(&self, sql: &mut Sql, from: i64, to: i64) {
        self.reports_on(sql, from, to, "");
    }

    /// [`Scope::reports`] with an `INDEXED BY` clause (SQLite) or nothing.
    fn reports_on(&self, sql: &mut Sql, from: i64, to: i64, indexed_by: &str) {
        sql.push(" FROM reports r");
        sql.push(indexed_by);
        sql.push(" WHERE r.building_id = ");
        sql.text(self.building_id);
        sql.push(" AND r.created_at >= ");
        sql.int(from);
        sql.push(" AND r.created_at < ");
        sql.int(to);
        sql.push(" AND r.removed_at IS NULL");
        self.visible(sql, "r");
    }

    /// The day counts of the period: the rollup's whole days, then the partial days
    /// counted from the reports, with the same columns.
    fn day_counts(&self, sql: &mut Sql) {
        let (first, end) = self.days();
        sql.push(
            "SELECT t.category, t.location_part, t.n, t.answered, t.closed, t.on_time, \
             t.answered_due, t.due FROM report_days t WHERE t.building_id = ",
        );
        sql.text(self.building_id);
        sql.push(" AND t.day >= ");
        sql.int(first);
        sql.push(" AND t.day < ");
        sql.int(end);
        self.visible(sql, "t");
        for (from, to) in self.live() {
            sql.push(
                " UNION ALL SELECT r.category, r.location_part, 1, \
                 CASE WHEN r.first_response_at IS NOT NULL THEN 1 ELSE 0 END, \
                 CASE WHEN r.closed_at IS NOT NULL THEN 1 ELSE 0 END, \
                 CASE WHEN r.first_response_at <= r.due_at THEN 1 ELSE 0 END, \
                 CASE WHEN r.first_response_at IS NOT NULL AND r.due_at IS NOT NULL THEN 1 ELSE 0 END, \
                 CASE WHEN r.due_at IS NOT NULL THEN 1 ELSE 0 END",
            );
            self.reports(sql, from, to);
        }
    }
}

/// Reports per period slot: `bounds` are the slots' starts (ascending) and the last end,
/// each on a quarter of an hour; returns (slot index, count) for the slots that have reports.
pub async fn per_slot<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
    bounds: &[i64],
) -> sqlx::Result<Vec<(i64, i64)>> {
    if bounds.len() < 2 {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT CAST(CASE");
    for (i, end) in bounds.iter().enumerate().skip(1) {
        sql.push(" WHEN t.quarter < ");
        sql.int(ceil_units(*end, QUARTER_MS));
        sql.push(&format!(" THEN {}", i - 1));
    }
    sql.push(
        " END AS BIGINT) AS slot, CAST(SUM(t.n) AS BIGINT) FROM report_quarters t \
         WHERE t.building_id = ",
    );
    sql.text(scope.building_id);
    sql.push(" AND t.quarter >= ");
    sql.int(ceil_units(scope.from, QUARTER_MS));
    sql.push(" AND t.quarter < ");
    sql.int(ceil_units(scope.to, QUARTER_MS));
    scope.visible(&mut sql, "t");
    sql.push(" GROUP BY 1 HAVING SUM(t.n) > 0 ORDER BY 1");
    sql.query_as().persistent(false).fetch_all(ex).await
}

pub async fn per_category<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
) -> sqlx::Result<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT s.category, CAST(SUM(s.n) AS BIGINT) FROM (");
    scope.day_counts(&mut sql);
    sql.push(") s GROUP BY s.category HAVING SUM(s.n) > 0 ORDER BY 2 DESC, 1");
    sql.query_as().persistent(false).fetch_all(ex).await
}

/// The period's counts: reports, reports answered, closed, answered by their due time,
/// answered with a due time, and with a due time.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Summary {
    pub reports: i64,
    pub answered: i64,
    pub closed: i64,
    pub on_time: i64,
    pub answered_due: i64,
    pub due: i64,
}

pub async fn summary<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
) -> sqlx::Result<Summary> {
    let mut sql = Sql::new(
        "SELECT CAST(COALESCE(SUM(s.n), 0) AS BIGINT) AS reports, \
         CAST(COALESCE(SUM(s.answered), 0) AS BIGINT) AS answered, \
         CAST(COALESCE(SUM(s.closed), 0) AS BIGINT) AS closed, \
         CAST(COALESCE(SUM(s.on_time), 0) AS BIGINT) AS on_time, \
         CAST(COALESCE(SUM(s.answered_due), 0) AS BIGINT) AS answered_due, \
         CAST(COALESCE(SUM(s.due), 0) AS BIGINT) AS due FROM (",
    );
    scope.day_counts(&mut sql);
    sql.push(") s");
    sql.query_as().persistent(false).fetch_one(ex).await
}

/// Reports of the period still without an answer and not yet due (read live on the partial
/// index `reports_unanswered`, from `due_at >= now`: the last few days' reports at most).
/// With the rollup's counts, the overdue ones are `due - answered_due` minus these.
pub async fn not_yet_due<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    scope: &Scope<'_>,
    now: i64,
) -> sqlx::Result<i64> {
    // SQLite's estimates prefer walking the period on `reports_created` (every report of
    // the period) to the due-time range of the partial index (a few days' reports).
    let indexed_by = match backend {
        Backend::Sqlite => " INDEXED BY reports_unanswered",
        Backend::Postgres => "",
    };
    let mut sql = Sql::new("SELECT COUNT(*)");
    scope.reports_on(&mut sql, scope.from, scope.to, indexed_by);
    sql.push(" AND r.first_response_at IS NULL AND r.due_at >= ");
    sql.int(now);
    sql.query_scalar().persistent(false).fetch_one(ex).await
}

/// Categories that come back at the same place: (category, place, count), twice or more.
pub async fn recurrent<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    let mut sql = Sql::new("SELECT s.category, s.location_part, CAST(SUM(s.n) AS BIGINT) FROM (");
    scope.day_counts(&mut sql);
    sql.push(
        ") s GROUP BY s.category, s.location_part HAVING SUM(s.n) >= 2 ORDER BY 3 DESC, 1, 2 LIMIT 20",
    );
    sql.query_as().persistent(false).fetch_all(ex).await
}

/// Which duration a median is taken of.
#[derive(Debug, Clone, Copy)]
pub enum Duration {
    FirstAnswer,
    Close,
}

impl Duration {
    fn columns(self) -> (&'static str, i64) {
        match self {
            Duration::FirstAnswer => ("first_response_at", 0),
            Duration::Close => ("closed_at", 1),
        }
    }
}

/// The exact median of a duration (ms) over the `n` reports of the period that have it: the
/// middle one or two values by ORDER BY … LIMIT 2 OFFSET (read from `reports_created`); for
/// periods of a few thousand reports.
pub async fn exact_median_ms<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
    which: Duration,
    n: i64,
) -> sqlx::Result<Option<f64>> {
    if n <= 0 {
        return Ok(None);
    }
    let (column, _) = which.columns();
    let mut sql = Sql::new(&format!("SELECT r.{column} - r.created_at AS d"));
    scope.reports(&mut sql, scope.from, scope.to);
    sql.push(&format!(" AND r.{column} IS NOT NULL ORDER BY 1 LIMIT "));
    sql.int(if n % 2 == 0 { 2 } else { 1 });
    sql.push(" OFFSET ");
    sql.int((n - 1) / 2);
    let middle: Vec<i64> = sql.query_scalar().persistent(false).fetch_all(ex).await?;
    if middle.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        middle.iter().map(|v| *v as f64).sum::<f64>() / middle.len() as f64,
    ))
}

/// The histogram of a duration over the period: (bucket, count) in bucket order.
pub async fn histogram<'c>(
    ex: impl Executor<'c, Database = Any>,
    scope: &Scope<'_>,
    which: Duration,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let (column, code) = which.columns();
    let (first, end) = scope.days();
    let mut sql = Sql::new(
        "SELECT s.bucket, CAST(SUM(s.n) AS BIGINT) FROM (SELECT t.bucket, t.n \
         FROM report_durations t WHERE t.building_id = ",
    );
    sql.text(scope.building_id);
    sql.push(&format!(" AND t.which = {code} AND t.day >= "));
    sql.int(first);
    sql.push(" AND t.day < ");
    sql.int(end);
    scope.visible(&mut sql, "t");
    for (from, to) in scope.live() {
        sql.push(&format!(
            " UNION ALL SELECT {BUCKET}, 1 FROM (SELECT r.{column} - r.created_at AS d"
        ));
        scope.reports(&mut sql, from, to);
        sql.push(&format!(" AND r.{column} IS NOT NULL) l"));
    }
    sql.push(") s GROUP BY s.bucket HAVING SUM(s.n) > 0 ORDER BY 1");
    sql.query_as().persistent(false).fetch_all(ex).await
}

/// The median of a histogram, in ms: the middle of the bucket of the middle value (of the
/// two middle values' buckets when the count is even).
pub fn histogram_median(buckets: &[(i64, i64)]) -> Option<f64> {
    let total: i64 = buckets.iter().map(|(_, n)| n).sum();
    if total <= 0 {
        return None;
    }
    let nth = |k: i64| -> i64 {
        let mut seen = 0;
        for (bucket, n) in buckets {
            seen += n;
            if seen > k {
                return bucket_middle(*bucket);
            }
        }
        buckets.last().map(|(b, _)| bucket_middle(*b)).unwrap_or(0)
    };
    let middle = if total % 2 == 1 {
        nth(total / 2) as f64
    } else {
        (nth(total / 2 - 1) + nth(total / 2)) as f64 / 2.0
    };
    Some(middle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_medians_take_the_middle_buckets() {
        assert_eq!(histogram_median(&[]), None);
        // 3 values in bucket 10 (1h00-1h06): the middle is 1h03.
        assert_eq!(histogram_median(&[(10, 3)]), Some(3_780_000.0));
        // Two values, one per bucket: their middles' mean.
        assert_eq!(
            histogram_median(&[(0, 1), (10, 1)]),
            Some((180_000.0 + 3_780_000.0) / 2.0)
        );
        assert_eq!(bucket_middle(1000), 361_800_000);
        assert_eq!(bucket_middle(1900), 3_600_000_000 + DAY_MS / 2);
    }

    #[test]
    fn periods_split_into_whole_days_and_live_ends() {
        let s = Scope {
            building_id: "b",
            from: DAY_MS * 10 - 3_600_000,
            to: DAY_MS * 20 + 7_200_000,
            council_too: false,
        };
        assert_eq!(s.days(), (10, 20));
        assert_eq!(
            s.live(),
            vec![
                (DAY_MS * 10 - 3_600_000, DAY_MS * 10),
                (DAY_MS * 20, DAY_MS * 20 + 7_200_000)
            ]
        );
        let short = Scope {
            from: DAY_MS * 10 + 1,
            to: DAY_MS * 10 + 5,
            ..s.clone()
        };
        assert_eq!(short.live(), vec![(DAY_MS * 10 + 1, DAY_MS * 10 + 5)]);
        let aligned = Scope {
            from: DAY_MS * 10,
            to: DAY_MS * 12,
            ..s
        };
        assert!(aligned.live().is_empty());
    }
}
