//! Counting a poll (P4, P5): heads per option and, for weighted polls, the shares of the
//! voters' lots, each lot once (the latest vote of its owners stands), against the
//! building's total. Pure functions, so the rules are tested without a database.

use std::collections::HashMap;

use crate::domain::news::Person;

/// A vote as counted: who, which options, in the order votes were cast.
#[derive(Debug, Clone)]
pub struct Ballot {
    pub person_id: String,
    pub options: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Count {
    pub votes: i64,
    pub shares: i64,
    /// Of the building's total shares (weighted) or of the voters (heads), one decimal.
    pub percent: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub counts: Vec<Count>,
    pub voters: i64,
    pub eligible: i64,
    /// Weighted polls: the building's total shares, and those of the lots that voted.
    pub total_shares: i64,
    pub voted_shares: i64,
}

fn one_decimal(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// `ballots` oldest first; `eligible` the people who may vote; `lots` (id, shares) of the
/// building.
pub fn count(
    options: usize,
    weighted: bool,
    ballots: &[Ballot],
    eligible: &[&Person],
    lots: &[(String, i64)],
) -> Tally {
    let mut counts = vec![Count::default(); options];
    for b in ballots {
        for &i in &b.options {
            if let Some(c) = counts.get_mut(i) {
                c.votes += 1;
            }
        }
    }
    let voters = ballots.len() as i64;
    let total_shares: i64 = lots.iter().map(|(_, s)| *s).sum();
    let mut voted_shares = 0;
    if weighted {
        // Each lot counts once: the latest ballot among its owners.
        let latest: HashMap<&str, usize> = ballots
            .iter()
            .enumerate()
            .map(|(i, b)| (b.person_id.as_str(), i))
            .collect();
        for (lot, shares) in lots {
            let chosen = eligible
                .iter()
                .filter(|p| p.owned_lots.iter().any(|l| l == lot))
                .filter_map(|p| latest.get(p.id.as_str()).copied())
                .max();
            if let Some(i) = chosen {
                voted_shares += shares;
                for &o in &ballots[i].options {
                    if let Some(c) = counts.get_mut(o) {
                        c.shares += shares;
                    }
                }
            }
        }
    }
    for c in &mut counts {
        c.percent = if weighted {
            one_decimal(c.shares, total_shares)
        } else {
            one_decimal(c.votes, voters)
        };
    }
    Tally {
        counts,
        voters,
        eligible: eligible.len() as i64,
        total_shares,
        voted_shares,
    }
}

/// Escapes one CSV field (RFC 4180) and defuses spreadsheet formulas.
fn csv_field(raw: &str) -> String {
    let raw = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if raw.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", raw.replace('"', "\"\""))
    } else {
        raw
    }
}

/// The results as CSV for the council meeting: one line per option, then the totals.
pub fn csv(labels: &[String], t: &Tally, weighted: bool, headers: [&str; 5]) -> String {
    let [option, votes, shares, percent, total] = headers;
    let mut out = if weighted {
        format!("{option},{votes},{shares},{percent}\r\n")
    } else {
        format!("{option},{votes},{percent}\r\n")
    };
    for (label, c) in labels.iter().zip(&t.counts) {
        if weighted {
            out.push_str(&format!(
                "{},{},{},{:.1}\r\n",
                csv_field(label),
                c.votes,
                c.shares,
                c.percent
            ));
        } else {
            out.push_str(&format!(
                "{},{},{:.1}\r\n",
                csv_field(label),
                c.votes,
                c.percent
            ));
        }
    }
    if weighted {
        out.push_str(&format!(
            "{},{},{},{:.1}\r\n",
            csv_field(total),
            t.voters,
            t.voted_shares,
            one_decimal(t.voted_shares, t.total_shares)
        ));
    } else {
        out.push_str(&format!("{},{},\r\n", csv_field(total), t.voters));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::authz::Standing;

    fn owner(id: &str, lots: &[&str]) -> Person {
        Person {
            id: id.into(),
            email: format!("{id}@x.test"),
            name: id.into(),
            lang: Default::default(),
            standing: Standing {
                member: true,
                owner: true,
                ..Default::default()
            },
            owned_lots: lots.iter().map(|l| l.to_string()).collect(),
        }
    }

    fn ballot(id: &str, options: &[usize]) -> Ballot {
        Ballot {
            person_id: id.into(),
            options: options.to_vec(),
        }
    }

    #[test]
    fn weighted_counts_each_lot_once_with_its_latest_owner_vote() {
        // Two co-owners of lot A (300): the latest vote (bob's) stands for the lot.
        let (ann, bob, cy) = (
            owner("ann", &["A"]),
            owner("bob", &["A"]),
            owner("cy", &["B", "C"]),
        );
        let eligible = [&ann, &bob, &cy];
        let lots = [
            ("A".to_string(), 300),
            ("B".to_string(), 200),
            ("C".to_string(), 100),
            ("D".to_string(), 400),
        ];
        let ballots = [ballot("ann", &[0]), ballot("cy", &[1]), ballot("bob", &[1])];
        let t = count(2, true, &ballots, &eligible, &lots);
        assert_eq!(t.voters, 3);
        assert_eq!(t.eligible, 3);
        assert_eq!((t.counts[0].votes, t.counts[0].shares), (1, 0));
        assert_eq!((t.counts[1].votes, t.counts[1].shares), (2, 600));
        assert_eq!(t.total_shares, 1000);
        assert_eq!(t.voted_shares, 600);
        assert_eq!(t.counts[1].percent, 60.0);
        let csv = csv(
            &["Oui".into(), "Non, \"jamais\"".into()],
            &t,
            true,
            ["option", "votes", "shares", "percent", "total"],
        );
        assert_eq!(
            csv,
            "option,votes,shares,percent\r\nOui,1,0,0.0\r\n\"Non, \"\"jamais\"\"\",2,600,60.0\r\ntotal,3,600,60.0\r\n"
        );
    }

    #[test]
    fn heads_count_every_option_chosen() {
        let t = count(
            3,
            false,
            &[ballot("a", &[0, 2]), ballot("b", &[2])],
            &[],
            &[],
        );
        assert_eq!(
            t.counts.iter().map(|c| c.votes).collect::<Vec<_>>(),
            [1, 0, 2]
        );
        assert_eq!(t.counts[2].percent, 100.0);
        assert_eq!(t.counts[0].percent, 50.0);
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
