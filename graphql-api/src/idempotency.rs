//! `Idempotency-Key` (as Stripe's API and the IETF draft `draft-ietf-httpapi-idempotency-key-header`
//! use it): the first request with a key from a caller runs; a later one with the same key gets
//! the very same answer, from any API process, across restarts, for a day. The claim and the
//! answer live in the read-model database (`api_idempotency`), the answer sealed, since it
//! may hold a one-time secret (a new token). A key reused for a different request body is
//! refused (422); a retry while the first is still running waits for its answer.
//!
//! The first request runs in a task of its own, so it finishes and stores its answer even when
//! its client goes away: a claim held by a live process is always answered. A claim whose
//! process died is taken over. Each API process counts up its heartbeat (the checkpoint
//! `api-<holder>`, every 2 s); a retry that sees the holder's count stand still for 6 s, by
//! its own monotonic clock, knows the holder is gone. No two hosts' clocks are compared, so a
//! skewed clock cannot make a live holder look dead. The request's events carry the claim's
//! correlation id ([`RequestCorrelation`]), so the process that takes over first looks in the
//! log: if the first request wrote anything, the answer says it took effect (`ACCEPTED`, with
//! its position) and nothing runs again; if not, the request runs. A retry therefore never
//! has a second effect. A retry that finds the first still running after [`WAIT`] is answered
//! 409, as the IETF draft (§2.7) says for a request still being processed.

use clouddeck_eventlog::{EventStore, Heard};
use clouddeck_secrets::{Sealer, sha256_hex};
use sqlx::AnyPool;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The correlation id the events of a keyed request carry (request data for the schema), and
/// its process's fence.
#[derive(Debug, Clone)]
pub struct RequestCorrelation(pub Uuid, pub Arc<Fence>);

/// Whether this API process may still write for the claims it holds: not once its own
/// heartbeat has failed to be written for half the time after which others take its claims
/// over ([`SILENT_FOR`]). Checked before each command a keyed request runs, so a process cut
/// off from its database stops before another takes its claims (self-fencing).
#[derive(Debug)]
pub struct Fence {
    started: Instant,
    /// When the heartbeat was last written, in ms on `started`'s clock.
    beaten: AtomicI64,
}

impl Fence {
    /// True when this process must not start another write for a keyed request.
    pub fn fenced(&self) -> bool {
        let since = self.started.elapsed().as_millis() as i64 - self.beaten.load(Ordering::Relaxed);
        since > (SILENT_FOR / 2).as_millis() as i64
    }
}

/// The holder a claim is given when its request failed in its process (a panic, its answer not
/// stored): a retry takes it over at once, after looking in the log.
const ABANDONED: &str = "!abandoned";

/// The heartbeat checkpoints of API processes: `api-<instance>`.
const HEARTBEATS: &str = "api-";
/// How often an API process counts up its heartbeat, and how long a count may stand still
/// (as a retry sees it) for its process to be live.
const HEARTBEAT: Duration = Duration::from_secs(2);
const SILENT_FOR: Duration = Duration::from_secs(6);
/// How long a retry waits for the first request's answer before answering 409 (a mutation
/// waits at most 10 s for the read models).
pub const WAIT: Duration = Duration::from_secs(12);

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, String);

/// How long answers are kept, in ms.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// How long a claim without an answer is honoured when its holder's liveness is unknown (a
/// claim from before holders counted their heartbeats), after which it is taken over as from a
/// dead holder, the log looked in first. A live holder's claim is never taken over.
pub const LEASE: Duration = Duration::from_secs(600);
/// How often a retry looks for the first request's answer.
const POLL: Duration = Duration::from_millis(100);
/// How often old answers are deleted (per process), in ms.
const PURGE_EVERY_MS: i64 = 60_000;

/// What a retry knows of the process holding a claim.
enum Holder {
    Live,
    Gone,
    Unknown,
}

/// What the store says about a key.
enum Found {
    /// This request holds the claim: run it, its events carrying the correlation id.
    Ours(Uuid),
    Answered(Answer),
    /// Claimed by a request still running (or by one that died: `claimed_at` says when,
    /// `holder` which process).
    Running {
        claimed_at: i64,
        holder: String,
        correlation: String,
    },
    /// The key was first used for another body.
    OtherRequest,
}

pub struct Idempotency {
    db: AnyPool,
    sealer: Sealer,
    store: Arc<dyn EventStore>,
    /// This process's name among the holders (a UUIDv7).
    instance: String,
    fence: Arc<Fence>,
    purged_at: AtomicI64,
}

