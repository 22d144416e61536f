//! The event store contract, run against both real backends: a SQLite file and a fresh
//! PostgreSQL database.
#![allow(clippy::unwrap_used)]

use clouddeck_eventlog::{EventStore, ExpectedVersion, LogTail, NewEvent, StoreError, StreamAppend, connect};
use clouddeck_events::{Actor, DeploymentReady, Event, Provenance};
use clouddeck_testkit::{Scratch, postgres_database};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

fn ready(n: usize) -> NewEvent {
    let event = Event::DeploymentReady(DeploymentReady {
        deployment_id: format!("d{n}"),
        url: format!("https://d{n}.localhost"),
    });
    NewEvent::new(&event, Provenance::new(Actor::System("test".into()))).unwrap()
}

async fn sqlite() -> (Scratch, Arc<dyn EventStore>) {
    let scratch = Scratch::new();
    let store = connect(&scratch.sqlite_url("events")).await.unwrap();
    (scratch, store)
}

async fn postgres() -> Arc<dyn EventStore> {
    connect(&postgres_database().await).await.unwrap()
}

/// Reads the whole log and checks positions 1..=n, each once, in order.
async fn assert_gap_free(store: &dyn EventStore, n: i64) -> Vec<clouddeck_eventlog::RecordedEvent> {
    let all = store.read_all(0, 1_000_000).await.unwrap();
    let positions: Vec<i64> = all.iter().map(|e| e.meta.position).collect();
    assert_eq!(positions, (1..=n).collect::<Vec<_>>());
    assert_eq!(store.head().await.unwrap(), n);
    all
}

async fn appends_reads_and_refuses_a_wrong_version(store: Arc<dyn EventStore>) {
    // given a stream with two events
    let first = store.append("deployment-a", ExpectedVersion::NoStream, vec![ready(1), ready(2)]).await.unwrap();
    assert_eq!((first.stream_version, first.first_position, first.last_position), (2, 1, 2));
    // when an append expects an older version, then Conflict names the current version
    let err = store.append("deployment-a", ExpectedVersion::Exactly(1), vec![ready(3)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { current: 2, .. }), "{err}");
    let err = store.append("deployment-a", ExpectedVersion::NoStream, vec![ready(3)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { current: 2, .. }), "{err}");
    assert!(matches!(store.append("deployment-a", ExpectedVersion::Any, vec![]).await, Err(StoreError::EmptyAppend)));
    // a version no stream can be at is a conflict too, and writes nothing
    let err = store.append("deployment-a", ExpectedVersion::Exactly(-1), vec![ready(3)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { current: 2, .. }), "{err}");
    assert_eq!(store.head().await.unwrap(), 2);
    // and the right version appends
    let next = store.append("deployment-a", ExpectedVersion::Exactly(2), vec![ready(3)]).await.unwrap();
    assert_eq!((next.stream_version, next.last_position), (3, 3));
    let stream = store.read_stream("deployment-a", 1).await.unwrap();
    assert_eq!(stream.iter().map(|e| e.meta.stream_version).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(
        stream[1].decode().unwrap(),
        Event::DeploymentReady(DeploymentReady { deployment_id: "d3".into(), url: "https://d3.localhost".into() })
    );
    assert!(store.read_stream("deployment-none", 0).await.unwrap().is_empty());
}

async fn multi_stream_appends_are_all_or_nothing(store: Arc<dyn EventStore>) {
    store.append("organization-o", ExpectedVersion::NoStream, vec![ready(1)]).await.unwrap();
    // given one stream whose expectation fails, when both are appended together
    let err = store
        .append_streams(vec![
            StreamAppend { stream_id: "project-p".into(), expected: ExpectedVersion::NoStream, events: vec![ready(2)] },
            StreamAppend {
                stream_id: "organization-o".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![ready(3)],
            },
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { ref stream_id, current: 1, .. } if stream_id == "organization-o"));
    // then neither stream changed and no position was used up
    assert!(store.read_stream("project-p", 0).await.unwrap().is_empty());
    let done = store
        .append_streams(vec![
            StreamAppend { stream_id: "project-p".into(), expected: ExpectedVersion::NoStream, events: vec![ready(2)] },
            StreamAppend {
                stream_id: "organization-o".into(),
                expected: ExpectedVersion::Exactly(1),
                events: vec![ready(3)],
            },
        ])
        .await
        .unwrap();
    assert_eq!(done.iter().map(|a| a.last_position).collect::<Vec<_>>(), vec![2, 3]);
    assert_gap_free(&*store, 3).await;
}

/// 16 writers race on one stream, each reloading and retrying on Conflict.
async fn racing_writers_on_one_stream(store: Arc<dyn EventStore>) {
    const WRITERS: usize = 16;
    const EACH: usize = 12;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0;
            for i in 0..EACH {
                loop {
                    let current = store.read_stream("deployment-race", 0).await.unwrap().len() as i64;
                    match store
                        .append("deployment-race", ExpectedVersion::Exactly(current), vec![ready(w * 100 + i)])
                        .await
                    {
                        Ok(_) => break,
                        Err(StoreError::Conflict { .. }) => conflicts += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
            conflicts
        }));
    }
    let conflicts: usize = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).sum();
    let n = (WRITERS * EACH) as i64;
    let stream = store.read_stream("deployment-race", 0).await.unwrap();
    assert_eq!(stream.iter().map(|e| e.meta.stream_version).collect::<Vec<_>>(), (1..=n).collect::<Vec<_>>());
    let ids: HashSet<_> = stream.iter().map(|e| e.meta.event_id).collect();
    assert_eq!(ids.len() as i64, n, "every event kept, none twice");
    assert_gap_free(&*store, n).await;
    assert!(conflicts > 0, "the writers should have raced");
}

