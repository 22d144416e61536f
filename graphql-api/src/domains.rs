//! Custom domains over GraphQL: add one to a project, see what to publish in DNS, check it
//! now, remove it. Ownership is proved by a TXT record at `_clouddeck-challenge.<hostname>`
//! (checked by the domains worker, in the background and on `verifyDomain`); a verified
//! domain serves the project's production deployment and gets a certificate from ACME.

use crate::access;
use crate::error::{QUOTA_EXCEEDED, coded, db, domain, internal, not_found};
use crate::lookup;
use crate::mutation::apply;
use crate::state::{iso, now_ms, state};
use async_graphql::{ComplexObject, Context, Enum, Object, Result, SimpleObject};
use clouddeck_command_handlers::domain::{DomainCommand, challenge_record, domain_id};
use clouddeck_command_handlers::hostname::hostname;
use clouddeck_projections::queries;
use sqlx::FromRow;
use std::net::IpAddr;
use std::time::Duration;

/// Where customers point their domains, as the operator configured it: shown with every
/// domain as the records to create.
#[derive(Debug, Clone, Default)]
pub struct DomainTargets {
    /// Deployment hosts live under it: no custom domain may.
    pub base_domain: String,
    /// The name a CNAME record points at (for subdomains, as `www`).
    pub cname: Option<String>,
    /// The edge's public addresses, for A and AAAA records (an apex cannot hold a CNAME,
    /// RFC 1034 §3.6.2).
    pub addresses: Vec<IpAddr>,
}

/// The most domains (not removed) an organization may have: each is checked over DNS for up
/// to 7 days and may hold a certificate, so they are not free to the server.
pub const MAX_DOMAINS_PER_ORGANIZATION: i64 = 100;

/// How long `verifyDomain` waits for the check's outcome.
const CHECK_WAIT: Duration = Duration::from_secs(15);

/// Where a domain stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DomainStatus {
    /// Added; the TXT record was not found yet (checked each minute at first, then hourly,
    /// for 7 days).
    PendingVerification,
    /// Ownership proved; the certificate is on its way.
    Verified,
    /// Served over HTTPS with its own certificate.
    Active,
    /// Not verified in time, verified by another organization first, or its certificate
    /// could not be issued: `lastError` says which.
    Failed,
}

impl TryFrom<String> for DomainStatus {
    type Error = String;

    /// A read model's status column (the aggregate's spelling).
    fn try_from(text: String) -> Result<Self, String> {
        use clouddeck_command_handlers::domain::DomainStatus as Spelled;
        match Spelled::parse(&text) {
            Some(Spelled::Pending) => Ok(DomainStatus::PendingVerification),
            Some(Spelled::Verified) => Ok(DomainStatus::Verified),
            Some(Spelled::Active) => Ok(DomainStatus::Active),
            Some(Spelled::Failed) => Ok(DomainStatus::Failed),
            _ => Err(format!("no domain status `{text}`")),
        }
    }
}

/// A DNS record to create, in the form DNS panels ask for.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct DnsRecord {
    /// `TXT`, `CNAME`, `A` or `AAAA`.
    pub record_type: String,
    /// The record's full name.
    pub name: String,
    pub value: String,
}

