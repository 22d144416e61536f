//! Which framework a source tree uses, and so how to install, build and where the output
//! lands. Pure: it looks at file names and contents handed to it. `clouddeck.toml` in the
//! source overrides any of the three.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPlan {
    pub framework: String,
    pub install: Option<String>,
    pub build: Option<String>,
    /// Relative to the source root.
    pub output: String,
}

/// What detection may read: a file's text by its path in the source.
pub trait SourceTree {
    fn text(&self, path: &str) -> Option<String>;
    fn exists(&self, path: &str) -> bool {
        self.text(path).is_some()
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
}

#[derive(Deserialize, Default)]
struct Overrides {
    #[serde(default)]
    build: BuildOverrides,
}

#[derive(Deserialize, Default)]
struct BuildOverrides {
    install: Option<String>,
    command: Option<String>,
    output: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DetectError {
    #[error("package.json is not valid JSON: {0}")]
    PackageJson(String),
    #[error("clouddeck.toml is not valid: {0}")]
    Config(String),
    #[error("no framework recognized and no index.html: add clouddeck.toml with [build] command and output")]
    Unknown,
}

fn install_command(tree: &dyn SourceTree) -> String {
    if tree.exists("pnpm-lock.yaml") {
        "pnpm install --frozen-lockfile".into()
    } else if tree.exists("yarn.lock") {
        "yarn install --frozen-lockfile".into()
    } else if tree.exists("package-lock.json") {
        "npm ci --no-audit --no-fund".into()
    } else {
        "npm install --no-audit --no-fund".into()
    }
}

/// The lockfile whose hash keys the dependency cache, if any.
pub fn lockfile(tree: &dyn SourceTree) -> Option<&'static str> {
    ["package-lock.json", "yarn.lock", "pnpm-lock.yaml"].into_iter().find(|f| tree.exists(f))
}

fn node_plan(tree: &dyn SourceTree, package: &PackageJson) -> BuildPlan {
    let has = |dep: &str| package.dependencies.contains_key(dep) || package.dev_dependencies.contains_key(dep);
    let (framework, output) = if has("next") {
        ("next", "out".to_string())
    } else if has("gatsby") {
        ("gatsby", "public".into())
    } else if has("@docusaurus/core") {
        ("docusaurus", "build".into())
    } else if has("astro") {
        ("astro", "dist".into())
    } else if has("@sveltejs/kit") {
        ("sveltekit", "build".into())
    } else if has("@angular/core") {
        ("angular", format!("dist/{}/browser", package.name))
    } else if has("react-scripts") {
        ("create-react-app", "build".into())
    } else if has("@vue/cli-service") {
        ("vue-cli", "dist".into())
    } else if has("vite") {
        ("vite", "dist".into())
    } else {
        ("node", "dist".into())
    };
    let build = package.scripts.contains_key("build").then(|| "npm run build".to_string());
    BuildPlan { framework: framework.into(), install: Some(install_command(tree)), build, output }
}

pub fn detect(tree: &dyn SourceTree) -> Result<BuildPlan, DetectError> {
    let mut plan = if let Some(json) = tree.text("package.json") {
        let package: PackageJson = serde_json::from_str(&json).map_err(|e| DetectError::PackageJson(e.to_string()))?;
        node_plan(tree, &package)
    } else if tree.exists("book.toml") {
        BuildPlan {
            framework: "mdbook".into(),
            install: None,
            build: Some("mdbook build".into()),
            output: "book".into(),
        }
    } else if tree.exists("hugo.toml") || (tree.exists("config.toml") && tree.exists("archetypes/default.md")) {
        BuildPlan {
            framework: "hugo".into(),
            install: None,
            build: Some("hugo --minify".into()),
            output: "public".into(),
        }
    } else if tree.text("config.toml").is_some_and(|c| c.contains("base_url")) {
        BuildPlan { framework: "zola".into(), install: None, build: Some("zola build".into()), output: "public".into() }
    } else if tree.exists("index.html") {
        BuildPlan { framework: "static".into(), install: None, build: None, output: ".".into() }
    } else if !tree.exists("clouddeck.toml") {
        return Err(DetectError::Unknown);
    } else {
        BuildPlan { framework: "custom".into(), install: None, build: None, output: ".".into() }
    };
    if let Some(text) = tree.text("clouddeck.toml") {
        let overrides: Overrides = toml::from_str(&text).map_err(|e| DetectError::Config(e.to_string()))?;
        if let Some(install) = overrides.build.install {
            plan.install = Some(install).filter(|c| !c.is_empty());
        }
        if let Some(command) = overrides.build.command {
            plan.build = Some(command).filter(|c| !c.is_empty());
        }
        if let Some(output) = overrides.build.output {
            plan.output = output;
        }
    }
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
        detect(&Files(files.iter().copied().collect()))
    }

    #[test]
    fn frameworks_are_recognized_with_their_output_folders() {
        let vite = plan(&[
            ("package.json", r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"^5"}}"#),
            ("package-lock.json", "{}"),
        ])
        .unwrap();
        assert_eq!(
            vite,
            BuildPlan {
                framework: "vite".into(),
                install: Some("npm ci --no-audit --no-fund".into()),
                build: Some("npm run build".into()),
                output: "dist".into(),
            }
        );
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
            let got = plan(&[("package.json", json), ("yarn.lock", "")]).unwrap();
            assert_eq!((got.framework.as_str(), got.output.as_str()), (framework, output), "{deps}");
            assert_eq!(got.install.as_deref(), Some("yarn install --frozen-lockfile"));
        }
        assert_eq!(plan(&[("book.toml", "")]).unwrap().framework, "mdbook");
        assert_eq!(plan(&[("hugo.toml", "")]).unwrap().output, "public");
        assert_eq!(plan(&[("config.toml", "base_url = \"x\"")]).unwrap().framework, "zola");
        assert_eq!(
            plan(&[("index.html", "<h1>")]).unwrap(),
            BuildPlan { framework: "static".into(), install: None, build: None, output: ".".into() }
        );
    }

    #[test]
    fn clouddeck_toml_overrides_and_bad_input_is_named() {
        let got = plan(&[
            ("package.json", r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"^5"}}"#),
            ("clouddeck.toml", "[build]\ncommand = \"npm run export\"\noutput = \"site\"\ninstall = \"\"\n"),
        ])
        .unwrap();
        assert_eq!((got.build.as_deref(), got.output.as_str(), got.install), (Some("npm run export"), "site", None));
        assert!(matches!(plan(&[("package.json", "{nope")]), Err(DetectError::PackageJson(_))));
        assert!(matches!(plan(&[("index.html", "x"), ("clouddeck.toml", "[build")]), Err(DetectError::Config(_))));
        assert_eq!(plan(&[("readme.md", "")]), Err(DetectError::Unknown));
    }
}
