//! The certificate manager: orders a certificate from ACME (RFC 8555, HTTP-01) for every
//! verified domain, and only for those (deny by default: no order for a name that merely
//! arrives in a TLS handshake), renews one when a third of its lifetime is left (the old one
//! serves until the new one is in), and records every step as a command on the domain's
//! stream. Each certificate's private key (ECDSA P-256, made by rcgen) is sealed before it is
//! recorded. Failures are classified (`dns`, `challenge`, `rate_limited`, `ca_error`) and
//! retried with a doubling pause, or when the CA said (Retry-After).
//!
//! The HTTP-01 answer reaches the edge through the log (`domain.certificate_ordered`); the
//! manager asks the edge for it before telling the CA to look, as Caddy checks its own
//! challenges, so the CA never looks too early.

use crate::dns::DnsChecker;
use crate::order::{self, Issued, OrderError};
use async_trait::async_trait;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::domain::DomainCommand;
use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower, RecordedEvent, decoded, now_ms};
use clouddeck_events::{Actor, CertificateIssued, Event, Provenance};
use clouddeck_secrets::Sealer;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::{info, warn};

/// How CloudDeck orders certificates (README: `CLOUDDECK_ACME_*`).
#[derive(Debug, Clone)]
pub struct AcmeSettings {
    /// The CA's directory (RFC 8555 §7.1.1).
    pub directory_url: String,
    /// The account's contact (`mailto:`).
    pub email: String,
    /// A PEM file of a root to trust for the CA's own HTTPS (a test CA's); none: the
    /// system's roots.
    pub ca_certs: Option<PathBuf>,
    /// Renew when this fraction of a certificate's lifetime is left (a third, as Let's
    /// Encrypt advises for 90-day certificates).
    pub renew_when_left: f64,
    /// The pause after a first failure; it doubles up to an hour.
    pub first_retry: Duration,
    /// The edge's plain HTTP address: the challenge answer is checked there before the CA
    /// is told to look.
    pub edge: SocketAddr,
}

/// The longest pause between attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);

/// Events the manager reads; the rest are skipped without decoding.
const EVENTS: &[&str] =
    &["domain.verified", "domain.certificate_issued", "domain.certificate_failed", "domain.removed"];

#[derive(Debug, Clone)]
struct Managed {
    hostname: String,
    project_id: String,
    /// When the serving certificate (if any) becomes due for renewal (unix ms).
    renew_at: Option<i64>,
    /// When to order next (unix ms); none while an order runs or nothing is due.
    due_ms: Option<i64>,
    /// Failed orders since the last issued certificate, as the log records them.
    failures: u32,
}

pub struct CertificateManager {
    handler: CommandHandler,
    /// A name must resolve before the CA is asked to connect to it: a name pointing nowhere
    /// fails here, spending none of the account's orders at the CA.
    dns: DnsChecker,
    sealer: Sealer,
    settings: AcmeSettings,
    managed: Mutex<HashMap<String, Managed>>,
    wake: Notify,
    account: tokio::sync::Mutex<Option<instant_acme::Account>>,
}

impl CertificateManager {
    pub fn new(handler: CommandHandler, dns: DnsChecker, sealer: Sealer, settings: AcmeSettings) -> Arc<Self> {
        Arc::new(CertificateManager {
            handler,
            dns,
            sealer,
            settings,
            managed: Mutex::default(),
            wake: Notify::new(),
            account: tokio::sync::Mutex::new(None),
        })
    }

    /// Follows `feed` (the whole log, from its start) and orders what is due, until `stop`.
    /// Nothing is ordered before the log has been read up to `head` (its position when the
    /// server started): a certificate issued before a restart is not ordered again.
    ///
    /// Errors: the feed's, while catching up; later failures are recorded and retried.
    pub async fn run(
        self: Arc<Self>,
        mut feed: Box<dyn EventFeed>,
        head: i64,
        stop: watch::Receiver<bool>,
    ) -> Result<(), FeedError> {
        let follower = Follower::new(1_000);
        follower.catch_up(&mut &*self, &mut *feed, head).await?;
        let ordering = tokio::spawn(self.clone().order_due(stop.clone()));
        let result = follower.run(&mut &*self, &mut *feed, stop).await;
        ordering.abort();
        result
    }

