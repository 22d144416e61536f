//! The GraphQL types, each read from its read-model table. Nothing here writes.

use crate::error::{db, internal};
use crate::state::{iso, state};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use clouddeck_command_handlers::Role as DomainRole;
use clouddeck_projections::queries;
use sqlx::FromRow;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Developer,
    Viewer,
}

/// The GraphQL face of the domain's roles.
impl From<Role> for DomainRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => DomainRole::Owner,
            Role::Admin => DomainRole::Admin,
            Role::Developer => DomainRole::Developer,
            Role::Viewer => DomainRole::Viewer,
        }
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        DomainRole::from(self).as_str()
    }

    /// A role as the read models store it.
    pub fn parse(s: &str) -> Result<Role> {
        let role: DomainRole = s.parse().map_err(|_| internal(format!("unknown role `{s}` in read model")))?;
        Ok(match role {
            DomainRole::Owner => Role::Owner,
            DomainRole::Admin => Role::Admin,
            DomainRole::Developer => Role::Developer,
            DomainRole::Viewer => Role::Viewer,
        })
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EnvTarget {
    Production,
    Preview,
    All,
}

impl EnvTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvTarget::Production => "production",
            EnvTarget::Preview => "preview",
            EnvTarget::All => "all",
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "clouddeck_events::Target")]
pub enum DeployTarget {
    Production,
    Preview,
}

/// Where a deployment is in its life (the events' `DeploymentStatus`), in the same lowercase
/// words as the events and the read models: `requested → (queued → building → built) →
/// stored → ready`, or `failed` / `canceled`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "clouddeck_events::DeploymentStatus", rename_items = "lowercase")]
pub enum DeploymentStatus {
    Requested,
    Queued,
    Building,
    Built,
    Stored,
    Ready,
    Failed,
    Canceled,
}

impl TryFrom<String> for DeploymentStatus {
    type Error = String;

    /// A read model's status column.
    fn try_from(text: String) -> Result<Self, String> {
        clouddeck_events::DeploymentStatus::parse(&text).map(Into::into).ok_or_else(|| format!("no status `{text}`"))
    }
}

/// Which alias a deployment is for (the events' `Target`), in the same lowercase words as the
/// events and as `Deployment.target` always answered: `production` moves the project's
/// production alias when ready, `preview` does not. (The input enum `DeployTarget` spells the
/// same values in capitals, as clients already send them.)
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "clouddeck_events::Target", rename_items = "lowercase")]
pub enum DeploymentTarget {
    Production,
    Preview,
}

impl TryFrom<String> for DeploymentTarget {
    type Error = String;

