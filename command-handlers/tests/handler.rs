//! The handler against a real event store: atomic slug claims and retries on conflict.
#![allow(clippy::unwrap_used)]

use clouddeck_command_handlers::organization::OrganizationCommand;
use clouddeck_command_handlers::project::ProjectCommand;
use clouddeck_command_handlers::{CommandHandler, DomainError};
use clouddeck_eventlog::connect;
use clouddeck_events::{Actor, Provenance};
use clouddeck_testkit::Scratch;
use std::sync::Arc;

const NOW: i64 = 1_800_000_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creations_of_one_slug_make_one_project() {
    let scratch = Scratch::new();
    let handler = Arc::new(CommandHandler::new(connect(&scratch.sqlite_url("events")).await.unwrap()));
    let alice = Provenance::new(Actor::User("alice".into()));
    let create = OrganizationCommand::Create { organization_id: "o1".into(), slug: "acme".into(), name: "Acme".into() };
    handler.organization("o1", create, &alice, NOW).await.unwrap();

    // given 8 requests racing to create `blog` under different project ids
    let mut racers = Vec::new();
    for i in 0..8 {
        let handler = handler.clone();
        let alice = alice.clone();
        racers.push(tokio::spawn(async move {
            let command = ProjectCommand::Create {
                project_id: format!("p{i}"),
                organization_id: "o1".into(),
                slug: "blog".into(),
                name: "Blog".into(),
                framework: None,
                production_branch: None,
            };
            handler.create_project(command, &alice, NOW).await
        }));
    }
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(outcome) => {
                won += 1;
                assert_eq!(outcome.events, 3, "slug claim, host name claim and project creation together");
            }
            Err(DomainError::AlreadyExists(message)) => assert!(message.contains("blog")),
            Err(other) => panic!("unexpected {other}"),
        }
    }
    // then exactly one project exists and the log holds exactly one claim
    assert_eq!(won, 1);
    let org_stream = handler.store().read_stream("organization-o1", 0).await.unwrap();
    let claims = org_stream.iter().filter(|e| e.meta.event_type == "organization.project_slug_claimed").count();
    assert_eq!(claims, 1);

    // and a stranger cannot touch the organization
    let mallory = Provenance::new(Actor::User("mallory".into()));
    let invite = OrganizationCommand::InviteMember {
        invitation_id: "i".into(),
        email: "m@x.io".into(),
        role: "owner".into(),
        secret_sha256: String::new(),
    };
    assert!(matches!(handler.organization("o1", invite, &mallory, NOW).await, Err(DomainError::Forbidden(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_deployments_cannot_both_take_the_last_build_of_the_month() {
    use clouddeck_billing::Terms;
    use clouddeck_command_handlers::billing::ChangePlan;
    use clouddeck_command_handlers::deployment::RequestDeployment;
    let scratch = Scratch::new();
    let handler = Arc::new(CommandHandler::new(connect(&scratch.sqlite_url("events")).await.unwrap()));
    let alice = Provenance::new(Actor::User("alice".into()));
    let create = OrganizationCommand::Create { organization_id: "o1".into(), slug: "acme".into(), name: "Acme".into() };
    handler.organization("o1", create, &alice, NOW).await.unwrap();
    let project = ProjectCommand::Create {
        project_id: "p1".into(),
        organization_id: "o1".into(),
        slug: "blog".into(),
        name: "Blog".into(),
        framework: None,
        production_branch: None,
    };
    handler.create_project(project, &alice, NOW).await.unwrap();
    // given a plan of 3 builds a month, one of them used
    let terms = Terms { price_cents: 0, builds_per_month: Some(3), bandwidth_gb: 1, overage_cents_per_gb: 1 };
    let plan = ChangePlan { organization_id: "o1".into(), plan: "enterprise".into(), terms: Some(terms) };
    handler.change_plan(plan, &alice, NOW).await.unwrap();
    let request = |n: usize| RequestDeployment {
        deployment_id: format!("d{n}"),
        target: "preview".into(),
        source_kind: "upload".into(),
        source_ref: "a".repeat(64),
        commit_sha: None,
        prebuilt: true,
    };
    handler.request_deployment("p1", request(0), &alice, NOW).await.unwrap();

    // when 8 deployments race for the other 2
    let mut racers = Vec::new();
    for n in 1..=8 {
        let (handler, alice, request) = (handler.clone(), alice.clone(), request(n));
        racers.push(tokio::spawn(async move { handler.request_deployment("p1", request, &alice, NOW).await }));
    }
    let (mut won, mut refused) = (0, 0);
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => won += 1,
            Err(DomainError::QuotaExceeded(message)) => {
                assert!(message.contains("3 builds a month"), "{message}");
                refused += 1;
            }
            Err(DomainError::Contention(_)) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    // then exactly 2 won, the counter says 3, and the others were told why
    assert_eq!(won, 2);
    assert!(refused >= 1);
    let period = clouddeck_billing::period_of(NOW);
    let counter = handler.store().read_stream(&format!("builds-o1-{period}"), 0).await.unwrap();
    assert_eq!(counter.len(), 3);
    // and a new month starts from zero
    let next_month = NOW + 31 * 24 * 3_600 * 1_000;
    handler.request_deployment("p1", request(9), &alice, next_month).await.unwrap();
}
