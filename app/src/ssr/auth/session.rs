//! Sessions in the database, so that several server processes share them: the cookie
//! holds a random token, the table its hash. A session ends after [`IDLE`] without a
//! request or [`ABSOLUTE`] after sign-in, at sign-out, and when the password changes or
//! the user is disabled (both delete the user's sessions).
use super::{account_of, random_token, token_hash};
use crate::domain::access::Account;
use crate::ssr::entities::{session, user};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub const COOKIE: &str = "rd_session";
/// The cookie's name over HTTPS: a `__Host-` cookie is taken by browsers only when it is
/// `Secure`, for this host alone and the whole site, so no subdomain or plain-HTTP page
/// can set one in its place.
pub const SECURE_COOKIE: &str = "__Host-rd_session";
/// A commune office's PC is often shared: two hours without a request sign out.
pub const IDLE: Duration = Duration::hours(2);
/// And a working day at most.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session for the user; returns the token for the cookie.
pub async fn create(db: &impl ConnectionTrait, user_id: i64) -> Result<String, DbErr> {
    let token = random_token();
    let now = Utc::now();
    session::Entity::insert(session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(token_hash(token)).exec(db).await.map(|_| ())
}

/// Every session of the user (password changed, user disabled).
pub async fn end_all(db: &impl ConnectionTrait, user_id: i64) -> Result<(), DbErr> {
    session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(db).await.map(|_| ())
}

pub fn expired(s: &session::Model, now: DateTime<Utc>) -> bool {
    now - s.last_seen_at > IDLE || now - s.created_at > ABSOLUTE
}

/// The session token a `Cookie:` header carries.
pub fn token_in(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE || *k == SECURE_COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 100)
}

/// The account signed in by the request's cookie, if the session is live and the user enabled.
pub async fn signed_in(db: &impl ConnectionTrait, headers: &axum::http::HeaderMap) -> Result<Option<Account>, DbErr> {
    let Some(token) = token_in(headers) else { return Ok(None) };
    let Some((s, owner)) = session::Entity::find_by_id(token_hash(&token)).find_also_related(user::Entity).one(db).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if expired(&s, now) {
        session::Entity::delete_by_id(s.token_hash).exec(db).await?;
        return Ok(None);
    }
    let Some(account) = owner.as_ref().and_then(account_of) else {
        return Ok(None);
    };
    if now - s.last_seen_at > TOUCH_EVERY {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::TokenHash.eq(s.token_hash))
            .exec(db)
            .await?;
    }
    Ok(Some(account))
}

/// The `Set-Cookie` value for a new session. `Secure` when the request reached us over
/// HTTPS (a proxy in front says so with `X-Forwarded-Proto`).
pub fn cookie(token: &str, secure: bool) -> String {
    match secure {
        true => format!("{SECURE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}; Secure", ABSOLUTE.num_seconds()),
        false => format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}", ABSOLUTE.num_seconds()),
    }
}

/// Removes the cookie in the browser.
pub fn cleared_cookie(secure: bool) -> String {
    match secure {
        true => format!("{SECURE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"),
        false => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    }
}

pub fn over_https(headers: &axum::http::HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_idle_and_absolute() {
        let t0 = Utc::now();
        let s = session::Model { token_hash: "h".into(), user_id: 1, created_at: t0, last_seen_at: t0 };
        assert!(!expired(&s, t0 + Duration::minutes(119)));
        assert!(expired(&s, t0 + Duration::minutes(121)));
        let busy = session::Model { last_seen_at: t0 + Duration::hours(11), ..s.clone() };
        assert!(!expired(&busy, t0 + Duration::hours(12) - Duration::minutes(1)));
        assert!(expired(&busy, t0 + Duration::hours(12) + Duration::minutes(1)), "a busy day still ends");
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(axum::http::header::COOKIE, "lang=en; rd_session=abc ; x=1".parse().unwrap());
        assert_eq!(token_in(&h).as_deref(), Some("abc"));
        assert!(cookie("abc", true).contains("HttpOnly; SameSite=Lax") && cookie("abc", true).ends_with("; Secure"));
        assert!(cookie("abc", true).starts_with("__Host-rd_session=abc; Path=/;"), "a __Host- cookie over HTTPS");
        assert!(!cookie("abc", false).contains("Secure") && cookie("abc", false).starts_with("rd_session=abc;"));
        h.insert(axum::http::header::COOKIE, "__Host-rd_session=def".parse().unwrap());
        assert_eq!(token_in(&h).as_deref(), Some("def"));
    }
}
