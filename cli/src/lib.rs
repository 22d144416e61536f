//! The `clouddeck` binary's library side: the server process, shared by `main` and the
//! integration tests (which start the real thing on port 0), and the operator's commands.

pub mod bench;
mod bench_analytics;
pub mod bench_api;
pub mod bootstrap;
pub mod client;
pub mod config;
pub mod deploy_cmd;
pub mod domains_cmd;
pub mod events_cmd;
pub mod manage_cmd;
pub mod output;
pub mod projections_cmd;
pub mod server;
mod shared_artifacts;
pub mod shield_args;
