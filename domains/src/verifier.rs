//! The verifier: follows the log for custom domains waiting for proof, checks each one's TXT
//! record when it is added, when its owner asks (`domain.verification_requested`) and on the
//! schedule of `schedule.rs`, and records each outcome as a command (so the aggregate decides:
//! a found record verifies and claims the name; a missing one after 7 days fails).
//!
//! The set of pending domains is kept in memory from the whole log (read from its start at
//! each start): small, and right after a restart. Two verifiers checking one domain do no
//! harm: the aggregate ignores a check of a domain already verified.

use crate::dns::TxtChecker;
use crate::schedule::next_check;
use async_trait::async_trait;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::domain::{DomainCommand, challenge_record};
use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower, RecordedEvent, now_ms};
use clouddeck_events::{Actor, Event, Provenance};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::{info, warn};

/// Events the verifier reads; the rest are skipped without decoding.
const DOMAIN_EVENTS: &[&str] = &[
    "domain.added",
    "domain.verification_requested",
    "domain.verified",
    "domain.verification_failed",
    "domain.removed",
];

#[derive(Debug, Clone)]
struct Known {
    hostname: String,
    token: String,
    /// Unix ms.
    added_ms: i64,
    /// Gave up once: stays FAILED unless a check finds the record.
    failed: bool,
    /// When to check next (unix ms); none: not pending.
    due_ms: Option<i64>,
}

pub struct Verifier {
    handler: CommandHandler,
    checker: TxtChecker,
    /// Every domain not removed nor verified, by id.
    known: Mutex<HashMap<String, Known>>,
    wake: Notify,
}

impl Verifier {
    pub fn new(handler: CommandHandler, checker: TxtChecker) -> Arc<Self> {
        Arc::new(Verifier { handler, checker, known: Mutex::default(), wake: Notify::new() })
    }

    /// Follows `feed` (the whole log, from its start) and checks what is due, until `stop`.
    ///
    /// Errors: none in practice: failures are logged and retried.
    pub async fn run(
        self: Arc<Self>,
        mut feed: Box<dyn EventFeed>,
        stop: watch::Receiver<bool>,
    ) -> Result<(), FeedError> {
        let checking = tokio::spawn(self.clone().check_due(stop.clone()));
        let result = Follower::new(1_000).run(&mut &*self, &mut *feed, stop).await;
        checking.abort();
        result
    }

    async fn check_due(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let now = now_ms();
            let due: Vec<(String, Known)> = {
                let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
                known
                    .iter()
                    .filter(|(_, k)| k.due_ms.is_some_and(|due| due <= now))
                    .map(|(id, k)| (id.clone(), k.clone()))
                    .collect()
            };
            for (id, domain) in due {
                self.check(&id, &domain).await;
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn check(&self, id: &str, domain: &Known) {
        let now = now_ms();
        let outcome = self.checker.check(&challenge_record(&domain.hostname), &domain.token).await;
        let next = next_check(domain.added_ms, now);
        let command = match &outcome {
            Ok(()) => DomainCommand::RecordCheck { found: true, reason: String::new(), give_up: false },
            Err(e) => DomainCommand::RecordCheck {
                found: false,
                reason: e.to_string(),
                give_up: domain.failed || next.is_none(),
            },
        };
        info!(domain = %domain.hostname, found = outcome.is_ok(), "domain ownership checked");
        let provenance = Provenance::new(Actor::System("domains".into()));
        if let Err(e) = self.handler.domain(id, command, &provenance, now).await {
            warn!(domain = %domain.hostname, error = %e, "a domain check could not be recorded; it is tried again");
            self.schedule(id, Some(now + 5_000));
            return;
        }
        // Until the log says otherwise (verified, failed for good), check again on schedule.
        self.schedule(id, if domain.failed { None } else { next });
    }

    fn schedule(&self, id: &str, due_ms: Option<i64>) {
        if let Some(known) = self.known.lock().unwrap_or_else(PoisonError::into_inner).get_mut(id) {
            known.due_ms = due_ms;
        }
    }

    fn apply_event(&self, event: &Event) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::DomainAdded(e) => {
                let now = now_ms();
                known.insert(
                    e.domain_id.clone(),
                    Known {
                        hostname: e.hostname.clone(),
                        token: e.verification_token.clone(),
                        added_ms: now,
                        failed: false,
                        due_ms: Some(now),
                    },
                );
            }
            Event::DomainVerificationRequested(e) => {
                if let Some(domain) = known.get_mut(&e.domain_id) {
                    domain.due_ms = Some(0);
                    self.wake.notify_one();
                }
            }
            Event::DomainVerificationFailed(e) if e.gave_up => {
                if let Some(domain) = known.get_mut(&e.domain_id) {
                    domain.failed = true;
                    domain.due_ms = None;
                }
            }
            Event::DomainVerified(e) => {
                known.remove(&e.domain_id);
            }
            Event::DomainRemoved(e) => {
                known.remove(&e.domain_id);
            }
            _ => {}
        }
        if matches!(event, Event::DomainAdded(_)) {
            self.wake.notify_one();
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
        for recorded in batch {
            if !DOMAIN_EVENTS.contains(&recorded.meta.event_type.as_str()) {
                continue;
            }
            match recorded.decode() {
                Ok(event) => {
                    // A domain's age counts from its event, not from when this process read it.
                    self.apply_event(&event);
                    if let Event::DomainAdded(e) = &event
                        && let Some(known) =
                            self.known.lock().unwrap_or_else(PoisonError::into_inner).get_mut(&e.domain_id)
                    {
                        known.added_ms = recorded.meta.recorded_at / 1_000;
                    }
                    applied += 1;
                }
                Err(e) => {
                    warn!(position = recorded.meta.position, error = %e, "a domain event cannot be read; skipped")
                }
            }
        }
        Ok(applied)
    }
}
