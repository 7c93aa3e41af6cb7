//! The account forms: a person's own password and API tokens (`/account`), and the
//! admin's user list (`/admin/users`). Each handler signs the request in, asks
//! `domain::access` inside the write, and answers like the entry form: a redirect (303)
//! after success, the page again with the problem after a refusal.
use super::entry::page_with;
use app::ssr::auth::guard::AuthUser;
use super::HttpError;
use app::domain::access::{Role, Writer};
use app::i18n::Lang;
use app::ssr::auth::{password, session, throttle, token};
use app::ssr::writes::{self, users};
use app::ssr::AppState;
use app::page_data::{AccountOutcome, AccountProblem, UserProblem, UsersOutcome};
use axum::{
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/revoke", post(revoke_token))
        .route("/admin/users", post(add_user))
        .route("/admin/users/disabled", post(set_disabled))
}

async fn account_page(state: AppState, headers: HeaderMap, outcome: AccountOutcome, status: StatusCode) -> Response {
    page_with(state, headers, "/account", outcome, status).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current: String,
    password: String,
    again: String,
}

/// A new password ends every session of the user (other browsers included); this browser
/// gets a fresh one so that the person stays signed in here.
async fn change_password(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, HttpError> {
    // Counted like a sign-in: a stolen session must not be a way to guess the password.
    let addr = peer.ip().to_string();
    if let Some(minutes) = throttle::attempt(&state.db, &account.username, &addr).await? {
        let outcome = AccountOutcome { problem: Some(AccountProblem::Throttled(minutes)), ..Default::default() };
        return Ok(account_page(state, headers, outcome, StatusCode::TOO_MANY_REQUESTS).await);
    }
    let stored = users::find(&state.db, &account.username).await?.map(|u| u.password_hash);
    let right = password::verify(form.current.clone(), stored).await.map_err(|_| HttpError::Busy)?;
    if right {
        throttle::succeeded(&state.db, &account.username, &addr).await?;
    }
    let problem = if !right {
        Some(AccountProblem::WrongPassword)
    } else if form.password != form.again {
        Some(AccountProblem::PasswordsDiffer)
    } else if form.password.chars().count() < password::MIN_LENGTH {
        Some(AccountProblem::PasswordTooShort)
    } else {
        None
    };
    if let Some(problem) = problem {
        let outcome = AccountOutcome { problem: Some(problem), ..Default::default() };
        return Ok(account_page(state, headers, outcome, StatusCode::UNPROCESSABLE_ENTITY).await);
    }
    let txn = writes::begin(&state.db).await?;
    match users::set_password(&txn, &Writer::Account(account.clone()), &account.username, form.password).await {
        Ok(()) => {}
        Err(users::UserError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(HttpError::Internal(e.to_string())),
    }
    let token = session::create(&txn, account.id).await?;
    txn.commit().await?;
    let cookie = session::cookie(&token, session::over_https(&headers));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account?password=changed")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    name: String,
    /// Blank, a last day (`2027-06-30`) or a number of days.
    expires: String,
}

async fn create_token(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, HttpError> {
    let user = users::find(&state.db, &account.username).await?.ok_or(HttpError::NotFound)?;
    let (outcome, status) = match token::create(&state.db, &user, &form.name, &form.expires).await {
        // The token is shown in this one response and never again (not a redirect: it
        // must not end up in a URL or the history).
        Ok(t) => (AccountOutcome { new_token: Some((form.name.trim().to_string(), t)), ..Default::default() }, StatusCode::CREATED),
        Err(token::TokenError::BadName) => {
            (AccountOutcome { problem: Some(AccountProblem::TokenName), ..Default::default() }, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(token::TokenError::Exists(_, name)) => (
            AccountOutcome { problem: Some(AccountProblem::TokenExists(name)), ..Default::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(token::TokenError::Expiry(why)) => (
            AccountOutcome { problem: Some(AccountProblem::TokenExpiry(why)), ..Default::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(token::TokenError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(HttpError::Internal(e.to_string())),
    };
    Ok(account_page(state, headers, outcome, status).await)
}

async fn revoke_token(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, HttpError> {
    // Only the owner's own tokens: the name is looked up among theirs.
    match token::revoke(&state.db, account.id, form.name.trim()).await {
        Ok(()) | Err(token::TokenError::Unknown(_)) => {}
        Err(token::TokenError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(HttpError::Internal(e.to_string())),
    }
    let outcome = AccountOutcome { revoked: Some(form.name.trim().to_string()), ..Default::default() };
    Ok(account_page(state, headers, outcome, StatusCode::OK).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserForm {
    username: String,
    display_name: String,
    role: String,
    unit_code: String,
    password: String,
}

fn problem_of(e: users::UserError) -> Result<UserProblem, HttpError> {
    use users::UserError as E;
    Ok(match e {
        E::Username(why) => UserProblem::Username(why),
        E::DisplayName(why) => UserProblem::DisplayName(why),
        E::Exists(u) => UserProblem::Exists(u),
        E::UnitRequired => UserProblem::UnitRequired,
        E::UnitNotAllowed(_) => UserProblem::UnitNotAllowed,
        E::UnknownUnit(c) => UserProblem::UnknownUnit(c),
        E::Password(_) => UserProblem::PasswordTooShort,
        E::Unknown(u) => UserProblem::UnknownUser(u),
        E::Forbidden => return Err(HttpError::Forbidden { row: None, message: "only admins manage users".into() }),
        E::Db(e) => return Err(e.into()),
    })
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header).unwrap_or_default()
}

async fn add_user(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Result<Response, HttpError> {
    let mut outcome = UsersOutcome {
        username: form.username.chars().take(64).collect(),
        display_name: form.display_name.chars().take(500).collect(),
        role: form.role.clone(),
        unit_code: form.unit_code.chars().take(64).collect(),
        ..Default::default()
    };
    let Ok(role) = form.role.parse::<Role>() else {
        outcome.problem = Some(UserProblem::BadRole);
        return Ok(page_with(state, headers, "/admin/users", outcome, StatusCode::UNPROCESSABLE_ENTITY).await);
    };
    let new = users::NewUser {
        username: form.username,
        display_name: form.display_name,
        role,
        unit_code: Some(form.unit_code.trim().to_string()).filter(|u| !u.is_empty()),
        password: form.password,
    };
    let txn = writes::begin(&state.db).await?;
    match users::add(&txn, &Writer::Account(account), new).await {
        Ok(created) => {
            txn.commit().await?;
            let done = format!("{} «{}»", lang_of(&headers).entry().user_added, created.username);
            let outcome = UsersOutcome { done: Some(done), ..Default::default() };
            Ok(page_with(state, headers, "/admin/users", outcome, StatusCode::CREATED).await)
        }
        Err(e) => {
            outcome.problem = Some(problem_of(e)?);
            Ok(page_with(state, headers, "/admin/users", outcome, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DisabledForm {
    username: String,
    disabled: String,
}

async fn set_disabled(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<DisabledForm>,
) -> Result<Response, HttpError> {
    let txn = writes::begin(&state.db).await?;
    let outcome = match users::set_disabled(&txn, &Writer::Account(account), &form.username, form.disabled == "true").await {
        Ok(()) => {
            txn.commit().await?;
            UsersOutcome { done: Some(format!("{} «{}»", lang_of(&headers).entry().user_changed, form.username)), ..Default::default() }
        }
        Err(e) => UsersOutcome { problem: Some(problem_of(e)?), ..Default::default() },
    };
    Ok(page_with(state, headers, "/admin/users", outcome, StatusCode::OK).await)
}
