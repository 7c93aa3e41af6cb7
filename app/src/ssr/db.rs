//! Connecting to SQLite or PostgreSQL, chosen by the URL, with the settings each needs.
use axum::response::{IntoResponse, Response};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub type Db = DatabaseConnection;

/// PostgreSQL cancels any statement that runs longer (`statement_timeout`).
pub const STATEMENT_TIMEOUT: &str = "30s";

/// Opens a pool. SQLite gets WAL (readers never wait for the writer), `synchronous=FULL`
/// (each commit is synced to disk before it is acknowledged: with NORMAL, a power cut could
/// lose the last commits, which the staff member already saw as saved), a busy timeout
/// (writers queue instead of failing), foreign keys on, `mode=rwc` (create the file on
/// first run) and several pooled connections: sea-orm's SQLite default is a single one.
pub async fn connect(url: &str) -> Result<Db, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    let url = if !sqlite || url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    let mut opts = ConnectOptions::new(url);
    // A database that does not answer is reported within seconds, not minutes.
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .min_connections(1);
    if sqlite {
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
                // No memory map: each pooled connection mapped the file anew, and every page
                // a query touched counted in the server's resident memory once per connection.
                // Pages come from the kernel's cache through read() instead; figures are
                // cached per data version, so the aggregates that would gain from a map run
                // once per write.
                .pragma("mmap_size", "0")
                // The write-ahead log is reused from its start after each checkpoint but kept
                // at its largest size: as large as the database after an import. Cut back to
                // 64 MB when it is reset.
                .pragma("journal_size_limit", "67108864")
        });
    } else {
        // A query that runs away is cancelled by the server rather than holding a connection.
        opts.max_connections(16)
            .map_sqlx_postgres_opts(|o| o.options([("statement_timeout", STATEMENT_TIMEOUT)]));
    }
    Database::connect(opts).await
}

/// The database did not get to this request in time: every pooled connection was busy for
/// the pool's whole wait, PostgreSQL cancelled a statement at `statement_timeout` or broke a
/// deadlock, or SQLite's lock stayed held past `busy_timeout`. The transaction rolled back,
/// so a retry is safe; under a burst of writers this is load, not a fault.
pub fn overloaded(e: &DbErr) -> bool {
    use sea_orm::{sqlx, ConnAcquireErr, RuntimeErr};
    let cause = match e {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(c)) | DbErr::Exec(RuntimeErr::SqlxError(c)) | DbErr::Query(RuntimeErr::SqlxError(c)) => c,
        _ => return false,
    };
    match cause.as_ref() {
        sqlx::Error::PoolTimedOut => true,
        // PostgreSQL: query_canceled, lock_not_available, deadlock_detected,
        // serialization_failure; SQLite: BUSY, LOCKED, BUSY_SNAPSHOT.
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("57014" | "55P03" | "40P01" | "40001" | "5" | "6" | "517")),
        _ => false,
    }
}

/// The answer when the database failed a request: `503` with `Retry-After` for overload
/// (nothing was written; trying again is safe), else `500` with the cause in the log only.
pub fn failure_response(e: &DbErr) -> Response {
    if overloaded(e) {
        tracing::warn!(cause = %e, "database busy: answered 503");
        busy_response()
    } else {
        internal_response(&e.to_string())
    }
}

pub fn busy_response() -> Response {
    let body = serde_json::json!({ "error": "the server is busy; nothing was written, try again shortly" });
    (axum::http::StatusCode::SERVICE_UNAVAILABLE, [(axum::http::header::RETRY_AFTER, "2")], axum::Json(body)).into_response()
}

/// Our fault: logged with its cause, shown without it.
pub fn internal_response(cause: &str) -> Response {
    tracing::error!(%cause, "request failed");
    let body = serde_json::json!({ "error": "internal error" });
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}
