//! Read models fed live equal read models rebuilt from the log, on SQLite and PostgreSQL;
//! a redelivered event is never applied twice.
#![allow(clippy::unwrap_used)]

use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::deployment::{DeploymentCommand as D, RequestDeployment};
use clouddeck_command_handlers::organization::OrganizationCommand as O;
use clouddeck_command_handlers::project::ProjectCommand as P;
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent, StoreFeed, connect};
use clouddeck_events::{Actor, Event, ProjectSettingsChanged, Provenance, UserRegistered};
use clouddeck_projections::{ProjectionRunner, ReadModels, db, rebuild, snapshot};
use clouddeck_testkit::{Scratch, postgres_database};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

const NOW: i64 = 1_800_000_000_000;

/// A realistic history: users, an organization with members and tokens, projects with
/// settings and env vars, deployments through their whole life, promotions and rollbacks.
async fn write_history(store: Arc<dyn EventStore>, projects: usize) {
    let handler = CommandHandler::new(store.clone());
    let alice = Provenance::new(Actor::User("alice".into()));
    let system = Provenance::new(Actor::System("builder".into()));
    for (id, email) in [("alice", "alice@example.com"), ("bob", "Bob@Example.com")] {
        let event = Event::UserRegistered(UserRegistered {
            user_id: id.into(),
            email: email.into(),
            name: id.into(),
            password_hash: Some("$argon2id$…".into()),
        });
        store
            .append(
                &format!("user-{id}"),
                ExpectedVersion::NoStream,
                vec![NewEvent::new(&event, alice.clone()).unwrap()],
            )
            .await
            .unwrap();
    }
    let org = |command| handler.organization("o1", command, &alice, NOW);
    org(O::Create { organization_id: "o1".into(), slug: "acme".into(), name: "Acme".into() }).await.unwrap();
    org(O::InviteMember {
        invitation_id: "i1".into(),
        email: "bob@example.com".into(),
        role: "developer".into(),
        secret_sha256: "a".repeat(64),
    })
    .await
    .unwrap();
    let bob = Provenance::new(Actor::User("bob".into()));
    handler
        .organization(
            "o1",
            O::AcceptInvitation {
                invitation_id: "i1".into(),
                user_id: "bob".into(),
                email: "bob@example.com".into(),
                email_verified: false,
                secret_sha256: Some("a".repeat(64)),
            },
            &bob,
            NOW,
        )
        .await
        .unwrap();
    org(O::ChangeMemberRole { user_id: "bob".into(), role: "admin".into() }).await.unwrap();
    org(O::IssueApiToken {
        token_id: "t1".into(),
        name: "ci".into(),
        role: "developer".into(),
        secret_sha256: "00".repeat(32),
        expires_at: None,
    })
    .await
    .unwrap();
    org(O::IssueApiToken {
        token_id: "t2".into(),
        name: "old".into(),
        role: "viewer".into(),
        secret_sha256: "11".repeat(32),
        expires_at: Some(NOW + 1),
    })
    .await
    .unwrap();
    org(O::RevokeApiToken { token_id: "t2".into() }).await.unwrap();
    for p in 0..projects {
        let project_id = format!("p{p}");
        let create = P::Create {
            project_id: project_id.clone(),
            organization_id: "o1".into(),
            slug: format!("site-{p}"),
            name: format!("Site {p}"),
            framework: Some("vite".into()),
            production_branch: None,
        };
        handler.create_project(create, &alice, NOW).await.unwrap();
        let settings = ProjectSettingsChanged {
            build_command: Some("npm run build".into()),
            output_directory: Some("dist".into()),
            ..Default::default()
        };
        handler.project(&project_id, P::ChangeSettings(settings), &alice, NOW).await.unwrap();
        for key in ["API_URL", "TOKEN"] {
            handler
                .project(
                    &project_id,
                    P::SetEnvVar { key: key.into(), target: "production".into(), sealed_value: "v1:sealed".into() },
                    &alice,
                    NOW,
                )
                .await
                .unwrap();
        }
        handler
            .project(&project_id, P::RemoveEnvVar { key: "TOKEN".into(), target: "production".into() }, &alice, NOW)
            .await
            .unwrap();
        let mut previous = None;
        for d in 0..3 {
            let deployment_id = format!("d{p}-{d}");
            let request = RequestDeployment {
                deployment_id: deployment_id.clone(),
                target: "production".into(),
                source_kind: "upload".into(),
                source_ref: format!("u{d}"),
                commit_sha: None,
                prebuilt: false,
            };
            handler.request_deployment(&project_id, request, &bob, NOW).await.unwrap();
            let run = |command| handler.deployment(&deployment_id, command, &system, NOW);
            run(D::QueueBuild { build_id: format!("b{d}") }).await.unwrap();
            run(D::StartBuild { runner: "sandbox".into(), framework: Some("vite".into()) }).await.unwrap();
            for line in 0..3 {
                run(D::AppendLog { lines: vec![format!("step {line}")] }).await.unwrap();
            }
            if d == 1 {
                run(D::FailBuild {
                    duration_ms: 900,
                    reason: "npm ERR! missing script: build".into(),
                    cause: "user".into(),
                    retryable: false,
                })
                .await
                .unwrap();
                continue;
            }
            run(D::SucceedBuild { duration_ms: 1500 }).await.unwrap();
            run(D::StoreArtifact { manifest_sha256: format!("m{d}"), file_count: 12, total_bytes: 4096 })
                .await
                .unwrap();
            run(D::MarkReady { url: format!("http://{deployment_id}-site-{p}.localhost") }).await.unwrap();
            handler.deployment(&deployment_id, D::Promote { previous: previous.clone() }, &bob, NOW).await.unwrap();
            previous = Some(deployment_id);
        }
        handler.deployment(&format!("d{p}-0"), D::RollBack { from: previous }, &bob, NOW).await.unwrap();
    }
    handler.project("p0", P::Delete, &alice, NOW).await.unwrap();
}

