//! `netlify.toml`, as Netlify documents it (docs.netlify.com/configure-builds/file-based-configuration):
//! `[build]` (`base`, `command`, `publish`), `[context.production]`,
//! `[context.deploy-preview]`, `[context.branch-deploy]` and `[context.<branch>]` overriding
//! it, `[[redirects]]` (`from`, `to`, `status`, `force`, `query`, `conditions`, `headers` for
//! proxies, `rate_limit`) and `[[headers]]` (`for`, `[headers.values]`). Sections that are not routing or
//! build settings (plugins, functions, dev…) are left alone.

use crate::pattern::Pattern;
use crate::{Condition, HeaderRule, RateLimit, Rule, RuleError, check_header, check_status};
use serde::Deserialize;
use std::collections::BTreeMap;

const FILE: &str = "netlify.toml";

/// Build settings from `netlify.toml` (each optional: unset means "not said here").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BuildSettings {
    /// The folder the build runs in, relative to the repository.
    pub base: Option<String>,
    pub command: Option<String>,
    /// The folder that is published, relative to `base`.
    pub publish: Option<String>,
}

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    build: BuildSettings,
    #[serde(default)]
    context: BTreeMap<String, BuildSettings>,
    #[serde(default)]
    redirects: Vec<Redirect>,
    #[serde(default)]
    headers: Vec<Headers>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Redirect {
    from: String,
    to: String,
    status: Option<u16>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    query: BTreeMap<String, String>,
    #[serde(default)]
    conditions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    signed: Option<String>,
    #[serde(default)]
    rate_limit: Option<RateLimitTable>,
}

/// `[redirects.rate_limit]`, with Netlify's names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitTable {
    window_limit: i64,
    window_size: i64,
    #[serde(default)]
    aggregate_by: Option<Aggregate>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    algorithm: Option<String>,
}

/// `aggregate_by`: one key or a list.
#[derive(Deserialize)]
#[serde(untagged)]
enum Aggregate {
    One(String),
    Many(Vec<String>),
}

fn rate_limit(table: RateLimitTable) -> Result<RateLimit, String> {
    let window_limit = u32::try_from(table.window_limit)
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
        .ok_or("`rate_limit.window_limit` must be 1 to 1000000 requests")?;
    let window_secs = u32::try_from(table.window_size)
        .ok()
        .filter(|n| (1..=3_600).contains(n))
        .ok_or("`rate_limit.window_size` must be 1 to 3600 seconds")?;
    if let Some(algorithm) = table.algorithm.filter(|a| a != "sliding_window") {
        return Err(format!("`rate_limit.algorithm` `{algorithm}` is not one CloudDeck has (sliding_window)"));
    }
    let keys = match table.aggregate_by {
        None => vec!["domain".to_string()],
        Some(Aggregate::One(one)) => vec![one],
        Some(Aggregate::Many(many)) => many,
    };
    let (mut by_ip, mut by_domain) = (false, false);
    for key in &keys {
        match key.as_str() {
            "ip" => by_ip = true,
            "domain" => by_domain = true,
            other => return Err(format!("`rate_limit.aggregate_by` `{other}` is not `ip` or `domain`")),
        }
    }
    if !by_ip && !by_domain {
        return Err("`rate_limit.aggregate_by` names no key (`ip`, `domain`)".into());
    }
    let rewrite = match (table.action.as_deref().unwrap_or("rate_limit"), table.to) {
        ("rate_limit", None) => None,
        ("rate_limit", Some(_)) => return Err("`rate_limit.to` goes with `action = \"rewrite\"`".into()),
        ("rewrite", Some(to)) if to.starts_with('/') => Some(to),
        ("rewrite", _) => return Err("`action = \"rewrite\"` needs `to`, a path on the site".into()),
        (other, _) => return Err(format!("`rate_limit.action` `{other}` is not `rate_limit` or `rewrite`")),
    };
    Ok(RateLimit { window_limit, window_secs, by_ip, by_domain, rewrite })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Headers {
    #[serde(rename = "for")]
    path: String,
    #[serde(default)]
    values: BTreeMap<String, Values>,
}

/// A header's value, or several (each sent).
#[derive(Deserialize)]
#[serde(untagged)]
enum Values {
    One(String),
    Many(Vec<String>),
}

/// What `netlify.toml` says.
#[derive(Debug, Default)]
pub struct NetlifyToml {
    build: BuildSettings,
    contexts: BTreeMap<String, BuildSettings>,
    pub redirects: Vec<Rule>,
    pub headers: Vec<HeaderRule>,
}

fn error(line: usize, reason: impl Into<String>) -> RuleError {
    RuleError { file: FILE.into(), line, reason: reason.into() }
}

impl NetlifyToml {
    /// Parses the file; errors name what cannot be honoured.
    pub fn parse(text: &str) -> Result<NetlifyToml, Vec<RuleError>> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |span| text[..span.start.min(text.len())].lines().count().max(1));
            vec![error(line, format!("not valid TOML for netlify.toml: {}", e.message()))]
        })?;
        let mut errors = Vec::new();
        let mut parsed = NetlifyToml { build: file.build, contexts: file.context, ..NetlifyToml::default() };
        for (index, redirect) in file.redirects.into_iter().enumerate() {
            match rule(redirect) {
                Ok(rule) => parsed.redirects.push(rule),
                Err(reason) => errors.push(error(0, format!("[[redirects]] #{}: {reason}", index + 1))),
            }
        }
        for (index, headers) in file.headers.into_iter().enumerate() {
            let what = format!("[[headers]] #{}", index + 1);
            let built = Pattern::netlify(&headers.path).and_then(|pattern| {
                let mut list = Vec::new();
                for (name, values) in headers.values {
                    let values = match values {
                        Values::One(one) => vec![one],
                        Values::Many(many) => many,
                    };
                    for value in values {
                        // Multi-line TOML strings fold into one header line, as Netlify does.
                        let value =
                            value.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                        check_header(&name, &value)?;
                        list.push((name.clone(), value));
                    }
                }
                Ok(HeaderRule { pattern, headers: list, conditions: Vec::new() })
            });
            match built {
                Ok(rule) => parsed.headers.push(rule),
                Err(reason) => errors.push(error(0, format!("{what}: {reason}"))),
            }
        }
        if errors.is_empty() { Ok(parsed) } else { Err(errors) }
    }

    /// The build settings for a deploy: `[build]`, overridden by each of `contexts` that the
    /// file has, in order (`["production"]`, or `["deploy-preview", "<branch>"]`).
    pub fn build_for(&self, contexts: &[&str]) -> BuildSettings {
        let mut settings = self.build.clone();
        for name in contexts {
            if let Some(context) = self.contexts.get(*name) {
                settings.base = context.base.clone().or(settings.base);
                settings.command = context.command.clone().or(settings.command);
                settings.publish = context.publish.clone().or(settings.publish);
            }
        }
        settings
    }
}

