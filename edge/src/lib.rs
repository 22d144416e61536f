//! The edge router: one HTTP server that routes by Host to a deployment and serves it from
//! its manifest. Which deployment a host leads to is answered from an in-memory route table
//! (`routes.rs`) that the edge keeps from the event feed itself: serving reads no database,
//! and an event changes only the routes it concerns. Before answering, a request waits (at
//! most `CATCH_UP`) until the table has applied every event this process had appended when
//! the request arrived, so a promote or rollback made through this process is served by the
//! next request: it sees the old deployment or the new one, never a mix.

mod encode;
mod host;
pub mod https;
pub mod listener;
pub mod meter;
pub mod per_core;
pub mod progress;
mod proxy;
pub mod report;
mod routes;
mod serve;
pub mod shield;
mod site_limits;
mod sites;
pub mod tls;

pub use host::{Target, target};
pub use routes::{ROUTING_EVENTS, RouteTable, Routed};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clouddeck_artifacts::ArtifactStore;
use clouddeck_egress::EgressPolicy;
use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower, RecordedEvent, decoded};
use clouddeck_routing::{Decision, encode_location};
use meter::Meter;
use sites::{Site, Sites};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// The longest a request waits for the route table to catch up with this process's appends.
const CATCH_UP: Duration = Duration::from_secs(2);
/// Events the route table takes per batch from its feed.
const FEED_BATCH: usize = 1_000;

#[derive(Clone)]
pub struct Edge {
    pub artifacts: ArtifactStore,
    pub base_domain: String,
    /// Manifests never change once stored: kept parsed, with their routing, in a cache
    /// bounded by memory.
    sites: Arc<Sites>,
    /// Host → deployment, from the event feed (`follow`).
    table: Arc<RwLock<RouteTable>>,
    /// The position the table has applied, for requests waiting on it.
    applied: Arc<watch::Sender<i64>>,
    /// The event log's head as this process appends (`EventStore::head_watch`).
    head: watch::Receiver<i64>,
    pub(crate) small_files: Arc<serve::SmallFiles>,
    /// Compressed copies of text-like blobs, made once each.
    encoded: Arc<encode::Encoded>,
    /// Proxy rules' client, within the egress policy.
    proxy: proxy::Proxy,
    pub meter: Arc<Meter>,
    /// What the HTTPS listener serves, by SNI: kept from the log's certificate events.
    pub certificates: Arc<tls::Certificates>,
    /// Opens the sealed keys of issued certificates; none: no custom domain gets HTTPS.
    sealer: Option<clouddeck_secrets::Sealer>,
    /// The HTTPS listener's port, for redirects to it (none: no HTTPS listener).
    https_port: Option<u16>,
    /// Sites' own rate limits' budgets.
    site_limits: Arc<site_limits::SiteLimits>,
}

impl Edge {
    /// An edge serving `artifacts`' files on the routes `follow` feeds it; `head` is the
    /// log's head as this process appends. Proxy rules reach only where `egress` allows, and
    /// wait `proxy_timeout` for an answer.
    pub fn new(
        artifacts: ArtifactStore,
        base_domain: impl Into<String>,
        head: watch::Receiver<i64>,
        egress: EgressPolicy,
        proxy_timeout: std::time::Duration,
    ) -> Self {
        let encoded = Arc::new(encode::Encoded::new(artifacts.derived("encoded")));
        Edge {
            artifacts,
            base_domain: base_domain.into(),
            sites: Arc::new(Sites::new(sites::BUDGET_BYTES)),
            table: Arc::default(),
            applied: Arc::new(watch::channel(0).0),
            head,
            small_files: Arc::default(),
            encoded,
            proxy: proxy::Proxy::new(egress, proxy_timeout),
            meter: Arc::default(),
            certificates: Arc::default(),
            sealer: None,
            https_port: None,
            site_limits: Arc::default(),
        }
    }

