//! The one list of event types: Rust payload, type name, schema version and schema file.
//! Adding an event means adding its payload struct, one line here and its .avsc file.

use crate::payloads::{
    billing::*, deployment::*, domain::*, name::*, organization::*, project::*, source::*, usage::*, user::*,
    webhook::*,
};
use apache_avro::AvroSchema;

/// What the codec and the schema tests need to know about one event type.
pub struct EventTypeInfo {
    /// `<aggregate>.<what happened>`, also the schema file's name.
    pub name: &'static str,
    pub schema_version: i32,
    /// The committed `schema/avro/<name>.avsc`: the schema events are written with.
    pub schema_json: &'static str,
    /// The schema derived from the Rust type, for the drift test.
    pub derived_schema: fn() -> apache_avro::Schema,
}

/// Schemas of earlier versions, kept so that events written under them still read.
pub const HISTORY: &[(&str, i32, &str)] = &[
    ("project.created", 1, include_str!("../../schema/avro/history/project.created.v1.avsc")),
    ("billing.plan_changed", 1, include_str!("../../schema/avro/history/billing.plan_changed.v1.avsc")),
    ("source.push_received", 1, include_str!("../../schema/avro/history/source.push_received.v1.avsc")),
    ("organization.member_invited", 1, include_str!("../../schema/avro/history/organization.member_invited.v1.avsc")),
];

macro_rules! event_registry {
    ($($variant:ident = $name:literal, v $version:literal;)*) => {
        /// Every event CloudDeck records, by payload.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $($variant($variant),)*
        }

        pub const EVENT_TYPES: &[EventTypeInfo] = &[$(
            EventTypeInfo {
                name: $name,
                schema_version: $version,
                schema_json: include_str!(concat!("../../schema/avro/", $name, ".avsc")),
                derived_schema: <$variant as AvroSchema>::get_schema,
            },
        )*];

        impl Event {
            pub fn event_type(&self) -> &'static str {
                match self { $(Event::$variant(_) => $name,)* }
            }

            pub fn schema_version(&self) -> i32 {
                match self { $(Event::$variant(_) => $version,)* }
            }

            pub(crate) fn to_avro_value(&self) -> Result<apache_avro::types::Value, apache_avro::Error> {
                match self { $(Event::$variant(p) => apache_avro::to_value(p),)* }
            }

            pub(crate) fn from_avro_value(
                name: &str,
                value: &apache_avro::types::Value,
            ) -> Option<Result<Event, apache_avro::Error>> {
                match name {
                    $($name => Some(apache_avro::from_value::<$variant>(value).map(Event::$variant)),)*
                    _ => None,
                }
            }

            /// The payload as JSON, for people and `events tail --json`.
            pub fn payload_json(&self) -> serde_json::Value {
                let json = match self { $(Event::$variant(p) => serde_json::to_value(p),)* };
                json.unwrap_or(serde_json::Value::Null)
            }

            /// The payload as JSON text, written straight from the payload.
            pub fn payload_json_text(&self) -> String {
                let json = match self { $(Event::$variant(p) => serde_json::to_string(p),)* };
                json.unwrap_or_else(|_| "null".into())
            }
        }

        $(impl From<$variant> for Event {
            fn from(payload: $variant) -> Self { Event::$variant(payload) }
        })*
    };
}

event_registry! {
    OrganizationCreated = "organization.created", v 1;
    MemberInvited = "organization.member_invited", v 2;
    MemberJoined = "organization.member_joined", v 1;
    MemberRoleChanged = "organization.member_role_changed", v 1;
    MemberRemoved = "organization.member_removed", v 1;
    ApiTokenIssued = "organization.api_token_issued", v 1;
    ApiTokenRevoked = "organization.api_token_revoked", v 1;
    ProjectSlugClaimed = "organization.project_slug_claimed", v 1;
    ProjectSlugReleased = "organization.project_slug_released", v 1;
    UserRegistered = "user.registered", v 1;
    SessionStarted = "user.session_started", v 1;
    SessionEnded = "user.session_ended", v 1;
    EmailVerificationSent = "user.email_verification_sent", v 1;
    EmailVerified = "user.email_verified", v 1;
    NameClaimed = "name.claimed", v 1;
    NameReleased = "name.released", v 1;
    ProjectCreated = "project.created", v 2;
    ProjectSettingsChanged = "project.settings_changed", v 1;
    EnvVarSet = "project.env_var_set", v 1;
    EnvVarRemoved = "project.env_var_removed", v 1;
    ProjectDeleted = "project.deleted", v 1;
    GitConnected = "project.git_connected", v 1;
    PushReceived = "source.push_received", v 2;
    UploadReceived = "source.upload_received", v 1;
    DeploymentRequested = "deployment.requested", v 1;
    DeploymentClaimed = "deployment.claimed", v 1;
    BuildQueued = "deployment.build_queued", v 1;
    BuildStarted = "deployment.build_started", v 1;
    BuildLogChunk = "deployment.build_log_chunk", v 1;
    BuildSucceeded = "deployment.build_succeeded", v 1;
    BuildFailed = "deployment.build_failed", v 1;
    BuildCanceled = "deployment.build_canceled", v 1;
    ArtifactStored = "deployment.artifact_stored", v 1;
    DeploymentReady = "deployment.ready", v 1;
    DeploymentPromoted = "deployment.promoted", v 1;
    DeploymentRolledBack = "deployment.rolled_back", v 1;
    RolloutStarted = "deployment.rollout_started", v 1;
    TrafficShifted = "deployment.traffic_shifted", v 1;
    RolloutCompleted = "deployment.rollout_completed", v 1;
    RolloutAborted = "deployment.rollout_aborted", v 1;
    DomainAdded = "domain.added", v 1;
    DomainVerificationRequested = "domain.verification_requested", v 1;
    DomainVerified = "domain.verified", v 1;
    DomainVerificationFailed = "domain.verification_failed", v 1;
    CertificateOrdered = "domain.certificate_ordered", v 1;
    CertificateIssued = "domain.certificate_issued", v 1;
    CertificateRenewalDue = "domain.certificate_renewal_due", v 1;
    CertificateFailed = "domain.certificate_failed", v 1;
    DomainHstsSet = "domain.hsts_set", v 1;
    DomainRemoved = "domain.removed", v 1;
    AcmeAccountCreated = "acme.account_created", v 1;
    UsageMetered = "usage.metered", v 1;
    RequestsAnalyzed = "usage.requests_analyzed", v 1;
    TrafficBlocked = "usage.traffic_blocked", v 1;
    PlanChanged = "billing.plan_changed", v 2;
    BuildCounted = "billing.build_counted", v 1;
    BuildRefunded = "billing.build_refunded", v 1;
    SubscriptionStarted = "billing.subscription_started", v 1;
    SubscriptionCanceled = "billing.subscription_canceled", v 1;
    WebhookSubscribed = "webhook.subscribed", v 1;
    WebhookDelivered = "webhook.delivered", v 1;
    WebhookFailed = "webhook.failed", v 1;
}

impl Event {
    /// The aggregate kind, which names the stream prefix and the Kafka topic.
    pub fn aggregate(&self) -> &'static str {
        aggregate_of(self.event_type())
    }
}

/// `deployment.ready` → `deployment`.
pub fn aggregate_of(event_type: &str) -> &str {
    event_type.split('.').next().unwrap_or(event_type)
}

pub fn type_info(name: &str) -> Option<&'static EventTypeInfo> {
    EVENT_TYPES.iter().find(|info| info.name == name)
}
