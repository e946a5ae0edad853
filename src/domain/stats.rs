//! A building's statistics (D2, D3): reports per month and per category, median times to the
//! first answer and to closing, the share of first answers on time, recurrent problems.
//! Periods are whole days in the agency's time zone; months too.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::auth::Actor;
use crate::auth::authz::{self, Action};
use crate::clock::HOUR_MS;
use crate::db::stats::{self as sdb, Duration, Scope};
use crate::domain::reports::categories;
use crate::domain::{AppError, AppResult, Context, buildings, service_levels};

/// The longest period one request covers.
pub const MAX_MONTHS: i32 = 60;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BuildingStats {
    pub reports_per_month: Vec<MonthCount>,
    pub per_category: Vec<CategoryCount>,
    pub median_first_answer_hours: Option<f64>,
    pub median_close_hours: Option<f64>,
    /// Of the reports answered or already overdue, the share answered by their due time.
    pub first_answer_on_time_pct: Option<f64>,
    pub recurrent: Vec<Recurrent>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub count: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CategoryCount {
    /// The category's slug.
    pub category: String,
    pub count: i64,
    #[serde(skip)]
    pub label: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Recurrent {
    pub category: String,
    pub location: String,
    pub count: i64,
    #[serde(skip)]
    pub label: String,
}

/// What a statistics page or export is about.
pub struct StatsView {
    pub building_id: String,
    pub building_name: String,
    pub from: Date,
    pub to: Date,
    pub stats: BuildingStats,
}

fn parse_date(field: &'static str, raw: Option<&str>) -> AppResult<Option<Date>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() == 10 => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "error.day_invalid")),
        Some(_) => Err(AppError::invalid(field, "error.day_invalid")),
    }
}

/// The period asked for (`YYYY-MM-DD`, both days included); by default the last twelve
/// months up to today.
pub fn period(from: Option<&str>, to: Option<&str>, today: Date) -> AppResult<(Date, Date)> {
    let to = parse_date("to", to)?.unwrap_or(today);
    let from = match parse_date("from", from)? {
        Some(d) => d,
        None => to
            .first_of_month()
            .checked_sub(jiff::Span::new().months(11))
            .map_err(|_| AppError::invalid("from", "error.day_invalid"))?,
    };
    if from > to {
        return Err(AppError::invalid("from", "error.period_invalid"));
    }
    let months = (i32::from(to.year()) - i32::from(from.year())) * 12 + i32::from(to.month())
        - i32::from(from.month());
    if months >= MAX_MONTHS {
        return Err(AppError::invalid("from", "error.period_too_long"));
    }
    Ok((from, to))
}

fn start_of(date: Date, zone: &TimeZone) -> AppResult<i64> {
    date.to_zoned_datetime(zone.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::Internal(format!("date: {e}")))
}

fn hours(ms: Option<f64>) -> Option<f64> {
    ms.map(|v| (v / HOUR_MS as f64 * 10.0).round() / 10.0)
}

/// Periods of up to this many reports get exact medians (sorting them is cheap); longer
/// ones read the duration histograms, exact to the bucket (6 minutes below 100 hours).
pub const EXACT_MEDIAN_MAX: i64 = 5_000;

/// The median of a duration over the `n` reports of the period that have it, out of
/// `reports` in the period.
async fn median_ms(
    cx: &Context,
    scope: &Scope<'_>,
    which: Duration,
    n: i64,
    reports: i64,
) -> AppResult<Option<f64>> {
    if n <= 0 {
        return Ok(None);
    }
    if reports <= EXACT_MEDIAN_MAX {
        return Ok(sdb::exact_median_ms(&cx.db.pool, scope, which, n).await?);
    }
    let buckets = sdb::histogram(&cx.db.pool, scope, which).await?;
    Ok(sdb::histogram_median(&buckets))
}

pub async fn building(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<StatsView> {
    let (building, permit) =
        buildings::authorize(cx, actor, building_id, Action::ViewStats).await?;
    let council_too = authz::stats_count_council_only(permit.role);
    let targets = service_levels::targets_for_building(cx, &building.id).await?;
    let zone = TimeZone::get(&targets.timezone).unwrap_or(TimeZone::UTC);
    let now = cx.clock.now_ms();
    let today = jiff::Timestamp::from_millisecond(now)
        .map(|t| t.to_zoned_datetime(zone.clone()).date())
        .map_err(|e| AppError::Internal(format!("clock: {e}")))?;
    let (from, to) = period(from, to, today)?;

    // Slots: the period's start, each following first of month, the day after the end.
    let mut starts = vec![from];
    let mut month = from.first_of_month();
    loop {
        month = month
            .checked_add(jiff::Span::new().months(1))
            .map_err(|e| AppError::Internal(format!("date: {e}")))?;
        if month > to {
            break;
        }
        starts.push(month);
    }
    let end = to
        .tomorrow()
        .map_err(|e| AppError::Internal(format!("date: {e}")))?;
    let mut bounds = starts
        .iter()
        .map(|d| start_of(*d, &zone))
        .collect::<AppResult<Vec<i64>>>()?;
    bounds.push(start_of(end, &zone)?);
    let (start_ms, end_ms) = (bounds[0], bounds[bounds.len() - 1]);

    let pool = &cx.db.pool;
    let scope = Scope {
        building_id: &building.id,
        from: start_ms,
        to: end_ms,
        council_too,
    };
    let mut per_month: Vec<i64> = vec![0; starts.len()];
    for (slot, count) in sdb::per_slot(pool, &scope, &bounds).await? {
        if let Some(n) = usize::try_from(slot)
            .ok()
            .and_then(|i| per_month.get_mut(i))
        {
            *n = count;
        }
    }
    let reports_per_month = starts
        .iter()
        .zip(per_month)
        .map(|(d, count)| MonthCount {
            month: format!("{:04}-{:02}", d.year(), d.month()),
            count,
        })
        .collect();
    let cats = categories::for_agency(cx, &building.agency_id, actor.lang).await?;
    let per_category = sdb::per_category(pool, &scope)
        .await?
        .into_iter()
        .map(|(category, count)| CategoryCount {
            label: categories::label_of(&cats, &category).to_string(),
            category,
            count,
        })
        .collect();
    let summary = sdb::summary(pool, &scope).await?;
    let median_first_answer_hours = hours(
        median_ms(
            cx,
            &scope,
            Duration::FirstAnswer,
            summary.answered,
            summary.reports,
        )
        .await?,
    );
    let median_close_hours =
        hours(median_ms(cx, &scope, Duration::Close, summary.closed, summary.reports).await?);
    // Judged: answered with a due time, or still unanswered past it; i.e. every report with
    // a due time except those not yet due.
    let judged = summary.due - sdb::not_yet_due(pool, cx.db.backend, &scope, now).await?;
    let first_answer_on_time_pct =
        (judged > 0).then(|| (summary.on_time as f64 * 1000.0 / judged as f64).round() / 10.0);
    let recurrent = sdb::recurrent(pool, &scope)
        .await?
        .into_iter()
        .map(|(category, location, count)| Recurrent {
            label: categories::label_of(&cats, &category).to_string(),
            category,
            location,
            count,
        })
        .collect();
    Ok(StatsView {
        building_id: building.id,
        building_name: building.name,
        from,
        to,
        stats: BuildingStats {
            reports_per_month,
            per_category,
            median_first_answer_hours,
            median_close_hours,
            first_answer_on_time_pct,
            recurrent,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn periods_default_to_twelve_months_and_refuse_nonsense() {
        let today = d("2026-11-24");
        assert_eq!(
            period(None, None, today).expect("default"),
            (d("2025-12-01"), today)
        );
        assert_eq!(
            period(Some("2026-01-01"), Some("2026-03-31"), today).expect("given"),
            (d("2026-01-01"), d("2026-03-31"))
        );
        assert!(period(Some("2026-13-01"), None, today).is_err());
        assert!(period(Some("24/11/2026"), None, today).is_err());
        assert!(period(Some("2026-05-01"), Some("2026-04-01"), today).is_err());
        assert!(period(Some("2010-01-01"), Some("2026-01-01"), today).is_err());
    }
}
