//! Connecting to SQLite or PostgreSQL, chosen by the URL, with the settings each needs.
use leptos::config::LeptosOptions;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub type Db = DatabaseConnection;

/// PostgreSQL cancels any statement that runs longer (`statement_timeout`).
pub const STATEMENT_TIMEOUT: &str = "30s";

/// What every request handler and page loader can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    /// Figures already computed for the data's current version.
    pub figures: super::figures::FigureCache,
    /// Survey writes from many staff at once share transactions and syncs to disk.
    pub writes: super::writes::group::GroupCommit<super::writes::surveys::Entry>,
}

impl AppState {
    pub fn new(db: Db, leptos_options: LeptosOptions) -> Self {
        AppState { db, leptos_options, figures: Default::default(), writes: Default::default() }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl axum::extract::FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

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
                // a query touched counted in the server's resident memory once per connection
                // (1.6 GB at the national size). Pages come from the kernel's cache through
                // read() instead; figures are cached per data version, so the aggregates that
                // would gain from a map run once per write (docs/benchmarks.md, run 5).
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
