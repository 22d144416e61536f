//! Webhook aggregate: stream `webhook-<id>`, outgoing event subscriptions.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.webhook")]
pub struct WebhookSubscribed {
    pub webhook_id: String,
    pub organization_id: String,
    pub url: String,
    pub event_types: Vec<String>,
    /// The signing secret, sealed by the command side.
    pub sealed_secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.webhook")]
pub struct WebhookDelivered {
    pub webhook_id: String,
    pub event_id: String,
    pub status_code: i32,
    pub attempt: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.webhook")]
pub struct WebhookFailed {
    pub webhook_id: String,
    pub event_id: String,
    pub attempt: i32,
    pub reason: String,
    pub will_retry: bool,
}
