//! Custom domains: a project's own hostname, proved over DNS and served over HTTPS with a
//! certificate from ACME. Stream `domain-<id>`, where the id follows from the organization and
//! the hostname ([`domain_id`]): one organization adds a name once. A verified hostname is held
//! through the public name reservation (`name-domain:<hostname>`, the same as project names):
//! the first organization to verify holds it; a pending one holds nothing, so nobody can
//! block a name by adding it without proving it.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::name;
use crate::organization::Organization;
use crate::project::{Project, ProjectStatus};
use clouddeck_events::{
    CertificateFailed, CertificateIssued, CertificateOrdered, CertificateRenewalDue, DomainAdded, DomainHstsSet,
    DomainRemoved, DomainVerificationFailed, DomainVerificationRequested, DomainVerified, Event,
};

/// The longest HSTS max-age accepted: two years, in seconds.
pub const MAX_HSTS_SECONDS: i64 = 2 * 365 * 86_400;

/// The public name kind a verified custom domain holds.
pub const NAME_KIND: &str = "domain";

/// The TXT record's name for `hostname`: `_clouddeck-challenge.<hostname>`.
pub fn challenge_record(hostname: &str) -> String {
    format!("_clouddeck-challenge.{hostname}")
}

/// The id of `hostname`'s domain in `organization_id`: a UUID v5, so adding a name the
/// organization already has meets its stream.
pub fn domain_id(organization_id: &str, hostname: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, format!("{organization_id}/{hostname}").as_bytes()).to_string()
}

/// Where a domain stands (the API's `status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DomainStatus {
    #[default]
    Absent,
    /// Added; its TXT record not found yet.
    Pending,
    /// Ownership proved; no certificate yet.
    Verified,
    /// A certificate serves it.
    Active,
    /// Not verified after the checks' time ran out (or another organization verified it).
    Failed,
    Removed,
}

impl DomainStatus {
    pub const ALL: [DomainStatus; 6] = [
        DomainStatus::Absent,
        DomainStatus::Pending,
        DomainStatus::Verified,
        DomainStatus::Active,
        DomainStatus::Failed,
        DomainStatus::Removed,
    ];

    /// The status a string names, if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The one spelling of the read models and the API (in capitals there).
    pub const fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Absent => "absent",
            DomainStatus::Pending => "pending_verification",
            DomainStatus::Verified => "verified",
            DomainStatus::Active => "active",
            DomainStatus::Failed => "failed",
            DomainStatus::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Domain {
    pub id: String,
    pub organization_id: String,
    pub project_id: String,
    pub hostname: String,
    pub verification_token: String,
    pub redirect_to: Option<String>,
    pub status: DomainStatus,
    /// When the current certificate stops being valid (unix ms), if one serves.
    pub certificate_not_after: Option<i64>,
    /// An order is under way (ordered, or renewal due, and neither issued nor failed yet).
    pub ordering: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DomainCommand {
    /// `hostname` normalized already ([`crate::hostname::hostname`]).
    Add {
        organization_id: String,
        project_id: String,
        hostname: String,
        redirect_to: Option<String>,
        verification_token: String,
    },
    /// Check the TXT record now.
    RequestVerification,
    /// The outcome of a check: `found`, or not with `reason` (and `give_up` when the
    /// domain has been pending too long).
    RecordCheck {
        found: bool,
        reason: String,
        give_up: bool,
        /// The position of the last verification request the check started after (0: none).
        answers_request: i64,
    },
    OrderCertificate {
        token: String,
        key_authorization: String,
    },
    IssueCertificate(Box<CertificateIssued>),
    RenewalDue,
    FailCertificate {
        cause: String,
        reason: String,
        retry_at: i64,
    },
    /// `max_age_seconds` 0 turns HSTS off.
    SetHsts {
        max_age_seconds: i64,
        include_subdomains: bool,
    },
    Remove,
}

impl Aggregate for Domain {
    type Command = DomainCommand;
    const KIND: &'static str = "domain";

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::DomainAdded(e) => {
                self = Domain {
                    id: e.domain_id.clone(),
                    organization_id: e.organization_id.clone(),
                    project_id: e.project_id.clone(),
                    hostname: e.hostname.clone(),
                    verification_token: e.verification_token.clone(),
                    redirect_to: e.redirect_to.clone(),
                    status: DomainStatus::Pending,
                    ..Domain::default()
                };
            }
            Event::DomainVerified(_) => self.status = DomainStatus::Verified,
            Event::DomainVerificationFailed(e) if e.gave_up => self.status = DomainStatus::Failed,
            Event::CertificateOrdered(_) | Event::CertificateRenewalDue(_) => self.ordering = true,
            Event::CertificateIssued(e) => {
                self.status = DomainStatus::Active;
                self.certificate_not_after = Some(e.not_after);
                self.ordering = false;
            }
            Event::CertificateFailed(_) => self.ordering = false,
            Event::DomainRemoved(_) => self.status = DomainStatus::Removed,
            _ => {}
        }
        self
    }

