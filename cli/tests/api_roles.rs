//! Every mutation as every role: owner, admin, developer, viewer, a signed-in stranger and
//! an anonymous caller. The command handlers decide; the answer's code is checked.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app};
use serde_json::json;

const ROLES: [&str; 6] = ["owner", "admin", "developer", "viewer", "stranger", "anonymous"];

#[derive(Debug, Clone, Copy)]
enum Case {
    CreateProject,
    UpdateProjectSettings,
    DeleteProject,
    SetProductionEnvVar,
    SetPreviewEnvVar,
    RemovePreviewEnvVar,
    RequestDeployment,
    InviteMember,
    AcceptSomeoneElsesInvitation,
    ChangeMemberRole,
    RemoveMember,
    CreateApiToken,
    RevokeApiToken,
    CreateOrganization,
    ChangePlan,
}

impl Case {
    const ALL: [Case; 15] = [
        Case::CreateProject,
        Case::UpdateProjectSettings,
        Case::DeleteProject,
        Case::SetProductionEnvVar,
        Case::SetPreviewEnvVar,
        Case::RemovePreviewEnvVar,
        Case::RequestDeployment,
        Case::InviteMember,
        Case::AcceptSomeoneElsesInvitation,
        Case::ChangeMemberRole,
        Case::RemoveMember,
        Case::CreateApiToken,
        Case::RevokeApiToken,
        Case::CreateOrganization,
        Case::ChangePlan,
    ];

    /// The lowest role allowed; None for cases no member may do.
    fn allowed(self, role: &str) -> bool {
        use Case::*;
        let rank = |r: &str| ["viewer", "developer", "admin", "owner"].iter().position(|x| *x == r);
        let needed = match self {
            CreateOrganization => return role != "anonymous",
            AcceptSomeoneElsesInvitation => return false,
            SetPreviewEnvVar | RemovePreviewEnvVar | RequestDeployment => "developer",
            ChangePlan => "owner",
            _ => "admin",
        };
        matches!((rank(role), rank(needed)), (Some(have), Some(need)) if have >= need)
    }

    fn expected(self, role: &str) -> Option<&'static str> {
        if self.allowed(role) {
            None
        } else if role == "anonymous" {
            Some("UNAUTHENTICATED")
        } else if role == "stranger" && !matches!(self, Case::AcceptSomeoneElsesInvitation) {
            Some("NOT_FOUND")
        } else {
            Some("FORBIDDEN")
        }
    }

    /// Prepares what the attempt needs (as the owner) and returns the mutation to try.
    async fn prepare(self, app: &App, owner: &str, n: usize) -> String {
        use Case::*;
        match self {
            CreateProject => format!("mutation {{ createProject(organization: \"acme\", slug: \"p{n}\", name: \"P\") {{ id }} }}"),
            UpdateProjectSettings => "mutation { updateProjectSettings(organization: \"acme\", project: \"site\", settings: { buildCommand: \"npm run build\" }) { id } }".into(),
            DeleteProject => {
                app.ok(Some(owner), &format!("mutation {{ createProject(organization: \"acme\", slug: \"del{n}\", name: \"D\") {{ id }} }}"), json!({})).await;
                format!("mutation {{ deleteProject(organization: \"acme\", project: \"del{n}\") }}")
            }
            SetProductionEnvVar => "mutation { setEnvVar(organization: \"acme\", project: \"site\", key: \"K\", value: \"v\", target: PRODUCTION) { key } }".into(),
            SetPreviewEnvVar => "mutation { setEnvVar(organization: \"acme\", project: \"site\", key: \"K\", value: \"v\", target: PREVIEW) { key } }".into(),
            RemovePreviewEnvVar => {
                app.ok(Some(owner), &format!("mutation {{ setEnvVar(organization: \"acme\", project: \"site\", key: \"R{n}\", value: \"v\", target: PREVIEW) {{ key }} }}"), json!({})).await;
                format!("mutation {{ removeEnvVar(organization: \"acme\", project: \"site\", key: \"R{n}\", target: PREVIEW) }}")
            }
            RequestDeployment => "mutation { requestDeployment(organization: \"acme\", project: \"site\", target: PRODUCTION, sourceKind: \"upload\", sourceRef: \"u\") { id } }".into(),
            InviteMember => format!("mutation {{ inviteMember(organization: \"acme\", email: \"new{n}@example.com\", role: DEVELOPER) {{ id }} }}"),
            AcceptSomeoneElsesInvitation => {
                let invited = app
                    .ok(Some(owner), &format!("mutation {{ inviteMember(organization: \"acme\", email: \"someone{n}@example.com\", role: VIEWER) {{ id }} }}"), json!({}))
                    .await;
                format!("mutation {{ acceptInvitation(invitationId: \"{}\") {{ id }} }}", invited["inviteMember"]["id"].as_str().unwrap())
            }
            ChangeMemberRole => {
                let target = target_id(app, owner, "target@example.com").await;
                format!("mutation {{ changeMemberRole(organization: \"acme\", userId: \"{target}\", role: VIEWER) {{ id }} }}")
            }
            RemoveMember => {
                let email = format!("leaving{n}@example.com");
                let (token, id) = app.register(&email).await;
                app.join(owner, "acme", &email, &token, "VIEWER").await;
                format!("mutation {{ removeMember(organization: \"acme\", userId: \"{id}\") }}")
            }
            CreateApiToken => "mutation { createApiToken(organization: \"acme\", name: \"t\", role: VIEWER) { secret } }".into(),
            RevokeApiToken => {
                let made = app.ok(Some(owner), "mutation { createApiToken(organization: \"acme\", name: \"r\", role: VIEWER) { token { id } } }", json!({})).await;
                format!("mutation {{ revokeApiToken(organization: \"acme\", tokenId: \"{}\") {{ id }} }}", made["createApiToken"]["token"]["id"].as_str().unwrap())
            }
            CreateOrganization => format!("mutation {{ createOrganization(slug: \"org{n}\", name: \"O\") {{ id }} }}"),
            ChangePlan => {
                let plan = if n.is_multiple_of(2) { "PRO" } else { "BUSINESS" };
                format!("mutation {{ changePlan(organization: \"acme\", plan: {plan}) {{ plan }} }}")
            }
        }
    }
}

