//! What each organization uploaded (`artifact_uploads`): the blobs it may reference in a
//! deployment and that count against its storage. Content-addressed storage deduplicates
//! across organizations, but no answer may reveal it: an organization owns a blob only once it
//! sent the bytes itself, and a manifest only once one of its own deployments used it.
//!
//! Not a read model: uploads are not events, so `rebuild` leaves this table alone. Its rows
//! are removed by the collector once no deployment of their organization uses the blob.

use sqlx::AnyPool;
use std::collections::{BTreeSet, HashSet};

/// How many hashes one query asks about.
const BATCH: usize = 500;

/// Records that `organization_id` uploaded blob `sha256` of `bytes` bytes (again: no change).
pub async fn record(db: &AnyPool, organization_id: &str, sha256: &str, bytes: i64, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO artifact_uploads (organization_id, sha256, bytes, uploaded_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organization_id, sha256) DO UPDATE SET uploaded_at = excluded.uploaded_at",
    )
    .bind(organization_id)
    .bind(sha256)
    .bind(bytes)
    .bind(at)
    .execute(db)
    .await
    .map(drop)
}

/// Which of `hashes` the organization uploaded.
pub async fn owned(db: &AnyPool, organization_id: &str, hashes: &[String]) -> Result<HashSet<String>, sqlx::Error> {
    let mut found = HashSet::new();
    for batch in hashes.chunks(BATCH) {
        let marks: Vec<String> = (0..batch.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT sha256 FROM artifact_uploads WHERE organization_id = $1 AND sha256 IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(organization_id);
        for hash in batch {
            query = query.bind(hash);
        }
        found.extend(query.fetch_all(db).await?.into_iter().map(|(hash,)| hash));
    }
    Ok(found)
}

/// The bytes the organization keeps uploaded (each blob once).
pub async fn stored_bytes(db: &AnyPool, organization_id: &str) -> Result<i64, sqlx::Error> {
    let (total,): (Option<i64>,) =
        sqlx::query_as("SELECT CAST(SUM(bytes) AS BIGINT) FROM artifact_uploads WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_one(db)
            .await?;
    Ok(total.unwrap_or(0))
}

/// Whether a deployment of the organization used manifest `sha256` (as its source or as its
/// built artifact): only then may the organization deploy it again by name.
pub async fn owns_manifest(db: &AnyPool, organization_id: &str, sha256: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT deployment_id FROM rm_deployments WHERE organization_id = $1 \
         AND (source_ref = $2 OR manifest_sha256 = $2) LIMIT 1",
    )
    .bind(organization_id)
    .bind(sha256)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Every manifest some deployment uses, with its organization: `(organization, manifest)`.
pub async fn manifests_in_use(db: &AnyPool) -> Result<BTreeSet<(String, String)>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT organization_id, source_ref, manifest_sha256 FROM rm_deployments").fetch_all(db).await?;
    let mut used = BTreeSet::new();
    for (organization, source, built) in rows {
        used.insert((organization.clone(), source));
        if let Some(built) = built {
            used.insert((organization, built));
        }
    }
    Ok(used)
}

/// Uploads older than `before` (unix ms): `(organization, blob)`.
pub async fn uploaded_before(db: &AnyPool, before: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT organization_id, sha256 FROM artifact_uploads WHERE uploaded_at < $1")
        .bind(before)
        .fetch_all(db)
        .await
}

/// Every blob some organization holds an upload of.
pub async fn uploaded_blobs(db: &AnyPool) -> Result<HashSet<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT sha256 FROM artifact_uploads").fetch_all(db).await?;
    Ok(rows.into_iter().map(|(hash,)| hash).collect())
}

/// Forgets an organization's upload of a blob (its storage no longer counts it).
pub async fn forget(db: &AnyPool, organization_id: &str, sha256: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM artifact_uploads WHERE organization_id = $1 AND sha256 = $2")
        .bind(organization_id)
        .bind(sha256)
        .execute(db)
        .await
        .map(drop)
}