/// The certificate serving a domain.
#[derive(SimpleObject, Clone, Debug)]
pub struct Certificate {
    /// `pending` (ordered), `issued`, `renewing`, `failed`.
    pub status: String,
    /// The issuing CA's name.
    pub issuer: Option<String>,
    /// ISO 8601, UTC.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    /// The last order's failure: its cause class (`dns`, `challenge`, `rate_limited`,
    /// `ca_error`) and reason.
    pub error: Option<String>,
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct Domain {
    #[sqlx(rename = "domain_id")]
    pub id: String,
    #[graphql(skip)]
    pub organization_id: String,
    pub project_id: String,
    /// Lowercase; internationalized names in punycode.
    pub hostname: String,
    #[graphql(skip)]
    pub verification_token: String,
    /// The domain answers with a 308 redirect to this one of the project's domains.
    pub redirect_to: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: DomainStatus,
    /// Why the last check or order failed.
    pub last_error: Option<String>,
    /// DNS checks made so far.
    pub checks: i64,
    #[graphql(skip)]
    pub certificate_status: Option<String>,
    #[graphql(skip)]
    pub certificate_issuer: Option<String>,
    #[graphql(skip)]
    pub certificate_not_before: Option<i64>,
    #[graphql(skip)]
    pub certificate_not_after: Option<i64>,
    #[graphql(skip)]
    pub certificate_error: Option<String>,
    #[graphql(skip)]
    pub created_at: i64,
    #[graphql(skip)]
    pub updated_at: i64,
    /// `Strict-Transport-Security` max-age sent with its HTTPS answers, in seconds; 0: off.
    #[graphql(name = "hstsMaxAge")]
    pub hsts_max_age: i64,
    #[graphql(skip)]
    pub hsts_include_subdomains: i64,
    #[graphql(skip)]
    pub answered_request: i64,
}

#[ComplexObject]
impl Domain {
    /// The TXT record that proves ownership.
    async fn verification(&self) -> DnsRecord {
        self.txt_record()
    }

    /// Every record to create: the TXT record, then where the name points (a CNAME for a
    /// subdomain; A / AAAA for an apex, which cannot hold a CNAME).
    async fn dns_records(&self, ctx: &Context<'_>) -> Vec<DnsRecord> {
        let targets = &state(ctx).domains;
        let mut records = vec![self.txt_record()];
        // An apex (the name a registrar sells, by the Public Suffix List) cannot hold a CNAME.
        let apex = psl::domain_str(&self.hostname) == Some(self.hostname.as_str());
        match (&targets.cname, apex || targets.cname.is_none()) {
            (Some(cname), false) => records.push(DnsRecord {
                record_type: "CNAME".into(),
                name: self.hostname.clone(),
                value: cname.clone(),
            }),
            _ => records.extend(targets.addresses.iter().map(|address| DnsRecord {
                record_type: if address.is_ipv4() { "A" } else { "AAAA" }.into(),
                name: self.hostname.clone(),
                value: address.to_string(),
            })),
        }
        records
    }

    async fn certificate(&self) -> Option<Certificate> {
        Some(Certificate {
            status: self.certificate_status.clone()?,
            issuer: self.certificate_issuer.clone(),
            not_before: self.certificate_not_before.map(|t| iso(t, false)),
            not_after: self.certificate_not_after.map(|t| iso(t, false)),
            error: self.certificate_error.clone(),
        })
    }

    #[graphql(name = "createdAt")]
    async fn created(&self) -> String {
        iso(self.created_at, true)
    }

