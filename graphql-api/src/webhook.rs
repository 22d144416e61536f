//! `POST /v1/hooks/github/{project}`: GitHub push events. The `X-Hub-Signature-256` HMAC is
//! checked with the project's secret; every push is recorded, refused ones too. A valid push
//! is fetched at its commit from the project's own repository URL and deployed: the
//! production branch to production, any other to a preview.

use crate::state::{ApiState, now_ms};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use clouddeck_command_handlers::deployment::RequestDeployment;
use clouddeck_events::{Actor, Provenance, PushReceived};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Whether `signature` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`,
/// compared in constant time.
pub fn signature_valid(secret: &str, body: &[u8], signature: Option<&str>) -> bool {
    let Some(hex) = signature.and_then(|s| s.strip_prefix("sha256=")) else { return false };
    let Some(expected) = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

pub async fn github(state: &ApiState, project_id: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let row: Option<(String, Option<String>, Option<String>)> = match sqlx::query_as(
        "SELECT production_branch, git_repository, sealed_webhook_secret FROM rm_projects WHERE project_id = $1 AND deleted_at IS NULL",
    )
    .bind(project_id)
    .fetch_optional(&state.read_db)
    .await
    {
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
    let valid = signature_valid(&secret, body, signature);
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |pointer: &str| payload.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
    let git_ref = text("/ref");
    let branch = git_ref.strip_prefix("refs/heads/").unwrap_or_default().to_string();
    let commit = text("/after");
    let event = headers.get("x-github-event").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let provenance = Provenance::new(Actor::System("github".into()));
    if event == "push" || !valid {
        let push = PushReceived {
            project_id: project_id.into(),
            repository: repository.clone(),
            branch: branch.chars().take(255).collect(),
            commit_sha: commit.chars().take(64).collect(),
            pusher: text("/pusher/name").chars().take(255).collect(),
            signature_valid: valid,
        };
        if let Err(e) = state.handler.record_push(project_id, push, &provenance, now_ms()).await {
            tracing::warn!(error = %e, "recording a push");
        }
    }
    if !valid {
        return answer(
            StatusCode::UNAUTHORIZED,
            "the X-Hub-Signature-256 signature does not match this project's secret",
        );
    }
    if event != "push" {
        return answer(StatusCode::OK, "ok");
    }
    if branch.is_empty() || commit.chars().all(|c| c == '0') {
        return answer(StatusCode::ACCEPTED, "nothing to deploy (a tag or a deleted branch)");
    }
    let checkout = std::env::temp_dir().join(format!("clouddeck-git-{}", uuid::Uuid::now_v7()));
    let fetched = async {
        clouddeck_workers::git::checkout(&repository, &commit, &checkout).await?;
        clouddeck_workers::git::store_tree(&checkout, &state.artifacts).await
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
        target: if branch == production_branch { "production".into() } else { "preview".into() },
        source_kind: "git".into(),
        source_ref: manifest,
        commit_sha: Some(commit),
        prebuilt: false,
    };
    match state.handler.request_deployment(project_id, request, &provenance, now_ms()).await {
        // Answer once the read models know the deployment, so it can be looked up at once.
        Ok(outcome) => match state.caught_up(outcome).await {
            Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "deployment": deployment_id }))).into_response(),
            Err(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        },
        Err(e) => answer(StatusCode::CONFLICT, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_and_body() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(b"{\"ref\":1}");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let good = format!("sha256={hex}");
        assert!(signature_valid("s3cret", b"{\"ref\":1}", Some(&good)));
        assert!(!signature_valid("other", b"{\"ref\":1}", Some(&good)));
        assert!(!signature_valid("s3cret", b"{\"ref\":2}", Some(&good)));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", None));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", Some("sha256=zz")));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", Some(&hex)));
    }
}
