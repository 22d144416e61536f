//! `clouddeck bench`: the event spine's throughput, each figure beside its baseline measured
//! in the same run on the same database or broker. Figures only; nothing here asserts.

use crate::config::Config;
use anyhow::Context as _;
use clap::Args;
use clouddeck_eventlog::kafka::{Relay, RelayConfig, Topics, ensure_topics, headers_of};
use clouddeck_eventlog::postgres::PgEventStore;
use clouddeck_eventlog::sqlite::SqliteEventStore;
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent, StreamAppend};
use clouddeck_events::*;
use clouddeck_projections::{ReadModels, db, rebuild};
use rdkafka::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::{Postgres, QueryBuilder, Sqlite};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Events per measurement.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Events per batched append.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Appends for the one-event-per-transaction measurement.
    #[arg(long, default_value_t = 2_000)]
    single: usize,
    /// Concurrent clients for the API measurement.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds the API measurement runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// A PostgreSQL server to measure on too (a fresh database is created and dropped),
    /// e.g. postgres://postgres:postgres@127.0.0.1:5432, with or without a database (the one
    /// connected to for creating it; `postgres` when none is named) and parameters
    #[arg(long, env = "CLOUDDECK_BENCH_POSTGRES", hide_env_values = true)]
    postgres: Option<String>,
}

/// A deployment's life: 8 events on one stream.
fn deployment_life(n: usize) -> Vec<Event> {
    let d = format!("d{n}");
    let b = format!("b{n}");
    vec![
        DeploymentRequested {
            deployment_id: d.clone(),
            project_id: format!("p{}", n % 50),
            organization_id: "o1".into(),
            target: "preview".into(),
            source_kind: "upload".into(),
            source_ref: format!("u{n}"),
            commit_sha: None,
            prebuilt: false,
        }
        .into(),
        BuildQueued { deployment_id: d.clone(), build_id: b.clone() }.into(),
        BuildStarted {
            deployment_id: d.clone(),
            build_id: b.clone(),
            runner: "sandbox".into(),
            framework: Some("vite".into()),
        }
        .into(),
        BuildLogChunk {
            deployment_id: d.clone(),
            build_id: b.clone(),
            sequence: 1,
            lines: vec!["vite v5 building for production...".into(), "✓ 42 modules transformed.".into()],
        }
        .into(),
        BuildSucceeded { deployment_id: d.clone(), build_id: b, duration_ms: 4_200 }.into(),
        ArtifactStored {
            deployment_id: d.clone(),
            manifest_sha256: "ab".repeat(32),
            file_count: 12,
            total_bytes: 123_456,
        }
        .into(),
        DeploymentReady { deployment_id: d.clone(), url: format!("http://{d}-site.localhost") }.into(),
        DeploymentPromoted { deployment_id: d, project_id: format!("p{}", n % 50), previous_deployment_id: None }
            .into(),
    ]
}

/// `count` events grouped by stream, encoded once so that both sides insert the same bytes.
fn workload(count: usize, first_deployment: usize) -> anyhow::Result<Vec<StreamAppend>> {
    let provenance = Provenance::new(Actor::System("bench".into()));
    let mut appends = Vec::new();
    let mut made = 0;
    let mut n = first_deployment;
    while made < count {
        let events: Vec<NewEvent> = deployment_life(n)
            .iter()
            .take(count - made)
            .map(|e| NewEvent::new(e, provenance.clone()))
            .collect::<Result<_, _>>()?;
        made += events.len();
        appends.push(StreamAppend {
            stream_id: format!("deployment-d{n}"),
            expected: ExpectedVersion::NoStream,
            events,
        });
        n += 1;
    }
    Ok(appends)
}

/// Splits the workload into appends of about `batch` events each.
fn batches(appends: Vec<StreamAppend>, batch: usize) -> Vec<Vec<StreamAppend>> {
    let mut out: Vec<Vec<StreamAppend>> = vec![Vec::new()];
    let mut size = 0;
    for append in appends {
        if size >= batch {
            out.push(Vec::new());
            size = 0;
        }
        size += append.events.len();
        if let Some(last) = out.last_mut() {
            last.push(append);
        }
    }
    out
}