impl Idempotency {
    /// Keys kept in `db`, answers sealed with `sealer`; `store` holds the heartbeats and the
    /// log a takeover looks in. Starts this process's heartbeat (a task that ends when the
    /// value is dropped).
    pub fn start(db: AnyPool, sealer: Sealer, store: Arc<dyn EventStore>) -> Arc<Self> {
        let instance = Uuid::now_v7().simple().to_string();
        let fence = Arc::new(Fence { started: Instant::now(), beaten: AtomicI64::new(0) });
        let idempotency = Arc::new(Idempotency { db, sealer, store, instance, fence, purged_at: AtomicI64::new(0) });
        let weak = Arc::downgrade(&idempotency);
        tokio::spawn(async move {
            let mut beat = 0;
            while let Some(idempotency) = weak.upgrade() {
                let name = format!("{HEARTBEATS}{}", idempotency.instance);
                beat += 1;
                match idempotency.store.save_checkpoint(&name, beat).await {
                    Ok(()) => {
                        let at = idempotency.fence.started.elapsed().as_millis() as i64;
                        idempotency.fence.beaten.store(at, Ordering::Relaxed);
                    }
                    Err(e) => tracing::warn!(error = %e, "writing the API's heartbeat"),
                }
                drop(idempotency);
                tokio::time::sleep(HEARTBEAT).await;
            }
        });
        idempotency
    }

