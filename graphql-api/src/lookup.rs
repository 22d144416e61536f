//! Finding an organization or a project by slug, for a caller who may see it: anything the
//! caller may not see answers NOT_FOUND, so ids and slugs do not leak.

use crate::access::{can_see, principal};
use crate::auth::Principal;
use crate::error::{db, not_found, unauthenticated};
use crate::state::state;
use crate::types::{ORGANIZATION_COLUMNS, Organization, PROJECT_COLUMNS, Project};
use async_graphql::{Context, Result};

/// The organization with this slug, if the caller may see it.
pub async fn organization(ctx: &Context<'_>, slug: &str) -> Result<Organization> {
    let found: Option<Organization> =
        // (the first created holds a slug that older logs gave twice)
        sqlx::query_as(&format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM rm_organizations WHERE slug = $1 ORDER BY created_at LIMIT 1"
        ))
            .bind(slug)
            .fetch_optional(&state(ctx).read_db)
            .await
            .map_err(db)?;
    match found {
        Some(org) if can_see(ctx, &org.id).await? => Ok(org),
        _ => Err(not_found(&format!("organization `{slug}`"))),
    }
}

/// A live project by organization and project slug, if the caller may see it: one query,
/// as this is on the dashboard's hottest path.
pub async fn project(ctx: &Context<'_>, organization_slug: &str, slug: &str) -> Result<Project> {
    let columns: Vec<String> = PROJECT_COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect();
    let (scope, key) = match principal(ctx) {
        Principal::Anonymous => return Err(unauthenticated()),
        Principal::User { user_id } => {
            ("JOIN rm_members m ON m.organization_id = o.organization_id AND m.user_id = $3", user_id)
        }
        Principal::Token { organization_id, .. } => {
            // (a token's liveness: over a WebSocket it was checked only when the socket opened)
            if !can_see(ctx, organization_id).await? {
                return Err(not_found(&format!("project `{organization_slug}/{slug}`")));
            }
            ("AND o.organization_id = $3", organization_id)
        }
    };
    let found: Option<Project> = sqlx::query_as(&format!(
        "SELECT {} FROM rm_projects p JOIN rm_organizations o ON o.organization_id = p.organization_id {scope} \
         WHERE o.slug = $1 AND p.slug = $2 AND p.deleted_at IS NULL",
        columns.join(", ")
    ))
    .bind(organization_slug)
    .bind(slug)
    .bind(key)
    .fetch_optional(&state(ctx).read_db)
    .await
    .map_err(db)?;
    found.ok_or_else(|| not_found(&format!("project `{organization_slug}/{slug}`")))
}
