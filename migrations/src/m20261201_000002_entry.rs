//! Entry by commune staff: the five-level breakdown and a version on each survey count,
//! accounts with roles, sessions and API tokens stored hashed, failed sign-ins counted,
//! a data version that every write bumps first, and the audit log's reason and warnings.
//!
//! The first migration's `users` and `sessions` were never written to (no code created
//! them); they are replaced here by the shapes sign-in needs.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_entry"
    }
}

const STATEMENTS: &[&str] = &[
    // SIPAS five levels: all five or none (checked by the write path, which says which).
    "ALTER TABLE survey_counts ADD COLUMN very_satisfied INTEGER CHECK (very_satisfied >= 0)",
    "ALTER TABLE survey_counts ADD COLUMN fairly_satisfied INTEGER CHECK (fairly_satisfied >= 0)",
    "ALTER TABLE survey_counts ADD COLUMN neutral INTEGER CHECK (neutral >= 0)",
    "ALTER TABLE survey_counts ADD COLUMN dissatisfied INTEGER CHECK (dissatisfied >= 0)",
    "ALTER TABLE survey_counts ADD COLUMN very_dissatisfied INTEGER CHECK (very_dissatisfied >= 0)",
    // Raised by every change: an edit made against an older version is refused, not merged.
    "ALTER TABLE survey_counts ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "DROP TABLE sessions",
    "DROP TABLE users",
    "CREATE TABLE users (
        id {SERIAL_PK},
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'official', 'staff')),
        unit_code TEXT REFERENCES units (code),
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        created_at {TIMESTAMP} NOT NULL,
        CHECK (role <> 'staff' OR unit_code IS NOT NULL)
    )",
    // The cookie holds the token; the database only its SHA-256, so a copy of the database
    // signs no one in.
    "CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at {TIMESTAMP} NOT NULL,
        last_seen_at {TIMESTAMP} NOT NULL
    )",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    "CREATE TABLE api_tokens (
        id {SERIAL_PK},
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at {TIMESTAMP} NOT NULL,
        last_used_at {TIMESTAMP},
        revoked_at {TIMESTAMP},
        UNIQUE (user_id, name)
    )",
    // `subject` is `user:NAME` or `addr:IP`; failures count within a window.
    "CREATE TABLE login_failures (
        subject TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_start {TIMESTAMP} NOT NULL
    )",
    // One row; every write transaction updates it first. That takes the write lock before
    // anything is read (SQLite), serialises writers on PostgreSQL, and tells caches
    // whether anything changed.
    "CREATE TABLE data_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version BIGINT NOT NULL
    )",
    "INSERT INTO data_version (id, version) VALUES (1, 0)",
    "ALTER TABLE audit_log ADD COLUMN reason TEXT",
    "ALTER TABLE audit_log ADD COLUMN warnings TEXT",
    "CREATE INDEX audit_log_at ON audit_log (at)",
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (its DDL is transactional): all of the migration on
    /// one connection, or none of it. Left to the pool, statements go to several
    /// connections, and one still reading the old schema refused `CREATE INDEX`.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_all(manager, STATEMENTS).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("m20261201_000002_entry cannot be undone: restore a backup instead".into()))
    }
}
