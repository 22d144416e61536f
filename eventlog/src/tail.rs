//! Tailing the log: catch up from a position, then follow live (what a GraphQL subscription,
//! the relay and `StoreFeed` read from).

use crate::store::{EventStore, RecordedEvent, StoreError};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const PAGE: usize = 1_000;
/// Appends by this process wake a subscriber at once; another process's appends are
/// found by polling at this interval.
const POLL: Duration = Duration::from_millis(100);

pub struct LogTail {
    store: Arc<dyn EventStore>,
    after: i64,
    buffer: VecDeque<RecordedEvent>,
    head: watch::Receiver<i64>,
}

impl LogTail {
    /// Every event with position > `after`, then each new one as it commits.
    pub fn new(store: Arc<dyn EventStore>, after: i64) -> Self {
        let head = store.head_watch();
        LogTail { store, after, buffer: VecDeque::new(), head }
    }

    /// The position of the last event handed out.
    pub fn position(&self) -> i64 {
        self.after
    }

    /// The next event, waiting for one to be appended if the log is read to its end.
    pub async fn next(&mut self) -> Result<RecordedEvent, StoreError> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = event.meta.position;
                return Ok(event);
            }
            self.fill(PAGE).await?;
            if self.buffer.is_empty() {
                self.head.mark_unchanged();
                // Re-check after marking, so an append in between is not slept through.
                self.fill(PAGE).await?;
                if self.buffer.is_empty() {
                    let _ = tokio::time::timeout(POLL, self.head.changed()).await;
                }
            }
        }
    }

    /// Up to `max` events that are already committed, without waiting.
    pub async fn next_ready(&mut self, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        if self.buffer.len() < max {
            self.fill(max - self.buffer.len()).await?;
        }
        let take = max.min(self.buffer.len());
        let batch: Vec<_> = self.buffer.drain(..take).collect();
        if let Some(last) = batch.last() {
            self.after = last.meta.position;
        }
        Ok(batch)
    }

    /// Waits until an append may have happened (or the poll interval passed).
    pub async fn wait(&mut self, max_wait: Duration) {
        if self.buffer.is_empty() {
            self.head.mark_unchanged();
            let _ = tokio::time::timeout(max_wait.min(POLL), self.head.changed()).await;
        }
    }

    async fn fill(&mut self, at_least: usize) -> Result<(), StoreError> {
        let from = self.buffer.back().map_or(self.after, |e| e.meta.position);
        let page = self.store.read_all(from, at_least.max(PAGE)).await?;
        self.buffer.extend(page);
        Ok(())
    }
}
