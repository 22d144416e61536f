//! The edge's route table: which deployment a host leads to, kept in memory from the event
//! feed, so serving needs no read-model database and an event changes only the routes it
//! concerns (a promote moves one alias; a usage report touches one organization's bandwidth).
//! Pure: `apply` folds an event, `route` answers a host.
//!
//! The rules are the read models' (projections `read_models.rs`, `deployments.rs`,
//! `billing.rs`), restated for what serving needs:
//! - a project's production alias is `<hostname>.<base>`, where the hostname is its slug if no
//!   live project held that name when it was created (older clashing projects have none);
//! - a deployment's own URL `<id>-<project slug>.<base>` serves once its artifact is stored,
//!   and the alias serves the production deployment once it is ready;
//! - a custom domain serves its project's production alias once verified, until removed; one
//!   with `redirect_to` answers a 308 to that host instead (`redirect`);
//! - an ACME HTTP-01 challenge of a certificate order is answered for its hostname until the
//!   order ends (`challenge`);
//! - an organization is blocked for the month when its plan blocks (not bills) bandwidth past
//!   the plan's bytes and the month's metered bandwidth has reached them.

use crate::host::Target;
use crate::meter::Served;
use clouddeck_billing::Plan;
use clouddeck_events::Event;
use std::collections::HashMap;

/// Where a host leads: the deployment's manifest, whose it is, and whether its organization
/// is blocked for the month.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    pub manifest: String,
    pub served: Served,
    pub blocked: bool,
}

#[derive(Debug, Clone)]
struct ProjectRoute {
    slug: String,
    production: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Requested or building: nothing to serve yet.
    Pending,
    /// Its artifact is stored: its own URL serves it.
    Stored,
    /// Ready: the alias may serve it too.
    Ready,
    /// Failed or canceled: nothing serves it.
    Gone,
}

#[derive(Debug, Clone)]
struct DeploymentRoute {
    project_id: String,
    organization_id: String,
    manifest: Option<String>,
    stage: Stage,
}

#[derive(Debug, Clone)]
struct DomainRoute {
    domain_id: String,
    project_id: String,
    redirect_to: Option<String>,
    /// The `Strict-Transport-Security` value for its HTTPS answers, if set.
    hsts: Option<String>,
}

/// The route table, as of log position `position`.
#[derive(Debug, Default)]
pub struct RouteTable {
    position: i64,
    /// Live projects by id.
    projects: HashMap<String, ProjectRoute>,
    /// Production hostnames (lowercase) → project id.
    hosts: HashMap<String, String>,
    deployments: HashMap<String, DeploymentRoute>,
    /// Each organization's current plan (Free until changed).
    plans: HashMap<String, Plan>,
    /// Verified custom domains by hostname.
    domains: HashMap<String, DomainRoute>,
    /// Custom domains as added, by id: their hostname, redirect and HSTS, until verified.
    added: HashMap<String, (String, Option<String>, Option<String>)>,
    /// Open HTTP-01 challenges: token → (hostname, key authorization, domain id).
    challenges: HashMap<String, (String, String, String)>,
    /// Metered bandwidth in bytes, by organization, then month (`YYYY-MM`): looked up on every
    /// request by borrowed keys, without building one.
    bandwidth: HashMap<String, HashMap<String, i64>>,
}

/// The event types the table reads; the rest are skipped without decoding.
pub const ROUTING_EVENTS: &[&str] = &[
    "project.created",
    "project.deleted",
    "deployment.requested",
    "deployment.artifact_stored",
    "deployment.ready",
    "deployment.build_failed",
    "deployment.build_canceled",
    "deployment.promoted",
    "deployment.rolled_back",
    "billing.plan_changed",
    "usage.metered",
    "domain.added",
    "domain.verified",
    "domain.removed",
    "domain.hsts_set",
    "domain.certificate_ordered",
    "domain.certificate_issued",
    "domain.certificate_failed",
];

impl RouteTable {
    /// The log position the table has applied.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Notes that everything up to `position` has been applied.
    pub fn reached(&mut self, position: i64) {
        self.position = self.position.max(position);
    }

