//! The relay and the Kafka feed against real tansu brokers.
#![allow(clippy::unwrap_used)]

use clouddeck_eventlog::kafka::{KafkaFeed, Relay, RelayConfig, Topics, ensure_topics};
use clouddeck_eventlog::{EventFeed, EventStore, ExpectedVersion, NewEvent, RecordedEvent, connect};
use clouddeck_events::{Actor, BuildLogChunk, Event, Provenance};
use clouddeck_testkit::{Broker, Scratch};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The names this test's installation uses on its broker.
fn test_topics() -> Topics {
    Topics::new("clouddeck-test").unwrap()
}

fn log_chunk(stream: usize, sequence: i64) -> NewEvent {
    let event = Event::BuildLogChunk(BuildLogChunk {
        deployment_id: format!("d{stream}"),
        build_id: "b".into(),
        sequence,
        lines: vec![format!("line {sequence}")],
    });
    NewEvent::new(&event, Provenance::new(Actor::System("test".into()))).unwrap()
}

async fn append_round(store: &dyn EventStore, round: i64, streams: usize) {
    for s in 0..streams {
        store.append(&format!("deployment-{s}"), ExpectedVersion::Any, vec![log_chunk(s, round)]).await.unwrap();
    }
}

/// Reads the topics with a fresh consumer group until `expected` distinct events arrived;
/// returns every message (duplicates included).
async fn consume_all(brokers: &str, expected: usize) -> Vec<RecordedEvent> {
    let group = format!("verify-{}", uuid::Uuid::new_v4());
    let mut feed = KafkaFeed::new(brokers, &group, &test_topics().all()).unwrap();
    let mut all = Vec::new();
    let mut ids = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while ids.len() < expected {
        assert!(Instant::now() < deadline, "only {} of {expected} events reached kafka", ids.len());
        for event in feed.next_batch(500, Duration::from_secs(1)).await.unwrap() {
            ids.insert(event.meta.event_id);
            all.push(event);
        }
    }
    all
}

/// Drops duplicate event ids, then checks each stream's versions run 1..=n.
fn assert_every_stream_contiguous(events: &[RecordedEvent], streams: usize, per_stream: i64) {
    let mut seen = HashSet::new();
    let mut versions: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for event in events {
        if seen.insert(event.meta.event_id) {
            versions.entry(&event.meta.stream_id).or_default().push(event.meta.stream_version);
            event.decode().unwrap();
        }
    }
    assert_eq!(versions.len(), streams);
    for (stream, mut v) in versions {
        v.sort();
        assert_eq!(v, (1..=per_stream).collect::<Vec<_>>(), "stream {stream}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relay_catches_up_after_a_broker_outage() {
    let scratch = Scratch::new();
    let store = connect(&scratch.sqlite_url("events")).await.unwrap();
    let mut broker = Broker::spawn();
    ensure_topics(&broker.address(), &test_topics(), 3).await.unwrap();
    let mut config = RelayConfig::new(broker.address(), test_topics());
    config.message_timeout = Duration::from_secs(3);
    let (stop, stopped) = watch::channel(false);
    let relay = Relay::new(store.clone(), config);
    let relay = tokio::spawn(async move { relay.run(stopped).await });

    // given events published while the broker is up
    append_round(&*store, 1, 10).await;
    wait_for_checkpoint(&*store, 10).await;
    // when the broker dies while more events are appended, and comes back later
    broker.kill();
    for round in 2..=5 {
        append_round(&*store, round, 10).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(store.load_checkpoint("kafka-relay").await.unwrap(), 10, "nothing published while down");
    broker.start();
    // then the relay catches up and nothing is lost
    wait_for_checkpoint(&*store, 50).await;
    let events = consume_all(&broker.address(), 50).await;
    assert_every_stream_contiguous(&events, 10, 5);
    stop.send(true).unwrap();
    relay.await.unwrap().unwrap();
}

async fn wait_for_checkpoint(store: &dyn EventStore, position: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.load_checkpoint("kafka-relay").await.unwrap() < position {
        assert!(Instant::now() < deadline, "relay did not reach position {position}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feed_redelivers_what_was_not_acknowledged() {
    let scratch = Scratch::new();
    let store: Arc<dyn EventStore> = connect(&scratch.sqlite_url("events")).await.unwrap();
    let broker = Broker::spawn();
    let (stop, stopped) = watch::channel(false);
    let relay = Relay::new(store.clone(), RelayConfig::new(broker.address(), test_topics()));
    let relay = tokio::spawn(async move { relay.run(stopped).await });
    append_round(&*store, 1, 6).await;
    wait_for_checkpoint(&*store, 6).await;
    let topics = test_topics().all();

    // given a consumer that acknowledges only its first batch
    let mut first = KafkaFeed::new(&broker.address(), "projection-x", &topics).unwrap();
    let mut acknowledged = Vec::new();
    while acknowledged.is_empty() {
        acknowledged = first.next_batch(2, Duration::from_secs(2)).await.unwrap();
    }
    first.ack().await.unwrap();
    let mut unacknowledged = Vec::new();
    while acknowledged.len() + unacknowledged.len() < 6 {
        unacknowledged.extend(first.next_batch(10, Duration::from_secs(2)).await.unwrap());
    }
    // a rewind delivers again everything since the last ack
    first.rewind().await.unwrap();
    let mut again = Vec::new();
    while again.len() < unacknowledged.len() {
        again.extend(first.next_batch(10, Duration::from_secs(2)).await.unwrap());
    }
    let ids = |events: &[RecordedEvent]| events.iter().map(|e| e.meta.event_id).collect::<HashSet<_>>();
    assert_eq!(ids(&again), ids(&unacknowledged));
    drop(first);
    // when a new member of the same group resumes
    let mut second = KafkaFeed::new(&broker.address(), "projection-x", &topics).unwrap();
    let mut redelivered = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while redelivered.len() < unacknowledged.len() && Instant::now() < deadline {
        redelivered.extend(second.next_batch(10, Duration::from_secs(2)).await.unwrap());
    }
    // then it gets exactly what was not acknowledged
    let ids = |events: &[RecordedEvent]| events.iter().map(|e| e.meta.event_id).collect::<HashSet<_>>();
    assert_eq!(ids(&redelivered), ids(&unacknowledged));
    assert!(ids(&redelivered).is_disjoint(&ids(&acknowledged)));
    stop.send(true).unwrap();
    relay.await.unwrap().unwrap();
}
