//! Who is calling: a bearer secret is either a session (`cds_…`) or an API token (`cdt_…`),
//! looked up by its SHA-256 in the read models. Secrets themselves are never stored.

use clouddeck_command_handlers::Role;
use clouddeck_events::{Actor, Provenance};
use clouddeck_secrets::sha256_hex;
use sqlx::{AnyPool, Row};

pub const SESSION_PREFIX: &str = "cds";
pub const TOKEN_PREFIX: &str = "cdt";

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Anonymous,
    User {
        user_id: String,
    },
    /// An API token acts inside its one organization, with the token's role.
    Token {
        token_id: String,
        organization_id: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    #[error("the token is unknown, expired or revoked")]
    Rejected,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl Principal {
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Principal::Anonymous => None,
            Principal::User { user_id } => Some(Actor::User(user_id.clone())),
            Principal::Token { token_id, .. } => Some(Actor::ApiToken(token_id.clone())),
        }
    }

    pub fn provenance(&self) -> Result<Provenance, async_graphql::Error> {
        self.actor().map(Provenance::new).ok_or_else(crate::error::unauthenticated)
    }

    /// A stable key for rate limits and idempotency (never the secret itself).
    pub fn key(&self) -> Option<String> {
        self.actor().map(|a| a.to_string())
    }
}

/// Live tokens (`t`) with their member's membership (`m`): not revoked, not expired at `$1`,
/// and made by someone who is still a member (or by the system). A token whose member left
/// dies with the membership.
const LIVE_TOKENS: &str = "FROM rm_api_tokens t LEFT JOIN rm_members m \
     ON m.organization_id = t.organization_id AND m.user_id = t.member_user_id \
     WHERE t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $1) \
     AND (t.member_user_id IS NULL OR m.user_id IS NOT NULL)";

/// A live token's role in its organization: its own role, bounded by its member's current
/// role. `None` when the token is revoked, expired, or its member left.
pub async fn token_role(db: &AnyPool, token_id: &str, now_ms: i64) -> Result<Option<Role>, sqlx::Error> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as(&format!("SELECT t.role, m.role {LIVE_TOKENS} AND t.token_id = $2"))
            .bind(now_ms)
            .bind(token_id)
            .fetch_optional(db)
            .await?;
    Ok(row.and_then(|(own, member)| {
        let own = own.parse::<Role>().ok()?;
        match member {
            Some(member) => member.parse::<Role>().ok().map(|member| own.min(member)),
            None => Some(own),
        }
    }))
}

/// The caller's role in `organization_id` now: a member's role, or a live token's bounded
/// role. `None`: no standing there.
pub async fn role_in(
    db: &AnyPool,
    principal: &Principal,
    organization_id: &str,
    now_ms: i64,
) -> Result<Option<Role>, sqlx::Error> {
    match principal {
        Principal::Anonymous => Ok(None),
        Principal::User { user_id } => {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT role FROM rm_members WHERE organization_id = $1 AND user_id = $2")
                    .bind(organization_id)
                    .bind(user_id)
                    .fetch_optional(db)
                    .await?;
            Ok(row.and_then(|(role,)| role.parse().ok()))
        }
        Principal::Token { token_id, organization_id: own } if own == organization_id => {
            token_role(db, token_id, now_ms).await
        }
        Principal::Token { .. } => Ok(None),
    }
}

/// Resolves an `Authorization` header value; no header is `Anonymous`.
pub async fn authenticate(db: &AnyPool, header: Option<&str>, now_ms: i64) -> Result<Principal, AuthError> {
    Ok(lookup(db, header, now_ms).await?.0)
}

/// The principal and when its secret stops working (unix ms).
async fn lookup(db: &AnyPool, header: Option<&str>, now_ms: i64) -> Result<(Principal, i64), AuthError> {
    let Some(header) = header else { return Ok((Principal::Anonymous, i64::MAX)) };
    let secret = header.strip_prefix("Bearer ").map(str::trim).ok_or(AuthError::Malformed)?;
    let hash = sha256_hex(secret);
    if secret.starts_with(&format!("{SESSION_PREFIX}_")) {
        let row =
            sqlx::query("SELECT user_id, expires_at FROM rm_sessions WHERE secret_sha256 = $1 AND expires_at > $2")
                .bind(&hash)
                .bind(now_ms)
                .fetch_optional(db)
                .await?;
        let row = row.ok_or(AuthError::Rejected)?;
        return Ok((Principal::User { user_id: row.try_get(0)? }, row.try_get(1)?));
    }
    if secret.starts_with(&format!("{TOKEN_PREFIX}_")) {
        let row = sqlx::query(&format!(
            "SELECT t.token_id, t.organization_id, t.expires_at {LIVE_TOKENS} AND t.secret_sha256 = $2"
        ))
        .bind(now_ms)
        .bind(&hash)
        .fetch_optional(db)
        .await?;
        let row = row.ok_or(AuthError::Rejected)?;
        let expires: Option<i64> = row.try_get(2)?;
        return Ok((
            Principal::Token { token_id: row.try_get(0)?, organization_id: row.try_get(1)? },
            expires.unwrap_or(i64::MAX),
        ));
    }
    Err(AuthError::Rejected)
}

/// Answers for secrets seen before, while the read models stand still: a revocation or a
/// new session moves the projection's position, and the next request looks again. Expiry
/// is checked against the clock on every use.
#[derive(Default)]
pub struct PrincipalCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (i64, Principal, i64)>>,
}

impl PrincipalCache {
    pub async fn authenticate(
        &self,
        db: &AnyPool,
        header: Option<&str>,
        now_ms: i64,
        position: i64,
    ) -> Result<Principal, AuthError> {
        let Some(key) = header.map(sha256_hex) else { return Ok(Principal::Anonymous) };
        if let Some((at, principal, expires)) = self.entries.lock().ok().and_then(|e| e.get(&key).cloned())
            && at == position
            && expires > now_ms
        {
            return Ok(principal);
        }
        let (principal, expires) = lookup(db, header, now_ms).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 100_000 {
                entries.clear();
            }
            entries.insert(key, (position, principal.clone(), expires));
        }
        Ok(principal)
    }
}
