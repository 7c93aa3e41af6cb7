//! Server-only code: the database connection, entities, figure queries, page loaders and
//! writes; `AppState` ties them together for the handlers.
pub mod auth;
pub mod charts;
pub mod db;
pub mod entities;
pub mod figures;
pub mod import;
pub mod loaders;
pub mod sql;
mod state;
pub mod tables;
pub mod writes;

pub use db::Db;
pub use state::AppState;
