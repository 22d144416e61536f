//! `vercel.json`'s routing, as Vercel documents it (vercel.com/docs/project-configuration):
//! `redirects` (`permanent` → 308 or 307, or `statusCode` 301/302/303/307/308), `rewrites`
//! (an absolute destination proxies), `headers`, each with a path-to-regexp `source` and
//! `has` / `missing` conditions on the host, a header, a cookie or a query parameter;
//! `cleanUrls` and `trailingSlash`. Other keys of the file (builds, functions, env…) are not
//! routing and are left alone; the legacy `routes` key is refused, as is anything malformed.

use crate::pattern::Pattern;
use crate::{Condition, Field, HeaderRule, MAX_VERCEL_ROUTES, Rule, RuleError, check_header};
use serde::Deserialize;

const FILE: &str = "vercel.json";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VercelJson {
    #[serde(default)]
    redirects: Vec<Route>,
    #[serde(default)]
    rewrites: Vec<Route>,
    #[serde(default)]
    headers: Vec<Headers>,
    #[serde(default)]
    clean_urls: bool,
    trailing_slash: Option<bool>,
    routes: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Route {
    source: String,
    destination: String,
    permanent: Option<bool>,
    status_code: Option<u16>,
    #[serde(default)]
    has: Vec<Match>,
    #[serde(default)]
    missing: Vec<Match>,
    #[serde(default)]
    base_path: Option<bool>,
    #[serde(default)]
    locale: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Headers {
    source: String,
    headers: Vec<Header>,
    #[serde(default)]
    has: Vec<Match>,
    #[serde(default)]
    missing: Vec<Match>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Match {
    #[serde(rename = "type")]
    kind: String,
    key: Option<String>,
    value: Option<String>,
}

/// A site's `vercel.json` routing.
#[derive(Debug, Default)]
pub struct Vercel {
    pub redirects: Vec<Rule>,
    pub rewrites: Vec<Rule>,
    pub headers: Vec<HeaderRule>,
    pub clean_urls: bool,
    pub trailing_slash: Option<bool>,
}

fn error(reason: impl Into<String>) -> RuleError {
    RuleError { file: FILE.into(), line: 0, reason: reason.into() }
}

fn conditions(has: Vec<Match>, missing: Vec<Match>, what: &str) -> Result<Vec<Condition>, String> {
    let mut out = Vec::new();
    for (matches, negate) in [(has, false), (missing, true)] {
        for found in matches {
            let field = match found.kind.as_str() {
                "host" => Field::Host,
                "header" => Field::Header,
                "cookie" => Field::Cookie,
                "query" => Field::Query,
                other => {
                    return Err(format!("{what}: `{other}` is not a condition type (host, header, cookie, query)"));
                }
            };
            if field != Field::Host && found.key.is_none() {
                return Err(format!("{what}: a `{}` condition needs a `key`", found.kind));
            }
            if field == Field::Host && found.value.is_none() {
                return Err(format!("{what}: a `host` condition needs a `value`"));
            }
            let value = match found.value {
                Some(value) => Some(
                    fancy_regex::Regex::new(&format!("^(?:{value})$"))
                        .map_err(|e| format!("{what}: `{value}` is not a valid pattern: {e}"))?,
                ),
                None => None,
            };
            out.push(Condition::Has { field, key: found.key, value, negate });
        }
    }
    Ok(out)
}

/// Parses `vercel.json`; errors give the JSON's line where there is one.
pub fn parse(text: &str) -> Result<Vercel, Vec<RuleError>> {
    let config: VercelJson = serde_json::from_str(text).map_err(|e| {
        vec![RuleError { file: FILE.into(), line: e.line(), reason: format!("not valid JSON for vercel.json: {e}") }]
    })?;
    let mut errors = Vec::new();
    if config.routes.is_some() {
        errors.push(error("the legacy `routes` key is not supported: use `redirects`, `rewrites` and `headers`"));
    }
    let count = config.redirects.len() + config.rewrites.len() + config.headers.len();
    if count > MAX_VERCEL_ROUTES {
        errors.push(error(format!("{count} routes: at most {MAX_VERCEL_ROUTES} are allowed")));
        return Err(errors);
    }
    let mut out = Vercel { clean_urls: config.clean_urls, trailing_slash: config.trailing_slash, ..Vercel::default() };
    for (index, route) in config.redirects.into_iter().enumerate() {
        let what = format!("redirects[{index}]");
        let status = match (route.status_code, route.permanent) {
            (Some(code), _) if [301, 302, 303, 307, 308].contains(&code) => code,
            (Some(code), _) => {
                errors.push(error(format!("{what}: statusCode {code} is not a redirect (301, 302, 303, 307, 308)")));
                continue;
            }
            (None, Some(false)) => 307,
            (None, _) => 308,
        };
        match rule(route, status, true, &what) {
            Ok(rule) => out.redirects.push(rule),
            Err(reason) => errors.push(error(reason)),
        }
    }
    for (index, route) in config.rewrites.into_iter().enumerate() {
        let what = format!("rewrites[{index}]");
        if route.status_code.is_some() || route.permanent.is_some() {
            errors.push(error(format!("{what}: a rewrite takes no statusCode or permanent")));
            continue;
        }
        match rule(route, 200, false, &what) {
            Ok(rule) => out.rewrites.push(rule),
            Err(reason) => errors.push(error(reason)),
        }
    }
    for (index, headers) in config.headers.into_iter().enumerate() {
        let what = format!("headers[{index}]");
        let parsed = Pattern::vercel(&headers.source).and_then(|pattern| {
            for header in &headers.headers {
                check_header(&header.key, &header.value).map_err(|e| format!("{what}: {e}"))?;
            }
            let conditions = conditions(headers.has, headers.missing, &what)?;
            let headers = headers.headers.into_iter().map(|h| (h.key, h.value)).collect();
            Ok(HeaderRule { pattern, headers, conditions })
        });
        match parsed {
            Ok(rule) => out.headers.push(rule),
            Err(reason) => errors.push(error(reason)),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn rule(route: Route, status: u16, force: bool, what: &str) -> Result<Rule, String> {
    let pattern = Pattern::vercel(&route.source).map_err(|e| format!("{what}: {e}"))?;
    if !(route.destination.starts_with('/')
        || route.destination.starts_with("https://")
        || route.destination.starts_with("http://"))
    {
        return Err(format!("{what}: destination `{}` must be a path or an http(s) URL", route.destination));
    }
    let _ = (route.base_path, route.locale);
    Ok(Rule {
        pattern,
        query: Vec::new(),
        destination: route.destination,
        status,
        force,
        conditions: conditions(route.has, route.missing, what)?,
        proxy_headers: Vec::new(),
        rate_limit: None,
        file: FILE,
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn redirects_rewrites_headers_and_conditions() {
        let parsed = parse(
            r#"{ "redirects": [
                   { "source": "/:path((?!uk/).*)", "has": [{ "type": "host", "value": "www.example.com" }], "destination": "https://example.com/:path", "permanent": true },
                   { "source": "/old", "destination": "/new", "statusCode": 302 } ],
                 "rewrites": [{ "source": "/api/:path*", "destination": "https://api.example.com/:path*" }],
                 "headers": [{ "source": "/(.*)", "headers": [{ "key": "X-Frame-Options", "value": "DENY" }] }],
                 "cleanUrls": true, "builds": [] }"#,
        )
        .unwrap();
        assert_eq!(parsed.redirects.iter().map(|r| r.status).collect::<Vec<_>>(), [308, 302]);
        assert_eq!(parsed.redirects[0].conditions.len(), 1);
        assert_eq!(parsed.rewrites[0].status, 200);
        assert!(parsed.clean_urls);
    }

    #[test]
    fn a_broken_file_fails_with_a_clear_message() {
        let trailing =
            parse("{ \"redirects\": [\n  { \"source\": \"/a\", \"destination\": \"/b\" },\n] }").unwrap_err();
        assert_eq!(trailing[0].line, 3, "{trailing:?}");
        assert!(trailing[0].to_string().contains("not valid JSON"));
        let status =
            parse(r#"{ "redirects": [{ "source": "/a", "destination": "/b", "statusCode": 999 }] }"#).unwrap_err();
        assert!(status[0].reason.contains("statusCode 999"));
        let legacy = parse(r#"{ "routes": [{ "src": "/a", "dest": "/b" }] }"#).unwrap_err();
        assert!(legacy[0].reason.contains("legacy"));
        let typo = parse(r#"{ "redirects": [{ "source": "/a", "destinaton": "/b" }] }"#).unwrap_err();
        assert!(typo[0].reason.contains("destinaton") || typo[0].reason.contains("destination"), "{typo:?}");
        let condition = parse(
            r#"{ "rewrites": [{ "source": "/a", "destination": "/b", "has": [{ "type": "geo", "key": "x" }] }] }"#,
        )
        .unwrap_err();
        assert!(condition[0].reason.contains("geo"));
    }
}
