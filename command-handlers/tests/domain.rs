//! decide / evolve, given past events, when a command, then new events or a refusal.
//! Pure: no store, no clock, no I/O.
#![allow(clippy::unwrap_used)]

use clouddeck_command_handlers::deployment::{Deployment, DeploymentCommand, RequestDeployment, decide_request};
use clouddeck_command_handlers::organization::{Organization, OrganizationCommand as Org};
use clouddeck_command_handlers::project::{Project, ProjectCommand};
use clouddeck_command_handlers::{Aggregate, Context, DomainError, Role};
use clouddeck_events::*;

const NOW: i64 = 1_800_000_000_000;

fn user(id: &str, role: Option<Role>) -> Context {
    Context { actor: Actor::User(id.into()), role, now_ms: NOW }
}

fn system() -> Context {
    Context::system("builder", NOW)
}

fn given<A: Aggregate>(events: Vec<Event>) -> A {
    A::replay(&events)
}

fn org_created() -> Event {
    OrganizationCreated {
        organization_id: "o1".into(),
        slug: "acme".into(),
        name: "Acme".into(),
        owner_user_id: "alice".into(),
    }
    .into()
}

fn joined(user: &str, role: &str) -> Event {
    MemberJoined { organization_id: "o1".into(), user_id: user.into(), role: role.into(), invitation_id: None }.into()
}

#[test]
fn a_user_creates_an_organization_and_owns_it() {
    let org: Organization = given(vec![]);
    let events = org
        .decide(
            Org::Create { organization_id: "o1".into(), slug: "acme".into(), name: "Acme".into() },
            &user("alice", None),
        )
        .unwrap();
    assert_eq!(events, vec![org_created()]);
    let org = Organization::replay(&events);
    assert_eq!(org.role_of(&Actor::User("alice".into()), NOW), Some(Role::Owner));
}

#[test]
fn bad_names_are_refused_naming_the_field() {
    let org: Organization = given(vec![]);
    for (slug, name, field) in
        [("Acme", "Acme", "slug"), ("-acme", "Acme", "slug"), ("acme", "", "name"), ("acme", "a\u{7}b", "name")]
    {
        let err = org
            .decide(
                Org::Create { organization_id: "o1".into(), slug: slug.into(), name: name.into() },
                &user("a", None),
            )
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { field: f, .. } if f == field), "{slug}/{name}: {err}");
    }
}

#[test]
fn creating_an_existing_organization_is_refused() {
    let org: Organization = given(vec![org_created()]);
    let err = org
        .decide(Org::Create { organization_id: "o1".into(), slug: "x".into(), name: "X".into() }, &user("bob", None));
    assert!(matches!(err, Err(DomainError::AlreadyExists(_))));
}

#[test]
fn an_invitation_is_accepted_once_with_its_link_or_by_its_verified_addressee() {
    let org: Organization = given(vec![org_created()]);
    let invite = Org::InviteMember {
        invitation_id: "i1".into(),
        email: "Bob@Example.com".into(),
        role: "developer".into(),
        secret_sha256: "a".repeat(64),
    };
    let invited = org.decide(invite.clone(), &user("alice", Some(Role::Owner))).unwrap();
    let org = org.evolve(&invited[0]);
    // a second open invitation for the same address is refused
    assert!(matches!(org.decide(invite, &user("alice", Some(Role::Owner))), Err(DomainError::AlreadyExists(_))));
    let accept = |user_id: &str, email: &str, verified: bool, secret: Option<String>| Org::AcceptInvitation {
        invitation_id: "i1".into(),
        user_id: user_id.into(),
        email: email.into(),
        email_verified: verified,
        secret_sha256: secret,
    };
    // someone else, even verified, without the link: refused
    let eve = accept("eve", "eve@example.com", true, None);
    assert!(matches!(org.decide(eve, &user("eve", None)), Err(DomainError::Forbidden(_))));
    // the named address, but never verified (anyone can type an address): refused
    let typed = accept("bob", "bob@example.com", false, None);
    assert!(matches!(org.decide(typed, &user("bob", None)), Err(DomainError::Forbidden(_))));
    // a wrong secret: refused
    let guessed = accept("eve", "eve@example.com", false, Some("b".repeat(64)));
    assert!(matches!(org.decide(guessed, &user("eve", None)), Err(DomainError::Forbidden(_))));
    // the verified addressee, or whoever holds the link: accepted, once
    let verified = accept("bob", "bob@example.com", true, None);
    let joined = org.decide(verified.clone(), &user("bob", None)).unwrap();
    assert!(matches!(&joined[0], Event::MemberJoined(j) if j.role == "developer" && j.user_id == "bob"));
    let linked = accept("carol", "carol@example.com", false, Some("a".repeat(64)));
    assert!(org.decide(linked, &user("carol", None)).is_ok());
    let org = org.evolve(&joined[0]);
    assert!(matches!(org.decide(verified, &user("bob", None)), Err(DomainError::IllegalTransition { .. })));
}

