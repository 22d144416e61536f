//! Which instance of a consumer reads which partitions, decided through the event store
//! instead of the broker's group coordinator.
//!
//! Why: a consumer group relies on the broker to notice a member that died without leaving.
//! Apache Kafka evicts it after `session.timeout.ms` (45 s by default), and its partitions
//! stand still until then; tansu, the broker run here, never evicts it, so its partitions
//! stand still for good while the others' progress looks complete (issue 15). Here each
//! instance writes a heartbeat row (`kafka-member/<group>/<instance>` in `log_checkpoints`)
//! every second; the live members are those whose row is younger than
//! [`MEMBER_LIVE_WITHIN_MS`]. The oldest live member reads every partition and the others
//! stand by: CloudDeck's consumers apply the log in position order (see the projection
//! runner for why), so splitting partitions would only make instances wait for each other.
//! Each member computes who is active from the same rows, without talking to the others;
//! when the active one dies, the next takes over within that bound plus one heartbeat. The next offset of each partition is
//! stored there too (`kafka-offset/<group>/<topic>/<partition>`), so whoever takes a
//! partition over starts where its last reader acknowledged. `/` cannot occur in a topic or
//! group name (Kafka's alphabet is letters, digits, `.`, `_`, `-`), so the names never clash.
//!
//! While the active member changes, two may read the same partitions for up to a heartbeat:
//! consumers drop what they already applied (by position), so that costs time only.

use crate::store::{EventStore, StoreError, now_ms};
use std::sync::Arc;

/// How recently a member must have written its heartbeat to count as live: three beats.
pub const MEMBER_LIVE_WITHIN_MS: i64 = 3_000;

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

/// One instance's membership of a group, kept in the event store.
pub(crate) struct Membership {
    store: Arc<dyn EventStore>,
    pub(crate) group: String,
    pub(crate) instance: String,
}

impl Membership {
    pub(crate) fn new(store: Arc<dyn EventStore>, group: &str) -> Self {
        let instance = uuid::Uuid::now_v7().simple().to_string();
        Membership { store, group: group.to_string(), instance }
    }

    fn members_prefix(&self) -> String {
        members_prefix(&self.group)
    }

    fn offset_name(&self, topic: &str, partition: i32) -> String {
        format!("kafka-offset/{}/{topic}/{partition}", self.group)
    }

    /// Writes this instance's heartbeat and returns the live members' names (this one among
    /// them).
    pub(crate) async fn beat(&self) -> Result<Vec<String>, StoreError> {
        let prefix = self.members_prefix();
        self.store.save_checkpoint(&format!("{prefix}{}", self.instance), 0).await?;
        let live = self.store.recent_checkpoints(&prefix, now_ms() - MEMBER_LIVE_WITHIN_MS).await?;
        Ok(live.into_iter().filter_map(|(name, _)| name.strip_prefix(&prefix).map(str::to_string)).collect())
    }

    /// The next offset to read of a partition, as last acknowledged by any member (0: none).
    pub(crate) async fn offset(&self, topic: &str, partition: i32) -> Result<i64, StoreError> {
        self.store.load_checkpoint(&self.offset_name(topic, partition)).await
    }

    pub(crate) async fn save_offset(&self, topic: &str, partition: i32, next: i64) -> Result<(), StoreError> {
        self.store.save_checkpoint(&self.offset_name(topic, partition), next).await
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
