//! The integration tests, one binary (one link of the server per edit): a module per area,
//! each test on a fresh database of each engine, against the real server on a random port
//! or the real `reformdash` binary.
#[macro_use]
mod common;

mod cache;
mod crash;
mod dashboard;
mod demo;
mod docs;
mod entry;
mod figures;
mod foundation;
mod fuzz;
mod hardening;
mod load;