#[test]
fn an_expired_invitation_cannot_be_accepted() {
    let org: Organization = given(vec![
        org_created(),
        MemberInvited {
            organization_id: "o1".into(),
            invitation_id: "i1".into(),
            email: "bob@example.com".into(),
            role: "viewer".into(),
            invited_by: "user:alice".into(),
            expires_at: NOW - 1,
            secret_sha256: "a".repeat(64),
        }
        .into(),
    ]);
    let accept = Org::AcceptInvitation {
        invitation_id: "i1".into(),
        user_id: "bob".into(),
        email: "bob@example.com".into(),
        email_verified: true,
        secret_sha256: None,
    };
    assert!(matches!(org.decide(accept, &user("bob", None)), Err(DomainError::IllegalTransition { .. })));
}

#[test]
fn only_owners_make_owners_and_the_last_owner_stays() {
    let org: Organization = given(vec![org_created(), joined("bob", "admin"), joined("carol", "developer")]);
    let promote = Org::ChangeMemberRole { user_id: "carol".into(), role: "owner".into() };
    assert!(matches!(org.decide(promote.clone(), &user("bob", Some(Role::Admin))), Err(DomainError::Forbidden(_))));
    assert_eq!(org.decide(promote, &user("alice", Some(Role::Owner))).unwrap().len(), 1);
    let demote_last = Org::ChangeMemberRole { user_id: "alice".into(), role: "admin".into() };
    assert!(matches!(
        org.decide(demote_last, &user("alice", Some(Role::Owner))),
        Err(DomainError::IllegalTransition { .. })
    ));
    let remove_last = Org::RemoveMember { user_id: "alice".into() };
    assert!(matches!(
        org.decide(remove_last, &user("alice", Some(Role::Owner))),
        Err(DomainError::IllegalTransition { .. })
    ));
    // a developer cannot remove others but can leave
    let remove_bob = Org::RemoveMember { user_id: "bob".into() };
    assert!(matches!(org.decide(remove_bob, &user("carol", Some(Role::Developer))), Err(DomainError::Forbidden(_))));
    let leave = Org::RemoveMember { user_id: "carol".into() };
    assert_eq!(org.decide(leave, &user("carol", Some(Role::Developer))).unwrap().len(), 1);
    let unknown = Org::ChangeMemberRole { user_id: "zed".into(), role: "viewer".into() };
    assert!(matches!(org.decide(unknown, &user("alice", Some(Role::Owner))), Err(DomainError::NotFound { .. })));
    let bad = Org::ChangeMemberRole { user_id: "bob".into(), role: "god".into() };
    assert!(matches!(
        org.decide(bad, &user("alice", Some(Role::Owner))),
        Err(DomainError::Invalid { field: "role", .. })
    ));
}

#[test]
fn api_tokens_act_with_their_role_until_revoked_or_expired() {
    let org: Organization = given(vec![org_created(), joined("bob", "admin")]);
    let issue = |id: &str, role: &str, expires_at| Org::IssueApiToken {
        token_id: id.into(),
        name: "ci".into(),
        role: role.into(),
        secret_sha256: "ab".repeat(32),
        expires_at,
    };
    // an admin cannot mint an owner token
    assert!(matches!(
        org.decide(issue("t0", "owner", None), &user("bob", Some(Role::Admin))),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        org.decide(issue("t0", "viewer", Some(NOW - 5)), &user("bob", Some(Role::Admin))),
        Err(DomainError::Invalid { .. })
    ));
    let issued = org.decide(issue("t1", "developer", Some(NOW + 1000)), &user("bob", Some(Role::Admin))).unwrap();
    let org = org.evolve(&issued[0]);
    let token = Actor::ApiToken("t1".into());
    assert_eq!(org.role_of(&token, NOW), Some(Role::Developer));
    assert_eq!(org.role_of(&token, NOW + 1000), None, "expired");
    let revoked = org.decide(Org::RevokeApiToken { token_id: "t1".into() }, &user("alice", Some(Role::Owner))).unwrap();
    let org = org.evolve(&revoked[0]);
    assert_eq!(org.role_of(&token, NOW), None);
    assert!(matches!(
        org.decide(Org::RevokeApiToken { token_id: "t1".into() }, &user("alice", Some(Role::Owner))),
        Err(DomainError::IllegalTransition { .. })
    ));
}

