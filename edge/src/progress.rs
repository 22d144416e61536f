//! The edge's progress, saved among the log's checkpoints as `edge-<id>` whenever its route
//! table moves (at most every 20 ms) and at least every 2 s while idle. The API reads it after
//! a promote or a rollback and answers once every live edge has applied the change, so the
//! README's promise (the next request sees the new production deployment) holds when edges
//! run as processes of their own, which learn of appends by polling the log.

use clouddeck_eventlog::{EDGE_CHECKPOINTS, EventStore};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often an idle edge confirms it is live.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// The shortest time between two saves (a busy log moves the table many times a second).
const MIN_GAP: Duration = Duration::from_millis(20);

/// Saves `applied` as this edge's checkpoint (`edge-<id>`) until `stopped`; a failed save is
/// logged and tried again at the next change or heartbeat. First deletes the rows of edges
/// that have not saved for a day.
pub async fn report(
    store: Arc<dyn EventStore>,
    id: String,
    mut applied: watch::Receiver<i64>,
    mut stopped: watch::Receiver<bool>,
) {
    let name = format!("{EDGE_CHECKPOINTS}{id}");
    // Edges that stopped a day ago are gone: their rows would only grow the table.
    let day_ago = clouddeck_eventlog::now_ms() - 24 * 3600 * 1000;
    if let Err(e) = store.forget_checkpoints(EDGE_CHECKPOINTS, day_ago).await {
        tracing::warn!(error = %e, "the edge could not delete the progress of edges long gone");
    }
    loop {
        let position = *applied.borrow_and_update();
        if let Err(e) = store.save_checkpoint(&name, position).await {
            tracing::warn!(error = %e, "the edge could not save its progress");
        }
        tokio::time::sleep(MIN_GAP).await;
        tokio::select! {
            _ = applied.changed() => {}
            _ = tokio::time::sleep(HEARTBEAT) => {}
            _ = stopped.changed() => return,
        }
        if *stopped.borrow() {
            return;
        }
    }
}
