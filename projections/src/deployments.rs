//! The `rm_deployments` read model, folded in memory: a batch loads the rows its events
//! touch, applies every event to them in order, and writes each row once. A deployment's
//! life is eight or more events; this makes it one statement, not eight.

use crate::sql;
use clouddeck_events::{DeploymentStatus, Event};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

const COLUMNS: &str = "deployment_id, project_id, organization_id, target, status, source_kind, source_ref, \
     commit_sha, prebuilt, url, build_duration_ms, error, manifest_sha256, file_count, total_bytes, \
     log_chunks, created_at, updated_at";

/// Rows per multi-row statement; small for the reason given in runner.rs.
const ROWS_PER_STATEMENT: usize = 48;

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub deployment_id: String,
    pub project_id: String,
    pub organization_id: String,
    pub target: String,
    pub status: String,
    pub source_kind: String,
    pub source_ref: String,
    pub commit_sha: Option<String>,
    pub prebuilt: bool,
    pub url: Option<String>,
    pub build_duration_ms: Option<i64>,
    pub error: Option<String>,
    pub manifest_sha256: Option<String>,
    pub file_count: Option<i64>,
    pub total_bytes: Option<i64>,
    pub log_chunks: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The deployment an event is about, for events this model handles.
pub fn deployment_of(event: &Event) -> Option<&str> {
    Some(match event {
        Event::DeploymentRequested(e) => &e.deployment_id,
        Event::BuildQueued(e) => &e.deployment_id,
        Event::BuildStarted(e) => &e.deployment_id,
        Event::BuildLogChunk(e) => &e.deployment_id,
        Event::BuildSucceeded(e) => &e.deployment_id,
        Event::BuildFailed(e) => &e.deployment_id,
        Event::BuildCanceled(e) => &e.deployment_id,
        Event::ArtifactStored(e) => &e.deployment_id,
        Event::DeploymentReady(e) => &e.deployment_id,
        _ => return None,
    })
}

impl DeploymentRow {
    /// Applies one event recorded at `at` to the row (`None`: no row yet).
    pub fn evolve(row: Option<Self>, event: &Event, at: i64) -> Option<Self> {
        if let Event::DeploymentRequested(e) = event {
            return Some(DeploymentRow {
                deployment_id: e.deployment_id.clone(),
                project_id: e.project_id.clone(),
                organization_id: e.organization_id.clone(),
                target: e.target.clone(),
                status: DeploymentStatus::Requested.as_str().into(),
                source_kind: e.source_kind.clone(),
                source_ref: e.source_ref.clone(),
                commit_sha: e.commit_sha.clone(),
                prebuilt: e.prebuilt,
                url: None,
                build_duration_ms: None,
                error: None,
                manifest_sha256: None,
                file_count: None,
                total_bytes: None,
                log_chunks: 0,
                created_at: at,
                updated_at: at,
            });
        }
        let mut row = row?;
        let status = match event {
            Event::BuildQueued(_) => DeploymentStatus::Queued,
            Event::BuildStarted(_) => DeploymentStatus::Building,
            Event::BuildLogChunk(_) => {
                row.log_chunks += 1;
                return Some(row);
            }
            Event::BuildSucceeded(e) => {
                row.build_duration_ms = Some(e.duration_ms);
                DeploymentStatus::Built
            }
            Event::BuildFailed(e) => {
                row.build_duration_ms = Some(e.duration_ms);
                row.error = Some(e.reason.clone());
                DeploymentStatus::Failed
            }
            Event::BuildCanceled(_) => DeploymentStatus::Canceled,
            Event::ArtifactStored(e) => {
                row.manifest_sha256 = Some(e.manifest_sha256.clone());
                row.file_count = Some(e.file_count);
                row.total_bytes = Some(e.total_bytes);
                DeploymentStatus::Stored
            }
            Event::DeploymentReady(e) => {
                row.url = Some(e.url.clone());
                DeploymentStatus::Ready
            }
            _ => return Some(row),
        };
        row.status = status.as_str().into();
        row.updated_at = at;
        Some(row)
    }

    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(DeploymentRow {
            deployment_id: row.try_get(0)?,
            project_id: row.try_get(1)?,
            organization_id: row.try_get(2)?,
            target: row.try_get(3)?,
            status: row.try_get(4)?,
            source_kind: row.try_get(5)?,
            source_ref: row.try_get(6)?,
            commit_sha: row.try_get(7)?,
            prebuilt: row.try_get::<i64, _>(8)? != 0,
            url: row.try_get(9)?,
            build_duration_ms: row.try_get(10)?,
            error: row.try_get(11)?,
            manifest_sha256: row.try_get(12)?,
            file_count: row.try_get(13)?,
            total_bytes: row.try_get(14)?,
            log_chunks: row.try_get(15)?,
            created_at: row.try_get(16)?,
            updated_at: row.try_get(17)?,
        })
    }
}

