//! The edge router: one HTTP server that routes by Host to a deployment and serves it from
//! its manifest. Which deployment a production alias means is read from the read models on
//! every request, so a promote or rollback switches atomically: a request sees the old
//! deployment or the new one, never a mix.

mod host;
pub mod meter;
pub mod report;
pub mod rules;
mod serve;

pub use host::{Target, target};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version, header};
use axum::response::{IntoResponse, Response};
use clouddeck_workers::artifacts::{ArtifactStore, Manifest};
use meter::{Meter, Served};
use rules::{Action, Rules};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};

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
    /// Manifests never change once stored: keep them parsed, with their rules.
    sites: Arc<Mutex<HashMap<String, Arc<Site>>>>,
    /// Which manifest a host served at a read-model position. Read models change only when
    /// the position moves, so an entry is exact while the position stands still: a promote
    /// moves it, and the next request looks again.
    routes: Arc<Mutex<HashMap<Target, Route>>>,
    projected: watch::Receiver<i64>,
    pub(crate) small_files: Arc<serve::SmallFiles>,
    pub meter: Arc<Meter>,
}

impl Edge {
    pub fn new(
        read_db: AnyPool,
        artifacts: ArtifactStore,
        base_domain: impl Into<String>,
        projected: watch::Receiver<i64>,
    ) -> Self {
        Edge {
            read_db,
            artifacts,
            base_domain: base_domain.into(),
            sites: Arc::default(),
            routes: Arc::default(),
            projected,
            small_files: Arc::default(),
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

    /// Compresses (brotli or gzip, as the client accepts) what is worth it, never a range.
    pub fn router(self) -> Router {
        let worth_it = DefaultPredicate::new()
            .and(|status: StatusCode, _: Version, _: &HeaderMap, _: &Extensions| status != StatusCode::PARTIAL_CONTENT);
        // One Arc to clone per request, not each field.
        Router::new().fallback(handle).layer(CompressionLayer::new().compress_when(worth_it)).with_state(Arc::new(self))
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
                     WHERE p.slug = $1 AND p.deleted_at IS NULL AND d.status = 'ready'",
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

    /// A deployment's manifest and routing rules, read once: both are immutable.
    async fn site(&self, hash: &str) -> Option<Arc<Site>> {
        if let Some(found) = self.sites.lock().ok().and_then(|m| m.get(hash).cloned()) {
            return Some(found);
        }
        let manifest = self.artifacts.manifest(hash).await.ok()?;
        let mut rules = Rules::default();
        for (file, add) in [
            ("_redirects", Rules::add_netlify_redirects as fn(&mut Rules, &str)),
            ("_headers", Rules::add_netlify_headers),
            ("vercel.json", Rules::add_vercel_json),
        ] {
            if let Some(entry) = manifest.files.get(file)
                && let Ok(blob) = self.artifacts.blob_file(&entry.sha256).await
                && let Ok(text) = tokio::fs::read_to_string(blob).await
            {
                add(&mut rules, &text);
            }
        }
        let site = Arc::new(Site { manifest, rules });
        if let Ok(mut cache) = self.sites.lock() {
            cache.insert(hash.to_string(), site.clone());
        }
        Some(site)
    }
}

/// A deployment as the edge serves it.
struct Site {
    manifest: Manifest,
    rules: Rules,
}

fn redirect(location: &str, status: u16, query: Option<&str>) -> Response {
    let location = match query {
        Some(query) if !location.contains('?') => format!("{location}?{query}"),
        _ => location.to_string(),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::MOVED_PERMANENTLY);
    match HeaderValue::from_str(&location) {
        Ok(value) => (status, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "bad redirect in the site's rules\n").into_response(),
    }
}

async fn handle(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Some(target) = target(host, &edge.base_domain) else {
        return (StatusCode::NOT_FOUND, "no deployment at this host\n").into_response();
    };
    let routed = match edge.route(&target).await {
        Ok(Some(routed)) => routed,
        Ok(None) => return (StatusCode::NOT_FOUND, "no deployment at this host\n").into_response(),
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
    if let Some(canonical) = site.rules.canonical(&path) {
        return redirect(&canonical, 308, query.as_deref());
    }
    // Looked up once: it decides whether unforced rules apply, and is what is served.
    let here = serve::file_at(&site.manifest, &path);
    let (status, file) = match site.rules.action(&path, here.is_some()) {
        Some(Action::Redirect { location, status }) => return redirect(&location, status, query.as_deref()),
        Some(Action::Rewrite { path: to }) => match serve::decoded(&to) {
            Ok(to) => serve::resolve(&site.manifest, &to),
            Err(_) => (StatusCode::NOT_FOUND, None),
        },
        None => match here {
            Some(file) => (StatusCode::OK, Some(file)),
            None => serve::fallback(&site.manifest, &path),
        },
    };
    let mut response = serve::respond(&edge.artifacts, &edge.small_files, request, status, file).await;
    for (name, value) in site.rules.headers_for(&path) {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
