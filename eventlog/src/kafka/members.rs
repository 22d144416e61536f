//! Which instance of a consumer reads which partitions, decided through the event store
//! instead of the broker's group coordinator.
//!
//! Why: a consumer group relies on the broker to notice a member that died without leaving.
//! Apache Kafka evicts it after `session.timeout.ms` (45 s by default), and its partitions
//! stand still until then; tansu, the broker run here, never evicts it, so its partitions
//! stand still for good while the others' progress looks complete (issue 15). Here each
//! instance counts up a heartbeat row (`kafka-member/<group>/<instance>` in
//! `log_checkpoints`) every second, from a task of its own, as Kafka's clients beat from a
//! thread of their own (KIP-62): a long batch or a paused read loop does not make it look
//! dead. As there, a member whose read loop has not asked for a batch within
//! [`MAX_POLL_INTERVAL`] stops beating and so gives its share up. A member is live while
//! its count moves: each instance notes when it last saw each count change, on its own
//! monotonic clock, and a count that stood still for [`MEMBER_SILENT_MS`] is a dead member.
//! No two hosts' clocks are compared, so a clock that is off cannot make a live member look
//! dead or a dead one live. The oldest live member reads every partition and the others stand
//! by: CloudDeck's consumers apply the log in position order (see the projection runner for
//! why), so splitting partitions would only make instances wait for each other. Each member
//! decides who is active from the same rows, without talking to the others; when the active
//! one dies, the next takes over within that bound plus one heartbeat. The next offset of
//! each partition is stored there too (`kafka-offset/<group>/<topic>/<partition>`), so
//! whoever takes a partition over starts where its last reader acknowledged. `/` cannot
//! occur in a topic or group name (Kafka's alphabet is letters, digits, `.`, `_`, `-`), so
//! the names never clash. Rows of members gone for [`FORGET_AFTER_MS`] are deleted.
//!
//! While the active member changes, two may read the same partitions for up to a heartbeat:
//! consumers drop what they already applied (by position), so that costs time only.

use crate::heartbeat::Heard;
use crate::store::{EventStore, StoreError, now_ms};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// How long a member's heartbeat count may stand still, as another member sees it, before
/// that member counts as dead: three beats.
pub const MEMBER_SILENT_MS: i64 = 3_000;
/// How often a member counts its heartbeat up.
const BEAT: Duration = Duration::from_secs(1);
/// The longest a member's read loop may go without asking for a batch and still beat (Kafka's
/// `max.poll.interval.ms`, shorter: CloudDeck's batches take milliseconds).
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// How long after its last beat a member's row is deleted (by the time on its row, kept
/// long so that a skewed clock cannot delete a live member's row; one would be written again
/// a second later anyway).
pub const FORGET_AFTER_MS: i64 = 10 * 60 * 1000;

/// The partitions of `partitions` that `me` reads when `members` are live: all of them when
/// `me` is the oldest live member (names are UUIDv7s, which sort by creation time), none
/// otherwise. `me` counts as live whether or not it is listed.
pub fn share_of(members: &[String], me: &str, partitions: &[(String, i32)]) -> Vec<(String, i32)> {
    let oldest = members.iter().map(String::as_str).chain([me]).min().unwrap_or(me);
    if oldest != me {
        return Vec::new();
    }
    let mut sorted = partitions.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
}

/// The start of the heartbeat rows' names of `group`'s members (`log_checkpoints`); the
/// rest of each is the member's name.
pub fn members_prefix(group: &str) -> String {
    format!("kafka-member/{group}/")
}

/// One instance's membership of a group, kept in the event store. Its heartbeat task ends
/// when the membership is dropped.
pub(crate) struct Membership {
    store: Arc<dyn EventStore>,
    pub(crate) group: String,
    pub(crate) instance: String,
    heard: Heard,
    /// When the read loop last asked for a batch (ms on `started`'s clock).
    polled: Arc<AtomicI64>,
    started: Instant,
    beating: tokio::task::JoinHandle<()>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.beating.abort();
    }
}

impl Membership {
    /// Joins `group` and starts beating (needs a Tokio runtime).
    pub(crate) fn new(store: Arc<dyn EventStore>, group: &str) -> Self {
        let instance = uuid::Uuid::now_v7().simple().to_string();
        let started = Instant::now();
        let polled = Arc::new(AtomicI64::new(0));
        let row = format!("{}{instance}", members_prefix(group));
        let beating = tokio::spawn(beat(store.clone(), members_prefix(group), row, polled.clone(), started));
        let heard = Heard::new(Duration::from_millis(MEMBER_SILENT_MS as u64));
        Membership { store, group: group.to_string(), instance, heard, polled, started, beating }
    }

