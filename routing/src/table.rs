//! A site's rules compiled for serving. Each rule is filed under the one literal path it
//! matches, or under its first literal segment, or (when it starts with a placeholder) in a
//! short list every request looks at; a request looks only at the rules filed where its own
//! path leads, in the order the files wrote them, so its cost follows how many rules could
//! match it, not how many the site has.

use crate::netlify::{parse_headers, parse_redirects};
use crate::netlify_toml::NetlifyToml;
use crate::pattern::{Captures, fill, normalize};
use crate::{Condition, Field, HeaderRule, MAX_RULES, Rule, RuleError, encode_location, vercel};
use percent_encoding::percent_decode_str;
use std::collections::HashMap;

/// What the edge knows of a request, for matching.
pub struct Request<'a> {
    /// The decoded path, starting with `/`.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The `Host`, without a port.
    pub host: &'a str,
    pub headers: &'a http::HeaderMap,
}

/// What a rule says to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Answer `status` with a `Location` (encoded as a URI must be).
    Redirect { location: String, status: u16 },
    /// Show `path`'s content at the same URL with `status` (200, or 404, 410…).
    Rewrite { path: String, status: u16 },
    /// Answer with what `url` answers, with `headers` added to the request.
    Proxy { url: String, headers: Vec<(String, String)> },
}

/// Rule numbers filed by where their paths lead.
#[derive(Debug, Default)]
struct Index {
    exact: HashMap<String, Vec<u32>>,
    first: HashMap<String, Vec<u32>>,
    rest: Vec<u32>,
}

impl Index {
    fn add(&mut self, number: u32, pattern: &crate::Pattern) {
        if let Some(path) = pattern.literal() {
            self.exact.entry(path.to_string()).or_default().push(number);
        } else if let Some(first) = pattern.first_literal() {
            self.first.entry(first.to_string()).or_default().push(number);
        } else {
            self.rest.push(number);
        }
    }

