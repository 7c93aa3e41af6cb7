//! Rendered pages for visitors who are not signed in, kept per version of the data in the
//! figure cache. A reporter's or a public visitor's page is the same for everyone who asks
//! for the same address in the same language on the same day while no write has happened,
//! so rendering it once serves them all; at the national size the dashboard lists 700
//! districts, and its rendering, not its figures, was what each request cost.
//!
//! Signed-in pages (their header names the account, their forms its units) are never kept.
//! A kept page allows its inline scripts by their hashes instead of the nonce it was
//! rendered with (taken out of the header and the body before anyone sees it): a nonce
//! handed to every visitor would be no secret, and a fresh one per answer would change the
//! body. So the body is the same for every answer, and it is compressed once per coding
//! (brotli or gzip, whichever the first visitor who takes it asks for): compressing a large
//! page anew for each answer had limited how many a second the server could send.
//!
//! A kept page also names its body by a digest (`ETag`) and asks browsers to check back
//! each time (`Cache-Control: no-cache`): a returning phone whose copy is still the page
//! gets `304 Not Modified` and downloads nothing more. Any change to the page (a write,
//! another day in the printed date, a new build) changes the digest.
use super::HttpError;
use app::i18n::Lang;
use app::ssr::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use super::encoding::{Accepts, Kept};

/// A page larger than this is served but not kept (a page is tens of kilobytes).
const MAX_KEPT: usize = 4 << 20;

#[derive(Clone)]
struct Page {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Kept,
    /// A weak validator: the plain and the compressed bodies are the same page.
    etag: HeaderValue,
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
    if req.method() != Method::GET || app::ssr::auth::guard::has_credential(req.headers()) {
        return next.run(req).await;
    }
    let lang = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header);
    let key = (lang.unwrap_or_default(), req.uri().to_string());
    let accepts = Accepts::of(req.headers());
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let kept = state.figures.get(&state.db, key, || async move { keep(next.run(req).await).await }).await;
    match kept {
        Ok(page) if if_none_match.as_ref().is_some_and(|tags| matches(tags, &page.etag)) => not_modified(page),
        Ok(page) => serve(page, accepts).await,
        Err(NotKept::Answer(response)) => response,
        Err(NotKept::Db(e)) => HttpError::from(e).into_response(),
    }
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
    let csp = parts.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let (body, policy) = match nonce {
        Some(nonce) => {
            let body = Bytes::from(replace(&body, format!(" nonce=\"{nonce}\"").as_bytes(), b""));
            let hashes = inline_script_hashes(&body).join(" ");
            let policy = HeaderValue::from_str(&csp.replace(&format!("'nonce-{nonce}'"), &hashes)).ok();
            (body, policy)
        }
        None => (body, None),
    };
    // The length and the encoding are the answer's own (`serve`).
    let headers = parts
        .headers
        .iter()
        .filter(|(k, _)| *k != header::CONTENT_LENGTH && *k != header::TRANSFER_ENCODING)
        .map(|(k, v)| match &policy {
            Some(policy) if k == header::CONTENT_SECURITY_POLICY => (k.clone(), policy.clone()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let etag = etag_of(&body);
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("text/html");
    Ok(Page { headers, body: Kept::new(body, content_type), etag })
}

/// `W/"…"`: the body's SHA-256, shortened (16 bytes are plenty to tell pages apart).
fn etag_of(body: &[u8]) -> HeaderValue {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body);
    let tag = format!("W/\"{}\"", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]));
    HeaderValue::from_str(&tag).expect("base64 is a valid header value")
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 13.1.2) or is `*`.
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(etag.to_str().unwrap_or(""));
    if_none_match.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim() == "*" || opaque(t) == ours))
}

/// The browser's copy is the page: the headers a cache needs to keep using it, no body.
fn not_modified(page: Page) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    let headers = response.headers_mut();
    for name in [header::CONTENT_SECURITY_POLICY, header::CONTENT_TYPE] {
        if let Some(v) = page.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()) {
            headers.insert(name, v);
        }
    }
    validators(headers, page.etag);
    response
}

fn validators(headers: &mut HeaderMap, etag: HeaderValue) {
    headers.insert(header::ETAG, etag);
    // Kept only by the browser (a shared cache could hand it to a signed-in reader), and
    // checked with the server before each use.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
}

/// A CSP source (`'sha256-…'`) for each inline script of the page: what allows exactly
/// the scripts the page was rendered with.
fn inline_script_hashes(body: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut sources = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, b"<script") {
        rest = &rest[at + b"<script".len()..];
        let Some(tag_end) = find(rest, b">") else { break };
        let tag = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(close) = find(rest, b"</script") else { break };
        if find(tag, b"src=").is_none() {
            let digest = sha2::Sha256::digest(&rest[..close]);
            sources.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &rest[close..];
    }
    sources
}

async fn serve(page: Page, accepts: Accepts) -> Response {
    let (body, encoding) = page.body.body_for(accepts).await;
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.extend(page.headers);
    validators(headers, page.etag);
    if let Some(encoding) = encoding {
        // Already compressed: the compression layer leaves an encoded answer as it is.
        headers.insert(header::CONTENT_ENCODING, encoding);
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
    fn each_inline_script_gets_the_hash_of_its_text() {
        let page = b"<head><script type=\"module\">import('/pkg/x.js')</script><script src=\"/a.js\"></script></head>\
                     <body><script>window.a=1</script><script></script></body>";
        // `printf %s "import('/pkg/x.js')" | openssl dgst -sha256 -binary | base64`, and so on.
        assert_eq!(
            inline_script_hashes(page),
            [
                "'sha256-8M3mFQ/rA7pPJrq2nxXfNL1SQZE3BMb7rbF004czSXo='",
                "'sha256-WpNQcWxgTJamkluTtRGYllok20MyGquJpWh9YXWGA4E='",
                "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            ]
        );
    }

    #[test]
    fn a_page_is_not_modified_only_for_its_own_tag() {
        let ours = etag_of(b"<p>page</p>");
        assert_eq!(ours, etag_of(b"<p>page</p>"));
        assert_ne!(ours, etag_of(b"<p>page.</p>"));
        let asked = |v: &str| matches(&HeaderValue::from_str(v).unwrap(), &ours);
        let tag = ours.to_str().unwrap().to_string();
        let strong = tag.trim_start_matches("W/").to_string();
        assert!(asked(&tag) && asked(&strong) && asked("*") && asked(&format!("\"x\", {tag}")));
        assert!(!asked("\"x\"") && !asked("W/\"x\"") && !asked(""));
    }

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
