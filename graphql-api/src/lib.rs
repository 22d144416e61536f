//! CloudDeck's GraphQL API: queries over the read models, mutations as commands to the
//! command handlers, subscriptions on the log, and the HTTP server in front of them.

mod access;
mod analytics;
pub mod auth;
mod billing;
pub mod domains;
pub mod error;
pub mod github_hook;
mod idempotency;
mod lookup;
pub mod mail;
mod mutation;
mod pagination;
mod query;
pub mod rate_limit;
pub mod schema;
pub mod server;
mod shape;
pub mod state;
mod subscription;
mod types;
pub mod uploads;

pub use schema::sdl;
pub use server::{ApiConfig, router, serve};
pub use state::ApiState;
