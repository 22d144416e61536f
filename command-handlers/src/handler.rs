//! The command side's I/O: load a stream, fold it, decide, append with the version it was
//! loaded at. A conflicting append means someone wrote in between: reload and decide
//! again, a few times, then give up with `Contention`. Nothing is ever merged.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::billing::{BuildCount, ChangePlan, CountBuild, Subscription, build_counter_id};
use crate::deployment::{Deployment, DeploymentCommand, RequestDeployment, decide_request};
use crate::error::DomainError;
use crate::name::{self, Name, NameCommand};
use crate::organization::{Organization, OrganizationCommand};
use crate::project::{Project, ProjectCommand};
use crate::source::{Source, SourceCommand};
use crate::user::{User, UserCommand};
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent, StoreError, StreamAppend};
use clouddeck_events::{Event, Provenance, PushReceived, stream_id};
use std::collections::HashMap;
use std::sync::Arc;
use tracing::error;

/// How long a command keeps retrying conflicting writes before it gives up with
/// `Contention`: parallel writers to one stream wait their turn instead of failing.
const RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(20);
/// The first pause after a conflict; each next one doubles, up to `MAX_PAUSE`, with jitter.
const FIRST_PAUSE_MS: u64 = 2;
const MAX_PAUSE_MS: u64 = 250;

/// What an accepted command wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Events appended (0 when the command changed nothing).
    pub events: usize,
    /// The log position of the last one: read models that reached it show the write.
    pub last_position: i64,
}

enum Failure {
    Domain(DomainError),
    Conflict,
}

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Self {
        Failure::Domain(e)
    }
}

fn storage(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict { .. } => Failure::Conflict,
        other => {
            error!(error = %other, "event store failure while handling a command");
            Failure::Domain(DomainError::Storage)
        }
    }
}

/// A name taken: the error says so and what to try instead.
fn suggest(failure: Failure, suggestion: &str, what: &str) -> Failure {
    match failure {
        Failure::Domain(DomainError::AlreadyExists(reason)) => Failure::Domain(DomainError::AlreadyExists(format!(
            "{reason} on this server ({what}'s name is public): try `{suggestion}`"
        ))),
        other => other,
    }
}

/// A loaded aggregate and the version it was loaded at.
struct Loaded<A> {
    state: A,
    version: i64,
}

impl<A> Loaded<A> {
    fn expected(&self) -> ExpectedVersion {
        if self.version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exactly(self.version) }
    }
}

pub struct CommandHandler {
    store: Arc<dyn EventStore>,
    /// One turn at a time per aggregate in this process: writers to one stream queue here
    /// rather than load, decide and conflict (which made 200 parallel writes to one project
    /// retry quadratically). Other processes' writes still conflict and are retried.
    turns: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl CommandHandler {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        CommandHandler { store, turns: Default::default() }
    }

    /// The lock that orders this process's commands on aggregate `id`.
    fn turn(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        turns.entry(id.to_string()).or_default().clone()
    }

    /// Forgets aggregate `id`'s lock once nobody holds or awaits it.
    fn end_turn(&self, id: &str, turn: Arc<tokio::sync::Mutex<()>>) {
        let mut turns = self.turns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // the map's reference and `turn` itself: nobody else is queued
        if Arc::strong_count(&turn) == 2 {
            turns.remove(id);
        }
    }

    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    async fn load<A: Aggregate>(&self, id: &str) -> Result<Loaded<A>, Failure> {
        let recorded = self.store.read_stream(&stream_id(A::KIND, id), 0).await.map_err(storage)?;
        let version = recorded.last().map_or(0, |e| e.meta.stream_version);
        let events: Vec<Event> = recorded.iter().map(|e| e.decode()).collect::<Result<_, _>>().map_err(storage)?;
        Ok(Loaded { state: A::replay(&events), version })
    }

    /// Public read of an aggregate's current state, for callers that must look first.
    pub async fn state<A: Aggregate>(&self, id: &str) -> Result<A, DomainError> {
        match self.load::<A>(id).await {
            Ok(loaded) => Ok(loaded.state),
            Err(Failure::Domain(e)) => Err(e),
            Err(Failure::Conflict) => Err(DomainError::Storage),
        }
    }

