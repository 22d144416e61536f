//! User aggregate: stream `user-<id>`.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.user")]
pub struct UserRegistered {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// An argon2 PHC string; none for accounts that sign in only with tokens.
    pub password_hash: Option<String>,
}

/// A signed-in session. Only the secret's hash is recorded; the secret goes to the user once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.user")]
pub struct SessionStarted {
    pub user_id: String,
    pub session_id: String,
    pub secret_sha256: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// A session was signed out: its token stops working. Only the secret's hash is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.user")]
pub struct SessionEnded {
    pub user_id: String,
    pub secret_sha256: String,
}

/// A link to prove the account's email address was sent to it: only the secret's hash is
/// recorded. Open until `expires_at` (unix ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.user")]
pub struct EmailVerificationSent {
    pub user_id: String,
    pub secret_sha256: String,
    pub expires_at: i64,
}

/// The account showed it controls its email address (it followed the link sent there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.user")]
pub struct EmailVerified {
    pub user_id: String,
    pub email: String,
}
