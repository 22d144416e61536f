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
