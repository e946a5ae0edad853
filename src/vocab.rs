//! The closed vocabularies stored as text (roles, statuses, audiences, event kinds): one
//! enum each, parsed where text comes in (a request, a database row) and written back with
//! the same words, so the database and the JSON keep today's values.

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // The words are the variants in snake_case, which serde and the OpenAPI schema both
        // derive from `rename_all` (a per-variant rename from a macro fragment is not seen by
        // utoipa); a unit test checks they match `as_str`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(raw: &str) -> Option<$name> {
                match raw {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A person's membership in a building (managers act through their agency instead).
    MemberRole { Occupant = "occupant", Referent = "referent", Landlord = "landlord" }
}

vocabulary! {
    Occupancy { Owner = "owner", Tenant = "tenant" }
}

vocabulary! {
    /// A referent sits on the council or is the building's caretaker.
    ReferentKind { Council = "council", Caretaker = "caretaker" }
}

vocabulary! {
    /// The board's three columns.
    ReportStatus { Todo = "todo", InProgress = "in_progress", Closed = "closed" }
}

vocabulary! {
    WorkOrderStatus {
        Sent = "sent",
        Acknowledged = "acknowledged",
        Scheduled = "scheduled",
        Done = "done",
        Cancelled = "cancelled",
    }
}

vocabulary! {
    /// What the provider says after a visit; stored as the code, shown in the reader's words.
    VisitOutcome { Done = "done", AnotherVisit = "another_visit" }
}

vocabulary! {
    /// Who reads a comment or a history entry (R5, R10).
    AudienceKind { All = "all", Council = "council", Person = "person", Landlord = "landlord" }
}

vocabulary! {
    /// What happened to a report; the key of its sentence in history and notifications.
    EventKind {
        ReportCreated = "report_created",
        UrgentReport = "urgent_report",
        CommentAdded = "comment_added",
        StatusChanged = "status_changed",
        ReportClosed = "report_closed",
        ReportReopened = "report_reopened",
        ReportRemoved = "report_removed",
        ReportShared = "report_shared",
        ReportFollowed = "report_followed",
        PhotoAdded = "photo_added",
        WorkOrderSent = "work_order_sent",
        ProviderAcknowledged = "provider_acknowledged",
        VisitScheduled = "visit_scheduled",
        VisitReported = "visit_reported",
        /// An insurance claim was declared from the report (issue 11): no amounts, no thread.
        ClaimDeclared = "claim_declared",
        /// The claim's status moved (council members and managers see it).
        ClaimStatusChanged = "claim_status_changed",
        ReportAssigned = "report_assigned",
        ReportUnassigned = "report_unassigned",
    }
}

vocabulary! {
    /// Who an announcement is for (A1).
    NewsAudience { All = "all", Owners = "owners", Tenants = "tenants", Council = "council" }
}

vocabulary! {
    /// Who may vote in a poll (P1); weighted polls are among owners (P5).
    PollAudience { All = "all", Owners = "owners", Tenants = "tenants" }
}

vocabulary! {
    /// An announcement as its readers see it: visible now, or waiting for its time.
    AnnouncementStatus { Published = "published", Scheduled = "scheduled", Withdrawn = "withdrawn" }
}

vocabulary! {
    PollStatus { Draft = "draft", Open = "open", Closed = "closed" }
}

vocabulary! {
    /// When a poll's counts are shown: once the reader voted, or only after the close.
    ResultsVisible { AfterVote = "after_vote", AfterClose = "after_close" }
}

vocabulary! {
    /// An insurance claim's steps (C1–C4).
    ClaimStatus {
        Draft = "draft",
        Transmitted = "transmitted",
        Acknowledged = "acknowledged",
        ExpertVisitPlanned = "expert_visit_planned",
        Settled = "settled",
        Refused = "refused",
        Closed = "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(all: &[T], as_str: fn(&T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: serde::Serialize + PartialEq + std::fmt::Debug + Copy,
    {
        for v in all {
            assert_eq!(parse(as_str(v)), Some(*v));
            assert_eq!(
                serde_json::to_value(v).ok(),
                Some(serde_json::Value::String(as_str(v).into())),
                "JSON word of {v:?}"
            );
        }
    }

    #[test]
    fn words_round_trip_and_match_json() {
        round_trips(MemberRole::ALL, |v| v.as_str(), MemberRole::parse);
        round_trips(Occupancy::ALL, |v| v.as_str(), Occupancy::parse);
        round_trips(ReferentKind::ALL, |v| v.as_str(), ReferentKind::parse);
        round_trips(ReportStatus::ALL, |v| v.as_str(), ReportStatus::parse);
        round_trips(WorkOrderStatus::ALL, |v| v.as_str(), WorkOrderStatus::parse);
        round_trips(ClaimStatus::ALL, |v| v.as_str(), ClaimStatus::parse);
        round_trips(AudienceKind::ALL, |v| v.as_str(), AudienceKind::parse);
        round_trips(EventKind::ALL, |v| v.as_str(), EventKind::parse);
        round_trips(NewsAudience::ALL, |v| v.as_str(), NewsAudience::parse);
        round_trips(PollAudience::ALL, |v| v.as_str(), PollAudience::parse);
        round_trips(
            AnnouncementStatus::ALL,
            |v| v.as_str(),
            AnnouncementStatus::parse,
        );
        round_trips(PollStatus::ALL, |v| v.as_str(), PollStatus::parse);
        round_trips(ResultsVisible::ALL, |v| v.as_str(), ResultsVisible::parse);
        assert_eq!(MemberRole::parse("manager"), None);
        assert_eq!(AudienceKind::parse("ALL"), None);
    }
}