    /// A read model's target column.
    fn try_from(text: String) -> Result<Self, String> {
        clouddeck_events::Target::parse(&text).map(Into::into).ok_or_else(|| format!("no target `{text}`"))
    }
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct User {
    #[sqlx(rename = "user_id")]
    pub id: String,
    pub email: String,
    pub name: String,
    #[graphql(skip)]
    pub registered_at: i64,
}

#[ComplexObject]
impl User {
    async fn registered_at(&self) -> String {
        iso(self.registered_at, true)
    }
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct Organization {
    #[sqlx(rename = "organization_id")]
    pub id: String,
    pub slug: String,
    pub name: String,
    #[graphql(skip)]
    pub created_at: i64,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub joined_at: String,
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct ApiToken {
    #[sqlx(rename = "token_id")]
    pub id: String,
    pub name: String,
    #[graphql(skip)]
    pub role: String,
    pub created_by: String,
    #[graphql(skip)]
    pub created_at: i64,
    #[graphql(skip)]
    pub expires_at: Option<i64>,
    #[graphql(skip)]
    pub revoked_at: Option<i64>,
}

#[ComplexObject]
impl ApiToken {
    #[graphql(name = "role")]
    async fn role_enum(&self) -> Result<Role> {
        Role::parse(&self.role)
    }
    #[graphql(name = "createdAt")]
    async fn created(&self) -> String {
        iso(self.created_at, true)
    }
    #[graphql(name = "expiresAt")]
    async fn expires(&self) -> Option<String> {
        self.expires_at.map(|t| iso(t, false))
    }
    #[graphql(name = "revokedAt")]
    async fn revoked(&self) -> Option<String> {
        self.revoked_at.map(|t| iso(t, true))
    }
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct Invitation {
    #[sqlx(rename = "invitation_id")]
    pub id: String,
    pub email: String,
    #[graphql(skip)]
    pub role: String,
    #[graphql(skip)]
    pub expires_at: i64,
    pub accepted_by: Option<String>,
    /// Accepts the invitation (`acceptInvitation(token:)`): only in `inviteMember`'s answer,
    /// shown once; null everywhere else.
    #[sqlx(default)]
    pub accept_token: Option<String>,
}

#[ComplexObject]
impl Invitation {
    #[graphql(name = "role")]
    async fn role_enum(&self) -> Result<Role> {
        Role::parse(&self.role)
    }
    #[graphql(name = "expiresAt")]
    async fn expires(&self) -> String {
        iso(self.expires_at, false)
    }
}

#[ComplexObject]
impl Organization {
    #[graphql(name = "createdAt")]
    async fn created(&self) -> String {
        iso(self.created_at, true)
    }

    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Member>> {
        let rows = queries::identity::members(&state(ctx).read_db, &self.id).await.map_err(db)?;
        rows.into_iter()
            .map(|(id, email, name, registered_at, role, joined_at)| {
                Ok(Member {
                    user: User { id, email, name, registered_at },
                    role: Role::parse(&role)?,
                    joined_at: iso(joined_at, true),
                })
            })
            .collect()
    }

    /// The caller's role here: a member's own, or an API token's (which acts with at most its
    /// creator's). Clients show only the actions it allows; the server checks each anyway.
    async fn viewer_role(&self, ctx: &Context<'_>) -> Result<Role> {
        let principal = crate::access::principal(ctx);
        let role = crate::auth::role_in(&state(ctx).read_db, principal, &self.id, crate::state::now_ms())
            .await
            .map_err(db)?
            .ok_or_else(|| crate::error::not_found("organization"))?;
        Role::parse(role.as_str())
    }

    /// Usage in a month (`YYYY-MM`, UTC; default: this month) by UTC day and metric, from the
    /// read models' usage events (a window counts on the day it started).
    async fn daily_usage(&self, ctx: &Context<'_>, period: Option<String>) -> Result<Vec<crate::billing::DailyUsage>> {
        let period = period.unwrap_or_else(|| clouddeck_billing::period_of(crate::state::now_ms()));
        crate::billing::daily_usage(ctx, &self.id, &period).await
    }

    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        queries::projects::projects(&state(ctx).read_db, &self.id).await.map_err(db)
    }

    /// The plan: what it includes and costs.
    async fn subscription(&self, ctx: &Context<'_>) -> Result<crate::billing::PlanStatus> {
        crate::billing::subscription(ctx, &self.id).await
    }

    /// Usage in a month (`YYYY-MM`, UTC; default: this month), by metric and project.
    async fn usage(&self, ctx: &Context<'_>, period: Option<String>) -> Result<Vec<crate::billing::UsageFigure>> {
        let period = period.unwrap_or_else(|| clouddeck_billing::period_of(crate::state::now_ms()));
        crate::billing::usage(ctx, &self.id, &period).await
    }

    /// Invoices, newest month first.
    async fn invoices(&self, ctx: &Context<'_>) -> Result<Vec<crate::billing::Invoice>> {
        crate::billing::invoices(ctx, &self.id).await
    }

    /// Metadata only: a token's secret is shown once, when it is created. Admins and owners
    /// only (those who can issue and revoke them): FORBIDDEN for others.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        crate::access::require_role(ctx, &self.id, clouddeck_command_handlers::Role::Admin, "listing API tokens")
            .await?;
        queries::identity::api_tokens(&state(ctx).read_db, &self.id).await.map_err(db)
    }

    /// Open and accepted invitations (the invitees' addresses): admins and owners only, as
    /// they are who invite; FORBIDDEN for others.
    async fn invitations(&self, ctx: &Context<'_>) -> Result<Vec<Invitation>> {
        crate::access::require_role(ctx, &self.id, clouddeck_command_handlers::Role::Admin, "listing invitations")
            .await?;
        queries::identity::invitations(&state(ctx).read_db, &self.id).await.map_err(db)
    }
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
pub struct ProjectSettings {
    pub framework: Option<String>,
    pub production_branch: String,
    pub install_command: Option<String>,
    pub build_command: Option<String>,
    pub output_directory: Option<String>,
    pub root_directory: Option<String>,
}

#[derive(SimpleObject, FromRow, Clone, Debug)]
#[graphql(complex)]
pub struct Project {
    #[sqlx(rename = "project_id")]
    pub id: String,
    pub slug: String,
    pub name: String,
    #[sqlx(flatten)]
    pub settings: ProjectSettings,
    #[graphql(skip)]
    pub production_deployment_id: Option<String>,
    #[graphql(skip)]
    pub created_at: i64,
    #[graphql(skip)]
    pub organization_id: String,
}

/// An environment variable's name and scope; the value is never returned.
#[derive(SimpleObject, Clone, Debug)]
pub struct EnvVar {
    pub key: String,
    pub target: String,
    pub value: String,
    pub updated_at: String,
}

pub const MASK: &str = "********";

#[ComplexObject]
impl Project {
    #[graphql(name = "createdAt")]
    async fn created(&self) -> String {
        iso(self.created_at, true)
    }

    async fn env_vars(&self, ctx: &Context<'_>) -> Result<Vec<EnvVar>> {
        let rows = queries::projects::env_vars(&state(ctx).read_db, &self.id).await.map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(key, target, at)| EnvVar { key, target, value: MASK.into(), updated_at: iso(at, true) })
            .collect())
    }

