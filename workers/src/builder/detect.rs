//! How to build a source: which folder it lives in, how to install, build and where the output
//! lands. Pure: it looks at file names and contents handed to it.
//!
//! Each setting comes from the first of (the order the README states, and the build log
//! shows): `clouddeck.toml` in the source, `netlify.toml` in the source (its `[build]` and the
//! deploy's context), the project's settings (`updateProjectSettings`), then detection
//! (the framework from `package.json` and the site generators' own files; the package
//! manager from `packageManager` or the lockfile).

use super::node_version::{NodeRequest, version_file_line};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPlan {
    pub framework: String,
    pub install: Option<String>,
    pub build: Option<String>,
    /// Relative to `root`.
    pub output: String,
    /// The folder commands run in, relative to the source ("" for its top).
    pub root: String,
    /// A package manager the platform provides, when the project names one
    /// (`packageManager`) or its lockfile is not npm's.
    pub tool: Option<Tool>,
    /// Whether the build runs Node.js: a `package.json`, or a version asked for.
    pub node: bool,
    /// The Node.js version asked for, and where (none: the server's default line).
    pub node_request: Option<NodeRequest>,
    /// What to tell the user when the output folder is missing because the framework is set
    /// up for another platform (SvelteKit's `adapter-auto`, Next.js without a static export).
    pub output_hint: Option<String>,
    /// Where each setting came from, for the build log.
    pub said: Vec<String>,
}

/// A package manager to provide, by name and version (an npm dist-tag or version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub manager: PackageManager,
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackageManager {
    Npm,
    Pnpm,
    /// Yarn 1.
    YarnClassic,
    /// Yarn 2 and later.
    YarnBerry,
    Bun,
}

impl PackageManager {
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::YarnClassic | PackageManager::YarnBerry => "yarn",
            PackageManager::Bun => "bun",
        }
    }

    /// How this manager runs a dependency's own command (`eleventy`) without installing
    /// anything more.
    pub fn exec(self) -> &'static str {
        match self {
            PackageManager::Npm => "npx --no-install",
            PackageManager::Pnpm => "pnpm exec",
            PackageManager::YarnClassic | PackageManager::YarnBerry => "yarn",
            PackageManager::Bun => "bunx",
        }
    }
}

/// Frameworks known by a dependency, in the order they are looked for (one that builds on
/// another comes first: Nuxt and VitePress before Vite): the dependency, the framework's
/// name, its output folder, and the command its docs give, run when `package.json` has no
/// `build` script (Vercel's presets and Netlify's framework detection do the same).
const FRAMEWORKS: &[(&str, &str, &str, &str)] = &[
    ("next", "next", "out", "next build"),
    ("gatsby", "gatsby", "public", "gatsby build"),
    ("@docusaurus/core", "docusaurus", "build", "docusaurus build"),
    ("astro", "astro", "dist", "astro build"),
    ("@11ty/eleventy", "eleventy", "_site", "eleventy"),
    ("nuxt", "nuxt", ".output/public", "nuxt generate"),
    ("vitepress", "vitepress", "docs/.vitepress/dist", "vitepress build docs"),
    ("hexo", "hexo", "public", "hexo generate"),
    ("gridsome", "gridsome", "dist", "gridsome build"),
    ("@slidev/cli", "slidev", "dist", "slidev build"),
    ("@stencil/core", "stencil", "www", "stencil build"),
    ("preact-cli", "preact-cli", "build", "preact build"),
    ("ember-cli", "ember", "dist", "ember build --environment=production"),
    ("@sveltejs/kit", "sveltekit", "build", "vite build"),
    ("@angular/core", "angular", "dist/{name}/browser", "ng build"),
    ("react-scripts", "create-react-app", "build", "react-scripts build"),
    ("@vue/cli-service", "vue-cli", "dist", "vue-cli-service build"),
    ("vite", "vite", "dist", "vite build"),
];

