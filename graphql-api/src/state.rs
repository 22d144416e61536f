//! What every resolver can reach: the command handler, the read models, the log, the
//! sealer for env var values, and the projection's position for read-your-writes.

use clouddeck_artifacts::ArtifactStore;
use clouddeck_command_handlers::{CommandHandler, Outcome};
use clouddeck_eventlog::EventStore;
use clouddeck_secrets::Sealer;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub struct ApiState {
    pub handler: CommandHandler,
    pub store: Arc<dyn EventStore>,
    pub read_db: AnyPool,
    pub projected: watch::Receiver<i64>,
    pub sealer: Sealer,
    pub artifacts: ArtifactStore,
    /// The largest file a deployment may hold.
    pub max_file_bytes: u64,
    /// ClickHouse, in the distributed mode: usage figures come from there.
    pub analytics: Option<clouddeck_projections::analytics::Analytics>,
    /// Where a tenant may make the server connect (git fetches).
    pub egress: clouddeck_egress::EgressPolicy,
    /// Per client address: webhooks with bad signatures (10 at once, then one a minute).
    pub webhook_refusals: crate::rate_limit::RateLimiter,
    /// Webhooks refused for a bad signature since start.
    pub bad_webhook_signatures: std::sync::atomic::AtomicU64,
    /// Sends verification links and invitations; none: CloudDeck runs open (see mail.rs).
    pub mailer: Option<Arc<crate::mail::Mailer>>,
    /// Where custom domains point, and the base domain none may be under.
    pub domains: crate::domains::DomainTargets,
}

/// How long a mutation waits for the read models to show its write.
const CATCH_UP: Duration = Duration::from_secs(10);

impl ApiState {
    /// Returns once the read models have applied the command's events, so the query that
    /// follows a mutation sees it. Errors: [`crate::error::ACCEPTED`] with the events' last
    /// position when they are not applied within 10 s: the write happened, so it is never
    /// answered as a failure a client would retry.
    pub async fn caught_up(&self, outcome: Outcome) -> async_graphql::Result<()> {
        if outcome.events == 0 {
            return Ok(());
        }
        let mut projected = self.projected.clone();
        let reached = tokio::time::timeout(CATCH_UP, projected.wait_for(|p| *p >= outcome.last_position)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            _ => {
                tracing::warn!(position = outcome.last_position, "the read models did not show a write in time");
                Err(crate::error::accepted(outcome.last_position))
            }
        }
    }
}

impl ApiState {
    /// Returns once every live edge (one that saved its progress in the last 6 s) has applied
    /// `position`, or after 5 s (logged): a promote or rollback then answers when the edges
    /// serve it, also when they run as processes of their own. True when they had; false
    /// after the 5 s or when their progress could not be read.
    pub async fn edges_serve(&self, position: i64) -> bool {
        let deadline = tokio::time::Instant::now() + EDGES_WAIT;
        loop {
            let since = now_ms() - clouddeck_eventlog::EDGE_LIVE_WITHIN_MS;
            match self.store.recent_checkpoints(clouddeck_eventlog::EDGE_CHECKPOINTS, since).await {
                Ok(edges) if edges.iter().all(|(_, applied)| *applied >= position) => return true,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "reading the edges' progress");
                    return false;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(position, "an edge had not applied a production change after 5 s; answering anyway");
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// The longest a promote or rollback waits for the edges.
const EDGES_WAIT: Duration = Duration::from_secs(5);

pub use clouddeck_eventlog::now_ms;

/// A time as RFC 3339 (UTC), from microseconds (`unit_micros`) or milliseconds since the epoch;
/// empty when out of range.
pub fn iso(micros_or_millis: i64, unit_micros: bool) -> String {
    let nanos = i128::from(micros_or_millis) * if unit_micros { 1_000 } else { 1_000_000 };
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The API's state, from a resolver's context.
pub fn state<'a>(ctx: &async_graphql::Context<'a>) -> &'a Arc<ApiState> {
    ctx.data_unchecked::<Arc<ApiState>>()
}
