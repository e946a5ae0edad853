//! Authorization, in one place: a function of (who, which action, which building).
//!
//! Handlers call [`check`] and receive a [`Permit`]; privileged services take the permit as
//! an argument, so a privileged call cannot be written without the check. Anything outside
//! the actor's buildings is `NotFound`, never `Forbidden`, so existence does not leak.

use super::{Actor, Denied};
use crate::vocab::{
    MemberRole, NewsAudience, Occupancy, PollAudience, ReferentKind, ResultsVisible,
};

/// The building an action is about, with the agency that manages it.
#[derive(Debug, Clone)]
pub struct BuildingRef {
    pub id: String,
    pub agency_id: String,
}

/// A person's strongest relation to one building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BuildingRole {
    Landlord,
    Occupant,
    Referent,
    Manager,
}

impl BuildingRole {
    pub fn as_str(self) -> &'static str {
        match self {
            BuildingRole::Landlord => "landlord",
            BuildingRole::Occupant => "occupant",
            BuildingRole::Referent => "referent",
            BuildingRole::Manager => "manager",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the building page and its basic information.
    ViewBuilding,
    /// See the occupants list (B6).
    ListMembers,
    /// Turn an occupant into a referent and back (B3).
    ChangeRole,
    /// Edit the building's settings and see its registration code and poster.
    ManageBuilding,
    /// File a report in the building (R1).
    CreateReport,
    /// Read the agency's reply templates (R4): staff material, like replying as staff.
    UseReplyTemplates,
    /// See who waits to join and approve or refuse them (seed 001).
    ApproveMembers,
    /// End someone's residence, change their lot or occupancy, erase a former resident.
    ManageMemberships,
    /// Invite members and link landlords to lots (B8, R10).
    ManagePeople,
    /// Publish, edit and withdraw announcements; create, publish and see the turnout of
    /// polls (A1, P1). Staff also see every announcement whatever its audience.
    PublishNews,
    /// See the building's statistics and charts, and export them (D2, D3).
    ViewStats,
    /// Insurance claims of the building (C1–C4), its insurer and policy number: managers only.
    ManageClaims,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::ViewBuilding,
        Action::ListMembers,
        Action::ChangeRole,
        Action::ManageBuilding,
        Action::CreateReport,
        Action::UseReplyTemplates,
        Action::ApproveMembers,
        Action::ManageMemberships,
        Action::ManagePeople,
        Action::PublishNews,
        Action::ViewStats,
        Action::ManageClaims,
    ];
}

/// Proof that `check` granted `action` on `building_id`. The private field means only this
/// module can make one (`#[non_exhaustive]` would still allow it anywhere in the crate).
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct Permit {
    pub building_id: String,
    pub role: BuildingRole,
    pub action: Action,
    _granted: (),
}

impl Actor {
    pub fn role_in(&self, building: &BuildingRef) -> Option<BuildingRole> {
        if self.agencies.contains(&building.agency_id) {
            return Some(BuildingRole::Manager);
        }
        self.memberships
            .iter()
            .filter(|m| m.building_id == building.id)
            .map(|m| match m.role {
                MemberRole::Referent => BuildingRole::Referent,
                MemberRole::Occupant => BuildingRole::Occupant,
                MemberRole::Landlord => BuildingRole::Landlord,
            })
            .max()
    }
}

/// The permission table of SPEC §4 for building-level actions.
pub fn allowed(role: BuildingRole, action: Action) -> bool {
    use Action::*;
    use BuildingRole::*;
    match action {
        ViewBuilding | CreateReport => true,
        ListMembers | UseReplyTemplates | ApproveMembers | PublishNews | ViewStats => {
            matches!(role, Referent | Manager)
        }
        ChangeRole | ManageBuilding | ManageMemberships | ManagePeople | ManageClaims => {
            role == Manager
        }
    }
}

pub fn check(actor: &Actor, action: Action, building: &BuildingRef) -> Result<Permit, Denied> {
    let role = actor.role_in(building).ok_or(Denied::NotFound)?;
    if !allowed(role, action) {
        return Err(Denied::Forbidden);
    }
    Ok(Permit {
        building_id: building.id.clone(),
        role,
        action,
        _granted: (),
    })
}

/// Ending a residence (moving out): the person themself, or the building's manager.
/// Returns whether it is the person's own.
pub fn check_end_residence(
    actor: &Actor,
    building: &BuildingRef,
    person_id: &str,
) -> Result<bool, Denied> {
    let own = person_id == actor.person_id
        && actor
            .memberships
            .iter()
            .any(|m| m.building_id == building.id && is_resident(m.role));
    if own {
        return Ok(true);
    }
    check(actor, Action::ManageMemberships, building).map(|_| false)
}

