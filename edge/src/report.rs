//! Turns the meter's counts into usage events, one window per deployment, and records them
//! through the command handler. A window's id (`edge-<node>-<deployment>-<start>`) makes it
//! idempotent: if the store fails after committing, the retry is acknowledged, not counted
//! again. A window that cannot be recorded (the store is down) is kept and retried, so a
//! clean stop loses nothing; a crash loses at most the counts of the open window.

use crate::meter::{Meter, Served, Tally};
use clouddeck_command_handlers::{CommandHandler, DomainError};
use clouddeck_eventlog::now_ms;
use clouddeck_events::{Actor, Event, PathHits, Provenance, RequestsAnalyzed, UsageMetered};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, warn};

/// Windows kept while the store is unreachable; past this the oldest are dropped (logged).
const PENDING_AT_MOST: usize = 100_000;

pub struct Reporter {
    meter: Arc<Meter>,
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

impl Reporter {
    pub fn new(meter: Arc<Meter>, handler: CommandHandler) -> Self {
        let node = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        Reporter { meter, handler, node, opened_at: now_ms(), pending: Vec::new() }
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
