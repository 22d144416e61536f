//! Domain aggregate: stream `domain-<id>`, a custom hostname of a project, its proof of
//! ownership over DNS and its certificate from ACME (RFC 8555). The ACME account is stream
//! `acme-<directory hash>`. Private keys appear only sealed (AES-256-GCM with the server's key).

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainAdded {
    pub domain_id: String,
    pub organization_id: String,
    pub project_id: String,
    /// Lowercase, no trailing dot, internationalized names in punycode (`xn--…`).
    pub hostname: String,
    /// The value the owner publishes in a TXT record at `_clouddeck-challenge.<hostname>`.
    pub verification_token: String,
    /// Another hostname of the project this one answers with a 308 redirect to.
    pub redirect_to: Option<String>,
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
    pub project_id: String,
    /// The log position of the last verification request this check answers (it started
    /// after that request was recorded); 0 for a scheduled check.
    pub answers_request: i64,
}

/// A check that did not find the record. `gave_up`: the domain has been pending too long (7
/// days) and is FAILED until verified by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainVerificationFailed {
    pub domain_id: String,
    pub hostname: String,
    pub reason: String,
    pub gave_up: bool,
    /// As in [`DomainVerified`].
    pub answers_request: i64,
}

/// An HTTP-01 challenge (RFC 8555 §8.3) the edge answers at
/// `/.well-known/acme-challenge/<token>` with `key_authorization`, for `hostname` only.
/// Neither is secret: the CA fetches them over plain HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct CertificateOrdered {
    pub domain_id: String,
    pub hostname: String,
    pub token: String,
    pub key_authorization: String,
}

/// The certificate chain (PEM) and its private key (ECDSA P-256, PKCS#8 PEM) sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct CertificateIssued {
    pub domain_id: String,
    pub hostname: String,
    pub sha256_fingerprint: String,
    pub issuer: String,
    /// Unix milliseconds.
    pub not_before: i64,
    /// Unix milliseconds.
    pub not_after: i64,
    pub certificate_chain_pem: String,
    pub sealed_private_key: String,
}

/// A third of the certificate's lifetime is left: a new order starts; the old one serves on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct CertificateRenewalDue {
    pub domain_id: String,
    pub hostname: String,
}

/// An order that failed, with its cause class: `dns`, `challenge`, `rate_limited` or
/// `ca_error`; it is tried again at `retry_at` (unix ms). `renewal`: a certificate still
/// serves meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct CertificateFailed {
    pub domain_id: String,
    pub hostname: String,
    pub cause: String,
    pub reason: String,
    pub renewal: bool,
    pub retry_at: i64,
}

/// HTTP Strict Transport Security for the domain (RFC 6797): sent with every HTTPS answer
/// while `max_age_seconds` > 0; off (0) by default, as a wrong one locks visitors out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainHstsSet {
    pub domain_id: String,
    pub hostname: String,
    pub max_age_seconds: i64,
    pub include_subdomains: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.domain")]
pub struct DomainRemoved {
    pub domain_id: String,
    pub hostname: String,
    pub project_id: String,
}

/// The ACME account CloudDeck orders with at one directory: its credentials (the account
/// key included) sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.acme")]
pub struct AcmeAccountCreated {
    pub directory_url: String,
    pub account_url: String,
    pub sealed_credentials: String,
}
