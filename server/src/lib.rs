//! reformdash's server half: configuration, start-up, the command line's work, the HTTP
//! routes that are not pages (exports, API, health, language) and the file formats.
pub mod accounts;
pub mod backup;
pub mod config;
pub mod connections;
pub mod demo;
pub mod formats;
pub mod generate;
pub mod http;
pub mod sources;
pub mod stalled;
pub mod startup;
