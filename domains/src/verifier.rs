//! The verifier: follows the log for custom domains waiting for proof, checks each one's TXT
//! record when it is added, when its owner asks (`domain.verification_requested`) and on the
//! schedule of `schedule.rs`, and records each outcome as a command (so the aggregate decides:
//! a found record verifies and claims the name; a missing one after 7 days fails).
//!
//! A deleted project's domains are removed (by CloudDeck, as a command), so their names are
//! free again and nothing keeps checking or renewing them.
//!
//! The domains are kept in memory from the whole log (read from its start at each start, and
//! acted on once read up to where the log was then): small, and right after a restart. Two verifiers checking one domain do no
//! harm: the aggregate ignores a check of a domain already verified.

use crate::dns::DnsChecker;
use crate::schedule::next_check;
use async_trait::async_trait;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::domain::{DomainCommand, challenge_record};
use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower, RecordedEvent, decoded, now_ms};
use clouddeck_events::{Actor, Event, Provenance};
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::{info, warn};

/// Checks made at once.
const CONCURRENT_CHECKS: usize = 16;
/// The shortest time between two checks of one domain, however often its owner asks.
const MIN_INTERVAL_MS: i64 = 2_000;

/// Events the verifier reads; the rest are skipped without decoding.
const DOMAIN_EVENTS: &[&str] = &[
    "domain.added",
    "domain.verification_requested",
    "domain.verified",
    "domain.verification_failed",
    "domain.removed",
    "project.deleted",
];

#[derive(Debug, Clone)]
struct Known {
    hostname: String,
    token: String,
    project_id: String,
    /// Unix ms.
    added_ms: i64,
    /// Verified: no more checks; kept so a deletion of its project finds it.
    verified: bool,
    /// Gave up once: stays FAILED unless a check finds the record.
    failed: bool,
    /// When to check next (unix ms); none: not pending, or being checked.
    due_ms: Option<i64>,
    /// When it was last checked (unix ms).
    checked_ms: i64,
    /// The log position of the last verification request seen.
    requested_position: i64,
}

impl Known {
    /// Checks it at `due_ms`, or sooner if a request already asked for that.
    fn schedule(&mut self, due_ms: i64) {
        if !self.verified && !self.failed {
            self.due_ms = Some(self.due_ms.map_or(due_ms, |asked| asked.min(due_ms)));
        }
    }
}

/// What the verifier knows, under one lock.
#[derive(Debug, Default)]
struct State {
    /// Every domain not removed, by id.
    domains: HashMap<String, Known>,
    /// Domains of deleted projects, to remove (so their names are free again).
    orphans: HashSet<String>,
}

pub struct Verifier {
    handler: CommandHandler,
    checker: DnsChecker,
    state: Mutex<State>,
    wake: Notify,
}

