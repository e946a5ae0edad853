//! The permission tables, rule by rule.
use super::*;
use crate::auth::{Denied, Membership};

fn actor(agencies: &[&str], memberships: &[(&str, &str)]) -> Actor {
    Actor {
        person_id: "p".into(),
        name: "n".into(),
        email: "e@x.test".into(),
        lang: Default::default(),
        is_admin: false,
        agencies: agencies.iter().map(|a| a.to_string()).collect(),
        memberships: memberships
            .iter()
            .map(|(b, r)| Membership {
                building_id: b.to_string(),
                role: crate::vocab::MemberRole::parse(r).expect("role"),
                occupancy: None,
                referent_kind: None,
                lot_id: None,
            })
            .collect(),
    }
}

#[test]
fn permission_table_role_by_action_with_foreign_buildings() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    let cases = [
        (actor(&["a1"], &[]), [true, true, true, true]),
        (
            actor(&[], &[("b1", "referent")]),
            [true, true, false, false],
        ),
        (
            actor(&[], &[("b1", "occupant")]),
            [true, false, false, false],
        ),
        (
            actor(&[], &[("b1", "landlord")]),
            [true, false, false, false],
        ),
        (
            actor(&[], &[("b1", "landlord"), ("b1", "referent")]),
            [true, true, false, false],
        ),
    ];
    for (who, expected) in cases {
        for (action, allowed) in Action::ALL.iter().zip(expected) {
            let result = check(&who, *action, &home);
            match allowed {
                true => assert!(result.is_ok(), "{action:?} for {:?}", who.memberships),
                false => assert!(matches!(result, Err(Denied::Forbidden)), "{action:?}"),
            }
            assert!(
                matches!(check(&who, *action, &foreign), Err(Denied::NotFound)),
                "foreign {action:?}"
            );
        }
    }
}

#[test]
fn report_table_relation_by_action() {
    use ReportRelation::*;
    // View, Comment, ChooseAudience, PrivateThread, AddPhoto, Close, Reopen, Remove, Share, Follow, WorkOrder
    let table = [
        (
            Manager,
            [
                true, true, true, true, true, true, true, true, false, true, true,
            ],
        ),
        (
            Referent,
            [
                true, true, true, false, true, true, false, true, true, true, false,
            ],
        ),
        (
            Author,
            [
                true, true, false, false, true, true, false, false, false, true, false,
            ],
        ),
        (
            Landlord,
            [
                true, true, false, true, false, false, false, false, false, true, false,
            ],
        ),
        (
            Follower,
            [
                true, true, false, false, true, false, false, false, false, true, false,
            ],
        ),
        (
            Occupant,
            [
                true, false, false, false, false, false, false, false, false, true, false,
            ],
        ),
    ];
    for (relation, expected) in table {
        for (action, allowed) in ReportAction::ALL.iter().zip(expected) {
            assert_eq!(
                report_allowed(relation, *action),
                allowed,
                "{relation:?} {action:?}"
            );
        }
    }
}

#[test]
fn report_visibility_follows_role_removal_filter_and_lots() {
    let building = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let facts = |removed, manager_visible| ReportFacts {
        author_id: "tenant".into(),
        concerned_id: "tenant".into(),
        lot_id: Some("lot23".into()),
        removed,
        manager_visible,
    };
    let manager = actor(&["a1"], &[]);
    let occupant = actor(&[], &[("b1", "occupant")]);
    let mut landlord = actor(&[], &[("b1", "landlord")]);
    assert_eq!(
        manager.report_relation(&building, &facts(false, false)),
        None,
        "council filter"
    );
    assert_eq!(
        manager.report_relation(&building, &facts(true, true)),
        Some(ReportRelation::Manager)
    );
    assert_eq!(
        occupant.report_relation(&building, &facts(true, true)),
        None,
        "removed"
    );
    assert_eq!(
        occupant.report_relation(&building, &facts(false, false)),
        Some(ReportRelation::Occupant)
    );
    assert_eq!(
        landlord.report_relation(&building, &facts(false, true)),
        None,
        "not their lot"
    );
    landlord.memberships[0].lot_id = Some("lot23".into());
    assert_eq!(
        landlord.report_relation(&building, &facts(false, true)),
        Some(ReportRelation::Landlord)
    );
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    assert_eq!(manager.report_relation(&foreign, &facts(false, true)), None);
}

