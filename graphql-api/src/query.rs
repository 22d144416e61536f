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
use sqlx::Row;
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
            Principal::User { user_id } => {
                let user: Option<User> =
                    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM rm_users WHERE user_id = $1"))
                        .bind(user_id)
                        .fetch_optional(read_db)
                        .await
                        .map_err(db)?;
                Ok(Viewer { actor: format!("user:{user_id}"), user, organization: None })
            }
            Principal::Token { token_id, organization_id } => {
                let organization: Option<Organization> = sqlx::query_as(&format!(
                    "SELECT {ORGANIZATION_COLUMNS} FROM rm_organizations WHERE organization_id = $1"
                ))
                .bind(organization_id)
                .fetch_optional(read_db)
                .await
                .map_err(db)?;
                Ok(Viewer { actor: format!("token:{token_id}"), user: None, organization })
            }
        }
    }

    /// The organizations the caller belongs to.
    async fn organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let read_db = &state(ctx).read_db;
        let (sql, key) = match principal(ctx) {
            Principal::Anonymous => return Err(unauthenticated()),
            Principal::User { user_id } => (
                "SELECT o.organization_id, o.slug, o.name, o.created_at FROM rm_organizations o \
                 JOIN rm_members m ON m.organization_id = o.organization_id WHERE m.user_id = $1 ORDER BY o.slug",
                user_id,
            ),
            Principal::Token { organization_id, .. } => (
                "SELECT organization_id, slug, name, created_at FROM rm_organizations WHERE organization_id = $1",
                organization_id,
            ),
        };
        sqlx::query_as(sql).bind(key).fetch_all(read_db).await.map_err(db)
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
        let org: Option<(String,)> =
            sqlx::query_as("SELECT organization_id FROM rm_deployments WHERE deployment_id = $1")
                .bind(&id)
                .fetch_optional(&state(ctx).read_db)
                .await
                .map_err(db)?;
        if !matches!(&org, Some((org,)) if access::can_see(ctx, org).await?) {
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
        let mut sql = String::from(
            "SELECT e.position, CAST(e.event_id AS TEXT), e.stream_id, e.stream_version, e.event_type, e.actor, \
             e.recorded_at, e.payload FROM events e JOIN rm_stream_owners o ON o.stream_id = e.stream_id \
             WHERE o.organization_id = $1 AND e.position > $2 AND ($3 = '' OR e.actor = $3)",
        );
        if !types.is_empty() {
            let list: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 5)).collect();
            sql.push_str(&format!(" AND e.event_type IN ({})", list.join(", ")));
        }
        sql.push_str(" ORDER BY e.position LIMIT $4");
        let mut query = sqlx::query(&sql)
            .bind(&org.id)
            .bind(after.unwrap_or(0))
            .bind(actor.unwrap_or_default())
            .bind(i64::from(first) + 1);
        for t in &types {
            query = query.bind(t);
        }
        let rows = query.fetch_all(&state(ctx).read_db).await.map_err(db)?;
        let more = rows.len() > first as usize;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows.iter().take(first as usize) {
            let event_id: String = row.try_get(1).map_err(db)?;
            let actor: String = row.try_get(5).map_err(db)?;
            let recorded = RecordedEvent {
                meta: EventMeta {
                    event_id: Uuid::parse_str(&event_id).map_err(internal)?,
                    stream_id: row.try_get(2).map_err(db)?,
                    stream_version: row.try_get(3).map_err(db)?,
                    position: row.try_get(0).map_err(db)?,
                    event_type: row.try_get(4).map_err(db)?,
                    schema_version: 0,
                    recorded_at: row.try_get(6).map_err(db)?,
                    actor: actor.parse().map_err(internal)?,
                    causation_id: None,
                    correlation_id: Uuid::nil(),
                },
                payload: row.try_get(7).map_err(db)?,
            };
            events.push(AuditEvent::from_recorded(&recorded));
        }
        let next_after = if more { events.last().map(|e| e.position) } else { None };
        Ok(AuditPage { events, next_after })
    }
}
