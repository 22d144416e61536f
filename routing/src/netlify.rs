//! Netlify's `_redirects` and `_headers`, as Netlify documents them
//! (docs.netlify.com/routing/redirects/redirect-options, …/custom-headers).
//!
//! `_redirects`: one rule a line, `FROM [key=value …] TO [STATUS[!]] [Condition=values …]`.
//! FROM is a path (or an absolute URL: a domain-level rule); the `key=value` words between it
//! and TO match query parameters (`id=:id` captures); TO is a path or an absolute URL; STATUS
//! defaults to 301, `!` forces the rule over an existing file. Conditions the edge can
//! evaluate are `Language=` and `Cookie=`; `Country=` and `Role=` need geolocation and
//! Netlify Identity, which CloudDeck does not have, and are refused.
//!
//! `_headers`: a path line, then indented `Name: value` lines for it.

use crate::pattern::Pattern;
use crate::{Condition, Field, HeaderRule, Rule, RuleError, check_header, check_status};

const REDIRECTS: &str = "_redirects";
const HEADERS: &str = "_headers";

fn error(file: &str, line: usize, reason: impl Into<String>) -> RuleError {
    RuleError { file: file.into(), line, reason: reason.into() }
}

/// A FROM that is an absolute URL: its path, and a condition on its host.
fn from_pattern(from: &str) -> Result<(Pattern, Option<Condition>), String> {
    for scheme in ["https://", "http://"] {
        if let Some(rest) = from.strip_prefix(scheme) {
            let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
            let value = fancy_regex::Regex::new(&format!("^{}$", fancy_regex::escape(&host.to_ascii_lowercase())))
                .map_err(|e| e.to_string())?;
            let condition = Condition::Has { field: Field::Host, key: None, value: Some(value), negate: false };
            return Ok((Pattern::netlify(&path)?, Some(condition)));
        }
    }
    Ok((Pattern::netlify(from)?, None))
}

fn is_destination(word: &str) -> bool {
    word.starts_with('/') || word.starts_with("https://") || word.starts_with("http://")
}

/// Parses `_redirects`: the rules, or every line that cannot be honoured.
pub fn parse_redirects(text: &str) -> Result<Vec<Rule>, Vec<RuleError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_redirect(line, number) {
            Ok(rule) => rules.push(rule),
            Err(reason) => errors.push(error(REDIRECTS, number, reason)),
        }
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

fn parse_redirect(line: &str, number: usize) -> Result<Rule, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (pattern, host) = from_pattern(words[0])?;
    let mut rest = words[1..].iter().copied();
    let mut query = Vec::new();
    let destination = loop {
        match rest.next() {
            Some(word) if is_destination(word) => break word.to_string(),
            Some(word) => match word.split_once('=') {
                Some((key, value)) if !key.is_empty() => query.push((key.to_string(), value.to_string())),
                _ => return Err(format!("`{word}` is neither a query parameter (`key=value`) nor a destination")),
            },
            None => return Err("the rule has no destination (a path starting with `/`, or a URL)".into()),
        }
    };
    let mut status = 301;
    let mut force = false;
    let mut conditions: Vec<Condition> = host.into_iter().collect();
    for word in rest {
        if word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let code = word.strip_suffix('!').unwrap_or(word);
            force = word.ends_with('!');
            status = code.parse().map_err(|_| format!("`{word}` is not a status code"))?;
            check_status(status)?;
            continue;
        }
        let Some((key, values)) = word.split_once('=') else {
            return Err(format!("`{word}` is not a status or a condition (`Language=en`)"));
        };
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        match key.to_ascii_lowercase().as_str() {
            "language" => conditions.push(Condition::Language(values)),
            "cookie" => conditions.push(Condition::Cookie(values)),
            "country" => return Err("`Country=` needs geolocation, which CloudDeck's edge does not have".into()),
            "role" => return Err("`Role=` needs Netlify Identity, which CloudDeck does not have".into()),
            other => return Err(format!("`{other}=` is not a condition CloudDeck knows (Language, Cookie)")),
        }
    }
    Ok(Rule {
        pattern,
        query,
        destination,
        status,
        force,
        conditions,
        proxy_headers: Vec::new(),
        rate_limit: None,
        file: REDIRECTS,
        line: number,
    })
}

/// Parses `_headers`: the header rules, or every line that cannot be honoured.
pub fn parse_headers(text: &str) -> Result<Vec<HeaderRule>, Vec<RuleError>> {
    let mut rules: Vec<HeaderRule> = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !raw.starts_with(char::is_whitespace) {
            match from_pattern(line) {
                Ok((pattern, host)) => {
                    rules.push(HeaderRule { pattern, headers: Vec::new(), conditions: host.into_iter().collect() })
                }
                Err(reason) => errors.push(error(HEADERS, number, reason)),
            }
            continue;
        }
        let Some(rule) = rules.last_mut() else {
            errors.push(error(HEADERS, number, "a header comes before any path"));
            continue;
        };
        let Some((name, value)) = line.split_once(':') else {
            errors.push(error(HEADERS, number, format!("`{line}` is not `Name: value`")));
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        match check_header(name, value) {
            // A name given twice sends both values, in order.
            Ok(()) => rule.headers.push((name.to_string(), value.to_string())),
            Err(reason) => errors.push(error(HEADERS, number, reason)),
        }
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_documented_form_parses() {
        let rules = parse_redirects(
            "# comment\n\
             /old /new\n\
             /store id=:id /products/:id 301\n\
             /en/* /en/404.html 404\n\
             /shop/* /closed.html 410!\n\
             /api/* https://api.example.com/:splat 200\n\
             /fr/* /fr/index.html 200 Language=fr,fr-ca Cookie=beta\n\
             https://old.example.com/* https://new.example.com/:splat 301!\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 7);
        assert_eq!((rules[0].status, rules[0].force), (301, false));
        assert_eq!(rules[1].query, vec![("id".to_string(), ":id".to_string())]);
        assert_eq!((rules[3].status, rules[3].force), (410, true));
        assert_eq!(rules[4].destination, "https://api.example.com/:splat");
        assert_eq!(rules[5].conditions.len(), 2);
        assert_eq!(rules[6].line, 8);
    }

    #[test]
    fn what_the_edge_cannot_honour_is_named_by_line() {
        let errors = parse_redirects(
            "/ok /fine\n/a /b 999\n/c /d 301 Country=us\n/e\n/f /g Role=admin\n/h /i 301 Weird=1\nnot-a-path /x\n",
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
        assert!(errors[0].to_string().contains("`_redirects` line 2: status 999 is not between 200 and 599"));
        assert!(errors[1].reason.contains("geolocation"));
    }

    #[test]
    fn headers_keep_every_value_and_refuse_what_they_must_not_set() {
        let rules = parse_headers(
            "/\n  Link: </a.js>; rel=preload\n  Link: </b.css>; rel=preload\n/*\n  X-Frame-Options: DENY\n",
        )
        .unwrap();
        assert_eq!(rules[0].headers.len(), 2);
        assert_eq!(rules[1].headers, vec![("X-Frame-Options".into(), "DENY".into())]);
        let errors = parse_headers("  X-Early: 1\n/*\n  Content-Length: 5\n  Bad Name: x\n  nocolon\n").unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3, 4, 5]);
    }
}
