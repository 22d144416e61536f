//! The edge router: one HTTP server that routes by Host to a deployment and serves it from
//! its manifest. Which deployment a production alias means is read from the read models on
//! every request, so a promote or rollback switches atomically: a request sees the old
//! deployment or the new one, never a mix.

mod encode;
mod host;
pub mod listener;
pub mod meter;
pub mod per_core;
mod proxy;
pub mod report;
mod serve;
mod sites;

pub use host::{Target, target};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clouddeck_artifacts::ArtifactStore;
use clouddeck_egress::EgressPolicy;
use clouddeck_routing::{Decision, encode_location};
use meter::{Meter, Served};
use sites::{Site, Sites};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Where a host leads: the deployment's manifest, whose it is, and whether its organization
/// is blocked for the month (Free plan, past its bandwidth).
#[derive(Debug, Clone)]
struct Routed {
    manifest: String,
    served: Served,
    blocked: bool,
}

/// The read-model position a route was looked up at, and where it led.
type Route = (i64, Option<Routed>);

#[derive(Clone)]
pub struct Edge {
    pub read_db: AnyPool,
    pub artifacts: ArtifactStore,
    pub base_domain: String,
    /// Manifests never change once stored: kept parsed, with their routing, in a cache
    /// bounded by memory.
    sites: Arc<Sites>,
    /// Which manifest a host served at a read-model position. Read models change only when
    /// the position moves, so an entry is exact while the position stands still: a promote
    /// moves it, and the next request looks again.
    routes: Arc<Mutex<HashMap<Target, Route>>>,
    projected: watch::Receiver<i64>,
    pub(crate) small_files: Arc<serve::SmallFiles>,
    /// Compressed copies of text-like blobs, made once each.
    encoded: Arc<encode::Encoded>,
    /// Proxy rules' client, within the egress policy.
    proxy: proxy::Proxy,
    pub meter: Arc<Meter>,
}

impl Edge {
    /// An edge serving from `read_db`'s routes and `artifacts`' files; proxy rules reach only
    /// where `egress` allows, and wait `proxy_timeout` for an answer.
    pub fn new(
        read_db: AnyPool,
        artifacts: ArtifactStore,
        base_domain: impl Into<String>,
        projected: watch::Receiver<i64>,
        egress: EgressPolicy,
        proxy_timeout: std::time::Duration,
    ) -> Self {
        let encoded = Arc::new(encode::Encoded::new(artifacts.derived("encoded")));
        Edge {
            read_db,
            artifacts,
            base_domain: base_domain.into(),
            sites: Arc::new(Sites::new(sites::BUDGET_BYTES)),
            routes: Arc::default(),
            projected,
            small_files: Arc::default(),
            encoded,
            proxy: proxy::Proxy::new(egress, proxy_timeout),
            meter: Arc::default(),
        }
    }

    /// `manifest_for`, answered from the route cache while the read models stand still.
    async fn route(&self, target: &Target) -> Result<Option<Routed>, sqlx::Error> {
        let position = *self.projected.borrow();
        if let Some((at, routed)) = self.routes.lock().ok().and_then(|r| r.get(target).cloned())
            && at == position
        {
            return Ok(routed);
        }
        let routed = self.manifest_for(target).await?;
        if let Ok(mut routes) = self.routes.lock() {
            if routes.len() > 100_000 {
                routes.clear();
            }
            routes.insert(target.clone(), (position, routed.clone()));
        }
        Ok(routed)
    }

    /// The edge's router (serve it with connect info, for `X-Forwarded-For`).
    pub fn router(self) -> Router {
        // One Arc to clone per request, not each field.
        Router::new().fallback(handle).with_state(Arc::new(self))
    }

    /// The ready deployment a host names, and whose it is.
    async fn manifest_for(&self, target: &Target) -> Result<Option<Routed>, sqlx::Error> {
        let columns = |period: &str| {
            format!(
                "d.manifest_sha256, d.deployment_id, d.project_id, d.organization_id, (SELECT COUNT(*) FROM rm_blocked b \
                 WHERE b.organization_id = d.organization_id AND b.period = {period})"
            )
        };
        let period = clouddeck_billing::period_of(clouddeck_eventlog::now_ms());
        let (sql, binds) = match target {
            Target::Deployment { deployment_id, project } => (
                format!(
                    "SELECT {} FROM rm_deployments d JOIN rm_projects p ON p.project_id = d.project_id \
                     WHERE d.deployment_id = $1 AND p.slug = $2 AND d.status IN ('stored', 'ready') AND p.deleted_at IS NULL",
                    columns("$3")
                ),
                vec![deployment_id, project],
            ),
            Target::Production { project } => (
                format!(
                    "SELECT {} FROM rm_projects p JOIN rm_deployments d ON d.deployment_id = p.production_deployment_id \
                     WHERE p.hostname = $1 AND p.deleted_at IS NULL AND d.status = 'ready'",
                    columns("$2")
                ),
                vec![project],
            ),
        };
        let mut query = sqlx::query_as::<_, (Option<String>, String, String, String, i64)>(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        let row = query.bind(period).fetch_optional(&self.read_db).await?;
        Ok(row.and_then(|(manifest, deployment_id, project_id, organization_id, blocked)| {
            Some(Routed {
                manifest: manifest?,
                served: Served { organization_id, project_id, deployment_id },
                blocked: blocked > 0,
            })
        }))
    }

    /// A deployment's manifest and routing, read once: both are immutable.
    async fn site(&self, hash: &str) -> Option<Arc<Site>> {
        if let Some(found) = self.sites.get(hash) {
            return Some(found);
        }
        let site = Arc::new(Site::load(&self.artifacts, hash).await?);
        self.sites.insert(hash, site.clone());
        Some(site)
    }
}

/// A redirect to `location` (already a valid URI reference).
fn redirect(location: &str, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::MOVED_PERMANENTLY);
    match HeaderValue::from_str(location) {
        Ok(value) => (status, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "bad redirect in the site's rules\n").into_response(),
    }
}

