//! Subscriptions: the organization's events as they are recorded (resumable from a log
//! position), and a deployment's status as it changes.

use crate::access;
use crate::error::{db, internal, not_found};
use crate::state::ApiState;
use crate::types::{AuditEvent, Deployment, state};
use async_graphql::{Context, Result, Subscription};
use clouddeck_eventlog::{RecordedEvent, Subscription as LogSubscription};
use futures::Stream;
use std::sync::Arc;

pub struct SubscriptionRoot;

/// The next event of the log that belongs to `organization_id`, once the read models have
/// applied it (they say which organization owns its stream).
async fn next_owned(
    log: &mut LogSubscription,
    state: &ApiState,
    organization_id: &str,
    stream: Option<&str>,
) -> Result<RecordedEvent> {
    loop {
        let event = log.next().await.map_err(internal)?;
        if stream.is_some_and(|s| s != event.meta.stream_id) {
            continue;
        }
        let mut projected = state.projected.clone();
        projected.wait_for(|p| *p >= event.meta.position).await.map_err(internal)?;
        let owner: Option<(String,)> =
            sqlx::query_as("SELECT organization_id FROM rm_stream_owners WHERE stream_id = $1")
                .bind(&event.meta.stream_id)
                .fetch_optional(&state.read_db)
                .await
                .map_err(db)?;
        if owner.is_some_and(|(o,)| o == organization_id) {
            return Ok(event);
        }
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// The organization's events after `fromPosition` (default: only new ones), then live.
    async fn events(
        &self,
        ctx: &Context<'_>,
        organization: String,
        types: Option<Vec<String>>,
        from_position: Option<i64>,
    ) -> Result<impl Stream<Item = Result<AuditEvent>> + use<>> {
        let org = access::organization(ctx, &organization).await?;
        let state = state(ctx).clone();
        let from = match from_position {
            Some(p) => p.max(0),
            None => state.store.head().await.map_err(internal)?,
        };
        let log = LogSubscription::new(state.store.clone(), from);
        let types = types.unwrap_or_default();
        Ok(futures::stream::unfold((log, state, org.id, types), |(mut log, state, org, types)| async move {
            loop {
                match next_owned(&mut log, &state, &org, None).await {
                    Ok(e) if !types.is_empty() && !types.contains(&e.meta.event_type) => {
                        continue;
                    }
                    Ok(e) => {
                        return Some((Ok(AuditEvent::from_recorded(&e)), (log, state, org, types)));
                    }
                    Err(e) => return Some((Err(e), (log, state, org, types))),
                }
            }
        }))
    }

    /// The deployment now, then again each time it changes.
    async fn deployment(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<impl Stream<Item = Result<Deployment>> + use<>> {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT organization_id FROM rm_deployments WHERE deployment_id = $1")
                .bind(&id)
                .fetch_optional(&state(ctx).read_db)
                .await
                .map_err(db)?;
        let org = match found {
            Some((org,)) if access::can_see(ctx, &org).await? => org,
            _ => return Err(not_found(&format!("deployment `{id}`"))),
        };
        let state: Arc<ApiState> = state(ctx).clone();
        let head = state.store.head().await.map_err(internal)?;
        // The state shown first must be the state at `head`, where following starts: an
        // event between the two would otherwise be neither shown nor followed.
        let mut projected = state.projected.clone();
        projected.wait_for(|p| *p >= head).await.map_err(internal)?;
        let log = LogSubscription::new(state.store.clone(), head);
        let stream = format!("deployment-{id}");
        Ok(futures::stream::unfold(
            (log, state, org, stream, id, true),
            |(mut log, state, org, stream, id, first)| async move {
                if !first && let Err(e) = next_owned(&mut log, &state, &org, Some(&stream)).await {
                    return Some((Err(e), (log, state, org, stream, id, false)));
                }
                let row = load(&state, &id).await;
                Some((row, (log, state, org, stream, id, false)))
            },
        ))
    }
}

async fn load(state: &ApiState, id: &str) -> Result<Deployment> {
    Deployment::load(&state.read_db, id).await?.ok_or_else(|| not_found(&format!("deployment `{id}`")))
}
