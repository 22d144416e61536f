//! Billing's read models, written in the read models' transaction: plans over time, usage
//! by period, project and metric with the events behind each figure, and per organization
//! and month an invoice whose lines the billing crate computes. An invoice is recomputed
//! whenever an event touches its month, so it is always the function of its log.

use clouddeck_billing::{Plan, Usage, lines, period_bounds, period_of};
use clouddeck_command_handlers::billing::plan_of;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::{Event, PlanChanged};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// Months whose invoices a batch changed, with the time of the last change to each.
pub type Touched = BTreeMap<(String, String), i64>;

/// One event's effect on plans and usage, applied right after the read models took it (so
/// `rm_members` is as of this event, wherever batches begin and end).
pub async fn apply(
    db: &mut AnyConnection,
    recorded: &RecordedEvent,
    event: &Event,
    touched: &mut Touched,
) -> Result<(), sqlx::Error> {
    let at = recorded.meta.recorded_at;
    let at_ms = at / 1_000;
    let figure = |org: &str, period: String, project: &str, metric: &'static str, quantity: i64, day: i64| Figure {
        organization_id: org.to_string(),
        period,
        project_id: project.to_string(),
        metric,
        quantity,
        day: clouddeck_billing::day_of(day),
    };
    let (organization_id, period) = match event {
        Event::PlanChanged(e) => {
            plan_changed(db, recorded, e).await?;
            (e.organization_id.clone(), period_of(at_ms))
        }
        Event::BuildCounted(e) => {
            add(db, recorded, &figure(&e.organization_id, e.period.clone(), &e.project_id, "builds", 1, at_ms)).await?;
            (e.organization_id.clone(), e.period.clone())
        }
        Event::BuildRefunded(e) => {
            add(db, recorded, &figure(&e.organization_id, e.period.clone(), &e.project_id, "builds", -1, at_ms))
                .await?;
            (e.organization_id.clone(), e.period.clone())
        }
        Event::UsageMetered(e) => {
            let Some(metric) = clouddeck_command_handlers::usage::METRICS.iter().find(|m| **m == e.metric) else {
                return Ok(());
            };
            let project = e.project_id.as_deref().unwrap_or_default();
            let period = period_of(e.window_start);
            add(db, recorded, &figure(&e.organization_id, period.clone(), project, metric, e.quantity, e.window_start))
                .await?;
            (e.organization_id.clone(), period)
        }
        Event::OrganizationCreated(e) => (e.organization_id.clone(), period_of(at_ms)),
        Event::MemberJoined(e) => (e.organization_id.clone(), period_of(at_ms)),
        Event::MemberRemoved(e) => (e.organization_id.clone(), period_of(at_ms)),
        _ => return Ok(()),
    };
    // Only a membership change, or a month's first event, can raise its seats; any other
    // event of a month this batch already touched would find nothing to add.
    let membership = matches!(event, Event::OrganizationCreated(_) | Event::MemberJoined(_) | Event::MemberRemoved(_));
    let key = (organization_id, period);
    if membership || !touched.contains_key(&key) {
        seats(db, recorded, &key.0, &key.1).await?;
    }
    touched.insert(key, at);
    Ok(())
}

/// Writes the invoices of the months a batch touched.
pub async fn invoices(db: &mut AnyConnection, touched: Touched) -> Result<(), sqlx::Error> {
    for ((organization_id, period), at) in touched {
        invoice(db, &organization_id, &period, at).await?;
    }
    Ok(())
}

struct Figure {
    organization_id: String,
    period: String,
    project_id: String,
    metric: &'static str,
    quantity: i64,
    /// The UTC day (`YYYY-MM-DD`) the figure counts on: a window's start, else the event's time.
    day: String,
}

/// Seats are the most members the organization had at once in the month, as seen by each
/// event that touches the month (a month with no activity has no figure).
async fn seats(
    db: &mut AnyConnection,
    recorded: &RecordedEvent,
    organization_id: &str,
    period: &str,
) -> Result<(), sqlx::Error> {
    let members: i64 = sqlx::query("SELECT COUNT(*) FROM rm_members WHERE organization_id = $1")
        .bind(organization_id)
        .fetch_one(&mut *db)
        .await?
        .try_get(0)?;
    let before: Option<i64> = sqlx::query(
        "SELECT quantity FROM rm_usage WHERE organization_id = $1 AND period = $2 AND project_id = '' AND metric = 'seats'",
    )
    .bind(organization_id)
    .bind(period)
    .fetch_optional(&mut *db)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?;
    let more = members - before.unwrap_or(0);
    if more <= 0 {
        return Ok(());
    }
    let figure = Figure {
        organization_id: organization_id.into(),
        period: period.into(),
        project_id: String::new(),
        metric: "seats",
        quantity: more,
        day: clouddeck_billing::day_of(recorded.meta.recorded_at / 1_000),
    };
    add(db, recorded, &figure).await
}

