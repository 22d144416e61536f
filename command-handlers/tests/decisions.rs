//! Decisions over several streams, given / when / then: given the events of the streams a
//! decision names, when it decides, then the writes per stream or the refusal. Pure: the
//! history is built here as the handler would read it, with no store.
#![allow(clippy::unwrap_used)]

use clouddeck_command_handlers::deployment::{
    AppendBuildLog, RequestDeployment, RequestDeploymentDecision, build_log_stream,
};
use clouddeck_command_handlers::project::{CreateProject, ProjectCommand, ProjectDecision};
use clouddeck_command_handlers::{Decision, DomainError, History, Request, Write};
use clouddeck_events::*;
use std::collections::HashMap;

const NOW: i64 = 1_800_000_000_000;

/// Reads what `decision` names out of `given` (a stream not given is empty), as `execute`
/// does, then decides.
fn when<D: Decision>(
    decision: &D,
    given: &HashMap<String, Vec<Event>>,
    actor: Actor,
) -> Result<Vec<Write>, DomainError> {
    let request = Request { actor, now_ms: NOW };
    let mut read = History::default();
    loop {
        let streams: Vec<String> = decision.streams(&read, &request).into_iter().filter(|s| !read.has(s)).collect();
        let versions: Vec<String> = decision.versions(&read, &request).into_iter().filter(|s| !read.has(s)).collect();
        if streams.is_empty() && versions.is_empty() {
            break;
        }
        for stream in streams {
            let events = given.get(&stream).cloned().unwrap_or_default();
            read.insert(stream, events.len() as i64, events);
        }
        for stream in versions {
            read.insert(stream.clone(), given.get(&stream).map_or(0, |e| e.len() as i64), Vec::new());
        }
    }
    decision.decide(&read, &request)
}

fn alice() -> Actor {
    Actor::User("alice".into())
}

/// Organization o1 (`acme`, owned by alice) with project p1 (`blog`).
fn acme_with_blog() -> HashMap<String, Vec<Event>> {
    let mut given = HashMap::new();
    given.insert(
        stream_id("organization", "o1"),
        vec![
            OrganizationCreated {
                organization_id: "o1".into(),
                slug: "acme".into(),
                name: "Acme".into(),
                owner_user_id: "alice".into(),
            }
            .into(),
            ProjectSlugClaimed { organization_id: "o1".into(), project_id: "p1".into(), slug: "blog".into() }.into(),
        ],
    );
    given.insert(
        stream_id("project", "p1"),
        vec![
            ProjectCreated {
                project_id: "p1".into(),
                organization_id: "o1".into(),
                slug: "blog".into(),
                name: "Blog".into(),
                framework: None,
                production_branch: "main".into(),
            }
            .into(),
        ],
    );
    given
}

fn create(project_id: &str, slug: &str) -> CreateProject {
    CreateProject(ProjectCommand::Create {
        project_id: project_id.into(),
        organization_id: "o1".into(),
        slug: slug.into(),
        name: slug.into(),
        framework: None,
        production_branch: None,
    })
}

#[test]
fn creating_a_project_claims_its_slug_and_its_host_in_one_append() {
    let writes = when(&create("p2", "shop"), &acme_with_blog(), alice()).unwrap();
    let streams: Vec<&str> = writes.iter().map(|w| w.stream.as_str()).collect();
    assert_eq!(streams, ["organization-o1", "project-p2", "name-host:shop"]);
    assert!(writes.iter().all(|w| w.checked && w.events.len() == 1), "{writes:?}");
    assert!(matches!(&writes[2].events[0], Event::NameClaimed(c) if c.owner_id == "p2"));
}

