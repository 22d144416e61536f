//! Path patterns, in the two forms sites write them:
//!
//! - Netlify's (`_redirects`, `netlify.toml`): `/`-separated segments, each a literal, a
//!   placeholder `:name` (one segment) or a splat `*` (any number of segments, in any
//!   position; its value is `:splat`). A trailing slash does not matter.
//! - Vercel's (`vercel.json` `source`, path-to-regexp as Vercel documents it): literals,
//!   `:name` with an optional custom pattern `:name(\d+)` and modifier `?`, `*` or `+`, and
//!   unnamed groups `(.*)` (values `$1`, `$2`, …). Compiled to a regular expression.
//!
//! Matching gives the captures, by name (`splat`, `slug`, `1`, …), for the destination.

use fancy_regex::Regex;

/// One piece of a Netlify pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(String),
    Splat,
}

#[derive(Debug, Clone)]
enum Form {
    Segments(Vec<Segment>),
    Regex { regex: Regex, names: Vec<Option<String>> },
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    form: Form,
    /// The pattern's first segment when it is a literal (`/blog/:slug` → `blog`): the table
    /// files rules under it, so a request only looks at rules that could match.
    first_literal: Option<String>,
    /// The whole path when the pattern is one literal path (`/old/page`).
    literal: Option<String>,
}

/// Captured values, by name, in the order they appeared.
pub type Captures = Vec<(String, String)>;

impl Pattern {
    /// A Netlify pattern. Errors name what is wrong with it.
    pub fn netlify(source: &str) -> Result<Pattern, String> {
        if !source.starts_with('/') {
            return Err(format!("`{source}` must start with `/`"));
        }
        let segments: Vec<Segment> = source
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s {
                "*" => Segment::Splat,
                s if s.len() > 1 && s.starts_with(':') => Segment::Placeholder(s[1..].to_string()),
                s => Segment::Literal(s.to_string()),
            })
            .collect();
        let literal = segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)))
            .then(|| normalize(&segments.iter().map(literal_text).collect::<Vec<_>>().join("/")));
        let first_literal = match segments.first() {
            Some(Segment::Literal(text)) => Some(text.clone()),
            _ => None,
        };
        Ok(Pattern { form: Form::Segments(segments), first_literal, literal })
    }

    /// A Vercel (path-to-regexp) pattern.
    pub fn vercel(source: &str) -> Result<Pattern, String> {
        if !source.starts_with('/') {
            return Err(format!("`{source}` must start with `/`"));
        }
        let (expression, names) = path_to_regex(source)?;
        let regex = Regex::new(&expression).map_err(|e| format!("`{source}` is not a valid pattern: {e}"))?;
        let literal_part: String = source.chars().take_while(|c| !":(*?+{\\".contains(*c)).collect();
        let first_literal = literal_part
            .trim_start_matches('/')
            .split_once('/')
            .map(|(first, _)| first.to_string())
            .filter(|first| !first.is_empty());
        let literal = (literal_part == source).then(|| normalize(source));
        Ok(Pattern { form: Form::Regex { regex, names }, first_literal, literal })
    }

    pub fn first_literal(&self) -> Option<&str> {
        self.first_literal.as_deref()
    }

    /// The one path this pattern matches, when it is a literal.
    pub fn literal(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// The captures when `path` (decoded, starting with `/`) matches.
    pub fn matches(&self, path: &str) -> Option<Captures> {
        match &self.form {
            Form::Segments(segments) => {
                let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
                let mut captures = Vec::new();
                match_segments(segments, &parts, &mut captures).then_some(captures)
            }
            Form::Regex { regex, names } => {
                // (a pattern that backtracks past fancy-regex's limit matches nothing)
                let found = regex.captures(path).ok()??;
                let mut captures = Vec::new();
                let mut unnamed = 0;
                for (index, name) in names.iter().enumerate() {
                    let value = found.get(index + 1).map(|m| m.as_str().to_string()).unwrap_or_default();
                    match name {
                        Some(name) => captures.push((name.clone(), value)),
                        None => {
                            unnamed += 1;
                            captures.push((unnamed.to_string(), value));
                        }
                    }
                }
                Some(captures)
            }
        }
    }
}

fn literal_text(segment: &Segment) -> &str {
    match segment {
        Segment::Literal(text) => text,
        _ => "",
    }
}