/// Details of a building that not every member sees (SPEC §4, B1).
pub fn sees_registration_code(role: BuildingRole) -> bool {
    role == BuildingRole::Manager
}

/// Access codes and the on-site contact: staff only.
pub fn sees_access_details(role: BuildingRole) -> bool {
    matches!(role, BuildingRole::Manager | BuildingRole::Referent)
}

/// Staff file reports on behalf of a resident (a phone call, a note in the hall) and pick
/// the resident from the occupants list.
pub fn may_file_for_others(role: BuildingRole) -> bool {
    matches!(role, BuildingRole::Manager | BuildingRole::Referent)
}

/// Who sees the phone of a neighbour without an account a report was filed for: the
/// building's staff, who call back; the author and the followers see the name and lot.
pub fn sees_neighbour_phone(relation: ReportRelation) -> bool {
    matches!(relation, ReportRelation::Manager | ReportRelation::Referent)
}

/// Who a report can be filed for: residents (occupants and referents), not landlords.
pub fn is_resident(role: MemberRole) -> bool {
    role != MemberRole::Landlord
}

/// Council filter (R8): a referent's report stays with occupants and referents unless they
/// share it with the manager. Only referents are offered the choice.
pub fn offers_council_share(role: BuildingRole, council_filter: bool) -> bool {
    council_filter && role == BuildingRole::Referent
}

/// Whether a new report is visible to the manager (R8).
pub fn report_visible_to_manager(role: BuildingRole, council_filter: bool, shared: bool) -> bool {
    !offers_council_share(role, council_filter) || shared
}

/// Which reports of a building a person may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    /// Referents: everything, removed reports included.
    Everything,
    /// Managers: all but what the council filter keeps from them.
    ManagerVisible,
    /// Occupants: all but removed reports.
    NotRemoved,
    /// Landlords: their lots' reports and their own.
    Lots {
        lots: Vec<String>,
        person_id: String,
    },
}

pub fn list_scope(actor: &Actor, permit: &Permit) -> ListScope {
    match permit.role {
        BuildingRole::Manager => ListScope::ManagerVisible,
        BuildingRole::Referent => ListScope::Everything,
        BuildingRole::Occupant => ListScope::NotRemoved,
        BuildingRole::Landlord => ListScope::Lots {
            lots: actor
                .memberships
                .iter()
                .filter(|m| m.building_id == permit.building_id && m.role == MemberRole::Landlord)
                .filter_map(|m| m.lot_id.clone())
                .collect(),
            person_id: actor.person_id.clone(),
        },
    }
}

/// Which comments a search of the board looks into, beyond the report and its public
/// thread: only audiences the reader sees on every report of their list (R5, R10), so a
/// search never reveals a report through words the reader cannot read. Those addressed
/// to one occupant stay out of that occupant's search (an omission, never a leak).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchReach {
    /// Comments for the council and those addressed to one person.
    pub council: bool,
    /// The private landlord thread.
    pub landlord: bool,
}

pub fn search_reach(permit: &Permit) -> SearchReach {
    let role = permit.role;
    SearchReach {
        council: matches!(role, BuildingRole::Manager | BuildingRole::Referent),
        landlord: role == BuildingRole::Manager,
    }
}

/// Agency staff hear about every category by default; residents only about their own
/// building's ordinary news.
pub fn is_agency_staff(actor: &Actor) -> bool {
    !actor.agencies.is_empty()
}

/// A person's relation to one building as news audiences see it (A1, P1, P5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub member: bool,
    /// Owns a lot here: an owner-occupant, or a landlord.
    pub owner: bool,
    pub tenant: bool,
    /// A referent on the council (caretakers are not).
    pub council: bool,
}

/// The standing that memberships (role, occupancy, referent kind) in one building give.
pub fn standing(
    memberships: impl IntoIterator<Item = (MemberRole, Option<Occupancy>, Option<ReferentKind>)>,
) -> Standing {
    let mut s = Standing::default();
    for (role, occupancy, kind) in memberships {
        s.member = true;
        s.owner |= role == MemberRole::Landlord || occupancy == Some(Occupancy::Owner);
        s.tenant |= role != MemberRole::Landlord && occupancy == Some(Occupancy::Tenant);
        s.council |= role == MemberRole::Referent && kind != Some(ReferentKind::Caretaker);
    }
    s
}