    /// The answer for `caller`'s `key` and request `body`: `run`'s, run at most once while the
    /// first claim lives, or the stored one. A database failure answers 500 without running.
    pub async fn answer<F, Fut>(self: &Arc<Self>, caller: &str, key: &str, body: &[u8], run: F) -> Answer
    where
        F: FnOnce(RequestCorrelation) -> Fut + Send + 'static,
        Fut: Future<Output = Answer> + Send + 'static,
    {
        match self.answer_or_fail(caller, key, body, run).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::error!(error = %e, "the idempotency store failed");
                (500, crate::error::INTERNAL_BODY.to_string())
            }
        }
    }

    async fn answer_or_fail<F, Fut>(
        self: &Arc<Self>,
        caller: &str,
        key: &str,
        body: &[u8],
        run: F,
    ) -> Result<Answer, sqlx::Error>
    where
        F: FnOnce(RequestCorrelation) -> Fut + Send + 'static,
        Fut: Future<Output = Answer> + Send + 'static,
    {
        let id = sha256_hex(&format!("{caller}\u{0}{key}"));
        // keyed: the body may hold a password or an env var's value
        let fingerprint = self.sealer.keyed_digest("idempotency request", body);
        self.purge().await;
        let mut claimed_at = now_ms();
        let waiting_since = Instant::now();
        let mut heard = Heard::new(SILENT_FOR);
        let correlation = loop {
            match self.claim(&id, &fingerprint, claimed_at).await? {
                Found::Ours(correlation) => break correlation,
                Found::Answered(answer) => return Ok(answer),
                Found::OtherRequest => return Ok(other_request()),
                Found::Running { claimed_at: at, holder, correlation } => {
                    let now = now_ms();
                    let take = match self.holder_state(&holder, &mut heard).await? {
                        Holder::Gone => true,
                        Holder::Live => false,
                        // (by the claim's time, written by the holder's clock: for claims of
                        // processes that do not count their heartbeat only)
                        Holder::Unknown => now - at > LEASE.as_millis() as i64,
                    };
                    if take && self.take_over(&id, at, now).await? {
                        claimed_at = now;
                        let correlation = Uuid::parse_str(&correlation).unwrap_or_else(|_| Uuid::now_v7());
                        if let Some(position) = self.written(correlation).await? {
                            // The first request wrote, then its process died: say so, never
                            // run it again.
                            let answer = took_effect(position);
                            self.save_answer(&id, claimed_at, &answer).await?;
                            return Ok(answer);
                        }
                        break correlation;
                    }
                    if waiting_since.elapsed() > WAIT {
                        return Ok(still_running());
                    }
                    tokio::time::sleep(POLL).await;
                }
            }
        };
        // Its own task: a client that goes away does not leave the claim unanswered.
        let this = Arc::clone(self);
        let task_id = id.clone();
        let fence = self.fence.clone();
        let first = tokio::spawn(async move {
            let answer = run(RequestCorrelation(correlation, fence)).await;
            this.save_answer(&task_id, claimed_at, &answer).await.map(|()| answer)
        });
        let answered = match first.await {
            Ok(answered) => answered,
            Err(e) => Err(sqlx::Error::Protocol(format!("the request's task failed: {e}"))),
        };
        if answered.is_err() {
            // Nothing stored: let a retry take the claim over at once (it looks in the log
            // first), not wait for the lease while this process lives.
            let abandoned = sqlx::query(
                "UPDATE api_idempotency SET holder = $1 WHERE id = $2 AND claimed_at = $3 AND status IS NULL",
            )
            .bind(ABANDONED)
            .bind(&id)
            .bind(claimed_at)
            .execute(&self.db)
            .await;
            if let Err(e) = abandoned {
                tracing::warn!(error = %e, "an unanswered idempotency claim could not be released");
            }
        }
        answered
    }

    /// Stores the answer of the claim made at `claimed_at`.
    async fn save_answer(&self, id: &str, claimed_at: i64, answer: &Answer) -> Result<(), sqlx::Error> {
        let sealed = self.sealer.seal(&answer.1).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        sqlx::query("UPDATE api_idempotency SET status = $1, answer = $2 WHERE id = $3 AND claimed_at = $4")
            .bind(i32::from(answer.0))
            .bind(sealed)
            .bind(id)
            .bind(claimed_at)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// What is known of the process `holder`: gone when its heartbeat count has stood still
    /// for [`SILENT_FOR`] of this process's monotonic clock (`heard` keeps what was seen
    /// between calls; see `clouddeck_eventlog::heartbeat`) or its request was abandoned;
    /// unknown when it has no counting heartbeat (no holder recorded, or a process from before
    /// heartbeats counted, whose count stays 0). Errors: the heartbeat cannot be read.
    async fn holder_state(&self, holder: &str, heard: &mut Heard) -> Result<Holder, sqlx::Error> {
        if holder == ABANDONED {
            return Ok(Holder::Gone);
        }
        if holder.is_empty() {
            return Ok(Holder::Unknown);
        }
        let beat = self
            .store
            .load_checkpoint(&format!("{HEARTBEATS}{holder}"))
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        Ok(match beat {
            0 => Holder::Unknown,
            _ if heard.stopped(holder, beat, Instant::now()) => Holder::Gone,
            _ => Holder::Live,
        })
    }

    /// The position of the first event a request correlated by `correlation` wrote. Errors:
    /// the log cannot be read (then nothing runs: the answer is a 500, a retry comes back).
    async fn written(&self, correlation: Uuid) -> Result<Option<i64>, sqlx::Error> {
        self.store.first_correlated(correlation).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))
    }

    /// Claims `id` for this request, or says who has it.
    async fn claim(&self, id: &str, fingerprint: &str, now: i64) -> Result<Found, sqlx::Error> {
        let correlation = Uuid::now_v7();
        let inserted = sqlx::query(
            "INSERT INTO api_idempotency (id, fingerprint, claimed_at, holder, correlation) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(fingerprint)
        .bind(now)
        .bind(&self.instance)
        .bind(correlation.to_string())
        .execute(&self.db)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Found::Ours(correlation));
        }
        type Row = (String, i64, Option<i32>, Option<String>, String, String);
        let row: Option<Row> = sqlx::query_as(
            "SELECT fingerprint, claimed_at, status, answer, holder, correlation FROM api_idempotency WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?;
        Ok(match row {
            // (purged between the two statements: claim again after a pause)
            None => Found::Running { claimed_at: now, holder: String::new(), correlation: String::new() },
            Some((theirs, ..)) if theirs != fingerprint => Found::OtherRequest,
            Some((_, _, Some(status), Some(sealed), ..)) => {
                let body = self.sealer.open(&sealed).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                Found::Answered((u16::try_from(status).unwrap_or(500), body))
            }
            Some((_, claimed_at, _, _, holder, correlation)) => Found::Running { claimed_at, holder, correlation },
        })
    }

    /// Takes over a claim left unanswered since `claimed_at`; false if another did first.
    async fn take_over(&self, id: &str, claimed_at: i64, now: i64) -> Result<bool, sqlx::Error> {
        let moved = sqlx::query(
            "UPDATE api_idempotency SET claimed_at = $1, holder = $4 WHERE id = $2 AND claimed_at = $3 AND status IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(claimed_at)
        .bind(&self.instance)
        .execute(&self.db)
        .await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Deletes answers older than a day, and heartbeats of processes gone for a day, at most
    /// once a minute per process.
    async fn purge(&self) {
        let now = now_ms();
        let last = self.purged_at.load(Ordering::Relaxed);
        if now - last < PURGE_EVERY_MS
            || self.purged_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let purged = sqlx::query("DELETE FROM api_idempotency WHERE claimed_at < $1")
            .bind(now - KEEP_MS)
            .execute(&self.db)
            .await;
        if let Err(e) = purged {
            tracing::warn!(error = %e, "deleting old idempotency keys");
        }
        // and the heartbeats of API processes gone for as long
        if let Err(e) = self.store.forget_checkpoints(HEARTBEATS, now - KEEP_MS).await {
            tracing::warn!(error = %e, "deleting the heartbeats of API processes long gone");
        }
    }
}

/// The answer to a retry whose first request wrote and then lost its process: the write is
/// recorded, the first answer is gone.
fn took_effect(position: i64) -> Answer {
    let body = serde_json::json!({ "data": null, "errors": [{
        "message": format!(
            "accepted: this request took effect (log position {position}) but the process answering it stopped \
             before it could; do not retry it, query the result instead"
        ),
        "extensions": { "code": crate::error::ACCEPTED, "position": position },
    }]});
    (200, body.to_string())
}

/// The answer to a retry whose first request is still running after [`WAIT`].
fn still_running() -> Answer {
    let body = serde_json::json!({ "errors": [{
        "message": "a request with this Idempotency-Key is still running: retry later for its answer",
        "extensions": { "code": crate::error::CONFLICT },
    }]});
    (409, body.to_string())
}

fn other_request() -> Answer {
    let body = serde_json::json!({ "errors": [{
        "message": "this Idempotency-Key was first used for a different request: use a new key for a new request",
        "extensions": { "code": crate::error::BAD_USER_INPUT },
    }]});
    (422, body.to_string())
}

fn now_ms() -> i64 {
    clouddeck_eventlog::now_ms()
}
