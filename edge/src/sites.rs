//! Deployments as the edge serves them: a manifest and its compiled routing, kept in a cache
//! bounded by memory (least recently used goes first), so a site with a large manifest or
//! many rules costs memory only while it is visited, and other sites cannot be pushed out by
//! one for good.

use clouddeck_artifacts::{ArtifactStore, Manifest};
use clouddeck_routing::{MAX_FILE_BYTES, ROUTING_FILES, Routes};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the parsed-site cache may hold, in bytes (estimated).
pub const BUDGET_BYTES: usize = 256 << 20;

/// A deployment as the edge serves it.
pub struct Site {
    pub manifest: Manifest,
    pub routes: Routes,
    /// One page with client-side routes (`serve::is_single_page_app`): unknown paths get
    /// its index.
    pub spa: bool,
    bytes: usize,
}

impl Site {
    /// Reads the manifest `hash` and its routing files. Routing that does not parse (a
    /// deployment from before the files were checked at deploy time) is logged and ignored:
    /// the site is served as files.
    pub async fn load(artifacts: &ArtifactStore, hash: &str) -> Option<Site> {
        let manifest = artifacts.manifest(hash).await.ok()?;
        let mut files = Vec::new();
        for name in ROUTING_FILES {
            let Some(entry) = manifest.files.get(*name) else { continue };
            if entry.size as usize > MAX_FILE_BYTES {
                continue;
            }
            if let Ok(blob) = artifacts.blob_file(&entry.sha256).await
                && let Ok(text) = tokio::fs::read_to_string(blob).await
            {
                files.push((*name, text));
            }
        }
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let routes = Routes::parse(&borrowed).unwrap_or_else(|errors| {
            tracing::warn!(manifest = hash, first = %errors[0], "a deployment's routing files do not parse; serving its files only");
            Routes::default()
        });
        let bytes = 512 + manifest.files.len() * 160 + routes.bytes();
        let spa = crate::serve::is_single_page_app(&manifest);
        Some(Site { manifest, routes, spa, bytes })
    }
}

struct Entry {
    site: Arc<Site>,
    used: AtomicU64,
}

/// Sites by manifest, least recently used evicted past the budget.
pub struct Sites {
    entries: Mutex<HashMap<String, Entry>>,
    held: Mutex<usize>,
    clock: AtomicU64,
    budget: usize,
}

impl Sites {
    pub fn new(budget: usize) -> Self {
        Sites { entries: Mutex::default(), held: Mutex::new(0), clock: AtomicU64::new(0), budget }
    }

    pub fn get(&self, hash: &str) -> Option<Arc<Site>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(hash)?;
        entry.used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(entry.site.clone())
    }

    pub fn insert(&self, hash: &str, site: Arc<Site>) {
        let (Ok(mut entries), Ok(mut held)) = (self.entries.lock(), self.held.lock()) else { return };
        let bytes = site.bytes;
        let used = AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed));
        if let Some(old) = entries.insert(hash.to_string(), Entry { site, used }) {
            *held -= old.site.bytes;
        }
        *held += bytes;
        while *held > self.budget && entries.len() > 1 {
            let oldest = entries
                .iter()
                .filter(|(key, _)| key.as_str() != hash)
                .min_by_key(|(_, e)| e.used.load(Ordering::Relaxed))
                .map(|(key, _)| key.clone());
            let Some(oldest) = oldest else { break };
            if let Some(gone) = entries.remove(&oldest) {
                *held -= gone.site.bytes;
            }
        }
    }

    /// Bytes held now (estimated).
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.held.lock().map_or(0, |h| *h)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn site(bytes: usize) -> Arc<Site> {
        Arc::new(Site { manifest: Manifest::default(), routes: Routes::default(), spa: false, bytes })
    }

    #[test]
    fn the_least_recently_used_site_goes_first_past_the_budget() {
        let sites = Sites::new(1_000);
        sites.insert("a", site(400));
        sites.insert("b", site(400));
        sites.get("a");
        sites.insert("c", site(400));
        assert!(sites.get("a").is_some() && sites.get("c").is_some());
        assert!(sites.get("b").is_none(), "b was used least recently");
        assert!(sites.held() <= 1_000);
        sites.insert("huge", site(5_000));
        assert!(sites.get("huge").is_some(), "one site larger than the budget is still served");
        assert_eq!(sites.held(), 5_000);
    }
}
