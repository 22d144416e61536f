//! Plans, usage and invoices as the API shows them. Usage comes from ClickHouse when the
//! server has it (distributed mode), else from the read models; invoices always come from
//! the read models, where each line's source events are one query away.

use crate::access;
use crate::error::{db, internal, not_found};
use crate::state::{iso, state};
use async_graphql::{ComplexObject, Context, Enum, InputObject, Result, SimpleObject};
use clouddeck_billing::{Overage, Plan};
use clouddeck_command_handlers::Role;
use clouddeck_projections::queries;
use sqlx::FromRow;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PlanName {
    Free,
    Pro,
    Business,
    Enterprise,
}

impl PlanName {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanName::Free => "free",
            PlanName::Pro => "pro",
            PlanName::Business => "business",
            PlanName::Enterprise => "enterprise",
        }
    }
}

/// Enterprise's negotiated terms.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct EnterpriseTerms {
    pub price_cents: i64,
    /// Omitted: unlimited.
    pub builds_per_month: Option<i64>,
    pub bandwidth_gb: i64,
    pub overage_cents_per_gb: i64,
}

impl From<EnterpriseTerms> for clouddeck_billing::Terms {
    fn from(t: EnterpriseTerms) -> Self {
        clouddeck_billing::Terms {
            price_cents: t.price_cents,
            builds_per_month: t.builds_per_month,
            bandwidth_gb: t.bandwidth_gb,
            overage_cents_per_gb: t.overage_cents_per_gb,
        }
    }
}

/// What the organization's plan includes and costs.
#[derive(SimpleObject, Clone, Debug)]
pub struct PlanStatus {
    pub plan: String,
    pub price_cents: i64,
    /// Null: unlimited.
    pub builds_per_month: Option<i64>,
    pub bandwidth_bytes: i64,
    /// Null: bandwidth past the plan is blocked, not billed.
    pub overage_cents_per_gb: Option<i64>,
    /// Whether the organization's sites are blocked for the rest of this month.
    pub bandwidth_blocked: bool,
    /// Bytes the organization may keep uploaded; null: unlimited.
    pub storage_bytes: Option<i64>,
}

impl PlanStatus {
    pub fn new(plan: Plan, bandwidth_blocked: bool) -> Self {
        PlanStatus {
            price_cents: plan.price_cents,
            builds_per_month: plan.builds_per_month,
            bandwidth_bytes: plan.bandwidth_bytes,
            overage_cents_per_gb: match plan.overage {
                Overage::Blocked => None,
                Overage::Billed { cents_per_gb } => Some(cents_per_gb),
            },
            storage_bytes: plan.storage_bytes,
            plan: plan.name,
            bandwidth_blocked,
        }
    }
}

/// One metric's total in a period, for one project (null: the organization, as for seats).
#[derive(SimpleObject, FromRow, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UsageFigure {
    pub metric: String,
    pub project_id: Option<String>,
    pub quantity: i64,
}

