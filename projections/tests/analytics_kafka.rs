//! The distributed path for analytics: usage windows (as the edge reports them) go from the
//! event store through the relay to a real Kafka-protocol broker, and from Kafka into a real
//! ClickHouse in batches. A second delivery of everything (another consumer group) leaves
//! every figure as it was.
#![allow(clippy::unwrap_used)]

use clouddeck_command_handlers::CommandHandler;
use clouddeck_eventlog::connect;
use clouddeck_eventlog::kafka::{KafkaFeed, Relay, RelayConfig, Topics};
use clouddeck_events::{Actor, PathHits, Provenance, RequestsAnalyzed, UsageMetered};
use clouddeck_projections::analytics::{Analytics, AnalyticsProjector};
use clouddeck_testkit::{Broker, Scratch, clickhouse};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The names this test's installation uses on its broker.
fn test_topics() -> Topics {
    Topics::new("clouddeck-test").unwrap()
}

const START: i64 = 1_800_000_000_000;

async fn report_windows(handler: &CommandHandler, windows: usize) {
    let edge = Provenance::new(Actor::System("edge".into()));
    for n in 0..windows {
        let id = format!("edge-test-d{}-{n}", n % 3);
        let start = START + n as i64 * 60_000;
        let metered = |metric: &str, quantity: i64| UsageMetered {
            window_id: id.clone(),
            organization_id: "o1".into(),
            project_id: Some("p1".into()),
            deployment_id: Some(format!("d{}", n % 3)),
            metric: metric.into(),
            quantity,
            window_start: start,
            window_end: start + 60_000,
        };
        let analyzed = RequestsAnalyzed {
            window_id: id.clone(),
            organization_id: "o1".into(),
            project_id: "p1".into(),
            deployment_id: format!("d{}", n % 3),
            status_2xx: 9,
            status_3xx: 0,
            status_4xx: 1,
            status_5xx: 0,
            top_paths: vec![PathHits { path: "/".into(), requests: 10, bytes: 1_000 }],
            window_start: start,
            window_end: start + 60_000,
        };
        let events = vec![metered("requests", 10).into(), metered("bandwidth_bytes", 1_000).into(), analyzed.into()];
        handler.record_usage(&id, events, &edge, start).await.unwrap();
    }
}

/// Feeds `analytics` from the broker as consumer group `group` until it has taken `events`.
async fn consume(analytics: &Analytics, broker: &str, group: &str, events: usize) {
    let projector = AnalyticsProjector::new(analytics.clone()).with_batch(16);
    let mut feed = KafkaFeed::new(broker, group, &test_topics().all()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut taken = 0;
    while taken < events {
        taken += projector.step(&mut feed, Duration::from_millis(500)).await.unwrap();
        assert!(Instant::now() < deadline, "{group} took {taken} of {events} events");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edge_windows_reach_clickhouse_through_kafka_once() {
    let scratch = Scratch::new();
    let store = connect(&scratch.sqlite_url("events")).await.unwrap();
    let handler = CommandHandler::new(store.clone());
    report_windows(&handler, 30).await;
    // a window reported again is not appended again
    report_windows(&handler, 30).await;
    assert_eq!(store.head().await.unwrap(), 90);

    let broker = Broker::spawn();
    let (stop, stopped) = watch::channel(false);
    let relay = Relay::new(store.clone(), RelayConfig::new(broker.address(), test_topics()));
    let relay = tokio::spawn(async move { relay.run(stopped).await });
    let (url, database) = clickhouse();
    let analytics = Analytics::connect(&url, &database).await.unwrap();

    // when the analytics projector reads the broker
    consume(&analytics, &broker.address(), "clouddeck-analytics", 90).await;
    let usage = analytics.usage("o1", START, START + 86_400_000).await.unwrap();
    let totals: Vec<(&str, i64)> = usage.iter().map(|u| (u.metric.as_str(), u.quantity)).collect();
    assert_eq!(totals, [("bandwidth_bytes", 30_000), ("requests", 300)]);
    let statuses = analytics.statuses("d0").await.unwrap();
    assert_eq!((statuses.status_2xx, statuses.status_4xx), (90, 10));

    // and when everything is delivered a second time (another group from the start)
    consume(&analytics, &broker.address(), "replaying-group", 90).await;
    // then nothing is counted twice
    assert_eq!(analytics.usage("o1", START, START + 86_400_000).await.unwrap(), usage);
    assert_eq!(analytics.statuses("d0").await.unwrap(), statuses);
    assert_eq!(analytics.top_paths("d0", 3).await.unwrap()[0].requests, 100);
    stop.send(true).unwrap();
    relay.await.unwrap().unwrap();
    analytics.drop_database().await.unwrap();
}