#[test]
fn audiences_hide_private_comments() {
    use ReportRelation::*;
    assert!(audience_allows(Occupant, "me", Some("x"), "all", None));
    assert!(!audience_allows(Occupant, "me", Some("x"), "council", None));
    assert!(audience_allows(Referent, "me", Some("x"), "council", None));
    assert!(audience_allows(
        Author,
        "me",
        Some("x"),
        "person",
        Some("me")
    ));
    assert!(!audience_allows(
        Author,
        "me",
        Some("x"),
        "person",
        Some("other")
    ));
    assert!(!audience_allows(Author, "me", Some("x"), "landlord", None));
    assert!(!audience_allows(
        Referent,
        "me",
        Some("x"),
        "landlord",
        None
    ));
    assert!(audience_allows(Landlord, "me", Some("x"), "landlord", None));
    assert!(!audience_allows(Manager, "me", Some("x"), "bogus", None));
}

#[test]
fn agency_table_role_by_action_with_foreign_and_several_agencies() {
    let residents = [
        actor(&[], &[("b1", "referent")]),
        actor(&[], &[("b1", "occupant")]),
        actor(&[], &[("b1", "landlord")]),
    ];
    let manager = actor(&["a1"], &[]);
    let two_agencies = actor(&["a1", "a2"], &[]);
    for action in AgencyAction::ALL {
        // Own agency, named or implied.
        for requested in [Some("a1"), None] {
            let permit = check_agency(&manager, action, requested).expect("own agency");
            assert_eq!(permit.agency_id, "a1");
        }
        // Another agency is not there at all.
        assert!(matches!(
            check_agency(&manager, action, Some("a2")),
            Err(Denied::NotFound)
        ));
        // Several agencies: the one at hand, never "the first" by default.
        assert_eq!(
            check_agency(&two_agencies, action, Some("a2"))
                .expect("second agency")
                .agency_id,
            "a2"
        );
        assert!(matches!(
            check_agency(&two_agencies, action, None),
            Err(Denied::AgencyRequired)
        ));
        // Residents of the agency's buildings have no agency-level action.
        for who in &residents {
            assert!(matches!(
                check_agency(who, action, None),
                Err(Denied::Forbidden)
            ));
            assert!(matches!(
                check_agency(who, action, Some("a1")),
                Err(Denied::NotFound)
            ));
        }
    }
}

#[test]
fn building_details_and_filing_rules_by_role() {
    use BuildingRole::*;
    // (role, registration code, access details, files for others, offered the council share)
    let table = [
        (Manager, true, true, true, false),
        (Referent, false, true, true, true),
        (Occupant, false, false, false, false),
        (Landlord, false, false, false, false),
    ];
    for (role, code, access, for_others, share) in table {
        assert_eq!(sees_registration_code(role), code, "{role:?}");
        assert_eq!(sees_access_details(role), access, "{role:?}");
        assert_eq!(may_file_for_others(role), for_others, "{role:?}");
        assert_eq!(offers_council_share(role, true), share, "{role:?}");
        assert!(
            !offers_council_share(role, false),
            "{role:?} without filter"
        );
        // Only an unshared referent report under the council filter is kept from the manager.
        assert_eq!(
            report_visible_to_manager(role, true, false),
            !share,
            "{role:?}"
        );
        assert!(
            report_visible_to_manager(role, true, true),
            "{role:?} shared"
        );
    }
    assert!(
        is_resident(MemberRole::Occupant)
            && is_resident(MemberRole::Referent)
            && !is_resident(MemberRole::Landlord)
    );
}