/// Settings given outside the source: the project's (each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub root: Option<String>,
    pub install: Option<String>,
    pub build: Option<String>,
    pub output: Option<String>,
    /// The project's `NODE_VERSION` variable (Netlify's and Render's setting).
    pub node_version: Option<String>,
}

/// What detection may read: a file's text by its path in the source.
pub trait SourceTree {
    fn text(&self, path: &str) -> Option<String>;
    fn exists(&self, path: &str) -> bool {
        self.text(path).is_some()
    }
}

/// A folder of a source tree, as a tree.
struct Within<'a> {
    tree: &'a dyn SourceTree,
    root: &'a str,
}

impl SourceTree for Within<'_> {
    fn text(&self, path: &str) -> Option<String> {
        if self.root.is_empty() { self.tree.text(path) } else { self.tree.text(&format!("{}/{path}", self.root)) }
    }
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scripts: BTreeMap<String, String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "packageManager")]
    package_manager: Option<String>,
    #[serde(default)]
    engines: Engines,
}

#[derive(Deserialize, Default)]
struct Engines {
    /// Any JSON: a malformed `engines` is npm's warning, not a failed build.
    #[serde(default)]
    node: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct Overrides {
    #[serde(default)]
    build: BuildOverrides,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BuildOverrides {
    root: Option<String>,
    install: Option<String>,
    command: Option<String>,
    output: Option<String>,
    /// The Node.js version: a version, a semver range or an nvm alias.
    node: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DetectError {
    #[error("package.json is not valid JSON: {0}")]
    PackageJson(String),
    #[error("clouddeck.toml is not valid: {0}")]
    Config(String),
    #[error("netlify.toml is not valid: {0}")]
    NetlifyToml(String),
    #[error("the root directory `{0}` is not a folder inside the source")]
    Root(String),
    #[error(
        "`packageManager` `{0}` is not a package manager CloudDeck provides (npm, pnpm, yarn, bun) at a version it can read"
    )]
    PackageManager(String),
    #[error("no framework recognized and no index.html: add clouddeck.toml with [build] command and output")]
    Unknown,
}

/// The lockfile whose hash keys the dependency cache, if any.
pub fn lockfile(tree: &dyn SourceTree) -> Option<&'static str> {
    ["package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"].into_iter().find(|f| tree.exists(f))
}

/// The package manager a project uses: `packageManager` (Corepack's field) first, then the
/// lockfile. The version defaults to the manager's current major.
fn package_manager(tree: &dyn SourceTree, package: &PackageJson) -> Result<(PackageManager, String), DetectError> {
    if let Some(field) = &package.package_manager {
        let (name, version) = field.split_once('@').unwrap_or((field.as_str(), ""));
        // `pnpm@9.15.0+sha512.…`: the hash is Corepack's, the version is before it.
        let version = version.split('+').next().unwrap_or_default();
        // A version as Corepack takes it (semver: a digit first), never `.` or `..`, which npm
        // would take for a folder.
        let valid = version.starts_with(|c: char| c.is_ascii_digit())
            && version.len() <= 64
            && version.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
        let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
        let manager = match (name, major) {
            ("npm", _) => PackageManager::Npm,
            ("pnpm", _) => PackageManager::Pnpm,
            ("yarn", Some(1)) => PackageManager::YarnClassic,
            ("yarn", _) => PackageManager::YarnBerry,
            ("bun", _) => PackageManager::Bun,
            _ => return Err(DetectError::PackageManager(field.chars().take(80).collect())),
        };
        if !valid {
            return Err(DetectError::PackageManager(field.chars().take(80).collect()));
        }
        return Ok((manager, version.to_string()));
    }
    Ok(if tree.exists("pnpm-lock.yaml") {
        (PackageManager::Pnpm, "9".into())
    } else if let Some(lock) = tree.text("yarn.lock") {
        // Yarn 2+ lockfiles are YAML with a `__metadata` block; Yarn 1's are not.
        if lock.contains("__metadata:") {
            (PackageManager::YarnBerry, "4".into())
        } else {
            (PackageManager::YarnClassic, "1".into())
        }
    } else if tree.exists("bun.lock") || tree.exists("bun.lockb") {
        (PackageManager::Bun, "1".into())
    } else {
        (PackageManager::Npm, String::new())
    })
}