    /// Custom domains, by hostname.
    async fn domains(&self, ctx: &Context<'_>) -> Result<Vec<crate::domains::Domain>> {
        crate::domains::of_project(ctx, &self.id).await
    }

    async fn production_deployment(&self, ctx: &Context<'_>) -> Result<Option<Deployment>> {
        match &self.production_deployment_id {
            Some(id) => Deployment::load(&state(ctx).read_db, id).await,
            None => Ok(None),
        }
    }

    /// Newest first, Relay-style: `first` (at most 100) after an opaque `after` cursor.
    async fn deployments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<async_graphql::connection::Connection<String, Deployment>> {
        deployments_page(ctx, &self.id, first, after).await
    }
}

#[derive(SimpleObject, FromRow, Clone, Debug, PartialEq)]
#[graphql(complex)]
pub struct Deployment {
    #[sqlx(rename = "deployment_id")]
    pub id: String,
    pub project_id: String,
    #[sqlx(try_from = "String")]
    pub status: DeploymentStatus,
    #[sqlx(try_from = "String")]
    pub target: DeploymentTarget,
    pub source_kind: String,
    pub source_ref: String,
    pub commit_sha: Option<String>,
    pub url: Option<String>,
    #[graphql(skip)]
    pub build_duration_ms: Option<i64>,
    #[graphql(skip)]
    pub error: Option<String>,
    #[graphql(skip)]
    pub log_chunks: i64,
    #[graphql(skip)]
    pub created_at: i64,
    #[graphql(skip)]
    pub updated_at: i64,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct Build {
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    pub log_chunks: i64,
}

impl Deployment {
    pub async fn load(read_db: &sqlx::AnyPool, id: &str) -> Result<Option<Deployment>> {
        queries::deployments::deployment(read_db, id).await.map_err(db)
    }
}

#[ComplexObject]
impl Deployment {
    /// Requests served: answers by status class and the busiest paths.
    async fn analytics(&self, ctx: &Context<'_>) -> Result<crate::analytics::RequestAnalytics> {
        crate::analytics::of_deployment(ctx, &self.id).await
    }

    #[graphql(name = "createdAt")]
    async fn created(&self) -> String {
        iso(self.created_at, true)
    }
    #[graphql(name = "updatedAt")]
    async fn updated(&self) -> String {
        iso(self.updated_at, true)
    }

    /// Whether every live edge has applied this deployment's latest event (its readiness,
    /// promotion or rollback), so its URL, and its project's production host once it is
    /// promoted, answer from it on every edge. Waits up to 5 s for that (false after them):
    /// `clouddeck deploy --prod` asks it before printing `production:`, as the promote and
    /// rollback mutations wait themselves.
    async fn served_by_edges(&self, ctx: &Context<'_>) -> Result<bool> {
        let store = &state(ctx).store;
        let events = store.read_stream(&format!("deployment-{}", self.id), 0).await.map_err(internal)?;
        match events.last() {
            Some(last) => Ok(state(ctx).edges_serve(last.meta.position).await),
            None => Ok(false),
        }
    }

