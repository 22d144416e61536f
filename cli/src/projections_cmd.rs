//! `clouddeck projections status`: how far the read models are behind the log, when they
//! last moved, and (in the distributed mode) which instances are live and which one reads.

use clouddeck_eventlog::kafka::{MEMBER_SILENT_MS, Topics, members_prefix};
use clouddeck_eventlog::{EventStore, now_ms};
use clouddeck_projections::{Projection, ReadModels};
use sqlx::AnyPool;

/// A projection is reported stalled when it is behind the log and has not moved for this
/// long (ms).
const STALLED_AFTER_MS: i64 = 10_000;

/// How long a gone member stays listed (ms).
const GONE_LISTED_MS: i64 = 600_000;

/// The report, as lines of text. Errors: the event store or the read models cannot be read.
pub async fn status(store: &dyn EventStore, read_db: &AnyPool, topics: Option<&Topics>) -> anyhow::Result<String> {
    let head = store.head().await?;
    let now = now_ms();
    let mut out = String::new();
    let (position, moved) =
        clouddeck_projections::runner::progress(read_db, ReadModels.name()).await?.unwrap_or((0, 0));
    let lag = head - position;
    let since = if moved > 0 { format!("{:.1} s ago", (now - moved) as f64 / 1000.0) } else { "never".into() };
    let state = match lag {
        0 => "caught up",
        _ if moved > 0 && now - moved > STALLED_AFTER_MS => "STALLED",
        _ => "catching up",
    };
    out.push_str(&format!("read models: {state}: position {position} of {head} (lag {lag}), last moved {since}\n"));
    if let Some(topics) = topics {
        for consumer in ["read-models", "analytics"] {
            let group = topics.group(consumer);
            let prefix = members_prefix(&group);
            // (by the time on each row: this one-off look cannot watch counts move as the
            // members themselves do, so a member on a skewed clock may be listed wrongly here)
            let name = |row: &(String, i64)| row.0.strip_prefix(&prefix).unwrap_or(&row.0).to_string();
            let mut live: Vec<String> =
                store.recent_checkpoints(&prefix, now - MEMBER_SILENT_MS).await?.iter().map(name).collect();
            live.sort();
            let gone: Vec<String> = store
                .recent_checkpoints(&prefix, now - GONE_LISTED_MS)
                .await?
                .iter()
                .map(name)
                .filter(|m| !live.contains(m))
                .collect();
            let members = match live.split_first() {
                Some((active, [])) => format!("{active} reads"),
                Some((active, standby)) => format!("{active} reads, {} standing by", standby.join(", ")),
                None => "no live instance".into(),
            };
            let gone =
                if gone.is_empty() { String::new() } else { format!("; gone in the last 10 min: {}", gone.join(", ")) };
            out.push_str(&format!("kafka group {group}: {members}{gone}\n"));
        }
    }
    Ok(out)
}
