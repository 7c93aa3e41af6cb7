//! An index in the survey export's order on PostgreSQL. The export walks the table by key
//! in byte order (`COLLATE "C"`, as SQLite's BINARY) so that both engines give the same file;
//! the key's unique index follows the database's collation, which is seldom "C", so each page
//! of 2,000 rows sorted the whole table, and the export's time grew with the square of the
//! table. SQLite's key index is already in byte order.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_export_order"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "CREATE INDEX survey_counts_export ON survey_counts \
                 (unit_code COLLATE \"C\", COALESCE(model_code, '') COLLATE \"C\", period COLLATE \"C\")",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS survey_counts_export").await.map(|_| ())
    }
}