#[test]
fn list_scope_by_role() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let scope_of = |who: &Actor| {
        let permit = check(who, Action::ViewBuilding, &home).expect("member");
        list_scope(who, &permit)
    };
    assert_eq!(scope_of(&actor(&["a1"], &[])), ListScope::ManagerVisible);
    assert_eq!(
        scope_of(&actor(&[], &[("b1", "referent")])),
        ListScope::Everything
    );
    assert_eq!(
        scope_of(&actor(&[], &[("b1", "occupant")])),
        ListScope::NotRemoved
    );
    let mut landlord = actor(&[], &[("b1", "landlord"), ("b2", "landlord")]);
    landlord.memberships[0].lot_id = Some("lot-1".into());
    landlord.memberships[1].lot_id = Some("lot-9".into());
    assert_eq!(
        scope_of(&landlord),
        ListScope::Lots {
            lots: vec!["lot-1".into()],
            person_id: "p".into()
        }
    );
    assert!(is_agency_staff(&actor(&["a1"], &[])));
    assert!(!is_agency_staff(&actor(&[], &[("b1", "referent")])));
}

#[test]
fn search_reaches_only_audiences_the_reader_sees_on_every_report() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let reach_of = |who: &Actor| {
        let permit = check(who, Action::ViewBuilding, &home).expect("member");
        search_reach(&permit)
    };
    // role × (council and one-person comments, landlord thread), matching audience_allows.
    let table = [
        (actor(&["a1"], &[]), true, true),
        (actor(&[], &[("b1", "referent")]), true, false),
        (actor(&[], &[("b1", "occupant")]), false, false),
        (actor(&[], &[("b1", "landlord")]), false, false),
    ];
    for (who, council, landlord) in table {
        assert_eq!(
            reach_of(&who),
            SearchReach { council, landlord },
            "{:?}",
            who.memberships
        );
    }
    // Consistent with the thread: what a search reaches, the reader reads on any report.
    assert!(audience_allows(
        ReportRelation::Referent,
        "p",
        Some("x"),
        "council",
        None
    ));
    assert!(!audience_allows(
        ReportRelation::Referent,
        "p",
        Some("x"),
        "landlord",
        None
    ));
    assert!(!audience_allows(
        ReportRelation::Occupant,
        "p",
        Some("x"),
        "council",
        None
    ));
    // Another agency's manager has no permit at all: nothing to search.
    assert!(check(&actor(&["a2"], &[]), Action::ViewBuilding, &home).is_err());
}

#[test]
fn reply_templates_are_for_staff_only() {
    use BuildingRole::*;
    assert!(allowed(Manager, Action::UseReplyTemplates));
    assert!(allowed(Referent, Action::UseReplyTemplates));
    assert!(!allowed(Occupant, Action::UseReplyTemplates));
    assert!(!allowed(Landlord, Action::UseReplyTemplates));
}

#[test]
fn lifecycle_actions_by_role_with_foreign_buildings() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    // ApproveMembers, ManageMemberships
    let cases = [
        (actor(&["a1"], &[]), [true, true]),
        (actor(&[], &[("b1", "referent")]), [true, false]),
        (actor(&[], &[("b1", "occupant")]), [false, false]),
        (actor(&[], &[("b1", "landlord")]), [false, false]),
    ];
    for (who, expected) in cases {
        for (action, allowed) in [Action::ApproveMembers, Action::ManageMemberships]
            .iter()
            .zip(expected)
        {
            let result = check(&who, *action, &home);
            assert_eq!(result.is_ok(), allowed, "{action:?} {:?}", who.memberships);
            if !allowed {
                assert!(matches!(result, Err(Denied::Forbidden)), "{action:?}");
            }
            assert!(
                matches!(check(&who, *action, &foreign), Err(Denied::NotFound)),
                "foreign {action:?}"
            );
        }
    }
}

