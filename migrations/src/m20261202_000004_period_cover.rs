//! The survey counts' period index also holds what the figures sum (unit, model, ballots),
//! so a period's aggregate reads the index alone: without it, a year's district summary of
//! a whole country read each matching row from the table after the index (about half its
//! time). It replaces the narrower one, so a write maintains as many indexes as before.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000004_period_cover"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_all(
            manager,
            &[
                "DROP INDEX survey_counts_period",
                "CREATE INDEX survey_counts_period ON survey_counts \
                 (period_start, period_end, unit_code, model_code, respondents, satisfied)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_all(
            manager,
            &["DROP INDEX survey_counts_period", "CREATE INDEX survey_counts_period ON survey_counts (period_start, period_end)"],
        )
        .await
    }
}
