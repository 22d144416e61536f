//! The deployer: takes each requested deployment and carries it to ready. A source upload is
//! built in the sandbox first (its log streamed as chunks); a prebuilt upload is the site.
//! The artifact is checked (manifest and every blob present), must be served from its
//! manifest at its own URL through the edge (a home page is not required), is marked ready
//! there, and with target production promoted.
//!
//! Every deployment is first claimed (`deployment.claimed`): several deployer processes can
//! follow one log, and each deployment is carried by the one whose claim was appended first;
//! a restarted deployer resumes its own claims.
//!
//! Deployments run concurrently, up to `concurrency` at once, but one project's deployments
//! run one after another in the order they were requested, so production always ends on the
//! newest. It follows the log (the shared follower) from its own checkpoint, which never passes a deployment still in
//! flight; every step is a command, so a restart (or a stop, which abandons the builds in
//! flight) repeats at most those, and the aggregate refuses the steps already done.

use crate::builder::detect::Settings;
use crate::builder::run::{Builder, CacheScope, Job, chunk_lines};
use crate::watermark::Watermark;
use async_trait::async_trait;
use clouddeck_artifacts::{ArtifactError, ArtifactStore};
use clouddeck_command_handlers::billing::RefundBuild;
use clouddeck_command_handlers::deployment::{AppendBuildLog, Deployment, DeploymentCommand};
use clouddeck_command_handlers::project::Project;
use clouddeck_command_handlers::{CommandHandler, DomainError};
use clouddeck_eventlog::{
    Consumer, EventStore, FeedError, Follower, Heard, RecordedEvent, StoreError, StoreFeed, now_ms,
};
use clouddeck_events::{
    Actor, DeploymentRequested, DeploymentStatus, Event, EventMeta, FailureCause, Provenance, Target, UsageMetered,
};
use clouddeck_secrets::Sealer;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore, oneshot, watch};
use tokio::task::JoinSet;
use tracing::{info, warn};

/// Requested deployments read ahead of the ones running; past this the log waits. Also the
/// most events the deployer takes from the log at once.
const QUEUED_AT_MOST: usize = 256;

pub struct Deployer {
    /// This deployer's id: it claims deployments under it and keeps its checkpoint as
    /// `deployer-<id>`. Two deployer processes must have different ids.
    pub id: String,
    pub store: Arc<dyn EventStore>,
    pub artifacts: ArtifactStore,
    pub builder: Builder,
    /// Opens the project's env var values for its builds.
    pub sealer: Sealer,
    /// Deployment URLs are `http://<deployment>-<project>.<base_domain><port suffix>`.
    pub base_domain: String,
    pub port_suffix: String,
    /// The edge's own address: a new deployment must serve its index through it before it
    /// is marked ready.
    pub edge: std::net::SocketAddr,
    /// Deployments (builds) running at once.
    pub concurrency: usize,
    /// How long a new deployment waits for the platform: its health check for the edge to
    /// route and serve it, its reads for the artifact store.
    pub health_patience: Duration,
    /// How long another deployer's heartbeat must stand still before this one takes over the
    /// deployments that deployer holds.
    pub takeover_after: Duration,
}

/// The start of deployers' heartbeat rows (`beat/deployer/<id>` in `log_checkpoints`).
const DEPLOYER_BEATS: &str = "beat/deployer/";
/// How often a deployer counts its heartbeat up, and looks at a deployment another holds.
const BEAT: Duration = Duration::from_secs(2);

