//! The blob endpoints of a deploy, each for one project the caller may deploy to (the
//! developer role, as deploying needs):
//!
//! - `POST /v1/blobs/missing` `{ "organization", "project", "hashes": [...] }` answers which
//!   of the hashes the client must upload: every one its organization has not uploaded
//!   itself. Whether another organization stored the same bytes is never revealed: the store
//!   deduplicates internally, but an organization owns a blob only once it sent the bytes.
//! - `PUT /v1/blobs/{sha256}?organization=…&project=…` streams the body to disk while hashing
//!   it (memory holds one chunk, whatever the size), refuses more than the file limit (413),
//!   content that does not hash to the name (400) and what would take the organization past
//!   its plan's storage (403 QUOTA_EXCEEDED), then records the organization's upload.
//!
//! - `POST /v1/blobs?organization=…&project=…` takes many blobs in one request, each framed as
//!   a line `<sha256> <size>` and then exactly `size` bytes, each checked and recorded as a
//!   single `PUT` would: a site of many small files goes up in a few requests, inside the
//!   API's rate limit.
//!
//! Uploads that no deployment uses are forgotten, and their bytes removed, after a grace
//! period (workers' collector).

use crate::auth::{Principal, role_in};
use crate::error::{BAD_USER_INPUT, FORBIDDEN, INTERNAL, NOT_FOUND, QUOTA_EXCEEDED};
use crate::state::{ApiState, now_ms};
use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clouddeck_artifacts::{ArtifactError, check_hash};
use clouddeck_billing::Plan;
use clouddeck_command_handlers::Role;
use clouddeck_command_handlers::billing::OrganizationPlan;
use clouddeck_projections::uploads;
use std::collections::HashSet;

/// The most hashes one `missing` call may ask about.
pub const MAX_HASHES: usize = 20_000;

/// The answer every refusal gets: the API's error contract, as JSON.
pub fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut refused = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    // A body refused for its size was not read to its end: the connection closes after this
    // answer, and says so, so that no client sends its next request down it (RFC 9112, §9.6).
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        refused.headers_mut().insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    refused
}

#[derive(serde::Deserialize)]
pub struct MissingRequest {
    pub organization: Option<String>,
    pub project: Option<String>,
    pub hashes: Vec<String>,
}

/// `?organization=…&project=…` of an upload.
#[derive(serde::Deserialize)]
pub struct UploadTarget {
    pub organization: Option<String>,
    pub project: Option<String>,
}

/// The organization of a project the caller may deploy to, or the refusal: NOT_FOUND when the
/// caller cannot see it (so ids and slugs do not leak), FORBIDDEN for a viewer.
async fn deployable(
    state: &ApiState,
    principal: &Principal,
    organization: Option<&str>,
    project: Option<&str>,
) -> Result<String, Response> {
    let (Some(organization), Some(project)) = (organization, project) else {
        return Err(refusal(
            StatusCode::BAD_REQUEST,
            BAD_USER_INPUT,
            "name the organization and project the files are for (`organization` and `project`)",
        ));
    };
    let internal = |e: sqlx::Error| {
        tracing::error!(error = %e, "looking up an upload's project");
        refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error")
    };
    let found =
        clouddeck_projections::queries::projects::organization_of_project(&state.read_db, organization, project)
            .await
            .map_err(internal)?;
    let not_found =
        || refusal(StatusCode::NOT_FOUND, NOT_FOUND, &format!("project `{organization}/{project}` not found"));
    let Some(organization_id) = found else { return Err(not_found()) };
    match role_in(&state.read_db, principal, &organization_id, now_ms()).await.map_err(internal)? {
        None => Err(not_found()),
        Some(role) if role < Role::Developer => {
            Err(refusal(StatusCode::FORBIDDEN, FORBIDDEN, "uploading files needs the developer role"))
        }
        Some(_) => Ok(organization_id),
    }
}

/// Which of `request.hashes` the client must upload for this project.
pub async fn missing(state: &ApiState, principal: &Principal, request: MissingRequest) -> Response {
    if request.hashes.len() > MAX_HASHES {
        return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, "at most 20,000 hashes at once");
    }
    if let Some(bad) = request.hashes.iter().find(|h| check_hash(h).is_err()) {
        let shown: String = bad.chars().take(80).collect();
        return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &format!("`{shown}` is not a SHA-256"));
    }
    let organization_id =
        match deployable(state, principal, request.organization.as_deref(), request.project.as_deref()).await {
            Ok(id) => id,
            Err(refused) => return refused,
        };
    let owned = match uploads::owned(&state.read_db, &organization_id, &request.hashes).await {
        Ok(owned) => owned,
        Err(e) => {
            tracing::error!(error = %e, "reading uploads");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
        }
    };
    // What the organization uploaded but the store lost (collected, say) is missing too.
    let lacking: HashSet<String> = state.artifacts.missing(&request.hashes).await.into_iter().collect();
    let mut seen = HashSet::new();
    let missing: Vec<&String> = request
        .hashes
        .iter()
        .filter(|h| (!owned.contains(*h) || lacking.contains(*h)) && seen.insert(h.as_str()))
        .collect();
    Json(serde_json::json!({ "missing": missing })).into_response()
}

/// The organization's plan now.
/// The organization an upload for `target` goes to, and its plan; or the refusal.
async fn uploader(state: &ApiState, principal: &Principal, target: &UploadTarget) -> Result<(String, Plan), Response> {
    let organization_id =
        deployable(state, principal, target.organization.as_deref(), target.project.as_deref()).await?;
    let plan = plan(state, &organization_id).await?;
    Ok((organization_id, plan))
}

