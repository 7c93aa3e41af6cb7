//! `reformdash backup FILE`: SQLite's `VACUUM INTO` writes a consistent snapshot of the
//! live database (one read transaction: writers carry on, the copy sees none of their
//! half-done work) into a new, compact file that opens as a database of its own.
use app::ssr::Db;
use sea_orm::{ConnectionTrait, DbBackend};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backup works on SQLite; for PostgreSQL use `pg_dump -Fc` (and `pg_restore` to restore)")]
    NotSqlite,
    #[error("{0} exists already; a backup never overwrites a file")]
    Exists(String),
    #[error("{0}: {1}")]
    Db(String, sea_orm::DbErr),
}

pub async fn sqlite(db: &Db, file: &Path) -> Result<(), BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if file.exists() {
        return Err(BackupError::Exists(file.display().to_string()));
    }
    // The path is a literal in the statement (VACUUM INTO takes no bound parameter here
    // on every SQLite version): quotes are doubled, as SQL string literals want.
    let literal = file.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{literal}'"))
        .await
        .map(|_| ())
        .map_err(|e| BackupError::Db(file.display().to_string(), e))
}
