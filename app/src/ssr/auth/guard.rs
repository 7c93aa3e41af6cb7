//! The one signed-in guard: who a request comes from, looked up once per request, for every
//! handler (the extractors [`MaybeUser`] and [`AuthUser`]) and every page loader
//! ([`request_account`], through the page's request parts).
//!
//! A request carries one credential: a program's API token (`Authorization: Bearer rdt_…`)
//! or a person's session cookie. A request with an `Authorization` header is judged by it
//! alone, so a wrong token is never rescued by a cookie the same client also sent.
use super::RequestAccount;
use crate::domain::access::Account;
use crate::ssr::{AppState, Db};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::DbErr;

/// The account a request is signed in as, if any.
pub struct MaybeUser(pub Option<Account>);

/// A signed-in request's account. Anyone else is turned away as the request asks: a program
/// (a token, or JSON sent or asked for) gets `401`, a browser is sent to sign in and then
/// back to the page it came from. Nothing is written either way.
pub struct AuthUser(pub Account);

/// Whether the request carries a credential at all, valid or not: such a request is rendered
/// for itself, never answered from (or kept in) the pages kept for visitors.
pub fn has_credential(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION) || super::session::token_in(headers).is_some()
}

/// Who sent the request. `once` is shared by everything that asks during one request (a
/// page's header and its body), so the database is asked once.
pub async fn request_account(db: &Db, headers: &HeaderMap, once: Option<&RequestAccount>) -> Result<Option<Account>, DbErr> {
    let lookup = || async {
        if headers.contains_key(header::AUTHORIZATION) {
            super::token::bearer(db, headers).await
        } else {
            super::session::signed_in(db, headers).await
        }
    };
    match once {
        Some(once) => once.get_or_try_init(lookup).await.cloned(),
        None => lookup().await,
    }
}

/// Why a request was turned away.
#[derive(Debug)]
pub enum AuthRejection {
    /// A browser without a live session: sign in, then come back to `next`.
    SignIn { next: String },
    /// A program without a valid token.
    Unauthorized,
    Db(DbErr),
}

impl From<DbErr> for AuthRejection {
    fn from(e: DbErr) -> Self {
        AuthRejection::Db(e)
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignIn { next } => Redirect::to(&format!("/login?next={}", encode_path(&next))).into_response(),
            AuthRejection::Unauthorized => {
                let body = serde_json::json!({ "error": "a valid API token is required (Authorization: Bearer rdt_…)" });
                (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], axum::Json(body)).into_response()
            }
            AuthRejection::Db(e) => crate::ssr::db::failure_response(&e),
        }
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthRejection> {
        let once = parts.extensions.get::<RequestAccount>().cloned();
        Ok(MaybeUser(request_account(&state.db, &parts.headers, once.as_ref()).await?))
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthRejection> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(account) => Ok(AuthUser(account)),
            None if is_program(&parts.headers) => Err(AuthRejection::Unauthorized),
            None => Err(AuthRejection::SignIn { next: page_of(parts) }),
        }
    }
}

/// A program, not a person at a browser: it sent a token, or JSON, or asks for JSON only.
fn is_program(headers: &HeaderMap) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    headers.contains_key(header::AUTHORIZATION)
        || value(header::CONTENT_TYPE).starts_with("application/json")
        || (value(header::ACCEPT).contains("application/json") && !value(header::ACCEPT).contains("text/html"))
}

/// The page to come back to after signing in: the page the form was sent from (the
/// `Referer` of this site), else the address asked for.
fn page_of(parts: &Parts) -> String {
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let from = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (Some(authority) == host && !path.is_empty()).then_some(path)
        })
        .and_then(crate::pages::same_site_path)
        .filter(|p| !p.starts_with("/login"));
    from.unwrap_or(parts.uri.path()).to_string()
}

/// A path for a query value: `/` kept readable, everything a query would read otherwise
/// (`?`, `&`, `=`, `%`, `#`, …) encoded.
fn encode_path(path: &str) -> String {
    path.split('/').map(crate::pages::encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)], uri: &str) -> Parts {
        let mut request = axum::http::Request::builder().uri(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_browser_comes_back_to_the_page_its_form_was_on() {
        let from_form = parts(&[("host", "h:3000"), ("referer", "http://h:3000/survey?unit_code=38-001&period=2026-11")], "/survey");
        assert_eq!(page_of(&from_form), "/survey?unit_code=38-001&period=2026-11");
        let redirect = AuthRejection::SignIn { next: page_of(&from_form) }.into_response();
        assert_eq!(redirect.headers()[header::LOCATION], "/login?next=/survey%3Funit_code%3D38-001%26period%3D2026-11");
        // No referer, another site's, or a sign-in page's: the address asked for.
        assert_eq!(page_of(&parts(&[("host", "h:3000")], "/edit/model")), "/edit/model");
        assert_eq!(page_of(&parts(&[("host", "h:3000"), ("referer", "http://evil:3000/x")], "/account/password")), "/account/password");
        assert_eq!(page_of(&parts(&[("host", "h:3000"), ("referer", "http://h:3000//evil/x")], "/survey")), "/survey");
        assert_eq!(page_of(&parts(&[("host", "h:3000"), ("referer", "http://h:3000/login?next=/x")], "/survey")), "/survey");
    }

    #[test]
    fn a_program_is_told_401_and_a_browser_to_sign_in() {
        assert!(is_program(&parts(&[("authorization", "Bearer x")], "/").headers));
        assert!(is_program(&parts(&[("content-type", "application/json")], "/").headers));
        assert!(is_program(&parts(&[("accept", "application/json")], "/").headers));
        assert!(!is_program(&parts(&[("accept", "text/html,application/json;q=0.9")], "/").headers));
        assert!(!is_program(&parts(&[("content-type", "application/x-www-form-urlencoded")], "/").headers));
        assert_eq!(AuthRejection::Unauthorized.into_response().status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn any_credential_keeps_a_request_out_of_the_kept_pages() {
        assert!(has_credential(&parts(&[("authorization", "Bearer rdt_x")], "/").headers));
        assert!(has_credential(&parts(&[("cookie", "rd_lang=en; rd_session=abc")], "/").headers));
        assert!(!has_credential(&parts(&[("cookie", "rd_lang=en")], "/").headers));
    }
}