/// 16 writers append to one stream without expecting a version, while others append to two
/// streams at once: none is refused (an append that lost a version to another is tried
/// again, on PostgreSQL where versions are read before the head is taken), and the
/// stream's versions and the log's positions come out whole.
async fn writers_that_expect_any_version_all_succeed(store: Arc<dyn EventStore>) {
    const WRITERS: usize = 16;
    const EACH: usize = 10;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                let n = w * 100 + i;
                if w % 4 == 0 {
                    // the shared stream twice in one append, beside a stream of its own
                    store
                        .append_streams(vec![
                            StreamAppend {
                                stream_id: "deployment-any".into(),
                                expected: ExpectedVersion::Any,
                                events: vec![ready(n)],
                            },
                            StreamAppend {
                                stream_id: format!("deployment-own-{w}"),
                                expected: ExpectedVersion::Exactly(i as i64),
                                events: vec![ready(n)],
                            },
                            StreamAppend {
                                stream_id: "deployment-any".into(),
                                expected: ExpectedVersion::Any,
                                events: vec![ready(n + 50)],
                            },
                        ])
                        .await
                        .unwrap();
                } else {
                    store.append("deployment-any", ExpectedVersion::Any, vec![ready(n)]).await.unwrap();
                }
            }
        }));
    }
    for task in futures::future::join_all(tasks).await {
        task.unwrap();
    }
    let shared = (WRITERS / 4) * EACH * 2 + (WRITERS - WRITERS / 4) * EACH;
    let stream = store.read_stream("deployment-any", 0).await.unwrap();
    let versions: Vec<i64> = stream.iter().map(|e| e.meta.stream_version).collect();
    assert_eq!(versions, (1..=shared as i64).collect::<Vec<_>>());
    // one append's two parts on the shared stream are consecutive versions
    let all = assert_gap_free(&*store, (shared + (WRITERS / 4) * EACH) as i64).await;
    let own = store.read_stream("deployment-own-0", 0).await.unwrap();
    assert_eq!(own.len(), EACH);
    for event in &own {
        let around: Vec<_> = all
            .iter()
            .filter(|e| (event.meta.position - 1..=event.meta.position + 1).contains(&e.meta.position))
            .collect();
        assert_eq!(around.len(), 3, "an append's rows take consecutive positions");
        assert_eq!(around[0].meta.stream_id, "deployment-any");
        assert_eq!(around[2].meta.stream_id, "deployment-any");
        assert_eq!(around[2].meta.stream_version, around[0].meta.stream_version + 1);
    }
}