    async fn build(&self) -> Build {
        Build { duration_ms: self.build_duration_ms, error: self.error.clone(), log_chunks: self.log_chunks }
    }
    /// The build's output lines, in order.
    async fn log(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let chunks = queries::deployments::build_log_chunks(&state(ctx).read_db, &self.id).await.map_err(db)?;
        Ok(chunks.iter().flat_map(|lines| lines.lines().map(str::to_string)).collect())
    }

    /// The build log's lines from chunk `chunk` on (0: all of it), and how many chunks there
    /// are now: pass `chunks` as `chunk` next time to get only what was written since (a
    /// client following a long build then receives each line once, not the whole log on each
    /// change). BAD_USER_INPUT for a negative `chunk`.
    async fn log_since(&self, ctx: &Context<'_>, #[graphql(default = 0)] chunk: i32) -> Result<LogPage> {
        if chunk < 0 {
            return Err(crate::error::bad_input("chunk", "must be 0 or more"));
        }
        // Only the chunks after `chunk` are read; with none new, the count is the row's own
        // (kept with each chunk the projection applies).
        let read =
            queries::deployments::build_log_after(&state(ctx).read_db, &self.id, i64::from(chunk)).await.map_err(db)?;
        let chunks = read.last().map_or(self.log_chunks.min(i64::from(chunk)), |(sequence, _)| *sequence);
        let lines = read.iter().flat_map(|(_, lines)| lines.lines().map(str::to_string)).collect();
        Ok(LogPage { chunks: i32::try_from(chunks).unwrap_or(i32::MAX), lines })
    }
}

/// Part of a build log: its lines from a chunk on, and the number of chunks written so far.
#[derive(SimpleObject, Clone, Debug)]
pub struct LogPage {
    pub chunks: i32,
    pub lines: Vec<String>,
}

/// One event of the audit log, as it was recorded.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditEvent {
    pub position: i64,
    pub event_id: String,
    pub stream: String,
    pub version: i64,
    #[graphql(name = "type")]
    pub event_type: String,
    pub actor: String,
    pub recorded_at: String,
    pub payload: async_graphql::Json<serde_json::Value>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Pass as `after` for the next page; null when this page is the last.
    pub next_after: Option<i64>,
}

impl AuditEvent {
    /// An event as the audit log and the event subscription show it.
    pub fn from_recorded(event: &clouddeck_eventlog::RecordedEvent) -> AuditEvent {
        let payload = match event.decode() {
            Ok(payload) => clouddeck_events::masked(&event.meta.event_type, payload.payload_json()),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        AuditEvent {
            position: event.meta.position,
            event_id: event.meta.event_id.to_string(),
            stream: event.meta.stream_id.clone(),
            version: event.meta.stream_version,
            event_type: event.meta.event_type.clone(),
            actor: event.meta.actor.to_string(),
            recorded_at: iso(event.meta.recorded_at, true),
            payload: async_graphql::Json(payload),
        }
    }
}

/// A page of a project's deployments, newest first (`pagination.rs` says how pages work).
async fn deployments_page(
    ctx: &Context<'_>,
    project_id: &str,
    first: Option<i32>,
    after: Option<String>,
) -> Result<async_graphql::connection::Connection<String, Deployment>> {
    use async_graphql::connection::{Connection, Edge};
    let (first, after) = crate::pagination::page(first, after.as_deref())?;
    let unbounded = after.is_none();
    let rows: Vec<Deployment> =
        queries::deployments::deployments_page(&state(ctx).read_db, project_id, after.as_ref(), i64::from(first) + 1)
            .await
            .map_err(db)?;
    let has_next = rows.len() > first as usize;
    let mut connection = Connection::new(!unbounded, has_next);
    connection.edges.extend(
        rows.into_iter().take(first as usize).map(|d| Edge::new(crate::pagination::cursor(d.created_at, &d.id), d)),
    );
    Ok(connection)
}
