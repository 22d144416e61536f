//! Custom domains' workers: the verifier that proves ownership over DNS (`verifier.rs`, with
//! its lookups in `dns.rs` and its backoff in `schedule.rs`), and the certificate manager
//! that orders and renews certificates from ACME (`certificates.rs`, one order in
//! `order.rs`).

pub mod certificates;
pub mod dns;
pub mod order;
pub mod schedule;
pub mod verifier;

pub use certificates::{AcmeSettings, CertificateManager};
pub use dns::{CheckError, DnsChecker};
pub use verifier::Verifier;
