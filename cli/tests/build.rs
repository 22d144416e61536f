//! Building from source on the server: a real Vite + React app, installed from the npm
//! registry and built in the sandbox, then served by the edge; the second build takes its
//! dependencies from the cache; a failing build leaves production alone and shows why.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app_building_with};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use serde_json::json;
use std::path::Path;

fn write_app(dir: &Path, greeting: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "react-app", "private": true, "type": "module",
             "scripts": { "build": "vite build" },
             "dependencies": { "react": "^18.3.1", "react-dom": "^18.3.1" },
             "devDependencies": { "vite": "^6.3.0" } }"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html><body><div id=\"root\"></div><script type=\"module\" src=\"/src/main.jsx\"></script></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.jsx"),
        format!(
            "import React from 'react';\nimport {{ createRoot }} from 'react-dom/client';\n\
             createRoot(document.getElementById('root')).render(<h1>{greeting}</h1>);\n"
        ),
    )
    .unwrap();
}

async fn build(app: &App, token: &str, dir: &Path, prod: bool) -> Deployed {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some("react-app".into()),
        org: Some("acme".into()),
        prod,
        prebuilt: false,
    };
    let deployed = upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap();
    // a production deploy returns once the alias serves it: no waiting here
    if prod && deployed.status == "ready" {
        let query = "{ project(organization: \"acme\", slug: \"react-app\") { productionDeployment { id } } }";
        let project = app.ok(Some(token), query, json!({})).await;
        assert_eq!(project["project"]["productionDeployment"]["id"], deployed.id.as_str());
    }
    deployed
}

