//! Users, organizations, members, invitations, API tokens and sessions.

use super::Row;
use sqlx::AnyPool;
use sqlx::Row as _;

/// A user's columns: `user_id, email, name, registered_at` (unix ms).
pub const USER_COLUMNS: &str = "user_id, email, name, registered_at";

/// An organization's columns: `organization_id, slug, name, created_at` (unix ms).
pub const ORGANIZATION_COLUMNS: &str = "organization_id, slug, name, created_at";

/// An API token's columns (never its secret's hash): `token_id, name, role, created_by,
/// created_at, expires_at, revoked_at` (times in unix ms).
pub const TOKEN_COLUMNS: &str = "token_id, name, role, created_by, created_at, expires_at, revoked_at";

/// An invitation's columns: `invitation_id, email, role, expires_at, accepted_by`.
pub const INVITATION_COLUMNS: &str = "invitation_id, email, role, expires_at, accepted_by";

/// Live tokens (`t`) with their member's membership (`m`): not revoked, not expired at `$1`,
/// and made by someone who is still a member (or by the system). A token whose member left
/// dies with the membership.
const LIVE_TOKENS: &str = "FROM rm_api_tokens t LEFT JOIN rm_members m \
     ON m.organization_id = t.organization_id AND m.user_id = t.member_user_id \
     WHERE t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $1) \
     AND (t.member_user_id IS NULL OR m.user_id IS NOT NULL)";

/// A user by id ([`USER_COLUMNS`]).
pub async fn user<T: Row>(db: &AnyPool, user_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM rm_users WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// An organization by id ([`ORGANIZATION_COLUMNS`]).
pub async fn organization<T: Row>(db: &AnyPool, organization_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ORGANIZATION_COLUMNS} FROM rm_organizations WHERE organization_id = $1"))
        .bind(organization_id)
        .fetch_optional(db)
        .await
}

/// The organization holding `slug` ([`ORGANIZATION_COLUMNS`]): the first created, as older
/// logs gave some slugs twice.
pub async fn organization_by_slug<T: Row>(db: &AnyPool, slug: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORGANIZATION_COLUMNS} FROM rm_organizations WHERE slug = $1 ORDER BY created_at LIMIT 1"
    ))
    .bind(slug)
    .fetch_optional(db)
    .await
}

/// The organizations `user_id` belongs to, by slug ([`ORGANIZATION_COLUMNS`]).
pub async fn organizations_of_user<T: Row>(db: &AnyPool, user_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.organization_id, o.slug, o.name, o.created_at FROM rm_organizations o \
         JOIN rm_members m ON m.organization_id = o.organization_id WHERE m.user_id = $1 ORDER BY o.slug",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// An organization's members with their users, in the order they joined: `(user_id, email,
/// name, registered_at, role, joined_at)`.
pub async fn members(
    db: &AnyPool,
    organization_id: &str,
) -> Result<Vec<(String, String, String, i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.user_id, u.email, u.name, u.registered_at, m.role, m.joined_at FROM rm_members m \
         JOIN rm_users u ON u.user_id = m.user_id WHERE m.organization_id = $1 ORDER BY m.joined_at, u.user_id",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// A member's role (`owner`, `admin`, …), if `user_id` is a member.
pub async fn member_role(db: &AnyPool, organization_id: &str, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT role FROM rm_members WHERE organization_id = $1 AND user_id = $2")
            .bind(organization_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(role,)| role))
}

/// An invitation by id ([`INVITATION_COLUMNS`]).
pub async fn invitation<T: Row>(db: &AnyPool, invitation_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {INVITATION_COLUMNS} FROM rm_invitations WHERE invitation_id = $1"))
        .bind(invitation_id)
        .fetch_optional(db)
        .await
}

/// The organization an invitation is for.
pub async fn invitation_organization(db: &AnyPool, invitation_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT organization_id FROM rm_invitations WHERE invitation_id = $1")
        .bind(invitation_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(o,)| o))
}

/// An organization's invitations, the soonest to expire first ([`INVITATION_COLUMNS`]).
pub async fn invitations<T: Row>(db: &AnyPool, organization_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM rm_invitations WHERE organization_id = $1 ORDER BY expires_at, invitation_id"
    ))
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// An API token by id ([`TOKEN_COLUMNS`]).
pub async fn api_token<T: Row>(db: &AnyPool, token_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {TOKEN_COLUMNS} FROM rm_api_tokens WHERE token_id = $1"))
        .bind(token_id)
        .fetch_optional(db)
        .await
}

/// An organization's API tokens, oldest first ([`TOKEN_COLUMNS`]).
pub async fn api_tokens<T: Row>(db: &AnyPool, organization_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TOKEN_COLUMNS} FROM rm_api_tokens WHERE organization_id = $1 ORDER BY created_at, token_id"
    ))
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// A live token's own role and its member's current role (none for a token the system
/// issued); `None` when the token is revoked, expired at `now_ms`, or its member left.
pub async fn live_token_roles(
    db: &AnyPool,
    token_id: &str,
    now_ms: i64,
) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT t.role, m.role {LIVE_TOKENS} AND t.token_id = $2"))
        .bind(now_ms)
        .bind(token_id)
        .fetch_optional(db)
        .await
}

/// The live token whose secret hashes to `secret_sha256`: `(token_id, organization_id,
/// expires_at)`.
pub async fn live_token_by_secret(
    db: &AnyPool,
    secret_sha256: &str,
    now_ms: i64,
) -> Result<Option<(String, String, Option<i64>)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT t.token_id, t.organization_id, t.expires_at {LIVE_TOKENS} AND t.secret_sha256 = $2"
    ))
    .bind(now_ms)
    .bind(secret_sha256)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))).transpose()
}

/// The session whose secret hashes to `secret_sha256`, unexpired at `now_ms`: `(user_id,
/// expires_at)`.
pub async fn live_session(
    db: &AnyPool,
    secret_sha256: &str,
    now_ms: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, expires_at FROM rm_sessions WHERE secret_sha256 = $1 AND expires_at > $2")
        .bind(secret_sha256)
        .bind(now_ms)
        .fetch_optional(db)
        .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
}
