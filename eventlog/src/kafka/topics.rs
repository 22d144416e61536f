//! A topic per aggregate: `clouddeck.deployment`, `clouddeck.project`, …

use clouddeck_events::{EVENT_TYPES, aggregate_of};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use std::time::Duration;

pub fn topic_for(event_type: &str) -> String {
    format!("clouddeck.{}", aggregate_of(event_type))
}

/// Every topic the relay can publish to, one per aggregate.
pub fn all_topics() -> Vec<String> {
    let mut topics: Vec<String> = EVENT_TYPES.iter().map(|t| topic_for(t.name)).collect();
    topics.sort();
    topics.dedup();
    topics
}

/// Creates the topics that do not exist yet (brokers need not auto-create them).
pub async fn ensure_topics(brokers: &str, partitions: i32) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers).create().map_err(|e| e.to_string())?;
    let names = all_topics();
    let new: Vec<NewTopic> = names.iter().map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1))).collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = admin.create_topics(&new, &options).await.map_err(|e| e.to_string())?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(format!("creating topic {topic}: {code}")),
        }
    }
    Ok(())
}
