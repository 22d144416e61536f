//! `POST /v1/hooks/github/{project}`: GitHub push events. The `X-Hub-Signature-256` HMAC is
//! checked with the project's secret. A request with a bad signature changes nothing: it is
//! counted, logged, and an address that keeps sending them is refused (429) for a while; it
//! never becomes an event. A signed push is processed once per delivery (`X-GitHub-Delivery`,
//! which GitHub keeps on redelivery) and only if the git host received it after the branch's
//! last recorded push (`repository.pushed_at`): a replayed or stale push neither deploys nor
//! counts a build. A valid push is fetched at its commit from the project's own repository
//! URL, within the egress policy, and deployed in the same append that records it: the
//! production branch to production, any other to a preview.

use crate::state::{ApiState, now_ms};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use clouddeck_command_handlers::DomainError;
use clouddeck_command_handlers::deployment::RequestDeployment;
use clouddeck_events::{Actor, Provenance, PushReceived, Target};
use clouddeck_secrets::signature_valid;
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::atomic::Ordering;

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Counts a badly signed request against its address (a token taken, in one atomic step, so
/// that requests sent at once cannot all pass); the answer: 401, or 429 once the address has
/// none left. Only bad signatures count: GitHub delivers every repository's hooks from a few
/// shared addresses, so valid deliveries must never be held off by others' traffic.
async fn refuse_bad_signature(state: &ApiState, peer: IpAddr) -> Response {
    let Err(wait) = state.webhook_refusals.take(&peer.to_string()).await else {
        return answer(
            StatusCode::UNAUTHORIZED,
            "the X-Hub-Signature-256 signature does not match this project's secret",
        );
    };
    let mut response = answer(StatusCode::TOO_MANY_REQUESTS, "too many requests with bad signatures; slow down");
    if let Ok(value) = axum::http::HeaderValue::from_str(&(wait.as_secs() + 1).to_string()) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    response
}

pub async fn github(state: &ApiState, project_id: &str, peer: IpAddr, headers: &HeaderMap, body: &[u8]) -> Response {
    let row = match clouddeck_projections::queries::projects::push_settings(&state.read_db, project_id).await {
        Ok(row) => row,
        Err(e) => {
            tracing::error!(error = %e, "webhook lookup");
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    };
    let Some((production_branch, Some(repository), Some(sealed))) = row else {
        return answer(StatusCode::NOT_FOUND, "no project follows a repository here");
    };
    let Ok(secret) = state.sealer.open(&sealed) else {
        tracing::error!(project = project_id, "a webhook secret cannot be opened: was the secret key changed?");
        return answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    if !signature_valid(&secret, body, signature) {
        let count = state.bad_webhook_signatures.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(project = project_id, %peer, total = count, "webhook with a bad signature refused");
        return refuse_bad_signature(state, peer).await;
    }
    let event = headers.get("x-github-event").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if event != "push" {
        return answer(StatusCode::OK, "ok");
    }
    let Some(delivery) = headers
        .get("x-github-delivery")
        .and_then(|v| v.to_str().ok())
        .filter(|d| !d.is_empty() && d.len() <= 100)
        .map(str::to_string)
    else {
        return answer(StatusCode::BAD_REQUEST, "an X-GitHub-Delivery header is required");
    };
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |pointer: &str| payload.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
    let Some(pushed_at) = payload.pointer("/repository/pushed_at").and_then(Value::as_i64) else {
        return answer(StatusCode::BAD_REQUEST, "the push has no repository.pushed_at");
    };
    let branch = text("/ref").strip_prefix("refs/heads/").unwrap_or_default().to_string();
    let commit = text("/after");
    let provenance = Provenance::new(Actor::System("github".into()));
    let push = PushReceived {
        project_id: project_id.into(),
        repository: repository.clone(),
        branch: branch.chars().take(255).collect(),
        commit_sha: commit.chars().take(64).collect(),
        pusher: text("/pusher/name").chars().take(255).collect(),
        signature_valid: true,
        delivery_id: delivery,
        pushed_at,
    };
    if branch.is_empty() || commit.chars().all(|c| c == '0') {
        return match state.handler.record_push(project_id, push, &provenance, now_ms()).await {
            Ok(_) => answer(StatusCode::ACCEPTED, "nothing to deploy (a tag or a deleted branch)"),
            Err(e) => refused_push(e),
        };
    }
    // Checked before the fetch (cheap), and again by the append that records it.
    if let Err(e) = state.handler.check_push(project_id, push.clone(), &provenance, now_ms()).await {
        return refused_push(e);
    }
    let checkout = std::env::temp_dir().join(format!("clouddeck-git-{}", uuid::Uuid::now_v7()));
    let fetched = async {
        clouddeck_artifacts::git::checkout(&repository, &commit, &checkout, &state.egress).await?;
        clouddeck_artifacts::git::store_tree(&checkout, &state.artifacts).await
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&checkout).await;
    let manifest = match fetched {
        Ok(manifest) => manifest,
        Err(e) => return answer(StatusCode::UNPROCESSABLE_ENTITY, &format!("cannot fetch {commit}: {e}")),
    };
    let deployment_id = uuid::Uuid::now_v7().to_string();
    let request = RequestDeployment {
        deployment_id: deployment_id.clone(),
        target: if branch == production_branch { Target::Production } else { Target::Preview }.as_str().into(),
        source_kind: "git".into(),
        source_ref: manifest,
        commit_sha: Some(commit),
        prebuilt: false,
    };
    match state.handler.deploy_push(project_id, push, request, &provenance, now_ms()).await {
        // Answer once the read models know the deployment, so it can be looked up at once.
        Ok(outcome) => match state.caught_up(outcome).await {
            Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "deployment": deployment_id }))).into_response(),
            Err(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        },
        Err(e) => refused_push(e),
    }
}

/// A push the source refused: a delivery seen before or a stale push is answered 200 (GitHub
/// need not retry it), anything else as the error it is.
fn refused_push(error: DomainError) -> Response {
    match error {
        DomainError::AlreadyExists(reason) => answer(StatusCode::OK, &format!("{reason}; nothing done")),
        e @ DomainError::IllegalTransition { .. } => answer(StatusCode::OK, &format!("{e}; nothing done")),
        DomainError::QuotaExceeded(reason) => answer(StatusCode::PAYMENT_REQUIRED, &reason),
        e @ DomainError::Invalid { .. } => answer(StatusCode::BAD_REQUEST, &e.to_string()),
        e => answer(StatusCode::CONFLICT, &e.to_string()),
    }
}
