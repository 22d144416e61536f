//! Sites' own rate limits (`netlify.toml` `[redirects.rate_limit]`, parsed by the routing
//! crate): one token-bucket store per project, rule and quota, keyed by the client's address
//! and/or the host asked for. Kept per project, not per deployment, so a new deploy does not
//! hand every client a fresh budget.

use crate::shield::ClientKey;
use clouddeck_routing::RateLimit;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Budgets kept at most (project × rule: a site has at most `MAX_RATE_LIMITS` rules, so one
/// project holds at most 100, however many deployments it makes); past it the one used
/// longest ago is dropped (its keys start again full).
const STORES_AT_MOST: usize = 10_000;
/// Keys one budget keeps at most (clients × hosts); past it, keys whose buckets are full
/// again are forgotten, and if that is not enough the budget starts again.
const KEYS_AT_MOST: usize = 100_000;

type Budget = (String, u32);

/// A budget's store, the quota it counts (`window_limit`, `window_secs`; a deploy that
/// changes the rule's quota starts it again), and when it was last used (ms of the
/// process's clock).
struct Store {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    quota: (u32, u32),
    used: u64,
}

#[derive(Default)]
pub struct SiteLimits {
    stores: Mutex<HashMap<Budget, Store>>,
    clock: DefaultClock,
}

impl SiteLimits {
    /// Counts a request of `client` for `host` against rule `rule` of `project`.
    /// Errors: over the limit, how long until the next request is allowed.
    pub fn check(
        &self,
        project: &str,
        rule: u32,
        limit: &RateLimit,
        client: IpAddr,
        host: &str,
    ) -> Result<(), Duration> {
        let now = crate::shield::now_ms();
        let store = {
            let mut stores = self.stores.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let budget = (project.to_string(), rule);
            let wanted = (limit.window_limit, limit.window_secs);
            if !stores.contains_key(&budget) && stores.len() >= STORES_AT_MOST {
                let oldest = stores.iter().min_by_key(|(_, store)| store.used).map(|(budget, _)| budget.clone());
                if let Some(oldest) = oldest {
                    stores.remove(&oldest);
                }
            }
            let fresh = || Store { limiter: Arc::new(RateLimiter::keyed(quota(limit))), quota: wanted, used: now };
            let store = stores.entry(budget).or_insert_with(fresh);
            if store.quota != wanted {
                *store = fresh();
            }
            store.used = now;
            store.limiter.clone()
        };
        let mut store = store;
        if store.len() >= KEYS_AT_MOST {
            store.retain_recent();
            if store.len() >= KEYS_AT_MOST {
                let fresh = Arc::new(RateLimiter::keyed(quota(limit)));
                let budget = (project.to_string(), rule);
                let mut stores = self.stores.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let quota = (limit.window_limit, limit.window_secs);
                stores.insert(budget, Store { limiter: fresh.clone(), quota, used: now });
                store = fresh;
            }
        }
        // The host as DNS compares it, so `Example.com.` is `example.com`'s budget.
        let mut key = String::new();
        if limit.by_ip {
            key.push_str(&format!("{:?}", ClientKey::of(client)));
        }
        if limit.by_domain {
            key.push('|');
            key.push_str(&crate::host::hostname(host));
        }
        store.check_key(&key).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys whose buckets are full again (they would start full anyway).
    pub fn forget_idle(&self) {
        let stores: Vec<_> = self
            .stores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .map(|s| s.limiter.clone())
            .collect();
        for store in stores {
            store.retain_recent();
            store.shrink_to_fit();
        }
    }
}

/// `window_limit` per `window_secs`: a bucket of `window_limit`, one token back every
/// `window_secs / window_limit`.
fn quota(limit: &RateLimit) -> Quota {
    let burst = NonZeroU32::new(limit.window_limit).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_secs(u64::from(limit.window_secs)) / limit.window_limit.max(1);
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(by_ip: bool, by_domain: bool) -> RateLimit {
        RateLimit { window_limit: 3, window_secs: 60, by_ip, by_domain, rewrite: None }
    }

    #[test]
    fn a_window_allows_its_limit_per_key_then_says_how_long_to_wait() {
        let limits = SiteLimits::default();
        let (one, two) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let per_ip = limit(true, false);
        for _ in 0..3 {
            assert!(limits.check("p-1", 0, &per_ip, one, "a.example").is_ok());
        }
        let wait = limits.check("p-1", 0, &per_ip, one, "b.example").unwrap_err();
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(limits.check("p-1", 0, &per_ip, two, "a.example").is_ok(), "another address has its own");
        assert!(limits.check("p-2", 0, &per_ip, one, "a.example").is_ok(), "another project has its own");
        assert!(limits.check("p-1", 1, &per_ip, one, "a.example").is_ok(), "another rule has its own");
        let changed = RateLimit { window_limit: 5, ..per_ip.clone() };
        assert!(limits.check("p-1", 0, &changed, one, "a.example").is_ok(), "a new quota starts again");

        let per_site = limit(false, true);
        for n in 0..3u8 {
            assert!(limits.check("p-1", 2, &per_site, IpAddr::from([192, 0, 2, n]), "a.example").is_ok());
        }
        assert!(limits.check("p-1", 2, &per_site, IpAddr::from([192, 0, 2, 9]), "A.example").is_err(), "one budget");
        assert!(limits.check("p-1", 2, &per_site, IpAddr::from([192, 0, 2, 9]), "a.example...").is_err(), "dots too");
        assert!(limits.check("p-1", 2, &per_site, IpAddr::from([192, 0, 2, 9]), "b.example").is_ok());
    }
}
