//! The collector: storage that no deployment uses is removed after a grace period. An
//! organization's upload that none of its deployments used stops counting against its
//! storage (and stops being its to reference); a blob that no deployment uses and that no
//! organization holds an upload of is deleted, as is a manifest no deployment uses. Only what
//! is older than the grace period is looked at, so an upload on its way to a deployment, or a
//! build writing its output, is never collected under it.

use clouddeck_artifacts::ArtifactStore;
use clouddeck_projections::uploads;
use sqlx::AnyPool;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::watch;
use tracing::{info, warn};

pub struct Collector {
    pub store: ArtifactStore,
    pub db: AnyPool,
    /// How old unused storage must be before it goes.
    pub grace: Duration,
}

/// What one pass removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub uploads_forgotten: usize,
    pub blobs_removed: usize,
    pub manifests_removed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("reading what deployments use: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Store(#[from] clouddeck_artifacts::ArtifactError),
}

impl Collector {
    /// Collects every `every` until stopped.
    pub async fn run(self, every: Duration, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            match self.collect(clouddeck_eventlog::now_ms()).await {
                Ok(collected) if collected != Collected::default() => info!(?collected, "unused storage removed"),
                Ok(_) => {}
                Err(e) => warn!(error = %e, "collecting unused storage"),
            }
        }
    }

    /// One pass, as of `now_ms`.
    pub async fn collect(&self, now_ms: i64) -> Result<Collected, CollectError> {
        let before = now_ms - self.grace.as_millis() as i64;
        let mut collected = Collected::default();
        // What deployments use: per organization, and at all.
        let in_use = uploads::manifests_in_use(&self.db).await?;
        let mut used_by: HashMap<String, HashSet<String>> = HashMap::new();
        let mut used_blobs = HashSet::new();
        let mut used_manifests = HashSet::new();
        for (organization, manifest) in &in_use {
            used_manifests.insert(manifest.clone());
            let Ok(files) = self.store.manifest(manifest).await else { continue };
            let blobs = used_by.entry(organization.clone()).or_default();
            for entry in files.files.values() {
                blobs.insert(entry.sha256.clone());
                used_blobs.insert(entry.sha256.clone());
            }
        }
        for (organization, blob) in uploads::uploaded_before(&self.db, before).await? {
            if !used_by.get(&organization).is_some_and(|used| used.contains(&blob)) {
                uploads::forget(&self.db, &organization, &blob).await?;
                collected.uploads_forgotten += 1;
            }
        }
        let uploaded = uploads::uploaded_blobs(&self.db).await?;
        for (blob, stored_at) in self.store.blobs().await? {
            if stored_at < before && !used_blobs.contains(&blob) && !uploaded.contains(&blob) {
                self.store.delete_blob(&blob).await?;
                collected.blobs_removed += 1;
            }
        }
        for (manifest, stored_at) in self.store.manifests().await? {
            if stored_at < before && !used_manifests.contains(&manifest) {
                self.store.delete_manifest(&manifest).await?;
                collected.manifests_removed += 1;
            }
        }
        Ok(collected)
    }
}
