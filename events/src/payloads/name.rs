//! Name aggregate: stream `name-<kind>:<name>`, one per public name. A project's host name
//! (`<slug>.<base domain>`) and an organization's slug are the server's, not an
//! organization's: whoever claims one first (in the same append as the creation) holds it
//! until they release it.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

/// `kind` is `host` (a project's `<slug>.<base domain>`) or `organization` (its slug).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.name")]
pub struct NameClaimed {
    pub kind: String,
    pub name: String,
    /// The project or organization that holds it.
    pub owner_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.name")]
pub struct NameReleased {
    pub kind: String,
    pub name: String,
    pub owner_id: String,
}
