//! Projects and their env vars.

use super::Row;
use sqlx::AnyPool;

/// A project's columns: `project_id, slug, name, framework, production_branch,
/// install_command, build_command, output_directory, root_directory,
/// production_deployment_id, created_at` (unix ms), `organization_id`.
pub const PROJECT_COLUMNS: &str = "project_id, slug, name, framework, production_branch, \
     install_command, build_command, output_directory, root_directory, production_deployment_id, created_at, \
     organization_id";

/// Whose projects a lookup may find.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Organizations this user is a member of.
    MemberOf(&'a str),
    /// This organization only.
    Organization(&'a str),
}

/// A live project by organization slug and project slug, within `scope` ([`PROJECT_COLUMNS`]):
/// one query, as this is on the dashboard's hottest path.
pub async fn project_by_slugs<T: Row>(
    db: &AnyPool,
    organization_slug: &str,
    slug: &str,
    scope: Scope<'_>,
) -> Result<Option<T>, sqlx::Error> {
    let columns: Vec<String> = PROJECT_COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect();
    let (filter, key) = match scope {
        Scope::MemberOf(user_id) => {
            ("JOIN rm_members m ON m.organization_id = o.organization_id AND m.user_id = $3", user_id)
        }
        Scope::Organization(organization_id) => ("AND o.organization_id = $3", organization_id),
    };
    sqlx::query_as(&format!(
        "SELECT {} FROM rm_projects p JOIN rm_organizations o ON o.organization_id = p.organization_id {filter} \
         WHERE o.slug = $1 AND p.slug = $2 AND p.deleted_at IS NULL",
        columns.join(", ")
    ))
    .bind(organization_slug)
    .bind(slug)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// The organization id of the live project `organization_slug/slug`, whoever asks.
pub async fn organization_of_project(
    db: &AnyPool,
    organization_slug: &str,
    slug: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT o.organization_id FROM rm_projects p JOIN rm_organizations o ON o.organization_id = p.organization_id \
         WHERE o.slug = $1 AND p.slug = $2 AND p.deleted_at IS NULL",
    )
    .bind(organization_slug)
    .bind(slug)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(o,)| o))
}

/// An organization's live projects by slug ([`PROJECT_COLUMNS`]).
pub async fn projects<T: Row>(db: &AnyPool, organization_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PROJECT_COLUMNS} FROM rm_projects WHERE organization_id = $1 AND deleted_at IS NULL ORDER BY slug"
    ))
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// What a git push to a live project is checked against: `(production_branch,
/// git_repository, sealed_webhook_secret)`.
pub async fn push_settings(
    db: &AnyPool,
    project_id: &str,
) -> Result<Option<(String, Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT production_branch, git_repository, sealed_webhook_secret FROM rm_projects \
         WHERE project_id = $1 AND deleted_at IS NULL",
    )
    .bind(project_id)
    .fetch_optional(db)
    .await
}

/// A project's env vars without their values, by key and target: `(key, target,
/// updated_at)`.
pub async fn env_vars(db: &AnyPool, project_id: &str) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT key, target, updated_at FROM rm_env_vars WHERE project_id = $1 ORDER BY key, target")
        .bind(project_id)
        .fetch_all(db)
        .await
}
