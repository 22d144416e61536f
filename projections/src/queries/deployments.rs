//! Deployments, their build logs, and who owns a stream.

use super::Row;
use sqlx::AnyPool;

/// A deployment's columns: `deployment_id, project_id, status, target, source_kind,
/// source_ref, commit_sha, url, build_duration_ms, error, log_chunks, created_at, updated_at`
/// (times in unix ms).
pub const DEPLOYMENT_COLUMNS: &str = "deployment_id, project_id, status, target, source_kind, source_ref, commit_sha, \
     url, build_duration_ms, error, log_chunks, created_at, updated_at";

/// A deployment by id ([`DEPLOYMENT_COLUMNS`]).
pub async fn deployment<T: Row>(db: &AnyPool, deployment_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {DEPLOYMENT_COLUMNS} FROM rm_deployments WHERE deployment_id = $1"))
        .bind(deployment_id)
        .fetch_optional(db)
        .await
}

/// The organization a deployment belongs to.
pub async fn organization_of_deployment(db: &AnyPool, deployment_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT organization_id FROM rm_deployments WHERE deployment_id = $1")
        .bind(deployment_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(o,)| o))
}

/// A deployment's organization and what its project serves in production now.
pub async fn organization_and_production(
    db: &AnyPool,
    deployment_id: &str,
) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.organization_id, p.production_deployment_id FROM rm_deployments d \
         JOIN rm_projects p ON p.project_id = d.project_id WHERE d.deployment_id = $1",
    )
    .bind(deployment_id)
    .fetch_optional(db)
    .await
}

/// Where a page of a project's deployments starts: after the deployment created at `.0`
/// (unix ms) with id `.1`, newest first.
pub type After = (i64, String);

/// Up to `limit` of a project's deployments, newest first (by creation time, then id),
/// after `after` or from the newest ([`DEPLOYMENT_COLUMNS`]).
pub async fn deployments_page<T: Row>(
    db: &AnyPool,
    project_id: &str,
    after: Option<&After>,
    limit: i64,
) -> Result<Vec<T>, sqlx::Error> {
    let (at, id) = after.cloned().unwrap_or((i64::MAX, String::new()));
    sqlx::query_as(&format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM rm_deployments WHERE project_id = $1 \
         AND ($2 = 1 OR created_at < $3 OR (created_at = $3 AND deployment_id < $4)) \
         ORDER BY created_at DESC, deployment_id DESC LIMIT $5"
    ))
    .bind(project_id)
    .bind(i64::from(after.is_none()))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A deployment's build output, one string of lines per chunk, in order.
pub async fn build_log_chunks(db: &AnyPool, deployment_id: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(build_log_after(db, deployment_id, 0).await?.into_iter().map(|(_, lines)| lines).collect())
}

/// A build log's chunks after the first `after` (a chunk's sequence counts from 1 without
/// gaps: command-handlers' `AppendBuildLog`), in order: `(sequence, lines)`, only those rows
/// read.
pub async fn build_log_after(db: &AnyPool, deployment_id: &str, after: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sequence, lines FROM rm_build_logs WHERE deployment_id = $1 AND sequence > $2 ORDER BY sequence",
    )
    .bind(deployment_id)
    .bind(after)
    .fetch_all(db)
    .await
}

/// The organization that owns a stream (`project-…`, `deployment-…`, …), if any does.
pub async fn stream_owner(db: &AnyPool, stream_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT organization_id FROM rm_stream_owners WHERE stream_id = $1")
        .bind(stream_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(o,)| o))
}

/// An organization's events after `after` (a log position), oldest first, at most `limit`,
/// only of `types` when some are given and only by `actor` when it is not empty: `(position,
/// event_id, stream_id, stream_version, event_type, actor, recorded_at, payload)`.
pub async fn audit_events(
    db: &AnyPool,
    organization_id: &str,
    after: i64,
    types: &[String],
    actor: &str,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT e.position, CAST(e.event_id AS TEXT), e.stream_id, e.stream_version, e.event_type, e.actor, \
         e.recorded_at, e.payload FROM events e JOIN rm_stream_owners o ON o.stream_id = e.stream_id \
         WHERE o.organization_id = $1 AND e.position > $2 AND ($3 = '' OR e.actor = $3)",
    );
    if !types.is_empty() {
        let list: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 5)).collect();
        sql.push_str(&format!(" AND e.event_type IN ({})", list.join(", ")));
    }
    sql.push_str(" ORDER BY e.position LIMIT $4");
    let mut query = sqlx::query_as(&sql).bind(organization_id).bind(after).bind(actor).bind(limit);
    for t in types {
        query = query.bind(t);
    }
    query.fetch_all(db).await
}

/// One row of [`audit_events`].
pub type AuditRow = (i64, String, String, i64, String, String, i64, Vec<u8>);
