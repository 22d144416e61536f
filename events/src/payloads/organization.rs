//! Organization aggregate: stream `organization-<id>`.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct OrganizationCreated {
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    pub owner_user_id: String,
}

/// Schema version 2 added `secret_sha256` (default "" for version-1 invitations, which only
/// a verified owner of the address can accept): the hash of the secret in the invitation's
/// link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct MemberInvited {
    pub organization_id: String,
    pub invitation_id: String,
    pub email: String,
    /// owner, admin, developer or viewer.
    pub role: String,
    pub invited_by: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    /// SHA-256 of the secret sent with the invitation, hex.
    #[avro(default = "\"\"")]
    pub secret_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct MemberJoined {
    pub organization_id: String,
    pub user_id: String,
    pub role: String,
    pub invitation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct MemberRoleChanged {
    pub organization_id: String,
    pub user_id: String,
    pub from_role: String,
    pub to_role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct MemberRemoved {
    pub organization_id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct ApiTokenIssued {
    pub organization_id: String,
    pub token_id: String,
    pub name: String,
    pub role: String,
    /// SHA-256 of the secret, hex. The secret itself is shown once and never stored.
    pub secret_sha256: String,
    pub created_by: String,
    /// Unix milliseconds; none means the token does not expire.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct ApiTokenRevoked {
    pub organization_id: String,
    pub token_id: String,
}

/// A project slug is unique inside its organization: creating a project claims the slug
/// on the organization's stream in the same append as the project's first event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct ProjectSlugClaimed {
    pub organization_id: String,
    pub project_id: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.organization")]
pub struct ProjectSlugReleased {
    pub organization_id: String,
    pub project_id: String,
    pub slug: String,
}