/// The install command: against the lockfile, unchanged (frozen), when there is one.
fn install_command(tree: &dyn SourceTree, manager: PackageManager) -> String {
    let locked = lockfile(tree).is_some();
    match (manager, locked) {
        (PackageManager::Npm, true) if tree.exists("package-lock.json") => "npm ci --no-audit --no-fund".into(),
        (PackageManager::Npm, _) => "npm install --no-audit --no-fund".into(),
        (PackageManager::Pnpm, true) => "pnpm install --frozen-lockfile".into(),
        (PackageManager::Pnpm, false) => "pnpm install".into(),
        (PackageManager::YarnClassic, true) => "yarn install --frozen-lockfile --non-interactive".into(),
        (PackageManager::YarnClassic, false) => "yarn install --non-interactive".into(),
        (PackageManager::YarnBerry, true) => "yarn install --immutable".into(),
        (PackageManager::YarnBerry, false) => "yarn install".into(),
        (PackageManager::Bun, true) => "bun install --frozen-lockfile".into(),
        (PackageManager::Bun, false) => "bun install".into(),
    }
}

/// Adapters that build a framework for one platform's servers rather than as static files.
const SVELTEKIT_SERVER_ADAPTERS: &[&str] = &[
    "@sveltejs/adapter-auto",
    "@sveltejs/adapter-vercel",
    "@sveltejs/adapter-netlify",
    "@sveltejs/adapter-cloudflare",
    "@sveltejs/adapter-node",
];
const ASTRO_SERVER_ADAPTERS: &[&str] = &["@astrojs/vercel", "@astrojs/netlify", "@astrojs/cloudflare", "@astrojs/node"];

/// Why a framework set up for another platform would leave no static output, and what to
/// change (the fixes each framework's docs give for static hosting).
fn other_platform(tree: &dyn SourceTree, package: &PackageJson, framework: &str) -> Option<String> {
    let has = |dep: &str| package.dependencies.contains_key(dep) || package.dev_dependencies.contains_key(dep);
    match framework {
        "sveltekit" if !has("@sveltejs/adapter-static") => {
            let adapter = SVELTEKIT_SERVER_ADAPTERS.iter().find(|a| has(a))?;
            Some(format!(
                "this SvelteKit app uses `{adapter}`, which builds for another platform's servers, not a \
                 static site: install `@sveltejs/adapter-static`, use it in svelte.config.js, and add \
                 `export const prerender = true;` to src/routes/+layout.js (SvelteKit's static site docs)"
            ))
        }
        "astro" => {
            let adapter = ASTRO_SERVER_ADAPTERS.iter().find(|a| has(a))?;
            Some(format!(
                "this Astro site uses `{adapter}`, which builds for a server: remove the adapter (and any \
                 `output: 'server'`) from astro.config to build a static site into `dist`"
            ))
        }
        "next" => {
            let configs = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"];
            let exported = configs
                .iter()
                .filter_map(|c| tree.text(c))
                .any(|text| text.contains("export'") || text.contains("export\""));
            (!exported).then(|| {
                "Next.js writes a static site to `out` only with `output: 'export'` in next.config (Next.js's static \
                 exports docs)"
                    .to_string()
            })
        }
        _ => None,
    }
}

