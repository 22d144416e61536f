//! The command side's I/O, one generic path for every decision (`decision.rs`): read the
//! streams it names, decide, append each write with the version its stream was read at. A
//! conflicting append means someone wrote in between: read and decide again, with backoff,
//! then give up with `Contention`. Nothing is ever merged. The methods named for commands
//! below only name the decision; the rules live in the aggregates' files.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::billing::{ChangePlan, ChangePlanDecision};
use crate::decision::{Decision, History, Request};
use crate::deployment::{DeploymentCommand, DeploymentDecision, RequestDeployment, RequestDeploymentDecision};
use crate::domain::{AddDomain, DomainCommand, DomainDecision};
use crate::error::DomainError;
use crate::organization::{OrganizationCommand, OrganizationDecision};
use crate::project::{CreateProject, ProjectCommand, ProjectDecision};
use crate::source::{DeployPush, RecordPush};
use crate::user::{UserCommand, UserDecision};
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
/// The most rounds of reads a decision may ask for.
const MAX_READ_ROUNDS: usize = 4;

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

    /// Public read of an aggregate's current state, for callers that must look first.
    pub async fn state<A: Aggregate>(&self, id: &str) -> Result<A, DomainError> {
        let mut read = History::default();
        match self.read_stream(&mut read, stream_id(A::KIND, id)).await {
            Ok(()) => Ok(read.state::<A>(id)),
            Err(Failure::Domain(e)) => Err(e),
            Err(Failure::Conflict) => Err(DomainError::Storage),
        }
    }

    /// Reads `stream` whole into `read`, decoded, with the version it ends at.
    async fn read_stream(&self, read: &mut History, stream: String) -> Result<(), Failure> {
        let recorded = self.store.read_stream(&stream, 0).await.map_err(storage)?;
        let version = recorded.last().map_or(0, |e| e.meta.stream_version);
        let events = recorded.iter().map(|e| e.decode()).collect::<Result<_, _>>().map_err(storage)?;
        read.insert(stream, version, events);
        Ok(())
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

    /// Runs `decision`: reads the streams it names, decides, appends every write with the
    /// version its stream was read at (atomically), and on a conflict reads and decides again
    /// (`retrying`). Commands with the same key queue on one turn in this process.
    ///
    /// Errors: the decision's [`DomainError`]; `Contention` when conflicts outlast `RETRY_FOR`;
    /// `Storage` when the store fails.
    pub async fn execute<D: Decision>(
        &self,
        decision: &D,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let request = Request { actor: provenance.actor.clone(), now_ms };
        self.retrying(&decision.key(), || async {
            let read = self.read(decision, &request).await?;
            let writes = decision.decide(&read, &request)?;
            let writes = writes
                .into_iter()
                .map(|write| {
                    let expected = match (write.checked, read.version(&write.stream)) {
                        (false, _) => ExpectedVersion::Any,
                        (true, 0) => ExpectedVersion::NoStream,
                        (true, version) => ExpectedVersion::Exactly(version),
                    };
                    (write.stream, expected, write.events)
                })
                .collect();
            self.append(writes, provenance).await
        })
        .await
    }

    /// Whether `decision` would be accepted now, without appending anything.
    pub async fn check<D: Decision>(
        &self,
        decision: &D,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<(), DomainError> {
        let request = Request { actor: provenance.actor.clone(), now_ms };
        match self.read(decision, &request).await {
            Ok(read) => decision.decide(&read, &request).map(|_| ()),
            Err(Failure::Domain(e)) => Err(e),
            Err(Failure::Conflict) => Err(DomainError::Storage),
        }
    }

    /// Reads the streams `decision` names until it names none it has not read (at most a few
    /// rounds: a decision's streams depend on at most a chain of states).
    async fn read<D: Decision>(&self, decision: &D, request: &Request) -> Result<History, Failure> {
        let mut read = History::default();
        for _ in 0..MAX_READ_ROUNDS {
            let wanted: Vec<String> =
                decision.streams(&read, request).into_iter().filter(|stream| !read.has(stream)).collect();
            let counted: Vec<String> =
                decision.versions(&read, request).into_iter().filter(|stream| !read.has(stream)).collect();
            if wanted.is_empty() && counted.is_empty() {
                return Ok(read);
            }
            for stream in counted {
                let version = self.store.stream_version(&stream).await.map_err(storage)?;
                read.insert(stream, version, Vec::new());
            }
            for stream in wanted {
                self.read_stream(&mut read, stream).await?;
            }
        }
        error!(key = decision.key(), "a decision kept naming new streams");
        Err(Failure::Domain(DomainError::Storage))
    }

    pub async fn organization(
        &self,
        organization_id: &str,
        command: OrganizationCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let decision = OrganizationDecision { organization_id: organization_id.to_string(), command };
        self.execute(&decision, provenance, now_ms).await
    }

    /// Claims the slug on the organization's stream and creates the project, atomically.
    pub async fn create_project(
        &self,
        command: ProjectCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        if !matches!(command, ProjectCommand::Create { .. }) {
            return Err(DomainError::invalid("command", "expected a project creation"));
        }
        self.execute(&CreateProject(command), provenance, now_ms).await
    }

    pub async fn project(
        &self,
        project_id: &str,
        command: ProjectCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&ProjectDecision { project_id: project_id.to_string(), command }, provenance, now_ms).await
    }

    pub async fn request_deployment(
        &self,
        project_id: &str,
        request: RequestDeployment,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let decision = RequestDeploymentDecision { project_id: project_id.to_string(), request };
        self.execute(&decision, provenance, now_ms).await
    }

    pub async fn deployment(
        &self,
        deployment_id: &str,
        command: DeploymentCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let decision = DeploymentDecision { deployment_id: deployment_id.to_string(), command };
        self.execute(&decision, provenance, now_ms).await
    }

    /// Adds a domain to `project_id` (the command is [`DomainCommand::Add`]).
    pub async fn add_domain(
        &self,
        project_id: &str,
        command: DomainCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&AddDomain { project_id: project_id.to_string(), command }, provenance, now_ms).await
    }

    pub async fn domain(
        &self,
        domain_id: &str,
        command: DomainCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&DomainDecision { domain_id: domain_id.to_string(), command }, provenance, now_ms).await
    }

    pub async fn user(
        &self,
        user_id: &str,
        command: UserCommand,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&UserDecision { user_id: user_id.to_string(), command }, provenance, now_ms).await
    }

    pub async fn change_plan(
        &self,
        command: ChangePlan,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&ChangePlanDecision(command), provenance, now_ms).await
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

    pub async fn record_push(
        &self,
        project_id: &str,
        push: PushReceived,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        self.execute(&RecordPush { project_id: project_id.to_string(), push }, provenance, now_ms).await
    }

    pub async fn deploy_push(
        &self,
        project_id: &str,
        push: PushReceived,
        request: RequestDeployment,
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<Outcome, DomainError> {
        let decision = DeployPush {
            push: RecordPush { project_id: project_id.to_string(), push },
            deployment: RequestDeploymentDecision { project_id: project_id.to_string(), request },
        };
        self.execute(&decision, provenance, now_ms).await
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
        self.check(&RecordPush { project_id: project_id.to_string(), push }, provenance, now_ms).await
    }
}
