//! Projections: the runner that feeds events to read models with exactly-once effect, and
//! the SQL read models the API queries. Read models are disposable: a rebuild from the log
//! gives the same rows.

pub mod analytics;
pub mod billing;
pub mod db;
pub mod deployments;
mod domains;
mod identity;
mod owners;
mod projects;
pub mod queries;
pub mod read_models;
pub mod rebuild;
mod requests;
pub mod runner;
mod sql;
pub mod uploads;

pub use read_models::ReadModels;
pub use rebuild::{Rebuilt, rebuild, snapshot};
pub use runner::{Projection, ProjectionError, ProjectionRunner};