/// `/a/b/` and `a/b` both as `/a/b`; the root as `/`.
pub fn normalize(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    format!("/{trimmed}")
}

/// Segments against path parts; a splat takes any number of parts (the fewest that let the
/// rest match, so a splat in the middle stops at the next literal).
fn match_segments(segments: &[Segment], parts: &[&str], captures: &mut Captures) -> bool {
    let Some((first, rest)) = segments.split_first() else { return parts.is_empty() };
    match first {
        Segment::Literal(text) => parts.first() == Some(&text.as_str()) && match_segments(rest, &parts[1..], captures),
        Segment::Placeholder(name) => {
            let Some(value) = parts.first() else { return false };
            captures.push((name.clone(), value.to_string()));
            if match_segments(rest, &parts[1..], captures) {
                return true;
            }
            captures.pop();
            false
        }
        Segment::Splat => {
            let at_least = usize::from(!rest.is_empty() && parts.is_empty());
            for taken in at_least..=parts.len() {
                let mark = captures.len();
                captures.push(("splat".into(), parts[..taken].join("/")));
                if match_segments(rest, &parts[taken..], captures) {
                    return true;
                }
                captures.truncate(mark);
            }
            false
        }
    }
}

/// A path-to-regexp source as an anchored regular expression, and its groups' names (`None`
/// for an unnamed group) in order.
fn path_to_regex(source: &str) -> Result<(String, Vec<Option<String>>), String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::from("^");
    let mut names = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let next = chars.get(i + 1).ok_or_else(|| format!("`{source}` ends with a lone `\\`"))?;
                out.push_str(&fancy_regex::escape(&next.to_string()));
                i += 2;
            }
            ':' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                if end == start {
                    return Err(format!("`{source}`: a `:` must be followed by a parameter name"));
                }
                let name: String = chars[start..end].iter().collect();
                i = end;
                let mut inner = "[^/]+?".to_string();
                if chars.get(i) == Some(&'(') {
                    let (group, after) = balanced(&chars, i, source)?;
                    inner = group;
                    i = after;
                }
                let modifier = chars.get(i).copied().filter(|m| "?*+".contains(*m));
                if modifier.is_some() {
                    i += 1;
                }
                // The `/` before an optional or repeated parameter belongs to it.
                let slash = out.ends_with('/') && modifier.is_some();
                if slash {
                    out.pop();
                }
                let prefix = if slash { "/" } else { "" };
                let group = match modifier {
                    Some('?') => format!("(?:{prefix}(?P<{name}>{inner}))?"),
                    Some('*') => format!("(?:{prefix}(?P<{name}>{inner}(?:/{inner})*))?"),
                    Some('+') => format!("{prefix}(?P<{name}>{inner}(?:/{inner})*)"),
                    _ => format!("(?P<{name}>{inner})"),
                };
                out.push_str(&group);
                names.push(Some(name));
            }
            '(' => {
                let (group, after) = balanced(&chars, i, source)?;
                out.push('(');
                out.push_str(&group);
                out.push(')');
                names.push(None);
                i = after;
            }
            '*' => {
                // A bare `*` (as in Vercel's own examples) is an unnamed "anything".
                out.push_str("(.*)");
                names.push(None);
                i += 1;
            }
            c => {
                out.push_str(&fancy_regex::escape(&c.to_string()));
                i += 1;
            }
        }
    }
    if !out.ends_with('/') {
        out.push_str("/?");
    }
    out.push('$');
    Ok((out, names))
}

/// The inside of the parenthesized group starting at `open`, as a regex with its own groups
/// made non-capturing, and the index after it.
fn balanced(chars: &[char], open: usize, source: &str) -> Result<(String, usize), String> {
    let mut depth = 0;
    let mut inner = String::new();
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                inner.push(c);
                if let Some(next) = chars.get(i + 1) {
                    inner.push(*next);
                }
                i += 2;
                continue;
            }
            '(' => {
                depth += 1;
                if depth > 1 {
                    inner.push_str(if chars.get(i + 1) == Some(&'?') { "(" } else { "(?:" });
                }
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((inner, i + 1));
                }
                inner.push(c);
            }
            c => inner.push(c),
        }
        i += 1;
    }
    Err(format!("`{source}` has an unclosed `(`"))
}