    /// The rules that could match `path`, in file order.
    fn candidates(&self, path: &str) -> Vec<u32> {
        let exact = self.exact.get(&normalize(path)).map_or(&[][..], Vec::as_slice);
        let first_segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        let first = self.first.get(first_segment).map_or(&[][..], Vec::as_slice);
        let mut found: Vec<u32> = exact.iter().chain(first).chain(&self.rest).copied().collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// A site's routing, compiled.
#[derive(Debug, Default)]
pub struct Routes {
    rules: Vec<Rule>,
    index: Index,
    headers: Vec<HeaderRule>,
    header_index: Index,
    /// Vercel `cleanUrls`: `/about.html` redirects to `/about`.
    pub clean_urls: bool,
    /// Vercel `trailingSlash`: `Some(true)` adds one, `Some(false)` removes it; `None` leaves
    /// paths alone, except that a folder asked for without its slash is sent to it (as Netlify
    /// and Cloudflare do, so the page's relative links resolve).
    pub trailing_slash: Option<bool>,
    /// The rules with a rate limit, by number (few: looked at one by one).
    limited: Vec<u32>,
    bytes: usize,
}

impl Routes {
    /// Compiles a site's routing files, given as `(name, text)`: `_redirects`, `_headers`,
    /// `netlify.toml`, `vercel.json`. Every line that cannot be honoured is an error.
    pub fn parse(files: &[(&str, &str)]) -> Result<Routes, Vec<RuleError>> {
        let text = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        let mut headers = Vec::new();
        let mut routes = Routes::default();
        let mut collect = |result: Result<(), Vec<RuleError>>| {
            if let Err(mut found) = result {
                errors.append(&mut found);
            }
        };
        if let Some(text) = text("_redirects") {
            collect(parse_redirects(text).map(|found| rules.extend(found)));
        }
        if let Some(text) = text("_headers") {
            collect(parse_headers(text).map(|found| headers.extend(found)));
        }
        if let Some(text) = text("netlify.toml") {
            collect(NetlifyToml::parse(text).map(|toml| {
                rules.extend(toml.redirects);
                headers.extend(toml.headers);
            }));
        }
        if let Some(text) = text("vercel.json") {
            collect(vercel::parse(text).map(|config| {
                rules.extend(config.redirects);
                rules.extend(config.rewrites);
                headers.extend(config.headers);
                routes.clean_urls = config.clean_urls;
                routes.trailing_slash = config.trailing_slash;
            }));
        }
        if rules.len() + headers.len() > MAX_RULES {
            errors.push(RuleError {
                file: "_redirects".into(),
                line: 0,
                reason: format!("the site has {} rules: at most {MAX_RULES} are allowed", rules.len() + headers.len()),
            });
        }
        let limited = rules.iter().filter(|rule| rule.rate_limit.is_some()).count();
        if limited > crate::MAX_RATE_LIMITS {
            errors.push(RuleError {
                file: "netlify.toml".into(),
                line: 0,
                reason: format!(
                    "the site has {limited} rate-limited rules: at most {} are allowed",
                    crate::MAX_RATE_LIMITS
                ),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for (number, rule) in rules.iter().enumerate() {
            routes.index.add(number as u32, &rule.pattern);
            if rule.rate_limit.is_some() {
                routes.limited.push(number as u32);
            }
            routes.bytes += 256 + rule.destination.len();
        }
        for (number, rule) in headers.iter().enumerate() {
            routes.header_index.add(number as u32, &rule.pattern);
            routes.bytes += 256 + rule.headers.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>();
        }
        routes.rules = rules;
        routes.headers = headers;
        Ok(routes)
    }

    /// About how many bytes the table holds (for a cache bounded by memory).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.headers.is_empty() && !self.clean_urls && self.trailing_slash.is_none()
    }

    /// The first rule that applies to `request`; `file_exists` says whether the site has a
    /// file at the path, which shadows rules that are not forced.
    pub fn decide(&self, request: &Request<'_>, file_exists: bool) -> Option<Decision> {
        let query = parse_query(request.query);
        for number in self.index.candidates(request.path) {
            let rule = &self.rules[number as usize];
            if file_exists && !rule.force {
                continue;
            }
            let Some(mut captures) = rule.pattern.matches(request.path) else { continue };
            if !query_matches(&rule.query, &query, &mut captures)
                || !conditions_hold(&rule.conditions, request, &query, &mut captures)
            {
                continue;
            }
            return Some(decision(rule, fill(&rule.destination, &captures), request.query));
        }
        None
    }

    /// The rate limits that count `request`: every rule with one whose path, query and
    /// conditions match, whether or not a file shadows the rule (a limit counts requests,
    /// not what answers them); with the rule's number, which names its budget.
    pub fn rate_limits(&self, request: &Request<'_>) -> Vec<(u32, &crate::RateLimit)> {
        if self.limited.is_empty() {
            return Vec::new();
        }
        let query = parse_query(request.query);
        let mut found = Vec::new();
        for number in &self.limited {
            let rule = &self.rules[*number as usize];
            let Some(limit) = &rule.rate_limit else { continue };
            let Some(mut captures) = rule.pattern.matches(request.path) else { continue };
            if query_matches(&rule.query, &query, &mut captures)
                && conditions_hold(&rule.conditions, request, &query, &mut captures)
            {
                found.push((*number, limit));
            }
        }
        found
    }

    /// Every header the site's rules give `request`'s path, in order (a name may repeat).
    pub fn headers_for(&self, request: &Request<'_>) -> Vec<(String, String)> {
        let query = parse_query(request.query);
        let mut found = Vec::new();
        for number in self.header_index.candidates(request.path) {
            let rule = &self.headers[number as usize];
            let mut captures = Vec::new();
            if rule.pattern.matches(request.path).is_some()
                && conditions_hold(&rule.conditions, request, &query, &mut captures)
            {
                found.extend(rule.headers.iter().cloned());
            }
        }
        found
    }

    /// The canonical form of `path` under `cleanUrls` and `trailingSlash`, when it differs.
    pub fn canonical(&self, path: &str) -> Option<String> {
        let mut canonical = path.to_string();
        if self.clean_urls {
            if let Some(stripped) = canonical.strip_suffix("/index.html") {
                canonical = format!("{stripped}/");
            } else if let Some(stripped) = canonical.strip_suffix(".html") {
                canonical = stripped.to_string();
            }
        }
        let last = canonical.rsplit('/').next().unwrap_or_default();
        match self.trailing_slash {
            Some(true) if !canonical.ends_with('/') && !last.contains('.') => canonical.push('/'),
            Some(false) if canonical.len() > 1 && canonical.ends_with('/') => {
                canonical.pop();
            }
            _ => {}
        }
        (canonical != path).then_some(canonical)
    }
}

/// The query string as decoded pairs (`+` is a space, as forms write it).
fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// Netlify query matching: each key present, with the value given unless it is a
/// `:placeholder`, which captures it.
fn query_matches(wanted: &[(String, String)], query: &[(String, String)], captures: &mut Captures) -> bool {
    for (key, value) in wanted {
        let Some((_, given)) = query.iter().find(|(k, _)| k == key) else { return false };
        match value.strip_prefix(':') {
            Some(name) => captures.push((name.to_string(), given.clone())),
            None if value == given => {}
            None => return false,
        }
    }
    true
}

fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn conditions_hold(
    conditions: &[Condition],
    request: &Request<'_>,
    query: &[(String, String)],
    captures: &mut Captures,
) -> bool {
    conditions.iter().all(|condition| match condition {
        Condition::Language(languages) => {
            let accepted = request.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
            accepted.unwrap_or_default().split(',').any(|entry| {
                let tag = entry.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                languages.iter().any(|language| {
                    let language = language.to_ascii_lowercase();
                    tag == language || tag.starts_with(&format!("{language}-"))
                })
            })
        }
        Condition::Cookie(names) => names.iter().any(|name| cookie(request.headers, name).is_some()),
        Condition::Has { field, key, value, negate } => {
            let key = key.as_deref().unwrap_or_default();
            let found: Option<String> = match field {
                Field::Host => Some(request.host.to_ascii_lowercase()),
                Field::Header => request.headers.get(key).and_then(|v| v.to_str().ok()).map(str::to_string),
                Field::Cookie => cookie(request.headers, key).map(str::to_string),
                Field::Query => query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
            };
            let holds = match (&found, value) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(found), Some(pattern)) => match pattern.captures(found).ok().flatten() {
                    Some(groups) => {
                        if !negate {
                            for name in pattern.capture_names().flatten() {
                                if let Some(m) = groups.name(name) {
                                    captures.push((name.to_string(), m.as_str().to_string()));
                                }
                            }
                        }
                        true
                    }
                    None => false,
                },
            };
            holds != *negate
        }
    })
}

fn decision(rule: &Rule, destination: String, query: Option<&str>) -> Decision {
    let absolute = destination.starts_with("https://") || destination.starts_with("http://");
    // The request's query goes along, unless the destination has its own or the rule
    // matched on query parameters (Netlify's documented behaviour).
    let with_query = match query {
        Some(query) if !query.is_empty() && !destination.contains('?') && rule.query.is_empty() => {
            format!("{destination}?{query}")
        }
        _ => destination.clone(),
    };
    if (300..400).contains(&rule.status) {
        return Decision::Redirect { location: encode_location(&with_query), status: rule.status };
    }
    if absolute {
        return Decision::Proxy { url: encode_location(&with_query), headers: rule.proxy_headers.clone() };
    }
    let path = destination.split(['?', '#']).next().unwrap_or_default().to_string();
    Decision::Rewrite { path, status: rule.status }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn request<'a>(path: &'a str, query: Option<&'a str>, headers: &'a http::HeaderMap) -> Request<'a> {
        Request { path, query, host: "site.example.com", headers }
    }

