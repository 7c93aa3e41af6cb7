//! sea-orm entities, one file per table of the first migration.
pub mod adoption;
pub mod audit_log;
pub mod reform_model;
pub mod session;
pub mod survey_count;
pub mod unit;
pub mod user;