fn rule(redirect: Redirect) -> Result<Rule, String> {
    let pattern = Pattern::netlify(&redirect.from)?;
    let status = redirect.status.unwrap_or(301);
    check_status(status)?;
    if redirect.signed.is_some() {
        return Err("`signed` proxies need Netlify's JWS secret, which CloudDeck does not have".into());
    }
    let mut conditions = Vec::new();
    for (key, values) in redirect.conditions {
        match key.to_ascii_lowercase().as_str() {
            "language" => conditions.push(Condition::Language(values)),
            "cookie" => conditions.push(Condition::Cookie(values)),
            "country" => return Err("`Country` needs geolocation, which CloudDeck's edge does not have".into()),
            "role" => return Err("`Role` needs Netlify Identity, which CloudDeck does not have".into()),
            other => return Err(format!("`{other}` is not a condition CloudDeck knows (Language, Cookie)")),
        }
    }
    for (name, value) in &redirect.headers {
        check_header(name, value)?;
    }
    let rate_limit = redirect.rate_limit.map(rate_limit).transpose()?;
    Ok(Rule {
        pattern,
        query: redirect.query.into_iter().collect(),
        destination: redirect.to,
        status,
        force: redirect.force,
        conditions,
        proxy_headers: redirect.headers.into_iter().collect(),
        rate_limit,
        file: FILE,
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn build_contexts_redirects_and_headers() {
        let parsed = NetlifyToml::parse(
            r#"
[build]
  base = "site"
  command = "npm run build"
  publish = "dist"
[context.production]
  command = "npm run build:prod"
[context.deploy-preview]
  publish = "preview-dist"
[[redirects]]
  from = "/posts/*"
  to = "/blog/:splat"
  status = 301
[[redirects]]
  from = "/search"
  to = "https://search.example.com/"
  status = 200
  query = { q = ":q" }
  headers = { X-From = "CloudDeck" }
[[headers]]
  for = "/*"
  [headers.values]
    X-Frame-Options = "DENY"
    Link = ["</a.css>; rel=preload", "</b.js>; rel=preload"]
[[plugins]]
  package = "@netlify/plugin-lighthouse"
"#,
        )
        .unwrap();
        assert_eq!(parsed.build_for(&["production"]).command.as_deref(), Some("npm run build:prod"));
        let preview = parsed.build_for(&["deploy-preview", "feature"]);
        assert_eq!((preview.publish.as_deref(), preview.base.as_deref()), (Some("preview-dist"), Some("site")));
        assert_eq!(parsed.redirects.len(), 2);
        assert_eq!(parsed.redirects[1].query, vec![("q".to_string(), ":q".to_string())]);
        assert_eq!(parsed.headers[0].headers.len(), 3);
    }

    #[test]
    fn what_cannot_be_honoured_is_refused() {
        let bad = NetlifyToml::parse("[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = 999\n").unwrap_err();
        assert!(bad[0].to_string().contains("[[redirects]] #1: status 999"));
        let syntax = NetlifyToml::parse("[build\ncommand = 1\n").unwrap_err();
        assert_eq!(syntax[0].line, 1);
        let typo = NetlifyToml::parse("[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstaus = 301\n").unwrap_err();
        assert!(typo[0].reason.contains("staus"), "{typo:?}");
    }
}
