//! The deployment: from request through build and artifact to ready, then promoted to
//! production or rolled back to. Builds are reported by CloudDeck's workers only.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::error::DomainError;
use crate::project::{Project, ProjectStatus};
use crate::validate;
use clouddeck_events::*;

pub const TARGETS: &[&str] = &["production", "preview"];
pub const SOURCE_KINDS: &[&str] = &["upload", "git"];
pub const FAILURE_CAUSES: &[&str] = &["user", "platform", "timeout"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeploymentStatus {
    #[default]
    Absent,
    Requested,
    Queued,
    Building,
    Built,
    Stored,
    Ready,
    Failed,
    Canceled,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deployment {
    pub status: DeploymentStatus,
    pub id: String,
    pub project_id: String,
    pub organization_id: String,
    pub prebuilt: bool,
    pub build_id: Option<String>,
    pub log_chunks: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeploymentCommand {
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
    validate::one_of("target", &request.target, TARGETS)?;
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
                self.status = Requested;
                self.id = e.deployment_id.clone();
                self.project_id = e.project_id.clone();
                self.organization_id = e.organization_id.clone();
                self.prebuilt = e.prebuilt;
            }
            Event::BuildQueued(e) => {
                self.status = Queued;
                self.build_id = Some(e.build_id.clone());
            }
            Event::BuildStarted(_) => self.status = Building,
            Event::BuildLogChunk(_) => self.log_chunks += 1,
            Event::BuildSucceeded(_) => self.status = Built,
            Event::BuildFailed(_) => self.status = Failed,
            Event::BuildCanceled(_) => self.status = Canceled,
            Event::ArtifactStored(_) => self.status = Stored,
            Event::DeploymentReady(_) => self.status = Ready,
            _ => {}
        }
        self
    }

    fn decide(&self, command: DeploymentCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        use DeploymentCommand::*;
        use DeploymentStatus::*;
        if self.status == Absent {
            return Err(DomainError::not_found("deployment", &self.id));
        }
        let deployment_id = self.id.clone();
        let build_id = self.build_id.clone().unwrap_or_default();
        let illegal = |action| Err(DomainError::illegal("deployment", action, self.status));
        match command {
            QueueBuild { build_id } => {
                ctx.require_system("queueing builds")?;
                if self.status != Requested || self.prebuilt {
                    return illegal("queue a build for");
                }
                Ok(vec![BuildQueued { deployment_id, build_id }.into()])
            }
            StartBuild { runner, framework } => {
                ctx.require_system("starting builds")?;
                if self.status != Queued {
                    return illegal("start building");
                }
                Ok(vec![BuildStarted { deployment_id, build_id, runner, framework }.into()])
            }
            AppendLog { lines } => {
                ctx.require_system("writing build logs")?;
                if self.status != Building {
                    return illegal("log to");
                }
                Ok(vec![BuildLogChunk { deployment_id, build_id, sequence: self.log_chunks + 1, lines }.into()])
            }
            SucceedBuild { duration_ms } => {
                ctx.require_system("finishing builds")?;
                if self.status != Building {
                    return illegal("finish the build of");
                }
                Ok(vec![BuildSucceeded { deployment_id, build_id, duration_ms }.into()])
            }
            FailBuild { duration_ms, reason, cause, retryable } => {
                ctx.require_system("failing builds")?;
                validate::one_of("cause", &cause, FAILURE_CAUSES)?;
                if !matches!(self.status, Requested | Queued | Building | Built | Stored) {
                    return illegal("fail");
                }
                Ok(vec![BuildFailed { deployment_id, build_id, duration_ms, reason, cause, retryable }.into()])
            }
            Cancel => {
                ctx.require(Role::Developer, "canceling deployments")?;
                if !matches!(self.status, Requested | Queued | Building) {
                    return illegal("cancel");
                }
                Ok(vec![BuildCanceled { deployment_id, build_id }.into()])
            }
            StoreArtifact { manifest_sha256, file_count, total_bytes } => {
                ctx.require_system("storing artifacts")?;
                let ready_for_it = self.status == Built || (self.prebuilt && self.status == Requested);
                if !ready_for_it {
                    return illegal("store an artifact for");
                }
                Ok(vec![ArtifactStored { deployment_id, manifest_sha256, file_count, total_bytes }.into()])
            }
            MarkReady { url } => {
                ctx.require_system("marking deployments ready")?;
                if self.status != Stored {
                    return illegal("mark ready");
                }
                Ok(vec![DeploymentReady { deployment_id, url }.into()])
            }
            Promote { previous } => {
                ctx.require(Role::Developer, "promoting deployments")?;
                if self.status != Ready {
                    return illegal("promote");
                }
                let project_id = self.project_id.clone();
                Ok(vec![DeploymentPromoted { deployment_id, project_id, previous_deployment_id: previous }.into()])
            }
            RollBack { from } => {
                ctx.require(Role::Developer, "rolling back")?;
                if self.status != Ready {
                    return illegal("roll back to");
                }
                let project_id = self.project_id.clone();
                Ok(vec![DeploymentRolledBack { deployment_id, project_id, from_deployment_id: from }.into()])
            }
        }
    }
}
