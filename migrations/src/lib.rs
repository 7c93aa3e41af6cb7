//! The database schema, as dated sea-orm migrations run at start-up and by `reformdash migrate`.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_schema;
mod m20261201_000002_entry;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261129_000001_schema::Migration), Box::new(m20261201_000002_entry::Migration)]
    }
}
