//! Projects: their settings, env var names (never values), git connection, deletion, host
//! name and production alias. Reads nothing of another area.

use crate::owners;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use sqlx::AnyConnection;

/// Applies `event`'s effect on this area's tables (nothing for another area's event).
pub async fn apply(db: &mut AnyConnection, recorded: &RecordedEvent, event: &Event) -> Result<(), sqlx::Error> {
    let at = recorded.meta.recorded_at;
    let db = &mut *db;
    match event {
        Event::ProjectCreated(e) => {
            owners::owner(&mut *db, &recorded.meta.stream_id, &e.organization_id).await?;
            // What is pushed or uploaded for the project belongs to its organization too.
            owners::owner(&mut *db, &format!("source-{}", e.project_id), &e.organization_id).await?;
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

async fn production(db: &mut AnyConnection, project_id: &str, deployment_id: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rm_projects SET production_deployment_id = $1, updated_at = $2 WHERE project_id = $3")
        .bind(deployment_id)
        .bind(at)
        .bind(project_id)
        .execute(db)
        .await
        .map(drop)
}
