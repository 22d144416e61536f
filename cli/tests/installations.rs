//! Two installations on one Kafka-protocol broker (a real tansu), each in the distributed
//! mode (API, relay, edge and deployer in one process; the read models in another, fed from
//! Kafka): each keeps to its own topics and consumer groups, named from its installation id,
//! and neither's read models see the other's events, though both have an organization
//! `acme` (issue 15).
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, spawn_roles};
use clouddeck::server::Roles;
use clouddeck_testkit::{Broker, postgres_database};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use serde_json::json;
use std::time::Duration;

/// One installation on `broker`: its database's installation id, the process with the API
/// and the relay, and the one with the read models.
async fn installation(broker: &str) -> (String, App, App) {
    let url = postgres_database().await;
    let distributed = |config: &mut clouddeck::config::Config| config.kafka_brokers = Some(broker.to_string());
    let main = Roles { projections: false, ..Roles::all(true) };
    let projections = spawn_roles(Some(url.clone()), Roles::only_projections(), distributed).await;
    let app = spawn_roles(Some(url.clone()), main, distributed).await;
    let id = clouddeck_eventlog::connect(&url).await.unwrap().installation_id().await.unwrap();
    (id, app, projections)
}

fn topics_on(broker: &str) -> Vec<String> {
    let consumer: BaseConsumer = ClientConfig::new().set("bootstrap.servers", broker).create().unwrap();
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(10)).unwrap();
    metadata.topics().iter().map(|t| t.name().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_installations_share_a_broker_and_stay_apart() {
    let broker = Broker::spawn();
    let (id_a, a, a_projections) = installation(&broker.address()).await;
    let (id_b, b, b_projections) = installation(&broker.address()).await;
    assert_ne!(id_a, id_b);
    assert!(id_a.len() == 12 && id_a.chars().all(|c| c.is_ascii_hexdigit()), "{id_a}");

    // each registers an owner and makes `acme` with a project (confirmed in its own read
    // models, fed through Kafka)
    let token_a = a.owner_of_acme_through_kafka("owner@a.example", Some("shop-a")).await;
    let token_b = b.owner_of_acme_through_kafka("owner@b.example", Some("shop-b")).await;

    let projects = "{ organization(slug: \"acme\") { projects { slug } } }";
    let seen_a = a.ok(Some(&token_a), projects, json!({})).await;
    let seen_b = b.ok(Some(&token_b), projects, json!({})).await;
    assert_eq!(seen_a["organization"]["projects"], json!([{ "slug": "shop-a" }]));
    assert_eq!(seen_b["organization"]["projects"], json!([{ "slug": "shop-b" }]));
    // one installation's user cannot sign in to the other
    let (status, body) = b
        .post(
            None,
            "mutation { login(email: \"owner@a.example\", password: \"correct horse battery\") { token } }",
            json!({}),
        )
        .await;
    assert!(status != 200 || body.get("errors").is_some(), "{body}");

    // on the broker: each installation's topics, under its own prefix, and no shared ones
    let topics = topics_on(&broker.address());
    let of = |id: &str| topics.iter().filter(|t| t.starts_with(&format!("clouddeck-{id}."))).count();
    assert!(of(&id_a) >= 4 && of(&id_a) == of(&id_b), "{topics:?}");
    assert!(topics.iter().all(|t| !t.starts_with("clouddeck.")), "{topics:?}");
    for app in [a, b, a_projections, b_projections] {
        app.stop().await;
    }
}
