//! The routing files sites already have, honoured unchanged: Netlify's `_redirects` and
//! `_headers`, and `vercel.json` (redirects, rewrites, headers, cleanUrls, trailingSlash).
//! Parsing and matching are pure; unreadable lines are skipped, as those hosts do.

use serde::Deserialize;

/// A path pattern: literal segments, `:name` for one segment, and at the end `*`, `:name*`
/// or `(.*)` for the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Rest(String),
}

impl Pattern {
    pub fn parse(source: &str) -> Pattern {
        let segments = source
            .trim_start_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s {
                "*" | "(.*)" => Segment::Rest("splat".into()),
                s if s.starts_with(':') && (s.ends_with('*') || s.ends_with("(.*)")) => {
                    Segment::Rest(s.trim_start_matches(':').trim_end_matches("(.*)").trim_end_matches('*').into())
                }
                s if s.starts_with(':') => Segment::Param(s[1..].into()),
                s => Segment::Literal(s.into()),
            })
            .collect();
        Pattern { segments }
    }

    /// The named captures when `path` matches.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let mut captures = Vec::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Rest(name) => {
                    captures.push((name.clone(), parts.get(i..).unwrap_or_default().join("/")));
                    return Some(captures);
                }
                Segment::Literal(text) => {
                    if parts.get(i) != Some(&text.as_str()) {
                        return None;
                    }
                }
                Segment::Param(name) => captures.push((name.clone(), parts.get(i)?.to_string())),
            }
        }
        (parts.len() == self.segments.len()).then_some(captures)
    }
}

