//! First run: on a fresh data folder, `clouddeck up` creates an owner account and a personal
//! organization, and writes that account's API token to `<data dir>/admin-token` (0600), so
//! the CLI on the same machine works at once.

use crate::config::Config;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::organization::OrganizationCommand;
use clouddeck_command_handlers::user::{UserCommand, user_id_for};
use clouddeck_eventlog::{EventStore, now_ms};
use clouddeck_events::{Actor, Provenance};
use clouddeck_secrets::{new_secret, sha256_hex};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;

pub const ADMIN_EMAIL: &str = "admin@clouddeck.local";
pub const PERSONAL_ORG: &str = "personal";

pub fn admin_token_path(config: &Config) -> PathBuf {
    config.data_dir.join("admin-token")
}

/// Creates the owner, the organization and the token when the data folder has no token yet.
/// Returns the new token, or None when this is not a first run.
pub async fn first_run(config: &Config, store: Arc<dyn EventStore>) -> anyhow::Result<Option<String>> {
    let path = admin_token_path(config);
    if path.exists() {
        return Ok(None);
    }
    let handler = CommandHandler::new(store);
    let user_id = user_id_for(ADMIN_EMAIL);
    let owner = Provenance::new(Actor::User(user_id.clone()));
    let register = UserCommand::Register {
        user_id: user_id.clone(),
        email: ADMIN_EMAIL.into(),
        name: "Admin".into(),
        password_hash: None,
    };
    // A data folder whose token file was deleted keeps its account: only the token is new.
    match handler.user(&user_id, register, &owner, now_ms()).await {
        Ok(_) | Err(clouddeck_command_handlers::DomainError::AlreadyExists(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let organization_id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, user_id.as_bytes()).to_string();
    let create = OrganizationCommand::Create {
        organization_id: organization_id.clone(),
        slug: PERSONAL_ORG.into(),
        name: "Personal".into(),
    };
    match handler.organization(&organization_id, create, &owner, now_ms()).await {
        Ok(_) | Err(clouddeck_command_handlers::DomainError::AlreadyExists(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let token = new_secret(clouddeck_graphql_api::auth::TOKEN_PREFIX);
    let issue = OrganizationCommand::IssueApiToken {
        token_id: uuid::Uuid::now_v7().to_string(),
        name: "admin (first run)".into(),
        role: "owner".into(),
        secret_sha256: sha256_hex(&token),
        expires_at: None,
    };
    handler.organization(&organization_id, issue, &owner, now_ms()).await?;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
    file.write_all(token.as_bytes())?;
    Ok(Some(token))
}
