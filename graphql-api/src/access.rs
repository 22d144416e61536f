//! Read access: what the caller may see. Members see their organizations; an API token
//! sees its own. Anything else answers NOT_FOUND, so ids and slugs do not leak.

use crate::auth::Principal;
use crate::error::{db, unauthenticated};
use crate::state::state;
use async_graphql::{Context, Result};

pub fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_unchecked::<Principal>()
}

/// Whether the caller can see organization `organization_id`: a member, or a live token of
/// it whose member is still one.
pub async fn can_see(ctx: &Context<'_>, organization_id: &str) -> Result<bool> {
    if matches!(principal(ctx), Principal::Anonymous) {
        return Err(unauthenticated());
    }
    let role = crate::auth::role_in(&state(ctx).read_db, principal(ctx), organization_id, crate::state::now_ms())
        .await
        .map_err(db)?;
    Ok(role.is_some())
}

/// Refuses (FORBIDDEN) unless the caller holds at least `needed` in the organization: the
/// member's role, or the API token's.
pub async fn require_role(
    ctx: &Context<'_>,
    organization_id: &str,
    needed: clouddeck_command_handlers::Role,
    what: &str,
) -> Result<()> {
    if matches!(principal(ctx), Principal::Anonymous) {
        return Err(unauthenticated());
    }
    let role = crate::auth::role_in(&state(ctx).read_db, principal(ctx), organization_id, crate::state::now_ms())
        .await
        .map_err(db)?;
    match role {
        Some(role) if role >= needed => Ok(()),
        _ => Err(crate::error::coded(crate::error::FORBIDDEN, format!("{what} needs the {needed} role"))),
    }
}
