//! Which fields of which events hold secrets (sealed values, hashes of passwords and bearer
//! secrets): every reader that shows events to people (the audit log, the `events`
//! subscription, `clouddeck events tail`) masks exactly these. A field is declared here when
//! its event type is added; a test fails when a field whose name looks secret is neither
//! declared nor listed in `NOT_SENSITIVE` with the reason it is safe to show.

/// `(event type, fields to mask)`.
pub const SENSITIVE: &[(&str, &[&str])] = &[
    ("organization.api_token_issued", &["secret_sha256"]),
    ("organization.member_invited", &["secret_sha256"]),
    ("project.env_var_set", &["sealed_value"]),
    ("project.git_connected", &["sealed_webhook_secret"]),
    ("user.registered", &["password_hash"]),
    ("user.session_started", &["secret_sha256"]),
    ("user.session_ended", &["secret_sha256"]),
    ("user.email_verification_sent", &["secret_sha256"]),
    ("webhook.subscribed", &["sealed_secret"]),
    ("domain.certificate_issued", &["sealed_private_key"]),
    ("acme.account_created", &["sealed_credentials"]),
];

/// Field names that look secret but are not, and why.
pub const NOT_SENSITIVE: &[(&str, &str)] = &[
    ("manifest_sha256", "a content address: it names files, it opens nothing"),
    ("commit_sha", "a public git commit id"),
    ("token_id", "the id of an API token, not its secret"),
    ("key", "an environment variable's name; its value is sealed"),
    ("signature_valid", "whether a webhook's signature checked out"),
    ("sha256_fingerprint", "a certificate's public fingerprint"),
    ("verification_token", "published by the owner in a public TXT record: it proves control of DNS, it opens nothing"),
    ("token", "an ACME HTTP-01 token, served to anyone over plain HTTP (RFC 8555 §8.3)"),
    ("key_authorization", "an ACME key authorization, served to anyone over plain HTTP (RFC 8555 §8.1)"),
    ("certificate_chain_pem", "a certificate chain is public: every TLS handshake sends it"),
];

/// The fields of `event_type` to mask.
pub fn sensitive_fields(event_type: &str) -> &'static [&'static str] {
    SENSITIVE.iter().find(|(name, _)| *name == event_type).map_or(&[], |(_, fields)| fields)
}

/// What a masked value is shown as.
pub const MASK: &str = "********";

/// `payload` (an event's JSON) with its sensitive fields masked.
pub fn masked(event_type: &str, mut payload: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = payload.as_object_mut() {
        for field in sensitive_fields(event_type) {
            if let Some(value) = fields.get_mut(*field) {
                *value = serde_json::Value::String(MASK.into());
            }
        }
    }
    payload
}
