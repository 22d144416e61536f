//! Who is calling: a bearer secret is either a session (`cds_…`) or an API token (`cdt_…`),
//! looked up by its SHA-256 in the read models. Secrets themselves are never stored.

use crate::secrets::sha256_hex;
use clouddeck_events::{Actor, Provenance};
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

/// Resolves an `Authorization` header value; no header is `Anonymous`.
pub async fn authenticate(db: &AnyPool, header: Option<&str>, now_ms: i64) -> Result<Principal, AuthError> {
    let Some(header) = header else {
        return Ok(Principal::Anonymous);
    };
    let secret = header.strip_prefix("Bearer ").map(str::trim).ok_or(AuthError::Malformed)?;
    let hash = sha256_hex(secret);
    if secret.starts_with(&format!("{SESSION_PREFIX}_")) {
        let row = sqlx::query("SELECT user_id FROM rm_sessions WHERE secret_sha256 = $1 AND expires_at > $2")
            .bind(&hash)
            .bind(now_ms)
            .fetch_optional(db)
            .await?;
        let row = row.ok_or(AuthError::Rejected)?;
        return Ok(Principal::User { user_id: row.try_get(0)? });
    }
    if secret.starts_with(&format!("{TOKEN_PREFIX}_")) {
        let row = sqlx::query(
            "SELECT token_id, organization_id FROM rm_api_tokens WHERE secret_sha256 = $1 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(&hash)
        .bind(now_ms)
        .fetch_optional(db)
        .await?;
        let row = row.ok_or(AuthError::Rejected)?;
        return Ok(Principal::Token { token_id: row.try_get(0)?, organization_id: row.try_get(1)? });
    }
    Err(AuthError::Rejected)
}