    /// Serves custom domains' certificates (their keys opened with `sealer`) on an HTTPS
    /// listener at `https_port`; plain HTTP to such a domain is redirected there.
    pub fn with_https(mut self, sealer: clouddeck_secrets::Sealer, https_port: u16) -> Self {
        self.sealer = Some(sealer);
        self.https_port = Some(https_port);
        self
    }

    /// Takes up (or drops) a custom domain's certificate as the log says.
    fn certificate_event(&self, event: &clouddeck_events::Event) {
        match event {
            clouddeck_events::Event::CertificateIssued(e) => {
                let Some(sealer) = &self.sealer else { return };
                let key = sealer.open(&e.sealed_private_key).map_err(|_| "its key cannot be unsealed".to_string());
                match key.and_then(|key| tls::certified_key(&e.certificate_chain_pem, &key)) {
                    Ok(key) => self.certificates.insert(&e.hostname, &e.domain_id, key),
                    Err(reason) => tracing::error!(domain = %e.hostname, %reason, "a certificate cannot be served"),
                }
            }
            clouddeck_events::Event::DomainRemoved(e) => self.certificates.remove(&e.hostname, &e.domain_id),
            _ => {}
        }
    }

    /// Keeps the route table from `feed` (the whole log, from its start) until `stopped`,
    /// through the log's one follower. Only the event types the table reads are decoded.
    ///
    /// Errors: none in practice: a failing read is retried after a pause.
    pub async fn follow(&self, mut feed: Box<dyn EventFeed>, stopped: watch::Receiver<bool>) -> Result<(), FeedError> {
        Follower::new(FEED_BATCH).run(&mut &*self, &mut *feed, stopped).await
    }

    /// The position the route table has applied, as it moves.
    pub fn applied(&self) -> watch::Receiver<i64> {
        self.applied.subscribe()
    }

    /// Feeds the route table from `feed` until it has applied position `head` (the log's head
    /// when the edge starts): the edge takes no request before it knows every route.
    ///
    /// Errors: the feed's, after a failure it could not get past.
    pub async fn catch_up(&self, feed: &mut dyn EventFeed, head: i64) -> Result<(), FeedError> {
        Follower::new(FEED_BATCH).catch_up(&mut &*self, feed, head).await
    }

    /// Waits (at most `CATCH_UP`) until the table has applied what this process had appended
    /// when asked. Errors: it did not.
    async fn caught_up(&self) -> Result<(), ()> {
        let head = *self.head.borrow();
        if *self.applied.borrow() < head {
            let mut applied = self.applied.subscribe();
            if tokio::time::timeout(CATCH_UP, applied.wait_for(|p| *p >= head)).await.is_err() {
                return Err(());
            }
        }
        Ok(())
    }

    /// Where `target` leads, once the table has caught up with this process's appends.
    async fn route(&self, target: &Target) -> Result<Option<Routed>, ()> {
        self.caught_up().await?;
        let table = self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(CURRENT_PERIOD.with(|period| table.route(target, &period.now())))
    }

