//! sea-orm entities, one file per table.
pub mod adoption;
pub mod api_token;
pub mod audit_log;
pub mod data_version;
pub mod login_failure;
pub mod reform_model;
pub mod session;
pub mod survey_count;
pub mod unit;
pub mod user;