async fn add(db: &mut AnyConnection, recorded: &RecordedEvent, figure: &Figure) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_usage (organization_id, period, project_id, metric, quantity) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (organization_id, period, project_id, metric) DO UPDATE SET quantity = rm_usage.quantity + excluded.quantity",
    )
    .bind(&figure.organization_id)
    .bind(&figure.period)
    .bind(&figure.project_id)
    .bind(figure.metric)
    .bind(figure.quantity)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "INSERT INTO rm_usage_events (organization_id, period, metric, position, event_id, project_id, quantity, day) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&figure.organization_id)
    .bind(&figure.period)
    .bind(figure.metric)
    .bind(recorded.meta.position)
    .bind(recorded.meta.event_id.to_string())
    .bind(&figure.project_id)
    .bind(figure.quantity)
    .bind(&figure.day)
    .execute(db)
    .await
    .map(drop)
}

async fn plan_changed(db: &mut AnyConnection, recorded: &RecordedEvent, e: &PlanChanged) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_plan_changes (organization_id, position, event_id, changed_at, plan, price_cents, \
         builds_per_month, bandwidth_gb, overage_cents_per_gb) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.organization_id)
    .bind(recorded.meta.position)
    .bind(recorded.meta.event_id.to_string())
    .bind(recorded.meta.recorded_at)
    .bind(&e.to_plan)
    .bind(e.price_cents)
    .bind(e.builds_per_month)
    .bind(e.bandwidth_gb)
    .bind(e.overage_cents_per_gb)
    .execute(db)
    .await
    .map(drop)
}

/// The plan in effect at the end of `period`: the last change recorded before it ended.
pub async fn plan_for(db: &mut AnyConnection, organization_id: &str, period: &str) -> Result<Plan, sqlx::Error> {
    // changed_at is in microseconds, like every recorded time.
    let end = period_bounds(period).map_or(i64::MAX, |(_, end)| end.saturating_mul(1_000));
    let row = sqlx::query(
        "SELECT plan, price_cents, builds_per_month, bandwidth_gb, overage_cents_per_gb FROM rm_plan_changes \
         WHERE organization_id = $1 AND changed_at < $2 ORDER BY position DESC LIMIT 1",
    )
    .bind(organization_id)
    .bind(end)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(Plan::free()) };
    Ok(plan_of(&PlanChanged {
        organization_id: organization_id.into(),
        from_plan: String::new(),
        to_plan: row.try_get(0)?,
        price_cents: row.try_get(1)?,
        builds_per_month: row.try_get(2)?,
        bandwidth_gb: row.try_get(3)?,
        overage_cents_per_gb: row.try_get(4)?,
    }))
}

/// The invoice's id: one per organization and month.
pub fn invoice_id(organization_id: &str, period: &str) -> String {
    format!("{organization_id}:{period}")
}

async fn invoice(db: &mut AnyConnection, organization_id: &str, period: &str, at: i64) -> Result<(), sqlx::Error> {
    let plan = plan_for(db, organization_id, period).await?;
    let mut usage = Usage::default();
    let totals = sqlx::query(
        "SELECT metric, CAST(SUM(quantity) AS BIGINT) FROM rm_usage WHERE organization_id = $1 AND period = $2 GROUP BY metric",
    )
    .bind(organization_id)
    .bind(period)
    .fetch_all(&mut *db)
    .await?;
    for row in totals {
        let (metric, total): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
        match metric.as_str() {
            "requests" => usage.requests = total,
            "bandwidth_bytes" => usage.bandwidth_bytes = total,
            "builds" => usage.builds = total,
            "build_seconds" => usage.build_seconds = total,
            _ => {}
        }
    }
    let id = invoice_id(organization_id, period);
    let lines = lines(&plan, period, &usage);
    let total: i64 = lines.iter().map(|l| l.amount_cents).sum();
    sqlx::query("DELETE FROM rm_invoice_lines WHERE invoice_id = $1").bind(&id).execute(&mut *db).await?;
    for (n, line) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO rm_invoice_lines (invoice_id, line_no, description, metric, quantity, unit, unit_price_cents, \
             amount_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(n as i64 + 1)
        .bind(&line.description)
        .bind(&line.metric)
        .bind(line.quantity)
        .bind(&line.unit)
        .bind(line.unit_price_cents)
        .bind(line.amount_cents)
        .execute(&mut *db)
        .await?;
    }
    sqlx::query(
        "INSERT INTO rm_invoices (invoice_id, organization_id, period, plan, total_cents, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (invoice_id) DO UPDATE SET plan = excluded.plan, \
         total_cents = excluded.total_cents, updated_at = excluded.updated_at",
    )
    .bind(&id)
    .bind(organization_id)
    .bind(period)
    .bind(&plan.name)
    .bind(total)
    .bind(at)
    .execute(&mut *db)
    .await?;
    let blocked = if plan.blocks_at(usage.bandwidth_bytes) {
        "INSERT INTO rm_blocked (organization_id, period) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM rm_blocked WHERE organization_id = $1 AND period = $2"
    };
    sqlx::query(blocked).bind(organization_id).bind(period).execute(db).await.map(drop)
}
