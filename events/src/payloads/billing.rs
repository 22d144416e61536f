//! Billing aggregate: stream `billing-<organization id>`.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.billing")]
pub struct PlanChanged {
    pub organization_id: String,
    pub from_plan: String,
    pub to_plan: String,
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
