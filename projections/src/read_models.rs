//! The dashboard's read models, one projection over the areas that make them, applied per
//! event in a stated order (see `apply_batch`): identity and membership (`identity.rs`),
//! projects (`projects.rs`), custom domains (`domains.rs`), deployments and their build logs (`deployments.rs`), billing
//! (`billing.rs`) and request analytics (`requests.rs`); stream owners (`owners.rs`) are
//! written by the area that sees a stream begin. One checkpoint and one transaction for all:
//! billing reads members and deployments read projects as of the same event.

use crate::deployments::{self, DeploymentRow, deployment_of};
use crate::runner::Projection;
use crate::{billing, domains, identity, owners, projects};
use async_trait::async_trait;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use sqlx::AnyConnection;

pub struct ReadModels;

pub const TABLES: &[&str] = &[
    "rm_users",
    "rm_organizations",
    "rm_members",
    "rm_invitations",
    "rm_api_tokens",
    "rm_projects",
    "rm_env_vars",
    "rm_deployments",
    "rm_sessions",
    "rm_build_logs",
    "rm_stream_owners",
    "rm_plan_changes",
    "rm_usage",
    "rm_usage_events",
    "rm_invoices",
    "rm_invoice_lines",
    "rm_blocked",
    "rm_request_stats",
    "rm_request_paths",
    "rm_domains",
];

#[async_trait]
impl Projection for ReadModels {
    fn name(&self) -> &'static str {
        "read_models"
    }

    fn tables(&self) -> &'static [&'static str] {
        TABLES
    }

    /// Deployments are folded in memory and written once per batch; the rest row by row.
    async fn apply_batch(&self, db: &mut AnyConnection, events: &[(&RecordedEvent, Event)]) -> Result<(), sqlx::Error> {
        let mut ids: Vec<&str> = events
            .iter()
            .filter(|(_, e)| !matches!(e, Event::DeploymentRequested(_)))
            .filter_map(|(_, e)| deployment_of(e))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut rows = deployments::load(db, &ids).await?;
        let mut changed = Vec::new();
        let mut touched = billing::Touched::new();
        for (recorded, event) in events {
            // The areas in their order: identity first (billing reads members as of this
            // event), then projects, deployments (folded in memory, saved once per batch),
            // billing (plans, usage, invoices, blocks) and request analytics.
            identity::apply(db, recorded, event).await?;
            projects::apply(db, recorded, event).await?;
            domains::apply(db, recorded, event).await?;
            if let Event::BuildLogChunk(e) = event {
                deployments::apply_log(db, recorded, e).await?;
            }
            if let Event::DeploymentRequested(e) = event {
                owners::owner(db, &recorded.meta.stream_id, &e.organization_id).await?;
            }
            if let Some(id) = deployment_of(event)
                && let Some(row) = DeploymentRow::evolve(rows.remove(id), event, recorded.meta.recorded_at)
            {
                changed.push(row.deployment_id.clone());
                rows.insert(row.deployment_id.clone(), row);
            }
            billing::apply(db, recorded, event, &mut touched).await?;
            if let Event::RequestsAnalyzed(e) = event {
                crate::requests::apply(db, e).await?;
            }
        }
        billing::invoices(db, touched).await?;
        changed.sort_unstable();
        changed.dedup();
        let changed: Vec<DeploymentRow> = changed.iter().filter_map(|id| rows.remove(id)).collect();
        deployments::save(db, &changed).await
    }

    /// One event, as a batch of one.
    async fn apply(
        &self,
        db: &mut AnyConnection,
        recorded: &RecordedEvent,
        payload: &Event,
    ) -> Result<(), sqlx::Error> {
        self.apply_batch(db, &[(recorded, payload.clone())]).await
    }
}
