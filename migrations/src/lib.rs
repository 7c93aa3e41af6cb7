//! The database schema, as dated sea-orm migrations run at start-up and by `reformdash migrate`.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_schema;
mod m20261201_000002_entry;
mod m20261202_000003_export_order;
mod m20261202_000004_period_cover;
mod m20261202_000005_survey_sums;
mod m20261207_000006_token_expiry;
mod m20261207_000007_period_totals;
mod m20261208_000008_live_figures;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_schema::Migration),
            Box::new(m20261201_000002_entry::Migration),
            Box::new(m20261202_000003_export_order::Migration),
            Box::new(m20261202_000004_period_cover::Migration),
            Box::new(m20261202_000005_survey_sums::Migration),
            Box::new(m20261207_000006_token_expiry::Migration),
            Box::new(m20261207_000007_period_totals::Migration),
            Box::new(m20261208_000008_live_figures::Migration),
        ]
    }
}

/// Runs a migration's statements in order, with the few words that differ per engine
/// filled in: `{SERIAL_PK}` (an auto-numbered primary key) and `{TIMESTAMP}`.
pub(crate) async fn execute_all(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
    let db = manager.get_connection();
    let (serial_pk, timestamp) = match db.get_database_backend() {
        DbBackend::Postgres => ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ"),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
    };
    for sql in statements {
        db.execute_unprepared(&sql.replace("{SERIAL_PK}", serial_pk).replace("{TIMESTAMP}", timestamp)).await?;
    }
    Ok(())
}

/// Runs the statements of the database's engine: `postgres()` on PostgreSQL, `sqlite()`
/// on SQLite (for migrations whose SQL differs between them, such as triggers).
pub(crate) async fn execute_for_engine(
    manager: &SchemaManager<'_>,
    postgres: fn() -> Vec<String>,
    sqlite: fn() -> Vec<String>,
) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
    let statements = match manager.get_connection().get_database_backend() {
        DbBackend::Postgres => postgres(),
        _ => sqlite(),
    };
    execute_all(manager, &statements.iter().map(String::as_str).collect::<Vec<_>>()).await
}

/// What follows a kept-sums table's definition: SQLite stores it by its primary key alone
/// (`WITHOUT ROWID`), as a period's rows are read by that key's range.
pub(crate) fn without_rowid(backend: sea_orm_migration::sea_orm::DbBackend) -> &'static str {
    if backend == sea_orm_migration::sea_orm::DbBackend::Postgres { "" } else { " WITHOUT ROWID" }
}

/// Adds the rows of `select` (`key`'s columns, then the `counted` ones) to the kept sums of
/// `table`: a new key inserted, an existing one's counts raised by them.
pub(crate) fn add_counts(table: &str, key: &str, counted: &[&str], select: &str) -> String {
    let set = counted.iter().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect::<Vec<_>>().join(", ");
    format!("INSERT INTO {table} ({key}, {}) {select} ON CONFLICT ({key}) DO UPDATE SET {set}", counted.join(", "))
}

/// A PostgreSQL trigger function `name` that runs `body` (statements, each ended by `;`).
pub(crate) fn trigger_function(name: &str, body: &str) -> String {
    format!("CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
}