#[test]
fn a_residence_ends_by_its_resident_or_the_manager() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    let occupant = actor(&[], &[("b1", "occupant")]);
    assert_eq!(check_end_residence(&occupant, &home, "p"), Ok(true));
    assert_eq!(
        check_end_residence(&occupant, &home, "someone else"),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        check_end_residence(&occupant, &foreign, "p"),
        Err(Denied::NotFound)
    );
    // A landlord link is not a residence to end.
    let landlord = actor(&[], &[("b1", "landlord")]);
    assert_eq!(
        check_end_residence(&landlord, &home, "p"),
        Err(Denied::Forbidden)
    );
    let manager = actor(&["a1"], &[]);
    assert_eq!(check_end_residence(&manager, &home, "other"), Ok(false));
    assert_eq!(
        check_end_residence(&manager, &foreign, "other"),
        Err(Denied::NotFound)
    );
    let referent = actor(&[], &[("b1", "referent")]);
    assert_eq!(
        check_end_residence(&referent, &home, "other"),
        Err(Denied::Forbidden)
    );
}

#[test]
fn people_and_portfolio_table() {
    // Inviting members and linking landlords: the building's managers only (import).
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    let cases = [
        (actor(&["a1"], &[]), true),
        (actor(&[], &[("b1", "referent")]), false),
        (actor(&[], &[("b1", "occupant")]), false),
        (actor(&[], &[("b1", "landlord")]), false),
    ];
    for (who, allowed) in cases {
        let result = check(&who, Action::ManagePeople, &home);
        match allowed {
            true => assert!(result.is_ok()),
            false => assert!(matches!(result, Err(Denied::Forbidden))),
        }
        assert!(matches!(
            check(&who, Action::ManagePeople, &foreign),
            Err(Denied::NotFound)
        ));
    }
    // Importing a portfolio: the agency's managers; another agency is 404, residents 403.
    let manager = actor(&["a1"], &[]);
    assert!(check_agency(&manager, AgencyAction::ImportPortfolio, Some("a1")).is_ok());
    assert!(matches!(
        check_agency(&manager, AgencyAction::ImportPortfolio, Some("a2")),
        Err(Denied::NotFound)
    ));
    assert!(matches!(
        check_agency(
            &actor(&[], &[("b1", "referent")]),
            AgencyAction::ImportPortfolio,
            Some("a1")
        ),
        Err(Denied::NotFound)
    ));
    assert!(matches!(
        check_agency(
            &actor(&[], &[("b1", "occupant")]),
            AgencyAction::ImportPortfolio,
            None
        ),
        Err(Denied::Forbidden)
    ));
}

