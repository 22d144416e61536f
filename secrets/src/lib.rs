//! Everything CloudDeck keeps secret, in one place: values sealed with AES-256-GCM
//! (`sealer.rs`: env var values, webhook secrets), bearer tokens and their hashes and
//! password hashes (`tokens.rs`), and webhook signatures (`signature.rs`). Pure functions
//! and one key file; nothing here logs, and no error carries a secret's text.

mod sealer;
mod signature;
mod tokens;

pub use sealer::{SealError, Sealer};
pub use signature::{sign, signature_valid};
pub use tokens::{DECOY_PASSWORD_HASH, hash_password, new_secret, sha256_hex, verify_password};
