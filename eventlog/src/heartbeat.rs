//! Heartbeats that count, judged by watching the count move: how a process learns that
//! another (a Kafka member, an API process holding an Idempotency-Key, a deployer holding a
//! deployment) has died, without comparing two hosts' clocks.
//!
//! Each process counts up a checkpoint row of its own (`EventStore::save_checkpoint`) at a
//! steady pace. An observer notes when it first saw each count, on its own monotonic clock;
//! a count that has stood still for the observer's bound belongs to a process that stopped.
//! A clock that is off, or jumps, on either host changes nothing (the times written beside
//! the rows are not used for this).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What one observer has seen of others' heartbeat counts: for each name, the count and when
/// (on this process's monotonic clock) it was first seen at that count.
#[derive(Debug)]
pub struct Heard {
    counts: HashMap<String, (i64, Instant)>,
    /// How long a count may stand still for its process to be live.
    silent: Duration,
}

impl Heard {
    /// An observer that takes a process for dead once its count stood still for `silent`.
    pub fn new(silent: Duration) -> Self {
        Heard { counts: HashMap::new(), silent }
    }

    /// Notes `name`'s count read at `now`; true when it has stood still for the bound. A name
    /// seen for the first time counts as live (it has not had the time to beat).
    pub fn stopped(&mut self, name: &str, count: i64, now: Instant) -> bool {
        let seen = self.counts.entry(name.to_string()).or_insert((count, now));
        if seen.0 != count {
            *seen = (count, now);
        }
        now.duration_since(seen.1) >= self.silent
    }

    /// Notes every count of `read` (names and counts, as listed at `now`) and answers the
    /// names that are live by them; names no longer listed are forgotten.
    pub fn live(&mut self, read: &[(String, i64)], now: Instant) -> Vec<String> {
        self.counts.retain(|name, _| read.iter().any(|(listed, _)| listed == name));
        read.iter().filter(|(name, count)| !self.stopped(name, *count, now)).map(|(name, _)| name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Heard;
    use std::time::{Duration, Instant};

    #[test]
    fn a_process_is_live_while_its_count_moves_whatever_its_clock_says() {
        let silent = Duration::from_secs(3);
        let mut heard = Heard::new(silent);
        let t0 = Instant::now();
        let rows = |a: i64, b: i64| vec![("a".to_string(), a), ("b".to_string(), b)];
        // first seen: live (a process that just started has not had time to beat)
        assert_eq!(heard.live(&rows(7, 3), t0), ["a", "b"]);
        // a's count moves, b's stands still: after the bound only a is live
        assert_eq!(heard.live(&rows(8, 3), t0 + silent / 2), ["a", "b"]);
        assert_eq!(heard.live(&rows(10, 3), t0 + silent + Duration::from_millis(1)), ["a"]);
        // b beats again: live again at once
        assert_eq!(heard.live(&rows(11, 4), t0 + silent * 2), ["a", "b"]);
        // a row that is gone is forgotten, and seen afresh if it comes back
        assert_eq!(heard.live(&[("b".to_string(), 4)], t0 + silent * 3), Vec::<String>::new());
        assert_eq!(heard.live(&rows(11, 4), t0 + silent * 3), ["a"]);
    }

    #[test]
    fn one_process_watched_alone_stops_after_the_bound() {
        let mut heard = Heard::new(Duration::from_secs(6));
        let t0 = Instant::now();
        assert!(!heard.stopped("api-1", 0, t0), "a process never seen is given the bound");
        assert!(!heard.stopped("api-1", 0, t0 + Duration::from_secs(5)));
        assert!(heard.stopped("api-1", 0, t0 + Duration::from_secs(6)));
        assert!(!heard.stopped("api-1", 1, t0 + Duration::from_secs(7)), "a count that moves is live");
    }
}