    async fn order_due(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let now = now_ms();
            let due: Vec<(String, String, bool)> = {
                let mut managed = self.managed.lock().unwrap_or_else(PoisonError::into_inner);
                managed
                    .iter_mut()
                    .filter(|(_, m)| m.due_ms.is_some_and(|due| due <= now))
                    .map(|(id, m)| {
                        m.due_ms = None;
                        (id.clone(), m.hostname.clone(), m.renew_at.is_some())
                    })
                    .collect()
            };
            for (id, hostname, renewal) in due {
                self.order(&id, &hostname, renewal).await;
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn order(&self, id: &str, hostname: &str, renewal: bool) {
        let provenance = Provenance::new(Actor::System("acme".into()));
        if renewal && let Err(e) = self.handler.domain(id, DomainCommand::RenewalDue, &provenance, now_ms()).await {
            warn!(domain = hostname, error = %e, "a renewal could not be recorded");
        }
        info!(domain = hostname, renewal, "ordering a certificate");
        let outcome = self.try_order(id, hostname, &provenance).await;
        let command = match outcome {
            Ok(issued) => {
                info!(domain = hostname, not_after = issued.not_after, "certificate issued");
                match self.sealer.seal(&issued.private_key_pem) {
                    Ok(sealed_private_key) => DomainCommand::IssueCertificate(Box::new(CertificateIssued {
                        domain_id: id.to_string(),
                        hostname: hostname.to_string(),
                        sha256_fingerprint: issued.sha256_fingerprint,
                        issuer: issued.issuer,
                        not_before: issued.not_before,
                        not_after: issued.not_after,
                        certificate_chain_pem: issued.chain_pem,
                        sealed_private_key,
                    })),
                    Err(_) => self.failed(id, OrderError::ca("the new key could not be sealed".into())),
                }
            }
            Err(e) => {
                warn!(domain = hostname, cause = e.cause, error = %e.reason, "certificate order failed");
                self.failed(id, e)
            }
        };
        if let Err(e) = self.handler.domain(id, command, &provenance, now_ms()).await {
            warn!(domain = hostname, error = %e, "a certificate step could not be recorded; it is tried again");
            self.schedule(id, now_ms() + self.settings.first_retry.as_millis() as i64);
        }
    }

    /// The failure as a command, with when to try again: the pause doubles with each failure
    /// the log holds since the last issued certificate.
    fn failed(&self, id: &str, error: OrderError) -> DomainCommand {
        let before = self.managed.lock().unwrap_or_else(PoisonError::into_inner).get(id).map_or(0, |m| m.failures);
        let pause = self.settings.first_retry.saturating_mul(2u32.saturating_pow(before)).min(MAX_RETRY);
        let retry_at = error.retry_at_ms.unwrap_or_else(|| now_ms() + pause.as_millis() as i64);
        DomainCommand::FailCertificate { cause: error.cause.to_string(), reason: error.reason, retry_at }
    }

    async fn try_order(&self, id: &str, hostname: &str, provenance: &Provenance) -> Result<Issued, OrderError> {
        self.dns.resolves(hostname).await.map_err(|e| OrderError {
            cause: "dns",
            reason: e.to_string(),
            retry_at_ms: None,
        })?;
        let mut account = self.account.lock().await;
        if account.is_none() {
            *account = Some(order::account(&self.handler, &self.sealer, &self.settings).await?);
        }
        let account = account.as_ref().expect("set above");
        let publish = |token: String, key_authorization: String| async move {
            let command =
                DomainCommand::OrderCertificate { token: token.clone(), key_authorization: key_authorization.clone() };
            self.handler.domain(id, command, provenance, now_ms()).await.map_err(|e| OrderError::ca(e.to_string()))?;
            order::wait_until_served(self.settings.edge, hostname, &token, &key_authorization).await
        };
        order::order(account, hostname, publish).await
    }

    fn schedule(&self, id: &str, due_ms: i64) {
        if let Some(managed) = self.managed.lock().unwrap_or_else(PoisonError::into_inner).get_mut(id) {
            managed.due_ms = Some(due_ms);
        }
        self.wake.notify_one();
    }

    fn apply_event(&self, event: &Event) {
        let mut managed = self.managed.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::DomainVerified(e) => {
                managed.insert(
                    e.domain_id.clone(),
                    Managed {
                        hostname: e.hostname.clone(),
                        project_id: e.project_id.clone(),
                        renew_at: None,
                        due_ms: Some(0),
                        failures: 0,
                    },
                );
                self.wake.notify_one();
            }
            Event::CertificateIssued(e) => {
                if let Some(m) = managed.get_mut(&e.domain_id) {
                    let lifetime = (e.not_after - e.not_before).max(0) as f64;
                    let renew_at = e.not_after - (lifetime * self.settings.renew_when_left) as i64;
                    m.renew_at = Some(renew_at);
                    m.due_ms = Some(renew_at);
                    m.failures = 0;
                }
            }
            Event::CertificateFailed(e) => {
                if let Some(m) = managed.get_mut(&e.domain_id) {
                    m.due_ms = Some(e.retry_at);
                    m.failures += 1;
                }
            }
            Event::DomainRemoved(e) => {
                managed.remove(&e.domain_id);
            }
            // A deleted project's domains get no more orders or renewals.
            Event::ProjectDeleted(e) => managed.retain(|_, m| m.project_id != e.project_id),
            _ => {}
        }
    }
}

#[async_trait]
impl Consumer for &CertificateManager {
    type Error = FeedError;

    fn name(&self) -> &str {
        "acme"
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, FeedError> {
        let mut applied = 0;
        for (_, event) in decoded(batch, EVENTS, "acme") {
            self.apply_event(&event);
            applied += 1;
        }
        Ok(applied)
    }
}