impl Actor {
    pub fn standing_in(&self, building_id: &str) -> Standing {
        standing(
            self.memberships
                .iter()
                .filter(|m| m.building_id == building_id)
                .map(|m| (m.role, m.occupancy, m.referent_kind)),
        )
    }
}

/// Whether an announcement's audience includes a member (A1).
pub fn announcement_reaches(audience: NewsAudience, s: Standing) -> bool {
    match audience {
        NewsAudience::All => s.member,
        NewsAudience::Owners => s.owner,
        NewsAudience::Tenants => s.tenant,
        NewsAudience::Council => s.council,
    }
}

/// The audiences whose announcements a member reads (the list's filter).
pub fn audiences_of(s: Standing) -> Vec<NewsAudience> {
    NewsAudience::ALL
        .iter()
        .copied()
        .filter(|a| announcement_reaches(*a, s))
        .collect()
}

/// Staff (referents, managers) see every announcement and poll of the building, scheduled,
/// withdrawn and draft ones included, with how many opened or voted.
pub fn sees_all_news(role: BuildingRole) -> bool {
    allowed(role, Action::PublishNews)
}

/// Who may vote (P1, P5): the poll's audience; weighted polls count owners' lots only, and
/// the caller checks that the voter holds a lot with shares.
pub fn may_vote(audience: PollAudience, weighted: bool, s: Standing) -> bool {
    if weighted {
        return s.owner;
    }
    match audience {
        PollAudience::All => s.member,
        PollAudience::Owners => s.owner,
        PollAudience::Tenants => s.tenant,
    }
}

/// P4: a poll is closed by its author or by a manager.
pub fn may_close_poll(role: BuildingRole, is_author: bool) -> bool {
    role == BuildingRole::Manager || (is_author && allowed(role, Action::PublishNews))
}

/// Whether the counts of a poll are shown (`results_visible`): always once closed; before,
/// only with "after_vote", to those who voted and to staff. Nobody ever sees who voted what.
pub fn poll_counts_visible(
    role: BuildingRole,
    results_visible: ResultsVisible,
    voted: bool,
    closed: bool,
) -> bool {
    closed || (results_visible == ResultsVisible::AfterVote && (voted || sees_all_news(role)))
}

/// Actions on an agency as a whole (SPEC §4: the agency's managers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyAction {
    /// The provider directory: list, add, import, favorites (W1).
    ManageProviders,
    /// Work orders: read, list, PDF, revoke the provider link (W2–W5).
    ManageWorkOrders,
    /// Reactivity statistics (W7).
    ViewStatistics,
    /// Agency settings such as reminder delays (W6).
    ManageSettings,
    /// Add buildings to the agency's portfolio (B1).
    ManageBuildings,
    /// Import buildings, lots and people from the agency's software (B7).
    ImportPortfolio,
    /// Insurers directory, claims across the portfolio, claim reminder delays (C1–C4).
    ManageClaims,
}

impl AgencyAction {
    pub const ALL: [AgencyAction; 7] = [
        AgencyAction::ManageProviders,
        AgencyAction::ManageWorkOrders,
        AgencyAction::ViewStatistics,
        AgencyAction::ManageSettings,
        AgencyAction::ManageBuildings,
        AgencyAction::ImportPortfolio,
        AgencyAction::ManageClaims,
    ];
}

/// Proof that `check_agency` granted `action` for `agency_id`.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct AgencyPermit {
    pub agency_id: String,
    pub action: AgencyAction,
    _granted: (),
}

/// An agency-level action, for the agency of the building or item at hand (`Some`), or for
/// the one named by the request. Without one, a manager of a single agency acts for it; a
/// manager of several must say which (never "the first"). Every agency action is for its
/// managers only, so other people get `Forbidden` and a foreign agency `NotFound`.
pub fn check_agency(
    actor: &Actor,
    action: AgencyAction,
    agency_id: Option<&str>,
) -> Result<AgencyPermit, Denied> {
    let agency_id = match agency_id {
        Some(id) if actor.agencies.iter().any(|a| a == id) => id.to_string(),
        Some(_) => return Err(Denied::NotFound),
        None => match actor.agencies.as_slice() {
            [] => return Err(Denied::Forbidden),
            [only] => only.clone(),
            _ => return Err(Denied::AgencyRequired),
        },
    };
    Ok(AgencyPermit {
        agency_id,
        action,
        _granted: (),
    })
}

/// Proof that `check_portfolio` granted the portfolio dashboard (D1) over `agencies`.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct PortfolioPermit {
    pub agencies: Vec<String>,
    _granted: (),
}