impl Deployer {
    /// Follows the log from this deployer's checkpoint until `stop` turns true; a stop
    /// abandons the deployments in flight (a restart resumes them).
    ///
    /// Errors: the event store's, when loading the checkpoint fails; later failures are
    /// retried after a pause.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) -> Result<(), FeedError> {
        let checkpoint = format!("deployer-{}", self.id);
        let mut saved = self.store.load_checkpoint(&checkpoint).await?;
        if saved == 0 {
            // Before deployers had ids there was one, checkpointed as `deployer`.
            saved = self.store.load_checkpoint("deployer").await?;
        }
        let mut feed = StoreFeed::new(self.store.clone(), saved);
        let mut intake = Intake {
            progress: Arc::new(Progress { checkpoint, marks: Mutex::new((Watermark::new(saved), saved)) }),
            handled: saved,
            slots: Arc::new(Semaphore::new(self.concurrency.max(1))),
            queue: Arc::new(Semaphore::new(QUEUED_AT_MOST)),
            running: JoinSet::new(),
            positions: HashMap::new(),
            latest_of_project: HashMap::new(),
            deployer: self,
        };
        let beating =
            tokio::spawn(beat(intake.deployer.store.clone(), format!("{DEPLOYER_BEATS}{}", intake.deployer.id)));
        let result = Follower::new(QUEUED_AT_MOST).run(&mut intake, &mut feed, stop).await;
        beating.abort();
        // Dropping the set aborts what is in flight.
        intake.running.shutdown().await;
        result
    }
}

/// How far the deployer got: the watermark of its work and the checkpoint last stored, kept
/// together so two tasks finishing at once cannot store them out of order.
struct Progress {
    checkpoint: String,
    marks: Mutex<(Watermark, i64)>,
}

impl Progress {
    /// The event at `position` was read; with `busy`, a task carries it on.
    async fn saw(&self, position: i64, busy: bool) {
        self.marks.lock().await.0.saw(position, busy);
    }

    /// Records `finished` (when some) and stores the checkpoint if it moved.
    async fn update(&self, store: &dyn EventStore, finished: Option<i64>) -> Result<(), StoreError> {
        let mut guard = self.marks.lock().await;
        let (marks, saved) = &mut *guard;
        if let Some(position) = finished {
            marks.finished(position);
        }
        if marks.checkpoint() > *saved {
            store.save_checkpoint(&self.checkpoint, marks.checkpoint()).await?;
            *saved = marks.checkpoint();
        }
        Ok(())
    }
}

/// The deployer as a [`Consumer`]: each requested deployment becomes a task; the checkpoint
/// never passes one still running.
struct Intake {
    deployer: Arc<Deployer>,
    progress: Arc<Progress>,
    /// The last position handed to a task or passed over: a batch delivered again after a
    /// failure starts nothing twice.
    handled: i64,
    /// Deployments (builds) running at once.
    slots: Arc<Semaphore>,
    /// Deployments read ahead of the ones running; past this the log waits.
    queue: Arc<Semaphore>,
    running: JoinSet<()>,
    positions: HashMap<tokio::task::Id, i64>,
    /// Per project, a signal that its latest deployment is done: the next one waits for it.
    latest_of_project: HashMap<String, oneshot::Receiver<()>>,
}

