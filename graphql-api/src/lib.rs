//! CloudDeck's GraphQL API: queries over the read models, mutations as commands to the
//! command handlers, subscriptions on the log, and the HTTP server in front of them.

mod access;
mod analytics;
pub mod auth;
mod billing;
pub mod error;
mod idempotency;
pub mod mail;
mod mutation;
mod pagination;
mod query;
pub mod rate_limit;
pub mod schema;
pub mod secrets;
pub mod server;
mod shape;
pub mod state;
mod subscription;
mod types;
pub mod uploads;
pub mod webhook;

pub use schema::sdl;
pub use server::{ApiConfig, router, serve};
pub use state::ApiState;
