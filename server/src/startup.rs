//! Start-up: connect, migrate, load the demo when empty (unless told not to), build the router, serve until told to stop.
use crate::config::{Limits, Settings};
use crate::http;
use app::ssr::{db, AppState, Db};
use app::{shell, App};
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use migrations::{Migrator, MigratorTrait};
use sea_orm::DbErr;
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot prepare the database folder: {0}")]
    Folder(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("demo data: {0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error("demo accounts: {0}")]
    Accounts(#[from] crate::accounts::AccountError),
}

/// Connects and brings the schema up to date.
pub async fn open_database(url: &str) -> Result<Db, StartupError> {
    crate::config::prepare_sqlite_dir(url)?;
    let db = connect(url).await?;
    migrate(&db).await?;
    // A fresh pool for the app: on SQLite a pooled connection that began reading before a
    // migration changed a table kept the old schema (a `SELECT *` came back with the old
    // column count, and sqlx's row decoding panicked).
    db.close().await?;
    Ok(connect(url).await?)
}

/// Opens the pool. A second server opening a new SQLite file while the first switches it to
/// WAL can get "database is locked" at once (the journal-mode change takes an exclusive
/// lock that the busy timeout does not wait for): it tries again shortly.
async fn connect(url: &str) -> Result<Db, DbErr> {
    const ATTEMPTS: u32 = 10;
    for attempt in 1.. {
        match db::connect(url).await {
            Err(e) if attempt < ATTEMPTS && url.starts_with("sqlite:") && e.to_string().contains("database is locked") => {
                tracing::warn!(error = %e, attempt, "the database file is busy; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt))).await;
            }
            result => return result,
        }
    }
    unreachable!("the loop returns")
}

/// Brings the schema up to date. Two servers started at once on one empty database both
/// try: one's migration commits, the other's fails on the tables it finds (or on the
/// lock); that one looks again, finds the migrations applied, and goes on.
async fn migrate(db: &Db) -> Result<(), DbErr> {
    const ATTEMPTS: u32 = 5;
    for attempt in 1.. {
        match Migrator::up(db, None).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < ATTEMPTS => {
                tracing::warn!(error = %e, attempt, "migration failed; another server may be migrating, trying again");
                tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(attempt))).await;
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

/// The app's routes, walked once per process. While Leptos walks them it sets a
/// process-global flag that leaves any resource first polled meanwhile pending for ever
/// (leptos_server's `SuppressResourceLoad`, leptos issue #4773): with a second router built
/// while a first one serves — as the test suite does, dozens of servers in one process —
/// a page now and then hung until the request timeout.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::Mutex<Option<Vec<leptos_axum::AxumRouteListing>>> = std::sync::Mutex::new(None);
    let mut routes = ROUTES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    routes.get_or_insert_with(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, limits: &Limits) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = route_list();
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                leptos::prelude::provide_context(context_state.clone());
                // The header and the page both ask who is signed in: one lookup per request.
                leptos::prelude::provide_context(app::ssr::auth::RequestAccount::default());
            },
            move || shell(leptos_options.clone()),
        )
        // The app's pages only: not the fallback's static files and error pages.
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::page_cache::pages))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    let metrics = http::Metrics::new(state.db.clone());
    http::with_layers(http::routes(&state, limits).merge(pages).with_state(state), metrics, limits)
}

/// How long a client may take to send a request's headers (and how long a kept-alive
/// connection may sit idle before its next request). A phone on a weak link sends its
/// headers in one or two packets; a client that dribbles them byte by byte, or opens
/// connections and sends nothing, only holds a socket this long.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long shutdown waits for open requests before it stops anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `app` (see [`router`]) on an already-bound listener until `shutdown` resolves,
/// finishing open requests.
///
/// The accept loop is hyper's own rather than `axum::serve`, which has no header-read
/// timeout: a client that sent `GET / HTTP/1.1` and never finished held its connection
/// open for good. Every connection also has a send timeout (`stalled`): a client that
/// stops reading is cut off too. And the connections held at once are capped, in all and
/// per address (`connections`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service as _;
    let send_timeout = limits.send_timeout;
    let connections = crate::connections::Connections::new(limits.connections);
    let mut refusals = crate::connections::RefusalLog::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match connections.admit(peer.ip()) {
            Ok(slot) => slot,
            Err(why) => {
                if let Some(left_out) = refusals.refused(peer.ip(), std::time::Instant::now()) {
                    tracing::warn!(%peer, ?why, left_out, "connection refused: too many open (logged once a minute per address)");
                }
                crate::connections::refuse(tcp, why);
                continue;
            }
        };
        // Nagle's algorithm would hold a response's second write for the client's delayed
        // ACK: ~40 ms per static file on a keep-alive connection.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
        let app = app.clone();
        // The peer's address feeds the per-address count of failed sign-ins
        // (`ConnectInfo`, as axum's own loop would give it).
        let service = hyper::service::service_fn(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().call(request)
        });
        let tcp = crate::stalled::SendTimeout::new(tcp, send_timeout);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            // A client that went away or timed out: theirs to retry, nothing for us to log loudly.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("shutdown: open requests did not finish in time"),
    }
    Ok(())
}

/// Everything `reformdash serve` does before it listens.
pub async fn prepare(settings: &Settings) -> Result<AppState, StartupError> {
    let db = open_database(&settings.database_url).await?;
    if let crate::config::Demo::Load { passwords } = &settings.demo {
        if crate::demo::load_if_empty(&db).await? {
            tracing::info!("empty database: loaded the Thanh Hóa demo province");
            let accounts = crate::accounts::create_demo_accounts(&db, passwords).await?;
            crate::accounts::announce(&accounts, passwords);
        }
    }
    Ok(AppState::new(db, settings.leptos_options()))
}

/// Resolves on ctrl-c or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled, so a signal right after the "serving" line is not lost.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut i), Ok(mut t)) => {
                    tokio::select! {
                        _ = i.recv() => {},
                        _ = t.recv() => {},
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            tracing::info!("shutting down: finishing open requests");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing open requests");
    }
}
