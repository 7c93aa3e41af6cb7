//! The routes that are not Leptos pages: health, the language switch, exports and the
//! read-only JSON API, plus the layers every response goes through.
mod accounts;
mod api;
mod charts;
mod encoding;
mod entry;
mod error;
mod export;
mod metrics;
pub mod page_cache;
mod reference;
mod surveys;

pub use error::HttpError;
pub use metrics::Metrics;

use app::i18n::{Lang, LANG_COOKIE};
use crate::config::Limits;
use app::ssr::AppState;
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use tower_http::{
    compression::predicate::{DefaultPredicate, Predicate},
    compression::CompressionLayer,
    services::ServeDir, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// The largest request body any route accepts (forms and the write API).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn routes(state: &AppState, limits: &Limits) -> Router<AppState> {
    let pkg_dir = std::path::Path::new(state.leptos_options.site_root.as_ref()).join(crate::config::PKG_DIR);
    // The build keeps each asset gzipped beside it (`scripts/build.sh`, at the strongest
    // level, once): a browser that takes gzip gets that file rather than the 850 KB wasm
    // compressed anew, more weakly, on every request.
    let assets = || ServeDir::new(&pkg_dir).precompressed_gzip();
    // Pages name the bundle under its digest (`config::bundle_dir`): kept for a year.
    let hashed = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(assets());
    // The plain names stay for anything that links them directly; they are revalidated (a
    // cheap 304) so nothing runs an old wasm against a new server.
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(assets());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/lang", post(switch_language))
        .route("/dashboard", get(dashboard_moved))
        .merge(
            export::routes()
                .merge(charts::routes())
                .layer(axum::Extension(HeavySlots::new(limits.heavy_concurrency))),
        )
        .merge(entry::routes())
        .merge(accounts::routes())
        .merge(reference::routes())
        .nest("/api/v1", api::routes().merge(surveys::routes()))
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), hashed)
        .nest_service("/pkg", pkg)
}

/// The policy of every response that does not set its own; pages set theirs, with the
/// nonce of their inline scripts (`app::shell`).
const DEFAULT_CSP: &str =
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// What every response goes through: security headers, a trace span per request, gzip when
/// asked for, its count and time in `metrics`, the request timeout.
pub fn with_layers(router: Router, metrics: std::sync::Arc<Metrics>, limits: &Limits) -> Router {
    let header = |name: header::HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(axum::middleware::from_fn(same_origin_writes))
        .layer(axum::middleware::from_fn(strict_transport))
        // A handler that panics gets a 500 (the panic hook has printed where, on stderr)
        // rather than its connection closed with no answer, and says nothing of the cause.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            HttpError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(header(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        // Answers a handler has not compressed itself (kept ones carry their coding), except
        // what is compressed already (the same rule as kept answers').
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(
            |_: StatusCode, _: axum::http::Version, headers: &axum::http::HeaderMap, _: &axum::http::Extensions| {
                let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                !encoding::compressed_already(content_type)
            },
        )))
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn(metrics::observe))
        .layer(axum::Extension(metrics))
        // One line per request when it is answered: id, method, path, status, time.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(RequestIds::default()))
}

/// Request ids: this process's random prefix and a counter (`3f9c1a-17`), unless the
/// client or a proxy in front sent an `x-request-id` already. The id is in the log line
/// and in the response, so a report "it failed at 10:42" can be matched to the log.
#[derive(Clone)]
struct RequestIds {
    prefix: std::sync::Arc<str>,
    next: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let prefix: String = app::ssr::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(6).collect();
        RequestIds { prefix: prefix.into(), next: Default::default() }
    }
}

impl tower_http::request_id::MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<tower_http::request_id::RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix)).ok().map(tower_http::request_id::RequestId::new)
    }
}

/// The slots of the heavy work behind downloads and charts: computing and encoding a
/// figure (an XLSX, a PNG) or streaming a table. At most `--heavy-concurrency` run at once,
/// and waiting for a slot counts toward the request timeout. An answer the figure cache
/// already holds takes no slot: it costs what a JSON answer does, and queued behind the
/// slots with the rest it went out slower than the same figures as JSON.
#[derive(Clone)]
pub struct HeavySlots(std::sync::Arc<tokio::sync::Semaphore>);

impl HeavySlots {
    fn new(slots: usize) -> Self {
        HeavySlots(std::sync::Arc::new(tokio::sync::Semaphore::new(slots)))
    }

    /// Waits for a slot, held until the permit is dropped.
    pub async fn take(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HttpError> {
        self.0.clone().acquire_owned().await.map_err(|_| HttpError::Busy)
    }

    /// A streamed body that holds a slot until its last byte is sent: the survey export
    /// streams for minutes after its handler returned, and counting only the handler (as
    /// tower's concurrency limit does) would let any number of them run at once.
    pub async fn stream(&self, body: axum::body::Body) -> Result<axum::body::Body, HttpError> {
        use futures_util::StreamExt as _;
        let slot = self.take().await?;
        Ok(axum::body::Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &slot;
            chunk
        })))
    }
}

/// Refuses a state-changing request that a browser says came from another site: its
/// `Sec-Fetch-Site` is `cross-site` or `same-site` (another subdomain), or its `Origin`
/// is not this host. That protects the forms that work without JavaScript as well as the
/// server functions; a client that sends neither header (a script with an API token) is
/// no browser, so no cross-site request forgery can ride on it.
async fn same_origin_writes(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let safe = matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS);
    if safe || is_same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site write refused");
    HttpError::CrossSite.into_response()
}

pub fn is_same_origin(headers: &axum::http::HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match (get("origin"), get("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
        }
        (Some(_), None) => false,
    }
}

/// 200 when the database answers a query, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.db.get_database_backend();
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Json(serde_json::json!({ "status": "ok", "database": format!("{backend:?}").to_lowercase() }))
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response()
        }
    }
}

/// The dashboard moved to `/`; old links keep their filters.
async fn dashboard_moved(uri: axum::http::Uri) -> Redirect {
    match uri.query() {
        Some(q) if !q.is_empty() => Redirect::permanent(&format!("/?{q}")),
        _ => Redirect::permanent("/"),
    }
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Served over HTTPS (the proxy in front says so), browsers are told to come back over
/// HTTPS only, for a year: a later plain-HTTP link cannot be intercepted on the office's
/// network. Over plain HTTP browsers ignore the header, so it is not sent.
async fn strict_transport(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let https = app::ssr::auth::session::over_https(req.headers());
    let mut response = next.run(req).await;
    if https {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// The no-JavaScript language switch: remember the choice, go back where the reader was.
async fn switch_language(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    let back = app::pages::same_site_path(&form.back).unwrap_or("/").to_string();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_must_come_from_this_site() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = axum::http::HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, v.parse().unwrap());
            }
            super::is_same_origin(&m)
        };
        assert!(h(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000"), ("sec-fetch-site", "same-origin")]));
        assert!(h(&[("host", "reform.example"), ("origin", "https://reform.example")]));
        assert!(h(&[("host", "reform.example")]), "no browser headers: a script, not a forged form");
        assert!(!h(&[("host", "reform.example"), ("origin", "https://evil.example")]));
        assert!(!h(&[("host", "reform.example"), ("origin", "null")]));
        assert!(!h(&[("host", "reform.example"), ("sec-fetch-site", "cross-site")]));
        assert!(!h(&[("host", "reform.example"), ("sec-fetch-site", "same-site")]), "a sibling subdomain is another site");
        assert!(!h(&[("host", "reform.example.evil"), ("origin", "https://reform.example")]));
    }
}