fn fill(destination: &str, captures: &[(String, String)]) -> String {
    let mut out = destination.to_string();
    for (name, value) in captures {
        out = out.replace(&format!(":{name}*"), value).replace(&format!(":{name}"), value);
        if name == "splat" {
            out = out.replace("$1", value);
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub from: Pattern,
    pub to: String,
    /// 200 is a rewrite: serve `to` at the same URL.
    pub status: u16,
    /// Applies even when a file exists at the path (`!` in `_redirects`, Vercel redirects).
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    pub path: Pattern,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub redirects: Vec<Redirect>,
    pub headers: Vec<HeaderRule>,
    pub clean_urls: bool,
    pub trailing_slash: Option<bool>,
}

/// What a rule says to do with a request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Redirect { location: String, status: u16 },
    Rewrite { path: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VercelJson {
    #[serde(default)]
    redirects: Vec<VercelRoute>,
    #[serde(default)]
    rewrites: Vec<VercelRoute>,
    #[serde(default)]
    headers: Vec<VercelHeaders>,
    #[serde(default)]
    clean_urls: bool,
    trailing_slash: Option<bool>,
}

#[derive(Deserialize)]
struct VercelRoute {
    source: String,
    destination: String,
    #[serde(default)]
    permanent: Option<bool>,
    #[serde(default, rename = "statusCode")]
    status_code: Option<u16>,
}

#[derive(Deserialize)]
struct VercelHeaders {
    source: String,
    headers: Vec<VercelHeader>,
}

#[derive(Deserialize)]
struct VercelHeader {
    key: String,
    value: String,
}

impl Rules {
    pub fn add_netlify_redirects(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (Some(from), Some(to)) = (words.first(), words.get(1)) else { continue };
            let (status, force) = match words.get(2) {
                Some(code) => (code.trim_end_matches('!').parse().unwrap_or(301), code.ends_with('!')),
                None => (301, false),
            };
            self.redirects.push(Redirect { from: Pattern::parse(from), to: to.to_string(), status, force });
        }
    }

    pub fn add_netlify_headers(&mut self, text: &str) {
        for line in text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
            if !line.starts_with(char::is_whitespace) {
                self.headers.push(HeaderRule { path: Pattern::parse(line.trim()), headers: Vec::new() });
            } else if let (Some(rule), Some((key, value))) = (self.headers.last_mut(), line.trim().split_once(':')) {
                rule.headers.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
    }

    /// Ignores a vercel.json it cannot read, as a missing one.
    pub fn add_vercel_json(&mut self, text: &str) {
        let Ok(config) = serde_json::from_str::<VercelJson>(text) else { return };
        for route in config.redirects {
            let status = route.status_code.unwrap_or(if route.permanent.unwrap_or(true) { 308 } else { 307 });
            self.redirects.push(Redirect {
                from: Pattern::parse(&route.source),
                to: route.destination,
                status,
                force: true,
            });
        }
        for route in config.rewrites {
            self.redirects.push(Redirect {
                from: Pattern::parse(&route.source),
                to: route.destination,
                status: 200,
                force: false,
            });
        }
        for rule in config.headers {
            let headers = rule.headers.into_iter().map(|h| (h.key, h.value)).collect();
            self.headers.push(HeaderRule { path: Pattern::parse(&rule.source), headers });
        }
        self.clean_urls |= config.clean_urls;
        self.trailing_slash = config.trailing_slash.or(self.trailing_slash);
    }

    /// The first rule for `path`; `file_exists` says whether the site has a file there, which
    /// shadows rules that are not forced.
    pub fn action(&self, path: &str, file_exists: bool) -> Option<Action> {
        for rule in &self.redirects {
            if file_exists && !rule.force {
                continue;
            }
            if let Some(captures) = rule.from.matches(path) {
                let to = fill(&rule.to, &captures);
                return Some(if rule.status == 200 {
                    Action::Rewrite { path: to }
                } else {
                    Action::Redirect { location: to, status: rule.status }
                });
            }
        }
        None
    }

    /// The canonical form of `path` under cleanUrls and trailingSlash, when it differs.
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

    pub fn headers_for(&self, path: &str) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|rule| rule.path.matches(path).is_some())
            .flat_map(|rule| rule.headers.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlify_redirects_with_splats_placeholders_rewrites_and_force() {
        let mut rules = Rules::default();
        rules.add_netlify_redirects(
            "# comment\n/old /new\n/blog/:year/:slug /posts/:slug 302\n/docs/* /guide/:splat 301!\n/app/* /app/index.html 200\nbroken\n",
        );
        assert_eq!(rules.action("/old", false), Some(Action::Redirect { location: "/new".into(), status: 301 }));
        assert_eq!(rules.action("/old", true), None, "a file shadows an unforced rule");
        assert_eq!(
            rules.action("/blog/2024/hello", false),
            Some(Action::Redirect { location: "/posts/hello".into(), status: 302 })
        );
        assert_eq!(
            rules.action("/docs/a/b", true),
            Some(Action::Redirect { location: "/guide/a/b".into(), status: 301 })
        );
        assert_eq!(rules.action("/app/settings/me", false), Some(Action::Rewrite { path: "/app/index.html".into() }));
        assert_eq!(rules.action("/blog/2024", false), None);
    }

    #[test]
    fn netlify_headers_by_path() {
        let mut rules = Rules::default();
        rules.add_netlify_headers("/*\n  X-Frame-Options: DENY\n/assets/*\n  Cache-Control: public, max-age=60\n");
        assert_eq!(rules.headers_for("/index.html"), vec![("X-Frame-Options".to_string(), "DENY".to_string())]);
        assert_eq!(rules.headers_for("/assets/a.js").len(), 2);
    }

    #[test]
    fn vercel_json_routes_and_url_shapes() {
        let mut rules = Rules::default();
        rules.add_vercel_json(
            r#"{ "redirects": [{ "source": "/old/:path*", "destination": "/new/:path*", "permanent": false }],
                 "rewrites": [{ "source": "/api/(.*)", "destination": "/api.html" }],
                 "headers": [{ "source": "/(.*)", "headers": [{ "key": "X-Robots-Tag", "value": "noindex" }] }],
                 "cleanUrls": true, "trailingSlash": false }"#,
        );
        assert_eq!(rules.action("/old/a/b", true), Some(Action::Redirect { location: "/new/a/b".into(), status: 307 }));
        assert_eq!(rules.action("/api/users", false), Some(Action::Rewrite { path: "/api.html".into() }));
        assert_eq!(rules.headers_for("/x"), vec![("X-Robots-Tag".to_string(), "noindex".to_string())]);
        assert_eq!(rules.canonical("/about.html"), Some("/about".into()));
        assert_eq!(rules.canonical("/about/"), Some("/about".into()));
        assert_eq!(rules.canonical("/about"), None);
        rules.add_vercel_json("not json");
        assert!(rules.clean_urls, "a broken file changes nothing");
    }
}
