//! Service levels (D4): when a report's first staff answer is due.
//!
//! An agency sets a target for ordinary reports (48 hours by default) and one for urgent
//! reports (4 hours), counted in calendar hours or in working hours: Monday to Friday,
//! 9:00 to 18:00 in the agency's time zone, French public holidays excluded (the Easter-based
//! ones computed). The due time is stored on the report (`reports.due_at`) when it is filed
//! and again when the agency changes its targets, so lists and counts compare a column.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use crate::clock::HOUR_MS;
use crate::db::agencies::AgencyRow;
use crate::db::service_levels as sdb;
use crate::domain::{AppResult, Context};

pub const DEFAULT_TZ: &str = "Europe/Paris";
const OPENS: i8 = 9;
const CLOSES: i8 = 18;

/// How the agency counts its targets.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TargetClock {
    /// Every hour counts, nights and week-ends included.
    #[default]
    Calendar,
    /// Monday–Friday 9:00–18:00 in the agency's time zone, French public holidays excluded.
    Working,
}

impl TargetClock {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetClock::Calendar => "calendar",
            TargetClock::Working => "working",
        }
    }
    pub fn parse(s: &str) -> Option<TargetClock> {
        match s {
            "calendar" => Some(TargetClock::Calendar),
            "working" => Some(TargetClock::Working),
            _ => None,
        }
    }
}

/// An agency's first-answer targets.
#[derive(Debug, Clone)]
pub struct Targets {
    pub normal_hours: i64,
    pub urgent_hours: i64,
    pub clock: TargetClock,
    pub timezone: String,
}

impl Targets {
    pub fn of(a: &AgencyRow) -> Targets {
        Targets {
            normal_hours: a.answer_target_hours,
            urgent_hours: a.urgent_target_hours,
            clock: TargetClock::parse(&a.target_clock).unwrap_or_default(),
            timezone: a.timezone.clone(),
        }
    }

    /// When the first answer to a report filed at `created_ms` is due.
    pub fn due_at(&self, created_ms: i64, urgent: bool) -> i64 {
        let hours = if urgent {
            self.urgent_hours
        } else {
            self.normal_hours
        };
        match self.clock {
            TargetClock::Calendar => created_ms + hours * HOUR_MS,
            TargetClock::Working => add_working_hours(created_ms, hours, &self.timezone),
        }
    }
}

fn zone(tz: &str) -> TimeZone {
    TimeZone::get(tz)
        .or_else(|_| TimeZone::get(DEFAULT_TZ))
        .unwrap_or(TimeZone::UTC)
}

/// Easter Sunday of `year` (Gregorian calendar; anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// French public holidays: 1 January, Easter Monday, 1 and 8 May, Ascension, Whit Monday,
/// 14 July, 15 August, 1 and 11 November, 25 December.
pub fn is_french_holiday(date: Date) -> bool {
    let fixed = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
    ];
    if fixed.contains(&(date.month(), date.day())) {
        return true;
    }
    let Some(easter) = easter(date.year()) else {
        return false;
    };
    [1_i64, 39, 50].iter().any(|offset| {
        easter
            .checked_add(jiff::Span::new().days(*offset))
            .is_ok_and(|d| d == date)
    })
}

pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_french_holiday(date)
}

/// `start_ms` plus `hours` of opening time (Monday–Friday 9:00–18:00 in `tz`, holidays
/// excluded). A report filed out of hours starts counting at the next opening.
pub fn add_working_hours(start_ms: i64, hours: i64, tz: &str) -> i64 {
    let zone = zone(tz);
    let fallback = start_ms + hours * HOUR_MS;
    let Ok(start) = Timestamp::from_millisecond(start_ms) else {
        return fallback;
    };
    let mut remaining = hours.max(0) * HOUR_MS;
    let mut date = start.to_zoned_datetime(zone.clone()).date();
    let at = |date: Date, hour: i8| {
        date.at(hour, 0, 0, 0)
            .to_zoned_datetime(zone.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond())
    };
    // 720 hours are 80 working days: a few months of calendar at most.
    for _ in 0..1000 {
        if is_working_day(date)
            && let (Some(open), Some(close)) = (at(date, OPENS), at(date, CLOSES))
        {
            let from = start_ms.max(open);
            if from < close {
                let available = close - from;
                if remaining <= available {
                    return from + remaining;
                }
                remaining -= available;
            }
        }
        date = match date.tomorrow() {
            Ok(d) => d,
            Err(_) => return fallback,
        };
    }
    fallback
}

/// The targets of a building's agency.
pub async fn targets_for_building(cx: &Context, building_id: &str) -> AppResult<Targets> {
    match sdb::agency_of_building(&cx.db.pool, building_id).await? {
        Some(a) => Ok(Targets::of(&a)),
        None => Ok(Targets {
            normal_hours: 48,
            urgent_hours: 4,
            clock: TargetClock::Calendar,
            timezone: DEFAULT_TZ.to_string(),
        }),
    }
}

