//! Turns the meter's counts into usage events, one window per deployment, and records them
//! through the command handler. A window's id (`edge-<node>-<deployment>-<start>`) makes it
//! idempotent: if the store fails after committing, the retry is acknowledged, not counted
//! again. A window that cannot be recorded (the store is down) is kept and retried, so a
//! clean stop loses nothing; a crash loses at most the counts of the open window. What the
//! shield turned away goes the same way, as one `usage.traffic_blocked` per window and edge.

use crate::meter::{Meter, Served, Tally};
use crate::shield::{BlockedTally, Shield};
use clouddeck_command_handlers::{CommandHandler, DomainError};
use clouddeck_eventlog::now_ms;
use clouddeck_events::{
    Actor, BlockedCount, Event, PathHits, Provenance, RequestsAnalyzed, TrafficBlocked, UsageMetered,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, warn};

/// Windows kept while the store is unreachable; past this the oldest are dropped (logged).
const PENDING_AT_MOST: usize = 100_000;

pub struct Reporter {
    meter: Arc<Meter>,
    /// Its turned-away counts are reported too.
    shield: Option<Arc<Shield>>,
    handler: CommandHandler,
    /// Distinguishes this process's windows from every other edge's.
    node: String,
    opened_at: i64,
    pending: Vec<(String, Vec<Event>)>,
}

/// One deployment's window as events.
pub fn window_events(window_id: &str, served: &Served, tally: &Tally, start: i64, end: i64) -> Vec<Event> {
    let metered = |metric: &str, quantity: i64| -> Event {
        UsageMetered {
            window_id: window_id.into(),
            organization_id: served.organization_id.clone(),
            project_id: Some(served.project_id.clone()),
            deployment_id: Some(served.deployment_id.clone()),
            metric: metric.into(),
            quantity,
            window_start: start,
            window_end: end,
        }
        .into()
    };
    let [status_2xx, status_3xx, status_4xx, status_5xx] = tally.statuses;
    let analyzed = RequestsAnalyzed {
        window_id: window_id.into(),
        organization_id: served.organization_id.clone(),
        project_id: served.project_id.clone(),
        deployment_id: served.deployment_id.clone(),
        status_2xx,
        status_3xx,
        status_4xx,
        status_5xx,
        top_paths: tally
            .top_paths()
            .into_iter()
            .map(|(path, requests, bytes)| PathHits { path, requests, bytes })
            .collect(),
        window_start: start,
        window_end: end,
    };
    vec![metered("requests", tally.requests), metered("bandwidth_bytes", tally.bytes), analyzed.into()]
}

/// The shield's window as an event (none when nothing was turned away).
pub fn blocked_event(window_id: &str, tally: &BlockedTally, start: i64, end: i64) -> Option<Event> {
    if tally.counts.is_empty() {
        return None;
    }
    let counts = tally
        .counts
        .iter()
        .map(|(reason, count)| BlockedCount {
            reason: (*reason).into(),
            count: i64::try_from(*count).unwrap_or(i64::MAX),
        })
        .collect();
    let distinct_clients = i64::try_from(tally.clients).unwrap_or(i64::MAX);
    Some(
        TrafficBlocked { window_id: window_id.into(), counts, distinct_clients, window_start: start, window_end: end }
            .into(),
    )
}

impl Reporter {
    pub fn new(meter: Arc<Meter>, handler: CommandHandler) -> Self {
        let node = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        Reporter { meter, shield: None, handler, node, opened_at: now_ms(), pending: Vec::new() }
    }

    /// Reports what `shield` turned away, per window.
    pub fn with_shield(mut self, shield: Arc<Shield>) -> Self {
        self.shield = Some(shield);
        self
    }

    /// Closes the open window and records it with any earlier ones still pending; returns
    /// how many windows are still pending.
    pub async fn flush(&mut self) -> usize {
        let closed_at = now_ms().max(self.opened_at);
        for (served, tally) in self.meter.take() {
            let id = format!("edge-{}-{}-{}", self.node, served.deployment_id, self.opened_at);
            let events = window_events(&id, &served, &tally, self.opened_at, closed_at);
            self.pending.push((id, events));
        }
        if let Some(shield) = &self.shield {
            let id = format!("edge-{}-blocked-{}", self.node, self.opened_at);
            if let Some(event) = blocked_event(&id, &shield.blocked.take(), self.opened_at, closed_at) {
                self.pending.push((id, vec![event]));
            }
        }
        self.opened_at = closed_at;
        let provenance = Provenance::new(Actor::System("edge".into()));
        let mut still = Vec::new();
        for (id, events) in std::mem::take(&mut self.pending) {
            match self.handler.record_usage(&id, events.clone(), &provenance, now_ms()).await {
                Ok(_) => {}
                Err(DomainError::Storage | DomainError::Contention(_)) => still.push((id, events)),
                Err(e) => error!(window = %id, error = %e, "a usage window was refused; dropped"),
            }
        }
        if still.len() > PENDING_AT_MOST {
            let dropped = still.len() - PENDING_AT_MOST;
            error!(dropped, "usage windows dropped: the event store has been unreachable too long");
            still.drain(..dropped);
        }
        if !still.is_empty() {
            warn!(pending = still.len(), "usage windows not recorded yet; retrying next window");
        }
        self.pending = still;
        self.pending.len()
    }

    /// Flushes every `window`, and once more on stop.
    pub async fn run(mut self, window: Duration, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + window, window);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !*stop.borrow() {
            tokio::select! {
                _ = ticks.tick() => { self.flush().await; }
                _ = stop.changed() => {}
            }
        }
        // Stopping cleanly: the open window, and a few tries for what is pending.
        for _ in 0..3 {
            if self.flush().await == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        error!(pending = self.pending.len(), "usage windows lost at shutdown: the event store is unreachable");
    }
}
