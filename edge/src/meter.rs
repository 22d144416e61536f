//! Counting what the edge serves: requests, bytes, answers by status class and the busiest
//! paths, per deployment, in memory. Every window (a minute by default) the counts become
//! usage events, one window per deployment, each with an id that makes it idempotent: a
//! window reported twice is recorded once. Counting never waits on I/O: a request takes a
//! lock on one of several shards, the flusher swaps them out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Distinct paths counted per deployment and window; the rest are counted as `(other)`.
const PATHS_PER_WINDOW: usize = 1_000;
/// Paths reported per window.
pub const TOP_PATHS: usize = 20;
const SHARDS: usize = 16;

/// Which deployment a request was for, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Served {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub requests: i64,
    pub bytes: i64,
    /// 2xx, 3xx, 4xx, 5xx.
    pub statuses: [i64; 4],
    pub paths: HashMap<String, (i64, i64)>,
}

impl Tally {
    fn count(&mut self, status: u16, bytes: u64, path: &str) {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        self.requests += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        if let Some(class) = (status / 100).checked_sub(2).filter(|c| *c < 4) {
            self.statuses[class as usize] += 1;
        }
        // A path seen before costs no allocation: this runs on every request.
        let key = if self.paths.len() < PATHS_PER_WINDOW || self.paths.contains_key(path) { path } else { "(other)" };
        match self.paths.get_mut(key) {
            Some(entry) => {
                entry.0 += 1;
                entry.1 = entry.1.saturating_add(bytes);
            }
            None => {
                self.paths.insert(key.to_string(), (1, bytes));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.bytes = self.bytes.saturating_add(other.bytes);
        for (mine, theirs) in self.statuses.iter_mut().zip(other.statuses) {
            *mine += theirs;
        }
        for (path, (requests, bytes)) in other.paths {
            let entry = self.paths.entry(path).or_default();
            entry.0 += requests;
            entry.1 = entry.1.saturating_add(bytes);
        }
    }

    /// The busiest paths, most requests first (ties by path, so the order is stable).
    pub fn top_paths(&self) -> Vec<(String, i64, i64)> {
        let mut paths: Vec<(String, i64, i64)> = self.paths.iter().map(|(p, (r, b))| (p.clone(), *r, *b)).collect();
        paths.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        paths.truncate(TOP_PATHS);
        paths
    }
}

pub type Counts = HashMap<Served, Tally>;

/// By deployment id (hashing one string per request, not three), with whose it is.
type Shard = HashMap<String, (Served, Tally)>;

#[derive(Default)]
pub struct Meter {
    shards: [Mutex<Shard>; SHARDS],
}

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

impl Meter {
    pub fn record(&self, served: &Served, status: u16, bytes: u64, path: &str) {
        let shard = SHARD.with(|s| *s);
        if let Ok(mut counts) = self.shards[shard].lock() {
            match counts.get_mut(served.deployment_id.as_str()) {
                Some((_, tally)) => tally.count(status, bytes, path),
                None => {
                    let mut tally = Tally::default();
                    tally.count(status, bytes, path);
                    counts.insert(served.deployment_id.clone(), (served.clone(), tally));
                }
            }
        }
    }

    /// Everything counted since the last call, and zero again.
    pub fn take(&self) -> Counts {
        let mut all = Counts::new();
        for shard in &self.shards {
            let taken = shard.lock().map(|mut counts| std::mem::take(&mut *counts)).unwrap_or_default();
            for (_, (served, tally)) in taken {
                all.entry(served).or_default().merge(tally);
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(deployment: &str) -> Served {
        Served { organization_id: "o".into(), project_id: "p".into(), deployment_id: deployment.into() }
    }

    #[test]
    fn counts_by_deployment_status_class_and_path_then_starts_over() {
        let meter = Meter::default();
        meter.record(&site("d1"), 200, 100, "/");
        meter.record(&site("d1"), 304, 0, "/");
        meter.record(&site("d1"), 404, 20, "/nope");
        meter.record(&site("d2"), 500, 5, "/");
        let counts = meter.take();
        let d1 = &counts[&site("d1")];
        assert_eq!((d1.requests, d1.bytes, d1.statuses), (3, 120, [1, 1, 1, 0]));
        assert_eq!(d1.top_paths()[0], ("/".to_string(), 2, 100));
        assert_eq!(counts[&site("d2")].statuses, [0, 0, 0, 1]);
        assert!(meter.take().is_empty(), "taken means counted once");
    }

    #[test]
    fn many_paths_fold_into_other() {
        let mut tally = Tally::default();
        for n in 0..PATHS_PER_WINDOW + 10 {
            tally.count(200, 1, &format!("/{n}"));
        }
        assert_eq!(tally.paths.len(), PATHS_PER_WINDOW + 1);
        assert_eq!(tally.paths["(other)"], (10, 10));
    }
}