#[test]
fn a_host_held_elsewhere_is_refused_with_a_suggestion() {
    let mut given = acme_with_blog();
    given.insert(
        "name-host:shop".into(),
        vec![NameClaimed { kind: "host".into(), name: "shop".into(), owner_id: "p9".into() }.into()],
    );
    match when(&create("p2", "shop"), &given, alice()) {
        Err(DomainError::AlreadyExists(reason)) => assert!(reason.contains("try `shop-acme`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // and a stranger may not create one at all
    let stranger = when(&create("p3", "other"), &acme_with_blog(), Actor::User("mallory".into()));
    assert!(matches!(stranger, Err(DomainError::Forbidden(_))), "{stranger:?}");
}

#[test]
fn deleting_a_project_gives_its_slug_and_host_back() {
    let mut given = acme_with_blog();
    given.insert(
        "name-host:blog".into(),
        vec![NameClaimed { kind: "host".into(), name: "blog".into(), owner_id: "p1".into() }.into()],
    );
    let delete = ProjectDecision { project_id: "p1".into(), command: ProjectCommand::Delete };
    let writes = when(&delete, &given, alice()).unwrap();
    let streams: Vec<&str> = writes.iter().map(|w| w.stream.as_str()).collect();
    assert_eq!(streams, ["organization-o1", "name-host:blog", "project-p1"]);
    assert!(matches!(&writes[1].events[0], Event::NameReleased(r) if r.owner_id == "p1"));
}

fn request(deployment_id: &str) -> RequestDeploymentDecision {
    RequestDeploymentDecision {
        project_id: "p1".into(),
        request: RequestDeployment {
            deployment_id: deployment_id.into(),
            target: "preview".into(),
            source_kind: "upload".into(),
            source_ref: "a".repeat(64),
            commit_sha: None,
            prebuilt: true,
        },
    }
}

#[test]
fn a_deployment_request_counts_the_months_build_against_the_plans_limit() {
    let given = acme_with_blog();
    let writes = when(&request("d1"), &given, alice()).unwrap();
    assert_eq!(writes[0].stream, "deployment-d1");
    assert!(writes[0].checked);
    assert!(matches!(&writes[1].events[0], Event::BuildCounted(c) if c.deployment_id == "d1"));
    // Free has a monthly limit: the counter is read, and the write is checked at its version
    assert!(writes[1].checked, "a limited plan's counter must be checked");
    // given the month's builds all used, then the next request is refused
    let counter = writes[1].stream.clone();
    let Event::BuildCounted(counted) = writes[1].events[0].clone() else { unreachable!() };
    let limit = clouddeck_billing::Plan::free().builds_per_month.unwrap() as usize;
    let mut full = given.clone();
    full.insert(counter, (0..limit).map(|_| counted.clone().into()).collect());
    assert!(matches!(when(&request("d2"), &full, alice()), Err(DomainError::QuotaExceeded(_))));
    // and a deployment id used before is refused whatever the plan
    let mut again = given;
    again.insert("deployment-d1".into(), vec![Event::BuildCounted(counted)]);
    assert!(matches!(when(&request("d1"), &again, alice()), Err(DomainError::AlreadyExists(_))));
}

#[test]
fn a_build_log_chunk_is_numbered_by_its_logs_version_and_only_while_building() {
    let mut given = acme_with_blog();
    let requested: Event = DeploymentRequested {
        deployment_id: "d1".into(),
        project_id: "p1".into(),
        organization_id: "o1".into(),
        target: "preview".into(),
        source_kind: "upload".into(),
        source_ref: "a".repeat(64),
        commit_sha: None,
        prebuilt: false,
    }
    .into();
    let queued: Event = BuildQueued { deployment_id: "d1".into(), build_id: "d1".into() }.into();
    let started: Event = BuildStarted {
        deployment_id: "d1".into(),
        build_id: "d1".into(),
        runner: "bubblewrap".into(),
        framework: None,
    }
    .into();
    given.insert("deployment-d1".into(), vec![requested, queued.clone()]);
    let chunk = AppendBuildLog { deployment_id: "d1".into(), lines: vec!["npm ci".into()] };
    let system = Actor::System("deployer".into());
    // not building yet: refused
    assert!(matches!(when(&chunk, &given, system.clone()), Err(DomainError::IllegalTransition { .. })));
    given.get_mut("deployment-d1").unwrap().push(started);
    // 41 chunks already in the log: this one is the 42nd, on the log's own stream
    let earlier: Event =
        BuildLogChunk { deployment_id: "d1".into(), build_id: "d1".into(), sequence: 1, lines: vec![] }.into();
    given.insert(build_log_stream("d1"), vec![earlier; 41]);
    let writes = when(&chunk, &given, system).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].stream, "buildlog-d1");
    assert!(matches!(&writes[0].events[0], Event::BuildLogChunk(c) if c.sequence == 42 && c.lines == ["npm ci"]));
    // a tenant cannot write a build's log
    assert!(matches!(when(&chunk, &given, alice()), Err(DomainError::Forbidden(_))));
    // chunks an older server wrote on the deployment's own stream come first
    let legacy: Event =
        BuildLogChunk { deployment_id: "d1".into(), build_id: "d1".into(), sequence: 1, lines: vec![] }.into();
    given.get_mut("deployment-d1").unwrap().extend([legacy.clone(), legacy]);
    let writes = when(&chunk, &given, Actor::System("deployer".into())).unwrap();
    assert!(matches!(&writes[0].events[0], Event::BuildLogChunk(c) if c.sequence == 44));
}

#[test]
fn a_deployment_is_claimed_by_one_deployer_and_resumed_only_by_it() {
    use clouddeck_command_handlers::deployment::{DeploymentCommand, DeploymentDecision};
    let mut given = acme_with_blog();
    let requested: Event = DeploymentRequested {
        deployment_id: "d1".into(),
        project_id: "p1".into(),
        organization_id: "o1".into(),
        target: "preview".into(),
        source_kind: "upload".into(),
        source_ref: "a".repeat(64),
        commit_sha: None,
        prebuilt: true,
    }
    .into();
    given.insert("deployment-d1".into(), vec![requested.clone()]);
    let claim = |deployer: &str| DeploymentDecision {
        deployment_id: "d1".into(),
        command: DeploymentCommand::Claim { deployer: deployer.into() },
    };
    let system = Actor::System("deployer".into());
    let writes = when(&claim("one"), &given, system.clone()).unwrap();
    assert!(matches!(&writes[0].events[..], [Event::DeploymentClaimed(c)] if c.deployer == "one"));
    assert!(writes[0].checked, "of two deployers claiming at once, one must conflict");
    given.get_mut("deployment-d1").unwrap().extend(writes[0].events.clone());
    // its claimant again (a restart): nothing to write; another deployer: refused
    assert_eq!(when(&claim("one"), &given, system.clone()).unwrap()[0].events.len(), 0);
    assert!(matches!(when(&claim("two"), &given, system.clone()), Err(DomainError::AlreadyExists(_))));
    // a deployer takes over from one that stopped, and then holds it; a third that believed
    // the first held it is refused, and so is a tenant
    let take_over = |deployer: &str, from: &str| DeploymentDecision {
        deployment_id: "d1".into(),
        command: DeploymentCommand::TakeOver { deployer: deployer.into(), from: from.into() },
    };
    assert!(matches!(when(&take_over("two", "one"), &given, alice()), Err(DomainError::Forbidden(_))));
    let mut taken = given.clone();
    let writes = when(&take_over("two", "one"), &taken, system.clone()).unwrap();
    assert!(matches!(&writes[0].events[..], [Event::DeploymentClaimed(c)] if c.deployer == "two"));
    assert!(writes[0].checked, "of two deployers taking over at once, one must conflict");
    taken.get_mut("deployment-d1").unwrap().extend(writes[0].events.clone());
    assert_eq!(when(&claim("two"), &taken, system.clone()).unwrap()[0].events.len(), 0);
    assert!(matches!(when(&claim("one"), &taken, system.clone()), Err(DomainError::AlreadyExists(_))));
    assert!(matches!(when(&take_over("three", "one"), &taken, system.clone()), Err(DomainError::AlreadyExists(_))));
    // a tenant cannot claim; a finished deployment nobody claimed is not claimable
    assert!(matches!(when(&claim("one"), &given, alice()), Err(DomainError::Forbidden(_))));
    let ready: Event = DeploymentReady { deployment_id: "d1".into(), url: "http://d1".into() }.into();
    given.insert("deployment-d1".into(), vec![requested, ready]);
    assert!(matches!(when(&claim("two"), &given, system.clone()), Err(DomainError::IllegalTransition { .. })));
    // nor can a finished deployment be taken over
    let mut finished = taken;
    finished
        .get_mut("deployment-d1")
        .unwrap()
        .push(DeploymentReady { deployment_id: "d1".into(), url: "u".into() }.into());
    assert!(matches!(when(&take_over("three", "two"), &finished, system), Err(DomainError::IllegalTransition { .. })));
}

mod domains {
    use super::*;
    use clouddeck_command_handlers::domain::{AddDomain, DomainCommand, DomainDecision, domain_id};

    fn add(hostname: &str) -> AddDomain {
        AddDomain {
            project_id: "p1".into(),
            command: DomainCommand::Add {
                organization_id: "o1".into(),
                project_id: "p1".into(),
                hostname: hostname.into(),
                redirect_to: None,
                verification_token: "t0ken".into(),
            },
        }
    }

    fn system() -> Actor {
        Actor::System("domains".into())
    }

    fn found() -> DomainCommand {
        DomainCommand::RecordCheck { found: true, reason: String::new(), give_up: false, answers_request: 0 }
    }

    /// Applies `writes` to `given`, as the store would.
    fn append(given: &mut HashMap<String, Vec<Event>>, writes: Vec<Write>) {
        for write in writes {
            given.entry(write.stream).or_default().extend(write.events);
        }
    }

    #[test]
    fn a_pending_domain_holds_nothing_and_the_first_verification_takes_the_name() {
        let mut given = acme_with_blog();
        let writes = when(&add("shop.example.com"), &given, alice()).unwrap();
        assert_eq!(writes.len(), 1, "adding claims no name: {writes:?}");
        append(&mut given, writes);
        let id = domain_id("o1", "shop.example.com");
        let again = when(&add("shop.example.com"), &given, alice());
        assert!(matches!(again, Err(DomainError::AlreadyExists(_))), "{again:?}");

        // Another organization verified the name first: this one's check fails for good.
        given.insert(
            stream_id("name", "domain:shop.example.com"),
            vec![
                NameClaimed { kind: "domain".into(), name: "shop.example.com".into(), owner_id: "other".into() }.into(),
            ],
        );
        let lost = when(&DomainDecision { domain_id: id.clone(), command: found() }, &given, system()).unwrap();
        assert_eq!(lost.len(), 1);
        assert!(
            matches!(&lost[0].events[..], [Event::DomainVerificationFailed(e)] if e.gave_up && e.reason.contains("another organization")),
            "{lost:?}"
        );
        let refused = when(&add("shop.example.com"), &acme_with_blog_and(&given), alice());
        assert!(matches!(refused, Err(DomainError::AlreadyExists(reason)) if reason.contains("another organization")));

        // Without that claim, the check claims the name in the same append.
        given.remove(&stream_id("name", "domain:shop.example.com"));
        let won = when(&DomainDecision { domain_id: id.clone(), command: found() }, &given, system()).unwrap();
        assert_eq!(won.len(), 2);
        assert!(matches!(&won[0].events[..], [Event::DomainVerified(_)]));
        assert_eq!(won[1].stream, stream_id("name", "domain:shop.example.com"));
        append(&mut given, won);

        // Removing gives the name back.
        let removed = when(&DomainDecision { domain_id: id, command: DomainCommand::Remove }, &given, alice()).unwrap();
        assert!(matches!(&removed[1].events[..], [Event::NameReleased(_)]), "{removed:?}");
    }

    /// `given` without this organization's own domain stream: a fresh organization's view.
    fn acme_with_blog_and(given: &HashMap<String, Vec<Event>>) -> HashMap<String, Vec<Event>> {
        let mut fresh = acme_with_blog();
        for (stream, events) in given {
            if stream.starts_with("name-") {
                fresh.insert(stream.clone(), events.clone());
            }
        }
        fresh
    }

    #[test]
    fn only_the_platform_records_checks_and_certificates_and_viewers_add_nothing() {
        let mut given = acme_with_blog();
        let added = when(&add("shop.example.com"), &given, alice()).unwrap();
        append(&mut given, added);
        let id = domain_id("o1", "shop.example.com");
        let forged = when(&DomainDecision { domain_id: id.clone(), command: found() }, &given, alice());
        assert!(matches!(forged, Err(DomainError::Forbidden(_))), "{forged:?}");
        let order = DomainCommand::OrderCertificate { token: "t".into(), key_authorization: "k".into() };
        let early = when(&DomainDecision { domain_id: id, command: order }, &given, system());
        assert!(
            matches!(early, Err(DomainError::IllegalTransition { .. })),
            "no certificate before verification: {early:?}"
        );
        let stranger = when(&add("other.example.com"), &acme_with_blog(), Actor::User("mallory".into()));
        assert!(matches!(stranger, Err(DomainError::Forbidden(_))), "{stranger:?}");
    }
}
