//! Source aggregate: stream `source-<project id>`, what arrived to be built.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.source")]
pub struct PushReceived {
    pub project_id: String,
    pub repository: String,
    pub branch: String,
    pub commit_sha: String,
    pub pusher: String,
    /// Whether the webhook's signature checked out; refused pushes are recorded too.
    pub signature_valid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.source")]
pub struct UploadReceived {
    pub project_id: String,
    pub upload_id: String,
    pub file_count: i64,
    pub total_bytes: i64,
    /// sha256 of the upload's manifest.
    pub manifest_sha256: String,
}