#[test]
fn news_rules_audiences_votes_closing_and_counts() {
    use crate::vocab::{MemberRole as R, NewsAudience as A, Occupancy as O, PollAudience as P};
    use crate::vocab::{ReferentKind as K, ResultsVisible as V};
    use BuildingRole::*;
    // Publishing: referents and managers; occupants and landlords are refused.
    for (role, ok) in [
        (Manager, true),
        (Referent, true),
        (Occupant, false),
        (Landlord, false),
    ] {
        assert_eq!(allowed(role, Action::PublishNews), ok, "{role:?}");
        assert_eq!(sees_all_news(role), ok);
    }
    let owner = standing([(R::Occupant, Some(O::Owner), None)]);
    let tenant = standing([(R::Occupant, Some(O::Tenant), None)]);
    let landlord = standing([(R::Landlord, None, None)]);
    let council = standing([(R::Referent, Some(O::Owner), Some(K::Council))]);
    let caretaker = standing([(R::Referent, None, Some(K::Caretaker))]);
    let outsider = standing([]);
    // (standing, all, owners, tenants, council)
    for (s, expected) in [
        (owner, [true, true, false, false]),
        (tenant, [true, false, true, false]),
        (landlord, [true, true, false, false]),
        (council, [true, true, false, true]),
        (caretaker, [true, false, false, false]),
        (outsider, [false, false, false, false]),
    ] {
        for (audience, ok) in A::ALL.iter().zip(expected) {
            assert_eq!(announcement_reaches(*audience, s), ok, "{s:?} {audience:?}");
        }
    }
    // Votes: the audience; weighted polls only owners.
    assert!(may_vote(P::All, false, tenant));
    assert!(!may_vote(P::Owners, false, tenant));
    assert!(may_vote(P::Tenants, false, tenant));
    assert!(!may_vote(P::All, true, tenant));
    assert!(may_vote(P::All, true, landlord));
    assert!(!may_vote(P::All, false, outsider));
    // Closing: the author (staff) or a manager.
    assert!(may_close_poll(Manager, false));
    assert!(may_close_poll(Referent, true));
    assert!(!may_close_poll(Referent, false));
    assert!(!may_close_poll(Occupant, true));
    // Counts: after the close for all; after a vote (or for staff) with "after_vote".
    assert!(poll_counts_visible(Occupant, V::AfterClose, false, true));
    assert!(!poll_counts_visible(Occupant, V::AfterClose, true, false));
    assert!(!poll_counts_visible(Manager, V::AfterClose, false, false));
    assert!(poll_counts_visible(Occupant, V::AfterVote, true, false));
    assert!(!poll_counts_visible(Occupant, V::AfterVote, false, false));
    assert!(poll_counts_visible(Referent, V::AfterVote, false, false));
}

#[test]
fn replies_by_mail_keep_the_audience_answered() {
    use ReportRelation::*;
    // relation × audience of the message answered: all, person, council, landlord.
    let table = [
        (Manager, [true, true, true, true]),
        (Referent, [true, true, true, false]),
        (Author, [true, true, false, false]),
        (Landlord, [true, true, false, true]),
        (Follower, [true, true, false, false]),
        (Occupant, [false, false, false, false]),
    ];
    for (relation, expected) in table {
        for (audience, allowed) in ["all", "person", "council", "landlord"]
            .iter()
            .zip(expected)
        {
            let action = mail_reply_action(audience).expect("known audience");
            assert_eq!(
                report_allowed(relation, action),
                allowed,
                "{relation:?} answering {audience}"
            );
        }
    }
    assert_eq!(mail_reply_action("bogus"), None);
}

#[test]
fn the_phone_of_a_neighbour_without_an_account_is_for_staff() {
    use ReportRelation::*;
    let table = [
        (Manager, true),
        (Referent, true),
        (Author, false),
        (Landlord, false),
        (Follower, false),
        (Occupant, false),
    ];
    for (relation, phone) in table {
        assert_eq!(sees_neighbour_phone(relation), phone, "{relation:?}");
    }
}

#[test]
fn stats_and_portfolio_table_role_with_foreign_buildings() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    // (who, building statistics of their building, portfolio dashboard)
    let cases = [
        (actor(&["a1"], &[]), true, true),
        (actor(&[], &[("b1", "referent")]), true, false),
        (actor(&[], &[("b1", "occupant")]), false, false),
        (actor(&[], &[("b1", "landlord")]), false, false),
        (actor(&["a1", "a3"], &[]), true, true),
    ];
    for (who, stats, portfolio) in cases {
        let result = check(&who, Action::ViewStats, &home);
        match stats {
            true => assert!(result.is_ok(), "stats for {:?}", who.memberships),
            false => assert!(matches!(result, Err(Denied::Forbidden)), "stats"),
        }
        assert!(matches!(
            check(&who, Action::ViewStats, &foreign),
            Err(Denied::NotFound)
        ));
        match portfolio {
            true => assert_eq!(
                check_portfolio(&who).expect("portfolio").agencies,
                who.agencies,
                "every agency the manager manages, none other"
            ),
            false => assert!(matches!(check_portfolio(&who), Err(Denied::Forbidden))),
        }
    }
    assert!(portfolio_of(Vec::new()).is_none());
    assert_eq!(
        portfolio_of(vec!["a1".into()]).map(|p| p.agencies),
        Some(vec!["a1".to_string()])
    );
    assert!(stats_count_council_only(BuildingRole::Referent));
    assert!(!stats_count_council_only(BuildingRole::Manager));
}

