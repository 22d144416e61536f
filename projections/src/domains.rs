//! Custom domains (`rm_domains`): status, the DNS record to publish, the last check's error,
//! and the serving certificate's issuer and validity. Reads nothing of another area.

use crate::owners;
use clouddeck_command_handlers::domain::DomainStatus;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use sqlx::AnyConnection;

/// Applies `event`'s effect on this area's table (nothing for another area's event).
pub async fn apply(db: &mut AnyConnection, recorded: &RecordedEvent, event: &Event) -> Result<(), sqlx::Error> {
    let at = recorded.meta.recorded_at;
    let db = &mut *db;
    match event {
        Event::DomainAdded(e) => {
            owners::owner(&mut *db, &recorded.meta.stream_id, &e.organization_id).await?;
            // Re-added after a removal: the same stream, a fresh row.
            sqlx::query(
                "INSERT INTO rm_domains (domain_id, organization_id, project_id, hostname, verification_token, \
                 redirect_to, status, checks, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $8, 0, $7, $7) \
                 ON CONFLICT (domain_id) DO UPDATE SET project_id = excluded.project_id, \
                 verification_token = excluded.verification_token, redirect_to = excluded.redirect_to, \
                 status = excluded.status, last_error = NULL, checks = 0, certificate_status = NULL, \
                 certificate_issuer = NULL, certificate_not_before = NULL, certificate_not_after = NULL, \
                 certificate_error = NULL, hsts_max_age = 0, hsts_include_subdomains = 0, \
                 created_at = excluded.created_at, updated_at = excluded.updated_at",
            )
            .bind(&e.domain_id)
            .bind(&e.organization_id)
            .bind(&e.project_id)
            .bind(&e.hostname)
            .bind(&e.verification_token)
            .bind(&e.redirect_to)
            .bind(at)
            .bind(DomainStatus::Pending.as_str())
            .execute(db)
            .await?;
        }
        Event::DomainVerified(e) => {
            sqlx::query(
                "UPDATE rm_domains SET status = $4, last_error = NULL, checks = checks + 1, updated_at = $1, \
                 answered_request = CASE WHEN answered_request > $3 THEN answered_request ELSE $3 END WHERE domain_id = $2",
            )
            .bind(at)
            .bind(&e.domain_id)
            .bind(e.answers_request)
            .bind(DomainStatus::Verified.as_str())
            .execute(db)
            .await?;
        }
        Event::DomainVerificationFailed(e) => {
            sqlx::query(
                "UPDATE rm_domains SET status = COALESCE($1, status), last_error = $2, \
                 checks = checks + 1, updated_at = $3, \
                 answered_request = CASE WHEN answered_request > $5 THEN answered_request ELSE $5 END WHERE domain_id = $4",
            )
            .bind(e.gave_up.then_some(DomainStatus::Failed.as_str()))
            .bind(&e.reason)
            .bind(at)
            .bind(&e.domain_id)
            .bind(e.answers_request)
            .execute(db)
            .await?;
        }
        Event::CertificateOrdered(e) => certificate_status(db, &e.domain_id, "pending", at).await?,
        Event::CertificateRenewalDue(e) => certificate_status(db, &e.domain_id, "renewing", at).await?,
        Event::CertificateIssued(e) => {
            sqlx::query(
                "UPDATE rm_domains SET status = $6, certificate_status = 'issued', certificate_issuer = $1, \
                 certificate_not_before = $2, certificate_not_after = $3, certificate_error = NULL, updated_at = $4 \
                 WHERE domain_id = $5",
            )
            .bind(&e.issuer)
            .bind(e.not_before)
            .bind(e.not_after)
            .bind(at)
            .bind(&e.domain_id)
            .bind(DomainStatus::Active.as_str())
            .execute(db)
            .await?;
        }
        Event::CertificateFailed(e) => {
            // A failed renewal leaves the old certificate serving: the domain stays active.
            sqlx::query(
                "UPDATE rm_domains SET certificate_status = 'failed', \
                 certificate_error = $1, status = COALESCE($2, status), updated_at = $3 \
                 WHERE domain_id = $4",
            )
            .bind(format!("{}: {}", e.cause, e.reason))
            .bind((!e.renewal).then_some(DomainStatus::Failed.as_str()))
            .bind(at)
            .bind(&e.domain_id)
            .execute(db)
            .await?;
        }
        Event::DomainHstsSet(e) => {
            sqlx::query(
                "UPDATE rm_domains SET hsts_max_age = $1, hsts_include_subdomains = $2, updated_at = $3 WHERE domain_id = $4",
            )
            .bind(e.max_age_seconds)
            .bind(i64::from(e.include_subdomains))
            .bind(at)
            .bind(&e.domain_id)
            .execute(db)
            .await?;
        }
        Event::DomainRemoved(e) => {
            sqlx::query("UPDATE rm_domains SET status = $3, updated_at = $1 WHERE domain_id = $2")
                .bind(at)
                .bind(&e.domain_id)
                .bind(DomainStatus::Removed.as_str())
                .execute(db)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

async fn certificate_status(db: &mut AnyConnection, domain_id: &str, status: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rm_domains SET certificate_status = $1, updated_at = $2 WHERE domain_id = $3")
        .bind(status)
        .bind(at)
        .bind(domain_id)
        .execute(db)
        .await
        .map(drop)
}
