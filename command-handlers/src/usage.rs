//! Metered usage: CloudDeck's own workers (the edge, the deployer) report windows of usage.
//! Pure checks here; the handler appends each window to its own new stream.

use crate::access::Context;
use crate::error::DomainError;
use clouddeck_events::Event;

pub const METRICS: &[&str] = &["requests", "bandwidth_bytes", "build_seconds", "storage_bytes"];

/// A window's events, checked: only usage events of that window, known metrics, nothing
/// negative, and a window that ends after it starts.
pub fn check_window(window_id: &str, events: &[Event], ctx: &Context) -> Result<(), DomainError> {
    ctx.require_system("reporting usage")?;
    if window_id.is_empty() || window_id.len() > 200 || window_id.chars().any(char::is_control) {
        return Err(DomainError::invalid("windowId", "must be 1 to 200 printable characters"));
    }
    if events.is_empty() {
        return Err(DomainError::invalid("usage", "a window reports at least one figure"));
    }
    for event in events {
        let (id, start, end, negative) = match event {
            Event::UsageMetered(e) => {
                if !METRICS.contains(&e.metric.as_str()) {
                    return Err(DomainError::invalid("metric", format!("`{}` is not metered", e.metric)));
                }
                (&e.window_id, e.window_start, e.window_end, e.quantity < 0)
            }
            Event::RequestsAnalyzed(e) => {
                let counts = [e.status_2xx, e.status_3xx, e.status_4xx, e.status_5xx];
                let negative =
                    counts.iter().chain(e.top_paths.iter().flat_map(|p| [&p.requests, &p.bytes])).any(|n| *n < 0);
                (&e.window_id, e.window_start, e.window_end, negative)
            }
            Event::TrafficBlocked(e) => {
                let negative = e.distinct_clients < 0 || e.counts.iter().any(|c| c.count < 0);
                (&e.window_id, e.window_start, e.window_end, negative)
            }
            other => return Err(DomainError::invalid("usage", format!("{} is not a usage event", other.event_type()))),
        };
        if id != window_id {
            return Err(DomainError::invalid("windowId", "every event must carry the window's id"));
        }
        if end < start {
            return Err(DomainError::invalid("window", "ends before it starts"));
        }
        if negative {
            return Err(DomainError::invalid("quantity", "must not be negative"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clouddeck_events::{Actor, UsageMetered};

    fn metered(window: &str, metric: &str, quantity: i64) -> Event {
        UsageMetered {
            window_id: window.into(),
            organization_id: "o-1".into(),
            project_id: Some("p-1".into()),
            deployment_id: None,
            metric: metric.into(),
            quantity,
            window_start: 0,
            window_end: 60_000,
        }
        .into()
    }

    #[test]
    fn only_workers_report_and_only_sane_figures() {
        let edge = Context::system("edge", 0);
        assert!(check_window("w-1", &[metered("w-1", "requests", 5)], &edge).is_ok());
        let user = Context { actor: Actor::User("u".into()), role: None, now_ms: 0 };
        assert!(matches!(check_window("w-1", &[metered("w-1", "requests", 5)], &user), Err(DomainError::Forbidden(_))));
        for bad in [
            vec![metered("w-1", "requests", -1)],
            vec![metered("w-1", "bitcoins", 1)],
            vec![metered("w-2", "requests", 1)],
            vec![],
        ] {
            assert!(matches!(check_window("w-1", &bad, &edge), Err(DomainError::Invalid { .. })), "{bad:?}");
        }
    }
}