#[test]
fn a_project_slug_is_unique_in_its_organization_until_released() {
    let org: Organization = given(vec![org_created()]);
    let admin = user("alice", Some(Role::Owner));
    let claimed = org.decide(Org::ClaimProjectSlug { project_id: "p1".into(), slug: "blog".into() }, &admin).unwrap();
    let org = org.evolve(&claimed[0]);
    let again = org.decide(Org::ClaimProjectSlug { project_id: "p2".into(), slug: "blog".into() }, &admin);
    assert!(matches!(again, Err(DomainError::AlreadyExists(m)) if m.contains("blog")));
    let released = org.decide(Org::ReleaseProjectSlug { project_id: "p1".into() }, &admin).unwrap();
    let org = org.evolve(&released[0]);
    assert!(org.decide(Org::ClaimProjectSlug { project_id: "p2".into(), slug: "blog".into() }, &admin).is_ok());
    let viewer = user("vic", Some(Role::Viewer));
    assert!(matches!(
        org.decide(Org::ClaimProjectSlug { project_id: "p3".into(), slug: "x".into() }, &viewer),
        Err(DomainError::Forbidden(_))
    ));
}

fn project_created() -> Event {
    ProjectCreated {
        project_id: "p1".into(),
        organization_id: "o1".into(),
        slug: "blog".into(),
        name: "Blog".into(),
        framework: None,
        production_branch: "main".into(),
    }
    .into()
}

#[test]
fn env_vars_by_target_and_role() {
    let project: Project = given(vec![project_created()]);
    let set = |target: &str| ProjectCommand::SetEnvVar {
        key: "API_URL".into(),
        target: target.into(),
        sealed_value: "v1:sealed".into(),
    };
    let dev = user("carol", Some(Role::Developer));
    assert_eq!(project.decide(set("preview"), &dev).unwrap().len(), 1);
    assert!(matches!(project.decide(set("production"), &dev), Err(DomainError::Forbidden(_))));
    assert!(matches!(project.decide(set("staging"), &dev), Err(DomainError::Invalid { field: "target", .. })));
    let bad_key =
        ProjectCommand::SetEnvVar { key: "1BAD KEY".into(), target: "preview".into(), sealed_value: "x".into() };
    assert!(matches!(project.decide(bad_key, &dev), Err(DomainError::Invalid { field: "key", .. })));
    let remove = ProjectCommand::RemoveEnvVar { key: "API_URL".into(), target: "preview".into() };
    assert!(matches!(project.decide(remove.clone(), &dev), Err(DomainError::NotFound { .. })));
    let set_event = project.decide(set("preview"), &dev).unwrap().remove(0);
    let project = project.evolve(&set_event);
    assert_eq!(project.decide(remove, &dev).unwrap().len(), 1);
}

#[test]
fn a_deleted_project_takes_no_commands() {
    let project: Project = given(vec![
        project_created(),
        ProjectDeleted { project_id: "p1".into(), organization_id: "o1".into(), slug: "blog".into() }.into(),
    ]);
    let admin = user("alice", Some(Role::Owner));
    assert!(matches!(project.decide(ProjectCommand::Delete, &admin), Err(DomainError::NotFound { .. })));
    let request = RequestDeployment {
        deployment_id: "d1".into(),
        target: "preview".into(),
        source_kind: "upload".into(),
        source_ref: "u1".into(),
        commit_sha: None,
        prebuilt: false,
    };
    assert!(matches!(decide_request(&project, request, &admin), Err(DomainError::NotFound { .. })));
}

