//! Server-only code: the database connection, entities, figure queries and writes.
pub mod auth;
pub mod charts;
pub mod db;
pub mod entities;
pub mod figures;
pub mod import;
pub mod sql;
pub mod tables;
pub mod views;
pub mod writes;

pub use db::{AppState, Db};
