//! The dashboard's read models: users, organizations, members, invitations, API tokens
//! (metadata only), projects, env var names (never values) and deployments.

use crate::billing;
use crate::deployments::{self, DeploymentRow, deployment_of};
use crate::runner::Projection;
use async_trait::async_trait;
use clouddeck_command_handlers::organization::token_member;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use sqlx::AnyConnection;

pub struct ReadModels;

pub const TABLES: &[&str] = &[
    "rm_users",
    "rm_organizations",
    "rm_members",
    "rm_invitations",
    "rm_api_tokens",
    "rm_projects",
    "rm_env_vars",
    "rm_deployments",
    "rm_sessions",
    "rm_build_logs",
    "rm_stream_owners",
    "rm_plan_changes",
    "rm_usage",
    "rm_usage_events",
    "rm_invoices",
    "rm_invoice_lines",
    "rm_blocked",
    "rm_request_stats",
    "rm_request_paths",
];

async fn owner(db: &mut AnyConnection, stream: &str, organization_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_stream_owners (stream_id, organization_id) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING",
    )
    .bind(stream)
    .bind(organization_id)
    .execute(db)
    .await
    .map(drop)
}

async fn production(db: &mut AnyConnection, project_id: &str, deployment_id: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rm_projects SET production_deployment_id = $1, updated_at = $2 WHERE project_id = $3")
        .bind(deployment_id)
        .bind(at)
        .bind(project_id)
        .execute(db)
        .await
        .map(drop)
}

#[async_trait]
impl Projection for ReadModels {
    fn name(&self) -> &'static str {
        "read_models"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    /// Deployments are folded in memory and written once per batch; the rest row by row.
    async fn apply_batch(&self, db: &mut AnyConnection, events: &[(&RecordedEvent, Event)]) -> Result<(), sqlx::Error> {
        let mut ids: Vec<&str> = events
            .iter()
            .filter(|(_, e)| !matches!(e, Event::DeploymentRequested(_)))
            .filter_map(|(_, e)| deployment_of(e))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut rows = deployments::load(db, &ids).await?;
        let mut changed = Vec::new();
        let mut touched = billing::Touched::new();
        for (recorded, event) in events {
            if let Event::BuildLogChunk(e) = event {
                sqlx::query("INSERT INTO rm_build_logs (deployment_id, sequence, lines) VALUES ($1, $2, $3)")
                    .bind(&e.deployment_id)
                    .bind(e.sequence)
                    .bind(e.lines.join("\n"))
                    .execute(&mut *db)
                    .await?;
                // A build log's own stream (`buildlog-<id>`) belongs to its deployment's owner.
                let deployment_stream = clouddeck_events::stream_id("deployment", &e.deployment_id);
                if recorded.meta.stream_id != deployment_stream {
                    sqlx::query(
                        "INSERT INTO rm_stream_owners (stream_id, organization_id) \
                         SELECT $1, organization_id FROM rm_stream_owners WHERE stream_id = $2 \
                         ON CONFLICT (stream_id) DO NOTHING",
                    )
                    .bind(&recorded.meta.stream_id)
                    .bind(&deployment_stream)
                    .execute(&mut *db)
                    .await?;
                }
            }
            if let Event::DeploymentRequested(e) = event {
                owner(db, &recorded.meta.stream_id, &e.organization_id).await?;
            }
            match deployment_of(event) {
                Some(id) => {
                    let at = recorded.meta.recorded_at;
                    if let Some(row) = DeploymentRow::evolve(rows.remove(id), event, at) {
                        changed.push(row.deployment_id.clone());
                        rows.insert(row.deployment_id.clone(), row);
                    }
                }
                None => self.apply(db, recorded, event).await?,
            }
            billing::apply(db, recorded, event, &mut touched).await?;
            if let Event::RequestsAnalyzed(e) = event {
                crate::requests::apply(db, e).await?;
            }
        }
        billing::invoices(db, touched).await?;
        changed.sort_unstable();
        changed.dedup();
        let changed: Vec<DeploymentRow> = changed.iter().filter_map(|id| rows.remove(id)).collect();
        deployments::save(db, &changed).await
    }

