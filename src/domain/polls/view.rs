//! A poll as one reader sees it: counts only when `results_visible` allows, the turnout
//! always, and never who voted what.

use serde::Serialize;
use utoipa::ToSchema;

use super::{audience_of, eligible, is_closed, tally};
use crate::auth::authz::{self, BuildingRole};
use crate::db::polls::PollRow;
use crate::domain::news::Person;
use crate::vocab::{PollAudience, PollStatus, ResultsVisible};

/// One option with its counts, when the reader may see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollOption {
    pub label: String,
    /// Head count; null while hidden.
    pub votes: Option<i64>,
    /// Weighted polls: the shares of the lots that chose it; null otherwise or while hidden.
    pub shares: Option<i64>,
    /// Of the building's total shares (weighted) or of the voters; null while hidden.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Poll {
    pub id: String,
    pub building_id: String,
    pub title: String,
    pub question: String,
    pub status: PollStatus,
    pub options: Vec<PollOption>,
    pub multiple: bool,
    pub audience: PollAudience,
    pub weighted: bool,
    pub results_visible: ResultsVisible,
    pub closes_at: Option<String>,
    pub published_at: Option<String>,
    pub closed_at: Option<String>,
    /// Turnout: how many voted, out of how many may.
    pub voters: i64,
    pub eligible: i64,
    /// Weighted polls: the building's total shares and those of the lots that voted.
    pub total_shares: Option<i64>,
    pub voted_shares: Option<i64>,
    /// The reader's own vote (option indexes), if any.
    pub my_vote: Option<Vec<usize>>,
    pub counts_visible: bool,
    pub can_vote: bool,
    pub can_close: bool,
    /// Staff: publish or edit the draft.
    pub can_manage: bool,
    #[serde(skip)]
    pub closes_at_ms: Option<i64>,
}

/// What a reader's view is made of.
pub(super) struct Facts<'a> {
    pub row: &'a PollRow,
    pub labels: &'a [String],
    pub role: BuildingRole,
    pub reader_id: &'a str,
    pub members: &'a [Person],
    pub lots: &'a [(String, i64)],
    pub now: i64,
}

pub(super) fn poll(f: Facts<'_>, ballots: Vec<tally::Ballot>) -> Poll {
    let row = f.row;
    let eligible = eligible(row, f.members, f.lots);
    let weighted = row.weighted != 0;
    let t = tally::count(f.labels.len(), weighted, &ballots, &eligible, f.lots);
    let my_vote = ballots
        .iter()
        .find(|b| b.person_id == f.reader_id)
        .map(|b| b.options.clone());
    let closed = is_closed(row, f.now);
    let results_visible =
        ResultsVisible::parse(&row.results_visible).unwrap_or(ResultsVisible::AfterClose);
    let visible = authz::poll_counts_visible(f.role, results_visible, my_vote.is_some(), closed);
    let status = PollStatus::parse(&row.status).unwrap_or(PollStatus::Draft);
    let options = f
        .labels
        .iter()
        .zip(&t.counts)
        .map(|(label, c)| PollOption {
            label: label.clone(),
            votes: visible.then_some(c.votes),
            shares: (visible && weighted).then_some(c.shares),
            percent: visible.then_some(c.percent),
        })
        .collect();
    let open = status == PollStatus::Open && !closed;
    Poll {
        id: row.id.clone(),
        building_id: row.building_id.clone(),
        title: row.title.clone(),
        question: row.question.clone(),
        status: if status == PollStatus::Open && closed {
            PollStatus::Closed
        } else {
            status
        },
        options,
        multiple: row.multiple != 0,
        audience: audience_of(row),
        weighted,
        results_visible,
        closes_at: row.closes_at.map(crate::clock::iso),
        published_at: row.published_at.map(crate::clock::iso),
        closed_at: row.closed_at.map(crate::clock::iso),
        voters: t.voters,
        eligible: t.eligible,
        total_shares: weighted.then_some(t.total_shares),
        voted_shares: (weighted && visible).then_some(t.voted_shares),
        my_vote,
        counts_visible: visible,
        can_vote: open && eligible.iter().any(|p| p.id == f.reader_id),
        can_close: open && authz::may_close_poll(f.role, row.author_id == f.reader_id),
        can_manage: authz::sees_all_news(f.role) && status == PollStatus::Draft,
        closes_at_ms: row.closes_at,
    }
}
