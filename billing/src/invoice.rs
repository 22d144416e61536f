//! A month's invoice lines from its plan and usage. Each line names the metric whose usage
//! events made it, so the projection can list them beside it.

use crate::plan::{GB, Overage, Plan};
use serde::{Deserialize, Serialize};

/// An organization's usage in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub requests: i64,
    pub bandwidth_bytes: i64,
    pub builds: i64,
    pub build_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    /// `plan`, or the usage metric the line is made of.
    pub metric: String,
    pub quantity: i64,
    pub unit: String,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
}

fn line(description: String, metric: &str, quantity: i64, unit: &str, unit_price_cents: i64) -> Line {
    Line {
        description,
        metric: metric.into(),
        quantity,
        unit: unit.into(),
        unit_price_cents,
        amount_cents: quantity.saturating_mul(unit_price_cents),
    }
}

fn gb(bytes: i64) -> String {
    format!("{:.2} GB", bytes as f64 / GB as f64)
}

/// Whole units, rounding up: a started GB or minute counts.
fn started(amount: i64, unit: i64) -> i64 {
    if amount <= 0 { 0 } else { (amount - 1) / unit + 1 }
}

pub fn lines(plan: &Plan, period: &str, usage: &Usage) -> Vec<Line> {
    let mut lines = vec![line(format!("{} plan, {period}", title(&plan.name)), "plan", 1, "month", plan.price_cents)];
    let included = usage.bandwidth_bytes.min(plan.bandwidth_bytes);
    lines.push(line(
        format!("Bandwidth: {} used, {} included", gb(usage.bandwidth_bytes), gb(plan.bandwidth_bytes)),
        "bandwidth_bytes",
        included,
        "bytes",
        0,
    ));
    let over = usage.bandwidth_bytes - plan.bandwidth_bytes;
    if over > 0
        && let Overage::Billed { cents_per_gb } = plan.overage
    {
        lines.push(line(
            format!("Bandwidth over the plan: {}", gb(over)),
            "bandwidth_bytes",
            started(over, GB),
            "GB",
            cents_per_gb,
        ));
    }
    let limit = plan.builds_per_month.map_or("unlimited".to_string(), |n| format!("{n} included"));
    lines.push(line(format!("Builds ({limit})"), "builds", usage.builds, "builds", 0));
    lines.push(line(
        "Build minutes (included)".into(),
        "build_seconds",
        started(usage.build_seconds, 60),
        "minutes",
        0,
    ));
    lines.push(line("Requests (included)".into(), "requests", usage.requests, "requests", 0));
    lines
}

fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(lines: &[Line]) -> i64 {
        lines.iter().map(|l| l.amount_cents).sum()
    }

    #[test]
    fn pro_bills_its_fee_and_each_started_gb_over() {
        let pro = Plan::new("pro", None).unwrap();
        let usage = Usage { requests: 10, bandwidth_bytes: 1_000 * GB + 1, builds: 3, build_seconds: 61 };
        let lines = lines(&pro, "2026-11", &usage);
        assert_eq!(lines[0].description, "Pro plan, 2026-11");
        let over = lines.iter().find(|l| l.unit == "GB").unwrap();
        assert_eq!((over.quantity, over.amount_cents), (1, 15), "one byte over starts a GB");
        assert_eq!(total(&lines), 2_015);
        let minutes = lines.iter().find(|l| l.metric == "build_seconds").unwrap();
        assert_eq!(minutes.quantity, 2, "61 s is two started minutes");
    }

    #[test]
    fn free_never_bills_overage() {
        let free = Plan::free();
        let usage = Usage { bandwidth_bytes: 500 * GB, ..Usage::default() };
        let lines = lines(&free, "2026-11", &usage);
        assert_eq!(total(&lines), 0);
        assert!(lines.iter().all(|l| l.unit != "GB"));
        assert_eq!(lines.iter().find(|l| l.metric == "bandwidth_bytes").unwrap().quantity, 100 * GB);
    }
}