/// `path` with the request's query, encoded as a `Location` must be.
fn location(path: &str, query: Option<&str>) -> String {
    match query {
        Some(query) if !query.is_empty() => encode_location(&format!("{path}?{query}")),
        _ => encode_location(path),
    }
}

/// The answer for a host no deployment serves: 404 with [`clouddeck_routing::ROUTE_HEADER`]
/// set, which no site's own answer carries (the edge strips it from routing files' headers).
fn not_routed() -> Response {
    let mut response = (StatusCode::NOT_FOUND, "no deployment at this host\n").into_response();
    response
        .headers_mut()
        .insert(clouddeck_routing::ROUTE_HEADER, axum::http::HeaderValue::from_static(clouddeck_routing::ROUTE_NONE));
    response
}

async fn handle(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Some(target) = target(host, &edge.base_domain) else {
        return not_routed();
    };
    let routed = match edge.route(&target).await {
        Ok(Some(routed)) => routed,
        Ok(None) => return not_routed(),
        Err(e) => {
            tracing::error!(error = %e, "edge routing lookup");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let uri = request.uri().clone();
    let head = request.method() == Method::HEAD;
    let response = if routed.blocked {
        let message = "402: this site's organization has used its plan's bandwidth for the month\n";
        (StatusCode::PAYMENT_REQUIRED, message).into_response()
    } else {
        match edge.site(&routed.manifest).await {
            Some(site) => serve_site(&edge, &site, request).await,
            None => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    };
    // Bandwidth is the body as served before compression (what the site weighs).
    let bytes = if head { 0 } else { content_length(&response) };
    edge.meter.record(&routed.served, response.status().as_u16(), bytes, metered_path(uri.path()));
    response
}

/// A path as analytics keep it: at most 200 bytes (cut on a character boundary).
fn metered_path(path: &str) -> &str {
    let mut end = path.len().min(200);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

fn content_length(response: &Response) -> u64 {
    let header = response.headers().get(header::CONTENT_LENGTH);
    header.and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn serve_site(edge: &Edge, site: &Site, request: Request) -> Response {
    let path = match serve::decoded(request.uri().path()) {
        Ok(path) => path,
        Err(status) => return (status, "bad path\n").into_response(),
    };
    let query = request.uri().query().map(str::to_string);
    if let Some(canonical) = site.routes.canonical(&path) {
        return redirect(&location(&canonical, query.as_deref()), 308);
    }
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host });
    let facts = clouddeck_routing::Request { path: &path, query: query.as_deref(), host, headers: request.headers() };
    // Looked up once: it decides whether unforced rules apply, and is what is served.
    let here = serve::file_at(&site.manifest, &path);
    let decision = site.routes.decide(&facts, here.is_some());
    let extra_headers = site.routes.headers_for(&facts);
    let (status, file) = match decision {
        Some(Decision::Redirect { location, status }) => {
            return with_headers(redirect(&location, status), &extra_headers);
        }
        Some(Decision::Proxy { url, headers }) => {
            let client = request.extensions().get::<ConnectInfo<listener::Peer>>().map(|c| c.0.0.ip());
            let answer = edge.proxy.forward(&url, &headers, request, client, "http").await;
            return with_headers(answer, &extra_headers);
        }
        Some(Decision::Rewrite { path: to, status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            match serve::decoded(&to).ok().and_then(|to| serve::file_at(&site.manifest, &to)) {
                Some(file) => (status, Some(file)),
                None => serve::fallback(&site.manifest, &to),
            }
        }
        None => match here {
            // A folder's index asked for without its slash: its relative links would resolve
            // against the parent, so send it to the slash form (Netlify's pretty URLs).
            Some((served, _)) if site.routes.trailing_slash.is_none() && serve::is_folder_index(&path, served) => {
                return redirect(&location(&format!("{path}/"), query.as_deref()), 301);
            }
            Some(file) => (StatusCode::OK, Some(file)),
            None => serve::fallback(&site.manifest, &path),
        },
    };
    let response = serve::respond(&edge.artifacts, &edge.small_files, &edge.encoded, request, status, file).await;
    with_headers(response, &extra_headers)
}

/// Adds the site's headers: every value of a name given twice is sent.
fn with_headers(mut response: Response, headers: &[(String, String)]) -> Response {
    let mut replaced: HashMap<HeaderName, ()> = HashMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            // A site's own value replaces the edge's default (Cache-Control, say), once; more
            // values of the same name add to it.
            if replaced.insert(name.clone(), ()).is_none() {
                response.headers_mut().insert(name, value);
            } else {
                response.headers_mut().append(name, value);
            }
        }
    }
    response
}