    /// Folds one event into the table.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::ProjectCreated(e) => {
                let hostname = e.slug.to_lowercase();
                // the first live project to hold a name keeps it
                self.hosts.entry(hostname).or_insert_with(|| e.project_id.clone());
                self.projects.insert(e.project_id.clone(), ProjectRoute { slug: e.slug.clone(), production: None });
            }
            Event::ProjectDeleted(e) => {
                if let Some(project) = self.projects.remove(&e.project_id) {
                    let hostname = project.slug.to_lowercase();
                    if self.hosts.get(&hostname) == Some(&e.project_id) {
                        self.hosts.remove(&hostname);
                    }
                }
            }
            Event::DeploymentRequested(e) => {
                self.deployments.insert(
                    e.deployment_id.clone(),
                    DeploymentRoute {
                        project_id: e.project_id.clone(),
                        organization_id: e.organization_id.clone(),
                        manifest: None,
                        stage: Stage::Pending,
                    },
                );
            }
            Event::ArtifactStored(e) => {
                if let Some(deployment) = self.deployments.get_mut(&e.deployment_id) {
                    deployment.manifest = Some(e.manifest_sha256.clone());
                    deployment.stage = Stage::Stored;
                }
            }
            Event::DeploymentReady(e) => self.stage(&e.deployment_id, Stage::Ready),
            Event::BuildFailed(e) => self.stage(&e.deployment_id, Stage::Gone),
            Event::BuildCanceled(e) => self.stage(&e.deployment_id, Stage::Gone),
            Event::DeploymentPromoted(e) => self.production(&e.project_id, &e.deployment_id),
            Event::DeploymentRolledBack(e) => self.production(&e.project_id, &e.deployment_id),
            Event::PlanChanged(e) => {
                self.plans.insert(e.organization_id.clone(), clouddeck_command_handlers::billing::plan_of(e));
            }
            Event::DomainAdded(e) => {
                self.added.insert(e.domain_id.clone(), (e.hostname.clone(), e.redirect_to.clone(), None));
            }
            Event::DomainVerified(e) => {
                let (redirect_to, hsts) =
                    self.added.remove(&e.domain_id).map_or((None, None), |(_, to, hsts)| (to, hsts));
                let route =
                    DomainRoute { domain_id: e.domain_id.clone(), project_id: e.project_id.clone(), redirect_to, hsts };
                self.domains.insert(e.hostname.clone(), route);
            }
            Event::DomainHstsSet(e) => {
                let value = (e.max_age_seconds > 0).then(|| {
                    let sub = if e.include_subdomains { "; includeSubDomains" } else { "" };
                    format!("max-age={}{sub}", e.max_age_seconds)
                });
                match self.domains.get_mut(&e.hostname) {
                    Some(route) if route.domain_id == e.domain_id => route.hsts = value,
                    _ => {
                        if let Some(added) = self.added.get_mut(&e.domain_id) {
                            added.2 = value;
                        }
                    }
                }
            }
            Event::DomainRemoved(e) => {
                self.added.remove(&e.domain_id);
                if self.domains.get(&e.hostname).is_some_and(|d| d.domain_id == e.domain_id) {
                    self.domains.remove(&e.hostname);
                }
                self.challenges.retain(|_, (_, _, domain_id)| *domain_id != e.domain_id);
            }
            Event::CertificateOrdered(e) => {
                let challenge = (e.hostname.clone(), e.key_authorization.clone(), e.domain_id.clone());
                self.challenges.insert(e.token.clone(), challenge);
            }
            Event::CertificateIssued(e) => self.challenges.retain(|_, (_, _, domain_id)| *domain_id != e.domain_id),
            Event::CertificateFailed(e) => self.challenges.retain(|_, (_, _, domain_id)| *domain_id != e.domain_id),
            Event::UsageMetered(e) if e.metric == "bandwidth_bytes" => {
                let month = clouddeck_billing::period_of(e.window_start);
                *self.bandwidth.entry(e.organization_id.clone()).or_default().entry(month).or_default() += e.quantity;
            }
            _ => {}
        }
    }

    fn stage(&mut self, deployment_id: &str, stage: Stage) {
        if let Some(deployment) = self.deployments.get_mut(deployment_id) {
            deployment.stage = stage;
        }
    }

    fn production(&mut self, project_id: &str, deployment_id: &str) {
        if let Some(project) = self.projects.get_mut(project_id) {
            project.production = Some(deployment_id.to_string());
        }
    }

    /// Where a verified custom domain with a redirect sends its requests: the other host.
    /// Only to another verified domain of the same project: a redirect is no way to send one
    /// tenant's visitors to a name it has not proved.
    pub fn redirect(&self, hostname: &str) -> Option<&str> {
        let route = self.domains.get(hostname)?;
        let to = route.redirect_to.as_deref()?;
        (self.domains.get(to)?.project_id == route.project_id).then_some(to)
    }

    /// The `Strict-Transport-Security` value a verified custom domain sends over HTTPS.
    pub fn hsts(&self, hostname: &str) -> Option<&str> {
        self.domains.get(hostname)?.hsts.as_deref()
    }

    /// The key authorization to answer an HTTP-01 challenge `token` with, when `hostname`
    /// has that challenge open (RFC 8555 §8.3).
    pub fn challenge(&self, hostname: &str, token: &str) -> Option<&str> {
        self.challenges.get(token).filter(|(host, _, _)| host == hostname).map(|(_, key, _)| key.as_str())
    }

    /// Where `target` leads in month `period` (`YYYY-MM`), if anywhere.
    pub fn route(&self, target: &Target, period: &str) -> Option<Routed> {
        let (deployment_id, deployment) = match target {
            Target::Deployment { deployment_id, project } => {
                let deployment = self.deployments.get(deployment_id)?;
                let owner = self.projects.get(&deployment.project_id)?;
                let serves = matches!(deployment.stage, Stage::Stored | Stage::Ready);
                if !serves || owner.slug != *project {
                    return None;
                }
                (deployment_id.as_str(), deployment)
            }
            Target::Production { .. } | Target::Custom { .. } => {
                let project_id = match target {
                    Target::Production { project } => self.hosts.get(project)?,
                    Target::Custom { hostname } => &self.domains.get(hostname)?.project_id,
                    Target::Deployment { .. } => return None,
                };
                let deployment_id = self.projects.get(project_id)?.production.as_deref()?;
                let deployment = self.deployments.get(deployment_id)?;
                if deployment.stage != Stage::Ready {
                    return None;
                }
                (deployment_id, deployment)
            }
        };
        let organization_id = &deployment.organization_id;
        let used = self.bandwidth.get(organization_id).and_then(|months| months.get(period)).copied().unwrap_or(0);
        let blocked = match self.plans.get(organization_id) {
            Some(plan) => plan.blocks_at(used),
            None => Plan::free().blocks_at(used),
        };
        Some(Routed {
            manifest: deployment.manifest.clone()?,
            served: Served {
                organization_id: organization_id.clone(),
                project_id: deployment.project_id.clone(),
                deployment_id: deployment_id.to_string(),
            },
            blocked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Target;
    use clouddeck_events::*;

    const D1: &str = "01a21c33-b6cb-75ac-afc8-ebcc4c6d0c4d";
    const D2: &str = "01a21c33-b6cb-75ac-afc8-ebcc4c6d0c4e";

    fn requested(id: &str, project: &str) -> Event {
        DeploymentRequested {
            deployment_id: id.into(),
            project_id: project.into(),
            organization_id: "o1".into(),
            target: "production".into(),
            source_kind: "upload".into(),
            source_ref: "s".into(),
            commit_sha: None,
            prebuilt: true,
        }
        .into()
    }

    fn created(id: &str, slug: &str) -> Event {
        ProjectCreated {
            project_id: id.into(),
            organization_id: "o1".into(),
            slug: slug.into(),
            name: slug.into(),
            framework: None,
            production_branch: "main".into(),
        }
        .into()
    }

    fn stored(id: &str, manifest: &str) -> Event {
        ArtifactStored { deployment_id: id.into(), manifest_sha256: manifest.into(), file_count: 1, total_bytes: 1 }
            .into()
    }

    fn production(project: &str) -> Target {
        Target::Production { project: project.into() }
    }

    fn own(id: &str, project: &str) -> Target {
        Target::Deployment { deployment_id: id.into(), project: project.into() }
    }

    fn table(events: &[Event]) -> RouteTable {
        let mut table = RouteTable::default();
        for event in events {
            table.apply(event);
        }
        table
    }

    #[test]
    fn a_deployment_serves_at_its_own_url_once_stored_and_at_the_alias_once_promoted() {
        let mut routes = table(&[created("p1", "blog"), requested(D1, "p1")]);
        assert_eq!(routes.route(&own(D1, "blog"), "2026-11"), None, "nothing stored yet");
        routes.apply(&stored(D1, "m1"));
        assert_eq!(routes.route(&own(D1, "blog"), "2026-11").unwrap().manifest, "m1");
        assert_eq!(routes.route(&own(D1, "shop"), "2026-11"), None, "another project's name");
        assert_eq!(routes.route(&production("blog"), "2026-11"), None, "not promoted");
        routes.apply(&DeploymentReady { deployment_id: D1.into(), url: "u".into() }.into());
        let promote = |id: &str| -> Event {
            DeploymentPromoted { deployment_id: id.into(), project_id: "p1".into(), previous_deployment_id: None }
                .into()
        };
        routes.apply(&promote(D1));
        let live = routes.route(&production("blog"), "2026-11").unwrap();
        assert_eq!((live.manifest.as_str(), live.served.deployment_id.as_str()), ("m1", D1));
        // a newer one moves the alias; rolling back moves it back
        for event in [
            requested(D2, "p1"),
            stored(D2, "m2"),
            DeploymentReady { deployment_id: D2.into(), url: "u".into() }.into(),
            promote(D2),
        ] {
            routes.apply(&event);
        }
        assert_eq!(routes.route(&production("blog"), "2026-11").unwrap().manifest, "m2");
        routes.apply(
            &DeploymentRolledBack { deployment_id: D1.into(), project_id: "p1".into(), from_deployment_id: None }
                .into(),
        );
        assert_eq!(routes.route(&production("blog"), "2026-11").unwrap().manifest, "m1");
        // a deleted project serves nothing
        routes.apply(
            &ProjectDeleted { project_id: "p1".into(), organization_id: "o1".into(), slug: "blog".into() }.into(),
        );
        assert_eq!(routes.route(&production("blog"), "2026-11"), None);
        assert_eq!(routes.route(&own(D1, "blog"), "2026-11"), None);
    }

    #[test]
    fn a_custom_domain_serves_only_once_verified_answers_only_its_own_challenges_and_stops_when_removed() {
        let mut routes = table(&[
            created("p1", "blog"),
            requested(D1, "p1"),
            stored(D1, "m1"),
            DeploymentReady { deployment_id: D1.into(), url: "u".into() }.into(),
            DeploymentPromoted { deployment_id: D1.into(), project_id: "p1".into(), previous_deployment_id: None }
                .into(),
        ]);
        let shop = Target::Custom { hostname: "shop.example.com".into() };
        let added = |id: &str, hostname: &str, redirect_to: Option<&str>| -> Event {
            DomainAdded {
                domain_id: id.into(),
                organization_id: "o1".into(),
                project_id: "p1".into(),
                hostname: hostname.into(),
                verification_token: "t".into(),
                redirect_to: redirect_to.map(str::to_string),
            }
            .into()
        };
        routes.apply(&added("dm1", "shop.example.com", None));
        assert_eq!(routes.route(&shop, "2026-11"), None, "pending: nothing serves");
        let verified = |id: &str, hostname: &str| -> Event {
            let project_id = "p1".into();
            DomainVerified { domain_id: id.into(), hostname: hostname.into(), project_id, answers_request: 0 }.into()
        };
        routes.apply(&verified("dm1", "shop.example.com"));
        assert_eq!(routes.route(&shop, "2026-11").unwrap().manifest, "m1");
        assert_eq!(routes.redirect("shop.example.com"), None);
        routes.apply(&added("dm2", "www.shop.example.com", Some("shop.example.com")));
        routes.apply(&verified("dm2", "www.shop.example.com"));
        assert_eq!(routes.redirect("www.shop.example.com"), Some("shop.example.com"));
        routes.apply(&added("dm3", "go.shop.example.com", Some("elsewhere.example.net")));
        routes.apply(&verified("dm3", "go.shop.example.com"));
        assert_eq!(routes.redirect("go.shop.example.com"), None, "not to a name the project has not proved");

        let ordered = CertificateOrdered {
            domain_id: "dm1".into(),
            hostname: "shop.example.com".into(),
            token: "tok".into(),
            key_authorization: "tok.thumb".into(),
        };
        routes.apply(&ordered.into());
        assert_eq!(routes.challenge("shop.example.com", "tok"), Some("tok.thumb"));
        assert_eq!(routes.challenge("www.shop.example.com", "tok"), None, "another host's challenge");
        assert_eq!(routes.challenge("shop.example.com", "other"), None);

        // Another organization's removal of a domain of the same name changes nothing.
        routes.apply(
            &DomainRemoved { domain_id: "dm9".into(), hostname: "shop.example.com".into(), project_id: "p9".into() }
                .into(),
        );
        assert!(routes.route(&shop, "2026-11").is_some());
        assert_eq!(routes.challenge("shop.example.com", "tok"), Some("tok.thumb"), "nor its challenges");
        routes.apply(
            &DomainRemoved { domain_id: "dm1".into(), hostname: "shop.example.com".into(), project_id: "p1".into() }
                .into(),
        );
        assert_eq!(routes.route(&shop, "2026-11"), None);
        assert_eq!(routes.challenge("shop.example.com", "tok"), None, "a removed domain's challenge is closed");
    }

    #[test]
    fn an_older_clashing_project_gets_no_alias_and_a_failed_deployment_serves_nothing() {
        let mut routes = table(&[created("p1", "blog"), created("p2", "blog"), requested(D1, "p2"), stored(D1, "m1")]);
        routes.apply(&DeploymentReady { deployment_id: D1.into(), url: "u".into() }.into());
        routes.apply(
            &DeploymentPromoted { deployment_id: D1.into(), project_id: "p2".into(), previous_deployment_id: None }
                .into(),
        );
        assert_eq!(routes.route(&production("blog"), "2026-11"), None, "the host is p1's");
        routes.apply(
            &BuildFailed {
                deployment_id: D1.into(),
                build_id: String::new(),
                duration_ms: 0,
                reason: "r".into(),
                cause: "user".into(),
                retryable: false,
            }
            .into(),
        );
        assert_eq!(routes.route(&own(D1, "blog"), "2026-11"), None);
    }

    #[test]
    fn a_free_organization_past_its_bandwidth_is_blocked_for_that_month_only() {
        let mut routes = table(&[created("p1", "blog"), requested(D1, "p1"), stored(D1, "m1")]);
        let limit = Plan::free().bandwidth_bytes;
        let metered = |quantity: i64| -> Event {
            UsageMetered {
                window_id: "w".into(),
                organization_id: "o1".into(),
                project_id: Some("p1".into()),
                deployment_id: Some(D1.into()),
                metric: "bandwidth_bytes".into(),
                quantity,
                window_start: 1_795_000_000_000,
                window_end: 1_795_000_060_000,
            }
            .into()
        };
        let month = clouddeck_billing::period_of(1_795_000_000_000);
        routes.apply(&metered(limit - 1));
        assert!(!routes.route(&own(D1, "blog"), &month).unwrap().blocked);
        routes.apply(&metered(1));
        assert!(routes.route(&own(D1, "blog"), &month).unwrap().blocked);
        assert!(!routes.route(&own(D1, "blog"), "2099-01").unwrap().blocked, "a new month starts unblocked");
    }
}