async fn wait_until(runner_position: &watch::Receiver<i64>, head: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while *runner_position.borrow() < head {
        assert!(Instant::now() < deadline, "projection stuck at {} of {head}", *runner_position.borrow());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn one(db: &AnyPool, sql: &str) -> String {
    let row = sqlx::query(sql).fetch_one(db).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.try_get::<Option<String>, _>(0).unwrap().unwrap_or_default()
}

async fn live_read_models_equal_rebuilt_ones(store: Arc<dyn EventStore>, db: AnyPool) {
    // given a live projection following the log while the history is written
    let mut runner = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap();
    let position = runner.position();
    let (stop, stopped) = watch::channel(false);
    let live_store = store.clone();
    let live = tokio::spawn(async move {
        let mut feed = StoreFeed::new(live_store, runner.checkpoint());
        runner.run(&mut feed, stopped).await
    });
    write_history(store.clone(), 3).await;
    let head = store.head().await.unwrap();
    wait_until(&position, head).await;
    stop.send(true).unwrap();
    live.await.unwrap().unwrap();
    let live_rows = snapshot(&db, &ReadModels).await.unwrap();

    // the rows say what happened
    assert_eq!(one(&db, "SELECT role FROM rm_members WHERE user_id = 'bob'").await, "admin");
    assert_eq!(one(&db, "SELECT production_deployment_id FROM rm_projects WHERE project_id = 'p1'").await, "d1-0");
    assert_eq!(one(&db, "SELECT status FROM rm_deployments WHERE deployment_id = 'd2-1'").await, "failed");
    assert_eq!(one(&db, "SELECT CAST(log_chunks AS TEXT) FROM rm_deployments WHERE deployment_id = 'd2-2'").await, "3");
    assert_eq!(one(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM rm_env_vars WHERE project_id = 'p2'").await, "1");
    assert_ne!(one(&db, "SELECT CAST(deleted_at AS TEXT) FROM rm_projects WHERE project_id = 'p0'").await, "");
    assert_eq!(one(&db, "SELECT email FROM rm_users WHERE user_id = 'bob'").await, "bob@example.com");

    // when the read models are dropped and rebuilt from the log
    let rebuilt = rebuild(store.clone(), &db, Arc::new(ReadModels)).await.unwrap();
    assert_eq!(rebuilt.events, head);
    // then they are identical, row for row
    assert_eq!(snapshot(&db, &ReadModels).await.unwrap(), live_rows);
    assert!(live_rows.len() > 20, "the history should fill the tables");
}

async fn a_redelivered_batch_is_not_applied_twice(store: Arc<dyn EventStore>, db: AnyPool) {
    write_history(store.clone(), 1).await;
    let head = store.head().await.unwrap();
    // given a runner that stopped (crashed) after its first batches
    let mut runner = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap().with_batch(7);
    let mut feed = StoreFeed::new(store.clone(), 0);
    for _ in 0..3 {
        runner.step(&mut feed, Duration::from_millis(10)).await.unwrap();
    }
    assert_eq!(runner.checkpoint(), 21);
    drop(runner);
    // when a new runner is fed the whole log again from the start, as Kafka might after a crash
    let mut runner = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap().with_batch(5);
    let mut replay = StoreFeed::new(store.clone(), 0);
    while runner.checkpoint() < head {
        runner.step(&mut replay, Duration::from_millis(10)).await.unwrap();
    }
    // then the counters show every event applied exactly once
    let resumed = snapshot(&db, &ReadModels).await.unwrap();
    assert_eq!(one(&db, "SELECT CAST(log_chunks AS TEXT) FROM rm_deployments WHERE deployment_id = 'd0-0'").await, "3");
    rebuild(store, &db, Arc::new(ReadModels)).await.unwrap();
    assert_eq!(snapshot(&db, &ReadModels).await.unwrap(), resumed);
}

/// Two instances of the read models, each fed the log partition by partition (out of
/// position order, as Kafka delivers it), with overlaps and at the same time: nothing is
/// applied before every earlier position is, the stored checkpoint never claims an event
/// not applied, every event takes effect once, and the rows equal a rebuild's (applied in
/// another order, the production alias and the seats came out wrong: see the runner).
async fn two_instances_fed_out_of_order_keep_an_honest_checkpoint(store: Arc<dyn EventStore>, db: AnyPool) {
    use clouddeck_eventlog::Consumer;
    write_history(store.clone(), 2).await;
    let head = store.head().await.unwrap();
    let events = store.read_all(0, head as usize).await.unwrap();
    assert_eq!(events.len() as i64, head);
    // three partitions by stream, as the relay keys messages: order holds within each only
    let partition_of =
        |e: &clouddeck_eventlog::RecordedEvent| e.meta.stream_id.bytes().map(usize::from).sum::<usize>() % 3;
    let partitions: Vec<Vec<_>> =
        (0..3).map(|p| events.iter().filter(|e| partition_of(e) == p).cloned().collect()).collect();
    let holds_first = partition_of(&events[0]);
    let other = (holds_first + 1) % 3;
    let mut first = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap();
    let mut second = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap();
    // given the first instance applied a partition that lacks position 1
    Consumer::apply(&mut first, &partitions[other]).await.unwrap();
    // then nothing is applied: the partition's events wait for position 1
    assert_eq!(clouddeck_projections::runner::checkpoint(&db, "read_models").await.unwrap(), 0);
    assert_eq!(first.checkpoint(), 0);
    assert_eq!(first.held(), partitions[other].len());
    assert_eq!(one(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM rm_users").await, "0");
    // when both read every partition again at the same time, in batches, in other orders
    let forwards = async {
        for p in [holds_first, other, (other + 1) % 3] {
            for batch in partitions[p].chunks(7) {
                Consumer::apply(&mut first, batch).await.unwrap();
            }
        }
    };
    let backwards = async {
        for p in [(other + 1) % 3, other, holds_first] {
            for batch in partitions[p].chunks(5) {
                Consumer::apply(&mut second, batch).await.unwrap();
            }
        }
    };
    tokio::join!(forwards, backwards);
    // then the checkpoint covers the whole log and each event took effect once, in order
    assert_eq!(clouddeck_projections::runner::checkpoint(&db, "read_models").await.unwrap(), head);
    let live = snapshot(&db, &ReadModels).await.unwrap();
    assert_eq!(one(&db, "SELECT CAST(log_chunks AS TEXT) FROM rm_deployments WHERE deployment_id = 'd1-2'").await, "3");
    rebuild(store, &db, Arc::new(ReadModels)).await.unwrap();
    assert_eq!(snapshot(&db, &ReadModels).await.unwrap(), live);
}

/// A position the feed never delivers (a message lost from Kafka) does not stall the read
/// models: with the event store as the gap source, what is held past it is applied once the
/// gap has stood for `GAP_WAIT`, also when nothing more comes; without one, it waits.
async fn a_gap_the_feed_never_fills_is_read_from_the_event_store(store: Arc<dyn EventStore>, db: AnyPool) {
    use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower};
    /// A feed of the log that never delivers one position.
    struct Losing {
        events: std::collections::VecDeque<clouddeck_eventlog::RecordedEvent>,
    }
    #[async_trait::async_trait]
    impl EventFeed for Losing {
        async fn next_batch(
            &mut self,
            max: usize,
            wait: std::time::Duration,
        ) -> Result<Vec<clouddeck_eventlog::RecordedEvent>, FeedError> {
            if self.events.is_empty() {
                tokio::time::sleep(wait).await;
            }
            let n = max.min(self.events.len());
            Ok(self.events.drain(..n).collect())
        }
        async fn ack(&mut self) -> Result<(), FeedError> {
            Ok(())
        }
        async fn ack_through(&mut self, _position: i64) -> Result<(), FeedError> {
            Ok(())
        }
        async fn rewind(&mut self) -> Result<(), FeedError> {
            Ok(())
        }
    }
    write_history(store.clone(), 2).await;
    let head = store.head().await.unwrap();
    let lost = head / 2;
    let events: std::collections::VecDeque<_> =
        store.read_all(0, head as usize).await.unwrap().into_iter().filter(|e| e.meta.position != lost).collect();
    // without a gap source: everything after the lost position is held
    let mut waiting = ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap();
    let all: Vec<_> = events.iter().cloned().collect();
    Consumer::apply(&mut waiting, &all).await.unwrap();
    assert_eq!(waiting.checkpoint(), lost - 1);
    assert_eq!(waiting.held() as i64, head - lost);
    // with one: the follower's steps apply it all once the gap has stood long enough
    let mut runner =
        ProjectionRunner::new(db.clone(), Arc::new(ReadModels)).await.unwrap().with_gap_source(store.clone());
    let mut feed = Losing { events };
    let follower = Follower::new(50);
    let started = std::time::Instant::now();
    while runner.checkpoint() < head && started.elapsed() < std::time::Duration::from_secs(30) {
        follower.step(&mut runner, &mut feed, std::time::Duration::from_millis(100)).await.unwrap();
    }
    assert_eq!(runner.checkpoint(), head);
    assert_eq!(runner.held(), 0);
    assert!(started.elapsed() >= clouddeck_projections::runner::GAP_WAIT, "filled before the gap had stood");
    let live = snapshot(&db, &ReadModels).await.unwrap();
    rebuild(store, &db, Arc::new(ReadModels)).await.unwrap();
    assert_eq!(snapshot(&db, &ReadModels).await.unwrap(), live);
}

mod on_sqlite {
    use super::*;

    async fn setup() -> (Scratch, Arc<dyn EventStore>, AnyPool) {
        let scratch = Scratch::new();
        let url = scratch.sqlite_url("clouddeck");
        let store = connect(&url).await.unwrap();
        let db = db::open(&url).await.unwrap();
        (scratch, store, db)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn live_read_models_equal_rebuilt_ones() {
        let (_scratch, store, db) = setup().await;
        super::live_read_models_equal_rebuilt_ones(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_redelivered_batch_is_not_applied_twice() {
        let (_scratch, store, db) = setup().await;
        super::a_redelivered_batch_is_not_applied_twice(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_fed_out_of_order_keep_an_honest_checkpoint() {
        let (_scratch, store, db) = setup().await;
        super::two_instances_fed_out_of_order_keep_an_honest_checkpoint(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_gap_the_feed_never_fills_is_read_from_the_event_store() {
        let (_scratch, store, db) = setup().await;
        super::a_gap_the_feed_never_fills_is_read_from_the_event_store(store, db).await;
    }
}

mod on_postgres {
    use super::*;

    async fn setup() -> (Arc<dyn EventStore>, AnyPool) {
        let url = postgres_database().await;
        (connect(&url).await.unwrap(), db::open(&url).await.unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn live_read_models_equal_rebuilt_ones() {
        let (store, db) = setup().await;
        super::live_read_models_equal_rebuilt_ones(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_redelivered_batch_is_not_applied_twice() {
        let (store, db) = setup().await;
        super::a_redelivered_batch_is_not_applied_twice(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_fed_out_of_order_keep_an_honest_checkpoint() {
        let (store, db) = setup().await;
        super::two_instances_fed_out_of_order_keep_an_honest_checkpoint(store, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_gap_the_feed_never_fills_is_read_from_the_event_store() {
        let (store, db) = setup().await;
        super::a_gap_the_feed_never_fills_is_read_from_the_event_store(store, db).await;
    }
}
