//! Custom domains' workers: the verifier that proves ownership over DNS (`verifier.rs`, with
//! its lookups in `dns.rs` and its backoff in `schedule.rs`).

pub mod dns;
pub mod schedule;
pub mod verifier;

pub use dns::{CheckError, TxtChecker};
pub use verifier::Verifier;
