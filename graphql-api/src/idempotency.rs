//! `Idempotency-Key`: the first request with a key runs; every later one with the same key
//! from the same caller waits for it and gets the very same answer. Kept in memory for a
//! day (a restart forgets them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

const KEEP: Duration = Duration::from_secs(24 * 3600);

pub type Answer = (u16, String);

/// When a key was first seen, and its answer once there is one.
type Entry = (Instant, Arc<OnceCell<Answer>>);

#[derive(Default)]
pub struct IdempotencyCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl IdempotencyCache {
    /// The cell holding the answer for this caller and key (empty until the first run ends).
    pub fn cell(&self, caller: &str, key: &str) -> Arc<OnceCell<Answer>> {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| now.duration_since(*at) < KEEP);
        }
        let (_, cell) =
            entries.entry(format!("{caller}\u{0}{key}")).or_insert_with(|| (now, Arc::new(OnceCell::new())));
        cell.clone()
    }
}