    fn decide(&self, command: DomainCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        use DomainCommand::*;
        use DomainStatus::*;
        let (domain_id, hostname) = (self.id.clone(), self.hostname.clone());
        match (command, self.status) {
            (Add { organization_id, project_id, hostname, redirect_to, verification_token }, Absent | Removed) => {
                ctx.require(Role::Developer, "adding domains")?;
                if redirect_to.as_deref() == Some(hostname.as_str()) {
                    return Err(DomainError::invalid("redirectTo", "a domain cannot redirect to itself"));
                }
                let domain_id = self::domain_id(&organization_id, &hostname);
                Ok(vec![
                    DomainAdded { domain_id, organization_id, project_id, hostname, verification_token, redirect_to }
                        .into(),
                ])
            }
            (Add { hostname, .. }, _) => {
                Err(DomainError::AlreadyExists(format!("the domain `{hostname}` is already added to a project here")))
            }
            (_, Absent | Removed) => Err(DomainError::not_found("domain", &self.id)),
            (RequestVerification, Pending | Failed) => {
                ctx.require(Role::Developer, "verifying domains")?;
                Ok(vec![DomainVerificationRequested { domain_id, hostname }.into()])
            }
            (RequestVerification, _) => Ok(vec![]),
            (RecordCheck { found, reason, give_up, answers_request }, Pending | Failed) => {
                ctx.require_system("recording a DNS check")?;
                if found {
                    let project_id = self.project_id.clone();
                    Ok(vec![DomainVerified { domain_id, hostname, project_id, answers_request }.into()])
                } else {
                    let failed =
                        DomainVerificationFailed { domain_id, hostname, reason, gave_up: give_up, answers_request };
                    Ok(vec![failed.into()])
                }
            }
            (RecordCheck { .. }, _) => Ok(vec![]),
            (OrderCertificate { token, key_authorization }, Verified | Active) => {
                ctx.require_system("ordering certificates")?;
                Ok(vec![CertificateOrdered { domain_id, hostname, token, key_authorization }.into()])
            }
            (IssueCertificate(issued), Verified | Active) => {
                ctx.require_system("issuing certificates")?;
                Ok(vec![Event::CertificateIssued(*issued)])
            }
            (RenewalDue, Active) if !self.ordering => {
                ctx.require_system("renewing certificates")?;
                Ok(vec![CertificateRenewalDue { domain_id, hostname }.into()])
            }
            (RenewalDue, _) => Ok(vec![]),
            (FailCertificate { cause, reason, retry_at }, Verified | Active) => {
                ctx.require_system("recording a failed order")?;
                let renewal = self.status == Active;
                Ok(vec![CertificateFailed { domain_id, hostname, cause, reason, renewal, retry_at }.into()])
            }
            (SetHsts { max_age_seconds, include_subdomains }, _) => {
                ctx.require(Role::Admin, "setting a domain's HSTS")?;
                // RFC 6797 §6.1.1: a delta-seconds value; two years is the preload lists' mark.
                if !(0..=MAX_HSTS_SECONDS).contains(&max_age_seconds) {
                    return Err(DomainError::invalid(
                        "maxAgeSeconds",
                        format!("must be 0 to {MAX_HSTS_SECONDS} (two years)"),
                    ));
                }
                Ok(vec![DomainHstsSet { domain_id, hostname, max_age_seconds, include_subdomains }.into()])
            }
            (Remove, _) => {
                ctx.require(Role::Developer, "removing domains")?;
                Ok(vec![DomainRemoved { domain_id, hostname, project_id: self.project_id.clone() }.into()])
            }
            (command, status) => Err(DomainError::illegal("domain", command_name(&command), status)),
        }
    }
}

fn command_name(command: &DomainCommand) -> &'static str {
    match command {
        DomainCommand::Add { .. } => "add",
        DomainCommand::RequestVerification => "verify",
        DomainCommand::RecordCheck { .. } => "check",
        DomainCommand::OrderCertificate { .. } => "order a certificate for",
        DomainCommand::IssueCertificate(_) => "issue a certificate for",
        DomainCommand::RenewalDue => "renew",
        DomainCommand::FailCertificate { .. } => "fail an order for",
        DomainCommand::SetHsts { .. } => "set HSTS on",
        DomainCommand::Remove => "remove",
    }
}

