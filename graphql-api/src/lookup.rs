//! Finding an organization or a project by slug, for a caller who may see it: anything the
//! caller may not see answers NOT_FOUND, so ids and slugs do not leak.

use crate::access::{can_see, principal};
use crate::auth::Principal;
use crate::error::{db, not_found, unauthenticated};
use crate::state::state;
use crate::types::{Organization, Project};
use async_graphql::{Context, Result};
use clouddeck_projections::queries;
use clouddeck_projections::queries::projects::Scope;

/// The organization with this slug, if the caller may see it.
pub async fn organization(ctx: &Context<'_>, slug: &str) -> Result<Organization> {
    let found: Option<Organization> =
        queries::identity::organization_by_slug(&state(ctx).read_db, slug).await.map_err(db)?;
    match found {
        Some(org) if can_see(ctx, &org.id).await? => Ok(org),
        _ => Err(not_found(&format!("organization `{slug}`"))),
    }
}

/// A live project by organization and project slug, if the caller may see it: one query,
/// as this is on the dashboard's hottest path.
pub async fn project(ctx: &Context<'_>, organization_slug: &str, slug: &str) -> Result<Project> {
    let scope = match principal(ctx) {
        Principal::Anonymous => return Err(unauthenticated()),
        Principal::User { user_id, .. } => Scope::MemberOf(user_id),
        Principal::Token { organization_id, .. } => {
            // (a token's liveness: over a WebSocket it was checked only when the socket opened)
            if !can_see(ctx, organization_id).await? {
                return Err(not_found(&format!("project `{organization_slug}/{slug}`")));
            }
            Scope::Organization(organization_id)
        }
    };
    let found: Option<Project> =
        queries::projects::project_by_slugs(&state(ctx).read_db, organization_slug, slug, scope).await.map_err(db)?;
    found.ok_or_else(|| not_found(&format!("project `{organization_slug}/{slug}`")))
}
