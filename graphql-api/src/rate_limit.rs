//! A token bucket per caller (the token's actor, or the client address when anonymous).
//!
//! On PostgreSQL the API's buckets are rows (`api_rate_buckets`) that every API process of
//! the installation takes from, so N processes behind a load balancer allow the rate once,
//! not N times, and a restart does not refill them. PostgreSQL rather than Redis because
//! every installation already has it and a distributed one needs nothing more; the cost is
//! one upsert per request and caller key, 0.14 ms each here with asynchronous commit. On
//! SQLite one process serves the API and the buckets stay in memory. Should the database
//! fail, the process's own buckets apply, so the limit still holds per process.

use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
    /// The shared buckets, on PostgreSQL.
    shared: Option<Shared>,
}

struct Shared {
    db: AnyPool,
    /// The prefix of this limiter's rows: limiters with other rates share the table, and
    /// each sweeps only its own rows (another's would be full again at another time).
    scope: &'static str,
    next_sweep: Mutex<Instant>,
}

/// How often a process deletes the shared buckets that are full again.
const SWEEP: Duration = Duration::from_secs(60);

/// Takes a token from the shared bucket of `$1` (burst `$2`, refill `$4` per second, now
/// `$3` in ms); the refill is computed from the row's own time, so processes need no state.
const TAKE: &str = "INSERT INTO api_rate_buckets AS b (key, tokens, updated_ms, allowed) VALUES ($1, $2 - 1, $3, 1) \
     ON CONFLICT (key) DO UPDATE SET \
       allowed = CASE WHEN LEAST($2, b.tokens + GREATEST(0, $3 - b.updated_ms) * $4 / 1000.0) >= 1 THEN 1 ELSE 0 END, \
       tokens = LEAST($2, b.tokens + GREATEST(0, $3 - b.updated_ms) * $4 / 1000.0) \
         - CASE WHEN LEAST($2, b.tokens + GREATEST(0, $3 - b.updated_ms) * $4 / 1000.0) >= 1 THEN 1 ELSE 0 END, \
       updated_ms = GREATEST(b.updated_ms, $3) \
     RETURNING tokens, allowed";

impl RateLimiter {
    /// `per_second` tokens refill each bucket, which holds at most `burst`; in memory.
    pub fn new(per_second: f64, burst: u32) -> Self {
        RateLimiter {
            per_second: per_second.max(0.001),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// The same limits with the buckets in `db` when it is PostgreSQL (see the module's
    /// comment), as rows whose keys start with `scope`; in memory otherwise.
    pub fn shared_in(mut self, db: &AnyPool, scope: &'static str) -> Self {
        let options = db.connect_options();
        if options.database_url.scheme().starts_with("postgres") {
            // Its own few connections, whose commits do not wait for the disk: a bucket lost
            // in a database crash refills a few requests early, and waiting for the WAL flush
            // made each take cost 0.76 ms instead of 0.14 ms (psql, 2,000 takes, this machine).
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(4)
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        sqlx::Executor::execute(connection, "SET synchronous_commit = off").await.map(|_| ())
                    })
                })
                .connect_lazy_with((*options).clone());
            self.shared = Some(Shared { db: pool, scope, next_sweep: Mutex::new(Instant::now() + SWEEP) });
        }
        self
    }

    /// Takes one request's token, from the shared bucket when there is one; or says how
    /// long until one is free.
    pub async fn take(&self, key: &str) -> Result<(), Duration> {
        let Some(shared) = &self.shared else { return self.check(key) };
        let now = clouddeck_eventlog::now_ms();
        let taken = sqlx::query(TAKE)
            .bind(format!("{}{key}", shared.scope))
            .bind(self.burst)
            .bind(now)
            .bind(self.per_second)
            .fetch_one(&shared.db)
            .await
            .and_then(|row| Ok((row.try_get::<f64, _>(0)?, row.try_get::<i32, _>(1)?)));
        self.sweep(shared, now).await;
        match taken {
            Ok((_, 1)) => Ok(()),
            Ok((tokens, _)) => Err(Duration::from_secs_f64((1.0 - tokens).max(0.0) / self.per_second)),
            Err(e) => {
                tracing::warn!(error = %e, "the shared rate limit could not be read; this process's applies");
                self.check(key)
            }
        }
    }

    /// Deletes, at most once a minute per process, this limiter's shared buckets full again.
    async fn sweep(&self, shared: &Shared, now_ms: i64) {
        {
            let mut next = shared.next_sweep.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if Instant::now() < *next {
                return;
            }
            *next = Instant::now() + SWEEP;
        }
        let full_after_ms = (self.burst / self.per_second * 1000.0) as i64 + 1_000;
        let swept =
            sqlx::query("DELETE FROM api_rate_buckets WHERE updated_ms < $1 AND substr(key, 1, length($2)) = $2")
                .bind(now_ms - full_after_ms)
                .bind(shared.scope)
                .execute(&shared.db)
                .await;
        if let Err(e) = swept {
            tracing::warn!(error = %e, "deleting full rate-limit buckets");
        }
    }

    /// Takes one request's token, or says how long until one is free.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            // Forget callers whose buckets are full again: they are indistinguishable from new.
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            buckets.retain(|_, (_, at)| now.duration_since(*at) < full_after);
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_waits_for_refill() {
        let limiter = RateLimiter::new(1.0, 3);
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        let wait = limiter.check("a").unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check("b").is_ok(), "buckets are per caller");
    }
}