    fn members_prefix(&self) -> String {
        members_prefix(&self.group)
    }

    fn offset_name(&self, topic: &str, partition: i32) -> String {
        format!("kafka-offset/{}/{topic}/{partition}", self.group)
    }

    /// Notes that the read loop asked for a batch (it keeps the heartbeat going).
    pub(crate) fn polled(&self) {
        self.polled.store(self.started.elapsed().as_millis() as i64, Ordering::Relaxed);
    }

    /// The live members' names (this one among them, whatever its row says).
    pub(crate) async fn live(&mut self) -> Result<Vec<String>, StoreError> {
        let prefix = self.members_prefix();
        let rows = self.store.recent_checkpoints(&prefix, i64::MIN).await?;
        let read: Vec<(String, i64)> = rows
            .into_iter()
            .filter_map(|(name, count)| name.strip_prefix(&prefix).map(|member| (member.to_string(), count)))
            .collect();
        let mut live = self.heard.live(&read, Instant::now());
        if !live.contains(&self.instance) {
            live.push(self.instance.clone());
        }
        Ok(live)
    }

    /// The next offset to read of a partition, as last acknowledged by any member (0: none).
    pub(crate) async fn offset(&self, topic: &str, partition: i32) -> Result<i64, StoreError> {
        self.store.load_checkpoint(&self.offset_name(topic, partition)).await
    }

    pub(crate) async fn save_offset(&self, topic: &str, partition: i32, next: i64) -> Result<(), StoreError> {
        self.store.save_checkpoint(&self.offset_name(topic, partition), next).await
    }
}

/// Counts the heartbeat in `row` up every [`BEAT`] while the read loop has polled within
/// [`MAX_POLL_INTERVAL`]; about once a minute deletes rows of members gone long ago.
async fn beat(store: Arc<dyn EventStore>, prefix: String, row: String, polled: Arc<AtomicI64>, started: Instant) {
    let mut count = 0;
    for tick in 0u64.. {
        let since_poll = started.elapsed().as_millis() as i64 - polled.load(Ordering::Relaxed);
        if since_poll <= MAX_POLL_INTERVAL.as_millis() as i64 {
            count += 1;
            if let Err(e) = store.save_checkpoint(&row, count).await {
                tracing::warn!(error = %e, row, "kafka: writing this member's heartbeat");
            }
        } else if tick % 30 == 0 {
            tracing::warn!(row, "kafka: the read loop has not polled for 30 s; this member stops beating");
        }
        if tick % 60 == 0 {
            match store.forget_checkpoints(&prefix, now_ms() - FORGET_AFTER_MS).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(forgotten = n, prefix, "kafka: deleted the rows of members long gone"),
                Err(e) => tracing::warn!(error = %e, "kafka: deleting members long gone"),
            }
        }
        tokio::time::sleep(BEAT).await;
    }
}

#[cfg(test)]
mod tests {
    use super::share_of;

    fn partitions() -> Vec<(String, i32)> {
        ["a", "b", "c"].iter().flat_map(|t| (0..3).map(move |p| (t.to_string(), p))).collect()
    }

    #[test]
    fn the_oldest_live_member_reads_everything_and_the_others_stand_by() {
        let members: Vec<String> = ["m2", "m1", "m3"].iter().map(|m| m.to_string()).collect();
        assert_eq!(share_of(&members, "m1", &partitions()), partitions());
        assert!(share_of(&members, "m2", &partitions()).is_empty());
        assert!(share_of(&members, "m3", &partitions()).is_empty());
    }

    #[test]
    fn when_the_active_member_is_gone_the_next_takes_over_and_a_lone_member_reads_all() {
        let live: Vec<String> = vec!["m2".into(), "m3".into()];
        assert_eq!(share_of(&live, "m2", &partitions()), partitions());
        assert!(share_of(&live, "m3", &partitions()).is_empty());
        // an instance whose own heartbeat is not listed yet still counts itself
        assert_eq!(share_of(&[], "m9", &partitions()), partitions());
        // a newer instance never takes over from a live older one
        assert!(share_of(&live, "m4", &partitions()).is_empty());
    }
}
