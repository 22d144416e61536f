//! A batch that fails to apply is rolled back and delivered again: nothing lost, nothing
//! applied twice.
#![allow(clippy::unwrap_used)]

use async_trait::async_trait;
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreFeed, connect};
use clouddeck_events::{Actor, DeploymentReady, Event, Provenance};
use clouddeck_projections::{Projection, ProjectionRunner, db};
use clouddeck_testkit::Scratch;
use sqlx::{AnyConnection, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Records every position it applies; fails once, on position 5.
struct Flaky {
    failed: AtomicBool,
}

#[async_trait]
impl Projection for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    fn tables(&self) -> &'static [&'static str] {
        &["flaky_seen"]
    }
    async fn apply(&self, db: &mut AnyConnection, event: &RecordedEvent, _: &Event) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO flaky_seen (position) VALUES ($1)")
            .bind(event.meta.position)
            .execute(&mut *db)
            .await?;
        if event.meta.position == 5 && !self.failed.swap(true, Ordering::SeqCst) {
            return Err(sqlx::Error::Protocol("injected failure".into()));
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_batch_is_rolled_back_and_delivered_again() {
    let scratch = Scratch::new();
    let url = scratch.sqlite_url("clouddeck");
    let store: Arc<dyn EventStore> = connect(&url).await.unwrap();
    let read_db = db::open(&url).await.unwrap();
    sqlx::query("CREATE TABLE flaky_seen (position INTEGER NOT NULL)").execute(&read_db).await.unwrap();
    let provenance = Provenance::new(Actor::System("test".into()));
    for n in 0..10 {
        let event = Event::DeploymentReady(DeploymentReady { deployment_id: format!("d{n}"), url: "u".into() });
        store
            .append(
                &format!("deployment-{n}"),
                ExpectedVersion::NoStream,
                vec![NewEvent::new(&event, provenance.clone()).unwrap()],
            )
            .await
            .unwrap();
    }
    // given a runner taking batches of 3 whose second batch fails once
    let mut runner = ProjectionRunner::new(read_db.clone(), Arc::new(Flaky { failed: AtomicBool::new(false) }))
        .await
        .unwrap()
        .with_batch(3);
    let mut feed = StoreFeed::new(store, 0);
    assert_eq!(runner.step(&mut feed, Duration::from_millis(10)).await.unwrap(), 3);
    assert!(runner.step(&mut feed, Duration::from_millis(10)).await.is_err());
    assert_eq!(runner.checkpoint(), 3);
    // when it carries on
    while runner.checkpoint() < 10 {
        runner.step(&mut feed, Duration::from_millis(10)).await.unwrap();
    }
    // then every position was applied exactly once
    let seen: Vec<i64> = sqlx::query("SELECT position FROM flaky_seen ORDER BY position")
        .fetch_all(&read_db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert_eq!(seen, (1..=10).collect::<Vec<_>>());
}
