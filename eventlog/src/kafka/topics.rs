//! An installation's topics, one per aggregate (`<prefix>.deployment`, `<prefix>.project`,
//! …), and its consumer groups (`<prefix>.read-models`, …). The prefix is
//! `clouddeck-<installation id>` unless the operator names one, so installations that share
//! a broker never read or write each other's topics.

use clouddeck_events::{EVENT_TYPES, aggregate_of};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use std::time::Duration;

/// The names one installation uses on the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
}

/// The longest prefix: Kafka allows 249 characters in a topic name, and the longest
/// aggregate's suffix needs the rest.
const MAX_PREFIX: usize = 200;

impl Topics {
    /// Names under `prefix`: ASCII letters, digits, `.`, `_` and `-` (Kafka's topic alphabet),
    /// at most 200 characters. Errors: an empty or longer prefix, or another character.
    pub fn new(prefix: &str) -> Result<Self, String> {
        let valid = !prefix.is_empty()
            && prefix.len() <= MAX_PREFIX
            && prefix.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !valid {
            return Err(format!(
                "the Kafka topic prefix `{}` must be 1 to {MAX_PREFIX} of A-Z a-z 0-9 . _ -",
                prefix.chars().take(40).collect::<String>()
            ));
        }
        Ok(Topics { prefix: prefix.to_string() })
    }

    /// The default names of the installation whose id is `installation` (see
    /// `EventStore::installation_id`): `clouddeck-<id>`.
    pub fn for_installation(installation: &str) -> Result<Self, String> {
        Self::new(&format!("clouddeck-{installation}"))
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The topic an event type is published to: its aggregate's.
    pub fn topic_for(&self, event_type: &str) -> String {
        format!("{}.{}", self.prefix, aggregate_of(event_type))
    }

    /// Every topic the relay can publish to, one per aggregate, sorted.
    pub fn all(&self) -> Vec<String> {
        let mut topics: Vec<String> = EVENT_TYPES.iter().map(|t| self.topic_for(t.name)).collect();
        topics.sort();
        topics.dedup();
        topics
    }

    /// The consumer group of one kind of consumer (`read-models`, `analytics`).
    pub fn group(&self, consumer: &str) -> String {
        format!("{}.{consumer}", self.prefix)
    }
}

/// Partitions per topic when the relay or a consumer makes them.
pub const DEFAULT_PARTITIONS: i32 = 3;

/// Creates the topics that do not exist yet (brokers need not auto-create them).
pub async fn ensure_topics(brokers: &str, topics: &Topics, partitions: i32) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers).create().map_err(|e| e.to_string())?;
    let names = topics.all();
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

#[cfg(test)]
mod tests {
    use super::Topics;

    #[test]
    fn an_installations_names_all_carry_its_prefix() {
        let topics = Topics::for_installation("3f9a1c2e5b7d").unwrap();
        assert_eq!(topics.topic_for("deployment.requested"), "clouddeck-3f9a1c2e5b7d.deployment");
        assert!(topics.all().iter().all(|t| t.starts_with("clouddeck-3f9a1c2e5b7d.")));
        assert!(topics.all().len() > 3);
        assert_eq!(topics.group("read-models"), "clouddeck-3f9a1c2e5b7d.read-models");
        let other = Topics::for_installation("000000000001").unwrap();
        assert!(topics.all().iter().all(|t| !other.all().contains(t)));
        for bad in ["", "has space", "slash/", "ümlaut", &"x".repeat(201)] {
            assert!(Topics::new(bad).is_err(), "{bad}");
        }
        assert!(Topics::new("acme.prod_1-eu").is_ok());
    }
}
