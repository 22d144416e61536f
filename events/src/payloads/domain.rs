//! Domain aggregate: stream `domain-<id>`, a custom hostname and its proof of ownership.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainAdded {
    pub domain_id: String,
    pub project_id: String,
    pub hostname: String,
    /// The value the owner publishes in a TXT record.
    pub verification_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainVerificationRequested {
    pub domain_id: String,
    pub hostname: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainVerified {
    pub domain_id: String,
    pub hostname: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainVerificationFailed {
    pub domain_id: String,
    pub hostname: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct CertificateIssued {
    pub domain_id: String,
    pub hostname: String,
    pub sha256_fingerprint: String,
    /// Unix milliseconds.
    pub not_after: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainRemoved {
    pub domain_id: String,
    pub hostname: String,
}