/// Sets the due time of every report of the agency still waiting for its first answer, after
/// its targets changed. Calendar hours are one UPDATE; working hours are computed per report
/// (in pages of 500, each page one transaction).
pub async fn recompute_agency(cx: &Context, agency: &AgencyRow) -> AppResult<()> {
    let targets = Targets::of(agency);
    if targets.clock == TargetClock::Calendar {
        sdb::set_calendar_due(
            &cx.db.pool,
            &agency.id,
            targets.normal_hours * HOUR_MS,
            targets.urgent_hours * HOUR_MS,
        )
        .await?;
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let page = sdb::waiting_page(&cx.db.pool, &agency.id, &after, 500).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.id.clone();
        let mut tx = cx.db.begin().await?;
        for r in &page {
            let due = targets.due_at(r.created_at, r.urgent != 0);
            sdb::set_due(&mut *tx, &r.id, due).await?;
        }
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().expect("timestamp").as_millisecond()
    }
    fn iso(ms: i64) -> String {
        crate::clock::iso(ms)
    }
    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::new(y, m, day).expect("date")
    }
    const PARIS: &str = "Europe/Paris";

    #[test]
    fn easter_sundays_are_known_ones() {
        assert_eq!(easter(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn french_holidays_fixed_and_easter_based() {
        // 2026: Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May.
        for date in [
            d(2026, 1, 1),
            d(2026, 4, 6),
            d(2026, 5, 1),
            d(2026, 5, 8),
            d(2026, 5, 14),
            d(2026, 5, 25),
            d(2026, 7, 14),
            d(2026, 8, 15),
            d(2026, 11, 1),
            d(2026, 11, 11),
            d(2026, 12, 25),
        ] {
            assert!(is_french_holiday(date), "{date}");
        }
        for date in [d(2026, 4, 5), d(2026, 4, 7), d(2026, 5, 13), d(2026, 5, 24)] {
            assert!(!is_french_holiday(date), "{date}");
        }
        // 2027: Easter 28 March, so Easter Monday 29 March, Ascension 6 May, Whit Monday 17 May.
        assert!(is_french_holiday(d(2027, 3, 29)));
        assert!(is_french_holiday(d(2027, 5, 6)));
        assert!(is_french_holiday(d(2027, 5, 17)));
    }

    #[test]
    fn working_hours_within_one_day_and_across_the_night() {
        // Tuesday 24 November 2026, 10:00 Paris (09:00 UTC) + 4 h = 14:00 Paris.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-24T09:00:00Z"), 4, PARIS)),
            "2026-11-24T13:00:00Z"
        );
        // 16:00 + 4 h: 2 h today, 2 h tomorrow from 9:00 -> Wednesday 11:00 Paris.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-24T15:00:00Z"), 4, PARIS)),
            "2026-11-25T10:00:00Z"
        );
        // Filed at night (Tuesday 22:00): counting starts Wednesday 9:00.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-24T21:00:00Z"), 2, PARIS)),
            "2026-11-25T10:00:00Z"
        );
        // 48 working hours from Tuesday 10:00: 8 + 9 + 9 + 9 (to Friday), 9 on Monday,
        // then 4 -> Tuesday 1 December 13:00 Paris.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-24T09:00:00Z"), 48, PARIS)),
            "2026-12-01T12:00:00Z"
        );
    }

    #[test]
    fn working_hours_skip_weekends() {
        // Friday 27 November 2026, 17:00 Paris + 4 h: 1 h Friday, 3 h Monday -> Monday 12:00.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-27T16:00:00Z"), 4, PARIS)),
            "2026-11-30T11:00:00Z"
        );
        // Filed on Saturday: Monday 9:00 + 4 h.
        assert_eq!(
            iso(add_working_hours(ms("2026-11-28T10:00:00Z"), 4, PARIS)),
            "2026-11-30T12:00:00Z"
        );
    }

    #[test]
    fn working_hours_skip_easter_monday_ascension_and_whit_monday() {
        // Thursday 2 April 2026 17:00 (summer time, UTC+2) + 10 h: 1 h Thursday, 9 h Friday
        // -> Friday 18:00; + 11 h runs over the weekend and Easter Monday (6 April) to
        // Tuesday 7 April 10:00.
        assert_eq!(
            iso(add_working_hours(ms("2026-04-02T15:00:00Z"), 10, PARIS)),
            "2026-04-03T16:00:00Z"
        );
        assert_eq!(
            iso(add_working_hours(ms("2026-04-02T15:00:00Z"), 11, PARIS)),
            "2026-04-07T08:00:00Z"
        );
        // Wednesday 13 May 2026 17:00 + 2 h: Ascension (14 May) skipped -> Friday 15 May 10:00.
        assert_eq!(
            iso(add_working_hours(ms("2026-05-13T15:00:00Z"), 2, PARIS)),
            "2026-05-15T08:00:00Z"
        );
        // Friday 22 May 2026 17:00 + 2 h: weekend and Whit Monday (25 May) -> Tuesday 26 May 10:00.
        assert_eq!(
            iso(add_working_hours(ms("2026-05-22T15:00:00Z"), 2, PARIS)),
            "2026-05-26T08:00:00Z"
        );
    }

    #[test]
    fn calendar_targets_count_every_hour_and_urgent_ones_are_shorter() {
        let t = Targets {
            normal_hours: 48,
            urgent_hours: 4,
            clock: TargetClock::Calendar,
            timezone: PARIS.into(),
        };
        let start = ms("2026-11-27T16:00:00Z");
        assert_eq!(iso(t.due_at(start, false)), "2026-11-29T16:00:00Z");
        assert_eq!(iso(t.due_at(start, true)), "2026-11-27T20:00:00Z");
        let w = Targets {
            clock: TargetClock::Working,
            ..t
        };
        assert_eq!(iso(w.due_at(start, true)), "2026-11-30T11:00:00Z");
    }
}