impl Verifier {
    pub fn new(handler: CommandHandler, checker: DnsChecker) -> Arc<Self> {
        Arc::new(Verifier { handler, checker, state: Mutex::default(), wake: Notify::new() })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows `feed` (the whole log, from its start) and checks what is due, until `stop`.
    /// Nothing is checked or removed before the log has been read up to `head` (its position
    /// when the server started): a restart acts on what is still pending, not on history.
    ///
    /// Errors: the feed's, while catching up; later failures are logged and retried.
    pub async fn run(
        self: Arc<Self>,
        mut feed: Box<dyn EventFeed>,
        head: i64,
        stop: watch::Receiver<bool>,
    ) -> Result<(), FeedError> {
        let follower = Follower::new(1_000);
        follower.catch_up(&mut &*self, &mut *feed, head).await?;
        let checking = tokio::spawn(self.clone().check_due(stop.clone()));
        let result = follower.run(&mut &*self, &mut *feed, stop).await;
        checking.abort();
        result
    }

    async fn check_due(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let now = now_ms();
            // Taken off the schedule while checked: a request meanwhile schedules another.
            let (due, orphans) = {
                let mut state = self.state();
                let due: Vec<(String, Known)> = state
                    .domains
                    .iter_mut()
                    .filter(|(_, k)| k.due_ms.is_some_and(|due| due <= now))
                    .map(|(id, k)| {
                        k.due_ms = None;
                        k.checked_ms = now;
                        (id.clone(), k.clone())
                    })
                    .collect();
                (due, state.orphans.drain().collect::<Vec<_>>())
            };
            for id in orphans {
                self.remove_orphan(&id).await;
            }
            // Several at once, so a name whose DNS never answers holds up no other.
            let verifier = &self;
            futures::stream::iter(due)
                .for_each_concurrent(
                    CONCURRENT_CHECKS,
                    |(id, domain)| async move { verifier.check(&id, &domain).await },
                )
                .await;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Checks `domain` (as it was when taken off the schedule: its `requested_position` is
    /// the last request this check started after).
    async fn check(&self, id: &str, domain: &Known) {
        let now = now_ms();
        let answers_request = domain.requested_position;
        let outcome = self.checker.check(&challenge_record(&domain.hostname), &domain.token).await;
        let next = next_check(domain.added_ms, now);
        let command = match &outcome {
            Ok(()) => {
                DomainCommand::RecordCheck { found: true, reason: String::new(), give_up: false, answers_request }
            }
            Err(e) => DomainCommand::RecordCheck {
                found: false,
                reason: e.to_string(),
                give_up: domain.failed || next.is_none(),
                answers_request,
            },
        };
        info!(domain = %domain.hostname, found = outcome.is_ok(), "domain ownership checked");
        let provenance = Provenance::new(Actor::System("domains".into()));
        // The next check is scheduled by the outcome's event, as it is after a restart.
        if let Err(e) = self.handler.domain(id, command, &provenance, now).await {
            warn!(domain = %domain.hostname, error = %e, "a domain check could not be recorded; it is tried again");
            self.schedule(id, now + 5_000);
        }
    }

    /// Removes a domain whose project was deleted (CloudDeck's own command, in the domain's
    /// organization), which gives its name back.
    async fn remove_orphan(&self, id: &str) {
        let provenance = Provenance::new(Actor::System("domains".into()));
        match self.handler.domain(id, DomainCommand::Remove, &provenance, now_ms()).await {
            Ok(_) => info!(domain = id, "a deleted project's domain was removed"),
            Err(clouddeck_command_handlers::DomainError::NotFound { .. }) => {}
            Err(e) => {
                warn!(domain = id, error = %e, "a deleted project's domain could not be removed; it is tried again");
                self.state().orphans.insert(id.to_string());
            }
        }
    }

    /// Puts `id` back on the schedule at `due_ms`, unless a request meanwhile asked sooner.
    fn schedule(&self, id: &str, due_ms: i64) {
        if let Some(known) = self.state().domains.get_mut(id) {
            known.schedule(due_ms);
        }
    }

    /// Folds `event`, recorded at log position `position` and at `recorded_ms` (unix ms).
    fn apply_event(&self, event: &Event, position: i64, recorded_ms: i64) {
        let mut state = self.state();
        match event {
            Event::DomainAdded(e) => {
                let known = Known {
                    hostname: e.hostname.clone(),
                    token: e.verification_token.clone(),
                    project_id: e.project_id.clone(),
                    // A domain's age counts from its event, not from when this process read it.
                    added_ms: recorded_ms,
                    verified: false,
                    failed: false,
                    due_ms: Some(recorded_ms),
                    checked_ms: 0,
                    requested_position: 0,
                };
                state.domains.insert(e.domain_id.clone(), known);
                self.wake.notify_one();
            }
            Event::DomainVerificationRequested(e) => {
                if let Some(domain) = state.domains.get_mut(&e.domain_id).filter(|k| !k.verified) {
                    // At once, unless it was checked a moment ago: then as soon as allowed.
                    domain.due_ms = Some(domain.checked_ms + MIN_INTERVAL_MS);
                    domain.requested_position = position;
                    self.wake.notify_one();
                }
            }
            Event::DomainVerificationFailed(e) => {
                if let Some(domain) = state.domains.get_mut(&e.domain_id) {
                    domain.checked_ms = recorded_ms;
                    match next_check(domain.added_ms, recorded_ms).filter(|_| !e.gave_up) {
                        Some(next) => domain.schedule(next),
                        None => {
                            domain.failed = true;
                            domain.due_ms = None;
                        }
                    }
                }
            }
            Event::DomainVerified(e) => {
                if let Some(domain) = state.domains.get_mut(&e.domain_id) {
                    domain.verified = true;
                    domain.due_ms = None;
                }
            }
            Event::DomainRemoved(e) => {
                state.domains.remove(&e.domain_id);
                state.orphans.remove(&e.domain_id);
            }
            Event::ProjectDeleted(e) => {
                let State { domains, orphans } = &mut *state;
                domains.retain(|id, domain| {
                    let orphaned = domain.project_id == e.project_id;
                    if orphaned {
                        orphans.insert(id.clone());
                    }
                    !orphaned
                });
                self.wake.notify_one();
            }
            _ => {}
        }
    }
}

#[async_trait]
impl Consumer for &Verifier {
    type Error = FeedError;

    fn name(&self) -> &str {
        "domain-verifier"
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, FeedError> {
        let mut applied = 0;
        for (recorded, event) in decoded(batch, DOMAIN_EVENTS, "domain-verifier") {
            self.apply_event(&event, recorded.meta.position, recorded.meta.recorded_at / 1_000);
            applied += 1;
        }
        Ok(applied)
    }
}
