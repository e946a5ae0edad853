//! CSV exports of the dashboards for a French spreadsheet: UTF-8 with a byte-order mark,
//! `;` between columns, CRLF line ends, decimal commas in French.

use crate::auth::Actor;
use crate::domain::dashboard;
use crate::domain::stats::StatsView;
use crate::domain::{AppResult, Context};
use crate::i18n::Lang;

const BOM: &str = "\u{FEFF}";

fn field(raw: &str) -> String {
    // A leading = + - @ would be a formula in a spreadsheet: kept as text.
    let text = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

struct Writer {
    out: String,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            out: BOM.to_string(),
        }
    }
    fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let line: Vec<String> = cells.iter().map(|c| field(c.as_ref())).collect();
        self.out.push_str(&line.join(";"));
        self.out.push_str("\r\n");
    }
}

/// A decimal as the language writes it ("12,5" in French); empty when unknown.
pub fn decimal(lang: Lang, value: Option<f64>) -> String {
    match value {
        None => String::new(),
        Some(v) => {
            let text = format!("{v:.1}");
            match lang {
                Lang::Fr => text.replace('.', ","),
                Lang::En => text,
            }
        }
    }
}

/// One building's statistics, section by section.
pub fn building(lang: Lang, view: &StatsView) -> String {
    let s = &view.stats;
    let mut w = Writer::new();
    w.row(&[lang.t("stats.building"), view.building_name.as_str()]);
    w.row(&[
        lang.t("stats.period").to_string(),
        view.from.to_string(),
        view.to.to_string(),
    ]);
    w.row::<&str>(&[]);
    w.row(&[lang.t("stats.month"), lang.t("stats.reports")]);
    for m in &s.reports_per_month {
        w.row(&[m.month.clone(), m.count.to_string()]);
    }
    w.row::<&str>(&[]);
    w.row(&[lang.t("stats.category"), lang.t("stats.reports")]);
    for c in &s.per_category {
        w.row(&[c.label.clone(), c.count.to_string()]);
    }
    w.row::<&str>(&[]);
    w.row(&[lang.t("stats.indicator"), lang.t("stats.value")]);
    w.row(&[
        lang.t("stats.median_first_answer").to_string(),
        decimal(lang, s.median_first_answer_hours),
    ]);
    w.row(&[
        lang.t("stats.median_close").to_string(),
        decimal(lang, s.median_close_hours),
    ]);
    w.row(&[
        lang.t("stats.on_time").to_string(),
        decimal(lang, s.first_answer_on_time_pct),
    ]);
    w.row::<&str>(&[]);
    w.row(&[
        lang.t("stats.category"),
        lang.t("stats.location"),
        lang.t("stats.reports"),
    ]);
    for r in &s.recurrent {
        w.row(&[r.label.clone(), r.location.clone(), r.count.to_string()]);
    }
    w.out
}

/// The portfolio: one line per building.
pub async fn portfolio(cx: &Context, actor: &Actor) -> AppResult<String> {
    let lang = actor.lang;
    let d = dashboard::portfolio(cx, actor).await?;
    let mut w = Writer::new();
    w.row(&[
        lang.t("stats.building"),
        lang.t("dashboard.lots"),
        lang.t("status.todo"),
        lang.t("status.in_progress"),
        lang.t("status.closed"),
        lang.t("dashboard.overdue"),
        lang.t("dashboard.urgent_open"),
        lang.t("dashboard.work_orders_open"),
    ]);
    for b in &d.buildings {
        w.row(&[
            b.name.clone(),
            b.lots.to_string(),
            b.reports.todo.to_string(),
            b.reports.in_progress.to_string(),
            b.reports.closed.to_string(),
            b.overdue.to_string(),
            b.urgent_open.to_string(),
            b.work_orders_open.to_string(),
        ]);
    }
    Ok(w.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed_and_formulas_kept_as_text() {
        assert_eq!(field("Hall; escalier B"), "\"Hall; escalier B\"");
        assert_eq!(field("dit \"fuite\""), "\"dit \"\"fuite\"\"\"");
        assert_eq!(field("=SOMME(A1)"), "'=SOMME(A1)");
        assert_eq!(field("Évier"), "Évier");
        assert_eq!(decimal(Lang::Fr, Some(12.5)), "12,5");
        assert_eq!(decimal(Lang::En, Some(12.5)), "12.5");
        assert_eq!(decimal(Lang::Fr, None), "");
    }
}