/// The portfolio dashboard and its CSV: an agency's managers, over every agency they manage
/// (a portfolio is all of them). Occupants, landlords and referents are `Forbidden`.
pub fn check_portfolio(actor: &Actor) -> Result<PortfolioPermit, Denied> {
    if actor.agencies.is_empty() {
        return Err(Denied::Forbidden);
    }
    Ok(PortfolioPermit {
        agencies: actor.agencies.clone(),
        _granted: (),
    })
}

/// The portfolio of a person known by the agencies they manage (the digest job has no
/// session): none for someone who manages no agency.
pub fn portfolio_of(managed_agencies: Vec<String>) -> Option<PortfolioPermit> {
    (!managed_agencies.is_empty()).then_some(PortfolioPermit {
        agencies: managed_agencies,
        _granted: (),
    })
}

/// A building's statistics count the reports the reader may list: referents also those the
/// council filter keeps from the manager (R8), managers not.
pub fn stats_count_council_only(role: BuildingRole) -> bool {
    role != BuildingRole::Manager
}

/// What authorization needs to know about one report.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    pub author_id: String,
    /// The person the report is about (the author, or who they filed it for).
    pub concerned_id: String,
    pub lot_id: Option<String>,
    pub removed: bool,
    /// False while the council filter keeps a referent's report from the manager (R8).
    pub manager_visible: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    View,
    /// Comment to everyone who sees the report.
    Comment,
    /// Choose who sees an update: council only or one occupant (R5).
    ChooseAudience,
    /// Read and write the private manager-landlord thread (R10).
    PrivateThread,
    AddPhoto,
    Close,
    Reopen,
    Remove,
    /// Share a report kept by the council filter with the manager (R8).
    Share,
    Follow,
    /// Create a work order from the report (issue W).
    WorkOrder,
    /// Assign the report to one staff member, or unassign it (D5).
    Assign,
}

impl ReportAction {
    pub const ALL: [ReportAction; 12] = [
        ReportAction::View,
        ReportAction::Comment,
        ReportAction::ChooseAudience,
        ReportAction::PrivateThread,
        ReportAction::AddPhoto,
        ReportAction::Close,
        ReportAction::Reopen,
        ReportAction::Remove,
        ReportAction::Share,
        ReportAction::Follow,
        ReportAction::WorkOrder,
        ReportAction::Assign,
    ];
}

/// A person's relation to one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRelation {
    Manager,
    Referent,
    /// Author, or the person it was filed for.
    Author,
    /// The landlord of the report's lot.
    Landlord,
    /// An occupant who follows the report ("me too"): may add a detail or a photo.
    Follower,
    Occupant,
}

impl Actor {
    fn is_landlord_of(&self, building_id: &str, lot_id: Option<&str>) -> bool {
        lot_id.is_some_and(|lot| {
            self.memberships.iter().any(|m| {
                m.building_id == building_id
                    && m.role == MemberRole::Landlord
                    && m.lot_id.as_deref() == Some(lot)
            })
        })
    }

    /// `None` means the report does not exist for this person (404).
    pub fn report_relation(
        &self,
        building: &BuildingRef,
        report: &ReportFacts,
    ) -> Option<ReportRelation> {
        match self.role_in(building)? {
            BuildingRole::Manager => report.manager_visible.then_some(ReportRelation::Manager),
            BuildingRole::Referent => Some(ReportRelation::Referent),
            _ if report.removed => None,
            _ if report.author_id == self.person_id || report.concerned_id == self.person_id => {
                Some(ReportRelation::Author)
            }
            _ if self.is_landlord_of(&building.id, report.lot_id.as_deref()) => {
                Some(ReportRelation::Landlord)
            }
            BuildingRole::Occupant => Some(ReportRelation::Occupant),
            // A landlord sees only the reports of their own lots.
            BuildingRole::Landlord => None,
        }
    }
}

/// SPEC §4 for reports: who may do what once they can see the report.
pub fn report_allowed(relation: ReportRelation, action: ReportAction) -> bool {
    use ReportAction::*;
    use ReportRelation::*;
    match action {
        View | Follow => true,
        Comment => matches!(relation, Manager | Referent | Author | Landlord | Follower),
        AddPhoto => matches!(relation, Manager | Referent | Author | Follower),
        ChooseAudience | Remove => matches!(relation, Manager | Referent),
        PrivateThread => matches!(relation, Manager | Landlord),
        Close => matches!(relation, Manager | Referent | Author),
        Reopen | WorkOrder => relation == Manager,
        Assign => matches!(relation, Manager | Referent),
        Share => relation == Referent,
    }
}