    #[test]
    fn rate_limits_count_the_requests_their_rule_matches() {
        let toml = r#"
            [[redirects]]
            from = "/api/*"
            to = "/api/:splat"
            status = 200
            [redirects.rate_limit]
            window_limit = 10
            window_size = 60
            aggregate_by = ["ip", "domain"]

            [[redirects]]
            from = "/login"
            to = "/login.html"
            status = 200
            [redirects.rate_limit]
            window_limit = 3
            window_size = 1
            action = "rewrite"
            to = "/slow-down.html"
        "#;
        let routes = Routes::parse(&[("netlify.toml", toml)]).unwrap();
        let headers = http::HeaderMap::new();
        let limits = routes.rate_limits(&request("/api/users", None, &headers));
        assert_eq!(limits.len(), 1);
        let (number, limit) = limits[0];
        assert_eq!(number, 0);
        assert_eq!((limit.window_limit, limit.window_secs, limit.by_ip, limit.by_domain), (10, 60, true, true));
        let login = routes.rate_limits(&request("/login", None, &headers));
        assert_eq!(login[0].1.rewrite.as_deref(), Some("/slow-down.html"));
        assert!(!login[0].1.by_ip && login[0].1.by_domain, "the whole site's budget by default");
        assert!(routes.rate_limits(&request("/about", None, &headers)).is_empty());
    }

    #[test]
    fn a_rate_limit_that_cannot_be_honoured_is_refused_with_its_reason() {
        let with = |table: &str| {
            let toml = format!("[[redirects]]\nfrom = \"/*\"\nto = \"/\"\n[redirects.rate_limit]\n{table}\n");
            Routes::parse(&[("netlify.toml", &toml)]).map(|_| ()).map_err(|e| e[0].to_string())
        };
        assert!(with("window_limit = 5\nwindow_size = 10").is_ok());
        assert!(with("window_limit = 0\nwindow_size = 10").unwrap_err().contains("window_limit"));
        assert!(with("window_limit = 5\nwindow_size = 7200").unwrap_err().contains("window_size"));
        assert!(
            with("window_limit = 5\nwindow_size = 10\naggregate_by = [\"country\"]").unwrap_err().contains("country")
        );
        assert!(with("window_limit = 5\nwindow_size = 10\naction = \"rewrite\"").unwrap_err().contains("needs `to`"));
        assert!(with("window_limit = 5\nwindow_size = 10\nalgorithm = \"fixed\"").unwrap_err().contains("fixed"));
    }

