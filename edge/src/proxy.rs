//! Proxying to an absolute URL (a Netlify rule with status 200, a Vercel external rewrite):
//! the request goes to that service and its answer comes back at the site's own URL,
//! streamed both ways, with `X-Forwarded-For`, `-Host` and `-Proto`.
//!
//! The URL is a tenant's, so it reaches only where the egress policy allows: a name is
//! resolved and every address checked before connecting (the resolver below is the only one
//! the client has, so a name cannot resolve elsewhere afterwards), an address literal is
//! checked directly, redirects are not followed, and no proxy setting of the host is used. An
//! unreachable or refused service is a 502, one that does not answer in time a 504, each
//! with a short text saying which.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clouddeck_egress::EgressPolicy;
use futures::TryStreamExt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the body may stall, either way.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers that belong to one hop, never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] =
    &["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"];

/// The address the egress policy refused, carried through the client's error.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves names and refuses those leading where tenants may not go.
struct CheckedResolver {
    policy: EgressPolicy,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for address in &found {
                if let Err(denied) = policy.check(address.ip()) {
                    return Err(Box::new(Refused(format!("{host} resolves to {denied}"))) as _);
                }
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The edge's client for proxied requests.
#[derive(Clone)]
pub struct Proxy {
    client: reqwest::Client,
    policy: EgressPolicy,
    /// How long the service may take to answer with its status and headers.
    answer_timeout: Duration,
}

impl Proxy {
    pub fn new(policy: EgressPolicy, answer_timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(CheckedResolver { policy: policy.clone() }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(STALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        Proxy { client, policy, answer_timeout }
    }

    /// Sends the request to `url` and answers with what it answers.
    pub async fn forward(
        &self,
        url: &str,
        extra: &[(String, String)],
        request: axum::extract::Request,
        client: Option<IpAddr>,
        scheme: &str,
    ) -> Response {
        let target = match reqwest::Url::parse(url) {
            Ok(target) => target,
            Err(_) => return bad_gateway(&format!("the proxy rule's target `{url}` is not a URL")),
        };
        if let Some(literal) = target.host_str().and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok())
            && let Err(denied) = self.policy.check(literal)
        {
            return bad_gateway(&format!("the proxy target is refused: {denied}"));
        }
        let (parts, body) = request.into_parts();
        let mut headers = forwardable(&parts.headers);
        let host = parts.headers.get(header::HOST).cloned();
        let prior = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).map(str::to_string);
        let forwarded_for = match (prior, client) {
            (Some(prior), Some(ip)) => Some(format!("{prior}, {ip}")),
            (None, Some(ip)) => Some(ip.to_string()),
            (prior, None) => prior,
        };
        for (name, value) in [
            ("x-forwarded-for", forwarded_for),
            ("x-forwarded-proto", Some(scheme.to_string())),
            ("x-forwarded-host", host.and_then(|h| h.to_str().ok().map(str::to_string))),
        ] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        for (name, value) in extra {
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                headers.append(name, value);
            }
        }
        let body = reqwest::Body::wrap_stream(body.into_data_stream());
        let sent = self.client.request(parts.method, target).headers(headers).body(body).send();
        let answer = match tokio::time::timeout(self.answer_timeout, sent).await {
            Err(_) => {
                let text =
                    format!("504: the proxied service did not answer within {} s\n", self.answer_timeout.as_secs());
                return (StatusCode::GATEWAY_TIMEOUT, text).into_response();
            }
            Ok(Err(e)) => return bad_gateway(&describe(&e)),
            Ok(Ok(answer)) => answer,
        };
        let status = answer.status();
        let mut answer_headers = forwardable(answer.headers());
        // The edge's own marker, which the deployer's readiness check trusts: a proxied
        // service must not set it (it would hold a deployment waiting for the platform).
        answer_headers.remove(clouddeck_routing::ROUTE_HEADER);
        let stream = answer.bytes_stream().map_err(std::io::Error::other);
        let mut response = Response::new(Body::from_stream(stream));
        *response.status_mut() = status;
        *response.headers_mut() = answer_headers;
        response
    }
}

/// `headers` less what belongs to one hop (and what `Connection` names).
fn forwardable(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut kept = HeaderMap::new();
    for (name, value) in headers {
        let lower = name.as_str();
        if !HOP_BY_HOP.contains(&lower) && !named.iter().any(|n| n == lower) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// What went wrong reaching the service, without internals: the refusal, or the kind.
fn describe(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return format!("the proxy target is refused: {refused}");
        }
        source = current.source();
    }
    if error.is_timeout() {
        "the proxied service timed out".into()
    } else if error.is_connect() {
        "the proxied service could not be reached".into()
    } else {
        "the proxied service's answer could not be read".into()
    }
}

fn bad_gateway(reason: &str) -> Response {
    (StatusCode::BAD_GATEWAY, format!("502: {reason}\n")).into_response()
}
