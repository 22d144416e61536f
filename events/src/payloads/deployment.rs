//! Deployment aggregate: stream `deployment-<id>`, from request to live and back.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct DeploymentRequested {
    pub deployment_id: String,
    pub project_id: String,
    pub organization_id: String,
    /// production or preview.
    pub target: String,
    /// upload or git.
    pub source_kind: String,
    /// The upload id, or the git branch.
    pub source_ref: String,
    pub commit_sha: Option<String>,
    /// Skip the build: the upload is already the output.
    pub prebuilt: bool,
}

/// A deployer took the deployment: it alone carries it on (one claim per deployment, decided
/// with the stream's expected version, so of two deployers one wins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct DeploymentClaimed {
    pub deployment_id: String,
    /// The deployer's id (`CLOUDDECK_DEPLOYER_ID`, by default the host's name).
    pub deployer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildQueued {
    pub deployment_id: String,
    pub build_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildStarted {
    pub deployment_id: String,
    pub build_id: String,
    /// Which builder backend ran it: sandbox or docker.
    pub runner: String,
    pub framework: Option<String>,
}

/// Build output in batches: never one event per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildLogChunk {
    pub deployment_id: String,
    pub build_id: String,
    pub sequence: i64,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildSucceeded {
    pub deployment_id: String,
    pub build_id: String,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildFailed {
    pub deployment_id: String,
    pub build_id: String,
    pub duration_ms: i64,
    pub reason: String,
    /// user (the code or its config), platform (CloudDeck or the host) or timeout.
    pub cause: String,
    /// Whether running the same build again could succeed.
    pub retryable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct BuildCanceled {
    pub deployment_id: String,
    pub build_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct ArtifactStored {
    pub deployment_id: String,
    /// sha256 of the deployment's manifest (path → blob hash, size, content type).
    pub manifest_sha256: String,
    pub file_count: i64,
    pub total_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct DeploymentReady {
    pub deployment_id: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct DeploymentPromoted {
    pub deployment_id: String,
    pub project_id: String,
    pub previous_deployment_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct DeploymentRolledBack {
    /// The deployment production serves again.
    pub deployment_id: String,
    pub project_id: String,
    pub from_deployment_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct RolloutStarted {
    pub deployment_id: String,
    pub rollout_id: String,
    /// blue_green or canary.
    pub strategy: String,
    pub initial_percent: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct TrafficShifted {
    pub deployment_id: String,
    pub rollout_id: String,
    pub percent: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct RolloutCompleted {
    pub deployment_id: String,
    pub rollout_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.deployment")]
pub struct RolloutAborted {
    pub deployment_id: String,
    pub rollout_id: String,
    pub reason: String,
}
