//! `clouddeck bench` with ClickHouse: usage events per second into ClickHouse through the
//! analytics projector, beside a raw batched insert of the same usage rows with the
//! clickhouse crate into the same tables, each in a fresh database. Twice: from the log (the
//! projector reads and decodes the events too), and the insert stage alone (rows built).

use crate::bench::{rate, report};
use clouddeck_eventlog::sqlite::SqliteEventStore;
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent, StoreFeed, StreamAppend};
use clouddeck_events::{Actor, Provenance, UsageMetered};
use clouddeck_projections::analytics::rows::Rows;
use clouddeck_projections::analytics::{Analytics, AnalyticsProjector, write};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn window(n: usize) -> UsageMetered {
    UsageMetered {
        window_id: format!("bench-{n}"),
        organization_id: format!("o{}", n % 10),
        project_id: Some(format!("p{}", n % 100)),
        deployment_id: Some(format!("d{}", n % 1_000)),
        metric: if n.is_multiple_of(2) { "requests" } else { "bandwidth_bytes" }.into(),
        quantity: (n % 1_000) as i64,
        window_start: 1_800_000_000_000 + (n as i64) * 1_000,
        window_end: 1_800_000_000_000 + (n as i64) * 1_000 + 60_000,
    }
}

async fn usage_log(dir: &std::path::Path, events: usize) -> anyhow::Result<Arc<SqliteEventStore>> {
    let store = Arc::new(SqliteEventStore::connect(&format!("sqlite:{}", dir.join("usage.db").display())).await?);
    let provenance = Provenance::new(Actor::System("bench".into()));
    for chunk in (0..events).collect::<Vec<_>>().chunks(500) {
        let appends = chunk
            .iter()
            .map(|n| {
                Ok(StreamAppend {
                    stream_id: format!("usage-bench-{n}"),
                    expected: ExpectedVersion::NoStream,
                    events: vec![NewEvent::new(&window(*n).into(), provenance.clone())?],
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        store.append_streams(appends).await?;
    }
    Ok(store)
}

pub async fn run(clickhouse: &str, dir: &std::path::Path, events: usize, batch: usize) -> anyhow::Result<()> {
    let store = usage_log(dir, events).await?;
    let fresh = |name: &str| {
        let database = format!("clouddeck_bench_{name}_{}", uuid::Uuid::now_v7().simple());
        async move { Analytics::connect(clickhouse, &database).await }
    };

    // the raw baseline: the usage rows, already built, inserted batch by batch
    let mut batches = Vec::new();
    for recorded in store.read_all(0, events).await?.chunks(batch.max(1)) {
        let mut rows = Rows::default();
        for event in recorded {
            rows.add(event, &event.decode()?);
        }
        batches.push((rows, recorded.last().map_or(0, |e| e.meta.position)));
    }
    let raw = fresh("raw").await?;
    let started = Instant::now();
    for (rows, _) in &batches {
        write(&raw, "usage_events", &rows.usage).await?;
    }
    let baseline = rate(events, started.elapsed());

    // ours, from the log: read, decode, build every table's rows, insert, checkpoint
    let from_log = fresh("log").await?;
    let projector = AnalyticsProjector::new(from_log.clone()).with_batch(batch);
    let mut feed = StoreFeed::new(store.clone(), 0);
    let started = Instant::now();
    let mut done = 0;
    while done < events {
        done += projector.step(&mut feed, Duration::from_millis(10)).await?;
    }
    let label = format!("usage events into ClickHouse, batches of {batch}");
    report(&format!("{label}, from the log"), rate(events, started.elapsed()), "raw clickhouse insert", baseline);

    // ours, the insert stage alone: every table's rows and the checkpoint
    let stage = fresh("stage").await?;
    let inserter = AnalyticsProjector::new(stage.clone());
    let started = Instant::now();
    for (rows, last) in &batches {
        inserter.insert(rows, *last).await?;
    }
    report(&format!("{label}, insert stage"), rate(events, started.elapsed()), "raw clickhouse insert", baseline);

    for analytics in [raw, from_log, stage] {
        analytics.drop_database().await?;
    }
    store.pool().close().await;
    Ok(())
}