    async fn append(
        &self,
        writes: Vec<(String, ExpectedVersion, Vec<Event>)>,
        provenance: &Provenance,
    ) -> Result<Outcome, Failure> {
        let mut appends = Vec::new();
        for (stream_id, expected, events) in writes {
            if events.is_empty() {
                continue;
            }
            let events = events
                .iter()
                .map(|e| NewEvent::new(e, provenance.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::Domain(DomainError::invalid("event", e)))?;
            appends.push(StreamAppend { stream_id, expected, events });
        }
        let events = appends.iter().map(|a| a.events.len()).sum();
        if events == 0 {
            return Ok(Outcome::default());
        }
        let appended = self.store.append_streams(appends).await.map_err(storage)?;
        let last_position = appended.iter().map(|a| a.last_position).max().unwrap_or(0);
        Ok(Outcome { events, last_position })
    }

    /// Runs `attempt` until it is not refused for a conflicting write: after each conflict it
    /// pauses (exponential backoff with full jitter, so racing writers spread out) and decides
    /// again on the new state, until `RETRY_FOR` has passed.
    async fn retrying<F, Fut>(&self, what: &str, mut attempt: F) -> Result<Outcome, DomainError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Outcome, Failure>>,
    {
        let turn = self.turn(what);
        let outcome = {
            let _held = turn.lock().await;
            let deadline = tokio::time::Instant::now() + RETRY_FOR;
            let mut ceiling = FIRST_PAUSE_MS;
            loop {
                match attempt().await {
                    Ok(outcome) => break Ok(outcome),
                    Err(Failure::Domain(e)) => break Err(e),
                    Err(Failure::Conflict) if tokio::time::Instant::now() < deadline => {
                        let pause = rand::random::<u64>() % (ceiling + 1);
                        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                        ceiling = (ceiling * 2).min(MAX_PAUSE_MS);
                    }
                    Err(Failure::Conflict) => break Err(DomainError::Contention(what.to_string())),
                }
            }
        };
        self.end_turn(what, turn);
        outcome
    }

    /// Loads an aggregate that lives in an organization, that organization, and the actor's
    /// standing in it.
    async fn in_organization<A: Aggregate>(
        &self,
        id: &str,
        organization_of: fn(&A) -> &str,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<(Loaded<A>, Loaded<Organization>, Context), Failure> {
        let loaded = self.load::<A>(id).await?;
        let org = self.load::<Organization>(organization_of(&loaded.state)).await?;
        let ctx = Self::context(provenance, &org.state, now_ms);
        Ok((loaded, org, ctx))
    }

    fn context(provenance: &Provenance, organization: &Organization, now_ms: i64) -> Context {
        Context { actor: provenance.actor.clone(), role: organization.role_of(&provenance.actor, now_ms), now_ms }
    }

    pub async fn organization(
        &self,
        organization_id: &str,
        command: OrganizationCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(organization_id, || async {
            let org = self.load::<Organization>(organization_id).await?;
            let ctx = Self::context(provenance, &org.state, now_ms);
            let events = org.state.decide(command.clone(), &ctx)?;
            let mut writes = vec![(stream_id(Organization::KIND, organization_id), org.expected(), events)];
            // An organization's slug is the server's to give: claimed in the same append.
            if let OrganizationCommand::Create { slug, .. } = &command {
                let claim = self
                    .claim(name::ORGANIZATION, slug, organization_id, &ctx)
                    .await
                    .map_err(|e| suggest(e, slug, "an organization"))?;
                writes.push(claim);
            }
            self.append(writes, provenance).await
        })
        .await
    }

    /// Claims the slug on the organization's stream and creates the project, atomically.
    pub async fn create_project(
        &self,
        command: ProjectCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let ProjectCommand::Create { project_id, organization_id, slug, .. } = &command else {
            return Err(DomainError::invalid("command", "expected a project creation"));
        };
        self.retrying(organization_id, || async {
            let org = self.load::<Organization>(organization_id).await?;
            if org.state.id.is_none() {
                return Err(DomainError::not_found("organization", organization_id).into());
            }
            let project = self.load::<Project>(project_id).await?;
            let ctx = Self::context(provenance, &org.state, now_ms);
            let claim = OrganizationCommand::ClaimProjectSlug { project_id: project_id.clone(), slug: slug.clone() };
            let org_events = org.state.decide(claim, &ctx)?;
            let project_events = project.state.decide(command.clone(), &ctx)?;
            // The host name `<slug>.<base domain>` is the server's: claimed in the same append.
            let host = self
                .claim(name::HOST, slug, project_id, &ctx)
                .await
                .map_err(|e| suggest(e, &format!("{slug}-{}", org.state.slug), "a project"))?;
            let writes = vec![
                (stream_id(Organization::KIND, organization_id), org.expected(), org_events),
                (stream_id(Project::KIND, project_id), project.expected(), project_events),
                host,
            ];
            self.append(writes, provenance).await
        })
        .await
    }

    pub async fn project(
        &self,
        project_id: &str,
        command: ProjectCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(project_id, || async {
            let (project, org, ctx) =
                self.in_organization::<Project>(project_id, |p| &p.organization_id, provenance, now_ms).await?;
            let events = project.state.decide(command.clone(), &ctx)?;
            let mut writes = Vec::new();
            if matches!(command, ProjectCommand::Delete) {
                let release = OrganizationCommand::ReleaseProjectSlug { project_id: project_id.to_string() };
                let org_events = org.state.decide(release, &ctx)?;
                writes.push((
                    stream_id(Organization::KIND, &project.state.organization_id),
                    org.expected(),
                    org_events,
                ));
                writes.push(self.release(name::HOST, &project.state.slug, project_id, &ctx).await?);
            }
            writes.push((stream_id(Project::KIND, project_id), project.expected(), events));
            self.append(writes, provenance).await
        })
        .await
    }

    pub async fn request_deployment(
        &self,
        project_id: &str,
        request: RequestDeployment,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(&request.deployment_id, || async {
            let writes = self.request_writes(project_id, request.clone(), provenance, now_ms).await?;
            self.append(writes, provenance).await
        })
        .await
    }

    /// What a deployment request appends: the deployment's first event, and the month's build
    /// counted in the same append. The counter's version is the count, so two requests racing
    /// for the last build cannot both have it.
    async fn request_writes(
        &self,
        project_id: &str,
        request: RequestDeployment,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Vec<(String, ExpectedVersion, Vec<Event>)>, Failure> {
        let (project, _, ctx) =
            self.in_organization::<Project>(project_id, |p| &p.organization_id, provenance, now_ms).await?;
        let deployment = self.load::<Deployment>(&request.deployment_id).await?;
        if deployment.version != 0 {
            return Err(DomainError::AlreadyExists(format!("deployment {} exists", request.deployment_id)).into());
        }
        let deployment_id = request.deployment_id.clone();
        let events = decide_request(&project.state, request, &ctx)?;
        let organization_id = &project.state.organization_id;
        let plan = self.load::<Subscription>(organization_id).await?.state.plan;
        let period = clouddeck_billing::period_of(now_ms);
        let counter_id = build_counter_id(organization_id, &period);
        let unlimited = plan.builds_per_month.is_none();
        let count = CountBuild {
            organization_id: organization_id.clone(),
            project_id: project_id.to_string(),
            deployment_id: deployment_id.clone(),
            period,
            plan,
        };
        // Without a limit there is nothing to race for: counted without reading the
        // month's counter, which then grows without bound. With one, it holds at most
        // the limit's events.
        let (counted, expected) = if unlimited {
            (BuildCount::default().decide(count, &ctx)?, ExpectedVersion::Any)
        } else {
            let counter = self.load::<BuildCount>(&counter_id).await?;
            (counter.state.decide(count, &ctx)?, counter.expected())
        };
        Ok(vec![
            (stream_id(Deployment::KIND, &deployment_id), ExpectedVersion::NoStream, events),
            (stream_id(BuildCount::KIND, &counter_id), expected, counted),
        ])
    }

    pub async fn deployment(
        &self,
        deployment_id: &str,
        command: DeploymentCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(deployment_id, || async {
            let (deployment, _, ctx) =
                self.in_organization::<Deployment>(deployment_id, |d| &d.organization_id, provenance, now_ms).await?;
            let events = deployment.state.decide(command.clone(), &ctx)?;
            let write = (stream_id(Deployment::KIND, deployment_id), deployment.expected(), events);
            self.append(vec![write], provenance).await
        })
        .await
    }

    /// The write that claims public name `name` of `kind` for `owner_id`.
    async fn claim(
        &self,
        kind: &str,
        name: &str,
        owner_id: &str,
        ctx: &Context,
    ) -> Result<(String, ExpectedVersion, Vec<Event>), Failure> {
        let command = NameCommand::Claim { kind: kind.into(), name: name.to_lowercase(), owner_id: owner_id.into() };
        self.name_write(kind, name, command, ctx).await
    }

    /// The write that gives public name `name` back, if `owner_id` holds it.
    async fn release(
        &self,
        kind: &str,
        name: &str,
        owner_id: &str,
        ctx: &Context,
    ) -> Result<(String, ExpectedVersion, Vec<Event>), Failure> {
        let command = NameCommand::Release { kind: kind.into(), name: name.to_lowercase(), owner_id: owner_id.into() };
        self.name_write(kind, name, command, ctx).await
    }

    /// What `command` writes to the stream of public name `name` of `kind`.
    async fn name_write(
        &self,
        kind: &str,
        name: &str,
        command: NameCommand,
        ctx: &Context,
    ) -> Result<(String, ExpectedVersion, Vec<Event>), Failure> {
        let id = name::name_id(kind, name);
        let held = self.load::<Name>(&id).await?;
        let events = held.state.decide(command, ctx)?;
        Ok((stream_id(Name::KIND, &id), held.expected(), events))
    }

    /// Registration and sessions: not scoped to an organization.
    pub async fn user(
        &self,
        user_id: &str,
        command: UserCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(user_id, || async {
            let user = self.load::<User>(user_id).await?;
            let ctx = Context { actor: provenance.actor.clone(), role: None, now_ms };
            let events = user.state.decide(command.clone(), &ctx)?;
            let write = (stream_id(User::KIND, user_id), user.expected(), events);
            self.append(vec![write], provenance).await
        })
        .await
    }

    /// Changes an organization's plan (its owner only).
    pub async fn change_plan(
        &self,
        command: ChangePlan,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let organization_id = command.organization_id.clone();
        self.retrying(&organization_id, || async {
            let org = self.load::<Organization>(&organization_id).await?;
            if org.version == 0 {
                return Err(DomainError::not_found("organization", &organization_id).into());
            }
            let ctx = Self::context(provenance, &org.state, now_ms);
            let subscription = self.load::<Subscription>(&organization_id).await?;
            let events = subscription.state.decide(command.clone(), &ctx)?;
            let write = (stream_id(Subscription::KIND, &organization_id), subscription.expected(), events);
            self.append(vec![write], provenance).await
        })
        .await
    }

    /// Records one metered window on its own new stream, `usage-<window id>`. A window
    /// already recorded (a retry after a lost answer, a restart) is acknowledged and not
    /// appended again: `events` is then 0.
    pub async fn record_usage(
        &self,
        window_id: &str,
        events: Vec<Event>,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let ctx = Context { actor: provenance.actor.clone(), role: None, now_ms };
        crate::usage::check_window(window_id, &events, &ctx)?;
        let write = (stream_id("usage", window_id), ExpectedVersion::NoStream, events);
        match self.append(vec![write], provenance).await {
            Ok(outcome) => Ok(outcome),
            Err(Failure::Conflict) => Ok(Outcome::default()),
            Err(Failure::Domain(e)) => Err(e),
        }
    }

    /// Records a push on `source-<project>`: the project decides it may be recorded (it must be
    /// live; only CloudDeck's webhook receiver records pushes), the source refuses a delivery
    /// seen before or a push older than the branch's last. For pushes that deploy nothing.
    pub async fn record_push(
        &self,
        project_id: &str,
        push: PushReceived,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(project_id, || async {
            let write = self.push_write(project_id, push.clone(), provenance, now_ms).await?;
            self.append(vec![write], provenance).await
        })
        .await
    }

    /// Records a push and requests its deployment in one append: a delivery replayed or
    /// raced deploys (and counts a build) at most once.
    pub async fn deploy_push(
        &self,
        project_id: &str,
        push: PushReceived,
        request: RequestDeployment,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.retrying(project_id, || async {
            let mut writes = vec![self.push_write(project_id, push.clone(), provenance, now_ms).await?];
            writes.extend(self.request_writes(project_id, request.clone(), provenance, now_ms).await?);
            self.append(writes, provenance).await
        })
        .await
    }

    /// Whether `push` would be recorded now (a new delivery, newer than the branch's last),
    /// without recording it: a cheap look before fetching its commit.
    pub async fn check_push(
        &self,
        project_id: &str,
        push: PushReceived,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<(), DomainError> {
        match self.push_write(project_id, push, provenance, now_ms).await {
            Ok(_) => Ok(()),
            Err(Failure::Domain(e)) => Err(e),
            Err(Failure::Conflict) => Err(DomainError::Storage),
        }
    }

    async fn push_write(
        &self,
        project_id: &str,
        push: PushReceived,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<(String, ExpectedVersion, Vec<Event>), Failure> {
        let (project, _, ctx) =
            self.in_organization::<Project>(project_id, |p| &p.organization_id, provenance, now_ms).await?;
        let recorded = project.state.decide(ProjectCommand::RecordPush(push), &ctx)?;
        let source = self.load::<Source>(project_id).await?;
        let mut events = Vec::new();
        for event in recorded {
            let Event::PushReceived(push) = event else { continue };
            events.extend(source.state.decide(SourceCommand::RecordPush(push), &ctx)?);
        }
        Ok((stream_id(Source::KIND, project_id), source.expected(), events))
    }
}
