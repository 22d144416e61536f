//! `Idempotency-Key` (as Stripe's API and the IETF draft `draft-ietf-httpapi-idempotency-key-header`
//! use it): the first request with a key from a caller runs; a later one with the same key gets
//! the very same answer, from any API process, across restarts, for a day. The claim and the
//! answer live in the read-model database (`api_idempotency`), the answer sealed, since it
//! may hold a one-time secret (a new token). A key reused for a different request body is
//! refused (422); a retry while the first is still running waits for its answer; a claim
//! whose process died (no answer after [`LEASE`]) is taken over.

use clouddeck_secrets::{Sealer, sha256_hex};
use sqlx::AnyPool;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, String);

/// How long answers are kept, in ms.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// How long a claim without an answer is honoured: longer than any request runs (a mutation
/// waits at most 10 s for the read models).
pub const LEASE: Duration = Duration::from_secs(60);
/// How often a retry looks for the first request's answer.
const POLL: Duration = Duration::from_millis(100);
/// How often old answers are deleted (per process), in ms.
const PURGE_EVERY_MS: i64 = 60_000;

/// What the store says about a key.
enum Found {
    /// This request holds the claim: run it.
    Ours,
    Answered(Answer),
    /// Claimed by a request still running (or by one that died: `claimed_at` says when).
    Running {
        claimed_at: i64,
    },
    /// The key was first used for another body.
    OtherRequest,
}

pub struct Idempotency {
    db: AnyPool,
    sealer: Sealer,
    purged_at: AtomicI64,
}

impl Idempotency {
    pub fn new(db: AnyPool, sealer: Sealer) -> Self {
        Idempotency { db, sealer, purged_at: AtomicI64::new(0) }
    }

    /// The answer for `caller`'s `key` and request `body`: `run`'s, run at most once while the
    /// first claim lives, or the stored one. A database failure answers 500 without running.
    pub async fn answer<F, Fut>(&self, caller: &str, key: &str, body: &[u8], run: F) -> Answer
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Answer>,
    {
        match self.answer_or_fail(caller, key, body, run).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::error!(error = %e, "the idempotency store failed");
                (500, crate::error::INTERNAL_BODY.to_string())
            }
        }
    }

    async fn answer_or_fail<F, Fut>(&self, caller: &str, key: &str, body: &[u8], run: F) -> Result<Answer, sqlx::Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Answer>,
    {
        let id = sha256_hex(&format!("{caller}\u{0}{key}"));
        // keyed: the body may hold a password or an env var's value
        let fingerprint = self.sealer.keyed_digest("idempotency request", body);
        self.purge().await;
        let mut claimed_at = now_ms();
        loop {
            match self.claim(&id, &fingerprint, claimed_at).await? {
                Found::Ours => break,
                Found::Answered(answer) => return Ok(answer),
                Found::OtherRequest => return Ok(other_request()),
                Found::Running { claimed_at: at } => {
                    let now = now_ms();
                    if now - at > LEASE.as_millis() as i64 && self.take_over(&id, at, now).await? {
                        claimed_at = now;
                        break;
                    }
                    tokio::time::sleep(POLL).await;
                }
            }
        }
        let answer = run().await;
        let sealed = self.sealer.seal(&answer.1).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        sqlx::query("UPDATE api_idempotency SET status = $1, answer = $2 WHERE id = $3 AND claimed_at = $4")
            .bind(i32::from(answer.0))
            .bind(sealed)
            .bind(&id)
            .bind(claimed_at)
            .execute(&self.db)
            .await?;
        Ok(answer)
    }

    /// Claims `id` for this request, or says who has it.
    async fn claim(&self, id: &str, fingerprint: &str, now: i64) -> Result<Found, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO api_idempotency (id, fingerprint, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(fingerprint)
        .bind(now)
        .execute(&self.db)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Found::Ours);
        }
        let row: Option<(String, i64, Option<i32>, Option<String>)> =
            sqlx::query_as("SELECT fingerprint, claimed_at, status, answer FROM api_idempotency WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db)
                .await?;
        Ok(match row {
            // (purged between the two statements: claim again)
            None => Found::Running { claimed_at: now },
            Some((theirs, ..)) if theirs != fingerprint => Found::OtherRequest,
            Some((_, _, Some(status), Some(sealed))) => {
                let body = self.sealer.open(&sealed).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                Found::Answered((u16::try_from(status).unwrap_or(500), body))
            }
            Some((_, claimed_at, ..)) => Found::Running { claimed_at },
        })
    }

    /// Takes over a claim left unanswered since `claimed_at`; false if another did first.
    async fn take_over(&self, id: &str, claimed_at: i64, now: i64) -> Result<bool, sqlx::Error> {
        let moved = sqlx::query(
            "UPDATE api_idempotency SET claimed_at = $1 WHERE id = $2 AND claimed_at = $3 AND status IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(claimed_at)
        .execute(&self.db)
        .await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Deletes answers older than a day, at most once a minute per process.
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
    }
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