async fn plan(state: &ApiState, organization_id: &str) -> Result<Plan, Response> {
    state.handler.state::<OrganizationPlan>(organization_id).await.map(|s| s.plan).map_err(|e| {
        tracing::error!(error = %e, "reading a plan");
        refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error")
    })
}

fn over_quota(plan: &Plan) -> Response {
    let limit = plan.storage_bytes.unwrap_or_default();
    refusal(
        StatusCode::FORBIDDEN,
        QUOTA_EXCEEDED,
        &format!(
            "this upload would take the organization past its storage ({} MB on the {} plan): remove deployments or change plans",
            limit / 1_000_000,
            plan.name
        ),
    )
}

/// The longest header line of a batch part (`<64 hex> <size>`).
const PART_HEADER: usize = 128;

/// Stores the blobs of a batch (`POST /v1/blobs`), in order, stopping at the first that is
/// refused; the answer lists what was stored.
pub async fn upload_batch(
    state: &ApiState,
    principal: &Principal,
    target: UploadTarget,
    body: axum::body::Body,
) -> Response {
    use futures::TryStreamExt;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let (organization_id, plan) = match uploader(state, principal, &target).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    // The organization's storage, read once and kept up to date through the batch: summing it
    // per part made a 100,000-file upload quadratic.
    let mut held = match uploads::stored_bytes(&state.read_db, &organization_id).await {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(error = %e, "reading an organization's storage");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
        }
    };
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let mut reader = tokio_util::io::StreamReader::new(stream);
    let mut stored = Vec::new();
    loop {
        let mut header = Vec::new();
        match (&mut reader).take(PART_HEADER as u64).read_until(b'\n', &mut header).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &format!("reading the batch: {e}")),
        }
        let line = String::from_utf8_lossy(&header);
        let mut words = line.split_whitespace();
        let (Some(sha256), Some(Ok(size)), None) = (words.next(), words.next().map(str::parse::<u64>), words.next())
        else {
            let shown: String = line.chars().take(80).collect();
            return refusal(
                StatusCode::BAD_REQUEST,
                BAD_USER_INPUT,
                &format!("part {}: `{shown}` is not `<sha256> <size>`", stored.len() + 1),
            );
        };
        let sha256 = sha256.to_string();
        if size > state.max_file_bytes {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                BAD_USER_INPUT,
                &format!("`{sha256}`: a file may be at most {} bytes", state.max_file_bytes),
            );
        }
        let Ok(already) = uploads::owned(&state.read_db, &organization_id, std::slice::from_ref(&sha256)).await else {
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
        };
        let counted = already.is_empty();
        if counted && !plan.allows_storage(held, size as i64) {
            return over_quota(&plan);
        }
        let part = tokio_util::io::ReaderStream::new((&mut reader).take(size));
        let received = state.artifacts.put_blob_stream(&sha256, part, size).await;
        match received {
            Ok(got) if got == size => {}
            Ok(got) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    BAD_USER_INPUT,
                    &format!("`{sha256}`: the batch ended after {got} of {size} bytes"),
                );
            }
            Err(e @ (ArtifactError::BadHash(_) | ArtifactError::HashMismatch { .. })) => {
                return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &e.to_string());
            }
            Err(e) => {
                tracing::error!(error = %e, "storing a blob of a batch");
                return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
            }
        }
        if let Err(e) = uploads::record(&state.read_db, &organization_id, &sha256, size as i64, now_ms()).await {
            tracing::error!(error = %e, "recording an upload");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
        }
        if counted {
            held += size as i64;
        }
        stored.push(serde_json::json!({ "sha256": sha256, "size": size }));
    }
    (StatusCode::CREATED, Json(serde_json::json!({ "stored": stored }))).into_response()
}

/// Stores one blob for the project named in `target`.
pub async fn upload(
    state: &ApiState,
    principal: &Principal,
    sha256: &str,
    target: UploadTarget,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Response {
    if let Err(e) = check_hash(sha256) {
        return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &e.to_string());
    }
    let (organization_id, plan) = match uploader(state, principal, &target).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let already = uploads::owned(&state.read_db, &organization_id, &[sha256.to_string()]).await;
    let stored = uploads::stored_bytes(&state.read_db, &organization_id).await;
    let (Ok(already), Ok(stored)) = (already, stored) else {
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
    };
    let counted = already.is_empty();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    if counted && !plan.allows_storage(stored, declared) {
        return over_quota(&plan);
    }
    let size = match state.artifacts.put_blob_stream(sha256, body.into_data_stream(), state.max_file_bytes).await {
        Ok(size) => size,
        Err(e @ (ArtifactError::BadHash(_) | ArtifactError::HashMismatch { .. })) => {
            return refusal(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &e.to_string());
        }
        Err(ArtifactError::TooLarge { limit }) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                BAD_USER_INPUT,
                &format!("a file may be at most {limit} bytes"),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "storing a blob");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
        }
    };
    // (a body without a length is measured now; the bytes stay unowned and are collected)
    if counted && !plan.allows_storage(stored, size as i64) {
        return over_quota(&plan);
    }
    if let Err(e) = uploads::record(&state.read_db, &organization_id, sha256, size as i64, now_ms()).await {
        tracing::error!(error = %e, "recording an upload");
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error");
    }
    (StatusCode::CREATED, Json(serde_json::json!({ "sha256": sha256, "size": size }))).into_response()
}