#[test]
fn settings_reject_paths_that_leave_the_source() {
    let project: Project = given(vec![project_created()]);
    let admin = user("alice", Some(Role::Admin));
    let change = ProjectSettingsChanged { output_directory: Some("../../etc".into()), ..Default::default() };
    assert!(matches!(
        project.decide(ProjectCommand::ChangeSettings(change), &admin),
        Err(DomainError::Invalid { field: "outputDirectory", .. })
    ));
    let nothing = project.decide(ProjectCommand::ChangeSettings(ProjectSettingsChanged::default()), &admin).unwrap();
    assert!(nothing.is_empty(), "no change, no event");
    let change = ProjectSettingsChanged { build_command: Some("npm run build".into()), ..Default::default() };
    let events = project.decide(ProjectCommand::ChangeSettings(change), &admin).unwrap();
    assert!(matches!(&events[0], Event::ProjectSettingsChanged(c) if c.project_id == "p1"));
}

fn requested(prebuilt: bool) -> Vec<Event> {
    let project: Project = given(vec![project_created()]);
    let request = RequestDeployment {
        deployment_id: "d1".into(),
        target: "production".into(),
        source_kind: "upload".into(),
        source_ref: "u1".into(),
        commit_sha: None,
        prebuilt,
    };
    decide_request(&project, request, &user("carol", Some(Role::Developer))).unwrap()
}

/// Applies each command in turn as `ctx`, returning the final state.
fn run(mut state: Deployment, commands: Vec<DeploymentCommand>, ctx: &Context) -> Deployment {
    for command in commands {
        for event in state.decide(command.clone(), ctx).unwrap_or_else(|e| panic!("{command:?}: {e}")) {
            state = state.evolve(&event);
        }
    }
    state
}

#[test]
fn a_deployment_goes_from_request_to_ready_and_production() {
    use DeploymentCommand::*;
    let state: Deployment = given(requested(false));
    let state = run(
        state,
        vec![
            QueueBuild { build_id: "b1".into() },
            StartBuild { runner: "sandbox".into(), framework: Some("vite".into()) },
            AppendLog { lines: vec!["building".into()] },
            AppendLog { lines: vec!["done".into()] },
            SucceedBuild { duration_ms: 1200 },
            StoreArtifact { manifest_sha256: "m".into(), file_count: 3, total_bytes: 10 },
            MarkReady { url: "http://d1-blog.localhost".into() },
        ],
        &system(),
    );
    assert_eq!(state.log_chunks, 2);
    let promoted = state.decide(Promote { previous: None }, &user("carol", Some(Role::Developer))).unwrap();
    assert!(matches!(&promoted[0], Event::DeploymentPromoted(p) if p.project_id == "p1"));
    assert!(matches!(
        state.decide(Promote { previous: None }, &user("vic", Some(Role::Viewer))),
        Err(DomainError::Forbidden(_))
    ));
}

#[test]
fn a_prebuilt_upload_skips_the_build() {
    use DeploymentCommand::*;
    let state: Deployment = given(requested(true));
    assert!(matches!(
        state.decide(QueueBuild { build_id: "b".into() }, &system()),
        Err(DomainError::IllegalTransition { .. })
    ));
    let state = run(
        state,
        vec![
            StoreArtifact { manifest_sha256: "m".into(), file_count: 1, total_bytes: 1 },
            MarkReady { url: "u".into() },
        ],
        &system(),
    );
    assert!(state.decide(RollBack { from: Some("d0".into()) }, &user("carol", Some(Role::Developer))).is_ok());
}

#[test]
fn illegal_transitions_and_impostors_are_refused() {
    use DeploymentCommand::*;
    let state: Deployment = given(requested(false));
    // only CloudDeck's workers report builds
    assert!(matches!(
        state.decide(QueueBuild { build_id: "b".into() }, &user("alice", Some(Role::Owner))),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        state.decide(MarkReady { url: "u".into() }, &system()),
        Err(DomainError::IllegalTransition { .. })
    ));
    assert!(matches!(
        state.decide(Promote { previous: None }, &user("alice", Some(Role::Owner))),
        Err(DomainError::IllegalTransition { .. })
    ));
    let failed = run(
        state,
        vec![
            QueueBuild { build_id: "b".into() },
            StartBuild { runner: "sandbox".into(), framework: None },
            FailBuild { duration_ms: 5, reason: "exit 1".into(), cause: "user".into(), retryable: false },
        ],
        &system(),
    );
    let err = failed.decide(Cancel, &user("alice", Some(Role::Owner))).unwrap_err();
    assert_eq!(err.to_string(), "cannot cancel a deployment that is failed");
    let unknown: Deployment = given(vec![]);
    assert!(matches!(unknown.decide(Cancel, &user("alice", Some(Role::Owner))), Err(DomainError::NotFound { .. })));
}
