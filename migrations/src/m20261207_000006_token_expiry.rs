//! An API token may end on a date its creator chose (`expires_at`, the first instant it no
//! longer works); none, as before, for a token that lives until it is revoked.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000006_token_expiry"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_all(manager, &["ALTER TABLE api_tokens ADD COLUMN expires_at {TIMESTAMP}"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_all(manager, &["ALTER TABLE api_tokens DROP COLUMN expires_at"]).await
    }
}
