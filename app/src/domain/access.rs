//! Who may change what: the roles and the one rule per kind of write. Pure, so that the
//! authorization matrix is tested without a server, and every handler asks the same rule.
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Users, units and models, and everything an official may do.
    Admin,
    /// Reads everything; edits models and adoptions; corrects or deletes any survey count,
    /// giving a reason.
    Official,
    /// Bound to one unit: enters and edits that unit's survey counts (a district's staff
    /// member, also those of the district's communes).
    Staff,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Official, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Official => "official",
            Role::Staff => "staff",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}` (expected admin, official or staff)"))
    }
}

/// The signed-in person as pages and write paths see them (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The staff member's unit.
    pub unit_code: Option<String>,
}

impl Account {
    /// Whether the account sees who made each change by sign-in name. Everyone else sees
    /// the writer's role only: names shown to the public would tell anyone which accounts
    /// to try, and lock out, at the sign-in form.
    pub fn sees_writers(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Official)
    }
}

/// Where a survey count's unit sits: itself and its parent.
#[derive(Clone, Copy, Debug)]
pub struct UnitPlace<'a> {
    pub code: &'a str,
    pub parent_code: Option<&'a str>,
}

/// Who is writing: an account, or the server's own command line (`reformdash import`),
/// which whoever holds the database file may run anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writer {
    Account(Account),
    Command(String),
}

impl Writer {
    /// The name the audit log records.
    pub fn name(&self) -> String {
        match self {
            Writer::Account(a) => a.username.clone(),
            Writer::Command(who) => format!("cli:{who}"),
        }
    }

    /// Enters or edits a survey count of this unit. A correction by an official must give a
    /// reason: that is checked with the write, not here.
    pub fn may_write_survey(&self, unit: UnitPlace<'_>) -> bool {
        match self {
            Writer::Command(_) => true,
            Writer::Account(a) => match a.role {
                Role::Admin | Role::Official => true,
                Role::Staff => a
                    .unit_code
                    .as_deref()
                    .is_some_and(|own| own == unit.code || unit.parent_code == Some(own)),
            },
        }
    }

    /// Whether writes by this writer are corrections of others' figures, which need a reason.
    pub fn corrects(&self) -> bool {
        matches!(self, Writer::Account(Account { role: Role::Admin | Role::Official, .. }))
    }

    /// Deletes a survey count: a correction only officials (and admins) make, with a reason.
    pub fn may_delete_survey(&self) -> bool {
        match self {
            Writer::Command(_) => true,
            Writer::Account(a) => matches!(a.role, Role::Admin | Role::Official),
        }
    }

    /// Models and adoptions (an import also writes units: the command line may do both).
    pub fn may_edit_reference(&self) -> bool {
        match self {
            Writer::Command(_) => true,
            Writer::Account(a) => matches!(a.role, Role::Admin | Role::Official),
        }
    }

    /// The administrative tree: units, their validity and successors.
    pub fn may_edit_units(&self) -> bool {
        match self {
            Writer::Command(_) => true,
            Writer::Account(a) => a.role == Role::Admin,
        }
    }

    /// Users and their roles.
    pub fn may_manage_users(&self) -> bool {
        match self {
            Writer::Command(_) => true,
            Writer::Account(a) => a.role == Role::Admin,
        }
    }
}

/// The longest a token may be made to live: ten years.
pub const TOKEN_MAX_DAYS: i64 = 3653;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ExpiryError {
    #[error("an expiry is a date (YYYY-MM-DD) or a number of days (90d), got `{0}`")]
    Format(String),
    #[error("the last day `{0}` has passed")]
    Past(chrono::NaiveDate),
    #[error("a token lives at most {TOKEN_MAX_DAYS} days")]
    TooFar,
}

/// The last day a new API token works, from what its creator wrote: blank for none (it
/// works until revoked), a date (`2027-06-30`: through that day, Vietnam's calendar) or a
/// number of days (`90d`: through the 90th day after `today`).
pub fn token_last_day(text: &str, today: chrono::NaiveDate) -> Result<Option<chrono::NaiveDate>, ExpiryError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let last = if let Some(days) = text.strip_suffix('d') {
        let days: i64 = days.parse().ok().filter(|d| *d > 0).ok_or_else(|| ExpiryError::Format(text.into()))?;
        if days > TOKEN_MAX_DAYS {
            return Err(ExpiryError::TooFar);
        }
        today + chrono::Duration::days(days)
    } else {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ExpiryError::Format(text.into()))?
    };
    if last < today {
        return Err(ExpiryError::Past(last));
    }
    if (last - today).num_days() > TOKEN_MAX_DAYS {
        return Err(ExpiryError::TooFar);
    }
    Ok(Some(last))
}

/// The first instant after `last_day` in Vietnam (UTC+7): when a token with that last
/// day stops working.
pub fn after_last_day(last_day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let midnight = (last_day + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight.and_utc() - chrono::Duration::hours(crate::domain::period::VIETNAM_UTC_OFFSET_HOURS)
}

/// The last day (Vietnam's calendar) of a token that stops working at `expires_at`.
pub fn last_day_before(expires_at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    crate::domain::period::vietnam_date(expires_at - chrono::Duration::seconds(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_last_day_is_a_date_or_a_number_of_days_not_in_the_past() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let day = |y, m, d| Some(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(token_last_day("", today), Ok(None));
        assert_eq!(token_last_day(" 2027-06-30 ", today), Ok(day(2027, 6, 30)));
        assert_eq!(token_last_day("2026-12-07", today), Ok(day(2026, 12, 7)), "today is still a last day");
        assert_eq!(token_last_day("90d", today), Ok(day(2027, 3, 7)));
        assert_eq!(token_last_day("2026-12-06", today), Err(ExpiryError::Past(day(2026, 12, 6).unwrap())));
        assert_eq!(token_last_day("0d", today), Err(ExpiryError::Format("0d".into())));
        assert_eq!(token_last_day("-3d", today), Err(ExpiryError::Format("-3d".into())));
        assert_eq!(token_last_day("soon", today), Err(ExpiryError::Format("soon".into())));
        assert_eq!(token_last_day("2027-02-30", today), Err(ExpiryError::Format("2027-02-30".into())));
        assert_eq!(token_last_day("3654d", today), Err(ExpiryError::TooFar));
        assert_eq!(token_last_day("2040-01-01", today), Err(ExpiryError::TooFar));
    }

    #[test]
    fn a_token_ends_at_midnight_in_vietnam_after_its_last_day() {
        let last = chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
        let end = after_last_day(last);
        assert_eq!(end.to_rfc3339(), "2027-06-30T17:00:00+00:00");
        assert_eq!(last_day_before(end), last);
    }

    fn writer(role: Role, unit: Option<&str>) -> Writer {
        Writer::Account(Account {
            id: 1,
            username: "u".into(),
            display_name: "U".into(),
            role,
            unit_code: unit.map(str::to_string),
        })
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("reporter".parse::<Role>().is_err());
    }

    #[test]
    fn the_survey_matrix() {
        let commune = UnitPlace { code: "402-01", parent_code: Some("402") };
        let other = UnitPlace { code: "403-01", parent_code: Some("403") };
        let district = UnitPlace { code: "402", parent_code: Some("38") };
        let staff = writer(Role::Staff, Some("402-01"));
        assert!(staff.may_write_survey(commune));
        assert!(!staff.may_write_survey(other));
        assert!(!staff.may_write_survey(district), "a commune's staff member does not write for the district");
        let district_staff = writer(Role::Staff, Some("402"));
        assert!(district_staff.may_write_survey(district) && district_staff.may_write_survey(commune));
        assert!(!district_staff.may_write_survey(other));
        assert!(!writer(Role::Staff, None).may_write_survey(commune), "a staff member without a unit writes nothing");
        for r in [Role::Admin, Role::Official] {
            assert!(writer(r, None).may_write_survey(other) && writer(r, None).corrects());
        }
        assert!(!staff.corrects());
        assert!(!staff.may_delete_survey(), "staff correct by editing; deleting is an official's");
        assert!(writer(Role::Official, None).may_delete_survey());
        assert!(Writer::Command("x".into()).may_write_survey(other));
    }

    #[test]
    fn reference_data_and_users() {
        assert!(writer(Role::Official, None).may_edit_reference());
        assert!(!writer(Role::Staff, Some("402")).may_edit_reference());
        assert!(writer(Role::Admin, None).may_edit_units() && !writer(Role::Official, None).may_edit_units());
        assert!(writer(Role::Admin, None).may_manage_users());
        assert!(!writer(Role::Official, None).may_manage_users());
        assert_eq!(writer(Role::Staff, Some("402")).name(), "u");
        assert_eq!(Writer::Command("ana".into()).name(), "cli:ana");
    }
}