/// Adding a domain to a project: decided in the project's organization, refused when another
/// organization has verified the name.
#[derive(Debug, Clone)]
pub struct AddDomain {
    pub project_id: String,
    pub command: DomainCommand,
}

impl AddDomain {
    fn hostname(&self) -> &str {
        match &self.command {
            DomainCommand::Add { hostname, .. } => hostname,
            _ => "",
        }
    }
}

impl Decision for AddDomain {
    fn key(&self) -> String {
        self.project_id.clone()
    }

    fn streams(&self, read: &History, _request: &Request) -> Vec<String> {
        let Some(project) = read.loaded::<Project>(&self.project_id) else {
            return vec![stream_of::<Project>(&self.project_id)];
        };
        vec![
            stream_of::<Organization>(&project.organization_id),
            stream_of::<Domain>(&domain_id(&project.organization_id, self.hostname())),
            name::stream(NAME_KIND, self.hostname()),
        ]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let DomainCommand::Add { organization_id, project_id, .. } = &self.command else {
            return Err(DomainError::invalid("command", "expected a domain to add"));
        };
        let project = read.state::<Project>(&self.project_id);
        if project.status != ProjectStatus::Active || project.organization_id != *organization_id {
            return Err(DomainError::not_found("project", project_id));
        }
        let organization = read.state::<Organization>(organization_id);
        let ctx = request.context_in(&organization);
        let hostname = self.hostname();
        let id = domain_id(organization_id, hostname);
        let held = read.state::<name::Name>(&name::name_id(NAME_KIND, hostname));
        if held.holder.as_ref().is_some_and(|holder| *holder != id) {
            return Err(DomainError::AlreadyExists(format!(
                "the domain `{hostname}` is verified by another organization on this server"
            )));
        }
        let events = read.state::<Domain>(&id).decide(self.command.clone(), &ctx)?;
        Ok(vec![Write::checked(stream_of::<Domain>(&id), events)])
    }
}

/// A command on an existing domain, decided in its organization. A verification that finds
/// the record claims the hostname in the same append (or, when another organization was
/// first, fails for good); a removal gives it back.
#[derive(Debug, Clone)]
pub struct DomainDecision {
    pub domain_id: String,
    pub command: DomainCommand,
}

impl Decision for DomainDecision {
    fn key(&self) -> String {
        self.domain_id.clone()
    }

    fn streams(&self, read: &History, _request: &Request) -> Vec<String> {
        let Some(domain) = read.loaded::<Domain>(&self.domain_id) else {
            return vec![stream_of::<Domain>(&self.domain_id)];
        };
        if domain.status == DomainStatus::Absent {
            return vec![];
        }
        let mut streams = vec![stream_of::<Organization>(&domain.organization_id)];
        if matches!(self.command, DomainCommand::RecordCheck { found: true, .. } | DomainCommand::Remove) {
            streams.push(name::stream(NAME_KIND, &domain.hostname));
        }
        streams
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let domain = read.state::<Domain>(&self.domain_id);
        if domain.status == DomainStatus::Absent {
            return Err(DomainError::not_found("domain", &self.domain_id));
        }
        let organization = read.state::<Organization>(&domain.organization_id);
        let ctx = request.context_in(&organization);
        let stream = stream_of::<Domain>(&self.domain_id);
        match &self.command {
            DomainCommand::RecordCheck { found: true, answers_request, .. }
                if matches!(domain.status, DomainStatus::Pending | DomainStatus::Failed) =>
            {
                let owner = (NAME_KIND, domain.hostname.as_str(), self.domain_id.as_str());
                match name::claim(read, owner, &ctx, (&domain.hostname, "a domain")) {
                    Ok(claim) => {
                        let events = domain.decide(self.command.clone(), &ctx)?;
                        Ok(vec![Write::checked(stream, events), claim])
                    }
                    Err(DomainError::AlreadyExists(_)) => {
                        let lost = DomainCommand::RecordCheck {
                            found: false,
                            reason: "another organization verified this domain first".into(),
                            give_up: true,
                            answers_request: *answers_request,
                        };
                        Ok(vec![Write::checked(stream, domain.decide(lost, &ctx)?)])
                    }
                    Err(e) => Err(e),
                }
            }
            DomainCommand::Remove => {
                let events = domain.decide(DomainCommand::Remove, &ctx)?;
                let release = name::release(read, NAME_KIND, &domain.hostname, &self.domain_id, &ctx)?;
                Ok(vec![Write::checked(stream, events), release])
            }
            command => Ok(vec![Write::checked(stream, domain.decide(command.clone(), &ctx)?)]),
        }
    }
}
