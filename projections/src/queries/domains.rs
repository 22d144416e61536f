//! Custom domains.

use super::Row;
use clouddeck_command_handlers::domain::DomainStatus;
use sqlx::AnyPool;

/// Removed domains' rows stay (for the audit's sake); no question sees them.
const REMOVED: &str = DomainStatus::Removed.as_str();

/// A domain's columns: `domain_id, organization_id, project_id, hostname, verification_token,
/// redirect_to, status, last_error, checks, certificate_status, certificate_issuer,
/// certificate_not_before, certificate_not_after` (unix ms), `certificate_error, created_at,
/// updated_at, hsts_max_age` (seconds, 0: off), `hsts_include_subdomains` (0 or 1),
/// `answered_request` (the log position of the last verification request a check answered).
pub const DOMAIN_COLUMNS: &str = "domain_id, organization_id, project_id, hostname, verification_token, redirect_to, \
     status, last_error, checks, certificate_status, certificate_issuer, certificate_not_before, \
     certificate_not_after, certificate_error, created_at, updated_at, hsts_max_age, hsts_include_subdomains, answered_request";

/// A domain by id, unless removed ([`DOMAIN_COLUMNS`]).
pub async fn domain<T: Row>(db: &AnyPool, domain_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {DOMAIN_COLUMNS} FROM rm_domains WHERE domain_id = $1 AND status <> $2"))
        .bind(domain_id)
        .bind(REMOVED)
        .fetch_optional(db)
        .await
}

/// A project's domains that are not removed, by hostname ([`DOMAIN_COLUMNS`]).
pub async fn domains_of_project<T: Row>(db: &AnyPool, project_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DOMAIN_COLUMNS} FROM rm_domains WHERE project_id = $1 AND status <> $2 ORDER BY hostname"
    ))
    .bind(project_id)
    .bind(REMOVED)
    .fetch_all(db)
    .await
}

/// How many domains an organization has that are not removed.
pub async fn count_of_organization(db: &AnyPool, organization_id: &str) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM rm_domains WHERE organization_id = $1 AND status <> $2")
            .bind(organization_id)
            .bind(REMOVED)
            .fetch_one(db)
            .await?;
    Ok(count)
}