async fn edge_get(app: &App, path: &str) -> reqwest::Response {
    app.http.get(format!("http://{}{path}", app.edge)).header("host", "react-app.localhost").send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vite_react_app_is_built_in_the_sandbox_and_served() {
    vite_react_app_builds_and_serves("sandbox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vite_react_app_is_built_in_docker_and_served() {
    vite_react_app_builds_and_serves("docker").await;
}

/// The same app and the same checks on either build backend.
async fn vite_react_app_builds_and_serves(build_backend: &str) {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, build_backend).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let source = scratch.path().join("react-app");
    write_app(&source, "Hello from React");
    // a lockfile, as a real project has, keys the dependency cache
    let locked = std::process::Command::new("npm")
        .args(["install", "--package-lock-only", "--no-audit", "--no-fund"])
        .current_dir(&source)
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", String::from_utf8_lossy(&locked.stderr));

    // when the source is deployed (no --prebuilt), it is installed and built on the server
    let first = build(&app, &token, &source, true).await;
    assert_eq!(first.status, "ready", "{:?}\n{}", first.error, first.log.join("\n"));
    assert!(first.log.iter().any(|l| l.contains("vite project")), "{:?}", first.log);
    assert!(first.log.iter().any(|l| l.contains("built in")), "{:?}", first.log);
    // then the page and its hashed script are served with the right types
    let page = edge_get(&app, "/").await.text().await.unwrap();
    let script = page.split("src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(script.starts_with("/assets/index-") && script.ends_with(".js"), "{page}");
    let js = edge_get(&app, &script).await;
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(js.text().await.unwrap().contains("Hello from React"));
    // a single-page app: a client-side route is the app's page
    let route = edge_get(&app, "/settings/profile").await;
    assert_eq!(route.status(), 200);
    assert!(route.text().await.unwrap().contains("src=\"/assets/index-"));

    // the same lockfile: dependencies come from the cache
    write_app(&source, "Hello again");
    let second = build(&app, &token, &source, true).await;
    assert_eq!(second.status, "ready", "{:?}", second.error);
    assert!(second.log.iter().any(|l| l.contains("dependencies from the cache")), "{:?}", second.log);

    // a broken build fails with its compiler's lines, and production keeps serving
    std::fs::write(source.join("src/main.jsx"), "import React from 'react';\nthis is not javascript <<<\n").unwrap();
    let broken = build(&app, &token, &source, true).await;
    assert_eq!(broken.status, "failed");
    assert!(broken.error.as_deref().unwrap().contains("npm run build"), "{:?}", broken.error);
    assert!(broken.log.iter().any(|l| l.contains("main.jsx")), "{:?}", broken.log);
    let still = edge_get(&app, "/").await.text().await.unwrap();
    let script = still.split("src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(edge_get(&app, &script).await.text().await.unwrap().contains("Hello again"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builds_see_their_targets_environment_variables() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", Some("react-app")).await;
    for (key, value, target) in [
        ("GREETING", "hello production", "PRODUCTION"),
        ("GREETING", "hello preview", "PREVIEW"),
        ("SHARED", "for all", "ALL"),
    ] {
        let set = format!(
            "mutation {{ setEnvVar(organization: \"acme\", project: \"react-app\", key: \"{key}\", value: \"{value}\", target: {target}) {{ key }} }}"
        );
        app.ok(Some(&token), &set, json!({})).await;
    }
    let scratch = clouddeck_testkit::Scratch::new();
    let source = scratch.path().join("env-site");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(
        source.join("clouddeck.toml"),
        "[build]\ninstall = \"\"\ncommand = \"mkdir -p out && printf '%s / %s' \\\"$GREETING\\\" \\\"$SHARED\\\" > out/index.html\"\noutput = \"out\"\n",
    )
    .unwrap();
    let production = build(&app, &token, &source, true).await;
    assert_eq!(production.status, "ready", "{:?} {:?}", production.error, production.log);
    assert_eq!(edge_get(&app, "/").await.text().await.unwrap(), "hello production / for all");
    let preview = build(&app, &token, &source, false).await;
    let host = format!("{}-react-app.localhost", preview.id);
    let page =
        app.http.get(format!("http://{}/", app.edge)).header("host", host).send().await.unwrap().text().await.unwrap();
    assert_eq!(page, "hello preview / for all");
    app.stop().await;
}

/// Deploys `dir` to `project` of acme and waits until it is done.
async fn deploy_to(app: &App, token: &str, dir: &Path, project: &str, prebuilt: bool) -> Deployed {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some(project.into()),
        org: Some("acme".into()),
        prod: true,
        prebuilt,
    };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap()
}

async fn statuses(app: &App, token: &str, project: &str) -> Vec<String> {
    let query = format!(
        "{{ project(organization: \"acme\", slug: \"{project}\") {{ deployments(first: 10) {{ edges {{ node {{ status }} }} }} }} }}"
    );
    // before the first deploy creates the project: no deployments
    let (_, body) = app.post(Some(token), &query, json!({})).await;
    body["data"]["project"]["deployments"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn projects_build_at_once_and_one_projects_deployments_in_order() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let slow = scratch.path().join("slow");
    std::fs::create_dir_all(&slow).unwrap();
    std::fs::write(
        slow.join("clouddeck.toml"),
        "[build]\ninstall = \"\"\ncommand = \"sleep 4 && mkdir -p out && echo slow > out/index.html\"\noutput = \"out\"\n",
    )
    .unwrap();
    let site = scratch.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "prebuilt").unwrap();

    // given a slow build of one project under way
    let first = deploy_to(&app, &token, &slow, "slow", false);
    let meanwhile = async {
        while statuses(&app, &token, "slow").await.first().map(String::as_str) != Some("building") {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // when another project deploys, it goes live while the first still builds
        let other = deploy_to(&app, &token, &site, "other", true).await;
        assert_eq!(other.status, "ready");
        assert_eq!(statuses(&app, &token, "slow").await, ["building"], "the slow build should still be running");
        // and a second deployment of the slow project waits for the first
        deploy_to(&app, &token, &site, "slow", true).await
    };
    let (first, second) = tokio::join!(first, meanwhile);
    assert_eq!(first.status, "ready", "{:?} {:?}", first.error, first.log);
    assert_eq!(second.status, "ready");
    // (the first's CLI may have seen production only after the second took it)
    assert!(first.superseded_by.as_ref().is_none_or(|newer| *newer == second.id), "{first:?}");
    // then production ends on the newest
    let query = "{ project(organization: \"acme\", slug: \"slow\") { productionDeployment { id } } }";
    let live = app.ok(Some(&token), query, json!({})).await;
    assert_eq!(live["project"]["productionDeployment"]["id"], second.id.as_str());
    app.stop().await;
}

/// Eleventy, as its docs set a project up (no `build` script), builds with its own command
/// and publishes `_site`; a project with nothing CloudDeck can run says that no build command
/// ran and what to set, not that a folder is missing (issue 18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eleventy_site_builds_with_its_own_command_and_nothing_to_run_is_said() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let site = scratch.path().join("eleventy-site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("package.json"),
        r#"{ "name": "eleventy-site", "private": true, "devDependencies": { "@11ty/eleventy": "^3.0.0" } }"#,
    )
    .unwrap();
    std::fs::write(site.join("index.md"), "# Hello from Eleventy\n").unwrap();
    let deployed = deploy_to(&app, &token, &site, "eleventy-site", false).await;
    assert_eq!(deployed.status, "ready", "{:?} {:?}", deployed.error, deployed.log);
    let log = deployed.log.join("\n");
    assert!(log.contains("eleventy's own `eleventy`"), "{log}");
    let host = format!("{}-eleventy-site.localhost", deployed.id);
    let page = app.http.get(format!("http://{}/", app.edge)).header("host", host).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Hello from Eleventy"));

    let bare = scratch.path().join("bare-node");
    std::fs::create_dir_all(&bare).unwrap();
    std::fs::write(bare.join("package.json"), r#"{ "name": "bare-node", "private": true }"#).unwrap();
    let failed = deploy_to(&app, &token, &bare, "bare-node", false).await;
    assert_eq!(failed.status, "failed");
    let error = failed.error.unwrap_or_default();
    assert!(error.contains("no build command ran") && error.contains("clouddeck.toml"), "{error}");
    app.stop().await;
}

/// Writes a Node.js project whose build publishes the Node.js and npm it ran with, and what
/// happened when it tried to change the Node.js binary it was given.
fn write_version_site(dir: &Path, package: &str, extra: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("package.json"), package).unwrap();
    std::fs::write(
        dir.join("build.js"),
        r#"const fs = require('fs'), path = require('path');
let tamper = 'written';
try { fs.writeFileSync(path.join(path.dirname(process.execPath), 'node'), 'evil'); } catch (e) { tamper = e.code; }
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', `${process.version} ${process.env.npm_config_user_agent} tamper=${tamper}`);
"#,
    )
    .unwrap();
    for (name, text) in extra {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The Node.js a project asks for, through `engines` or `.nvmrc`, is the one its build runs
/// (the log and the output say so); with no request the default line; an unavailable version
/// fails with what is available; the provided binary is read-only to the build (issue 18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builds_run_the_node_version_the_project_asks_for() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let script = r#""scripts": { "build": "node build.js" }"#;
    let cases = [
        ("engines-22", format!(r#"{{ "private": true, {script}, "engines": {{ "node": "22.x" }} }}"#), None, "v22."),
        ("nvmrc-jod", format!(r#"{{ "private": true, {script} }}"#), Some("# Jod is 22\nlts/jod\n"), "v22."),
        ("no-request", format!(r#"{{ "private": true, {script} }}"#), None, "v24."),
    ];
    for (project, package, nvmrc, version) in cases {
        let dir = scratch.path().join(project);
        let extra: Vec<(&str, &str)> = nvmrc.map(|text| (".nvmrc", text)).into_iter().collect();
        write_version_site(&dir, &package, &extra);
        let deployed = deploy_to(&app, &token, &dir, project, false).await;
        assert_eq!(deployed.status, "ready", "{project}: {:?} {:?}", deployed.error, deployed.log);
        let log = deployed.log.join("\n");
        assert!(log.contains(&format!("clouddeck: Node.js {}", &version[1..])), "{project}: {log}");
        if nvmrc.is_some() {
            assert!(log.contains("(asked for `lts/jod` in .nvmrc)"), "{log}");
        }
        let host = format!("{}-{project}.localhost", deployed.id);
        let page = app.http.get(format!("http://{}/", app.edge)).header("host", host).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.starts_with(version), "{project}: {page}");
        // npm as that release ships it, and a binary no build can change for the next
        assert!(page.contains(" npm/11.") && page.contains(&format!("node/{version}")), "{project}: {page}");
        assert!(page.ends_with("tamper=EROFS"), "{project}: {page}");
    }
    // a version no one provides fails the build, the user's to fix, naming what there is
    let old = scratch.path().join("too-old");
    write_version_site(&old, &format!(r#"{{ "private": true, {script} }}"#), &[(".nvmrc", "16\n")]);
    let failed = deploy_to(&app, &token, &old, "too-old", false).await;
    assert_eq!(failed.status, "failed");
    let error = failed.error.unwrap_or_default();
    assert!(error.contains("Node.js `16` (from .nvmrc) is not available") && error.contains("20 and later"), "{error}");
    app.stop().await;
}

/// Writes a SvelteKit app as `sv create`'s minimal template made it on 2026-11-30 (its
/// dependency ranges), with `adapter`.
fn write_sveltekit(dir: &Path, adapter: &str) {
    let range = if adapter.ends_with("static") { "^3.0.10" } else { "^7.0.1" };
    std::fs::create_dir_all(dir.join("src/routes")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!(
            r#"{{ "name": "kit", "private": true, "type": "module",
                 "scripts": {{ "build": "vite build" }},
                 "devDependencies": {{ "{adapter}": "{range}", "@sveltejs/kit": "^2.63.0",
                   "@sveltejs/vite-plugin-svelte": "^7.1.2", "svelte": "^5.56.1", "vite": "^8.0.16" }} }}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("svelte.config.js"),
        format!("import adapter from '{adapter}';\nexport default {{ kit: {{ adapter: adapter() }} }};\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("vite.config.js"),
        "import { sveltekit } from '@sveltejs/kit/vite';\nimport { defineConfig } from 'vite';\n\
         export default defineConfig({ plugins: [sveltekit()] });\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/app.html"),
        "<!doctype html><html><head>%sveltekit.head%</head><body><div>%sveltekit.body%</div></body></html>\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/routes/+page.svelte"), "<h1>Hello from SvelteKit</h1>\n").unwrap();
    std::fs::write(dir.join("src/routes/+layout.js"), "export const prerender = true;\n").unwrap();
}

/// SvelteKit as generated builds unchanged with the static adapter, and its `_app/immutable/`
/// assets are cached for a year; with `adapter-auto` (the generator's default, which builds
/// for other platforms' servers and leaves no `build` folder here) the failure says which
/// adapter to use (issue 18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sveltekit_builds_with_the_static_adapter_and_adapter_auto_is_told_which_to_use() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let kit = scratch.path().join("kit-static");
    write_sveltekit(&kit, "@sveltejs/adapter-static");
    let deployed = deploy_to(&app, &token, &kit, "kit-static", false).await;
    assert_eq!(deployed.status, "ready", "{:?} {:?}", deployed.error, deployed.log);
    let host = format!("{}-kit-static.localhost", deployed.id);
    let get = |path: String| app.http.get(format!("http://{}{path}", app.edge)).header("host", host.clone()).send();
    let page = get("/".into()).await.unwrap().text().await.unwrap();
    assert!(page.contains("Hello from SvelteKit"), "{page}");
    let asset = page
        .split('"')
        .find(|part| part.contains("_app/immutable/") && part.ends_with(".js"))
        .unwrap_or_else(|| panic!("no immutable asset in {page}"));
    let asset = format!("/_app/immutable/{}", asset.rsplit_once("_app/immutable/").unwrap().1);
    let answer = get(asset.clone()).await.unwrap();
    assert_eq!(answer.status(), 200, "{asset}");
    assert_eq!(answer.headers()["cache-control"], "public, max-age=31536000, immutable", "{asset}");

    let auto = scratch.path().join("kit-auto");
    write_sveltekit(&auto, "@sveltejs/adapter-auto");
    let failed = deploy_to(&app, &token, &auto, "kit-auto", false).await;
    assert_eq!(failed.status, "failed");
    let error = failed.error.unwrap_or_default();
    assert!(
        error.contains("no `build` folder")
            && error.contains("`@sveltejs/adapter-auto`")
            && error.contains("@sveltejs/adapter-static"),
        "{error}"
    );
    assert!(
        failed.log.iter().any(|line| line.starts_with("clouddeck: warning: this SvelteKit app")),
        "{:?}",
        failed.log
    );
    app.stop().await;
}

/// Astro as its generator makes it (`engines.node` >=22.12.0, which the server's own Node.js
/// 20 failed) builds with a release that answers its request, and an unknown path of the
/// generated site is a 404, not the home page; VitePress with no `build` script builds with
/// its own command (issue 18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn astro_and_vitepress_build_as_generated() {
    let app = spawn_app_building_with(Backend::Sqlite, 10_000.0, 10_000, "sandbox").await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let astro = scratch.path().join("astro");
    std::fs::create_dir_all(astro.join("src/pages")).unwrap();
    std::fs::write(
        astro.join("package.json"),
        r#"{ "name": "astro-min", "type": "module", "version": "0.0.1", "private": true,
             "engines": { "node": ">=22.12.0" },
             "scripts": { "dev": "astro dev", "build": "astro build", "preview": "astro preview", "astro": "astro" },
             "dependencies": { "astro": "^7.2.4" } }"#,
    )
    .unwrap();
    std::fs::write(
        astro.join("astro.config.mjs"),
        "import { defineConfig } from 'astro/config';\nexport default defineConfig({});\n",
    )
    .unwrap();
    std::fs::write(
        astro.join("src/pages/index.astro"),
        "---\n---\n<html><body><h1>Hello from Astro</h1></body></html>\n",
    )
    .unwrap();
    std::fs::write(astro.join("src/pages/about.astro"), "<html><body><h1>About</h1></body></html>\n").unwrap();
    let deployed = deploy_to(&app, &token, &astro, "astro", false).await;
    assert_eq!(deployed.status, "ready", "{:?} {:?}", deployed.error, deployed.log);
    let log = deployed.log.join("\n");
    assert!(log.contains("(asked for `>=22.12.0` in package.json engines.node)"), "{log}");
    let host = format!("{}-astro.localhost", deployed.id);
    let get = |path: &str| app.http.get(format!("http://{}{path}", app.edge)).header("host", host.clone()).send();
    assert!(get("/").await.unwrap().text().await.unwrap().contains("Hello from Astro"));
    assert!(get("/about/").await.unwrap().text().await.unwrap().contains("About"));
    let unknown = get("/no-such-page/").await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(!unknown.text().await.unwrap().contains("Hello from Astro"));

    let press = scratch.path().join("press");
    std::fs::create_dir_all(press.join("docs")).unwrap();
    std::fs::write(press.join("package.json"), r#"{ "private": true, "devDependencies": { "vitepress": "^1.6.4" } }"#)
        .unwrap();
    std::fs::write(press.join("docs/index.md"), "# Hello from VitePress\n").unwrap();
    let deployed = deploy_to(&app, &token, &press, "press", false).await;
    assert_eq!(deployed.status, "ready", "{:?} {:?}", deployed.error, deployed.log);
    assert!(deployed.log.iter().any(|l| l.contains("vitepress's own `vitepress build docs`")), "{:?}", deployed.log);
    let host = format!("{}-press.localhost", deployed.id);
    let page = app.http.get(format!("http://{}/", app.edge)).header("host", host).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Hello from VitePress"));
    app.stop().await;
}
