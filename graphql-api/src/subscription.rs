//! Subscriptions: the organization's events as they are recorded (resumable from a log
//! position), and a deployment's status as it changes.
//!
//! A subscription lives only as long as its caller may see what it streams: it checks again
//! on every change to the organization's members and tokens, and every `RECHECK` besides (a
//! token's expiry). When the caller has lost access, the stream answers one FORBIDDEN error
//! saying why, and ends (graphql-ws then sends `complete`).

use crate::access;
use crate::auth::Principal;
use crate::error::{FORBIDDEN, UNAUTHENTICATED, coded, db, internal, not_found};
use crate::lookup;
use crate::state::ApiState;
use crate::state::state;
use crate::types::{AuditEvent, Deployment};
use async_graphql::{Context, Result, Subscription};
use clouddeck_eventlog::{LogTail, RecordedEvent};
use clouddeck_projections::queries;
use futures::Stream;
use std::sync::Arc;

pub struct SubscriptionRoot;

/// How often an open subscription checks that its caller may still see what it streams,
/// besides on each change of the organization's members and tokens.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Who is watching what: the caller, and the organization whose events it sees.
#[derive(Clone)]
struct Viewer {
    principal: Principal,
    organization_id: String,
}

impl Viewer {
    fn new(ctx: &Context<'_>, organization_id: String) -> Viewer {
        Viewer { principal: access::principal(ctx).clone(), organization_id }
    }

    /// Err(UNAUTHENTICATED) once the socket's session has ended or expired; Err(FORBIDDEN)
    /// once the caller has no standing in the organization (a member removed, a token revoked
    /// or expired, or its member gone).
    async fn still_allowed(&self, state: &ApiState) -> Result<()> {
        // (the socket was authenticated only at `connection_init`: a session that has ended
        // since, by `logout` or expiry, closes it here)
        if let Principal::User { session, .. } = &self.principal {
            let live =
                queries::identity::live_session(&state.read_db, session, crate::state::now_ms()).await.map_err(db)?;
            if live.is_none() {
                return Err(coded(
                    UNAUTHENTICATED,
                    "subscription closed: the session has ended (signed out or expired)",
                ));
            }
        }
        let role = crate::auth::role_in(&state.read_db, &self.principal, &self.organization_id, crate::state::now_ms())
            .await
            .map_err(db)?;
        match role {
            Some(_) => Ok(()),
            None => Err(coded(
                FORBIDDEN,
                "subscription closed: the caller may no longer see this organization (member removed, or token revoked or expired)",
            )),
        }
    }
}

/// The next event of the log that belongs to `viewer`'s organization, once the read models
/// have applied it (they say which organization owns its stream); Err when the viewer lost
/// access meanwhile.
async fn next_owned(
    log: &mut LogTail,
    state: &ApiState,
    viewer: &Viewer,
    streams: Option<&[String]>,
) -> Result<RecordedEvent> {
    let organization_stream = format!("organization-{}", viewer.organization_id);
    loop {
        let event = tokio::select! {
            event = log.next() => event.map_err(internal)?,
            _ = tokio::time::sleep(RECHECK) => {
                viewer.still_allowed(state).await?;
                continue;
            }
        };
        let mut projected = state.projected.clone();
        projected.wait_for(|p| *p >= event.meta.position).await.map_err(internal)?;
        if event.meta.stream_id == organization_stream || event.meta.stream_id.starts_with("user-") {
            viewer.still_allowed(state).await?;
        }
        if streams.is_some_and(|streams| !streams.contains(&event.meta.stream_id)) {
            continue;
        }
        let owner = queries::deployments::stream_owner(&state.read_db, &event.meta.stream_id).await.map_err(db)?;
        if owner.is_some_and(|o| o == viewer.organization_id) {
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
        let org = lookup::organization(ctx, &organization).await?;
        let state = state(ctx).clone();
        let from = match from_position {
            Some(p) => p.max(0),
            None => state.store.head().await.map_err(internal)?,
        };
        let log = LogTail::new(state.store.clone(), from);
        let types = types.unwrap_or_default();
        let viewer = Viewer::new(ctx, org.id);
        viewer.still_allowed(&state).await?;
        // `Some(log)` while open; after a refusal the stream ends.
        Ok(futures::stream::unfold((Some(log), state, viewer, types), |(log, state, viewer, types)| async move {
            let mut log = log?;
            loop {
                match next_owned(&mut log, &state, &viewer, None).await {
                    Ok(e) if !types.is_empty() && !types.contains(&e.meta.event_type) => {
                        continue;
                    }
                    Ok(e) => {
                        return Some((Ok(AuditEvent::from_recorded(&e)), (Some(log), state, viewer, types)));
                    }
                    Err(e) => return Some((Err(e), (None, state, viewer, types))),
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
        let found = queries::deployments::organization_of_deployment(&state(ctx).read_db, &id).await.map_err(db)?;
        let org = match found {
            Some(org) if access::can_see(ctx, &org).await? => org,
            _ => return Err(not_found(&format!("deployment `{id}`"))),
        };
        let state: Arc<ApiState> = state(ctx).clone();
        let head = state.store.head().await.map_err(internal)?;
        // The state shown first must be the state at `head`, where following starts: an
        // event between the two would otherwise be neither shown nor followed.
        let mut projected = state.projected.clone();
        projected.wait_for(|p| *p >= head).await.map_err(internal)?;
        let log = LogTail::new(state.store.clone(), head);
        // Its own stream and its build log's (`buildlog-<id>`): a new chunk changes it too.
        let stream = [
            clouddeck_events::stream_id("deployment", &id),
            clouddeck_command_handlers::deployment::build_log_stream(&id),
        ];
        let viewer = Viewer::new(ctx, org);
        viewer.still_allowed(&state).await?;
        // Sent again only when it changed: an event that leaves the row as it was (a claim by
        // a deployer) sends nothing.
        let shown: Option<Deployment> = None;
        Ok(futures::stream::unfold(
            (Some(log), state, viewer, stream, id, shown),
            |(log, state, viewer, stream, id, shown)| async move {
                let mut log = log?;
                loop {
                    if shown.is_some()
                        && let Err(e) = next_owned(&mut log, &state, &viewer, Some(&stream[..])).await
                    {
                        return Some((Err(e), (None, state, viewer, stream, id, shown)));
                    }
                    match load(&state, &id).await {
                        Ok(row) if shown.as_ref() == Some(&row) => continue,
                        Ok(row) => return Some((Ok(row.clone()), (Some(log), state, viewer, stream, id, Some(row)))),
                        Err(e) => return Some((Err(e), (None, state, viewer, stream, id, shown))),
                    }
                }
            },
        ))
    }
}

async fn load(state: &ApiState, id: &str) -> Result<Deployment> {
    Deployment::load(&state.read_db, id).await?.ok_or_else(|| not_found(&format!("deployment `{id}`")))
}
