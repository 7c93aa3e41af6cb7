//! The account page and the admin's list of users.
use super::*;

/// `/account`: the person's live tokens, with what a posted form came back with.
pub async fn account_page(
    db: &Db,
    account: Option<crate::domain::access::Account>,
    outcome: Option<crate::page_data::AccountOutcome>,
) -> Result<crate::page_data::AccountData, DbErr> {
    let Some(account) = account else { return Ok(crate::page_data::AccountData::default()) };
    let now = chrono::Utc::now();
    let tokens = crate::ssr::auth::token::list(db, account.id)
        .await?
        .into_iter()
        .map(|t| crate::page_data::TokenLine {
            name: t.name,
            created: local_time(t.created_at),
            last_used: t.last_used_at.map(local_time),
            last_day: t.expires_at.map(|end| crate::domain::access::last_day_before(end).to_string()),
            expired: t.expires_at.is_some_and(|end| end <= now),
        })
        .collect();
    Ok(crate::page_data::AccountData { account: Some(account), tokens, outcome: outcome.unwrap_or_default() })
}

/// `/admin/users`: every account for an admin; nothing for anyone else.
pub async fn users_page(
    db: &Db,
    account: Option<crate::domain::access::Account>,
    outcome: Option<crate::page_data::UsersOutcome>,
) -> Result<crate::page_data::UsersData, DbErr> {
    let allowed = account.clone().is_some_and(|a| Writer::Account(a).may_manage_users());
    let users = if allowed {
        crate::ssr::writes::users::list(db)
            .await?
            .into_iter()
            .map(|u| crate::page_data::UserLine {
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                unit_code: u.unit_code,
                disabled: u.disabled,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(crate::page_data::UsersData { account, users, outcome: outcome.unwrap_or_default() })
}