fn node_plan(tree: &dyn SourceTree, package: &PackageJson) -> Result<(BuildPlan, PackageManager), DetectError> {
    let has = |dep: &str| package.dependencies.contains_key(dep) || package.dev_dependencies.contains_key(dep);
    let known = FRAMEWORKS.iter().find(|(dep, ..)| has(dep));
    let (framework, output) = match known {
        Some((_, name, output, _)) => (*name, output.replace("{name}", &package.name)),
        None => ("node", "dist".to_string()),
    };
    let (manager, version) = package_manager(tree, package)?;
    let mut said = Vec::new();
    let build = if package.scripts.contains_key("build") {
        Some(format!("{} run build", manager.name()))
    } else if let Some((_, name, _, command)) = known {
        said.push(format!("package.json has no `build` script: running {name}'s own `{command}`"));
        Some(format!("{} {command}", manager.exec()))
    } else {
        None
    };
    // npm comes with each Node.js the platform provides, unless `packageManager` names one.
    let tool =
        (manager != PackageManager::Npm || package.package_manager.is_some()).then_some(Tool { manager, version });
    let plan = BuildPlan {
        framework: framework.into(),
        install: Some(install_command(tree, manager)),
        build,
        output,
        root: String::new(),
        tool,
        node: true,
        node_request: None,
        output_hint: other_platform(tree, package, framework),
        said,
    };
    Ok((plan, manager))
}

/// What the files of a folder say about building it, before any setting is applied.
fn detected(tree: &dyn SourceTree) -> Result<Option<BuildPlan>, DetectError> {
    let plain = |framework: &str, build: Option<&str>, output: &str| BuildPlan {
        framework: framework.into(),
        install: None,
        build: build.map(str::to_string),
        output: output.into(),
        root: String::new(),
        tool: None,
        node: false,
        node_request: None,
        output_hint: None,
        said: Vec::new(),
    };
    Ok(Some(if let Some(json) = tree.text("package.json") {
        let package: PackageJson = serde_json::from_str(&json).map_err(|e| DetectError::PackageJson(e.to_string()))?;
        let (plan, manager) = node_plan(tree, &package)?;
        let mut plan = plan;
        plan.said.push(format!(
            "package manager: {} (from {})",
            manager.name(),
            if package.package_manager.is_some() { "packageManager" } else { lockfile(tree).unwrap_or("the default") }
        ));
        plan
    } else if tree.exists("book.toml") {
        plain("mdbook", Some("mdbook build"), "book")
    } else if tree.exists("hugo.toml") || (tree.exists("config.toml") && tree.exists("archetypes/default.md")) {
        plain("hugo", Some("hugo --minify"), "public")
    } else if tree.text("config.toml").is_some_and(|c| c.contains("base_url")) {
        plain("zola", Some("zola build"), "public")
    } else if tree.exists("index.html") {
        plain("static", None, ".")
    } else {
        return Ok(None);
    }))
}

/// The Node.js version asked for: the first of `clouddeck.toml`, the project's
/// `NODE_VERSION`, `.node-version`, `.nvmrc`, `package.json` `engines.node` (Render reads the
/// same files in this order; Netlify and Vercel read a subset). Blank answers are skipped.
fn node_request(overrides: &BuildOverrides, settings: &Settings, tree: &dyn SourceTree) -> Option<NodeRequest> {
    let request = |asked: Option<String>, source: &'static str| {
        asked
            .map(|a| a.trim().chars().take(100).collect::<String>())
            .filter(|a| !a.is_empty())
            .map(|asked| NodeRequest { asked, source })
    };
    let engines = || {
        let package: PackageJson = serde_json::from_str(&tree.text("package.json")?).ok()?;
        package.engines.node?.as_str().map(str::to_string)
    };
    request(overrides.node.clone(), "clouddeck.toml")
        .or_else(|| request(settings.node_version.clone(), "the project's NODE_VERSION"))
        .or_else(|| request(tree.text(".node-version").and_then(|t| version_file_line(&t)), ".node-version"))
        .or_else(|| request(tree.text(".nvmrc").and_then(|t| version_file_line(&t)), ".nvmrc"))
        .or_else(|| request(engines(), "package.json engines.node"))
}

