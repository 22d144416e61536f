//! Project aggregate: stream `project-<id>`.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

/// Schema version 2 added `production_branch` (default "main"): events written under
/// version 1 still read, with the default filled in by Avro schema resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct ProjectCreated {
    pub project_id: String,
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    pub framework: Option<String>,
    #[avro(default = "\"main\"")]
    pub production_branch: String,
}

/// Only the settings that changed are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct ProjectSettingsChanged {
    pub project_id: String,
    pub name: Option<String>,
    pub framework: Option<String>,
    pub install_command: Option<String>,
    pub build_command: Option<String>,
    pub output_directory: Option<String>,
    pub root_directory: Option<String>,
    pub production_branch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct EnvVarSet {
    pub project_id: String,
    pub key: String,
    /// production, preview or all.
    pub target: String,
    /// The value sealed with AES-GCM by the command side: never the clear value.
    pub sealed_value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct EnvVarRemoved {
    pub project_id: String,
    pub key: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct ProjectDeleted {
    pub project_id: String,
    pub organization_id: String,
    pub slug: String,
}

/// The project follows a git repository: pushes to it are deployed. The webhook secret is
/// sealed by the command side; the clear secret is shown to the user once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.project")]
pub struct GitConnected {
    pub project_id: String,
    pub repository_url: String,
    pub sealed_webhook_secret: String,
}
