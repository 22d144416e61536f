//! The deployment: from request through build and artifact to ready, then promoted to
//! production or rolled back to. Builds are reported by CloudDeck's workers only.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::billing::{BuildCount, CountBuild, OrganizationPlan, build_counter_id};
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::organization::Organization;
use crate::project::{Project, ProjectStatus};
use crate::validate;
use clouddeck_events::*;

pub const SOURCE_KINDS: &[&str] = &["upload", "git"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deployment {
    /// None before its request (no such deployment).
    pub status: Option<DeploymentStatus>,
    pub id: String,
    pub project_id: String,
    pub organization_id: String,
    pub prebuilt: bool,
    pub build_id: Option<String>,
    pub log_chunks: i64,
    /// The deployer that carries it on (`deployment.claimed`); None before one took it.
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeploymentCommand {
    /// A deployer takes the deployment. Its claimant taking it again (after a restart) changes
    /// nothing; another deployer is refused (`AlreadyExists`), and so is a deployment past
    /// its work (`IllegalTransition`).
    Claim {
        deployer: String,
    },
    /// A deployer takes over a deployment in flight from `from`, a deployer that stopped (its
    /// heartbeat stood still): the same `deployment.claimed`, naming the new deployer. Refused
    /// (`AlreadyExists`) when another deployer than `from` holds it by now, and
    /// (`IllegalTransition`) when the deployment is past its work; taking it from oneself
    /// changes nothing.
    TakeOver {
        deployer: String,
        from: String,
    },
    QueueBuild {
        build_id: String,
    },
    StartBuild {
        runner: String,
        framework: Option<String>,
    },
    AppendLog {
        lines: Vec<String>,
    },
    SucceedBuild {
        duration_ms: i64,
    },
    FailBuild {
        duration_ms: i64,
        reason: String,
        cause: String,
        retryable: bool,
    },
    Cancel,
    StoreArtifact {
        manifest_sha256: String,
        file_count: i64,
        total_bytes: i64,
    },
    MarkReady {
        url: String,
    },
    /// Make this deployment production; `previous` is what production served.
    Promote {
        previous: Option<String>,
    },
    /// Go back to this earlier deployment; `from` is what production served.
    RollBack {
        from: Option<String>,
    },
}

/// What a deployment request carries; decided against the project, not a deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDeployment {
    pub deployment_id: String,
    pub target: String,
    pub source_kind: String,
    pub source_ref: String,
    pub commit_sha: Option<String>,
    pub prebuilt: bool,
}

/// A new deployment of a live project.
pub fn decide_request(project: &Project, request: RequestDeployment, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    if project.status != ProjectStatus::Active {
        return Err(DomainError::not_found("project", &project.id));
    }
    ctx.require(Role::Developer, "deploying")?;
    validate::one_of("target", &request.target, &Target::ALL.map(Target::as_str))?;
    validate::one_of("sourceKind", &request.source_kind, SOURCE_KINDS)?;
    if request.source_ref.is_empty() {
        return Err(DomainError::invalid("sourceRef", "must not be empty"));
    }
    Ok(vec![
        DeploymentRequested {
            deployment_id: request.deployment_id,
            project_id: project.id.clone(),
            organization_id: project.organization_id.clone(),
            target: request.target,
            source_kind: request.source_kind,
            source_ref: request.source_ref,
            commit_sha: request.commit_sha,
            prebuilt: request.prebuilt,
        }
        .into(),
    ])
}

impl Aggregate for Deployment {
    type Command = DeploymentCommand;
    const KIND: &'static str = "deployment";

    fn evolve(mut self, event: &Event) -> Self {
        use DeploymentStatus::*;
        match event {
            Event::DeploymentRequested(e) => {
                self.status = Some(Requested);
                self.id = e.deployment_id.clone();
                self.project_id = e.project_id.clone();
                self.organization_id = e.organization_id.clone();
                self.prebuilt = e.prebuilt;
            }
            Event::DeploymentClaimed(e) => self.claimed_by = Some(e.deployer.clone()),
            Event::BuildQueued(e) => {
                self.status = Some(Queued);
                self.build_id = Some(e.build_id.clone());
            }
            Event::BuildStarted(_) => self.status = Some(Building),
            Event::BuildLogChunk(_) => self.log_chunks += 1,
            Event::BuildSucceeded(_) => self.status = Some(Built),
            Event::BuildFailed(_) => self.status = Some(Failed),
            Event::BuildCanceled(_) => self.status = Some(Canceled),
            Event::ArtifactStored(_) => self.status = Some(Stored),
            Event::DeploymentReady(_) => self.status = Some(Ready),
            _ => {}
        }
        self
    }

    fn decide(&self, command: DeploymentCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        use DeploymentCommand::*;
        use DeploymentStatus::*;
        if self.status.is_none() {
            return Err(DomainError::not_found("deployment", &self.id));
        }
        let deployment_id = self.id.clone();
        let build_id = self.build_id.clone().unwrap_or_default();
        let state = self.status.map_or("absent", DeploymentStatus::as_str).to_string();
        let illegal = |action| Err(DomainError::IllegalTransition { what: "deployment", action, state: state.clone() });
        match command {
            Claim { deployer } => {
                ctx.require_system("claiming deployments")?;
                match &self.claimed_by {
                    Some(claimant) if *claimant == deployer => Ok(vec![]),
                    Some(claimant) => {
                        Err(DomainError::AlreadyExists(format!("deployment {} is deployer {claimant}'s", self.id)))
                    }
                    None if matches!(self.status, Some(Requested | Queued | Building | Built | Stored)) => {
                        Ok(vec![DeploymentClaimed { deployment_id, deployer }.into()])
                    }
                    None => illegal("claim"),
                }
            }
            TakeOver { deployer, from } => {
                ctx.require_system("claiming deployments")?;
                let in_flight = matches!(self.status, Some(Requested | Queued | Building | Built | Stored));
                match &self.claimed_by {
                    Some(claimant) if *claimant == deployer => Ok(vec![]),
                    Some(claimant) if *claimant == from && in_flight => {
                        Ok(vec![DeploymentClaimed { deployment_id, deployer }.into()])
                    }
                    Some(claimant) if *claimant != from => {
                        Err(DomainError::AlreadyExists(format!("deployment {} is deployer {claimant}'s", self.id)))
                    }
                    _ => illegal("take over"),
                }
            }
            QueueBuild { build_id } => {
                ctx.require_system("queueing builds")?;
                if self.status != Some(Requested) || self.prebuilt {
                    return illegal("queue a build for");
                }
                Ok(vec![BuildQueued { deployment_id, build_id }.into()])
            }
            StartBuild { runner, framework } => {
                ctx.require_system("starting builds")?;
                if self.status != Some(Queued) {
                    return illegal("start building");
                }
                Ok(vec![BuildStarted { deployment_id, build_id, runner, framework }.into()])
            }
            AppendLog { lines } => {
                ctx.require_system("writing build logs")?;
                if self.status != Some(Building) {
                    return illegal("log to");
                }
                Ok(vec![BuildLogChunk { deployment_id, build_id, sequence: self.log_chunks + 1, lines }.into()])
            }
            SucceedBuild { duration_ms } => {
                ctx.require_system("finishing builds")?;
                if self.status != Some(Building) {
                    return illegal("finish the build of");
                }
                Ok(vec![BuildSucceeded { deployment_id, build_id, duration_ms }.into()])
            }
            FailBuild { duration_ms, reason, cause, retryable } => {
                ctx.require_system("failing builds")?;
                validate::one_of("cause", &cause, &FailureCause::ALL.map(FailureCause::as_str))?;
                if !matches!(self.status, Some(Requested | Queued | Building | Built | Stored)) {
                    return illegal("fail");
                }
                Ok(vec![BuildFailed { deployment_id, build_id, duration_ms, reason, cause, retryable }.into()])
            }
            Cancel => {
                ctx.require(Role::Developer, "canceling deployments")?;
                if !matches!(self.status, Some(Requested | Queued | Building)) {
                    return illegal("cancel");
                }
                Ok(vec![BuildCanceled { deployment_id, build_id }.into()])
            }
            StoreArtifact { manifest_sha256, file_count, total_bytes } => {
                ctx.require_system("storing artifacts")?;
                let ready_for_it = self.status == Some(Built) || (self.prebuilt && self.status == Some(Requested));
                if !ready_for_it {
                    return illegal("store an artifact for");
                }
                Ok(vec![ArtifactStored { deployment_id, manifest_sha256, file_count, total_bytes }.into()])
            }
            MarkReady { url } => {
                ctx.require_system("marking deployments ready")?;
                if self.status != Some(Stored) {
                    return illegal("mark ready");
                }
                Ok(vec![DeploymentReady { deployment_id, url }.into()])
            }
            Promote { previous } => {
                ctx.require(Role::Developer, "promoting deployments")?;
                if self.status != Some(Ready) {
                    return illegal("promote");
                }
                let project_id = self.project_id.clone();
                Ok(vec![DeploymentPromoted { deployment_id, project_id, previous_deployment_id: previous }.into()])
            }
            RollBack { from } => {
                ctx.require(Role::Developer, "rolling back")?;
                if self.status != Some(Ready) {
                    return illegal("roll back to");
                }
                let project_id = self.project_id.clone();
                Ok(vec![DeploymentRolledBack { deployment_id, project_id, from_deployment_id: from }.into()])
            }
        }
    }
}

/// Requests a deployment of a project: the deployment's first event, and the month's build
/// counted in the same append. The counter's version is the count, so two requests racing for
/// the last build of a limited plan cannot both have it; without a limit the counter is not
/// read (nothing to race for) and is appended to unchecked.
#[derive(Debug, Clone)]
pub struct RequestDeploymentDecision {
    pub project_id: String,
    pub request: RequestDeployment,
}

impl RequestDeploymentDecision {
    fn counter_id(&self, read: &History, request: &Request) -> String {
        let organization_id = read.state::<Project>(&self.project_id).organization_id;
        build_counter_id(&organization_id, &clouddeck_billing::period_of(request.now_ms))
    }
}

impl Decision for RequestDeploymentDecision {
    fn key(&self) -> String {
        self.request.deployment_id.clone()
    }

    fn streams(&self, read: &History, request: &Request) -> Vec<String> {
        let Some(project) = read.loaded::<Project>(&self.project_id) else {
            return vec![stream_of::<Project>(&self.project_id)];
        };
        let organization_id = project.organization_id;
        let plan_stream = stream_of::<OrganizationPlan>(&organization_id);
        let mut streams = vec![
            stream_of::<Organization>(&organization_id),
            stream_of::<Deployment>(&self.request.deployment_id),
            plan_stream.clone(),
        ];
        let limited =
            read.has(&plan_stream) && read.state::<OrganizationPlan>(&organization_id).plan.builds_per_month.is_some();
        if limited {
            streams.push(stream_of::<BuildCount>(&self.counter_id(read, request)));
        }
        streams
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let project = read.state::<Project>(&self.project_id);
        let ctx = request.context_in(&read.state::<Organization>(&project.organization_id));
        let deployment_id = &self.request.deployment_id;
        if read.version(&stream_of::<Deployment>(deployment_id)) != 0 {
            return Err(DomainError::AlreadyExists(format!("deployment {deployment_id} exists")));
        }
        let events = decide_request(&project, self.request.clone(), &ctx)?;
        let plan = read.state::<OrganizationPlan>(&project.organization_id).plan;
        let unlimited = plan.builds_per_month.is_none();
        let counter_id = self.counter_id(read, request);
        let count = CountBuild {
            organization_id: project.organization_id.clone(),
            project_id: self.project_id.clone(),
            deployment_id: deployment_id.clone(),
            period: clouddeck_billing::period_of(request.now_ms),
            plan,
        };
        let counted = read.state::<BuildCount>(&counter_id).decide(count, &ctx)?;
        Ok(vec![
            Write::checked(stream_of::<Deployment>(deployment_id), events),
            Write { stream: stream_of::<BuildCount>(&counter_id), events: counted, checked: !unlimited },
        ])
    }
}

/// A step of an existing deployment, decided in its organization.
#[derive(Debug, Clone)]
pub struct DeploymentDecision {
    pub deployment_id: String,
    pub command: DeploymentCommand,
}

impl Decision for DeploymentDecision {
    fn key(&self) -> String {
        self.deployment_id.clone()
    }

    fn streams(&self, read: &History, _request: &Request) -> Vec<String> {
        let Some(deployment) = read.loaded::<Deployment>(&self.deployment_id) else {
            return vec![stream_of::<Deployment>(&self.deployment_id)];
        };
        vec![stream_of::<Organization>(&deployment.organization_id)]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let deployment = read.state::<Deployment>(&self.deployment_id);
        let ctx = request.context_in(&read.state::<Organization>(&deployment.organization_id));
        let events = deployment.decide(self.command.clone(), &ctx)?;
        Ok(vec![Write::checked(stream_of::<Deployment>(&self.deployment_id), events)])
    }
}

/// The stream of a deployment's build log, `buildlog-<deployment>`: a chunk's sequence is its
/// version there. Kept apart from the deployment's stream so that a step of the deployment
/// does not replay every line its build printed (which made long logs quadratic).
pub fn build_log_stream(deployment_id: &str) -> String {
    clouddeck_events::stream_id("buildlog", deployment_id)
}

/// Appends a chunk of build output to the deployment's build log. The deployment decides it
/// may (it must be building; only the system writes logs); the log's version, read without
/// its lines, numbers the chunk, and a racing writer conflicts and numbers again.
#[derive(Debug, Clone)]
pub struct AppendBuildLog {
    pub deployment_id: String,
    pub lines: Vec<String>,
}

impl Decision for AppendBuildLog {
    fn key(&self) -> String {
        build_log_stream(&self.deployment_id)
    }

    fn streams(&self, read: &History, request: &Request) -> Vec<String> {
        DeploymentDecision { deployment_id: self.deployment_id.clone(), command: DeploymentCommand::Cancel }
            .streams(read, request)
    }

    fn versions(&self, _read: &History, _request: &Request) -> Vec<String> {
        vec![build_log_stream(&self.deployment_id)]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let deployment = read.state::<Deployment>(&self.deployment_id);
        let ctx = request.context_in(&read.state::<Organization>(&deployment.organization_id));
        let mut events = deployment.decide(DeploymentCommand::AppendLog { lines: self.lines.clone() }, &ctx)?;
        let log = build_log_stream(&self.deployment_id);
        for event in &mut events {
            if let Event::BuildLogChunk(chunk) = event {
                // After the chunks an older server wrote on the deployment's own stream.
                chunk.sequence = deployment.log_chunks + read.version(&log) + 1;
            }
        }
        Ok(vec![Write::checked(log, events)])
    }
}