/// Proof that `check_report` granted `action` on `report_id`.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct ReportPermit {
    pub report_id: String,
    pub building_id: String,
    pub relation: ReportRelation,
    pub action: ReportAction,
    _granted: (),
}

/// An occupant who follows a report is a follower of it; other relations stay as they are.
pub fn with_following(relation: ReportRelation, following: bool) -> ReportRelation {
    match relation {
        ReportRelation::Occupant if following => ReportRelation::Follower,
        other => other,
    }
}

/// Whether the report page offers to follow, and with which words: neighbours say "me
/// too"; staff and the author simply follow; managers hear of reports through their agency.
pub fn follow_offer(relation: ReportRelation) -> Option<FollowOffer> {
    match relation {
        ReportRelation::Manager => None,
        ReportRelation::Occupant | ReportRelation::Follower => Some(FollowOffer::MeToo),
        _ => Some(FollowOffer::Follow),
    }
}

/// A follower's words on a report are a detail added ("pareil au 4e"), not an answer.
pub fn writes_details(relation: ReportRelation) -> bool {
    relation == ReportRelation::Follower
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOffer {
    MeToo,
    Follow,
}

/// `following`: whether the actor follows this report (it makes an occupant a follower).
pub fn check_report(
    actor: &Actor,
    action: ReportAction,
    building: &BuildingRef,
    report_id: &str,
    report: &ReportFacts,
    following: bool,
) -> Result<ReportPermit, Denied> {
    let relation = actor
        .report_relation(building, report)
        .map(|r| with_following(r, following))
        .ok_or(Denied::NotFound)?;
    if !report_allowed(relation, action) {
        return Err(Denied::Forbidden);
    }
    Ok(ReportPermit {
        report_id: report_id.to_string(),
        building_id: building.id.clone(),
        relation,
        action,
        _granted: (),
    })
}

/// Who may read a comment (or a history entry) with this audience (R5, R10).
pub fn audience_allows(
    relation: ReportRelation,
    reader_id: &str,
    writer_id: Option<&str>,
    audience: &str,
    audience_person: Option<&str>,
) -> bool {
    use ReportRelation::*;
    let own = writer_id == Some(reader_id);
    match audience {
        "all" => true,
        "council" => own || matches!(relation, Manager | Referent),
        "person" => {
            own || matches!(relation, Manager | Referent) || audience_person == Some(reader_id)
        }
        "landlord" => matches!(relation, Manager | Landlord),
        _ => false,
    }
}

/// What answering a message by e-mail requires (N6): the reply keeps the audience of the
/// message answered, so it needs the right to write to that audience; a personal message
/// is answered to its writer only, which anyone allowed to comment may do.
pub fn mail_reply_action(audience: &str) -> Option<ReportAction> {
    match audience {
        "all" | "person" => Some(ReportAction::Comment),
        "council" => Some(ReportAction::ChooseAudience),
        "landlord" => Some(ReportAction::PrivateThread),
        _ => None,
    }
}

/// A message for one person (R5) may only be addressed to someone who can see the report,
/// and not to its writer.
pub fn may_be_addressed(
    writer: &Actor,
    person: &Actor,
    building: &BuildingRef,
    report: &ReportFacts,
) -> bool {
    person.person_id != writer.person_id && person.report_relation(building, report).is_some()
}

/// Staff of a building take assignments and have an "assigned to me" view (D5).
pub fn takes_assignments(role: BuildingRole) -> bool {
    matches!(role, BuildingRole::Manager | BuildingRole::Referent)
}

/// Who a report may be assigned to (D5, the levels of seed 002): staff of its building who
/// see it — a manager of the building's agency (unless the council filter keeps the report
/// from managers), or one of its referents (council "contact" or caretaker).
pub fn may_be_assigned(person: &Actor, building: &BuildingRef, report: &ReportFacts) -> bool {
    matches!(
        person.report_relation(building, report),
        Some(ReportRelation::Manager | ReportRelation::Referent)
    )
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;

/// What the readers of a report see of a claim declared from it (issue 11 item 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimNews {
    /// "A claim was declared to the insurer": everyone who sees the report.
    Declared,
    /// The claim's status: council members and managers. Amounts, the thread and the
    /// insurer's link stay on the claim, which only managers open.
    Status,
}

/// The audience of a report's history line about its claim (read back by `audience_allows`).
pub fn claim_news_audience(news: ClaimNews) -> &'static str {
    match news {
        ClaimNews::Declared => "all",
        ClaimNews::Status => "council",
    }
}
