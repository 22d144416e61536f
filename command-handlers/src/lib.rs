//! The command side: commands, aggregates with pure `decide` and `evolve`, authorization,
//! and the handler that loads a stream, decides and appends. Command handlers are the only
//! writers of the log.

pub mod access;
pub mod acme;
pub mod aggregate;
pub mod billing;
pub mod decision;
pub mod deployment;
pub mod domain;
pub mod error;
pub mod handler;
pub mod hostname;
pub mod name;
pub mod organization;
pub mod project;
pub mod source;
pub mod usage;
pub mod user;
pub mod validate;

pub use access::{Context, Role};
pub use aggregate::Aggregate;
pub use decision::{Decision, History, Request, Write};
pub use error::DomainError;
pub use handler::{CommandHandler, Outcome};
