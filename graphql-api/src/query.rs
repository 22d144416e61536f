//! Queries: read models only, except the audit log, which reads the log itself.

use crate::access::{self, principal};
use crate::auth::Principal;
use crate::error::{bad_input, db, internal, not_found, unauthenticated};
use crate::lookup;
use crate::state::state;
use crate::types::*;
use async_graphql::{Context, Object, Result, SimpleObject};
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::EventMeta;
use clouddeck_projections::queries;
use uuid::Uuid;

pub struct QueryRoot;

/// Who the caller is: a signed-in user, or an API token of one organization.
#[derive(SimpleObject)]
pub struct Viewer {
    pub actor: String,
    pub user: Option<User>,
    pub organization: Option<Organization>,
}

const AUDIT_PAGE: i32 = 100;

#[Object]
impl QueryRoot {
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let read_db = &state(ctx).read_db;
        match principal(ctx) {
            Principal::Anonymous => Err(unauthenticated()),
            Principal::User { user_id, .. } => {
                let user: Option<User> = queries::identity::user(read_db, user_id).await.map_err(db)?;
                Ok(Viewer { actor: format!("user:{user_id}"), user, organization: None })
            }
            Principal::Token { token_id, organization_id } => {
                let organization: Option<Organization> =
                    queries::identity::organization(read_db, organization_id).await.map_err(db)?;
                Ok(Viewer { actor: format!("token:{token_id}"), user: None, organization })
            }
        }
    }

    /// The organizations the caller belongs to.
    async fn organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let read_db = &state(ctx).read_db;
        match principal(ctx) {
            Principal::Anonymous => Err(unauthenticated()),
            Principal::User { user_id, .. } => {
                queries::identity::organizations_of_user(read_db, user_id).await.map_err(db)
            }
            Principal::Token { organization_id, .. } => {
                Ok(queries::identity::organization(read_db, organization_id).await.map_err(db)?.into_iter().collect())
            }
        }
    }

    async fn organization(&self, ctx: &Context<'_>, slug: String) -> Result<Organization> {
        lookup::organization(ctx, &slug).await
    }

    async fn project(&self, ctx: &Context<'_>, organization: String, slug: String) -> Result<Project> {
        lookup::project(ctx, &organization, &slug).await
    }

    /// One invoice, with its lines and each line's source events.
    async fn invoice(&self, ctx: &Context<'_>, id: String) -> Result<crate::billing::Invoice> {
        crate::billing::invoice(ctx, &id).await
    }

    /// A deployment. With `waitWhile` (a status, as a long poll), the answer waits (up to 25
    /// seconds) until the deployment's status is another one: a client follows a deploy with
    /// a request per change instead of polling.
    async fn deployment(&self, ctx: &Context<'_>, id: String, wait_while: Option<String>) -> Result<Deployment> {
        let org = queries::deployments::organization_of_deployment(&state(ctx).read_db, &id).await.map_err(db)?;
        if !matches!(&org, Some(org) if access::can_see(ctx, org).await?) {
            return Err(not_found(&format!("deployment `{id}`")));
        }
        let mut found = Deployment::load(&state(ctx).read_db, &id).await?;
        if let Some(waiting) = wait_while {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(25);
            let mut projected = state(ctx).projected.clone();
            while found.as_ref().is_some_and(|d| clouddeck_events::DeploymentStatus::from(d.status).as_str() == waiting)
            {
                let changed = tokio::time::timeout_at(deadline, projected.changed()).await;
                if !matches!(changed, Ok(Ok(()))) {
                    break;
                }
                found = Deployment::load(&state(ctx).read_db, &id).await?;
            }
        }
        found.ok_or_else(|| not_found(&format!("deployment `{id}`")))
    }

    /// The organization's events, oldest first, after a log position; filtered by event
    /// types and by actor (`user:ID`, `token:ID`, `system:NAME`).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        organization: String,
        after: Option<i64>,
        types: Option<Vec<String>>,
        actor: Option<String>,
        first: Option<i32>,
    ) -> Result<AuditPage> {
        let org = lookup::organization(ctx, &organization).await?;
        let first = first.unwrap_or(50);
        if !(1..=AUDIT_PAGE).contains(&first) {
            return Err(bad_input("first", format!("must be between 1 and {AUDIT_PAGE}")));
        }
        let types = types.unwrap_or_default();
        if types.len() > 50 {
            return Err(bad_input("types", "at most 50 types"));
        }
        let rows = queries::deployments::audit_events(
            &state(ctx).read_db,
            &org.id,
            after.unwrap_or(0),
            &types,
            actor.as_deref().unwrap_or_default(),
            i64::from(first) + 1,
        )
        .await
        .map_err(db)?;
        let more = rows.len() > first as usize;
        let mut events = Vec::with_capacity(rows.len());
        for (position, event_id, stream_id, stream_version, event_type, actor, recorded_at, payload) in
            rows.into_iter().take(first as usize)
        {
            let recorded = RecordedEvent {
                meta: EventMeta {
                    event_id: Uuid::parse_str(&event_id).map_err(internal)?,
                    stream_id,
                    stream_version,
                    position,
                    event_type,
                    schema_version: 0,
                    recorded_at,
                    actor: actor.parse().map_err(internal)?,
                    causation_id: None,
                    correlation_id: Uuid::nil(),
                },
                payload,
            };
            events.push(AuditEvent::from_recorded(&recorded));
        }
        let next_after = if more { events.last().map(|e| e.position) } else { None };
        Ok(AuditPage { events, next_after })
    }
}