    async fn apply(
        &self,
        db: &mut AnyConnection,
        recorded: &RecordedEvent,
        payload: &Event,
    ) -> Result<(), sqlx::Error> {
        let at = recorded.meta.recorded_at;
        let db = &mut *db;
        match payload {
            Event::UserRegistered(e) => {
                sqlx::query("INSERT INTO rm_users (user_id, email, name, registered_at) VALUES ($1, $2, $3, $4)")
                    .bind(&e.user_id)
                    .bind(e.email.to_lowercase())
                    .bind(&e.name)
                    .bind(at)
                    .execute(db)
                    .await?;
            }
            Event::SessionStarted(e) => {
                sqlx::query("INSERT INTO rm_sessions (secret_sha256, session_id, user_id, started_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&e.secret_sha256).bind(&e.session_id).bind(&e.user_id).bind(at).bind(e.expires_at)
                    .execute(db).await?;
            }
            Event::OrganizationCreated(e) => {
                owner(&mut *db, &recorded.meta.stream_id, &e.organization_id).await?;
                sqlx::query("INSERT INTO rm_organizations (organization_id, slug, name, owner_user_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&e.organization_id).bind(&e.slug).bind(&e.name).bind(&e.owner_user_id).bind(at)
                    .execute(&mut *db).await?;
                sqlx::query(
                    "INSERT INTO rm_members (organization_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)",
                )
                .bind(&e.organization_id)
                .bind(&e.owner_user_id)
                .bind(at)
                .execute(db)
                .await?;
            }
            Event::MemberInvited(e) => {
                sqlx::query("INSERT INTO rm_invitations (invitation_id, organization_id, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&e.invitation_id).bind(&e.organization_id).bind(&e.email).bind(&e.role).bind(&e.invited_by).bind(e.expires_at)
                    .execute(db).await?;
            }
            Event::MemberJoined(e) => {
                sqlx::query(
                    "INSERT INTO rm_members (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role",
                )
                .bind(&e.organization_id)
                .bind(&e.user_id)
                .bind(&e.role)
                .bind(at)
                .execute(&mut *db)
                .await?;
                if let Some(invitation) = &e.invitation_id {
                    sqlx::query("UPDATE rm_invitations SET accepted_by = $1 WHERE invitation_id = $2")
                        .bind(&e.user_id)
                        .bind(invitation)
                        .execute(db)
                        .await?;
                }
            }
            Event::MemberRoleChanged(e) => {
                sqlx::query("UPDATE rm_members SET role = $1 WHERE organization_id = $2 AND user_id = $3")
                    .bind(&e.to_role)
                    .bind(&e.organization_id)
                    .bind(&e.user_id)
                    .execute(db)
                    .await?;
            }
            Event::MemberRemoved(e) => {
                sqlx::query("DELETE FROM rm_members WHERE organization_id = $1 AND user_id = $2")
                    .bind(&e.organization_id)
                    .bind(&e.user_id)
                    .execute(db)
                    .await?;
            }
            Event::ApiTokenIssued(e) => {
                let creator: Option<(Option<String>,)> = match e.created_by.strip_prefix("token:") {
                    Some(token) => {
                        sqlx::query_as("SELECT member_user_id FROM rm_api_tokens WHERE token_id = $1")
                            .bind(token)
                            .fetch_optional(&mut *db)
                            .await?
                    }
                    None => None,
                };
                let member = token_member(&e.created_by, |_| creator.clone().map(|(member,)| member));
                sqlx::query("INSERT INTO rm_api_tokens (token_id, organization_id, name, role, secret_sha256, created_by, created_at, expires_at, member_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&e.token_id).bind(&e.organization_id).bind(&e.name).bind(&e.role).bind(&e.secret_sha256).bind(&e.created_by).bind(at).bind(e.expires_at).bind(member)
                    .execute(db).await?;
            }
            Event::ApiTokenRevoked(e) => {
                sqlx::query("UPDATE rm_api_tokens SET revoked_at = $1 WHERE token_id = $2")
                    .bind(at)
                    .bind(&e.token_id)
                    .execute(db)
                    .await?;
            }
            Event::ProjectCreated(e) => {
                owner(&mut *db, &recorded.meta.stream_id, &e.organization_id).await?;
                // What is pushed or uploaded for the project belongs to its organization too.
                owner(&mut *db, &format!("source-{}", e.project_id), &e.organization_id).await?;
                // The first live project with a slug holds its host name (see 1007_public_names).
                let held: Option<(String,)> =
                    sqlx::query_as("SELECT project_id FROM rm_projects WHERE hostname = $1 AND deleted_at IS NULL")
                        .bind(&e.slug)
                        .fetch_optional(&mut *db)
                        .await?;
                let hostname = held.is_none().then(|| e.slug.clone());
                sqlx::query("INSERT INTO rm_projects (project_id, organization_id, slug, name, framework, production_branch, created_at, updated_at, hostname) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)")
                    .bind(&e.project_id).bind(&e.organization_id).bind(&e.slug).bind(&e.name).bind(&e.framework).bind(&e.production_branch).bind(at).bind(hostname)
                    .execute(db).await?;
            }
            Event::ProjectSettingsChanged(e) => {
                sqlx::query("UPDATE rm_projects SET name = COALESCE($1, name), framework = COALESCE($2, framework), \
                             install_command = COALESCE($3, install_command), build_command = COALESCE($4, build_command), \
                             output_directory = COALESCE($5, output_directory), root_directory = COALESCE($6, root_directory), \
                             production_branch = COALESCE($7, production_branch), updated_at = $8 WHERE project_id = $9")
                    .bind(&e.name).bind(&e.framework).bind(&e.install_command).bind(&e.build_command)
                    .bind(&e.output_directory).bind(&e.root_directory).bind(&e.production_branch).bind(at).bind(&e.project_id)
                    .execute(db).await?;
            }
            Event::EnvVarSet(e) => {
                sqlx::query(
                    "INSERT INTO rm_env_vars (project_id, key, target, updated_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (project_id, key, target) DO UPDATE SET updated_at = excluded.updated_at",
                )
                .bind(&e.project_id)
                .bind(&e.key)
                .bind(&e.target)
                .bind(at)
                .execute(db)
                .await?;
            }
            Event::EnvVarRemoved(e) => {
                sqlx::query("DELETE FROM rm_env_vars WHERE project_id = $1 AND key = $2 AND target = $3")
                    .bind(&e.project_id)
                    .bind(&e.key)
                    .bind(&e.target)
                    .execute(db)
                    .await?;
            }
            Event::GitConnected(e) => {
                sqlx::query("UPDATE rm_projects SET git_repository = $1, sealed_webhook_secret = $2, updated_at = $3 WHERE project_id = $4")
                    .bind(&e.repository_url)
                    .bind(&e.sealed_webhook_secret)
                    .bind(at)
                    .bind(&e.project_id)
                    .execute(db)
                    .await?;
            }
            Event::ProjectDeleted(e) => {
                sqlx::query(
                    "UPDATE rm_projects SET deleted_at = $1, updated_at = $1, hostname = NULL WHERE project_id = $2",
                )
                .bind(at)
                .bind(&e.project_id)
                .execute(db)
                .await?;
            }
            Event::DeploymentPromoted(e) => production(db, &e.project_id, &e.deployment_id, at).await?,
            Event::DeploymentRolledBack(e) => production(db, &e.project_id, &e.deployment_id, at).await?,
            _ => {}
        }
        Ok(())
    }
}
