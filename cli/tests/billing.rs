//! Metering, plans, quotas and invoices, end to end: requests through the real edge become
//! usage windows in the log, invoices in the read models (SQLite and PostgreSQL alike) and
//! rows in a real ClickHouse; replaying the log rebuilds all of them identically.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use clouddeck_command_handlers::CommandHandler;
use clouddeck_eventlog::{EventStore, StoreFeed, now_ms};
use clouddeck_events::{Actor, Provenance, UsageMetered};
use clouddeck_projections::analytics::{Analytics, AnalyticsProjector, CHECKPOINT};
use clouddeck_projections::{ProjectionRunner, ReadModels, db, rebuild};
use serde_json::{Value, json};
use sqlx::{AnyPool, Row};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const GB: i64 = 1_000_000_000;

async fn deploy(app: &App, token: &str, dir: &Path, project: &str) -> anyhow::Result<Deployed> {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some(project.into()),
        org: Some("acme".into()),
        prod: true,
        prebuilt: true,
    };
    upload_and_deploy(&Client::new(&app.base, token), &args).await
}

async fn edge_get(app: &App, host: &str, path: &str) -> (u16, usize) {
    let response = app.http.get(format!("http://{}{path}", app.edge)).header("host", host).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().len())
}

/// Polls `probe` until it returns Some, for at most 20 s.
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn figure(usage: &Value, metric: &str) -> i64 {
    usage.as_array().unwrap().iter().filter(|f| f["metric"] == metric).map(|f| f["quantity"].as_i64().unwrap()).sum()
}

async fn usage(app: &App, token: &str) -> Value {
    let data = app
        .ok(Some(token), "{ organization(slug: \"acme\") { usage { metric projectId quantity } } }", json!({}))
        .await;
    data["organization"]["usage"].clone()
}

/// The billing tables, row by row, in key order, as text: equal means the same invoices.
async fn billing_rows(db: &AnyPool) -> Vec<String> {
    let tables = [
        ("rm_plan_changes", "organization_id, position"),
        ("rm_usage", "organization_id, period, project_id, metric"),
        ("rm_usage_events", "organization_id, period, metric, position"),
        ("rm_invoices", "invoice_id"),
        ("rm_invoice_lines", "invoice_id, line_no"),
        ("rm_blocked", "organization_id, period"),
        ("rm_request_stats", "deployment_id"),
        ("rm_request_paths", "deployment_id, path"),
    ];
    let mut rows = Vec::new();
    for (table, key) in tables {
        for row in sqlx::query(&format!("SELECT * FROM {table} ORDER BY {key}")).fetch_all(db).await.unwrap() {
            let cells: Vec<String> = (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| v.map(|n| n.to_string())))
                        .unwrap()
                        .unwrap_or_else(|| "NULL".into())
                })
                .collect();
            rows.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    rows
}