/// One metric's total on one UTC day.
#[derive(SimpleObject, FromRow, Clone, Debug, PartialEq, Eq)]
pub struct DailyUsage {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub metric: String,
    pub quantity: i64,
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct Invoice {
    #[sqlx(rename = "invoice_id")]
    pub id: String,
    #[graphql(skip)]
    pub organization_id: String,
    /// `YYYY-MM`, UTC.
    pub period: String,
    pub plan: String,
    pub total_cents: i64,
    #[graphql(skip)]
    pub updated_at: i64,
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct InvoiceLine {
    #[sqlx(rename = "line_no")]
    pub number: i64,
    pub description: String,
    /// `plan` or the usage metric the line is made of.
    pub metric: String,
    pub quantity: i64,
    pub unit: String,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
    #[graphql(skip)]
    pub organization_id: String,
    #[graphql(skip)]
    pub period: String,
}

/// An event a line is made of, with where it sits in the log.
#[derive(SimpleObject, FromRow, Clone, Debug)]
pub struct SourceEvent {
    pub event_id: String,
    pub position: i64,
    pub project_id: Option<String>,
    pub quantity: i64,
}

#[ComplexObject]
impl Invoice {
    #[graphql(name = "updatedAt")]
    async fn updated(&self) -> String {
        iso(self.updated_at, true)
    }

    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<InvoiceLine>> {
        queries::billing::invoice_lines(&state(ctx).read_db, &self.id).await.map_err(db)
    }
}

#[ComplexObject]
impl InvoiceLine {
    /// The events this line is made of: the plan change in effect for the plan line, the
    /// usage events of its metric for the others.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceEvent>> {
        let read_db = &state(ctx).read_db;
        if self.metric == "plan" {
            let end =
                clouddeck_billing::period_bounds(&self.period).map_or(i64::MAX, |(_, end)| end.saturating_mul(1_000));
            return queries::billing::plan_change_in_effect(read_db, &self.organization_id, end).await.map_err(db);
        }
        queries::billing::usage_events(read_db, &self.organization_id, &self.period, &self.metric).await.map_err(db)
    }
}

/// The organization's subscription as the read models know it.
pub async fn subscription(ctx: &Context<'_>, organization_id: &str) -> Result<PlanStatus> {
    let mut conn = state(ctx).read_db.acquire().await.map_err(db)?;
    let period = clouddeck_billing::period_of(crate::state::now_ms());
    let plan = clouddeck_projections::billing::plan_for(&mut conn, organization_id, &period).await.map_err(db)?;
    drop(conn);
    let blocked = queries::billing::blocked(&state(ctx).read_db, organization_id, &period).await.map_err(db)?;
    Ok(PlanStatus::new(plan, blocked))
}

/// Usage figures of a period, by metric and project: metered figures from ClickHouse when
/// the server has it, else from the read models; seats (a count of members, not a meter)
/// always from the read models.
pub async fn usage(ctx: &Context<'_>, organization_id: &str, period: &str) -> Result<Vec<UsageFigure>> {
    let Some((start, end)) = clouddeck_billing::period_bounds(period) else {
        return Err(crate::error::bad_input("period", "must be a month, `YYYY-MM`"));
    };
    let analytics = &state(ctx).analytics;
    let mut figures: Vec<UsageFigure> =
        queries::billing::usage(&state(ctx).read_db, organization_id, period, analytics.is_some()).await.map_err(db)?;
    if let Some(analytics) = analytics {
        let totals = analytics.usage(organization_id, start, end).await.map_err(internal)?;
        figures.extend(totals.into_iter().map(|t| UsageFigure {
            metric: t.metric,
            project_id: Some(t.project_id).filter(|p| !p.is_empty()),
            quantity: t.quantity,
        }));
    }
    figures.sort();
    Ok(figures)
}

/// Usage of a period by day and metric, oldest day first.
pub async fn daily_usage(ctx: &Context<'_>, organization_id: &str, period: &str) -> Result<Vec<DailyUsage>> {
    if clouddeck_billing::period_bounds(period).is_none() {
        return Err(crate::error::bad_input("period", "must be a month, `YYYY-MM`"));
    }
    queries::billing::daily_usage(&state(ctx).read_db, organization_id, period).await.map_err(db)
}

/// Invoices are for owners and admins, as billing pages are.
pub async fn invoices(ctx: &Context<'_>, organization_id: &str) -> Result<Vec<Invoice>> {
    access::require_role(ctx, organization_id, Role::Admin, "reading invoices").await?;
    queries::billing::invoices(&state(ctx).read_db, organization_id).await.map_err(db)
}

/// One invoice, if the caller may see its organization.
pub async fn invoice(ctx: &Context<'_>, id: &str) -> Result<Invoice> {
    let found: Option<Invoice> = queries::billing::invoice(&state(ctx).read_db, id).await.map_err(db)?;
    match found {
        Some(invoice) if access::can_see(ctx, &invoice.organization_id).await? => {
            access::require_role(ctx, &invoice.organization_id, Role::Admin, "reading invoices").await?;
            Ok(invoice)
        }
        _ => Err(not_found(&format!("invoice `{id}`"))),
    }
}
