//! The one log follower against a real SQLite event table: a batch that fails comes again
//! (nothing skipped, nothing counted twice), a fatal failure ends the run, and a stop ends it.
#![allow(clippy::unwrap_used)]

use async_trait::async_trait;
use clouddeck_eventlog::{
    Consumer, EventStore, ExpectedVersion, FeedError, Follower, NewEvent, RecordedEvent, StoreFeed, connect,
};
use clouddeck_events::{Actor, DeploymentReady, Provenance};
use clouddeck_testkit::Scratch;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("refused on purpose")]
    Refused,
    #[error("fatal on purpose")]
    Fatal,
    #[error(transparent)]
    Feed(#[from] FeedError),
}

/// Takes positions; refuses its first `refusals` batches, or fails fatally on position `fatal_at`.
struct Taker {
    taken: Vec<i64>,
    refusals: usize,
    fatal_at: Option<i64>,
}

#[async_trait]
impl Consumer for Taker {
    type Error = Failure;

    fn name(&self) -> &str {
        "taker"
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, Failure> {
        if self.fatal_at.is_some_and(|at| batch.iter().any(|e| e.meta.position == at)) {
            return Err(Failure::Fatal);
        }
        if self.refusals > 0 {
            self.refusals -= 1;
            return Err(Failure::Refused);
        }
        self.taken.extend(batch.iter().map(|e| e.meta.position));
        Ok(batch.len())
    }

    fn is_fatal(&self, error: &Failure) -> bool {
        matches!(error, Failure::Fatal)
    }
}

async fn store_with(events: usize) -> (Scratch, Arc<dyn EventStore>) {
    let scratch = Scratch::new();
    let store = connect(&scratch.sqlite_url("events")).await.unwrap();
    for n in 0..events {
        let event = DeploymentReady { deployment_id: format!("d{n}"), url: "u".into() }.into();
        let new = NewEvent::new(&event, Provenance::new(Actor::System("test".into()))).unwrap();
        store.append(&format!("deployment-d{n}"), ExpectedVersion::NoStream, vec![new]).await.unwrap();
    }
    (scratch, store)
}

fn quick(batch: usize) -> Follower {
    Follower { first_pause: Duration::from_millis(5), max_pause: Duration::from_millis(20), ..Follower::new(batch) }
}

#[tokio::test]
async fn a_refused_batch_comes_again_and_nothing_is_skipped_or_doubled() {
    let (_scratch, store) = store_with(7).await;
    let mut feed = StoreFeed::new(store, 0);
    let follower = quick(3);
    // a step whose batch is refused says so, and takes nothing
    let mut taker = Taker { taken: vec![], refusals: 1, fatal_at: None };
    let refused = follower.step(&mut taker, &mut feed, Duration::from_millis(50)).await;
    assert!(matches!(refused, Err(Failure::Refused)), "{refused:?}");
    assert!(taker.taken.is_empty());
    // a run refused once more pauses, goes on, and takes every position once, in order
    taker.refusals = 1;
    let (stop, stopped) = watch::channel(false);
    let stopper = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        stop.send(true).unwrap();
    };
    let (result, ()) = tokio::join!(follower.run(&mut taker, &mut feed, stopped), stopper);
    result.unwrap();
    assert_eq!(taker.taken, (1..=7).collect::<Vec<_>>(), "every position once, in order");
}

#[tokio::test]
async fn a_fatal_failure_ends_the_run_with_it() {
    let (_scratch, store) = store_with(5).await;
    let mut feed = StoreFeed::new(store, 0);
    let mut taker = Taker { taken: vec![], refusals: 0, fatal_at: Some(4) };
    let (_stop, stopped) = watch::channel(false);
    let ended = tokio::time::timeout(Duration::from_secs(10), quick(2).run(&mut taker, &mut feed, stopped)).await;
    assert!(matches!(ended, Ok(Err(Failure::Fatal))), "{ended:?}");
    assert_eq!(taker.taken, [1, 2], "the batch holding the fatal event took no effect");
}
