//! Event payloads, one module per aggregate. Each struct is the Rust side of one
//! `schema/avro/<type>.avsc` file; the registry in `registry.rs` ties the two together.
//!
//! Payloads hold no secret in clear text: passwords and tokens appear only as hashes,
//! env var values and webhook secrets only sealed (encrypted) by the command side.

pub mod billing;
pub mod deployment;
pub mod domain;
pub mod name;
pub mod organization;
pub mod project;
pub mod source;
pub mod usage;
pub mod user;
pub mod webhook;
