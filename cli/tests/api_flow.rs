//! The GraphQL API over HTTP against the real server: the whole flow, on SQLite and on
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{Backend, spawn_app};
use serde_json::json;

async fn full_flow(backend: Backend) {
    let app = spawn_app(backend, 1000.0, 1000).await;
    // register, create an organization
    let (alice, alice_id) = app.register("alice@example.com").await;
    let org = app
        .ok(Some(&alice), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id slug } }", json!({}))
        .await;
    assert_eq!(org["createOrganization"]["slug"], "acme");
    // a second registration of the same address is refused, whatever its case
    let (_, body) = app
        .post(None, "mutation { registerUser(email: \"ALICE@example.com\", name: \"A\", password: \"another long one\") { token } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT", "{body}");
    // login works with the password, not without it
    let login = "mutation($p: String!) { login(email: \"alice@example.com\", password: $p) { token user { id } } }";
    assert_eq!(app.ok(None, login, json!({ "p": "correct horse battery" })).await["login"]["user"]["id"], alice_id);
    assert_eq!(app.code(None, login, json!({ "p": "wrong horse battery" })).await.as_deref(), Some("UNAUTHENTICATED"));

    // invite bob, who accepts
    let (bob, bob_id) = app.register("bob@example.com").await;
    app.join(&alice, "acme", "bob@example.com", &bob, "DEVELOPER").await;
    let members =
        app.ok(Some(&bob), "{ organization(slug: \"acme\") { members { user { id email } role } } }", json!({})).await;
    let roles: Vec<(String, String)> = members["organization"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user"]["id"].as_str().unwrap().into(), m["role"].as_str().unwrap().into()))
        .collect();
    assert!(
        roles.contains(&(alice_id.clone(), "OWNER".into())) && roles.contains(&(bob_id.clone(), "DEVELOPER".into()))
    );

    // create a project and set an env var: the value never comes back
    let project = "mutation { createProject(organization: \"acme\", slug: \"blog\", name: \"Blog\", framework: \"vite\") { id slug settings { framework productionBranch } } }";
    let created = app.ok(Some(&alice), project, json!({})).await;
    assert_eq!(created["createProject"]["settings"]["productionBranch"], "main");
    app.ok(
        Some(&alice),
        "mutation { setEnvVar(organization: \"acme\", project: \"blog\", key: \"DATABASE_URL\", value: \"postgres://u:hunter2@db\", target: PRODUCTION) { key } }",
        json!({}),
    )
    .await;
    let read = app
        .ok(
            Some(&bob),
            "{ project(organization: \"acme\", slug: \"blog\") { envVars { key target value } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["project"]["envVars"],
        json!([{ "key": "DATABASE_URL", "target": "production", "value": "********" }])
    );
    let audit = app
        .ok(
            Some(&alice),
            "{ auditLog(organization: \"acme\", types: [\"project.env_var_set\"]) { events { type payload } } }",
            json!({}),
        )
        .await;
    assert!(!audit.to_string().contains("hunter2"), "{audit}");
    assert_eq!(audit["auditLog"]["events"][0]["payload"]["sealed_value"], "********");

    // create an API token; the secret is shown once, and works as a developer of acme
    let token = app
        .ok(Some(&alice), "mutation { createApiToken(organization: \"acme\", name: \"ci\", role: DEVELOPER, expiresInDays: 30) { secret token { id role expiresAt } } }", json!({}))
        .await;
    let secret = token["createApiToken"]["secret"].as_str().unwrap().to_string();
    let token_id = token["createApiToken"]["token"]["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("cdt_"));
    let listed = app.ok(Some(&alice), "{ organization(slug: \"acme\") { apiTokens { id name } } }", json!({})).await;
    assert!(!listed.to_string().contains(&secret));
    let viewer = app.ok(Some(&secret), "{ viewer { actor organization { slug } } }", json!({})).await;
    assert_eq!(viewer["viewer"]["organization"]["slug"], "acme");
    let deploy = "mutation { requestDeployment(organization: \"acme\", project: \"blog\", target: PREVIEW, sourceKind: \"upload\", sourceRef: \"u1\") { id status target } }";
    let deployment = app.ok(Some(&secret), deploy, json!({})).await;
    // (the answer shows the write or later: the deployer may already have taken it up)
    let status = deployment["requestDeployment"]["status"].as_str().unwrap();
    assert!(["requested", "queued", "building", "failed"].contains(&status), "{status}");
    let id = deployment["requestDeployment"]["id"].as_str().unwrap();
    let page = app
        .ok(Some(&bob), "{ project(organization: \"acme\", slug: \"blog\") { deployments(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } } }", json!({}))
        .await;
    assert_eq!(page["project"]["deployments"]["edges"][0]["node"]["id"], id);
    // the source `u1` was never uploaded: the deployer fails its build soon after
    let status = app.ok(Some(&bob), &format!("{{ deployment(id: \"{id}\") {{ status }} }}"), json!({})).await;
    assert!(
        ["requested", "queued", "building", "failed"].contains(&status["deployment"]["status"].as_str().unwrap()),
        "{status}"
    );
    // a developer token cannot mint tokens or change production variables
    let mint = "mutation { createApiToken(organization: \"acme\", name: \"x\", role: VIEWER) { secret } }";
    assert_eq!(app.code(Some(&secret), mint, json!({})).await.as_deref(), Some("FORBIDDEN"));

    // revoked, the token is refused
    app.ok(
        Some(&alice),
        &format!("mutation {{ revokeApiToken(organization: \"acme\", tokenId: \"{token_id}\") {{ revokedAt }} }}"),
        json!({}),
    )
    .await;
    let (status, body) = app.post(Some(&secret), "{ viewer { actor } }", json!({})).await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));

    // a stranger sees nothing of acme
    let (eve, _) = app.register("eve@example.com").await;
    assert_eq!(
        app.code(Some(&eve), "{ organization(slug: \"acme\") { id } }", json!({})).await.as_deref(),
        Some("NOT_FOUND")
    );
    assert_eq!(
        app.code(Some(&eve), &format!("{{ deployment(id: \"{id}\") {{ id }} }}"), json!({})).await.as_deref(),
        Some("NOT_FOUND")
    );
    assert_eq!(app.code(None, "{ organizations { id } }", json!({})).await.as_deref(), Some("UNAUTHENTICATED"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_flow_on_sqlite() {
    full_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_flow_on_postgres() {
    full_flow(Backend::Postgres).await;
}

#[test]
fn the_committed_sdl_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/graphql/schema.graphql")).unwrap();
    assert!(
        committed == clouddeck_graphql_api::sdl(),
        "schema/graphql/schema.graphql is stale: run `clouddeck graphql schema > schema/graphql/schema.graphql`"
    );
}