#[test]
fn claims_are_for_managers_and_reports_show_residents_only_that_one_was_declared() {
    let home = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let foreign = BuildingRef {
        id: "b2".into(),
        agency_id: "a2".into(),
    };
    // role in b1 × (own building, other agency's building)
    let table = [
        (actor(&["a1"], &[]), true),
        (actor(&[], &[("b1", "referent")]), false),
        (actor(&[], &[("b1", "occupant")]), false),
        (actor(&[], &[("b1", "landlord")]), false),
    ];
    for (who, ok) in table {
        let own = check(&who, Action::ManageClaims, &home);
        assert_eq!(own.is_ok(), ok, "{:?}", who.memberships);
        if !ok {
            assert!(matches!(own, Err(Denied::Forbidden)));
        }
        assert!(matches!(
            check(&who, Action::ManageClaims, &foreign),
            Err(Denied::NotFound)
        ));
        // The portfolio list and the insurers' directory: own agency only, managers only.
        assert_eq!(
            check_agency(&who, AgencyAction::ManageClaims, Some("a1")).is_ok(),
            ok
        );
        assert!(check_agency(&who, AgencyAction::ManageClaims, Some("a2")).is_err());
    }
    // Relation to the report × (sees "declared", sees the status).
    use ReportRelation::*;
    let rows = [
        (Manager, true, true),
        (Referent, true, true),
        (Author, true, false),
        (Landlord, true, false),
        (Follower, true, false),
        (Occupant, true, false),
    ];
    for (relation, declared, status) in rows {
        let sees = |news| {
            audience_allows(
                relation,
                "reader",
                Some("manager"),
                claim_news_audience(news),
                None,
            )
        };
        assert_eq!(sees(ClaimNews::Declared), declared, "{relation:?}");
        assert_eq!(sees(ClaimNews::Status), status, "{relation:?}");
    }
}

#[test]
fn assignment_is_by_staff_to_staff_who_see_the_report() {
    use ReportRelation::*;
    for (relation, allowed) in [
        (Manager, true),
        (Referent, true),
        (Author, false),
        (Landlord, false),
        (Follower, false),
        (Occupant, false),
    ] {
        assert_eq!(
            report_allowed(relation, ReportAction::Assign),
            allowed,
            "{relation:?}"
        );
    }
    let building = BuildingRef {
        id: "b1".into(),
        agency_id: "a1".into(),
    };
    let facts = |manager_visible| ReportFacts {
        author_id: "tenant".into(),
        concerned_id: "tenant".into(),
        lot_id: None,
        removed: false,
        manager_visible,
    };
    let manager = actor(&["a1"], &[]);
    let referent = actor(&[], &[("b1", "referent")]);
    let occupant = actor(&[], &[("b1", "occupant")]);
    let landlord = actor(&[], &[("b1", "landlord")]);
    let foreign_manager = actor(&["a2"], &[]);
    let foreign_referent = actor(&[], &[("b2", "referent")]);
    assert!(may_be_assigned(&manager, &building, &facts(true)));
    assert!(
        !may_be_assigned(&manager, &building, &facts(false)),
        "council filter"
    );
    assert!(may_be_assigned(&referent, &building, &facts(false)));
    assert!(!may_be_assigned(&occupant, &building, &facts(true)));
    assert!(!may_be_assigned(&landlord, &building, &facts(true)));
    assert!(!may_be_assigned(&foreign_manager, &building, &facts(true)));
    assert!(!may_be_assigned(&foreign_referent, &building, &facts(true)));
}
