//! The data of each figure page, shared by the server (which fills it) and the browser
//! (which shows it): types only, no I/O.
use crate::domain::{AdoptionMatrix, Choice, Comparison, CompletenessRow, EffectivenessRow, Figures, HomeCounts, Percent, TrendRow};
use crate::domain::access::Account;
use crate::domain::reference::Faults;
use crate::domain::survey::{Broken, Stored, SurveyDraft, SurveyField, Warning};
use serde::{Deserialize, Serialize};

/// Province totals of reporting for the period: communes, reporting, rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reporting {
    pub communes: u64,
    pub reporting: u64,
    pub rate: Option<Percent>,
}

/// `/`: the officials' dashboard for a period, model and (for the trend) district.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    /// The period shown: the one asked for, or the latest year with survey counts.
    pub period: String,
    pub models: Vec<Choice>,
    /// The provinces valid during the period, and one the address names (the form offers
    /// them when there are several).
    pub provinces: Vec<Choice>,
    /// The districts for the trend: the chosen province's, or all.
    pub districts: Vec<Choice>,
    /// Districts or communes; provinces when the page shows a whole country.
    pub comparison: Comparison,
    pub total: Figures,
    pub reporting: Reporting,
    pub matrix: AdoptionMatrix,
    /// The province's line (the country's when several provinces are shown whole), and the
    /// selected unit's when one is chosen (a district; a commune after 2025).
    pub trend: Vec<(String, Vec<TrendRow>)>,
    /// The per-unit charts; empty when single communes are compared (not shown then).
    pub adoption_svg: String,
    pub satisfaction_svg: String,
    pub trend_svg: String,
    /// The compared units against chance ([`crate::domain::Funnel`]), and its chart.
    pub funnel: crate::domain::Funnel,
    pub funnel_svg: String,
    /// The share of communes running each model, and how many models each commune runs
    /// (shown when single communes are compared).
    pub models_svg: String,
    pub spread_svg: String,
    pub counts: HomeCounts,
    /// The day the page was made (`YYYY-MM-DD`), printed under the filters.
    pub today: String,
}

/// `/completeness`: who has reported for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompletenessData {
    pub period: String,
    pub rows: Vec<CompletenessRow>,
    pub reporting: Reporting,
    /// Names of the missing communes, by code, so the page can print them.
    pub names: Vec<Choice>,
    pub today: String,
}

/// `/models/{code}`: one model, where it runs and its effectiveness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelData {
    pub code: String,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub launched_on: Option<String>,
    pub sites: Vec<Site>,
    pub effectiveness: EffectivenessRow,
    /// Units running it at the end of each year: (year, pilot, scaled).
    pub adoption_curve: Vec<(i32, u64, u64)>,
    pub curve_svg: String,
    /// The reader may edit the model and its adoptions (an official or an admin).
    pub may_edit: bool,
    /// The latest changes of the model and its adoptions, newest first.
    pub changes: Vec<ReferenceChange>,
}

/// A unit running a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// The adoption's row, for its edit link.
    pub adoption_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub parent_name: Option<String>,
    pub stage: String,
    pub steered_by: Option<String>,
    pub started_on: String,
    pub ended_on: Option<String>,
}

/// `/search?q=`: matching districts, communes and models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub code: String,
    pub name: String,
    /// The district or province it belongs to, for telling namesakes apart.
    pub parent: Option<String>,
    /// Whether the unit still exists (no valid_to).
    pub current: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchKind {
    District,
    Commune,
    Model,
}

impl SearchHit {
    pub fn href(&self) -> String {
        match self.kind {
            SearchKind::District => format!("/districts/{}", self.code),
            SearchKind::Commune => format!("/communes/{}", self.code),
            SearchKind::Model => format!("/models/{}", self.code),
        }
    }
}

/// The most hits a search returns.
pub const SEARCH_LIMIT: usize = 50;

/// A model a commune runs, for the district page's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunningModel {
    pub unit_code: String,
    pub unit_name: String,
    pub model_code: String,
    pub model_name: String,
    pub stage: String,
    pub started_on: String,
    pub steered_by: Option<String>,
}

/// `/districts/{code}`: a district's communes, the models each runs, and the dashboard's
/// charts at commune level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictData {
    pub code: String,
    pub name: String,
    pub kind: Option<String>,
    pub valid_to: Option<String>,
    pub period: String,
    pub models: Vec<Choice>,
    pub comparison: Comparison,
    pub running: Vec<RunningModel>,
    pub adoption_svg: String,
    pub satisfaction_svg: String,
    /// The district's communes against chance, and its chart.
    pub funnel: crate::domain::Funnel,
    pub funnel_svg: String,
    pub today: String,
}

/// One survey of a commune's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyLine {
    pub unit_code: String,
    pub period: String,
    pub model_code: Option<String>,
    pub respondents: u64,
    pub satisfied: u64,
    pub satisfaction_rate: Option<Percent>,
}

/// `/communes/{code}`: one commune-level unit, its models, its survey history, the periods
/// it did not report, and where it came from or went in the 2025 reorganisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommuneData {
    pub code: String,
    pub name: String,
    pub kind: Option<String>,
    pub parent: Option<Choice>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub successor: Option<Choice>,
    pub predecessors: Vec<Choice>,
    pub running: Vec<RunningModel>,
    pub history: Vec<SurveyLine>,
    /// Months within the data's range, while the unit was valid, with no survey of its own.
    pub missing_months: Vec<String>,
    pub trend: Vec<TrendRow>,
    pub trend_svg: String,
    /// Who changed the unit's survey counts, newest first.
    pub changes: Vec<Change>,
    /// The reader may edit the unit (an admin).
    pub may_edit: bool,
}

