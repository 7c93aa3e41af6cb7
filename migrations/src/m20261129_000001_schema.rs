//! The whole mission's schema in one first migration: units, models, adoptions, survey
//! counts (the interchange contract's four files), and users, sessions and the audit log.
//!
//! Written as SQL that both engines accept; the few words that differ are filled in per
//! backend so that the constraints read the same on SQLite and PostgreSQL.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000001_schema"
    }
}

const TABLES: &[&str] = &[
    // Province → district → commune. `successor_code` points a merged unit at the one
    // that replaced it (the 2025 reorganisation), so trends can run across the change.
    "CREATE TABLE units (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
        parent_code TEXT REFERENCES units (code),
        kind TEXT,
        valid_from DATE,
        valid_to DATE,
        successor_code TEXT REFERENCES units (code),
        CHECK (level = 'province' OR parent_code IS NOT NULL),
        CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
    )",
    "CREATE INDEX units_parent ON units (parent_code, level)",
    "CREATE TABLE reform_models (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        category TEXT,
        description TEXT,
        launched_on DATE
    )",
    "CREATE TABLE adoptions (
        id {SERIAL_PK},
        unit_code TEXT NOT NULL REFERENCES units (code),
        model_code TEXT NOT NULL REFERENCES reform_models (code),
        started_on DATE NOT NULL,
        ended_on DATE,
        stage TEXT NOT NULL DEFAULT 'pilot' CHECK (stage IN ('pilot', 'scaled')),
        steered_by TEXT CHECK (steered_by IN ('province', 'district')),
        CHECK (ended_on IS NULL OR started_on <= ended_on),
        UNIQUE (unit_code, model_code, started_on)
    )",
    "CREATE INDEX adoptions_model ON adoptions (model_code, unit_code)",
    // `period` is the text the province typed (`2024-05`, `2024-Q2`); the two dates are
    // derived from it on write so that period filters are plain range comparisons.
    "CREATE TABLE survey_counts (
        id {SERIAL_PK},
        unit_code TEXT NOT NULL REFERENCES units (code),
        model_code TEXT REFERENCES reform_models (code),
        period TEXT NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        respondents INTEGER NOT NULL CHECK (respondents >= 1),
        satisfied INTEGER NOT NULL CHECK (satisfied >= 0 AND satisfied <= respondents)
    )",
    // One row per (unit, model, period); an empty model means the unit's service as a whole,
    // and NULLs are never equal in a plain UNIQUE, hence the expression index.
    "CREATE UNIQUE INDEX survey_counts_key ON survey_counts (unit_code, COALESCE(model_code, ''), period)",
    "CREATE INDEX survey_counts_period ON survey_counts (period_start, period_end)",
    // Pages without a period show the latest surveyed year: MAX(period_end) off an index.
    "CREATE INDEX survey_counts_period_end ON survey_counts (period_end)",
    "CREATE TABLE users (
        id {SERIAL_PK},
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'official', 'commune_staff', 'reporter')),
        unit_code TEXT REFERENCES units (code),
        created_at {TIMESTAMP} NOT NULL,
        CHECK (role <> 'commune_staff' OR unit_code IS NOT NULL)
    )",
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at {TIMESTAMP} NOT NULL,
        expires_at {TIMESTAMP} NOT NULL
    )",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    // Every change to a figure keeps its old value here (who, when, what it was).
    "CREATE TABLE audit_log (
        id {SERIAL_PK},
        at {TIMESTAMP} NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT
    )",
    "CREATE INDEX audit_log_entity ON audit_log (entity, entity_key)",
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
        crate::execute_all(manager, TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["audit_log", "sessions", "users", "survey_counts", "adoptions", "reform_models", "units"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}")).await?;
        }
        Ok(())
    }
}
