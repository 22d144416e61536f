//! What each event becomes in ClickHouse: pure, so the SQLite read models and ClickHouse
//! can be checked against the same rules.

use clickhouse::Row;
use clouddeck_billing::{period_bounds, period_of};
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Row, Serialize)]
pub struct RawRow {
    pub position: u64,
    pub event_id: String,
    pub event_type: String,
    pub stream_id: String,
    pub stream_version: u64,
    /// DateTime: Unix seconds.
    pub recorded_at: u32,
    pub actor: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Row, Serialize)]
pub struct UsageRow {
    pub organization_id: String,
    pub project_id: String,
    pub metric: String,
    pub hour: u32,
    pub event_id: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Row, Serialize)]
pub struct WindowRow {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    pub window_id: String,
    pub window_start: u32,
    pub status_2xx: i64,
    pub status_3xx: i64,
    pub status_4xx: i64,
    pub status_5xx: i64,
}

#[derive(Debug, Clone, PartialEq, Row, Serialize)]
pub struct PathRow {
    pub deployment_id: String,
    pub window_id: String,
    pub window_start: u32,
    pub path: String,
    pub requests: i64,
    pub bytes: i64,
}

#[derive(Debug, Default)]
pub struct Rows {
    pub raw: Vec<RawRow>,
    pub usage: Vec<UsageRow>,
    pub windows: Vec<WindowRow>,
    pub paths: Vec<PathRow>,
}

fn seconds(ms: i64) -> u32 {
    u32::try_from(ms.max(0) / 1_000).unwrap_or(u32::MAX)
}

fn hour_of(ms: i64) -> u32 {
    seconds(ms) / 3_600 * 3_600
}

impl Rows {
    pub fn add(&mut self, recorded: &RecordedEvent, event: &Event) {
        let meta = &recorded.meta;
        let recorded_ms = meta.recorded_at / 1_000;
        self.raw.push(RawRow {
            position: meta.position.max(0) as u64,
            event_id: meta.event_id.to_string(),
            event_type: meta.event_type.clone(),
            stream_id: meta.stream_id.clone(),
            stream_version: meta.stream_version.max(0) as u64,
            recorded_at: seconds(recorded_ms),
            actor: meta.actor.to_string(),
            payload: event.payload_json_text(),
        });
        let usage = |org: &str, project: &str, metric: &str, at_ms: i64, quantity: i64| UsageRow {
            organization_id: org.into(),
            project_id: project.into(),
            metric: metric.into(),
            hour: hour_of(at_ms),
            event_id: meta.event_id.to_string(),
            quantity,
        };
        match event {
            Event::UsageMetered(e) if clouddeck_command_handlers::usage::METRICS.contains(&e.metric.as_str()) => {
                let project = e.project_id.as_deref().unwrap_or_default();
                self.usage.push(usage(&e.organization_id, project, &e.metric, e.window_start, e.quantity));
            }
            Event::BuildCounted(e) => {
                // Counted in the month the counter says, even a millisecond across midnight.
                let at = match period_bounds(&e.period) {
                    Some((start, _)) if period_of(recorded_ms) != e.period => start,
                    _ => recorded_ms,
                };
                self.usage.push(usage(&e.organization_id, &e.project_id, "builds", at, 1));
            }
            Event::BuildRefunded(e) => {
                // Given back in the month it was counted in.
                let at = match period_bounds(&e.period) {
                    Some((start, _)) if period_of(recorded_ms) != e.period => start,
                    _ => recorded_ms,
                };
                self.usage.push(usage(&e.organization_id, &e.project_id, "builds", at, -1));
            }
            Event::RequestsAnalyzed(e) => {
                self.windows.push(WindowRow {
                    organization_id: e.organization_id.clone(),
                    project_id: e.project_id.clone(),
                    deployment_id: e.deployment_id.clone(),
                    window_id: e.window_id.clone(),
                    window_start: seconds(e.window_start),
                    status_2xx: e.status_2xx,
                    status_3xx: e.status_3xx,
                    status_4xx: e.status_4xx,
                    status_5xx: e.status_5xx,
                });
                for hits in &e.top_paths {
                    self.paths.push(PathRow {
                        deployment_id: e.deployment_id.clone(),
                        window_id: e.window_id.clone(),
                        window_start: seconds(e.window_start),
                        path: hits.path.clone(),
                        requests: hits.requests,
                        bytes: hits.bytes,
                    });
                }
            }
            _ => {}
        }
    }
}