impl Intake {
    /// Forgets finished tasks; one that ended abnormally (a panic) lets the checkpoint pass it.
    async fn reap(&mut self) -> Result<(), StoreError> {
        while let Some(done) = self.running.try_join_next_with_id() {
            let id = match done {
                Ok((id, ())) => id,
                Err(e) => {
                    warn!(error = %e, "a deployment task ended abnormally");
                    e.id()
                }
            };
            if let Some(position) = self.positions.remove(&id) {
                self.progress.update(&*self.deployer.store, Some(position)).await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Consumer for Intake {
    type Error = FeedError;

    fn name(&self) -> &str {
        "deployer"
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, FeedError> {
        self.reap().await?;
        let mut started = 0;
        for event in batch {
            let position = event.meta.position;
            if position <= self.handled {
                continue;
            }
            let requested = match event.meta.event_type.as_str() {
                "deployment.requested" => match event.decode() {
                    Ok(Event::DeploymentRequested(requested)) => Some(requested),
                    _ => None,
                },
                _ => None,
            };
            let Some(requested) = requested else {
                self.progress.saw(position, false).await;
                self.handled = position;
                continue;
            };
            let queued = self.queue.clone().acquire_owned().await.expect("the queue is never closed");
            self.progress.saw(position, true).await;
            let (done, done_signal) = oneshot::channel::<()>();
            let before = self.latest_of_project.insert(requested.project_id.clone(), done_signal);
            let (deployer, slots, progress) = (self.deployer.clone(), self.slots.clone(), self.progress.clone());
            let meta = event.meta.clone();
            let task = self.running.spawn(async move {
                if let Some(before) = before {
                    let _ = before.await;
                }
                // Held by another deployer: watched (without a slot), and taken over if that
                // one stops.
                if let Some(_slot) = deployer.hold(&requested, &meta, &slots).await {
                    deployer.deploy(&requested, &meta).await;
                }
                drop(done);
                drop(queued);
                if let Err(e) = progress.update(&*deployer.store, Some(position)).await {
                    warn!(error = %e, "the deployer's checkpoint could not be stored; the next event stores it");
                }
            });
            self.positions.insert(task.id(), position);
            self.handled = position;
            started += 1;
        }
        self.progress.update(&*self.deployer.store, None).await?;
        Ok(started)
    }
}

/// Counts the heartbeat `row` up every [`BEAT`], from a start no earlier run of the same
/// deployer used (the time), so a restart always looks like a count that moved.
async fn beat(store: Arc<dyn EventStore>, row: String) {
    let mut count = now_ms();
    loop {
        if let Err(e) = store.save_checkpoint(&row, count).await {
            warn!(error = %e, row, "the deployer's heartbeat could not be written");
        }
        count += 1;
        tokio::time::sleep(BEAT).await;
    }
}

impl Deployer {
    /// Takes a build slot and claims the deployment for this deployer: the slot when this one
    /// carries it (so a deployer with no slot free leaves requests to others). When another
    /// deployer holds it, gives the slot back and watches that deployer's heartbeat (see
    /// `clouddeck_eventlog::heartbeat`) until the deployment is past its work (None) or the
    /// heartbeat has stood still for `takeover_after`; then takes a slot and the deployment
    /// over: the steps already done are refused by the aggregate and passed over, as after a
    /// restart. A holder that never counted a heartbeat (a deployer from before they did) is
    /// waited for.
    async fn hold<'a>(
        &self,
        requested: &DeploymentRequested,
        cause: &EventMeta,
        slots: &'a Semaphore,
    ) -> Option<tokio::sync::SemaphorePermit<'a>> {
        let handler = CommandHandler::new(self.store.clone());
        let provenance = Provenance::caused_by(Actor::System("deployer".into()), cause);
        let id = &requested.deployment_id;
        let slot = slots.acquire().await.ok()?;
        let claim = DeploymentCommand::Claim { deployer: self.id.clone() };
        match handler.deployment(id, claim, &provenance, now_ms()).await {
            Ok(_) => return Some(slot),
            Err(DomainError::AlreadyExists(_)) => drop(slot),
            Err(DomainError::IllegalTransition { .. }) => return None,
            Err(e) => {
                warn!(deployment = %id, error = %e, "deployment could not be claimed");
                return None;
            }
        }
        let mut heard = Heard::new(self.takeover_after);
        loop {
            tokio::time::sleep(BEAT).await;
            let deployment = match handler.state::<Deployment>(id).await {
                Ok(deployment) => deployment,
                Err(e) => {
                    warn!(deployment = %id, error = %e, "a deployment another deployer holds could not be read");
                    continue;
                }
            };
            let in_flight = matches!(
                deployment.status,
                Some(DeploymentStatus::Requested | DeploymentStatus::Queued | DeploymentStatus::Building)
                    | Some(DeploymentStatus::Built | DeploymentStatus::Stored)
            );
            let holder = match deployment.claimed_by {
                _ if !in_flight => return None,
                Some(holder) if holder == self.id => return slots.acquire().await.ok(),
                Some(holder) => holder,
                None => continue,
            };
            let count = match self.store.load_checkpoint(&format!("{DEPLOYER_BEATS}{holder}")).await {
                Ok(count) => count,
                Err(e) => {
                    warn!(error = %e, "a deployer's heartbeat could not be read");
                    continue;
                }
            };
            if count == 0 || !heard.stopped(&holder, count, std::time::Instant::now()) {
                continue;
            }
            let slot = slots.acquire().await.ok()?;
            let take_over = DeploymentCommand::TakeOver { deployer: self.id.clone(), from: holder.clone() };
            match handler.deployment(id, take_over, &provenance, now_ms()).await {
                Ok(_) => {
                    warn!(deployment = %id, from = %holder, "took over a deployment from a deployer that stopped");
                    return Some(slot);
                }
                // another deployer took it first: watch that one
                Err(DomainError::AlreadyExists(_)) => {}
                Err(DomainError::IllegalTransition { .. }) => return None,
                Err(e) => warn!(deployment = %id, error = %e, "a deployment could not be taken over"),
            }
        }
    }

    async fn deploy(&self, requested: &DeploymentRequested, cause: &EventMeta) {
        let handler = CommandHandler::new(self.store.clone());
        let provenance = Provenance::caused_by(Actor::System("deployer".into()), cause);
        let id = &requested.deployment_id;
        let step = |command| advance(&handler, id, command, &provenance);
        // One deployer carries each deployment: the claim is decided at the stream's version,
        // so of two deployers reading the same request, one wins and the other leaves it.
        match handler
            .deployment(id, DeploymentCommand::Claim { deployer: self.id.clone() }, &provenance, now_ms())
            .await
        {
            Ok(_) => {}
            Err(DomainError::AlreadyExists(_) | DomainError::IllegalTransition { .. }) => return,
            Err(e) => {
                warn!(deployment = %id, error = %e, "deployment could not be claimed");
                return;
            }
        }
        let result: Result<(), DomainError> = async {
            let manifest_sha256 = if requested.prebuilt {
                requested.source_ref.clone()
            } else {
                match self.build(requested, cause, &handler, &provenance).await? {
                    Some(built) => built,
                    None => return Ok(()),
                }
            };
            // The store failing is the platform's: waited for, then failed as such (refunded);
            // a manifest or blob the store does not have is the upload's.
            let stored = wait_for_platform(self.health_patience, "artifact storage", id, || async {
                let manifest = self.artifacts.manifest(&manifest_sha256).await?;
                let hashes: Vec<String> = manifest.files.values().map(|f| f.sha256.clone()).collect();
                let sizes = self.artifacts.blob_sizes(&hashes).await?;
                let missing = hashes.into_iter().zip(sizes).find(|(_, size)| size.is_none()).map(|(hash, _)| hash);
                Ok::<_, ArtifactError>((manifest, missing))
            });
            let manifest = match stored.await {
                Ok((manifest, None)) => manifest,
                Ok((_, Some(missing))) => {
                    return step(fail(
                        &format!("the upload is incomplete: blob {missing} is missing"),
                        FailureCause::User,
                    ))
                    .await;
                }
                Err(e) if storage_cause(&e) == FailureCause::User => {
                    return step(fail(&format!("the upload is incomplete: {e}"), FailureCause::User)).await;
                }
                Err(e) => {
                    let reason = format!("the artifact storage failed: {e}");
                    step(fail(&reason, FailureCause::Platform)).await?;
                    return self.refund(&handler, requested, cause, &provenance, &reason).await;
                }
            };
            if let Err(reason) = check_routing(&self.artifacts, &manifest).await {
                return step(fail(&reason, FailureCause::User)).await;
            }
            step(DeploymentCommand::StoreArtifact {
                manifest_sha256,
                file_count: manifest.files.len() as i64,
                total_bytes: manifest.total_bytes() as i64,
            })
            .await?;
            meter(&handler, requested, &provenance, "storage", "storage_bytes", manifest.total_bytes() as i64).await;
            let project = handler.state::<Project>(&requested.project_id).await?;
            let host = format!("{id}-{}.{}", project.slug, self.base_domain);
            if let Err(reason) = health_check(self.edge, &host, self.health_patience).await {
                let reason = format!("health check through the edge: {reason}");
                step(fail(&reason, FailureCause::Platform)).await?;
                return self.refund(&handler, requested, cause, &provenance, &reason).await;
            }
            let url = format!("http://{host}{}", self.port_suffix);
            step(DeploymentCommand::MarkReady { url: url.clone() }).await?;
            // After a crash between these two steps this promotes again: harmless.
            if Target::parse(&requested.target) == Some(Target::Production) {
                step(DeploymentCommand::Promote { previous: None }).await?;
            }
            info!(deployment = %id, %url, "deployment ready");
            Ok(())
        }
        .await;
        if let Err(e) = result {
            warn!(deployment = %id, error = %e, "deployment could not proceed");
        }
    }
}

impl Deployer {
    /// Builds the source upload in the sandbox, its output lines going to the log as they
    /// come. Returns the output's manifest, or None when the build failed (and says so).
    async fn build(
        &self,
        requested: &DeploymentRequested,
        cause: &EventMeta,
        handler: &CommandHandler,
        provenance: &Provenance,
    ) -> Result<Option<String>, DomainError> {
        let id = &requested.deployment_id;
        let run = |command| advance(handler, id, command, provenance);
        let interrupted = self.interrupted_attempt(handler, requested, provenance).await;
        run(DeploymentCommand::QueueBuild { build_id: id.clone() }).await?;
        run(DeploymentCommand::StartBuild { runner: self.builder.runner.name().into(), framework: None }).await?;
        let source = wait_for_platform(self.health_patience, "artifact storage", id, || async {
            self.artifacts.manifest(&requested.source_ref).await
        })
        .await;
        let source = match source {
            Ok(source) => source,
            Err(e) if storage_cause(&e) == FailureCause::User => {
                run(fail(&format!("the source upload is incomplete: {e}"), FailureCause::User)).await?;
                return Ok(None);
            }
            Err(e) => {
                let reason = format!("the artifact storage failed: {e}");
                run(fail(&reason, FailureCause::Platform)).await?;
                self.refund(handler, requested, cause, provenance, &reason).await?;
                return Ok(None);
            }
        };
        let project = handler.state::<Project>(&requested.project_id).await?;
        let mut env = Vec::new();
        for (key, sealed) in project.sealed_env_for(&requested.target) {
            match self.sealer.open(&sealed) {
                Ok(value) => env.push((key, value)),
                Err(_) => {
                    let reason = format!("environment variable {key} cannot be opened with this server's key");
                    run(fail(&reason, FailureCause::Platform)).await?;
                    self.refund(handler, requested, cause, provenance, &reason).await?;
                    return Ok(None);
                }
            }
        }
        let (lines, received) = tokio::sync::mpsc::unbounded_channel();
        if let Some(note) = interrupted {
            let _ = lines.send(note);
        }
        let log = chunk_lines(received, std::time::Duration::from_millis(250), 200, |lines: Vec<String>| async move {
            let chunk = AppendBuildLog { deployment_id: id.clone(), lines };
            match handler.execute(&chunk, provenance, now_ms()).await {
                Ok(_) | Err(DomainError::IllegalTransition { .. }) => {}
                Err(e) => warn!(deployment = %id, error = %e, "build log chunk lost"),
            }
        });
        let job = Job {
            id,
            source: &source,
            env: &env,
            cache: CacheScope { project_id: requested.project_id.clone(), target: requested.target.clone() },
            settings: Settings {
                root: project.root_directory.clone(),
                install: project.install_command.clone(),
                build: project.build_command.clone(),
                output: project.output_directory.clone(),
                node_version: env.iter().find(|(key, _)| key == "NODE_VERSION").map(|(_, value)| value.clone()),
            },
            contexts: if Target::parse(&requested.target) == Some(Target::Production) {
                vec!["production".into()]
            } else {
                vec!["deploy-preview".into()]
            },
        };
        // A build the platform failed (no build user free, the store failing) is tried again
        // after a pause, saying so in the log; only the last attempt's time is metered.
        let attempts = async {
            let lines = lines;
            let mut attempt = 1;
            loop {
                let started = std::time::Instant::now();
                let result = self.builder.build(&job, lines.clone()).await;
                let duration_ms = started.elapsed().as_millis() as i64;
                match result {
                    Err(failure) if failure.cause == FailureCause::Platform && attempt < BUILD_ATTEMPTS => {
                        let pause = PLATFORM_RETRY * attempt;
                        warn!(deployment = %id, reason = %failure.reason, attempt, "a build failed for the platform's reason; trying again");
                        let _ = lines.send(format!(
                            "clouddeck: the build stopped for a reason of the platform's, not the project's ({}); \
                             trying again in {} s (attempt {} of {BUILD_ATTEMPTS})",
                            failure.reason,
                            pause.as_secs(),
                            attempt + 1
                        ));
                        tokio::time::sleep(pause).await;
                        attempt += 1;
                    }
                    result => break (result, duration_ms),
                }
            }
        };
        let ((result, duration_ms), ()) = tokio::join!(attempts, log);
        // Every started second is metered, whether the build passed or failed for the
        // project's reason; a build the platform failed is not.
        let platform_failed = result.as_ref().is_err_and(|failure| failure.cause == FailureCause::Platform);
        if !platform_failed {
            meter(handler, requested, provenance, "build", "build_seconds", (duration_ms + 999) / 1_000).await;
        }
        match result {
            Ok((_, manifest)) => {
                run(DeploymentCommand::SucceedBuild { duration_ms }).await?;
                Ok(Some(manifest))
            }
            Err(failure) => {
                let command = DeploymentCommand::FailBuild {
                    duration_ms,
                    reason: failure.reason.clone(),
                    cause: failure.cause.as_str().into(),
                    retryable: failure.cause.retryable(),
                };
                run(command).await?;
                if failure.cause == FailureCause::Platform {
                    self.refund(handler, requested, cause, provenance, &failure.reason).await?;
                }
                Ok(None)
            }
        }
    }
}

impl Deployer {
    /// Gives back the build a deployment counted against its organization's month when it
    /// failed for the platform's reason, not the user's: it is neither billed nor held
    /// against the plan's limit (once per deployment, whoever retries).
    async fn refund(
        &self,
        handler: &CommandHandler,
        requested: &DeploymentRequested,
        cause: &EventMeta,
        provenance: &Provenance,
        reason: &str,
    ) -> Result<(), DomainError> {
        let refund = RefundBuild {
            organization_id: requested.organization_id.clone(),
            project_id: requested.project_id.clone(),
            deployment_id: requested.deployment_id.clone(),
            // (the month the request was counted in)
            requested_at_ms: cause.recorded_at / 1_000,
            reason: reason.chars().take(500).collect(),
        };
        handler.execute(&refund, provenance, now_ms()).await.map(|_| ())
    }

    /// When this deployment's build was already running (the server stopped under it), meters
    /// the time that attempt ran, once, and returns the line that tells the log.
    async fn interrupted_attempt(
        &self,
        handler: &CommandHandler,
        requested: &DeploymentRequested,
        provenance: &Provenance,
    ) -> Option<String> {
        let stream = clouddeck_events::stream_id("deployment", &requested.deployment_id);
        let events = self.store.read_stream(&stream, 0).await.ok()?;
        let started = events.iter().rev().find(|e| e.meta.event_type == "deployment.build_started")?;
        let finished = events.iter().any(|e| {
            e.meta.position > started.meta.position
                && matches!(e.meta.event_type.as_str(), "deployment.build_succeeded" | "deployment.build_failed")
        });
        if finished {
            return None;
        }
        let started_ms = started.meta.recorded_at / 1_000;
        let seconds = ((now_ms() - started_ms).max(0) + 999) / 1_000;
        let window = format!("build-{}-interrupted-{started_ms}", requested.deployment_id);
        meter_window(handler, requested, provenance, &window, "build_seconds", seconds).await;
        Some(format!(
            "clouddeck: the previous attempt stopped with the server after {seconds} s (metered); building again"
        ))
    }
}

/// Checks the routing files of a site about to be stored: a rule the edge cannot honour
/// fails the deployment with the file, line and reason, rather than serving a surprise.
async fn check_routing(artifacts: &ArtifactStore, manifest: &clouddeck_artifacts::Manifest) -> Result<(), String> {
    let mut files = Vec::new();
    for name in clouddeck_routing::ROUTING_FILES {
        let Some(entry) = manifest.files.get(*name) else { continue };
        if entry.size as usize > clouddeck_routing::MAX_FILE_BYTES {
            return Err(format!("`{name}` is over {} bytes", clouddeck_routing::MAX_FILE_BYTES));
        }
        let blob = artifacts.blob_file(&entry.sha256).await.map_err(|e| e.to_string())?;
        let bytes = tokio::fs::read(blob).await.map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| format!("`{name}` is not UTF-8 text"))?;
        files.push((*name, text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    clouddeck_routing::Routes::parse(&borrowed).map(drop).map_err(|errors| {
        let shown: Vec<String> = errors.iter().take(5).map(ToString::to_string).collect();
        let more = if errors.len() > 5 { format!(" (and {} more)", errors.len() - 5) } else { String::new() };
        format!("the site's routing files cannot be honoured: {}{more}", shown.join("; "))
    })
}

/// One step of a deployment. A step taken before a restart is refused by the aggregate as
/// an illegal transition: carry on.
async fn advance(
    handler: &CommandHandler,
    id: &str,
    command: DeploymentCommand,
    provenance: &Provenance,
) -> Result<(), DomainError> {
    match handler.deployment(id, command, provenance, now_ms()).await {
        Ok(_) | Err(DomainError::IllegalTransition { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reports one figure for a deployment, as its own window (`<kind>-<deployment>`): a
/// deployment retried after a restart reports it once.
async fn meter(
    handler: &CommandHandler,
    requested: &DeploymentRequested,
    provenance: &Provenance,
    kind: &str,
    metric: &str,
    quantity: i64,
) {
    meter_window(handler, requested, provenance, &format!("{kind}-{}", requested.deployment_id), metric, quantity)
        .await;
}

/// Reports one figure for a deployment as the window `window_id`.
async fn meter_window(
    handler: &CommandHandler,
    requested: &DeploymentRequested,
    provenance: &Provenance,
    window_id: &str,
    metric: &str,
    quantity: i64,
) {
    let window_id = window_id.to_string();
    let now = now_ms();
    let event = UsageMetered {
        window_id: window_id.clone(),
        organization_id: requested.organization_id.clone(),
        project_id: Some(requested.project_id.clone()),
        deployment_id: Some(requested.deployment_id.clone()),
        metric: metric.into(),
        quantity,
        window_start: now,
        window_end: now,
    };
    if let Err(e) = handler.record_usage(&window_id, vec![event.into()], provenance, now).await {
        warn!(deployment = %requested.deployment_id, error = %e, "usage not recorded");
    }
}

/// GET / of the new deployment through the edge, over HTTP/1.1 with `Host: host`: the edge
/// must route the host to it and answer from its manifest. A site need not have a home page:
/// a 404 (a folder holding only `docs/`), a redirect (`/` → `/docs/`) or any answer of the
/// site's own is ready. The edge learns of the stored artifact from the event feed, so an
/// answer marked [`clouddeck_routing::ROUTE_HEADER`]` = none` (the edge routes the host
/// nowhere yet), a 503 (the edge is catching up, or cannot read the manifest) or an edge that
/// cannot be reached is waited for, every 50 ms doubling to 1 s, for up to `patience`: each
/// is the platform's doing, not the site's.
async fn health_check(edge: std::net::SocketAddr, host: &str, patience: Duration) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))?;
    let deadline = tokio::time::Instant::now() + patience;
    let mut next_warning = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut pause = Duration::from_millis(50);
    loop {
        let why = match client.get(format!("http://{edge}/")).header(reqwest::header::HOST, host).send().await {
            Ok(answer) => {
                let marked =
                    |value: &str| answer.headers().get(clouddeck_routing::ROUTE_HEADER).is_some_and(|v| v == value);
                if marked(clouddeck_routing::ROUTE_NONE) {
                    "the edge never routed the deployment".to_string()
                } else if marked(clouddeck_routing::ROUTE_UNAVAILABLE) {
                    // (the edge's own 503; a site's own 503 page is served, so it is ready)
                    "the edge answered 503 (catching up, or without the deployment's files)".to_string()
                } else {
                    return Ok(());
                }
            }
            Err(e) => format!("cannot reach the edge: {e}"),
        };
        if tokio::time::Instant::now() + pause > deadline {
            return Err(format!("{why} within {patience:?}"));
        }
        if tokio::time::Instant::now() >= next_warning {
            // The platform's problem, for the operator: the deployment waits for it.
            warn!(host, why, "a new deployment waits for the edge");
            next_warning += Duration::from_secs(60);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// Attempts a build gets when the platform fails it.
const BUILD_ATTEMPTS: u32 = 3;
/// The pause after a platform failure, times the attempt's number.
const PLATFORM_RETRY: Duration = Duration::from_secs(5);

/// Whose an artifact store's failure is: the upload's when the store lacks what was asked or
/// it is malformed; the platform's when the store itself failed (a disk, the bucket).
fn storage_cause(e: &ArtifactError) -> FailureCause {
    match e {
        ArtifactError::Io(_) | ArtifactError::Remote(_) => FailureCause::Platform,
        _ => FailureCause::User,
    }
}

/// Runs `attempt` until it succeeds, fails for a reason that is not the platform's, or the
/// platform has failed it for `patience`: pauses double from 1 s to 30 s, each failure logged
/// for the operator. Returns the last result.
async fn wait_for_platform<T, F, Fut>(patience: Duration, what: &str, id: &str, attempt: F) -> Result<T, ArtifactError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, ArtifactError>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    let mut pause = Duration::from_secs(1);
    loop {
        match attempt().await {
            Err(e) if storage_cause(&e) == FailureCause::Platform && tokio::time::Instant::now() + pause < deadline => {
                warn!(deployment = %id, error = %e, ?pause, "{what} failed; the deployment waits for it");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(30));
            }
            result => return result,
        }
    }
}

fn fail(reason: &str, cause: FailureCause) -> DeploymentCommand {
    DeploymentCommand::FailBuild {
        duration_ms: 0,
        reason: reason.into(),
        cause: cause.as_str().into(),
        retryable: cause.retryable(),
    }
}

#[cfg(test)]
mod platform_tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn io() -> ArtifactError {
        ArtifactError::Io(std::io::Error::other("disk gone"))
    }

    #[tokio::test(start_paused = true)]
    async fn the_platform_failing_is_waited_for_and_the_upload_failing_is_not() {
        // the store fails twice, then answers: the deployment gets the answer
        let tries = AtomicU32::new(0);
        let answer = wait_for_platform(Duration::from_secs(600), "storage", "d1", || async {
            if tries.fetch_add(1, Ordering::SeqCst) < 2 { Err(io()) } else { Ok(7) }
        })
        .await;
        assert_eq!(answer.unwrap(), 7);
        assert_eq!(tries.load(Ordering::SeqCst), 3);
        // a manifest the store does not have is the upload's: no second try
        let tries = AtomicU32::new(0);
        let answer: Result<(), _> = wait_for_platform(Duration::from_secs(600), "storage", "d1", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(ArtifactError::MissingManifest("m".into()))
        })
        .await;
        assert!(matches!(answer, Err(ArtifactError::MissingManifest(_))));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
        assert_eq!(storage_cause(&answer.unwrap_err()), FailureCause::User);
        // a store that never comes back: given up after the patience, as the platform's
        let started = tokio::time::Instant::now();
        let answer: Result<(), _> =
            wait_for_platform(Duration::from_secs(100), "storage", "d1", || async { Err(io()) }).await;
        let waited = started.elapsed();
        assert_eq!(storage_cause(&answer.unwrap_err()), FailureCause::Platform);
        assert!(waited >= Duration::from_secs(60) && waited <= Duration::from_secs(100), "{waited:?}");
        assert_eq!(storage_cause(&ArtifactError::Remote("503".into())), FailureCause::Platform);
    }
}