/// Feeds ClickHouse the log after `from`, in small batches.
async fn feed_analytics(analytics: &Analytics, store: Arc<dyn EventStore>, from: i64) {
    let projector = AnalyticsProjector::new(analytics.clone()).with_batch(7);
    let mut feed = StoreFeed::new(store, from);
    while projector.step(&mut feed, Duration::from_millis(10)).await.unwrap() > 0 {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edge_traffic_is_metered_invoiced_and_rebuilt_identically_everywhere() {
    let (clickhouse_url, database) = clouddeck_testkit::clickhouse();
    let mut app = spawn_configured(Backend::Sqlite, |config| {
        config.meter_window_secs = 1;
        config.clickhouse_url = Some(clickhouse_url.clone());
        config.clickhouse_database = database.clone();
    })
    .await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let site = scratch.path().join("shop");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "x".repeat(1_000)).unwrap();
    std::fs::write(site.join("404.html"), "gone").unwrap();
    let deployed = deploy(&app, &token, &site, "shop").await.unwrap();
    assert_eq!(deployed.status, "ready");

    // when the site is asked for 10 times, and once for a page it lacks
    for _ in 0..10 {
        assert_eq!(edge_get(&app, "shop.localhost", "/").await, (200, 1_000));
    }
    let (status, not_found) = edge_get(&app, "shop.localhost", "/missing").await;
    assert_eq!((status, not_found), (404, 4));

    // then, a window later, usage shows them with the deploy's health check (one more GET /)
    let bandwidth = 11 * 1_000 + not_found as i64;
    let usage = eventually("the edge's window in ClickHouse", || async {
        let usage = usage(&app, &token).await;
        (figure(&usage, "requests") == 12).then_some(usage)
    })
    .await;
    assert_eq!(figure(&usage, "bandwidth_bytes"), bandwidth, "{usage}");
    assert_eq!(figure(&usage, "builds"), 1, "{usage}");
    assert_eq!(figure(&usage, "storage_bytes"), 1_004, "{usage}");
    assert_eq!(figure(&usage, "seats"), 1, "{usage}");

    // and the invoice's bandwidth line is made of events that are in the log where it says
    let query = "{ organization(slug: \"acme\") { id invoices { id plan totalCents lines { metric quantity amountCents \
                 sources { eventId position quantity } } } } }";
    let data = app.ok(Some(&token), query, json!({})).await;
    let invoices = data["organization"]["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!((invoices[0]["plan"].as_str(), invoices[0]["totalCents"].as_i64()), (Some("free"), Some(0)));
    let lines = invoices[0]["lines"].as_array().unwrap();
    let line = lines.iter().find(|l| l["metric"] == "bandwidth_bytes").unwrap();
    assert_eq!(line["quantity"].as_i64(), Some(bandwidth));
    let sources = line["sources"].as_array().unwrap();
    assert_eq!(sources.iter().map(|s| s["quantity"].as_i64().unwrap()).sum::<i64>(), bandwidth);
    let store = app.server.as_ref().unwrap().store.clone();
    for source in sources {
        let position = source["position"].as_i64().unwrap();
        let event = &store.read_all(position - 1, 1).await.unwrap()[0];
        assert_eq!(event.meta.event_id.to_string(), source["eventId"].as_str().unwrap());
        assert_eq!(event.meta.event_type, "usage.metered");
    }
    let id = invoices[0]["id"].as_str().unwrap();
    let one = app
        .ok(Some(&token), "query($id: String!) { invoice(id: $id) { lines { metric } } }", json!({ "id": id }))
        .await;
    assert_eq!(one["invoice"]["lines"].as_array().unwrap().len(), lines.len());

    // and ClickHouse has the request analytics
    let analytics = Analytics::connect(&clickhouse_url, &database).await.unwrap();
    let statuses = eventually("request analytics", || async {
        let statuses = analytics.statuses(&deployed.id).await.unwrap();
        (statuses.status_2xx == 11).then_some(statuses)
    })
    .await;
    assert_eq!(statuses.status_4xx, 1);
    let paths = analytics.top_paths(&deployed.id, 5).await.unwrap();
    assert_eq!((paths[0].path.as_str(), paths[0].requests), ("/", 11));
    // and the API shows the same from ClickHouse as the read models hold
    let query =
        "query($id: String!) { deployment(id: $id) { analytics { status2xx status4xx topPaths { path requests } } } }";
    let shown = app.ok(Some(&token), query, json!({ "id": deployed.id })).await;
    let shown = &shown["deployment"]["analytics"];
    assert_eq!((shown["status2xx"].as_i64(), shown["status4xx"].as_i64()), (Some(11), Some(1)), "{shown}");
    assert_eq!(shown["topPaths"][0], json!({ "path": "/", "requests": 11 }));
    let read_db = app.server.as_ref().unwrap().read_db.clone();
    let row = sqlx::query("SELECT status_2xx, status_4xx FROM rm_request_stats WHERE deployment_id = $1")
        .bind(&deployed.id)
        .fetch_one(&read_db)
        .await
        .unwrap();
    assert_eq!((row.get::<i64, _>(0), row.get::<i64, _>(1)), (11, 1));

    // given the log as it stands, everything built from it is compared with a rebuild
    app.halt().await;
    let org = data["organization"]["id"].as_str().unwrap();
    let (start, end) = clouddeck_billing::period_bounds(&clouddeck_billing::period_of(now_ms())).unwrap();
    // (the edge's last window, flushed as it stopped, may have come after the projections)
    let head = store.head().await.unwrap();
    let mut live = ProjectionRunner::new(read_db.clone(), Arc::new(ReadModels)).await.unwrap();
    let mut feed = StoreFeed::new(store.clone(), live.checkpoint());
    while live.checkpoint() < head {
        live.step(&mut feed, Duration::from_millis(10)).await.unwrap();
    }
    feed_analytics(&analytics, store.clone(), analytics.checkpoint(CHECKPOINT).await.unwrap()).await;
    let sqlite = billing_rows(&read_db).await;
    assert!(sqlite.iter().any(|r| r.starts_with("rm_invoice_lines")));

    // PostgreSQL read models fed the same log give the same invoices, row for row
    let postgres = db::open(&clouddeck_testkit::postgres_database().await).await.unwrap();
    let mut runner = ProjectionRunner::new(postgres.clone(), Arc::new(ReadModels)).await.unwrap();
    let mut feed = StoreFeed::new(store.clone(), 0);
    while runner.checkpoint() < head {
        runner.step(&mut feed, Duration::from_millis(10)).await.unwrap();
    }
    assert_eq!(billing_rows(&postgres).await, sqlite);

    // dropping the SQLite read models and replaying gives them back
    rebuild(store.clone(), &read_db, Arc::new(ReadModels)).await.unwrap();
    assert_eq!(billing_rows(&read_db).await, sqlite);

    // dropping ClickHouse's tables and replaying (twice over: a redelivery) gives the same figures
    let figures = analytics.usage(org, start, end).await.unwrap();
    let sql: Vec<(String, String, i64)> = sqlx::query(
        "SELECT metric, project_id, quantity FROM rm_usage WHERE organization_id = $1 AND metric <> 'seats' \
         ORDER BY metric, project_id",
    )
    .bind(org)
    .fetch_all(&read_db)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    let clickhouse: Vec<(String, String, i64)> =
        figures.iter().map(|f| (f.metric.clone(), f.project_id.clone(), f.quantity)).collect();
    assert_eq!(clickhouse, sql, "ClickHouse and the SQL read models agree");
    analytics.reset().await.unwrap();
    assert!(analytics.usage(org, start, end).await.unwrap().is_empty());
    clouddeck_projections::analytics::rebuild(&analytics, store.clone()).await.unwrap();
    feed_analytics(&analytics, store.clone(), 0).await;
    assert_eq!(analytics.usage(org, start, end).await.unwrap(), figures);
    assert_eq!(analytics.statuses(&deployed.id).await.unwrap(), statuses);
    analytics.drop_database().await.unwrap();
    app.stop().await;
}

/// Reports `bytes` of bandwidth for the project, as the edge would.
async fn report_bandwidth(app: &App, org: &str, project: &str, window: &str, bytes: i64) {
    let handler = CommandHandler::new(app.server.as_ref().unwrap().store.clone());
    let now = now_ms();
    let event = UsageMetered {
        window_id: window.into(),
        organization_id: org.into(),
        project_id: Some(project.into()),
        deployment_id: None,
        metric: "bandwidth_bytes".into(),
        quantity: bytes,
        window_start: now,
        window_end: now,
    };
    let edge = Provenance::new(Actor::System("edge".into()));
    let recorded = handler.record_usage(window, vec![event.clone().into()], &edge, now).await.unwrap();
    assert_eq!(recorded.events, 1);
    // the same window again is acknowledged and not counted twice
    let again = handler.record_usage(window, vec![event.into()], &edge, now).await.unwrap();
    assert_eq!(again.events, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plans_limit_builds_and_bandwidth_and_paid_plans_bill_the_overage() {
    let app = spawn_configured(Backend::Sqlite, |_| {}).await;
    let owner = app.owner_of_acme("owner@example.com", Some("shop")).await;
    let (developer, _) = app.register("dev@example.com").await;
    app.join(&owner, "acme", "dev@example.com", &developer, "DEVELOPER").await;
    let change = "mutation($plan: PlanName!, $terms: EnterpriseTerms) { changePlan(organization: \"acme\", plan: $plan, \
                  terms: $terms) { plan buildsPerMonth bandwidthBlocked } }";

    // only the owner changes the plan, and Enterprise takes its terms
    let pro = json!({ "plan": "PRO" });
    assert_eq!(app.code(Some(&developer), change, pro.clone()).await.as_deref(), Some("FORBIDDEN"));
    assert_eq!(
        app.code(Some(&owner), change, json!({ "plan": "ENTERPRISE" })).await.as_deref(),
        Some("BAD_USER_INPUT")
    );
    let terms = json!({ "priceCents": 50_000, "buildsPerMonth": 1, "bandwidthGb": 10, "overageCentsPerGb": 5 });
    let changed = app.ok(Some(&owner), change, json!({ "plan": "ENTERPRISE", "terms": terms })).await;
    assert_eq!(changed["changePlan"]["buildsPerMonth"], 1);

    // invoices are for owners and admins
    let invoices = "{ organization(slug: \"acme\") { invoices { id } } }";
    assert_eq!(app.code(Some(&developer), invoices, json!({})).await.as_deref(), Some("FORBIDDEN"));
    app.ok(Some(&owner), invoices, json!({})).await;

    // a build over the plan's limit is refused with QUOTA_EXCEEDED
    let scratch = clouddeck_testkit::Scratch::new();
    let site = scratch.path().join("shop");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>shop</h1>").unwrap();
    assert_eq!(deploy(&app, &developer, &site, "shop").await.unwrap().status, "ready");
    let refused = deploy(&app, &developer, &site, "shop").await.unwrap_err().to_string();
    assert!(refused.starts_with("QUOTA_EXCEEDED") && refused.contains("1 builds a month"), "{refused}");

    // on Free, bandwidth past 100 GB blocks the organization's sites for the month
    app.ok(Some(&owner), change, json!({ "plan": "FREE" })).await;
    let ids = app
        .ok(
            Some(&owner),
            "{ project(organization: \"acme\", slug: \"shop\") { id } organization(slug: \"acme\") { id } }",
            json!({}),
        )
        .await;
    let (org, project) = (ids["organization"]["id"].as_str().unwrap(), ids["project"]["id"].as_str().unwrap());
    report_bandwidth(&app, org, project, "test-window-1", 100 * GB).await;
    let query = "{ organization(slug: \"acme\") { subscription { plan bandwidthBlocked } } }";
    eventually("the block", || async {
        let data = app.ok(Some(&owner), query, json!({})).await;
        (data["organization"]["subscription"]["bandwidthBlocked"] == true).then_some(())
    })
    .await;
    assert_eq!(edge_get(&app, "shop.localhost", "/").await.0, 402);

    // on Pro the site serves again, and bandwidth past 1 TB is billed per started GB
    app.ok(Some(&owner), change, pro).await;
    assert_eq!(edge_get(&app, "shop.localhost", "/").await.0, 200);
    report_bandwidth(&app, org, project, "test-window-2", 950 * GB + 1).await;
    let query = "{ organization(slug: \"acme\") { invoices { plan totalCents lines { description unit quantity \
                 unitPriceCents amountCents } } } }";
    let invoice = eventually("the overage line", || async {
        let data = app.ok(Some(&owner), query, json!({})).await;
        let invoice = data["organization"]["invoices"][0].clone();
        (invoice["totalCents"] != 2_000).then_some(invoice)
    })
    .await;
    assert_eq!(invoice["plan"], "pro");
    let overage = invoice["lines"].as_array().unwrap().iter().find(|l| l["unit"] == "GB").unwrap().clone();
    assert_eq!((overage["quantity"].as_i64(), overage["amountCents"].as_i64()), (Some(51), Some(765)), "{overage}");
    assert_eq!(invoice["totalCents"], 2_765);

    // usage by day, as the dashboard draws it: both windows on today, the build too; no seats
    let today = clouddeck_billing::day_of(now_ms());
    let daily = app
        .ok(Some(&owner), "{ organization(slug: \"acme\") { dailyUsage { day metric quantity } } }", json!({}))
        .await;
    let on = |metric: &str| {
        daily["organization"]["dailyUsage"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == metric && f["day"] == today)
            .cloned()
    };
    assert_eq!(on("bandwidth_bytes").unwrap()["quantity"].as_i64(), Some(1_050 * GB + 1), "{daily}");
    assert_eq!(on("builds").unwrap()["quantity"].as_i64(), Some(1), "{daily}");
    assert!(on("seats").is_none(), "{daily}");
    let bad = "{ organization(slug: \"acme\") { dailyUsage(period: \"2026-13\") { day } } }";
    assert_eq!(app.code(Some(&owner), bad, json!({})).await.as_deref(), Some("BAD_USER_INPUT"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clean_stop_reports_the_open_window() {
    // given a window far longer than the test
    let mut app = spawn_configured(Backend::Sqlite, |config| config.meter_window_secs = 3_600).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let site = scratch.path().join("blog");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "hello").unwrap();
    deploy(&app, &token, &site, "blog").await.unwrap();
    for _ in 0..3 {
        assert_eq!(edge_get(&app, "blog.localhost", "/").await, (200, 5));
    }
    // when the server stops cleanly
    let store = app.server.as_ref().unwrap().store.clone();
    app.halt().await;
    // then the log holds every request (and the health check's), in one window
    let mut requests = 0;
    let mut windows = std::collections::BTreeSet::new();
    for event in store.read_all(0, 10_000).await.unwrap() {
        if let Ok(clouddeck_events::Event::UsageMetered(e)) = event.decode()
            && e.metric == "requests"
        {
            requests += e.quantity;
            windows.insert(e.window_id);
        }
    }
    assert_eq!((requests, windows.len()), (4, 1));
    app.stop().await;
}

/// A deployment the platform failed (its edge cannot be reached) fails as the platform's,
/// retryable, and its build is given back: the month's usage shows no build (issue 15).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_the_platform_failed_is_not_billed() {
    // given a server whose deployer checks deployments through an edge that is not there
    let scratch = clouddeck_testkit::Scratch::new();
    let url = scratch.sqlite_url("events");
    let roles = clouddeck::server::Roles { edge: false, ..clouddeck::server::Roles::all(false) };
    let app = api::harness::spawn_roles(Some(url.clone()), roles, |config| {
        config.edge_addr = "127.0.0.1:1".into();
        config.deploy_health_timeout_secs = 2;
    })
    .await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let site = scratch.path().join("shop");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "hello").unwrap();
    // when a deployment is made
    let deployed = deploy(&app, &token, &site, "shop").await.unwrap();
    // then it fails, saying the edge could not be reached
    assert_eq!(deployed.status, "failed");
    let error = deployed.error.clone().unwrap_or_default();
    assert!(error.contains("health check through the edge: cannot reach the edge"), "{error}");
    // as the platform's fault, retryable, with its build given back
    let store = clouddeck_eventlog::connect(&url).await.unwrap();
    // (the refund is the deployer's next command after the failure the CLI saw: wait for it)
    let events = eventually("the refund in the log", || async {
        let events: Vec<_> =
            store.read_all(0, 10_000).await.unwrap().into_iter().map(|e| e.decode().unwrap()).collect();
        events
            .iter()
            .any(|e| matches!(e, clouddeck_events::Event::BuildRefunded(r) if r.deployment_id == deployed.id))
            .then_some(events)
    })
    .await;
    let failed = events.iter().find_map(|e| match e {
        clouddeck_events::Event::BuildFailed(f) if f.deployment_id == deployed.id => Some(f.clone()),
        _ => None,
    });
    let failed = failed.expect("a build.failed event");
    assert_eq!((failed.cause.as_str(), failed.retryable), ("platform", true));
    let refunds = events
        .iter()
        .filter(|e| matches!(e, clouddeck_events::Event::BuildRefunded(r) if r.deployment_id == deployed.id))
        .count();
    assert_eq!(refunds, 1);
    let usage = eventually("the refund in the usage", || async {
        let usage = usage(&app, &token).await;
        (figure(&usage, "builds") == 0).then_some(usage)
    })
    .await;
    assert_eq!(figure(&usage, "builds"), 0, "{usage}");
    app.stop().await;
}
