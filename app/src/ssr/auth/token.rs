//! Personal API tokens for the provinces' one-stop-desk software: `rdt_…`, shown once at
//! creation, kept as a hash, revoked by their owner.
use super::{account_of, random_token, token_hash};
use crate::domain::access::Account;
use crate::ssr::entities::{api_token, user};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub const PREFIX: &str = "rdt_";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("a token name is 1 to 64 characters")]
    BadName,
    #[error("`{0}` already has a token named `{1}`")]
    Exists(String, String),
    #[error("no live token named `{0}`")]
    Unknown(String),
    #[error(transparent)]
    Expiry(#[from] crate::domain::access::ExpiryError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// Creates a token for the user and returns it (the only time it is ever shown). `expiry`
/// is blank (it works until revoked), a last day or a number of days
/// ([`token_last_day`](crate::domain::access::token_last_day)).
pub async fn create(db: &impl ConnectionTrait, user: &user::Model, name: &str, expiry: &str) -> Result<String, TokenError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || crate::domain::rules::check_text(name, 64).is_err() {
        return Err(TokenError::BadName);
    }
    let last_day = crate::domain::access::token_last_day(expiry, crate::domain::period::vietnam_date(Utc::now()))?;
    let taken = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user.id))
        .filter(api_token::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(TokenError::Exists(user.username.clone(), name.to_string()));
    }
    let token = format!("{PREFIX}{}", random_token());
    api_token::Entity::insert(api_token::ActiveModel {
        user_id: Set(user.id),
        name: Set(name.to_string()),
        token_hash: Set(token_hash(&token)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        expires_at: Set(last_day.map(crate::domain::access::after_last_day)),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, name: &str) -> Result<(), TokenError> {
    let done = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(Utc::now())))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::Name.eq(name))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(TokenError::Unknown(name.to_string()));
    }
    Ok(())
}

/// Revokes every live token of the user (their password changed).
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let done = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(Utc::now())))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The owner's tokens not revoked, expired ones included (their owner sees them ended).
pub async fn list(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .all(db)
        .await
}

/// The account an `Authorization: Bearer rdt_…` header stands for: `Ok(None)` when the
/// header is missing or malformed, the token revoked or expired, or its owner disabled.
pub async fn bearer(db: &impl ConnectionTrait, headers: &axum::http::HeaderMap) -> Result<Option<Account>, DbErr> {
    let Some(token) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(PREFIX) && t.len() <= 100)
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let Some((t, owner)) = api_token::Entity::find()
        .find_also_related(user::Entity)
        .filter(api_token::Column::TokenHash.eq(token_hash(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(sea_orm::Condition::any().add(api_token::Column::ExpiresAt.is_null()).add(api_token::Column::ExpiresAt.gt(now)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let account = owner.as_ref().and_then(account_of);
    if account.is_some() && use_to_record(&t.token_hash, t.last_used_at, now) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(Some(now)))
            .filter(api_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(account)
}

/// A token's use is written at most once a minute: a desk program sending hundreds of rows
/// a second would otherwise add a commit, and a wait for the write lock, to every one of
/// them. The stored time is not enough to ensure that: requests arriving together all read
/// the same stale `last_used_at`, and on SQLite each of their updates then queued for the
/// write lock behind the survey writes (16 writers with a fresh token: seconds-long
/// stalls). So this process also remembers when it last claimed each token's write, and
/// only the first request of the minute gets to write. (Keyed by the token's hash, which no
/// other token of any database shares, unlike its id.)
fn use_to_record(token_hash: &str, stored: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    static CLAIMED: LazyLock<Mutex<HashMap<String, DateTime<Utc>>>> = LazyLock::new(Default::default);
    let minute = chrono::Duration::minutes(1);
    let mut claimed = CLAIMED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let last = claimed.get(token_hash).copied().max(stored);
    if last.is_some_and(|at| now - at <= minute) {
        return false;
    }
    // Only the tokens claimed within the minute matter: the map stays as small as that.
    claimed.retain(|_, at| now - *at <= minute);
    claimed.insert(token_hash.to_string(), now);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_use_is_recorded_once_a_minute_whatever_the_requests_read() {
        let t0 = Utc::now();
        let later = |s: i64| t0 + chrono::Duration::seconds(s);
        // Requests arriving together read the same stale time; the first one writes.
        assert!(use_to_record("test-1", None, t0));
        assert!(!use_to_record("test-1", None, later(1)));
        assert!(!use_to_record("test-1", None, later(59)));
        assert!(use_to_record("test-1", Some(t0), later(61)), "a minute on, it is written again");
        // A time stored by another process counts too.
        assert!(!use_to_record("test-2", Some(later(30)), later(60)));
        assert!(use_to_record("test-2", Some(later(30)), later(91)));
    }
}