    /// A pending ACME challenge's key authorization for `hostname` at `path`, if there is one.
    async fn challenge(&self, hostname: &str, path: &str) -> Option<Response> {
        self.caught_up().await.ok()?;
        challenge_answer(&self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner), hostname, path)
    }

    /// What a custom domain answers before its site, read under one lock of the route table:
    /// an open ACME challenge's key authorization; over plain HTTP, when the domain has a
    /// certificate, a 308 to HTTPS (except ACME's challenges); the domain's redirect to
    /// another of its project's domains (308, path and query kept, on the port asked). Else
    /// the site, with the domain's HSTS value when the request came over TLS.
    ///
    /// Errors: the table is behind the log.
    async fn custom_domain(
        &self,
        hostname: &str,
        host: &str,
        uri: &axum::http::Uri,
        secure: bool,
    ) -> Result<CustomAnswer, ()> {
        self.caught_up().await?;
        let table = self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let challenge = uri.path().strip_prefix(ACME_CHALLENGE_PATH);
        if let Some(answer) = challenge_answer(&table, hostname, uri.path()) {
            return Ok(CustomAnswer::Respond(answer));
        }
        let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
        if !secure
            && challenge.is_none()
            && let Some(port) = self.https_port
            && self.certificates.has(hostname)
        {
            let port = if port == 443 { String::new() } else { format!(":{port}") };
            return Ok(CustomAnswer::Respond(redirect(&format!("https://{hostname}{port}{path_and_query}"), 308)));
        }
        if let Some(to) = table.redirect(hostname) {
            let scheme = if secure { "https" } else { "http" };
            let port = host::split_port(host).1.map_or(String::new(), |port| format!(":{port}"));
            return Ok(CustomAnswer::Respond(redirect(&format!("{scheme}://{to}{port}{path_and_query}"), 308)));
        }
        let hsts = if secure { table.hsts(hostname).and_then(|v| HeaderValue::from_str(v).ok()) } else { None };
        Ok(CustomAnswer::Site { hsts })
    }

    /// The edge's router (serve it with connect info, for `X-Forwarded-For`).
    pub fn router(self) -> Router {
        // One Arc to clone per request, not each field.
        Router::new().fallback(handle).with_state(Arc::new(self))
    }

    /// Forgets the sites' rate-limit keys whose buckets are full again.
    pub fn forget_idle_budgets(&self) {
        self.site_limits.forget_idle();
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

#[async_trait::async_trait]
impl Consumer for &Edge {
    type Error = FeedError;

    fn name(&self) -> &str {
        "edge routes"
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, FeedError> {
        let Some(last) = batch.last().map(|e| e.meta.position) else { return Ok(0) };
        let events: Vec<_> = decoded(batch, ROUTING_EVENTS, "edge routes").map(|(_, event)| event).collect();
        {
            let mut table = self.table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in &events {
                table.apply(event);
                self.certificate_event(event);
            }
            table.reached(last);
        }
        self.applied.send_replace(last);
        Ok(events.len())
    }
}

/// A pending ACME challenge's key authorization for `hostname` at `path` (RFC 8555 §8.3).
fn challenge_answer(table: &RouteTable, hostname: &str, path: &str) -> Option<Response> {
    let key_authorization = table.challenge(hostname, path.strip_prefix(ACME_CHALLENGE_PATH)?)?;
    let content_type = [(header::CONTENT_TYPE, "application/octet-stream")];
    Some((StatusCode::OK, content_type, key_authorization.to_string()).into_response())
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

/// 503: the route table has not caught up with this process's appends in time.
fn behind_the_log() -> Response {
    tracing::warn!("the edge's route table is behind the log; answering 503");
    unavailable("503: this edge is catching up with the latest deployments; try again in a moment\n")
}

/// 503: the deployment's manifest is not in this edge's artifacts store. Logged at most every
/// 10 s (a visitor may ask again and again), naming the likely cause.
fn files_missing(manifest: &str) -> Response {
    static LOGGED_AT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = clouddeck_eventlog::now_ms() as u64;
    let last = LOGGED_AT.load(std::sync::atomic::Ordering::Relaxed);
    if now.saturating_sub(last) >= 10_000 {
        LOGGED_AT.store(now, std::sync::atomic::Ordering::Relaxed);
        tracing::error!(
            manifest,
            "a deployment's manifest is not in the artifacts store: the edge must share the API's and the \
             deployer's data folder or S3 bucket; answering 503"
        );
    }
    unavailable("503: this deployment's files are not available on this edge\n")
}

/// A 503 with a plain reason and `Retry-After` (RFC 9110 §15.6.4), marked as the edge's own
/// (`X-CloudDeck-Route: unavailable`, which no site can set) so that the deployer's readiness
/// check tells it from a site's own 503.
fn unavailable(reason: &'static str) -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
    response.headers_mut().insert(
        clouddeck_routing::ROUTE_HEADER,
        axum::http::HeaderValue::from_static(clouddeck_routing::ROUTE_UNAVAILABLE),
    );
    response
}

/// The host a request is for: its `Host` header, or over HTTP/2 its `:authority` (RFC 9113
/// §8.3.1), which hyper keeps in the URI.
fn host_of(request: &Request) -> &str {
    match request.headers().get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => host,
        None => request.uri().authority().map_or("", |authority| authority.as_str()),
    }
}

/// Whether a request over TLS names another host than its handshake did (domain fronting):
/// it is answered 421 (RFC 9110 §15.5.20), unless both names are under the base domain, whose
/// one wildcard certificate covers them all.
fn misdirected(sni: Option<&str>, host: &str, base_domain: &str) -> bool {
    let Some(sni) = sni else { return false };
    let host = host::hostname(host);
    sni != host && !(host::under(sni, base_domain) && host::under(&host, base_domain))
}

/// What a custom domain answers: something of its own, or its site (with its HSTS header).
enum CustomAnswer {
    Respond(Response),
    Site { hsts: Option<HeaderValue> },
}

thread_local! {
    /// This month's billing period, worked out again only when it ends: routing asks for it
    /// on every request.
    static CURRENT_PERIOD: Period = const { Period { name: std::cell::RefCell::new(String::new()), until_ms: std::cell::Cell::new(i64::MIN) } };
}

/// A billing period's name (`YYYY-MM`) and when it ends (Unix ms).
struct Period {
    name: std::cell::RefCell<String>,
    until_ms: std::cell::Cell<i64>,
}

impl Period {
    /// The period of now: `clouddeck_billing::period_of`, kept until the month ends.
    fn now(&self) -> std::cell::Ref<'_, String> {
        let now = clouddeck_eventlog::now_ms();
        if now >= self.until_ms.get() {
            let name = clouddeck_billing::period_of(now);
            let until = clouddeck_billing::period_bounds(&name).map_or(now + 1_000, |(_, end)| end);
            self.until_ms.set(until);
            *self.name.borrow_mut() = name;
        }
        self.name.borrow()
    }
}

/// Where ACME's HTTP-01 challenges are asked for (RFC 8555 §8.3).
const ACME_CHALLENGE_PATH: &str = "/.well-known/acme-challenge/";

async fn handle(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    let host = host_of(&request);
    let Some(target) = target(host, &edge.base_domain) else {
        return not_routed();
    };
    if request.extensions().get::<shield::ReserveOnly>().is_some() {
        // Past the connection cap: a pending ACME challenge's answer, nothing else.
        return match &target {
            Target::Custom { hostname } => edge.challenge(hostname, request.uri().path()).await,
            _ => None,
        }
        .unwrap_or_else(shield::overloaded);
    }
    let secure = match request.extensions().get::<https::Secure>() {
        Some(https::Secure { sni }) => {
            if misdirected(sni.as_deref(), host, &edge.base_domain) {
                let message = "421: this connection's TLS name (SNI) is not the requested host\n";
                return (StatusCode::MISDIRECTED_REQUEST, message).into_response();
            }
            true
        }
        None => false,
    };
    let mut hsts = None;
    if let Target::Custom { hostname } = &target {
        match edge.custom_domain(hostname, host, request.uri(), secure).await {
            Ok(CustomAnswer::Respond(answer)) => return answer,
            Ok(CustomAnswer::Site { hsts: value }) => hsts = value,
            Err(()) => return behind_the_log(),
        }
    }
    let routed = match edge.route(&target).await {
        Ok(Some(routed)) => routed,
        Ok(None) => return not_routed(),
        Err(()) => return behind_the_log(),
    };
    let uri = request.uri().clone();
    let head = request.method() == Method::HEAD;
    let response = if routed.blocked {
        let message = "402: this site's organization has used its plan's bandwidth for the month\n";
        (StatusCode::PAYMENT_REQUIRED, message).into_response()
    } else {
        match edge.site(&routed.manifest).await {
            Some(site) => serve_site(&edge, &site, &routed.served.project_id, request).await,
            None => return files_missing(&routed.manifest),
        }
    };
    // Bandwidth is the body as served before compression (what the site weighs).
    let bytes = if head { 0 } else { content_length(&response) };
    edge.meter.record(&routed.served, response.status().as_u16(), bytes, metered_path(uri.path()));
    let mut response = response;
    if let Some(value) = hsts {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
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

async fn serve_site(edge: &Edge, site: &Site, project_id: &str, request: Request) -> Response {
    let path = match serve::decoded(request.uri().path()) {
        Ok(path) => path,
        Err(status) => return (status, "bad path\n").into_response(),
    };
    let query = request.uri().query().map(str::to_string);
    if let Some(canonical) = site.routes.canonical(&path) {
        return redirect(&location(&canonical, query.as_deref()), 308);
    }
    let host = host::split_port(host_of(&request)).0;
    let facts = clouddeck_routing::Request { path: &path, query: query.as_deref(), host, headers: request.headers() };
    // Looked up once: it decides whether unforced rules apply, and is what is served.
    let here = serve::file_at(&site.manifest, &path);
    let mut decision = None;
    for (rule, limit) in site.routes.rate_limits(&facts) {
        let client = request.extensions().get::<ConnectInfo<listener::Peer>>().map(|c| c.0.0.ip());
        let client = client.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        if let Err(wait) = edge.site_limits.check(project_id, rule, limit, client, host) {
            match &limit.rewrite {
                Some(path) => decision = Some(Decision::Rewrite { path: path.clone(), status: 429 }),
                None => return too_many_requests(wait),
            }
            break;
        }
    }
    let decision = match decision {
        Some(limited) => Some(limited),
        None => site.routes.decide(&facts, here.is_some()),
    };
    let extra_headers = site.routes.headers_for(&facts);
    let (status, file) = match decision {
        Some(Decision::Redirect { location, status }) => {
            return with_headers(redirect(&location, status), &extra_headers);
        }
        Some(Decision::Proxy { url, headers }) => {
            let client = request.extensions().get::<ConnectInfo<listener::Peer>>().map(|c| c.0.0.ip());
            let proto = if request.extensions().get::<https::Secure>().is_some() { "https" } else { "http" };
            let answer = edge.proxy.forward(&url, &headers, request, client, proto).await;
            return with_headers(answer, &extra_headers);
        }
        Some(Decision::Rewrite { path: to, status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            match serve::decoded(&to).ok().and_then(|to| serve::file_at(&site.manifest, &to)) {
                Some(file) => (status, Some(file)),
                None => serve::fallback(&site.manifest, site.spa, &to),
            }
        }
        None => match here {
            // A folder's index asked for without its slash: its relative links would resolve
            // against the parent, so send it to the slash form (Netlify's pretty URLs).
            Some((served, _)) if site.routes.trailing_slash.is_none() && serve::is_folder_index(&path, served) => {
                return redirect(&location(&format!("{path}/"), query.as_deref()), 301);
            }
            Some(file) => (StatusCode::OK, Some(file)),
            None => serve::fallback(&site.manifest, site.spa, &path),
        },
    };
    let response = serve::respond(&edge.artifacts, &edge.small_files, &edge.encoded, request, status, file).await;
    with_headers(response, &extra_headers)
}

/// 429 for a site's own rate limit, with `Retry-After` in whole seconds (RFC 6585 §4).
fn too_many_requests(wait: Duration) -> Response {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response =
        (StatusCode::TOO_MANY_REQUESTS, "429: this site limits how often it may be asked\n").into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
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

#[cfg(test)]
mod tests {
    use super::misdirected;

    #[test]
    fn a_host_other_than_the_handshakes_name_is_misdirected_unless_both_are_the_base_domains() {
        assert!(!misdirected(Some("shop.example.com"), "shop.example.com:8443", "localhost"));
        assert!(!misdirected(Some("shop.example.com"), "Shop.Example.com.", "localhost"));
        assert!(misdirected(Some("shop.example.com"), "other.example.com", "localhost"));
        assert!(misdirected(Some("shop.example.com"), "blog.localhost", "localhost"));
        assert!(misdirected(Some("blog.localhost"), "shop.example.com", "localhost"));
        assert!(!misdirected(Some("blog.localhost"), "docs.localhost", "localhost"), "one wildcard covers both");
        assert!(!misdirected(None, "anything", "localhost"));
    }
}
