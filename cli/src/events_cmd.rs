//! `clouddeck events tail` and `clouddeck events verify`: reading the log as it is.

use clouddeck_eventlog::{EventStore, LogTail, RecordedEvent, StoreError};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const PAGE: usize = 1_000;

pub fn rfc3339(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| micros.to_string())
}

fn json_line(event: &RecordedEvent) -> serde_json::Value {
    let payload = match event.decode() {
        Ok(payload) => clouddeck_events::masked(&event.meta.event_type, payload.payload_json()),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    };
    serde_json::json!({
        "position": event.meta.position,
        "stream": event.meta.stream_id,
        "version": event.meta.stream_version,
        "type": event.meta.event_type,
        "schema_version": event.meta.schema_version,
        "event_id": event.meta.event_id,
        "recorded_at": rfc3339(event.meta.recorded_at),
        "actor": event.meta.actor.to_string(),
        "causation_id": event.meta.causation_id,
        "correlation_id": event.meta.correlation_id,
        "payload": payload,
    })
}

fn text_line(event: &RecordedEvent) -> String {
    format!(
        "{:>8}  {}  {}@{}  {}  {}",
        event.meta.position,
        rfc3339(event.meta.recorded_at),
        event.meta.stream_id,
        event.meta.stream_version,
        event.meta.event_type,
        event.meta.actor
    )
}

/// Prints events after `from`; with `follow`, keeps printing as they are appended.
pub async fn tail(store: Arc<dyn EventStore>, from: i64, follow: bool, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut subscription = LogTail::new(store.clone(), from);
    loop {
        let batch = subscription.next_ready(PAGE).await?;
        if batch.is_empty() {
            if !follow {
                return Ok(());
            }
            out.flush()?;
            subscription.wait(std::time::Duration::from_secs(1)).await;
            continue;
        }
        for event in &batch {
            let line = if json { json_line(event).to_string() } else { text_line(event) };
            if writeln!(out, "{line}").is_err() {
                return Ok(()); // the reader went away (e.g. `| head`)
            }
        }
    }
}

/// One thing wrong with the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub position: i64,
    pub problem: String,
}

#[derive(Debug, Default)]
pub struct Verified {
    pub events: i64,
    pub streams: usize,
    pub faults: Vec<Fault>,
}

/// Reads the whole log: positions gap-free, versions contiguous per stream, every row
/// well-formed and every payload decodable. Reports every fault, not just the first.
pub async fn verify(store: &dyn EventStore) -> anyhow::Result<Verified> {
    let mut report = Verified::default();
    let mut versions: HashMap<String, i64> = HashMap::new();
    let mut after = 0;
    loop {
        let page = match store.read_all(after, PAGE).await {
            Ok(page) => page,
            Err(StoreError::CorruptRow { position, reason }) => {
                // Take the good rows before it, then step over it.
                let before = store.read_all(after, (position - after - 1).max(0) as usize).await?;
                check(&before, &mut after, &mut versions, &mut report);
                report.faults.push(Fault { position, problem: format!("corrupt row: {reason}") });
                report.events += 1;
                after = position;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if page.is_empty() {
            break;
        }
        check(&page, &mut after, &mut versions, &mut report);
    }
    report.streams = versions.len();
    Ok(report)
}

fn check(page: &[RecordedEvent], after: &mut i64, versions: &mut HashMap<String, i64>, report: &mut Verified) {
    for event in page {
        let meta = &event.meta;
        if meta.position != *after + 1 {
            report.faults.push(Fault {
                position: meta.position,
                problem: format!("gap: positions {}..{} are missing", *after + 1, meta.position - 1),
            });
        }
        let last = versions.entry(meta.stream_id.clone()).or_insert(0);
        if meta.stream_version != *last + 1 {
            report.faults.push(Fault {
                position: meta.position,
                problem: format!("{} jumps from version {} to {}", meta.stream_id, last, meta.stream_version),
            });
        }
        *last = meta.stream_version;
        if let Err(e) = event.decode() {
            report.faults.push(Fault { position: meta.position, problem: e.to_string() });
        }
        *after = meta.position;
        report.events += 1;
    }
}