/// One change to a survey count, from the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `YYYY-MM-DD HH:MM` (UTC+7).
    pub at: String,
    /// The writer's sign-in name; empty for a reader who may not see it
    /// ([`crate::domain::access::Account::sees_writers`]).
    pub actor: String,
    /// The writer's role (none for the command line).
    pub actor_role: Option<crate::domain::access::Role>,
    pub action: String,
    /// The entry: model (empty for the service as a whole) and period.
    pub model_code: String,
    pub period: String,
    /// `respondents / satisfied` before and after; `None` for a new or deleted entry.
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

/// A form for a model or an adoption (`D` is its draft): what the page shows, and what a
/// posted form came back with (the handler gives it to the page, which shows the values
/// kept and each problem next to its field).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferenceForm<D> {
    /// `None`: not signed in; the page offers the sign-in form.
    pub account: Option<Account>,
    pub values: D,
    /// The stored adoption being edited.
    pub id: Option<i64>,
    /// The stored revision being edited; `None` for a new record.
    pub revision: Option<String>,
    pub reason: String,
    /// (column, fault), the columns being the form's field names.
    pub problems: Faults,
    /// Someone changed the record in between: what is stored now.
    pub conflict: Option<D>,
    pub refusal: Option<Refusal>,
    /// The models an adoption may name.
    pub models: Vec<Choice>,
    pub saved: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The account may not edit reference data.
    NotAllowed,
    /// The account may not edit units (an official: only admins do).
    UnitsNotAllowed,
    /// The record to edit does not exist (any more).
    NotFound,
}

/// One change of a model or an adoption, from the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceChange {
    /// `YYYY-MM-DD HH:MM` (UTC+7).
    pub at: String,
    /// As [`Change::actor`].
    pub actor: String,
    pub actor_role: Option<crate::domain::access::Role>,
    pub action: String,
    /// The record: the model's code, or the adoption's `unit/model/started_on`.
    pub key: String,
    /// (field, before, after) of each field that changed; before is empty for a new record.
    pub fields: Vec<(String, String, String)>,
    pub reason: Option<String>,
}

/// What a posted survey form came back with: the form handler gives it to the page, which
/// shows the values kept and each problem next to its field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveySubmission {
    pub values: SurveyDraft,
    pub version: Option<i32>,
    pub reason: String,
    pub problems: Vec<(SurveyField, Broken)>,
    /// Shown for confirmation: saved only when the writer keeps the values with a reason.
    pub warnings: Vec<Warning>,
    /// Someone saved this version in between; the writer's values were not saved.
    pub conflict: Option<Stored>,
    /// A correction or a confirmed warning without a reason.
    pub reason_missing: bool,
}

/// One of the unit's recent entries, listed under the form with a link to edit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentEntry {
    pub unit_code: String,
    pub model_code: Option<String>,
    pub period: String,
    pub respondents: i32,
    pub satisfied: i32,
}

/// `/survey`: the entry form of the signed-in person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyFormData {
    /// `None`: not signed in; the page offers the sign-in form.
    pub account: Option<Account>,
    /// The units the account may enter for (one for most staff).
    pub units: Vec<Choice>,
    pub models: Vec<Choice>,
    pub submission: SurveySubmission,
    /// An official's or admin's write is a correction and needs a reason.
    pub needs_reason: bool,
    /// The entry just saved (after the redirect).
    pub saved: Option<RecentEntry>,
    pub recent: Vec<RecentEntry>,
}

/// `/login`: the name typed (kept after a failure) and what went wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginData {
    pub username: String,
    pub next: String,
    pub problem: Option<LoginProblem>,
    pub account: Option<Account>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginProblem {
    /// One message for a wrong name and a wrong password.
    Wrong,
    /// Minutes until sign-in is allowed again.
    Throttled(i64),
    /// Too many sign-ins being checked at once: try again in a moment.
    Busy,
}

/// `/account`: the signed-in person's password and API tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountData {
    pub account: Option<Account>,
    pub tokens: Vec<TokenLine>,
    pub outcome: AccountOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLine {
    pub name: String,
    /// `YYYY-MM-DD HH:MM` (UTC+7).
    pub created: String,
    pub last_used: Option<String>,
    /// `YYYY-MM-DD`: the last day it works (Vietnam's calendar); `None`: until revoked.
    pub last_day: Option<String>,
    pub expired: bool,
}

/// What a posted account form came back with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOutcome {
    /// A token just created: (its name, the token), shown this once.
    pub new_token: Option<(String, String)>,
    pub problem: Option<AccountProblem>,
    pub revoked: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountProblem {
    WrongPassword,
    /// The current password was checked too often: minutes until it may be again.
    Throttled(i64),
    PasswordTooShort,
    PasswordsDiffer,
    TokenName,
    TokenExists(String),
    TokenExpiry(crate::domain::access::ExpiryError),
}

/// `/admin/users`: every account, and the form that adds one (admins only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersData {
    pub account: Option<Account>,
    pub users: Vec<UserLine>,
    pub outcome: UsersOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLine {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: Option<String>,
    pub disabled: bool,
}

/// The add-user form as posted (the password is never sent back) and what came of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersOutcome {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: String,
    pub problem: Option<UserProblem>,
    pub done: Option<String>,
}

/// Why an account could not be added or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserProblem {
    /// The username breaks the code rule (the English detail).
    Username(String),
    DisplayName(String),
    Exists(String),
    UnitRequired,
    UnitNotAllowed,
    UnknownUnit(String),
    PasswordTooShort,
    UnknownUser(String),
    BadRole,
}
