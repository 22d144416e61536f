//! Who is calling: a bearer secret is either a session (`cds_…`) or an API token (`cdt_…`),
//! looked up by its SHA-256 in the read models. Secrets themselves are never stored.

use clouddeck_command_handlers::Role;
use clouddeck_events::{Actor, Provenance};
use clouddeck_projections::queries;
use clouddeck_secrets::sha256_hex;
use sqlx::AnyPool;

pub const SESSION_PREFIX: &str = "cds";
pub const TOKEN_PREFIX: &str = "cdt";

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Anonymous,
    User {
        user_id: String,
        /// The SHA-256 (hex) of the session secret it signed in with: what `logout` ends and
        /// what an open subscription re-checks.
        session: String,
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
            Principal::User { user_id, .. } => Some(Actor::User(user_id.clone())),
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

/// A live token's role in its organization: its own role, bounded by its member's current
/// role. `None` when the token is revoked, expired, or its member left.
pub async fn token_role(db: &AnyPool, token_id: &str, now_ms: i64) -> Result<Option<Role>, sqlx::Error> {
    let row = queries::identity::live_token_roles(db, token_id, now_ms).await?;
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
        Principal::User { user_id, .. } => {
            let role = queries::identity::member_role(db, organization_id, user_id).await?;
            Ok(role.and_then(|role| role.parse().ok()))
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
        let (user_id, expires_at) =
            queries::identity::live_session(db, &hash, now_ms).await?.ok_or(AuthError::Rejected)?;
        return Ok((Principal::User { user_id, session: hash }, expires_at));
    }
    if secret.starts_with(&format!("{TOKEN_PREFIX}_")) {
        let (token_id, organization_id, expires) =
            queries::identity::live_token_by_secret(db, &hash, now_ms).await?.ok_or(AuthError::Rejected)?;
        return Ok((Principal::Token { token_id, organization_id }, expires.unwrap_or(i64::MAX)));
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
