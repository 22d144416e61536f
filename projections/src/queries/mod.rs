//! The questions the API asks of the read models, one module per area: the SQL against the
//! `rm_*` tables lives beside the projections that fill them, so a change of a table and of
//! its readers is one change. Each function answers rows of a type the caller names (any
//! [`Row`]), whose fields must read the columns the function's doc lists; errors are the
//! database's.

pub mod billing;
pub mod deployments;
pub mod domains;
pub mod identity;
pub mod projects;
pub mod requests;

use sqlx::FromRow;
use sqlx::any::AnyRow;

/// A type a query can answer rows of.
pub trait Row: for<'r> FromRow<'r, AnyRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, AnyRow> + Send + Unpin {}
