//! `GET /metrics` in the OpenMetrics text format that Prometheus scrapes, from
//! `prometheus-client` (the Prometheus project's own crate): requests and their latency per
//! route, writes accepted and refused, and the database pool.
//!
//! Routes are labelled by their pattern (`/communes/{code}`), never by the path typed, so
//! the number of series stays bounded whatever clients send.
use app::ssr::Db;
use axum::{
    extract::{ConnectInfo, MatchedPath, Request},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Extension,
};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WriteLabels {
    route: String,
    /// `accepted` or `refused`.
    outcome: String,
}

/// 1 ms to ~16 s, doubling.
fn latency_buckets() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    writes: Family<WriteLabels, Counter>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    db: Db,
}

impl Metrics {
    pub fn new(db: Db) -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("reformdash");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_buckets);
        let writes = Family::<WriteLabels, Counter>::default();
        let (pool_connections, pool_idle) = (Gauge::default(), Gauge::default());
        registry.register("http_requests", "HTTP requests answered, by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request, by route", latency.clone());
        registry.register(
            "writes",
            "State-changing requests (POST), accepted (2xx, or a redirect to a result) or refused",
            writes.clone(),
        );
        registry.register("db_pool_connections", "Open database connections in the pool", pool_connections.clone());
        registry.register("db_pool_idle", "Idle database connections in the pool", pool_idle.clone());
        Arc::new(Metrics { registry, requests, latency, writes, pool_connections, pool_idle, db })
    }

    fn observe(&self, method: &Method, route: String, response: &Response, seconds: f64) {
        let status = response.status();
        self.requests
            .get_or_create(&RequestLabels { method: method.to_string(), route: route.clone(), status: status.as_u16() })
            .inc();
        self.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(seconds);
        if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            // A form that sends the browser to sign in was not written either.
            let to_login = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.starts_with("/login"));
            let accepted = status.as_u16() < 400 && !to_login;
            let outcome = if accepted { "accepted" } else { "refused" };
            self.writes.get_or_create(&WriteLabels { route, outcome: outcome.into() }).inc();
        }
    }

    fn encode(&self) -> Result<String, std::fmt::Error> {
        let (size, idle) = match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        self.pool_connections.set(i64::from(size));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Counts and times every request, labelled by the route pattern it matched.
pub async fn observe(Extension(metrics): Extension<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    metrics.observe(&method, route, &response, started.elapsed().as_secs_f64());
    response
}

/// The metrics, for a scraper on this machine only: a request from elsewhere, or one a
/// proxy forwarded (it says whom for), gets 404 as if there were no such page.
pub async fn metrics(
    Extension(metrics): Extension<Arc<Metrics>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Response {
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    if !peer.ip().is_loopback() || forwarded {
        return StatusCode::NOT_FOUND.into_response();
    }
    match metrics.encode() {
        Ok(text) => {
            let kind = HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
            ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], text)
                .into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
