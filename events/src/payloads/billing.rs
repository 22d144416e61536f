//! Billing aggregate: stream `billing-<organization id>`; the month's build counter:
//! stream `builds-<organization id>-<YYYY-MM>`.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

/// Schema version 2 added Enterprise's negotiated terms (null for the other plans, whose
/// terms are fixed); version-1 events read with them null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct PlanChanged {
    pub organization_id: String,
    pub from_plan: String,
    pub to_plan: String,
    #[avro(default = "null")]
    pub price_cents: Option<i64>,
    /// Null on Enterprise: unlimited.
    #[avro(default = "null")]
    pub builds_per_month: Option<i64>,
    #[avro(default = "null")]
    pub bandwidth_gb: Option<i64>,
    #[avro(default = "null")]
    pub overage_cents_per_gb: Option<i64>,
}

/// One deployment counted against its organization's monthly build limit. The counter
/// stream's version is the count, so racing requests cannot both take the last build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct BuildCounted {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    /// `YYYY-MM`, UTC.
    pub period: String,
}

/// The build a deployment counted, given back because the deployment failed for the
/// platform's reason (an unreachable edge, a store failure), not the user's: it is neither
/// billed nor held against the plan's monthly limit. Once per deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct BuildRefunded {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    /// `YYYY-MM`, UTC: the month it was counted in.
    pub period: String,
    /// Why the platform failed it.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct SubscriptionStarted {
    pub organization_id: String,
    pub subscription_id: String,
    pub plan: String,
    /// Unix milliseconds.
    pub period_start: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct SubscriptionCanceled {
    pub organization_id: String,
    pub subscription_id: String,
    pub at_period_end: bool,
}
