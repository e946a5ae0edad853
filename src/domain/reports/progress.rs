//! Where a report stands once a provider is involved (issue 15 item 4), read from the
//! history every reader of the report sees: work order sent, visit planned, work done.

use super::HistoryEntry;
use crate::vocab::{EventKind, VisitOutcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// When the last work order was sent.
    pub sent_at: i64,
    /// The visit the provider confirmed, if any since.
    pub planned_for: Option<i64>,
    /// When the provider reported the work done, if they did since.
    pub done_at: Option<i64>,
}

/// `None` until a work order is sent. A new work order starts the steps again.
pub fn of(history: &[HistoryEntry]) -> Option<Progress> {
    let mut progress: Option<Progress> = None;
    let mut entries: Vec<&HistoryEntry> = history.iter().collect();
    entries.sort_by_key(|e| e.created_at);
    for e in entries {
        match e.kind {
            EventKind::WorkOrderSent => {
                progress = Some(Progress {
                    sent_at: e.created_at,
                    planned_for: None,
                    done_at: None,
                });
            }
            EventKind::VisitScheduled => {
                if let Some(p) = progress.as_mut() {
                    p.planned_for = e.detail.parse().ok();
                }
            }
            EventKind::VisitReported => {
                let outcome = e.detail.split('\n').next().and_then(VisitOutcome::parse);
                if let Some(p) = progress.as_mut() {
                    p.done_at = (outcome == Some(VisitOutcome::Done)).then_some(e.created_at);
                }
            }
            _ => {}
        }
    }
    progress
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: EventKind, detail: &str, at: i64) -> HistoryEntry {
        HistoryEntry {
            kind,
            actor_id: None,
            actor_name: None,
            detail: detail.to_string(),
            created_at: at,
        }
    }

    #[test]
    fn steps_follow_the_history() {
        assert_eq!(of(&[entry(EventKind::ReportCreated, "", 1)]), None);
        let history = [
            entry(EventKind::WorkOrderSent, "Dupont", 10),
            entry(EventKind::VisitScheduled, "5000", 20),
            entry(
                EventKind::VisitReported,
                "another_visit\nPièce commandée",
                30,
            ),
        ];
        assert_eq!(
            of(&history),
            Some(Progress {
                sent_at: 10,
                planned_for: Some(5000),
                done_at: None
            })
        );
        let mut done = history.to_vec();
        done.push(entry(EventKind::VisitReported, "done\nRéparé", 40));
        assert_eq!(of(&done).and_then(|p| p.done_at), Some(40));
    }
}
