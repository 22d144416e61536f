//! Which Node.js a build runs: what the project asks for, and the release that answers it.
//! Pure: the caller hands in the releases it can install.
//!
//! A project asks in one of the places Vercel, Netlify and Render read (first found wins, the
//! build log says which): `clouddeck.toml` `[build] node`, the project's `NODE_VERSION`
//! variable (Netlify's and Render's setting), `.node-version`, `.nvmrc`, `package.json`
//! `engines.node`. A request is a version or a major (`22`, `v22.11.0`), an npm semver range
//! (`>=20 <23`, `^20.19.0 || >=22.12.0`), or nvm's aliases (`lts/*`, `lts/jod`, `node`).

use nodejs_semver::{Range, Version};

/// The oldest major CloudDeck provides: older lines are past their end of life, and the npm
/// it pairs them with needs 20.17 or 22.9 (npm 11's `engines`; npm 10 for older 20s).
pub const OLDEST_MAJOR: u64 = 20;

/// nvm's LTS codenames (`lts/<name>`), as `process.release.lts` names each line.
const LTS_LINES: &[(&str, u64)] = &[("iron", 20), ("jod", 22), ("krypton", 24)];

/// What a project asked for, and where it said so (for the build log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRequest {
    pub asked: String,
    pub source: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeVersionError {
    #[error("Node.js `{asked}` (from {from}) is not a version, a semver range or an nvm alias CloudDeck can read")]
    Unreadable { asked: String, from: &'static str },
    #[error(
        "Node.js `{asked}` (from {from}) is not available: CloudDeck provides Node.js {OLDEST_MAJOR} and later{newest}"
    )]
    Unavailable { asked: String, from: &'static str, newest: String },
    #[error("`lts/{name}` (from {from}) is not an LTS line CloudDeck knows: {known}")]
    UnknownLts { name: String, from: &'static str, known: String },
}

/// What a request means, before the releases are known.
#[derive(Debug, Clone)]
enum Wanted {
    /// The operator's default line (no request, `lts/*`).
    Default,
    /// The newest release of all (`node`, `latest`, `current`).
    Newest,
    Range(Ranges),
}

/// An npm range as alternatives (`||`) of comparator sets, each comparator parsed alone: the
/// version answers when it answers every comparator of one alternative. (nodejs-semver 7 reads
/// a set whose comparators cannot all hold, `>=20 <20`, as their union; node-semver, whose
/// rules npm's ranges are, reads it as matching nothing.)
#[derive(Debug, Clone)]
struct Ranges(Vec<Vec<Range>>);

impl Ranges {
    fn parse(text: &str) -> Option<Ranges> {
        let mut alternatives = Vec::new();
        for alternative in text.split("||") {
            let alternative = alternative.trim();
            // a hyphen range (`20 - 22`) is one comparator pair the library reads right
            if alternative.contains(" - ") || alternative.is_empty() {
                alternatives.push(vec![Range::parse(alternative).ok()?]);
                continue;
            }
            let mut comparators = Vec::new();
            let mut pending = String::new();
            for token in alternative.split_whitespace() {
                pending.push_str(token);
                // `>= 20`: an operator alone waits for its version
                if token.chars().all(|c| "<>=~^".contains(c)) {
                    continue;
                }
                comparators.push(Range::parse(&pending).ok()?);
                pending.clear();
            }
            if !pending.is_empty() {
                return None;
            }
            alternatives.push(comparators);
        }
        Some(Ranges(alternatives))
    }

    fn satisfies(&self, version: &Version) -> bool {
        self.0.iter().any(|alternative| alternative.iter().all(|range| range.satisfies(version)))
    }
}

/// `text` as the log may show it: printable ASCII, at most 40 characters.
fn printable(text: &str) -> String {
    text.chars().take(40).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

/// The first meaningful line of a version file (`.nvmrc` may hold `#` comments).
pub fn version_file_line(text: &str) -> Option<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .find(|line| !line.is_empty())
        .map(|line| line.chars().take(100).collect())
}

fn wanted(request: &NodeRequest) -> Result<Wanted, NodeVersionError> {
    let asked = request.asked.trim();
    let lower = asked.to_ascii_lowercase();
    let unreadable = || NodeVersionError::Unreadable { asked: printable(asked), from: request.source };
    // What versions, npm ranges and nvm aliases are made of; nothing else reaches a parser
    // (nor the build log: no line breaks).
    if !asked.chars().all(|c| c.is_ascii_alphanumeric() || " .*^~<>=|-/".contains(c)) {
        return Err(unreadable());
    }
    if lower == "lts/*" || lower == "lts" {
        return Ok(Wanted::Default);
    }
    if let Some(name) = lower.strip_prefix("lts/") {
        return match LTS_LINES.iter().find(|(line, _)| *line == name) {
            Some((_, major)) => Ok(Wanted::Range(Ranges::parse(&major.to_string()).ok_or_else(unreadable)?)),
            None => Err(NodeVersionError::UnknownLts {
                name: name.into(),
                from: request.source,
                known: LTS_LINES.iter().map(|(line, _)| format!("lts/{line}")).collect::<Vec<_>>().join(", "),
            }),
        };
    }
    if ["node", "latest", "current", "stable"].contains(&lower.as_str()) {
        return Ok(Wanted::Newest);
    }
    // `v22.11.0` is how `node --version` prints it and how many version files hold it.
    let plain = lower.strip_prefix('v').filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    Ranges::parse(plain.unwrap_or(&lower)).map(Wanted::Range).ok_or_else(unreadable)
}

/// The release a build gets for `request` (none: the default line) among `releases`. Only the
/// newest release of each major line is provided (as Vercel does; it bounds what the platform
/// installs to one release a line): of the lines whose newest release answers the request, the
/// `default_major` line (an open range such as `>=18` gets the line the operator chose, not an
/// odd-numbered Current release), else the newest even (LTS) line, else the newest line. A
/// request that only older releases answer (`22.8.0`, `<22.10`) gets the newest release of
/// the line those are in, and a note saying so. `node` (nvm's alias for the newest) gets the
/// newest release. Pre-releases and lines older than [`OLDEST_MAJOR`] are never chosen.
///
/// Errors: a request that is not readable, or that no release answers.
pub fn choose(
    request: Option<&NodeRequest>,
    releases: &[Version],
    default_major: u64,
) -> Result<(Version, Option<String>), NodeVersionError> {
    let wanted = match request {
        Some(request) => wanted(request)?,
        None => Wanted::Default,
    };
    let mut usable: Vec<&Version> =
        releases.iter().filter(|v| v.major() >= OLDEST_MAJOR && v.pre_release().is_empty()).collect();
    usable.sort();
    // the newest release of each line, oldest line first
    let mut lines: Vec<&Version> = Vec::new();
    for version in &usable {
        match lines.last_mut() {
            Some(last) if last.major() == version.major() => *last = version,
            _ => lines.push(version),
        }
    }
    let answers = |v: &Version| match &wanted {
        Wanted::Default => v.major() == default_major,
        Wanted::Newest => true,
        Wanted::Range(range) => range.satisfies(v),
    };
    let fits: Vec<&Version> = lines.iter().copied().filter(|v| answers(v)).collect();
    let newest_of = |keep: &dyn Fn(&Version) -> bool| fits.iter().rev().find(|v| keep(v)).map(|v| (*v).clone());
    let chosen = if matches!(wanted, Wanted::Newest) {
        newest_of(&|_| true)
    } else {
        newest_of(&|v| v.major() == default_major)
            .or_else(|| newest_of(&|v| v.major() % 2 == 0))
            .or_else(|| newest_of(&|_| true))
    };
    if let Some(version) = chosen {
        return Ok((version, None));
    }
    // only an older release of some line answers: that line's newest
    let older = usable.iter().rev().find(|v| answers(v));
    let line = older.and_then(|old| lines.iter().find(|v| v.major() == old.major()));
    match (older, line) {
        (Some(old), Some(line)) => Ok((
            (*line).clone(),
            Some(format!("{old} answers the request; CloudDeck provides the newest release of each line, {line}")),
        )),
        _ => {
            let (asked, source) = match request {
                Some(request) => (printable(request.asked.trim()), request.source),
                None => (default_major.to_string(), "the server's default"),
            };
            Err(NodeVersionError::Unavailable {
                asked,
                from: source,
                newest: usable.last().map(|v| format!(" (the newest is {v})")).unwrap_or_default(),
            })
        }
    }
}

/// The npm a Node.js release builds with, as that release's own distribution pairs them: npm
/// 11 where its `engines` (`^20.17.0 || >=22.9.0`) allow, else npm 10.
pub fn npm_for(node: &Version) -> &'static str {
    let npm_11 = (node.major() == 20 && node.minor() >= 17) || (node.major() == 22 && node.minor() >= 9);
    if npm_11 || node.major() > 22 { "11" } else { "10" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<Version> {
        ["18.20.4", "20.5.0", "20.19.5", "21.7.3", "22.8.0", "22.23.5", "23.11.0", "24.11.1", "25.2.0", "26.0.0-rc.1"]
            .iter()
            .map(|v| Version::parse(v).unwrap())
            .collect()
    }

    fn pick(asked: &str) -> Result<String, NodeVersionError> {
        let request = NodeRequest { asked: asked.into(), source: ".nvmrc" };
        choose(Some(&request), &releases(), 24).map(|(v, _)| v.to_string())
    }

    #[test]
    fn a_request_gets_the_newest_release_that_answers_it() {
        assert_eq!(choose(None, &releases(), 24).unwrap().0.to_string(), "24.11.1");
        assert_eq!(choose(None, &releases(), 22).unwrap().0.to_string(), "22.23.5");
        for (asked, got) in [
            ("22", "22.23.5"),
            ("v22", "22.23.5"),
            // only the newest release of a line is provided
            ("v22.8.0", "22.23.5"),
            ("<22.10", "20.19.5"),
            ("22.x", "22.23.5"),
            ("^20.5", "20.19.5"),
            ("20.5.0", "20.19.5"),
            // open ranges get the default line, not the newest odd-numbered Current release
            (">=18", "24.11.1"),
            ("^20.19.0 || >=22.12.0", "24.11.1"),
            (">=20 <23", "22.23.5"),
            (">= 20 < 23", "22.23.5"),
            ("20 - 22", "22.23.5"),
            // an odd line when nothing else answers
            ("23", "23.11.0"),
            ("lts/*", "24.11.1"),
            ("lts/jod", "22.23.5"),
            ("LTS/Iron", "20.19.5"),
            ("node", "25.2.0"),
        ] {
            assert_eq!(pick(asked).as_deref(), Ok(got), "{asked}");
        }
    }

    #[test]
    fn what_cannot_be_answered_says_why() {
        let old = pick("18").unwrap_err();
        assert!(matches!(old, NodeVersionError::Unavailable { .. }), "{old}");
        assert!(old.to_string().contains("Node.js 20 and later (the newest is 25.2.0)"), "{old}");
        assert!(matches!(pick("99"), Err(NodeVersionError::Unavailable { .. })));
        // a pre-release is never chosen
        assert!(matches!(pick("26"), Err(NodeVersionError::Unavailable { .. })));
        assert!(matches!(pick("banana"), Err(NodeVersionError::Unreadable { .. })));
        // a range nothing answers, and what is not a version at all
        assert!(matches!(pick(">=20 <20"), Err(NodeVersionError::Unavailable { .. })), "{:?}", pick(">=20 <20"));
        for hostile in ["`touch /tmp/x`; 22", "22\nclouddeck: Node.js 26 installed", "$(id)", "22;", "lts/../.."] {
            assert!(pick(hostile).is_err(), "{hostile}: {:?}", pick(hostile));
        }
        assert!(matches!(pick("lts/hydrogen"), Err(NodeVersionError::UnknownLts { .. })));
        let none = choose(None, &[], 24).unwrap_err();
        assert!(none.to_string().contains("`24` (from the server's default)"), "{none}");
    }

    #[test]
    fn an_older_release_asked_for_gets_its_lines_newest_and_says_so() {
        let request = NodeRequest { asked: "22.8.0".into(), source: ".nvmrc" };
        let (version, note) = choose(Some(&request), &releases(), 24).unwrap();
        assert_eq!(version.to_string(), "22.23.5");
        assert!(note.unwrap().contains("22.8.0 answers the request"));
        let exact = NodeRequest { asked: "22.23.5".into(), source: ".nvmrc" };
        assert_eq!(choose(Some(&exact), &releases(), 24).unwrap().1, None);
    }

    #[test]
    fn version_files_are_read_as_nvm_reads_them() {
        assert_eq!(version_file_line("\n# pinned\n  v22.11.0  # for Astro\n20\n").as_deref(), Some("v22.11.0"));
        assert_eq!(version_file_line("# nothing\n\n"), None);
    }

    #[test]
    fn npm_pairs_as_each_release_shipped() {
        let npm = |v: &str| npm_for(&Version::parse(v).unwrap());
        assert_eq!(
            [npm("20.5.0"), npm("20.19.5"), npm("22.8.0"), npm("22.23.5"), npm("24.0.0")],
            ["10", "11", "10", "11", "11"]
        );
    }
}
