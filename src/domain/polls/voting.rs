//! Votes (P1, P5): checked against the poll and its audience, stored as one upsert per
//! person so that a second vote replaces the first and concurrent ones leave one.

use super::{eligible, is_closed, load, lots};
use crate::auth::Actor;
use crate::db::polls as pdb;
use crate::domain::{AppError, AppResult, Context, news};
use crate::vocab::PollStatus;

/// Parses and checks a ballot against the poll.
fn ballot(options: &[i64], n: usize, multiple: bool) -> AppResult<Vec<usize>> {
    let mut chosen = Vec::with_capacity(options.len());
    for &o in options {
        let i = usize::try_from(o)
            .ok()
            .filter(|i| *i < n)
            .ok_or(AppError::invalid("options", "error.poll_option_unknown"))?;
        if chosen.contains(&i) {
            return Err(AppError::invalid("options", "error.poll_option_twice"));
        }
        chosen.push(i);
    }
    if chosen.is_empty() {
        return Err(AppError::invalid("options", "error.poll_option_none"));
    }
    if !multiple && chosen.len() > 1 {
        return Err(AppError::invalid("options", "error.poll_single_answer"));
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// Casts or replaces the actor's vote. Outside the audience 403; a closed poll 409.
pub async fn vote(cx: &Context, actor: &Actor, id: &str, options: &[i64]) -> AppResult<()> {
    let l = load(cx, actor, id).await?;
    let now = cx.clock.now_ms();
    if l.row.status == PollStatus::Draft.as_str() {
        return Err(AppError::Conflict("error.poll_not_open"));
    }
    if is_closed(&l.row, now) {
        return Err(AppError::Conflict("error.poll_closed"));
    }
    let members = news::members(cx, &l.row.building_id).await?;
    let lots = lots(cx, &l.row.building_id).await?;
    if !eligible(&l.row, &members, &lots)
        .iter()
        .any(|p| p.id == actor.person_id)
    {
        return Err(AppError::Forbidden);
    }
    let chosen = ballot(options, l.labels.len(), l.row.multiple != 0)?;
    let json = serde_json::to_string(&chosen).map_err(|e| AppError::Internal(e.to_string()))?;
    if !pdb::upsert_vote(&cx.db.pool, id, &actor.person_id, &json, now).await? {
        return Err(AppError::Conflict("error.poll_closed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ballot;

    #[test]
    fn ballots_are_checked_against_the_poll() {
        assert_eq!(ballot(&[2, 0], 3, true).ok(), Some(vec![0, 2]));
        assert!(ballot(&[0, 1], 3, false).is_err());
        assert!(ballot(&[3], 3, false).is_err());
        assert!(ballot(&[-1], 3, false).is_err());
        assert!(ballot(&[1, 1], 3, true).is_err());
        assert!(ballot(&[], 3, true).is_err());
    }
}
