//! The API at its edges: a live subscription over a real WebSocket, hostile and malformed
//! requests, rate limits, and idempotency keys.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, next_message, spawn_app};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_receives_the_event_a_mutation_caused() {
    let app = spawn_app(Backend::Sqlite, 1000.0, 1000).await;
    let owner = app.owner_of_acme("owner@example.com", None).await;
    // given a live subscription to acme's events
    let mut live = app.subscribe(&owner, "subscription { events(organization: \"acme\") { type stream actor } }").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // when a mutation creates a project
    app.ok(
        Some(&owner),
        "mutation { createProject(organization: \"acme\", slug: \"blog\", name: \"Blog\") { id } }",
        json!({}),
    )
    .await;
    // then its events arrive, in order
    let first = next_message(&mut live).await;
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(first["payload"]["data"]["events"]["type"], "organization.project_slug_claimed");
    let second = next_message(&mut live).await;
    assert_eq!(second["payload"]["data"]["events"]["type"], "project.created");

    // and a subscription resumed from position 0, filtered by type, replays the past
    let mut resumed = app.subscribe(&owner,
        "subscription { events(organization: \"acme\", fromPosition: 0, types: [\"organization.created\"]) { type position } }",
    )
    .await;
    let replayed = next_message(&mut resumed).await;
    assert_eq!(replayed["payload"]["data"]["events"]["type"], "organization.created", "{replayed}");

    // a deployment's subscription starts with its state now
    let requested = app
        .ok(Some(&owner), "mutation { requestDeployment(organization: \"acme\", project: \"blog\", target: PREVIEW, sourceKind: \"upload\", sourceRef: \"u\") { id } }", json!({}))
        .await;
    let id = requested["requestDeployment"]["id"].as_str().unwrap();
    let mut deployment =
        app.subscribe(&owner, &format!("subscription {{ deployment(id: \"{id}\") {{ id status }} }}")).await;
    let now = next_message(&mut deployment).await;
    assert_eq!(now["payload"]["data"]["deployment"]["id"], id, "{now}");
    // the source `u` was never uploaded: the deployer queues, starts and fails the build,
    // and the subscription shows each step until then
    let mut seen = vec![now["payload"]["data"]["deployment"]["status"].as_str().unwrap().to_string()];
    while seen.last().unwrap() != "failed" {
        let next = next_message(&mut deployment).await;
        seen.push(next["payload"]["data"]["deployment"]["status"].as_str().unwrap().to_string());
    }
    let order = ["requested", "queued", "building", "failed"];
    let ranks: Vec<usize> = seen.iter().map(|s| order.iter().position(|o| o == s).unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{seen:?}");

    // an outsider's subscription is refused
    let (eve, _) = app.register("eve@example.com").await;
    let mut refused = app.subscribe(&eve, "subscription { events(organization: \"acme\") { type } }").await;
    let answer = next_message(&mut refused).await;
    assert_eq!(answer["payload"]["data"], Value::Null, "{answer}");
    assert_eq!(answer["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND", "{answer}");

    // signing out closes the session's open subscriptions (a socket is authenticated once)
    let mut open = app.subscribe(&owner, "subscription { events(organization: \"acme\") { type } }").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.ok(Some(&owner), "mutation { logout }", json!({})).await["logout"], true);
    let closed = next_message(&mut open).await;
    assert_eq!(closed["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{closed}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_malformed_requests_get_clear_errors() {
    let app = spawn_app(Backend::Sqlite, 1000.0, 1000).await;
    let owner = app.owner_of_acme("owner@example.com", None).await;
    let code_and_message = |body: &Value| {
        (body["errors"][0]["extensions"]["code"].as_str().map(str::to_string), body["errors"][0]["message"].to_string())
    };

    // too deep (even for an introspection, whose limit is wider than a user query's)
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(14),
        "} ".repeat(14)
    );
    let (_, body) = app.post(Some(&owner), &deep, json!({})).await;
    let (code, message) = code_and_message(&body);
    assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"));
    assert!(message.contains("deep"), "{message}");

    // too many fields (an alias flood)
    let flood: String = (0..1500).map(|i| format!("a{i}: viewer {{ actor }} ")).collect();
    let (_, body) = app.post(Some(&owner), &format!("{{ {flood} }}"), json!({})).await;
    let (code, message) = code_and_message(&body);
    assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"));
    assert!(message.contains("fields"), "{message}");

    // wrong types, unknown fields, bad values: each named
    let (_, body) = app.post(Some(&owner), "{ organization(slug: 5) { id } }", json!({})).await;
    assert_eq!(code_and_message(&body).0.as_deref(), Some("BAD_USER_INPUT"), "{body}");
    let (_, body) = app.post(Some(&owner), "{ organization(slug: \"acme\") { nope } }", json!({})).await;
    assert_eq!(code_and_message(&body).0.as_deref(), Some("BAD_USER_INPUT"), "{body}");
    let (_, body) = app
        .post(
            Some(&owner),
            "mutation { createProject(organization: \"acme\", slug: \"Bad Slug!\", name: \"x\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "slug", "{body}");
    let (_, body) = app.post(Some(&owner), "{ project(organization: \"acme\", slug: \"x\") { id } }", json!({})).await;
    assert_eq!(code_and_message(&body).0.as_deref(), Some("NOT_FOUND"));

    // a body over the limit, and one that is not JSON
    let huge = "x".repeat(3 * 1024 * 1024);
    let sent = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(format!("{{\"query\":\"{huge}\"}}"))
        .send()
        .await;
    // 413, or the connection closed under a client still sending the rest
    if let Ok(response) = sent {
        assert_eq!(response.status().as_u16(), 413);
    }
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // GraphiQL for a browser
    let page = app.http.get(format!("{}/graphql", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.to_lowercase().contains("graphiql"), "{page}");
    // a malformed Authorization header
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("authorization", "Basic abc")
        .json(&json!({"query": "{ viewer { actor } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_over_the_rate_get_429_with_retry_after() {
    let app = spawn_app(Backend::Sqlite, 0.5, 3).await;
    let query = json!({ "query": "{ viewer { actor } }" });
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let response = app.http.post(format!("{}/graphql", app.base)).json(&query).send().await.unwrap();
        statuses.push(response.status().as_u16());
        last = Some(response);
    }
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    assert_eq!(statuses[4], 429);
    let response = last.unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_has_one_effect_and_one_answer() {
    let app = spawn_app(Backend::Sqlite, 1000.0, 1000).await;
    let owner = app.owner_of_acme("owner@example.com", None).await;
    let create =
        json!({ "query": "mutation { createProject(organization: \"acme\", slug: \"blog\", name: \"Blog\") { id } }" });
    let send = |key: &'static str| {
        let request = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&owner)
            .header("Idempotency-Key", key)
            .json(&create);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    // given two concurrent retries and one later retry with the same key
    let (a, b) = tokio::join!(send("create-blog-1"), send("create-blog-1"));
    let c = send("create-blog-1").await;
    assert!(a.contains("\"id\""), "{a}");
    assert_eq!(a, b);
    assert_eq!(a, c);
    // then one project exists: a new key meets the slug taken
    let other = send("create-blog-2").await;
    assert!(other.contains("CONFLICT"), "{other}");
    let projects = app.ok(Some(&owner), "{ organization(slug: \"acme\") { projects { slug } } }", json!({})).await;
    assert_eq!(projects["organization"]["projects"], json!([{ "slug": "blog" }]));
    app.stop().await;
}

/// Idempotency keys live in the database: a retry sent to another API process of the same
/// installation gets the first answer (the same one-time secret) and has no second effect;
/// the stored answer holds no secret in clear; the key reused for another request is refused
/// (issue 15).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_holds_across_api_processes() {
    let url = clouddeck_testkit::postgres_database().await;
    // (processes of one installation share its sealing key, as they must for env var values)
    let key = |config: &mut clouddeck::config::Config| {
        config.secret_key = Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into())
    };
    let first = api::harness::spawn_roles(Some(url.clone()), clouddeck::server::Roles::all(false), key).await;
    // (and its artifacts folder)
    let data = first.data_dir();
    let second = api::harness::spawn_roles(Some(url.clone()), clouddeck::server::Roles::only_api(), |config| {
        key(config);
        config.data_dir = data;
    })
    .await;
    let owner = first.owner_of_acme("owner@example.com", None).await;
    let create = |name: &str| json!({ "query": format!("mutation {{ createApiToken(organization: \"acme\", name: \"{name}\", role: DEVELOPER, expiresInDays: 30) {{ secret token {{ id }} }} }}") });
    let send = |app: &App, body: Value| {
        let request = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&owner)
            .header("Idempotency-Key", "token-1")
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, once) = send(&first, create("ci")).await;
    assert_eq!(status, 200, "{once}");
    let secret =
        serde_json::from_str::<Value>(&once).unwrap()["data"]["createApiToken"]["secret"].as_str().unwrap().to_string();
    // a retry on the other process: the same answer, the same secret
    assert_eq!(send(&second, create("ci")).await, (200, once.clone()));
    let tokens = second.ok(Some(&owner), "{ organization(slug: \"acme\") { apiTokens { name } } }", json!({})).await;
    assert_eq!(tokens["organization"]["apiTokens"], json!([{ "name": "ci" }]), "one token, not two");
    // the key reused for another request
    let (status, other) = send(&second, create("deploy-bot")).await;
    assert_eq!(status, 422, "{other}");
    assert!(other.contains("BAD_USER_INPUT") && other.contains("different request"), "{other}");
    // what the database keeps is sealed
    let db: sqlx::PgPool = sqlx::PgPool::connect(&url).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT answer FROM api_idempotency").fetch_all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("v1:") && !stored[0].contains(&secret), "{}", stored[0]);
    // only a signed-in caller's mutation is kept: a query, or an anonymous caller, fills nothing
    let query = json!({ "query": "{ __schema { queryType { name } } }" });
    for token in [Some(owner.as_str()), None] {
        let mut request =
            second.http.post(format!("{}/graphql", second.base)).header("Idempotency-Key", "q-1").json(&query);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        assert_eq!(request.send().await.unwrap().status(), 200);
    }
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_idempotency").fetch_one(&db).await.unwrap();
    assert_eq!(kept, 1);
    // a key that cannot be kept is refused, not ignored (a retry would run twice)
    for bad in ["k".repeat(256), "clé-1".to_string()] {
        let request = second.http.post(format!("{}/graphql", second.base)).bearer_auth(&owner);
        let answer = request.header("Idempotency-Key", bad.as_bytes()).json(&create("x")).send().await.unwrap();
        assert_eq!(answer.status(), 400, "{bad}");
    }
    first.stop().await;
    second.stop().await;
}
