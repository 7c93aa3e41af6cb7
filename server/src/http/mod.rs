//! The routes that are not Leptos pages: health, the language switch, exports and the
//! read-only JSON API, plus the layers every response goes through.
mod api;
mod charts;
mod error;
mod export;

pub use error::HttpError;

use app::i18n::{Lang, LANG_COOKIE};
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
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// A request still unanswered after this gets 408 (a stuck query, a client that stalls
/// its body).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The largest request body any route accepts (forms and, later, the write API).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Downloads and charts (the heavy requests) served at once; more wait their turn.
pub const HEAVY_CONCURRENCY: usize = 4;

pub fn routes(state: &AppState) -> Router<AppState> {
    let pkg_dir =
        std::path::Path::new(state.leptos_options.site_root.as_ref()).join(state.leptos_options.site_pkg_dir.as_ref());
    // The bundle's names carry no hash, so browsers revalidate (a cheap 304) instead of
    // running an old wasm against a new server.
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(ServeDir::new(pkg_dir));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/lang", post(switch_language))
        .route("/dashboard", get(dashboard_moved))
        .merge(
            export::routes()
                .merge(charts::routes())
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(HEAVY_CONCURRENCY)),
        )
        .nest("/api/v1", api::routes())
        .nest_service("/pkg", pkg)
}

/// The policy of every response that does not set its own; pages set theirs, with the
/// nonce of their inline scripts (`app::shell`).
const DEFAULT_CSP: &str =
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// What every response goes through: security headers, a trace span per request, gzip when
/// asked for.
pub fn with_layers(router: Router) -> Router {
    let header = |name: header::HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(header(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
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

/// A redirect target taken from a request: only a path on this site. Browsers read
/// `//host` and `/\host` as another site, and a control character could split the header.
pub fn same_site_path(back: &str) -> Option<&str> {
    let b = back.as_bytes();
    let path = b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/' | b'\\'));
    (path && !back.chars().any(|c| c.is_control() || c == '\\')).then_some(back)
}

/// The no-JavaScript language switch: remember the choice, go back where the reader was.
async fn switch_language(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    let back = same_site_path(&form.back).unwrap_or("/").to_string();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn redirects_stay_on_this_site() {
        use super::same_site_path as p;
        assert_eq!(p("/"), Some("/"));
        assert_eq!(p("/?period=2024&model=CQTT"), Some("/?period=2024&model=CQTT"));
        assert_eq!(p("/districts/402"), Some("/districts/402"));
        for bad in ["", "//evil.example", "/\\evil.example", "\\evil.example", "https://evil.example", "evil", "/a\\b", "/\r\nSet-Cookie: x=1", "/\tx"] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }
}
