//! Rendered pages for visitors who are not signed in, kept per version of the data in the
//! figure cache. A reporter's or a public visitor's page is the same for everyone who asks
//! for the same address in the same language on the same day while no write has happened,
//! so rendering it once serves them all; at the national size the dashboard lists 700
//! districts, and its rendering, not its figures, was what each request cost.
//!
//! Signed-in pages (their header names the account, their forms its units) are never kept.
//! Each answer gets a fresh CSP nonce: the one the page was rendered with is replaced in the
//! header and the body, so a kept page never hands out a nonce twice.
use super::HttpError;
use app::i18n::Lang;
use app::ssr::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A page larger than this is served but not kept (a page is tens of kilobytes).
const MAX_KEPT: usize = 4 << 20;

#[derive(Clone)]
struct Page {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    nonce: Option<String>,
}

/// Why a page was not kept: the answer itself (not a plain 200), or the database.
enum NotKept {
    Answer(Response),
    Db(sea_orm::DbErr),
}

impl From<sea_orm::DbErr> for NotKept {
    fn from(e: sea_orm::DbErr) -> Self {
        NotKept::Db(e)
    }
}

pub async fn pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || signed_in(req.headers()) {
        return next.run(req).await;
    }
    let lang = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header);
    let key = format!("page {} {}", lang.unwrap_or_default().code(), req.uri());
    let kept = state.figures.get(&state.db, key, || async move { keep(next.run(req).await).await }).await;
    match kept {
        Ok(page) => serve(page),
        Err(NotKept::Answer(response)) => response,
        Err(NotKept::Db(e)) => HttpError::from(e).into_response(),
    }
}

/// A session cookie, valid or not: such a request is rendered for itself.
fn signed_in(headers: &HeaderMap) -> bool {
    let cookie = format!("{}=", app::ssr::auth::session::COOKIE);
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|v| v.contains(&cookie))
}

async fn keep(response: Response) -> Result<Page, NotKept> {
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return Err(NotKept::Answer(response));
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_KEPT).await {
        Ok(body) => body,
        Err(_) => return Err(NotKept::Answer(HttpError::Internal("a page too large to answer".into()).into_response())),
    };
    let nonce = parts
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    // The body's length changes with the nonce: hyper sets it again from the body.
    let headers = parts
        .headers
        .iter()
        .filter(|(k, _)| *k != header::CONTENT_LENGTH && *k != header::TRANSFER_ENCODING)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Page { headers, body, nonce })
}

fn serve(page: Page) -> Response {
    let mut response = Response::new(Body::empty());
    let Some(old) = page.nonce else {
        *response.body_mut() = Body::from(page.body);
        response.headers_mut().extend(page.headers);
        return response;
    };
    let fresh = app::ssr::auth::random_token();
    let body = replace(&page.body, old.as_bytes(), fresh.as_bytes());
    *response.body_mut() = Body::from(body);
    for (name, value) in page.headers {
        let value = if name == header::CONTENT_SECURITY_POLICY {
            value.to_str().ok().and_then(|v| HeaderValue::from_str(&v.replace(&old, &fresh)).ok()).unwrap_or(value)
        } else {
            value
        };
        response.headers_mut().append(name, value);
    }
    response
}

/// `haystack` with every `from` replaced by `to`.
fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len() + 64);
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nonce_is_replaced_and_nothing_else() {
        let page = b"<script nonce=\"abc\">1</script><p>ab</p><script nonce=\"abc\">2</script>abc";
        assert_eq!(
            replace(page, b"abc", b"XYZW"),
            b"<script nonce=\"XYZW\">1</script><p>ab</p><script nonce=\"XYZW\">2</script>XYZW".to_vec()
        );
        assert_eq!(replace(b"none here", b"abc", b"x"), b"none here".to_vec());
    }
}