/// Fills `:name`, `:name*`, `:name+`, `:name?`, `$1` and `:splat` in a destination.
pub fn fill(destination: &str, captures: &Captures) -> String {
    let mut out = String::with_capacity(destination.len());
    let chars: Vec<char> = destination.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let sigil_is_name = c == ':' && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == '_');
        let sigil_is_number = c == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if sigil_is_name || sigil_is_number {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
            let name: String = chars[start..end].iter().collect();
            if let Some((_, value)) = captures.iter().find(|(n, _)| *n == name) {
                out.push_str(value);
                i = end;
                // `:path*`: the modifier is part of the reference.
                if sigil_is_name && chars.get(i).is_some_and(|m| "*+?".contains(*m)) {
                    i += 1;
                }
                continue;
            }
            // `http://`'s colon, a port, or a name the pattern does not have: as written.
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn get(captures: &Captures, name: &str) -> String {
        captures.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap()
    }

    #[test]
    fn netlify_placeholders_and_splats_match_in_any_position() {
        let news = Pattern::netlify("/news/:year/:month/:slug").unwrap();
        let found = news.matches("/news/2024/05/hello").unwrap();
        assert_eq!((get(&found, "year"), get(&found, "slug")), ("2024".into(), "hello".into()));
        assert!(news.matches("/news/2024/05").is_none());
        assert!(news.matches("/news/2024/05/hello/").is_some(), "a trailing slash does not matter");
        let middle = Pattern::netlify("/docs/*/edit").unwrap();
        assert_eq!(get(&middle.matches("/docs/a/b/edit").unwrap(), "splat"), "a/b");
        assert!(middle.matches("/docs/a/b").is_none());
        let leading = Pattern::netlify("/*/index.php").unwrap();
        assert_eq!(get(&leading.matches("/x/y/index.php").unwrap(), "splat"), "x/y");
        let end = Pattern::netlify("/app/*").unwrap();
        assert_eq!(get(&end.matches("/app").unwrap(), "splat"), "");
        assert_eq!(Pattern::netlify("/old/page/").unwrap().literal(), Some("/old/page"));
        assert!(Pattern::netlify("no-slash").is_err());
    }

    #[test]
    fn vercel_patterns_follow_path_to_regexp() {
        let rest = Pattern::vercel("/blog/:path*").unwrap();
        assert_eq!(get(&rest.matches("/blog/a/b").unwrap(), "path"), "a/b");
        assert_eq!(get(&rest.matches("/blog").unwrap(), "path"), "");
        let plus = Pattern::vercel("/docs/:slug+").unwrap();
        assert!(plus.matches("/docs").is_none() && plus.matches("/docs/x/y").is_some());
        let digits = Pattern::vercel("/post/:id(\\d{1,6})").unwrap();
        assert_eq!(get(&digits.matches("/post/42").unwrap(), "id"), "42");
        assert!(digits.matches("/post/abc").is_none());
        let group = Pattern::vercel("/api/(.*)").unwrap();
        assert_eq!(get(&group.matches("/api/users/7").unwrap(), "1"), "users/7");
        let optional = Pattern::vercel("/shop/:lang?/cart").unwrap();
        assert!(optional.matches("/shop/cart").is_some() && optional.matches("/shop/de/cart").is_some());
        assert_eq!(Pattern::vercel("/about").unwrap().literal(), Some("/about"));
        assert_eq!(Pattern::vercel("/blog/:slug").unwrap().first_literal(), Some("blog"));
        assert!(Pattern::vercel("/post/:id(\\d+").is_err());
        assert!(Pattern::vercel("/x/:").is_err());
    }

    #[test]
    fn destinations_are_filled_with_captures() {
        let captures: Captures =
            vec![("slug".into(), "hello".into()), ("path".into(), "a/b".into()), ("1".into(), "x".into())];
        assert_eq!(fill("/posts/:slug", &captures), "/posts/hello");
        assert_eq!(fill("/new/:path*", &captures), "/new/a/b");
        assert_eq!(
            fill("https://api.example.com:8443/$1?q=:slug", &captures),
            "https://api.example.com:8443/x?q=hello"
        );
        assert_eq!(fill("/keep/:unknown", &captures), "/keep/:unknown");
    }
}
