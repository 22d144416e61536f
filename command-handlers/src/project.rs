//! The project: its settings, its environment variable names, and whether it is live.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::name;
use crate::organization::{Organization, OrganizationCommand};
use crate::validate;
use clouddeck_events::*;
use std::collections::BTreeMap;

pub const ENV_TARGETS: &[&str] = &["production", "preview", "all"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectStatus {
    #[default]
    Absent,
    Active,
    Deleted,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    pub status: ProjectStatus,
    pub id: String,
    pub organization_id: String,
    pub slug: String,
    pub production_branch: String,
    /// Sealed values by (key, target): the builder opens them for a build's environment.
    pub env: BTreeMap<(String, String), String>,
    /// The build settings (`updateProjectSettings`): each unset until given; an empty value
    /// clears one.
    pub install_command: Option<String>,
    pub build_command: Option<String>,
    pub output_directory: Option<String>,
    pub root_directory: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProjectCommand {
    Create {
        project_id: String,
        organization_id: String,
        slug: String,
        name: String,
        framework: Option<String>,
        production_branch: Option<String>,
    },
    /// Every field set is changed; `project_id` in the payload is ignored.
    ChangeSettings(ProjectSettingsChanged),
    SetEnvVar {
        key: String,
        target: String,
        sealed_value: String,
    },
    RemoveEnvVar {
        key: String,
        target: String,
    },
    /// Follow a git repository; `sealed_secret` verifies its webhooks.
    ConnectGit {
        repository_url: String,
        sealed_secret: String,
    },
    /// Record a push the git host reported (valid or not: refused ones are recorded too).
    /// Written to the project's `source-` stream.
    RecordPush(PushReceived),
    Delete,
}

impl Aggregate for Project {
    type Command = ProjectCommand;
    const KIND: &'static str = "project";

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::ProjectCreated(e) => {
                self.status = ProjectStatus::Active;
                self.id = e.project_id.clone();
                self.organization_id = e.organization_id.clone();
                self.slug = e.slug.clone();
                self.production_branch = e.production_branch.clone();
            }
            Event::ProjectSettingsChanged(e) => {
                if let Some(branch) = &e.production_branch {
                    self.production_branch = branch.clone();
                }
                let set = |field: &mut Option<String>, value: &Option<String>| {
                    if let Some(value) = value {
                        *field = Some(value.clone()).filter(|v| !v.trim().is_empty());
                    }
                };
                set(&mut self.install_command, &e.install_command);
                set(&mut self.build_command, &e.build_command);
                set(&mut self.output_directory, &e.output_directory);
                set(&mut self.root_directory, &e.root_directory);
            }
            Event::EnvVarSet(e) => {
                self.env.insert((e.key.clone(), e.target.clone()), e.sealed_value.clone());
            }
            Event::EnvVarRemoved(e) => {
                self.env.remove(&(e.key.clone(), e.target.clone()));
            }
            Event::ProjectDeleted(_) => self.status = ProjectStatus::Deleted,
            _ => {}
        }
        self
    }

    fn decide(&self, command: ProjectCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        match (command, self.status) {
            (
                ProjectCommand::Create { project_id, organization_id, slug, name, framework, production_branch },
                ProjectStatus::Absent,
            ) => {
                ctx.require(Role::Admin, "creating projects")?;
                validate::slug("slug", &slug)?;
                validate::name("name", &name)?;
                let production_branch = production_branch.unwrap_or_else(|| "main".into());
                validate::name("productionBranch", &production_branch)?;
                Ok(vec![
                    ProjectCreated { project_id, organization_id, slug, name, framework, production_branch }.into(),
                ])
            }
            (ProjectCommand::Create { project_id, .. }, _) => {
                Err(DomainError::AlreadyExists(format!("project {project_id} exists")))
            }
            (_, ProjectStatus::Absent | ProjectStatus::Deleted) => Err(DomainError::not_found("project", &self.id)),
            (command, ProjectStatus::Active) => self.decide_active(command, ctx),
        }
    }
}

impl Project {
    fn decide_active(&self, command: ProjectCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        use ProjectCommand::*;
        let project_id = self.id.clone();
        match command {
            Create { .. } => Err(DomainError::AlreadyExists(format!("project {project_id} exists"))),
            ChangeSettings(change) => {
                ctx.require(Role::Admin, "changing project settings")?;
                if let Some(name) = &change.name {
                    validate::name("name", name)?;
                }
                if let Some(branch) = &change.production_branch {
                    validate::name("productionBranch", branch)?;
                }
                for (field, value) in
                    [("outputDirectory", &change.output_directory), ("rootDirectory", &change.root_directory)]
                {
                    if value.as_deref().is_some_and(|v| v.split('/').any(|part| part == "..") || v.starts_with('/')) {
                        return Err(DomainError::invalid(field, "must be a relative path inside the source"));
                    }
                }
                let change = ProjectSettingsChanged { project_id, ..change };
                let unchanged = ProjectSettingsChanged { project_id: change.project_id.clone(), ..Default::default() };
                Ok(if change == unchanged { vec![] } else { vec![change.into()] })
            }
            SetEnvVar { key, target, sealed_value } => {
                validate::env_key("key", &key)?;
                validate::one_of("target", &target, ENV_TARGETS)?;
                require_env_role(ctx, &target)?;
                Ok(vec![EnvVarSet { project_id, key, target, sealed_value }.into()])
            }
            RemoveEnvVar { key, target } => {
                require_env_role(ctx, &target)?;
                if !self.env.contains_key(&(key.clone(), target.clone())) {
                    return Err(DomainError::not_found("environment variable", format!("{key} ({target})")));
                }
                Ok(vec![EnvVarRemoved { project_id, key, target }.into()])
            }
            ConnectGit { repository_url, sealed_secret } => {
                ctx.require(Role::Admin, "connecting git repositories")?;
                // https:// and http:// only: a file:// URL would let a project deploy the server's
                // own files, and only over HTTP can the fetch be pinned to a checked address.
                let schemes = ["https://", "http://"];
                let scheme_ok = schemes.iter().any(|s| repository_url.starts_with(s));
                if !scheme_ok
                    || repository_url.len() > 2048
                    || repository_url.chars().any(|c| c.is_control() || c.is_whitespace())
                {
                    return Err(DomainError::invalid("repositoryUrl", "must be an https:// (or http://) URL"));
                }
                Ok(vec![GitConnected { project_id, repository_url, sealed_webhook_secret: sealed_secret }.into()])
            }
            RecordPush(push) => {
                ctx.require_system("recording pushes")?;
                Ok(vec![PushReceived { project_id, ..push }.into()])
            }
            Delete => {
                ctx.require(Role::Admin, "deleting projects")?;
                Ok(vec![
                    ProjectDeleted {
                        project_id,
                        organization_id: self.organization_id.clone(),
                        slug: self.slug.clone(),
                    }
                    .into(),
                ])
            }
        }
    }
}