/// The rows a raw insert writes: exactly what the store would write.
struct Row {
    position: i64,
    event_id: uuid::Uuid,
    stream_id: String,
    version: i64,
    event_type: &'static str,
    payload: Vec<u8>,
}

fn rows_of(batch: &[StreamAppend], first_position: i64) -> Vec<Row> {
    let mut position = first_position;
    let mut rows = Vec::new();
    for append in batch {
        for (i, event) in append.events.iter().enumerate() {
            rows.push(Row {
                position,
                event_id: event.event_id,
                stream_id: append.stream_id.clone(),
                version: i as i64 + 1,
                event_type: event.event_type,
                payload: event.payload.clone(),
            });
            position += 1;
        }
    }
    rows
}

pub(crate) fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

pub(crate) fn report(what: &str, ours: f64, baseline_name: &str, baseline: f64) {
    println!(
        "{what:<44} {ours:>10.0}/s   {baseline_name:<24} {baseline:>10.0}/s   ratio {:.2}",
        ours / baseline.max(1e-9)
    );
}

const RAW_COLUMNS: &str = "INSERT INTO bench_raw_events (position, event_id, stream_id, stream_version, event_type, \
     schema_version, recorded_at, actor, causation_id, correlation_id, payload) ";

async fn raw_sqlite(pool: &sqlx::SqlitePool, rows: &[Row]) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(clouddeck_eventlog::sqlite::ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(RAW_COLUMNS);
        insert.push_values(chunk, |mut b, r| {
            b.push_bind(r.position)
                .push_bind(r.event_id.to_string())
                .push_bind(r.stream_id.as_str())
                .push_bind(r.version)
                .push_bind(r.event_type)
                .push_bind(1)
                .push_bind(0i64)
                .push_bind("system:bench")
                .push_bind(None::<String>)
                .push_bind(r.event_id.to_string())
                .push_bind(r.payload.as_slice());
        });
        insert.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One INSERT statement, which is its own transaction: the fewest round trips a durable
/// write of these rows can take (an explicit BEGIN and COMMIT would add two).
async fn raw_postgres(pool: &sqlx::PgPool, rows: &[Row]) -> anyhow::Result<()> {
    let mut insert = QueryBuilder::<Postgres>::new(RAW_COLUMNS);
    insert.push("SELECT p, e, s, v, t, 1, 0, 'system:bench', NULL, e, pl FROM UNNEST(");
    let mut args = insert.separated(", ");
    args.push_bind(rows.iter().map(|r| r.position).collect::<Vec<_>>()).push_unseparated("::bigint[]");
    args.push_bind(rows.iter().map(|r| r.event_id).collect::<Vec<_>>()).push_unseparated("::uuid[]");
    args.push_bind(rows.iter().map(|r| r.stream_id.clone()).collect::<Vec<_>>()).push_unseparated("::text[]");
    args.push_bind(rows.iter().map(|r| r.version).collect::<Vec<_>>()).push_unseparated("::bigint[]");
    args.push_bind(rows.iter().map(|r| r.event_type.to_string()).collect::<Vec<_>>()).push_unseparated("::text[]");
    args.push_bind(rows.iter().map(|r| r.payload.clone()).collect::<Vec<_>>()).push_unseparated("::bytea[]");
    insert.push(") AS x(p, e, s, v, t, pl)");
    insert.build().execute(pool).await?;
    Ok(())
}

enum Raw<'a> {
    Sqlite(&'a sqlx::SqlitePool),
    Postgres(&'a sqlx::PgPool),
}

impl Raw<'_> {
    async fn insert(&self, rows: &[Row]) -> anyhow::Result<()> {
        match self {
            Raw::Sqlite(pool) => raw_sqlite(pool, rows).await,
            Raw::Postgres(pool) => raw_postgres(pool, rows).await,
        }
    }
}

/// Batched and one-per-transaction appends beside raw inserts of the same rows.
async fn appends(name: &str, store: &dyn EventStore, raw: Raw<'_>, args: &BenchArgs) -> anyhow::Result<()> {
    let work = batches(workload(args.events, 0)?, args.batch);
    let started = Instant::now();
    for batch in &work {
        store.append_streams(batch.clone()).await?;
    }
    let ours = rate(args.events, started.elapsed());
    let mut position = 1;
    let started = Instant::now();
    for batch in &work {
        let rows = rows_of(batch, position);
        position += rows.len() as i64;
        raw.insert(&rows).await?;
    }
    let baseline = rate(args.events, started.elapsed());
    report(&format!("append, {name}, batches of {}", args.batch), ours, "raw INSERT, same rows", baseline);

    let singles = workload(args.single, args.events)?;
    let single_events: Vec<(String, NewEvent)> =
        singles.into_iter().flat_map(|a| a.events.into_iter().map(move |e| (a.stream_id.clone(), e))).collect();
    let started = Instant::now();
    for (stream, event) in &single_events {
        store.append(stream, ExpectedVersion::Any, vec![event.clone()]).await?;
    }
    let ours = rate(single_events.len(), started.elapsed());
    let started = Instant::now();
    for (i, (stream, event)) in single_events.iter().enumerate() {
        let row = Row {
            position,
            event_id: event.event_id,
            stream_id: stream.clone(),
            version: i as i64 + 1_000_000,
            event_type: event.event_type,
            payload: event.payload.clone(),
        };
        position += 1;
        raw.insert(std::slice::from_ref(&row)).await?;
    }
    let baseline = rate(single_events.len(), started.elapsed());
    report(&format!("append, {name}, one event per transaction"), ours, "raw INSERT, one per tx", baseline);
    Ok(())
}

async fn rebuild_rate(name: &str, store: Arc<dyn EventStore>, url: &str) -> anyhow::Result<()> {
    let read_db = db::open(url).await?;
    let rebuilt = rebuild(store, &read_db, Arc::new(ReadModels)).await?;
    println!(
        "{:<44} {:>10.0}/s   ({} events in {:.2?})",
        format!("projection rebuild, {name}"),
        rate(rebuilt.events as usize, rebuilt.elapsed),
        rebuilt.events,
        rebuilt.elapsed
    );
    Ok(())
}

/// The relay publishing `n` stored events, beside a raw producer sending the same records.
async fn relay(brokers: &str, store: Arc<dyn EventStore>, n: usize) -> anyhow::Result<()> {
    // (one set of topics for every bench run, apart from any installation's)
    let topics = Topics::new("clouddeck-bench").map_err(anyhow::Error::msg)?;
    ensure_topics(brokers, &topics, 3).await.map_err(anyhow::Error::msg)?;
    let events = store.read_all(0, n).await?;
    let checkpoint = format!("bench-relay-{}", uuid::Uuid::now_v7());
    let mut config = RelayConfig::new(brokers, topics.clone());
    config.checkpoint = checkpoint.clone();
    let (stop, stopped) = watch::channel(false);
    let head = events.last().map_or(0, |e| e.meta.position);
    let started = Instant::now();
    let relay = Relay::new(store.clone(), config);
    let task = tokio::spawn(async move { relay.run(stopped).await });
    while store.load_checkpoint(&checkpoint).await? < head {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("relay did not finish in 10 minutes");
        }
    }
    let ours = rate(events.len(), started.elapsed());
    stop.send(true).ok();
    task.await??;

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .create()?;
    let started = Instant::now();
    let mut deliveries = Vec::with_capacity(events.len());
    for event in &events {
        let topic = topics.topic_for(&event.meta.event_type);
        let record = FutureRecord::to(&topic)
            .key(&event.meta.stream_id)
            .payload(&event.payload)
            .headers(headers_of(&event.meta));
        deliveries.push(producer.send_result(record).map_err(|(e, _)| e)?);
    }
    for delivery in deliveries {
        delivery.await?.map_err(|(e, _)| e)?;
    }
    let baseline = rate(events.len(), started.elapsed());
    report(&format!("relay to Kafka, {} events", events.len()), ours, "raw rdkafka producer", baseline);
    Ok(())
}