/// The plan for building `tree`, with the project's `settings`, for a deploy in `contexts`
/// (netlify.toml's: `["production"]` or `["deploy-preview", "<branch>"]`).
pub fn detect(tree: &dyn SourceTree, settings: &Settings, contexts: &[&str]) -> Result<BuildPlan, DetectError> {
    let overrides: BuildOverrides = match tree.text("clouddeck.toml") {
        Some(text) => toml::from_str::<Overrides>(&text).map_err(|e| DetectError::Config(e.to_string()))?.build,
        None => BuildOverrides::default(),
    };
    let netlify = match tree.text("netlify.toml") {
        Some(text) => clouddeck_routing::NetlifyToml::parse(&text)
            .map_err(|errors| DetectError::NetlifyToml(errors[0].reason.clone()))?
            .build_for(contexts),
        None => clouddeck_routing::BuildSettings::default(),
    };
    let mut said = Vec::new();
    // The first of clouddeck.toml, netlify.toml, the project's settings that says it.
    let pick = |what: &str,
                from_config: &Option<String>,
                from_netlify: &Option<String>,
                from_settings: &Option<String>,
                said: &mut Vec<String>| {
        let found = [
            (from_config, "clouddeck.toml"),
            (from_netlify, "netlify.toml"),
            (from_settings, "the project's settings"),
        ]
        .into_iter()
        .find_map(|(value, source)| value.clone().map(|v| (v, source)));
        if let Some((value, source)) = &found {
            said.push(format!("{what}: `{value}` (from {source})"));
        }
        found.map(|(value, _)| value)
    };
    let root = pick("root directory", &overrides.root, &netlify.base, &settings.root, &mut said)
        .map(|root| root.trim_matches('/').to_string())
        .unwrap_or_default();
    if root.split('/').any(|part| part == ".." || part == ".") || root.contains('\\') || root.contains("//") {
        return Err(DetectError::Root(root));
    }
    let inner = Within { tree, root: &root };
    let found = detected(&inner)?;
    let install = pick("install command", &overrides.install, &None, &settings.install, &mut said);
    let build = pick("build command", &overrides.command, &netlify.command, &settings.build, &mut said);
    let output = pick("output directory", &overrides.output, &netlify.publish, &settings.output, &mut said);
    let nothing_said = install.is_none() && build.is_none() && output.is_none();
    let mut plan = match found {
        Some(plan) => plan,
        None if nothing_said && !tree.exists("clouddeck.toml") => return Err(DetectError::Unknown),
        None => BuildPlan {
            framework: "custom".into(),
            install: None,
            build: None,
            output: ".".into(),
            root: String::new(),
            tool: None,
            node: false,
            node_request: None,
            output_hint: None,
            said: Vec::new(),
        },
    };
    if let Some(install) = install {
        plan.install = Some(install).filter(|c| !c.is_empty());
    }
    if let Some(build) = build {
        plan.build = Some(build).filter(|c| !c.is_empty());
    }
    if let Some(output) = output {
        plan.output = output;
        // (a user who chose the output folder knows where the build writes)
        plan.output_hint = None;
    }
    plan.node_request = node_request(&overrides, settings, &inner);
    // (the log names the request beside the release that answers it)
    plan.node |= plan.node_request.is_some();
    plan.root = root;
    said.append(&mut plan.said);
    plan.said = said;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Files(HashMap<&'static str, &'static str>);

    impl SourceTree for Files {
        fn text(&self, path: &str) -> Option<String> {
            self.0.get(path).map(|s| s.to_string())
        }
    }

    fn plan(files: &[(&'static str, &'static str)]) -> Result<BuildPlan, DetectError> {
        detect(&Files(files.iter().copied().collect()), &Settings::default(), &["production"])
    }

    fn shape(plan: &BuildPlan) -> (&str, Option<&str>, Option<&str>, &str) {
        (plan.framework.as_str(), plan.install.as_deref(), plan.build.as_deref(), plan.output.as_str())
    }

    #[test]
    fn frameworks_are_recognized_with_their_output_folders() {
        let vite = plan(&[
            ("package.json", r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"^5"}}"#),
            ("package-lock.json", "{}"),
        ])
        .unwrap();
        assert_eq!(shape(&vite), ("vite", Some("npm ci --no-audit --no-fund"), Some("npm run build"), "dist"));
        assert_eq!(vite.tool, None);
        for (deps, framework, output) in [
            (r#"{"react-scripts":"5"}"#, "create-react-app", "build"),
            (r#"{"next":"14"}"#, "next", "out"),
            (r#"{"gatsby":"5"}"#, "gatsby", "public"),
            (r#"{"@docusaurus/core":"3"}"#, "docusaurus", "build"),
            (r#"{"astro":"4"}"#, "astro", "dist"),
            (r#"{"@sveltejs/kit":"2","vite":"5"}"#, "sveltekit", "build"),
            (r#"{"@vue/cli-service":"5"}"#, "vue-cli", "dist"),
            (r#"{"@angular/core":"17"}"#, "angular", "dist/shop/browser"),
        ] {
            let json: &'static str = Box::leak(
                format!(r#"{{"name":"shop","scripts":{{"build":"x"}},"dependencies":{deps}}}"#).into_boxed_str(),
            );
            let got = plan(&[("package.json", json), ("yarn.lock", "# yarn lockfile v1")]).unwrap();
            assert_eq!((got.framework.as_str(), got.output.as_str()), (framework, output), "{deps}");
            assert_eq!(got.install.as_deref(), Some("yarn install --frozen-lockfile --non-interactive"));
            assert_eq!(got.build.as_deref(), Some("yarn run build"));
        }
        assert_eq!(plan(&[("book.toml", "")]).unwrap().framework, "mdbook");
        // frameworks Netlify and Vercel detect, with no `build` script: their own command
        for (dep, framework, command, output) in [
            ("@11ty/eleventy", "eleventy", "npx --no-install eleventy", "_site"),
            ("nuxt", "nuxt", "npx --no-install nuxt generate", ".output/public"),
            ("vitepress", "vitepress", "npx --no-install vitepress build docs", "docs/.vitepress/dist"),
            ("hexo", "hexo", "npx --no-install hexo generate", "public"),
            ("astro", "astro", "npx --no-install astro build", "dist"),
        ] {
            let json: &'static str = Box::leak(
                format!(r#"{{"name":"site","devDependencies":{{"{dep}":"1","vite":"5"}}}}"#).into_boxed_str(),
            );
            let got = plan(&[("package.json", json)]).unwrap();
            assert_eq!(
                shape(&got),
                (framework, Some("npm install --no-audit --no-fund"), Some(command), output),
                "{dep}"
            );
            assert!(got.said.iter().any(|l| l.contains("no `build` script")), "{:?}", got.said);
        }
        let pnpm = plan(&[("package.json", r#"{"devDependencies":{"@11ty/eleventy":"3"}}"#), ("pnpm-lock.yaml", "")]);
        assert_eq!(pnpm.unwrap().build.as_deref(), Some("pnpm exec eleventy"));
        // nothing known and no build script: no build command at all
        assert_eq!(plan(&[("package.json", r#"{"dependencies":{"express":"4"}}"#)]).unwrap().build, None);
        assert_eq!(plan(&[("hugo.toml", "")]).unwrap().output, "public");
        assert_eq!(plan(&[("config.toml", "base_url = \"x\"")]).unwrap().framework, "zola");
        assert_eq!(shape(&plan(&[("index.html", "<h1>")]).unwrap()), ("static", None, None, "."));
    }

    #[test]
    fn clouddeck_toml_overrides_and_bad_input_is_named() {
        let got = plan(&[
            ("package.json", r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"^5"}}"#),
            ("clouddeck.toml", "[build]\ncommand = \"npm run export\"\noutput = \"site\"\ninstall = \"\"\n"),
        ])
        .unwrap();
        assert_eq!((got.build.as_deref(), got.output.as_str(), got.install), (Some("npm run export"), "site", None));
        assert!(
            got.said.iter().any(|l| l == "build command: `npm run export` (from clouddeck.toml)"),
            "{:?}",
            got.said
        );
        assert!(matches!(plan(&[("package.json", "{nope")]), Err(DetectError::PackageJson(_))));
        assert!(matches!(plan(&[("index.html", "x"), ("clouddeck.toml", "[build")]), Err(DetectError::Config(_))));
        assert_eq!(plan(&[("readme.md", "")]), Err(DetectError::Unknown));
    }

    #[test]
    fn package_managers_come_from_package_manager_or_the_lockfile() {
        type Case<'a> = (&'a [(&'static str, &'static str)], &'a str, &'a str, Option<(PackageManager, &'a str)>);
        let cases: [Case; 6] = [
            (
                &[
                    ("package.json", r#"{"packageManager":"pnpm@9.15.0+sha512.abc","scripts":{"build":"x"}}"#),
                    ("pnpm-lock.yaml", ""),
                ],
                "pnpm install --frozen-lockfile",
                "pnpm run build",
                Some((PackageManager::Pnpm, "9.15.0")),
            ),
            (
                &[("package.json", r#"{"scripts":{"build":"x"}}"#), ("pnpm-lock.yaml", "")],
                "pnpm install --frozen-lockfile",
                "pnpm run build",
                Some((PackageManager::Pnpm, "9")),
            ),
            (
                &[("package.json", r#"{"scripts":{"build":"x"}}"#), ("yarn.lock", "# yarn lockfile v1\n")],
                "yarn install --frozen-lockfile --non-interactive",
                "yarn run build",
                Some((PackageManager::YarnClassic, "1")),
            ),
            (
                &[("package.json", r#"{"scripts":{"build":"x"}}"#), ("yarn.lock", "__metadata:\n  version: 8\n")],
                "yarn install --immutable",
                "yarn run build",
                Some((PackageManager::YarnBerry, "4")),
            ),
            (
                &[("package.json", r#"{"packageManager":"yarn@4.5.0","scripts":{"build":"x"}}"#)],
                "yarn install",
                "yarn run build",
                Some((PackageManager::YarnBerry, "4.5.0")),
            ),
            (
                &[("package.json", r#"{"scripts":{"build":"x"}}"#), ("bun.lockb", "")],
                "bun install --frozen-lockfile",
                "bun run build",
                Some((PackageManager::Bun, "1")),
            ),
        ];
        for (files, install, build, tool) in cases {
            let got = plan(files).unwrap();
            assert_eq!((got.install.as_deref(), got.build.as_deref()), (Some(install), Some(build)), "{files:?}");
            assert_eq!(got.tool.map(|t| (t.manager, t.version)), tool.map(|(m, v)| (m, v.to_string())), "{files:?}");
        }
        let bad = plan(&[("package.json", r#"{"packageManager":"pnpm@$(rm -rf /)"}"#)]);
        assert!(matches!(bad, Err(DetectError::PackageManager(_))));
        assert!(matches!(
            plan(&[("package.json", r#"{"packageManager":"cargo@1"}"#)]),
            Err(DetectError::PackageManager(_))
        ));
    }

    #[test]
    fn settings_apply_in_their_order_and_the_root_is_where_commands_run() {
        let files = Files(
            [
                ("package.json", r#"{"workspaces":["apps/*"]}"#),
                ("apps/web/package.json", r#"{"scripts":{"build":"node build.mjs"}}"#),
                ("netlify.toml", "[build]\ncommand = \"make site\"\n[context.production]\npublish = \"out\"\n"),
            ]
            .into_iter()
            .collect(),
        );
        let settings = Settings {
            root: Some("apps/web/".into()),
            install: Some("npm ci".into()),
            build: Some("npm run build".into()),
            output: Some("public".into()),
            node_version: None,
        };
        let got = detect(&files, &settings, &["production"]).unwrap();
        assert_eq!(got.root, "apps/web");
        // netlify.toml beats the project's settings; the settings beat detection
        assert_eq!(shape(&got), ("node", Some("npm ci"), Some("make site"), "out"));
        assert!(
            got.said.contains(&"install command: `npm ci` (from the project's settings)".to_string()),
            "{:?}",
            got.said
        );
        let preview = detect(&files, &settings, &["deploy-preview"]).unwrap();
        assert_eq!(preview.output, "public", "production's publish does not apply to previews");
        let escape = Settings { root: Some("../../etc".into()), ..Settings::default() };
        assert!(matches!(detect(&files, &escape, &[]), Err(DetectError::Root(_))));
    }

    #[test]
    fn the_node_version_asked_for_is_found_in_the_peers_order() {
        let engines = ("package.json", r#"{"engines":{"node":">=22"},"scripts":{"build":"x"}}"#);
        let asked = |files: &[(&'static str, &'static str)], setting: Option<&str>| {
            let settings = Settings { node_version: setting.map(str::to_string), ..Settings::default() };
            let got = detect(&Files(files.iter().copied().collect()), &settings, &["production"]).unwrap();
            got.node_request.map(|r| (r.asked, r.source))
        };
        let from = |asked: &str, source: &'static str| Some((asked.to_string(), source));
        assert_eq!(asked(&[engines], None), from(">=22", "package.json engines.node"));
        assert_eq!(asked(&[engines, (".nvmrc", "# pinned\nlts/jod\n")], None), from("lts/jod", ".nvmrc"));
        assert_eq!(
            asked(&[engines, (".nvmrc", "20"), (".node-version", "v22.11.0\n")], None),
            from("v22.11.0", ".node-version")
        );
        assert_eq!(asked(&[engines, (".nvmrc", "20")], Some("23")), from("23", "the project's NODE_VERSION"));
        let config = ("clouddeck.toml", "[build]\nnode = \"24\"\n");
        assert_eq!(asked(&[engines, config], Some("23")), from("24", "clouddeck.toml"));
        // a blank file says nothing; a package.json without engines asks for nothing
        assert_eq!(asked(&[engines, (".nvmrc", "\n")], None), from(">=22", "package.json engines.node"));
        assert_eq!(asked(&[("package.json", "{}")], None), None);
        let node = detect(&Files([("package.json", "{}")].into_iter().collect()), &Settings::default(), &[]).unwrap();
        assert!(node.node, "a package.json means Node.js");
        let hugo = detect(&Files([("hugo.toml", "")].into_iter().collect()), &Settings::default(), &[]).unwrap();
        assert!(!hugo.node && hugo.node_request.is_none(), "a Hugo site needs no Node.js");
        let pinned = asked(&[("hugo.toml", ""), (".nvmrc", "22")], None);
        assert_eq!(pinned, from("22", ".nvmrc"));
    }

    #[test]
    fn a_framework_set_up_for_another_platform_is_told_what_to_change() {
        let hint = |files: &[(&'static str, &'static str)]| plan(files).unwrap().output_hint;
        let kit = r#"{"scripts":{"build":"vite build"},"devDependencies":{"@sveltejs/kit":"2","@sveltejs/adapter-auto":"6","vite":"7"}}"#;
        let said = hint(&[("package.json", kit)]).unwrap();
        assert!(said.contains("`@sveltejs/adapter-auto`") && said.contains("@sveltejs/adapter-static"), "{said}");
        let static_kit = r#"{"devDependencies":{"@sveltejs/kit":"2","@sveltejs/adapter-static":"3","vite":"7"}}"#;
        assert_eq!(hint(&[("package.json", static_kit)]), None);
        let astro = r#"{"dependencies":{"astro":"5","@astrojs/node":"9"}}"#;
        assert!(hint(&[("package.json", astro)]).unwrap().contains("`@astrojs/node`"));
        assert_eq!(hint(&[("package.json", r#"{"dependencies":{"astro":"5"}}"#)]), None);
        let next = r#"{"dependencies":{"next":"16"}}"#;
        assert!(hint(&[("package.json", next)]).unwrap().contains("output: 'export'"));
        let exported = ("next.config.mjs", "export default { output: 'export' };");
        assert_eq!(hint(&[("package.json", next), exported]), None);
        // a user who named the output folder knows where the build writes
        assert_eq!(hint(&[("package.json", kit), ("clouddeck.toml", "[build]\noutput = \".svelte-kit/out\"\n")]), None);
    }
}
