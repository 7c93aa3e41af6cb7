//! Server-only code: the database connection, entities, figure queries and writes.
pub mod db;
pub mod entities;
pub mod figures;
pub mod import;
pub mod sql;
pub mod tables;

pub use db::{AppState, Db};
