//! Start-up: connect, migrate, load the demo when empty, build the router, serve until told to stop.
use crate::config::Settings;
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
    let db = db::connect(url).await?;
    Migrator::up(&db, None).await?;
    // A fresh pool for the app: on SQLite a pooled connection that began reading before a
    // migration changed a table kept the old schema (a `SELECT *` came back with the old
    // column count, and sqlx's row decoding panicked).
    db.close().await?;
    Ok(db::connect(url).await?)
}

pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || leptos::prelude::provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    http::with_layers(http::routes(&state).merge(pages).with_state(state))
}

/// Serves on an already-bound listener until `shutdown` resolves, finishing open requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // axum leaves Nagle's algorithm on: a static file's two writes then wait ~40 ms for the
    // client's delayed ACK on a keep-alive connection.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    // The peer's address feeds the per-address count of failed sign-ins.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Everything `reformdash serve` does before it listens.
pub async fn prepare(settings: &Settings) -> Result<AppState, StartupError> {
    let db = open_database(&settings.database_url).await?;
    if crate::demo::load_if_empty(&db).await? {
        tracing::info!("empty database: loaded the Thanh Hóa demo province");
        // Printed here, once: only the hashes are kept.
        let accounts = crate::accounts::create_demo_accounts(&db).await?;
        print!("{}", crate::accounts::describe(&accounts));
    }
    Ok(AppState { db, leptos_options: settings.leptos_options() })
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
