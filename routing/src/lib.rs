//! The routing files sites bring, honoured as their platforms document them:
//!
//! - Netlify: `_redirects` (status rules, rewrites with 200/404/410, forced `!` rules,
//!   placeholders and splats, query-parameter matching, `Language=` and `Cookie=`
//!   conditions, proxies to absolute URLs, domain-level rules), `_headers` (a header named
//!   twice sends both values) and `netlify.toml` (`[[redirects]]`, `[[headers]]`, and
//!   `[build]` with its contexts), in Netlify's order: `_redirects` first, then
//!   `netlify.toml`.
//! - Vercel: `vercel.json` `redirects`, `rewrites` (external ones proxy) and `headers` with
//!   path-to-regexp sources and `has` / `missing` conditions, `cleanUrls`, `trailingSlash`.
//!
//! Parsing is strict: a line the edge cannot honour (a status outside 200–599, a condition it
//! cannot evaluate, a header it must not set, a JSON syntax error) is an error naming the file,
//! the line and the reason, and the deployment fails with it instead of serving a surprise.
//! Rules compile into a table that looks only at the rules that can match a path, so a site's
//! cost does not grow with its rule count (up to `MAX_RULES`). Pure: no I/O.

mod location;
mod netlify;
mod netlify_toml;
mod pattern;
mod table;
mod vercel;

pub use location::encode_location;
pub use netlify_toml::{BuildSettings, NetlifyToml};
pub use pattern::{Captures, Pattern};
pub use table::{Decision, Request, Routes};

/// The header the edge sets on purpose when it routes a host nowhere (`X-CloudDeck-Route:
/// none`, on its 404), so that a reader (the deployer's readiness check) can tell "not routed
/// yet" from a site's own 404 page without reading the page.
pub const ROUTE_HEADER: &str = "x-clouddeck-route";
/// [`ROUTE_HEADER`]'s value for a host that no deployment serves.
pub const ROUTE_NONE: &str = "none";
/// [`ROUTE_HEADER`]'s value on the edge's own 503 (catching up with the log, or without the
/// deployment's files): the platform is not ready, as opposed to a site's own 503.
pub const ROUTE_UNAVAILABLE: &str = "unavailable";

/// The most redirect and rewrite rules one site may have (`_redirects` and `netlify.toml`
/// together). A literal rule costs a hash lookup whatever the count; the limit bounds the
/// memory a site's table takes (about 200 bytes a rule).
pub const MAX_RULES: usize = 50_000;
/// The most `vercel.json` routes (redirects, rewrites and header rules together), Vercel's
/// own documented limit.
pub const MAX_VERCEL_ROUTES: usize = 2_048;
/// The most rules with a rate limit a site may have: each request is checked against every
/// one that matches its path, so they are few.
pub const MAX_RATE_LIMITS: usize = 100;
/// The largest routing file read, in bytes.
pub const MAX_FILE_BYTES: usize = 8 << 20;

/// The routing files a site holds, by name, as text.
pub const ROUTING_FILES: &[&str] = &["_redirects", "_headers", "netlify.toml", "vercel.json"];

/// Why a routing file cannot be honoured: the file, its line (0 when the format gives none)
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "`{}`: {}", self.file, self.reason)
        } else {
            write!(f, "`{}` line {}: {}", self.file, self.line, self.reason)
        }
    }
}

/// What a rule does, as the files say it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: Pattern,
    /// Netlify query-parameter matching: each key must be present (with this value when it is
    /// not a `:placeholder`, which captures it).
    pub query: Vec<(String, String)>,
    /// A path or an absolute URL, with `:name` / `$1` references.
    pub destination: String,
    /// 3xx redirects; anything else shows the destination with that status (200 a rewrite,
    /// 404 or 410 a page), or proxies to it when it is an absolute URL.
    pub status: u16,
    /// Applies even when a file exists at the path.
    pub force: bool,
    pub conditions: Vec<Condition>,
    /// Headers sent to a proxied service (`netlify.toml` `headers`).
    pub proxy_headers: Vec<(String, String)>,
    /// A rate limit on the requests this rule matches (`netlify.toml` `rate_limit`).
    pub rate_limit: Option<RateLimit>,
    /// Where the rule was written.
    pub file: &'static str,
    pub line: usize,
}

/// A site's own rate limit on the requests a rule matches, as Netlify's code-based rules
/// have it (`[redirects.rate_limit]`: `window_limit` requests per `window_size` seconds,
/// counted per `aggregate_by` key; docs.netlify.com/security/secure-access-to-sites/rate-limiting).
/// The edge counts with a token bucket of `window_limit` refilled over `window_size` (GCRA),
/// which allows what a sliding window allows and spreads the refill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window, 1 to 1,000,000.
    pub window_limit: u32,
    /// The window, in seconds, 1 to 3,600.
    pub window_secs: u32,
    /// Counted per client address (`"ip"`).
    pub by_ip: bool,
    /// Counted per host asked for (`"domain"`, the default: one budget for the whole site).
    pub by_domain: bool,
    /// `action = "rewrite"`: the path shown (with status 429) instead of a plain 429.
    pub rewrite: Option<String>,
}

/// Which part of a request a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Host,
    Header,
    Cookie,
    Query,
}

/// A condition a rule needs besides its path.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Netlify `Language=en,de`: the request's `Accept-Language` names one of them.
    Language(Vec<String>),
    /// Netlify `Cookie=a,b`: the request carries one of these cookies.
    Cookie(Vec<String>),
    /// Vercel `has` (or, with `negate`, `missing`): the field (by key, except the host) is
    /// present, and its value matches when a pattern is given; named groups are captured.
    Has { field: Field, key: Option<String>, value: Option<fancy_regex::Regex>, negate: bool },
}

/// A header rule: the headers every matching path gets, in order.
#[derive(Debug, Clone)]
pub struct HeaderRule {
    pub pattern: Pattern,
    pub headers: Vec<(String, String)>,
    pub conditions: Vec<Condition>,
}

/// Headers a site may not set: they frame the message or belong to one hop.
const FORBIDDEN_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authenticate",
    "proxy-authorization",
    "host",
    "content-encoding",
    ROUTE_HEADER,
];

/// Checks a header a rule sets: a valid HTTP name and value, not one the edge owns.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("`{name}` is not a header name"));
    }
    if FORBIDDEN_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("`{name}` is set by the edge itself and cannot be set by a rule"));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(format!("the value of `{name}` has characters a header cannot carry"));
    }
    Ok(())
}

/// Checks a rule's status: Netlify and Vercel take 200–599.
fn check_status(status: u16) -> Result<(), String> {
    if (200..=599).contains(&status) { Ok(()) } else { Err(format!("status {status} is not between 200 and 599")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site cannot forge the edge's "routed nowhere" marker (which the deployer's readiness
    /// check trusts) or the headers that frame a message, in any case.
    #[test]
    fn a_rule_cannot_set_the_edges_own_headers() {
        for name in [ROUTE_HEADER, "X-CloudDeck-Route", "Content-Length", "transfer-encoding", "Host"] {
            let refused = check_header(name, ROUTE_NONE).unwrap_err();
            assert!(refused.contains("set by the edge itself"), "{name}: {refused}");
        }
        assert!(check_header("X-Frame-Options", "DENY").is_ok());
    }
}