    #[test]
    fn status_rules_query_rules_forced_rules_and_proxies() {
        let routes = Routes::parse(&[(
            "_redirects",
            "/store id=:id /products/:id 301\n/store /catalog.html 200\n/en/* /en/404.html 404\n\
             /old-shop/* /closed.html 410\n/docs/* /guide/:splat 301!\n/api/* https://api.example.com/v1/:splat 200\n\
             /fr/* /fr/index.html 200 Language=fr\n/* /index.html 200\n",
        )])
        .unwrap();
        let none = http::HeaderMap::new();
        let decide = |path, query, exists| routes.decide(&request(path, query, &none), exists);
        assert_eq!(
            decide("/store", Some("id=42&x=1"), false),
            Some(Decision::Redirect { location: "/products/42".into(), status: 301 })
        );
        assert_eq!(
            decide("/store", None, false),
            Some(Decision::Rewrite { path: "/catalog.html".into(), status: 200 })
        );
        assert_eq!(
            decide("/en/nope", None, false),
            Some(Decision::Rewrite { path: "/en/404.html".into(), status: 404 })
        );
        assert_eq!(decide("/en/", None, true), None, "a file shadows an unforced rule");
        assert_eq!(
            decide("/old-shop/item-7", None, false),
            Some(Decision::Rewrite { path: "/closed.html".into(), status: 410 })
        );
        assert_eq!(
            decide("/docs/a b", Some("v=2"), true),
            Some(Decision::Redirect { location: "/guide/a%20b?v=2".into(), status: 301 })
        );
        assert_eq!(
            decide("/api/users", Some("page=2"), false),
            Some(Decision::Proxy { url: "https://api.example.com/v1/users?page=2".into(), headers: vec![] })
        );
        let mut french = http::HeaderMap::new();
        french.insert(http::header::ACCEPT_LANGUAGE, "fr-CA,fr;q=0.9".parse().unwrap());
        assert_eq!(
            routes.decide(&request("/fr/x", None, &french), false),
            Some(Decision::Rewrite { path: "/fr/index.html".into(), status: 200 })
        );
        assert_eq!(decide("/fr/x", None, false), Some(Decision::Rewrite { path: "/index.html".into(), status: 200 }));
    }

    #[test]
    fn vercel_conditions_and_headers_with_repeated_names() {
        let routes = Routes::parse(&[
            (
                "vercel.json",
                r#"{ "redirects": [
                       { "source": "/:path*", "has": [{ "type": "host", "value": "www.example.com" }], "destination": "https://example.com/:path*", "permanent": true },
                       { "source": "/docs", "has": [{ "type": "query", "key": "version", "value": "(?<v>1)" }], "destination": "/docs-v:v", "permanent": false } ] }"#,
            ),
            ("_headers", "/\n  Link: </app.js>; rel=preload\n  Link: </site.css>; rel=preload\n/*\n  X-Frame-Options: DENY\n"),
        ])
        .unwrap();
        let none = http::HeaderMap::new();
        assert_eq!(routes.decide(&request("/about", None, &none), true), None, "another host: no redirect");
        let www = Request { path: "/about", query: None, host: "www.example.com", headers: &none };
        assert_eq!(
            routes.decide(&www, true),
            Some(Decision::Redirect { location: "https://example.com/about".into(), status: 308 })
        );
        assert_eq!(routes.decide(&request("/docs", None, &none), true), None);
        assert_eq!(
            routes.decide(&request("/docs", Some("version=1"), &none), true),
            Some(Decision::Redirect { location: "/docs-v1?version=1".into(), status: 307 })
        );
        let headers = routes.headers_for(&request("/", None, &none));
        assert_eq!(headers.iter().filter(|(n, _)| n == "Link").count(), 2);
        assert!(headers.contains(&("X-Frame-Options".into(), "DENY".into())));
    }

    #[test]
    fn a_request_looks_only_at_the_rules_its_path_can_match() {
        let many: String = (0..MAX_RULES - 1).map(|i| format!("/old/page-{i} /new/page-{i} 301\n")).collect();
        let routes = Routes::parse(&[("_redirects", &format!("{many}/blog/:slug /posts/:slug 302\n"))]).unwrap();
        assert_eq!(routes.index.candidates("/old/page-777").len(), 1);
        assert_eq!(routes.index.candidates("/blog/x").len(), 1);
        assert!(routes.index.candidates("/elsewhere").is_empty());
        let none = http::HeaderMap::new();
        assert_eq!(
            routes.decide(&request("/old/page-49998", None, &none), false),
            Some(Decision::Redirect { location: "/new/page-49998".into(), status: 301 })
        );
        let over: String = (0..=MAX_RULES).map(|i| format!("/a{i} /b 301\n")).collect();
        let refused = Routes::parse(&[("_redirects", &over)]).unwrap_err();
        assert!(refused[0].reason.contains("at most"));
    }
}