    /// Whether HSTS covers the names under this one too (`includeSubDomains`).
    async fn hsts_include_subdomains(&self) -> bool {
        self.hsts_include_subdomains != 0
    }
}

impl Domain {
    /// The TXT record at `_clouddeck-challenge.<hostname>` that proves ownership.
    fn txt_record(&self) -> DnsRecord {
        DnsRecord {
            record_type: "TXT".into(),
            name: challenge_record(&self.hostname),
            value: self.verification_token.clone(),
        }
    }
}

/// A domain the caller may see (NOT_FOUND otherwise, and for a removed one).
async fn visible(ctx: &Context<'_>, id: &str) -> Result<Domain> {
    let found: Option<Domain> = queries::domains::domain(&state(ctx).read_db, id).await.map_err(db)?;
    match found {
        Some(domain) if access::can_see(ctx, &domain.organization_id).await? => Ok(domain),
        _ => Err(not_found(&format!("domain `{id}`"))),
    }
}

#[derive(Default)]
pub struct DomainMutation;

#[Object]
impl DomainMutation {
    /// Adds `hostname` to a project: it answers PENDING_VERIFICATION with the DNS records to
    /// create. Uppercase and a trailing dot are normalized; internationalized names are kept
    /// in punycode. BAD_USER_INPUT names the rule a hostname breaks; CONFLICT when another
    /// organization has verified it; QUOTA_EXCEEDED past 100 domains in the organization.
    async fn add_domain(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        hostname: String,
        redirect_to: Option<String>,
    ) -> Result<Domain> {
        let found = lookup::project(ctx, &organization, &project).await?;
        let held =
            queries::domains::count_of_organization(&state(ctx).read_db, &found.organization_id).await.map_err(db)?;
        if held >= MAX_DOMAINS_PER_ORGANIZATION {
            return Err(coded(
                QUOTA_EXCEEDED,
                format!("an organization may have {MAX_DOMAINS_PER_ORGANIZATION} domains; remove one first"),
            ));
        }
        let base = &state(ctx).domains.base_domain;
        let hostname = self::hostname("hostname", &hostname, base).map_err(domain)?;
        let redirect_to = redirect_to.map(|to| self::hostname("redirectTo", &to, base)).transpose().map_err(domain)?;
        let command = DomainCommand::Add {
            organization_id: found.organization_id.clone(),
            project_id: found.id.clone(),
            hostname: hostname.clone(),
            redirect_to,
            verification_token: format!("clouddeck-verify={}", clouddeck_secrets::new_secret("dv")),
        };
        apply(ctx, |p| async move { state(ctx).handler.add_domain(&found.id, command, &p, now_ms()).await }).await?;
        let id = domain_id(&found.organization_id, &hostname);
        queries::domains::domain(&state(ctx).read_db, &id)
            .await
            .map_err(db)?
            .ok_or_else(|| internal("domain missing from read models"))
    }

    /// Checks the domain's TXT record now and answers with the outcome (waiting up to 15
    /// seconds for the check).
    async fn verify_domain(&self, ctx: &Context<'_>, id: String) -> Result<Domain> {
        let before = visible(ctx, &id).await?;
        if before.status != DomainStatus::PendingVerification && before.status != DomainStatus::Failed {
            return Ok(before);
        }
        let target = id.clone();
        let requested = apply(ctx, |p| async move {
            state(ctx).handler.domain(&target, DomainCommand::RequestVerification, &p, now_ms()).await
        })
        .await?;
        // The answer is the first check that started after this request was recorded.
        let deadline = tokio::time::Instant::now() + CHECK_WAIT;
        let mut projected = state(ctx).projected.clone();
        loop {
            let now = visible(ctx, &id).await?;
            if now.answered_request >= requested.last_position || now.status == DomainStatus::Verified {
                return Ok(now);
            }
            if !matches!(tokio::time::timeout_at(deadline, projected.changed()).await, Ok(Ok(()))) {
                return Ok(now);
            }
        }
    }

    /// Sets HTTP Strict Transport Security for the domain's HTTPS answers (RFC 6797): browsers
    /// then use HTTPS only for `maxAgeSeconds` (at most two years; 0 turns it off). Off by
    /// default: a domain whose certificate lapses would lock its visitors out. Admins only.
    async fn set_domain_hsts(
        &self,
        ctx: &Context<'_>,
        id: String,
        max_age_seconds: i64,
        #[graphql(default = false)] include_subdomains: bool,
    ) -> Result<Domain> {
        visible(ctx, &id).await?;
        let command = DomainCommand::SetHsts { max_age_seconds, include_subdomains };
        let target = id.clone();
        apply(ctx, |p| async move { state(ctx).handler.domain(&target, command, &p, now_ms()).await }).await?;
        visible(ctx, &id).await
    }

    /// Removes the domain: it stops serving at once, and its hostname is free again.
    async fn remove_domain(&self, ctx: &Context<'_>, id: String) -> Result<bool> {
        visible(ctx, &id).await?;
        apply(ctx, |p| async move { state(ctx).handler.domain(&id, DomainCommand::Remove, &p, now_ms()).await })
            .await?;
        Ok(true)
    }
}

/// A project's domains, by hostname.
pub async fn of_project(ctx: &Context<'_>, project_id: &str) -> Result<Vec<Domain>> {
    queries::domains::domains_of_project(&state(ctx).read_db, project_id).await.map_err(db)
}