/// Loads the stored rows of these deployments.
pub async fn load(db: &mut AnyConnection, ids: &[&str]) -> Result<HashMap<String, DeploymentRow>, sqlx::Error> {
    let mut rows = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("SELECT {COLUMNS} FROM rm_deployments WHERE deployment_id IN ({})", sql::list(chunk.len()));
        let select = chunk.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id));
        for row in select.fetch_all(&mut *db).await? {
            let row = DeploymentRow::from_row(&row)?;
            rows.insert(row.deployment_id.clone(), row);
        }
    }
    Ok(rows)
}

/// Writes the rows, inserting new ones and replacing changed ones.
pub async fn save(db: &mut AnyConnection, rows: &[DeploymentRow]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO rm_deployments ({COLUMNS}) VALUES {} ON CONFLICT (deployment_id) DO UPDATE SET \
             status = excluded.status, url = excluded.url, build_duration_ms = excluded.build_duration_ms, \
             error = excluded.error, manifest_sha256 = excluded.manifest_sha256, \
             file_count = excluded.file_count, total_bytes = excluded.total_bytes, \
             log_chunks = excluded.log_chunks, updated_at = excluded.updated_at",
            sql::values(chunk.len(), 18)
        );
        let upsert = chunk.iter().fold(sqlx::query(&sql), |q, r| {
            q.bind(r.deployment_id.as_str())
                .bind(r.project_id.as_str())
                .bind(r.organization_id.as_str())
                .bind(r.target.as_str())
                .bind(r.status.as_str())
                .bind(r.source_kind.as_str())
                .bind(r.source_ref.as_str())
                .bind(r.commit_sha.as_deref())
                .bind(i64::from(r.prebuilt))
                .bind(r.url.as_deref())
                .bind(r.build_duration_ms)
                .bind(r.error.as_deref())
                .bind(r.manifest_sha256.as_deref())
                .bind(r.file_count)
                .bind(r.total_bytes)
                .bind(r.log_chunks)
                .bind(r.created_at)
                .bind(r.updated_at)
        });
        upsert.execute(&mut *db).await?;
    }
    Ok(())
}

/// A chunk of a build's log, and its stream's owner when the log has its own stream
/// (`buildlog-<deployment>`, as the deployer writes it now).
pub async fn apply_log(
    db: &mut AnyConnection,
    recorded: &clouddeck_eventlog::RecordedEvent,
    chunk: &clouddeck_events::BuildLogChunk,
) -> Result<(), sqlx::Error> {
    // (a chunk numbered twice must not stop the read models: the first one stays)
    sqlx::query(
        "INSERT INTO rm_build_logs (deployment_id, sequence, lines) VALUES ($1, $2, $3) \
         ON CONFLICT (deployment_id, sequence) DO NOTHING",
    )
    .bind(&chunk.deployment_id)
    .bind(chunk.sequence)
    .bind(chunk.lines.join("\n"))
    .execute(&mut *db)
    .await?;
    let deployment_stream = clouddeck_events::stream_id("deployment", &chunk.deployment_id);
    if recorded.meta.stream_id != deployment_stream {
        crate::owners::same_owner(db, &recorded.meta.stream_id, &deployment_stream).await?;
    }
    Ok(())
}
