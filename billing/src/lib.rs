//! Billing's rules, apart from any I/O: what each plan includes and costs, which month a
//! moment belongs to, and the lines of a month's invoice given its usage. The command
//! handlers enforce the limits; the projections write the invoices.

pub mod invoice;
pub mod period;
pub mod plan;

pub use invoice::{Line, Usage, lines};
pub use period::{day_of, period_bounds, period_of};
pub use plan::{GB, Overage, Plan, PlanError, Terms};