async fn target_id(app: &App, owner: &str, email: &str) -> String {
    let members =
        app.ok(Some(owner), "{ organization(slug: \"acme\") { members { user { id email } } } }", json!({})).await;
    members["organization"]["members"].as_array().unwrap().iter().find(|m| m["user"]["email"] == email).unwrap()["user"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutation_as_every_role() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let (owner, _) = app.register("owner@example.com").await;
    app.ok(Some(&owner), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }", json!({})).await;
    app.ok(
        Some(&owner),
        "mutation { createProject(organization: \"acme\", slug: \"site\", name: \"Site\") { id } }",
        json!({}),
    )
    .await;
    let mut tokens = vec![owner.clone()];
    for role in ["admin", "developer", "viewer"] {
        let email = format!("{role}@example.com");
        let (token, _) = app.register(&email).await;
        app.join(&owner, "acme", &email, &token, &role.to_uppercase()).await;
        tokens.push(token);
    }
    let (target, _) = app.register("target@example.com").await;
    app.join(&owner, "acme", "target@example.com", &target, "DEVELOPER").await;
    let (stranger, _) = app.register("stranger@example.com").await;
    tokens.push(stranger);

    let mut wrong = Vec::new();
    let mut n = 0;
    for case in Case::ALL {
        for (i, role) in ROLES.iter().enumerate() {
            n += 1;
            let mutation = case.prepare(&app, &owner, n).await;
            let token = tokens.get(i).map(String::as_str);
            let got = app.code(token, &mutation, json!({})).await;
            if got.as_deref() != case.expected(role) {
                wrong.push(format!("{case:?} as {role}: expected {:?}, got {got:?}", case.expected(role)));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    app.stop().await;
}

/// What the dashboard reads to decide which buttons to show: the caller's own role; and the
/// lists of tokens and invitations, which only those who manage them may read.
#[tokio::test]
async fn roles_are_told_and_token_and_invitation_lists_are_for_admins() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let (owner, _) = app.register("owner@example.com").await;
    app.ok(Some(&owner), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }", json!({})).await;
    let mut tokens = vec![("OWNER", owner.clone())];
    for role in ["ADMIN", "DEVELOPER", "VIEWER"] {
        let email = format!("{}@example.com", role.to_lowercase());
        let (token, _) = app.register(&email).await;
        app.join(&owner, "acme", &email, &token, role).await;
        tokens.push((role, token));
    }
    let made = app
        .ok(
            Some(&owner),
            "mutation { createApiToken(organization: \"acme\", name: \"ci\", role: DEVELOPER) { secret } }",
            json!({}),
        )
        .await;
    tokens.push(("DEVELOPER", made["createApiToken"]["secret"].as_str().unwrap().to_string()));
    for (role, token) in &tokens {
        let told = app.ok(Some(token), "{ organization(slug: \"acme\") { viewerRole } }", json!({})).await;
        assert_eq!(told["organization"]["viewerRole"], *role, "{role}");
        for list in ["apiTokens { id }", "invitations { id }"] {
            let got =
                app.code(Some(token), &format!("{{ organization(slug: \"acme\") {{ {list} }} }}"), json!({})).await;
            let expected = if matches!(*role, "OWNER" | "ADMIN") { None } else { Some("FORBIDDEN") };
            assert_eq!(got.as_deref(), expected, "{role} listing {list}");
        }
    }
    app.stop().await;
}

/// Signing out ends the session on the server: its token stops working at once, other
/// sessions of the same user go on, and an API token is not ended by it (it is revoked).
#[tokio::test]
async fn logout_ends_only_the_calling_session() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let (first, _) = app.register("ada@example.com").await;
    let second = app
        .ok(
            None,
            "mutation { login(email: \"ada@example.com\", password: \"correct horse battery\") { token } }",
            json!({}),
        )
        .await["login"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let out = app.ok(Some(&first), "mutation { logout }", json!({})).await;
    assert_eq!(out["logout"], true);
    assert_eq!(app.code(Some(&first), "{ viewer { actor } }", json!({})).await.as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(app.code(Some(&second), "{ viewer { actor } }", json!({})).await, None);
    assert_eq!(app.code(None, "mutation { logout }", json!({})).await.as_deref(), Some("UNAUTHENTICATED"));
    app.ok(Some(&second), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }", json!({})).await;
    let made = app
        .ok(
            Some(&second),
            "mutation { createApiToken(organization: \"acme\", name: \"ci\", role: VIEWER) { secret } }",
            json!({}),
        )
        .await;
    let token = made["createApiToken"]["secret"].as_str().unwrap().to_string();
    assert_eq!(app.ok(Some(&token), "mutation { logout }", json!({})).await["logout"], false);
    assert_eq!(app.code(Some(&token), "{ viewer { actor } }", json!({})).await, None);
    app.stop().await;
}
