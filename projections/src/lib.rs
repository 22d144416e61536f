//! Projections: the runner that feeds events to read models with exactly-once effect, and
//! the SQL read models the API queries. Read models are disposable: a rebuild from the log
//! gives the same rows.

pub mod db;
pub mod read_models;
pub mod rebuild;
pub mod runner;

pub use read_models::ReadModels;
pub use rebuild::{Rebuilt, rebuild, snapshot};
pub use runner::{Projection, ProjectionError, ProjectionRunner};
