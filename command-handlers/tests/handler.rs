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
                assert_eq!(outcome.events, 2, "slug claim and project creation together");
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
    let invite =
        OrganizationCommand::InviteMember { invitation_id: "i".into(), email: "m@x.io".into(), role: "owner".into() };
    assert!(matches!(handler.organization("o1", invite, &mallory, NOW).await, Err(DomainError::Forbidden(_))));
}
