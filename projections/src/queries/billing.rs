//! Invoices, usage and plan changes as the billing projection keeps them.

use super::Row;
use sqlx::AnyPool;

/// An invoice's columns: `invoice_id, organization_id, period, plan, total_cents,
/// updated_at` (unix ms).
pub const INVOICE_COLUMNS: &str = "invoice_id, organization_id, period, plan, total_cents, updated_at";

/// An invoice by id ([`INVOICE_COLUMNS`]).
pub async fn invoice<T: Row>(db: &AnyPool, invoice_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {INVOICE_COLUMNS} FROM rm_invoices WHERE invoice_id = $1"))
        .bind(invoice_id)
        .fetch_optional(db)
        .await
}

/// An organization's invoices, newest month first ([`INVOICE_COLUMNS`]).
pub async fn invoices<T: Row>(db: &AnyPool, organization_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVOICE_COLUMNS} FROM rm_invoices WHERE organization_id = $1 ORDER BY period DESC"
    ))
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// An invoice's lines in order: `line_no, description, metric, quantity, unit,
/// unit_price_cents, amount_cents, organization_id, period`.
pub async fn invoice_lines<T: Row>(db: &AnyPool, invoice_id: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.line_no, l.description, l.metric, l.quantity, l.unit, l.unit_price_cents, l.amount_cents, \
         i.organization_id, i.period FROM rm_invoice_lines l JOIN rm_invoices i ON i.invoice_id = l.invoice_id \
         WHERE l.invoice_id = $1 ORDER BY l.line_no",
    )
    .bind(invoice_id)
    .fetch_all(db)
    .await
}

/// The plan change in effect before `before_ms` (unix ms), as a source event: `event_id,
/// position, project_id` (null), `quantity` (1).
pub async fn plan_change_in_effect<T: Row>(
    db: &AnyPool,
    organization_id: &str,
    before_ms: i64,
) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT event_id, position, NULL AS project_id, 1 AS quantity FROM rm_plan_changes \
         WHERE organization_id = $1 AND changed_at < $2 ORDER BY position DESC LIMIT 1",
    )
    .bind(organization_id)
    .bind(before_ms)
    .fetch_all(db)
    .await
}

/// The usage events of one metric in a period (`YYYY-MM`), in log order: `event_id,
/// position, project_id` (null for the organization's own), `quantity`.
pub async fn usage_events<T: Row>(
    db: &AnyPool,
    organization_id: &str,
    period: &str,
    metric: &str,
) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT event_id, position, NULLIF(project_id, '') AS project_id, quantity FROM rm_usage_events \
         WHERE organization_id = $1 AND period = $2 AND metric = $3 ORDER BY position",
    )
    .bind(organization_id)
    .bind(period)
    .bind(metric)
    .fetch_all(db)
    .await
}

/// Usage of a period by UTC day and metric: `day` (`YYYY-MM-DD`), `metric`, `quantity`,
/// oldest day first. Seats are left out (a count of members, not a meter).
pub async fn daily_usage<T: Row>(db: &AnyPool, organization_id: &str, period: &str) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day, metric, CAST(SUM(quantity) AS BIGINT) AS quantity FROM rm_usage_events \
         WHERE organization_id = $1 AND period = $2 AND metric <> 'seats' AND day <> '' \
         GROUP BY day, metric ORDER BY day, metric",
    )
    .bind(organization_id)
    .bind(period)
    .fetch_all(db)
    .await
}

/// Usage totals of a period by metric and project: `metric, project_id` (null for the
/// organization's own), `quantity`; with `seats_only`, only the seat count.
pub async fn usage<T: Row>(
    db: &AnyPool,
    organization_id: &str,
    period: &str,
    seats_only: bool,
) -> Result<Vec<T>, sqlx::Error> {
    let only = if seats_only { "AND metric = 'seats'" } else { "" };
    sqlx::query_as(&format!(
        "SELECT metric, NULLIF(project_id, '') AS project_id, quantity FROM rm_usage \
         WHERE organization_id = $1 AND period = $2 {only}"
    ))
    .bind(organization_id)
    .bind(period)
    .fetch_all(db)
    .await
}

/// Whether the organization's sites are blocked in `period` (`YYYY-MM`): past its plan's
/// bandwidth with no overage allowed.
pub async fn blocked(db: &AnyPool, organization_id: &str, period: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT organization_id FROM rm_blocked WHERE organization_id = $1 AND period = $2")
            .bind(organization_id)
            .bind(period)
            .fetch_optional(db)
            .await?;
    Ok(row.is_some())
}