/// Developers manage preview variables; production ones need an admin.
fn require_env_role(ctx: &Context, target: &str) -> Result<Role, DomainError> {
    if target == "preview" {
        ctx.require(Role::Developer, "changing preview environment variables")
    } else {
        ctx.require(Role::Admin, "changing production environment variables")
    }
}

impl Project {
    /// The sealed variables a build for `target` (production or preview) gets: those set for
    /// that target, else those set for all.
    pub fn sealed_env_for(&self, target: &str) -> Vec<(String, String)> {
        let mut chosen: BTreeMap<&str, &str> = BTreeMap::new();
        for ((key, scope), sealed) in &self.env {
            if scope == "all" {
                chosen.entry(key).or_insert(sealed);
            }
        }
        for ((key, scope), sealed) in &self.env {
            if scope == target {
                chosen.insert(key, sealed);
            }
        }
        chosen.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

/// Creates a project: claims its slug on its organization's stream, and its host name
/// (`<slug>.<base domain>`) server-wide, in the same append as its first event.
#[derive(Debug, Clone)]
pub struct CreateProject(pub ProjectCommand);

impl CreateProject {
    fn ids(&self) -> (&str, &str, &str) {
        match &self.0 {
            ProjectCommand::Create { project_id, organization_id, slug, .. } => (project_id, organization_id, slug),
            _ => ("", "", ""),
        }
    }
}

impl Decision for CreateProject {
    fn key(&self) -> String {
        self.ids().1.to_string()
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        let (project_id, organization_id, slug) = self.ids();
        vec![
            stream_of::<Organization>(organization_id),
            stream_of::<Project>(project_id),
            name::stream(name::HOST, slug),
        ]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let ProjectCommand::Create { project_id, organization_id, slug, .. } = &self.0 else {
            return Err(DomainError::invalid("command", "expected a project creation"));
        };
        let organization = read.state::<Organization>(organization_id);
        if organization.id.is_none() {
            return Err(DomainError::not_found("organization", organization_id));
        }
        let ctx = request.context_in(&organization);
        let claim = OrganizationCommand::ClaimProjectSlug { project_id: project_id.clone(), slug: slug.clone() };
        let organization_events = organization.decide(claim, &ctx)?;
        let project_events = read.state::<Project>(project_id).decide(self.0.clone(), &ctx)?;
        let suggestion = format!("{slug}-{}", organization.slug);
        let host = name::claim(read, (name::HOST, slug, project_id), &ctx, (&suggestion, "a project"))?;
        Ok(vec![
            Write::checked(stream_of::<Organization>(organization_id), organization_events),
            Write::checked(stream_of::<Project>(project_id), project_events),
            host,
        ])
    }
}

/// A command on an existing project, decided in its organization. Deleting one gives its
/// slug and its host name back in the same append.
#[derive(Debug, Clone)]
pub struct ProjectDecision {
    pub project_id: String,
    pub command: ProjectCommand,
}

impl Decision for ProjectDecision {
    fn key(&self) -> String {
        self.project_id.clone()
    }

    fn streams(&self, read: &History, _request: &Request) -> Vec<String> {
        let Some(project) = read.loaded::<Project>(&self.project_id) else {
            return vec![stream_of::<Project>(&self.project_id)];
        };
        let mut streams = vec![stream_of::<Organization>(&project.organization_id)];
        if matches!(self.command, ProjectCommand::Delete) {
            streams.push(name::stream(name::HOST, &project.slug));
        }
        streams
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let project = read.state::<Project>(&self.project_id);
        let organization = read.state::<Organization>(&project.organization_id);
        let ctx = request.context_in(&organization);
        let events = project.decide(self.command.clone(), &ctx)?;
        let mut writes = Vec::new();
        if matches!(self.command, ProjectCommand::Delete) {
            let release = OrganizationCommand::ReleaseProjectSlug { project_id: self.project_id.clone() };
            let organization_events = organization.decide(release, &ctx)?;
            writes.push(Write::checked(stream_of::<Organization>(&project.organization_id), organization_events));
            writes.push(name::release(read, name::HOST, &project.slug, &self.project_id, &ctx)?);
        }
        writes.push(Write::checked(stream_of::<Project>(&self.project_id), events));
        Ok(writes)
    }
}