/// Many streams appended at once while a subscriber follows live.
async fn live_subscriber_sees_every_position_once_in_order(store: Arc<dyn EventStore>) {
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let n = (WRITERS * EACH) as i64;
    let mut subscription = LogTail::new(store.clone(), 0);
    let follower = tokio::spawn(async move {
        let mut seen = Vec::new();
        while seen.len() < n as usize {
            let event = tokio::time::timeout(Duration::from_secs(30), subscription.next()).await.unwrap().unwrap();
            seen.push(event.meta.position);
        }
        seen
    });
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                let stream = format!("deployment-{w}-{}", i % 5);
                store.append(&stream, ExpectedVersion::Any, vec![ready(i)]).await.unwrap();
            }
        }));
    }
    futures::future::join_all(writers).await.into_iter().for_each(|r| r.unwrap());
    let seen = follower.await.unwrap();
    assert_eq!(seen, (1..=n).collect::<Vec<_>>());
    assert_gap_free(&*store, n).await;
}

/// Checkpoints by prefix: the recent ones listed, the old ones forgotten, and only those.
async fn checkpoints_are_listed_and_forgotten_by_prefix(store: Arc<dyn EventStore>) {
    store.save_checkpoint("kafka-member/g/old", 5).await.unwrap();
    store.save_checkpoint("kafka-member/g/new", 9).await.unwrap();
    store.save_checkpoint("kafka-member/other/old", 1).await.unwrap();
    store.save_checkpoint("relay", 3).await.unwrap();
    let mut all = store.recent_checkpoints("kafka-member/g/", i64::MIN).await.unwrap();
    all.sort();
    assert_eq!(all, [("kafka-member/g/new".to_string(), 9), ("kafka-member/g/old".to_string(), 5)]);
    // nothing saved before a time long past
    assert_eq!(store.forget_checkpoints("kafka-member/g/", 0).await.unwrap(), 0);
    // everything of the prefix saved before a time to come, and nothing else
    let later = clouddeck_eventlog::now_ms() + 60_000;
    assert_eq!(store.forget_checkpoints("kafka-member/g/", later).await.unwrap(), 2);
    assert!(store.recent_checkpoints("kafka-member/g/", i64::MIN).await.unwrap().is_empty());
    assert_eq!(store.load_checkpoint("kafka-member/other/old").await.unwrap(), 1);
    assert_eq!(store.load_checkpoint("relay").await.unwrap(), 3);
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { let (_dir, store) = sqlite().await; super::$name(store).await; })*
        }
        mod on_postgres {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(postgres().await).await; })*
        }
    };
}

on_both_backends!(
    appends_reads_and_refuses_a_wrong_version,
    multi_stream_appends_are_all_or_nothing,
    racing_writers_on_one_stream,
    writers_that_expect_any_version_all_succeed,
    live_subscriber_sees_every_position_once_in_order,
    checkpoints_are_listed_and_forgotten_by_prefix,
);

#[tokio::test]
async fn a_corrupt_row_and_an_undecodable_payload_name_their_position() {
    let scratch = Scratch::new();
    let store = clouddeck_eventlog::sqlite::SqliteEventStore::connect(&scratch.sqlite_url("events")).await.unwrap();
    store.append("deployment-a", ExpectedVersion::NoStream, vec![ready(1)]).await.unwrap();
    // given a row whose payload is not Avro and one whose actor is nonsense
    sqlx::query("INSERT INTO events VALUES (2, 'e2', 'deployment-a', 2, 'deployment.ready', 1, 0, 'system:x', NULL, '00000000-0000-0000-0000-000000000000', x'00ff')")
        .execute(store.pool()).await.unwrap();
    let recorded = store.read_all(1, 10).await.unwrap_err();
    assert!(matches!(recorded, StoreError::CorruptRow { position: 2, .. }), "{recorded}");
    sqlx::query("UPDATE events SET event_id = '0190a0a0-0000-7000-8000-000000000000' WHERE position = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let rows = store.read_all(1, 10).await.unwrap();
    let err = rows[0].decode().unwrap_err();
    assert!(matches!(err, StoreError::Undecodable { position: 2, .. }), "{err}");
    assert!(err.to_string().contains("position 2"));
}