pub async fn run(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let dir = config.data_dir.join(format!("bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    println!("clouddeck bench: {} events, batches of {}, {} single appends", args.events, args.batch, args.single);
    let url = format!("sqlite:{}", dir.join("bench.db").display());
    let sqlite = Arc::new(SqliteEventStore::connect(&url).await?);
    // The baseline table is the events table's twin: same columns, keys and constraints.
    let ddl: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        .fetch_one(sqlite.pool())
        .await?;
    let twin = ddl.replacen("events", "bench_raw_events", 1);
    anyhow::ensure!(twin != ddl, "unexpected events DDL: {ddl}");
    sqlx::query(&twin).execute(sqlite.pool()).await?;
    appends("SQLite", &*sqlite, Raw::Sqlite(sqlite.pool()), &args).await?;
    rebuild_rate("SQLite", sqlite.clone(), &url).await?;

    if let Some(server) = &args.postgres {
        let name = format!("clouddeck_bench_{}", uuid::Uuid::now_v7().simple());
        let admin = postgres_url(server, None)?;
        let mut conn =
            <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.context("connecting to PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
        let pg_url = postgres_url(server, Some(&name))?;
        let pg = Arc::new(PgEventStore::connect(&pg_url).await?);
        sqlx::query("CREATE TABLE bench_raw_events (LIKE events INCLUDING ALL)").execute(pg.pool()).await?;
        appends("PostgreSQL", &*pg, Raw::Postgres(pg.pool()), &args).await?;
        rebuild_rate("PostgreSQL", pg.clone(), &pg_url).await?;
        pg.pool().close().await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).await?;
    } else {
        println!("(PostgreSQL skipped: pass --postgres URL)");
    }

    match &config.kafka_brokers {
        Some(brokers) => relay(brokers, sqlite.clone(), args.events).await?,
        None => println!("(relay skipped: set CLOUDDECK_KAFKA_BROKERS)"),
    }
    sqlite.pool().close().await;
    match &config.clickhouse_url {
        Some(url) => crate::bench_analytics::run(url, &dir, args.events, 5_000).await?,
        None => println!("(ClickHouse skipped: set CLOUDDECK_CLICKHOUSE_URL)"),
    }
    std::fs::remove_dir_all(&dir)?;
    crate::bench_api::run(config, args.concurrency, args.seconds).await
}

/// `server` (a PostgreSQL URL, with or without a database and query parameters) naming
/// `database`; with none, the database it names, or `postgres`. Errors: not a URL.
fn postgres_url(server: &str, database: Option<&str>) -> anyhow::Result<String> {
    let mut url = reqwest::Url::parse(server).context("--postgres is not a URL")?;
    match database {
        Some(database) => url.set_path(&format!("/{database}")),
        None if url.path().trim_matches('/').is_empty() => url.set_path("/postgres"),
        None => {}
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::postgres_url;

    #[test]
    fn a_postgres_url_may_name_a_database_or_not() {
        let bare = "postgres://u:p@127.0.0.1:5432";
        assert_eq!(postgres_url(bare, None).unwrap(), "postgres://u:p@127.0.0.1:5432/postgres");
        assert_eq!(postgres_url(&format!("{bare}/"), Some("b1")).unwrap(), "postgres://u:p@127.0.0.1:5432/b1");
        let named = "postgres://u:p@127.0.0.1:5432/app?sslmode=disable";
        assert_eq!(postgres_url(named, None).unwrap(), named);
        assert_eq!(postgres_url(named, Some("b1")).unwrap(), "postgres://u:p@127.0.0.1:5432/b1?sslmode=disable");
        assert!(postgres_url("not a url", None).is_err());
    }
}
