//! The relay as its own process, killed with SIGKILL mid-stream and restarted: Kafka ends
//! up holding every event, each stream contiguous once duplicate event ids are dropped.
#![allow(clippy::unwrap_used)]

use clouddeck_eventlog::kafka::{KafkaFeed, Topics};
use clouddeck_eventlog::{EventFeed, EventStore, ExpectedVersion, NewEvent, connect};
use clouddeck_events::{Actor, BuildLogChunk, Event, Provenance};
use clouddeck_testkit::{Broker, Scratch};
use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STREAMS: usize = 20;

fn start_relay(database_url: &str, brokers: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .arg("relay")
        .env("CLOUDDECK_DATABASE_URL", database_url)
        .env("CLOUDDECK_KAFKA_BROKERS", brokers)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn append_rounds(store: &dyn EventStore, rounds: std::ops::Range<i64>) {
    let provenance = Provenance::new(Actor::System("test".into()));
    for round in rounds {
        for s in 0..STREAMS {
            let event = Event::BuildLogChunk(BuildLogChunk {
                deployment_id: format!("d{s}"),
                build_id: "b".into(),
                sequence: round,
                lines: vec![format!("line {round}")],
            });
            store
                .append(
                    &format!("deployment-{s}"),
                    ExpectedVersion::Any,
                    vec![NewEvent::new(&event, provenance.clone()).unwrap()],
                )
                .await
                .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_relay_restarts_and_kafka_holds_every_event() {
    let scratch = Scratch::new();
    let url = scratch.sqlite_url("clouddeck");
    let store = connect(&url).await.unwrap();
    let broker = Broker::spawn();

    // given a relay publishing while events keep coming
    let mut relay = start_relay(&url, &broker.address());
    let appending = {
        let store = store.clone();
        tokio::spawn(async move { append_rounds(&*store, 1..101).await })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.load_checkpoint("kafka-relay").await.unwrap() == 0 {
        assert!(Instant::now() < deadline, "relay never published");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // when it is killed mid-stream
    relay.kill().unwrap();
    relay.wait().unwrap();
    appending.await.unwrap();
    let head = store.head().await.unwrap();
    let at_kill = store.load_checkpoint("kafka-relay").await.unwrap();
    assert!(at_kill < head, "the kill should land mid-stream ({at_kill} of {head})");

    // and restarted
    let mut relay = start_relay(&url, &broker.address());
    let deadline = Instant::now() + Duration::from_secs(120);
    while store.load_checkpoint("kafka-relay").await.unwrap() < head {
        assert!(Instant::now() < deadline, "restarted relay did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    relay.kill().unwrap();
    relay.wait().unwrap();

    // then the topics hold every event; dropping duplicate ids leaves each stream 1..=100
    // (the relay publishes to this installation's topics)
    let topics = Topics::for_installation(&store.installation_id().await.unwrap()).unwrap();
    let mut feed = KafkaFeed::new(&broker.address(), "verify", &topics.all()).unwrap();
    let mut versions: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut ids = HashSet::new();
    let mut messages = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while (ids.len() as i64) < head {
        assert!(Instant::now() < deadline, "only {} of {head} events in kafka", ids.len());
        for event in feed.next_batch(1_000, Duration::from_secs(1)).await.unwrap() {
            messages += 1;
            if ids.insert(event.meta.event_id) {
                event.decode().unwrap();
                versions.entry(event.meta.stream_id.clone()).or_default().push(event.meta.stream_version);
            }
        }
    }
    assert_eq!(versions.len(), STREAMS);
    for (stream, mut v) in versions {
        v.sort();
        assert_eq!(v, (1..=100).collect::<Vec<_>>(), "{stream}");
    }
    eprintln!("{messages} messages for {head} events ({} duplicates after the kill)", messages - head);
}
