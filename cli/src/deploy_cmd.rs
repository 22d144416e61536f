//! `clouddeck deploy`, `deployments ls`, `promote`, `rollback`, `logs`: the user's side of
//! the deploy pipeline, over the GraphQL API and the blob endpoints.

use crate::client::Client;
use anyhow::{Context as _, bail};
use clap::Args;
use clouddeck_artifacts::{FolderRules, list_folder_skipping, sha256_hex, skipped_line};
use futures::StreamExt;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// The folder to deploy.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The project's slug (default: the folder's name); created if it does not exist.
    #[arg(long)]
    pub project: Option<String>,
    /// The organization's slug (default: your only one).
    #[arg(long)]
    pub org: Option<String>,
    /// Promote to production once ready.
    #[arg(long)]
    pub prod: bool,
    /// The folder is the built site: serve it as it is (otherwise it is built on the server).
    #[arg(long)]
    pub prebuilt: bool,
}

/// Upload requests in flight at once.
const UPLOADS_AT_ONCE: usize = 4;
/// A batch of small files: at most this many, and this many bytes.
const BATCH_FILES: usize = 500;
const BATCH_BYTES: u64 = 8 << 20;
/// Past this many files, the list goes up as blobs (`deployFiles(fileList:)`).
const INLINE_FILES: usize = 1_000;
/// Each blob of a file list holds this many entries (≈ 150 KiB: under any per-file limit a
/// server is likely to set).
const LIST_PART_FILES: usize = 1_000;

/// The most files a deployment may hold (the server's `deployFiles` limit).
const MAX_FILES: usize = 100_000;

/// Files larger than this are refused before anything is uploaded.
const MAX_FILE: u64 = 100 * 1024 * 1024;

struct LocalFile {
    path: String,
    disk: PathBuf,
    sha256: String,
    size: u64,
}

/// Every file under `root`, hashed, read through the artifact store's one intake: `.git` is
/// skipped; a source (built on the server, which installs them) leaves out `node_modules`,
/// `.clouddeck` and what its `.gitignore` and `.clouddeckignore` files name; a prebuilt
/// folder leaves out hidden files (not `.well-known/`), `node_modules` and what its
/// `.clouddeckignore` names (whose `!pattern` brings a file back). What was left out is said
/// on stderr. A link is followed only when it stays inside the folder; the limits are said
/// before anything is uploaded (the server refuses past them too).
fn collect(root: &Path, prebuilt: bool) -> anyhow::Result<Vec<LocalFile>> {
    let rules = if prebuilt {
        FolderRules {
            skip: &[".git"],
            skip_unpublished: true,
            ignore_files: &[".clouddeckignore"],
            ..FolderRules::default()
        }
    } else {
        FolderRules {
            skip: &[".git", "node_modules", ".clouddeck"],
            ignore_files: &[".gitignore", ".clouddeckignore"],
            ..FolderRules::default()
        }
    };
    let rules = FolderRules { max_files: Some(MAX_FILES), max_file_bytes: Some(MAX_FILE), ..rules };
    let listed = list_folder_skipping(root, &rules).with_context(|| format!("cannot deploy {}", root.display()))?;
    if let Some(said) = skipped_line(&listed.skipped, listed.skipped_unlisted) {
        let why =
            if prebuilt { "hidden, node_modules or in .clouddeckignore" } else { "in .gitignore or .clouddeckignore" };
        eprintln!("not uploaded ({why}): {said}");
    }
    listed
        .files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file.disk)?;
            Ok(LocalFile { sha256: sha256_hex(&bytes), size: bytes.len() as u64, path: file.path, disk: file.disk })
        })
        .collect()
}

pub async fn organization(client: &Client, given: Option<String>) -> anyhow::Result<String> {
    if let Some(org) = given {
        return Ok(org);
    }
    let data = client.graphql("{ organizations { slug } }", json!({})).await?;
    let slugs: Vec<&str> = data["organizations"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["slug"].as_str()).collect())
        .unwrap_or_default();
    match slugs.as_slice() {
        [one] => Ok(one.to_string()),
        [] => bail!("you belong to no organization: create one first"),
        many => bail!("you belong to several organizations ({}): pass --org", many.join(", ")),
    }
}

pub(crate) fn slug_of(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_lowercase()))
        .unwrap_or_default();
    let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() { "site".into() } else { slug }
}

async fn ensure_project(client: &Client, org: &str, project: &str) -> anyhow::Result<()> {
    let query = "query($o: String!, $p: String!) { project(organization: $o, slug: $p) { id } }";
    match client.graphql(query, json!({ "o": org, "p": project })).await {
        Ok(_) => Ok(()),
        Err(e) if e.to_string().starts_with("NOT_FOUND") => {
            let create =
                "mutation($o: String!, $p: String!) { createProject(organization: $o, slug: $p, name: $p) { id } }";
            client.graphql(create, json!({ "o": org, "p": project })).await?;
            eprintln!("created project {org}/{project}");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// What a deploy ended in.
#[derive(Debug)]
pub struct Deployed {
    pub id: String,
    pub status: String,
    pub url: String,
    pub error: Option<String>,
    pub log: Vec<String>,
    pub files: usize,
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    /// A newer deployment that took production before this one was seen there.
    pub superseded_by: Option<String>,
}

/// Uploads one batch: a lone file by itself (streamed on the server's side), more together.
/// (A named function rather than a closure: the future stays `Send` for any caller.)
async fn send_batch(
    client: &Client,
    org: &str,
    project: &str,
    batch: &[&LocalFile],
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    if let [one] = batch {
        client.upload_blob(org, project, &one.sha256, tokio::fs::read(&one.disk).await?).await?;
    } else {
        let mut parts = Vec::with_capacity(batch.len());
        for file in batch {
            parts.push((file.sha256.clone(), tokio::fs::read(&file.disk).await?));
        }
        client.upload_batch(org, project, &parts).await?;
    }
    bar.inc(batch.iter().map(|f| f.size).sum());
    Ok(())
}

/// Uploads what the server lacks, deploys, and waits for ready or failed.
pub async fn upload_and_deploy(client: &Client, args: &DeployArgs) -> anyhow::Result<Deployed> {
    let files = collect(&args.dir, args.prebuilt)?;
    if files.is_empty() {
        bail!("{} has no files", args.dir.display());
    }
    let org = organization(client, args.org.clone()).await?;
    let project = args.project.clone().unwrap_or_else(|| slug_of(&args.dir));
    ensure_project(client, &org, &project).await?;

    let hashes: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
    let missing: std::collections::HashSet<String> =
        client.missing_blobs(&org, &project, &hashes).await?.into_iter().collect();
    let to_upload: Vec<&LocalFile> = {
        let mut seen = std::collections::HashSet::new();
        files.iter().filter(|f| missing.contains(&f.sha256) && seen.insert(f.sha256.clone())).collect()
    };
    let uploaded_bytes: u64 = to_upload.iter().map(|f| f.size).sum();
    let bar = indicatif::ProgressBar::new(uploaded_bytes);
    bar.set_style(
        indicatif::ProgressStyle::with_template("uploading {bytes}/{total_bytes} {wide_bar} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Small files go many to a request (a site of thousands of files takes a few requests,
    // well inside the API's rate); large ones one each, streamed on the server's side.
    let mut batches: Vec<Vec<&LocalFile>> = Vec::new();
    let mut batch_bytes = 0;
    for file in &to_upload {
        let full = batches.last().is_none_or(|b| b.len() >= BATCH_FILES || batch_bytes + file.size > BATCH_BYTES);
        if full {
            batches.push(Vec::new());
            batch_bytes = 0;
        }
        batch_bytes += file.size;
        if let Some(batch) = batches.last_mut() {
            batch.push(file);
        }
    }
    // (The futures are made before the stream holds them: a stream holding the closure would
    // not be `Send` for every lifetime, and callers spawn this.)
    let sends: Vec<_> = batches.iter().map(|batch| send_batch(client, &org, &project, batch, &bar)).collect();
    let mut uploads = futures::stream::iter(sends).buffer_unordered(UPLOADS_AT_ONCE);
    while let Some(done) = uploads.next().await {
        done?;
    }
    drop(uploads);
    bar.finish_and_clear();

    let list: Vec<Value> =
        files.iter().map(|f| json!({ "path": f.path, "sha256": f.sha256, "size": f.size })).collect();
    // A large site's list goes up as blobs of its own: a GraphQL request is at most 256 KiB.
    let (files_argument, list_argument) = if list.len() > INLINE_FILES {
        let parts: Vec<Vec<u8>> = list.chunks(LIST_PART_FILES).map(serde_json::to_vec).collect::<Result<_, _>>()?;
        let hashes: Vec<String> = parts.iter().map(|part| sha256_hex(part)).collect();
        let missing = client.missing_blobs(&org, &project, &hashes).await?;
        let upload: Vec<(String, Vec<u8>)> =
            hashes.iter().cloned().zip(parts).filter(|(hash, _)| missing.contains(hash)).collect();
        for batch in upload.chunks(32) {
            client.upload_batch(&org, &project, batch).await?;
        }
        (Value::Null, json!(hashes))
    } else {
        (json!(list), Value::Null)
    };
    let deploy = "mutation($o: String!, $p: String!, $f: [DeployFileInput!], $l: [String!], $prod: Boolean, $pre: Boolean!) { \
                  deployFiles(organization: $o, project: $p, files: $f, fileList: $l, production: $prod, prebuilt: $pre) { id status } }";
    let variables = json!({ "o": org, "p": project, "f": files_argument, "l": list_argument, "prod": args.prod, "pre": args.prebuilt });
    let data = client.graphql(deploy, variables).await?;
    let id = data["deployFiles"]["id"].as_str().context("no deployment id in the answer")?.to_string();
    let mut status = data["deployFiles"]["status"].as_str().unwrap_or("requested").to_string();
    // The status to wait away from (a long poll); none while waiting for the alias to move.
    let mut waiting = Some(status.clone());
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut superseded_by = None;
    let mut promotion_pause = Duration::from_millis(2);
    loop {
        // A long poll: the server answers when the status changes (or after 25 s).
        let query =
            "query($id: String!, $w: String) { deployment(id: $id, waitWhile: $w) { status url build { error } log } }";
        let state = client.graphql(query, json!({ "id": id, "w": waiting })).await?;
        let deployment = &state["deployment"];
        status = deployment["status"].as_str().unwrap_or_default().to_string();
        if status == "ready" && args.prod {
            // `production:` is printed only once the alias serves this deployment.
            let query = "query($o: String!, $p: String!) { project(organization: $o, slug: $p) { productionDeployment { id } } }";
            let live = client.graphql(query, json!({ "o": org, "p": project })).await?;
            let production = live["project"]["productionDeployment"]["id"].as_str().unwrap_or_default();
            // Deployment ids are UUID v7: a greater one was requested later, and the deployer
            // takes one project's deployments in order, so this one was promoted before it.
            if production > id.as_str() {
                superseded_by = Some(production.to_string());
            } else if production != id.as_str() {
                if Instant::now() > deadline {
                    bail!("deployment {id} is ready but was never promoted");
                }
                waiting = None;
                // The deployer promotes a few ms after it marks the deployment ready: look
                // again soon, then less often (a fixed 100 ms here was most of a one-file
                // deploy's time, measured with `clouddeck bench`).
                tokio::time::sleep(promotion_pause).await;
                promotion_pause = (promotion_pause * 2).min(Duration::from_millis(100));
                continue;
            } else {
                // The read models show it; the edges (other processes, perhaps) may not yet:
                // the server waits up to 5 s for them to serve it.
                let query = "query($id: String!) { deployment(id: $id) { servedByEdges } }";
                // (best effort: a server without the field still deployed it)
                let served = client.graphql(query, json!({ "id": id })).await.ok();
                if served.is_some_and(|s| s["deployment"]["servedByEdges"] != json!(true)) {
                    eprintln!("warning: an edge had not applied the promotion of {id} after 5 s");
                }
            }
        }
        if matches!(status.as_str(), "ready" | "failed" | "canceled") {
            return Ok(Deployed {
                id,
                status,
                url: deployment["url"].as_str().unwrap_or_default().to_string(),
                error: deployment["build"]["error"].as_str().map(str::to_string),
                log: deployment["log"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect(),
                files: files.len(),
                uploaded: to_upload.len(),
                uploaded_bytes,
                superseded_by,
            });
        }
        if Instant::now() > deadline {
            bail!("deployment {id} is still {status} after 15 minutes");
        }
        waiting = Some(status.clone());
    }
}

pub async fn deploy(client: &Client, args: DeployArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let deployed = upload_and_deploy(client, &args).await?;
    eprintln!(
        "{} files, {} uploaded ({} bytes), {} already there",
        deployed.files,
        deployed.uploaded,
        deployed.uploaded_bytes,
        deployed.files - deployed.uploaded
    );
    if deployed.status != "ready" {
        for line in &deployed.log {
            eprintln!("  {line}");
        }
        eprintln!(
            "deployment {} {}: {}",
            deployed.id,
            deployed.status,
            deployed.error.as_deref().unwrap_or("no reason given")
        );
        return Ok(ExitCode::FAILURE);
    }
    crate::output::line(&deployed.url);
    match (&deployed.superseded_by, args.prod) {
        (Some(newer), _) => {
            crate::output::line(&format!("production has since moved on to the newer deployment {newer}"))
        }
        (None, true) => {
            crate::output::line(&format!("production: {}", deployed.url.replacen(&format!("{}-", deployed.id), "", 1)))
        }
        (None, false) => {}
    }
    eprintln!("ready in {:.2?}", started.elapsed());
    Ok(ExitCode::SUCCESS)
}

/// A project's deployments, newest first; `*` marks production.
pub async fn list(client: &Client, org: Option<String>, project: String, json_out: bool) -> anyhow::Result<()> {
    let org = organization(client, org).await?;
    let query = "query($o: String!, $p: String!) { project(organization: $o, slug: $p) { productionDeployment { id } \
                 deployments(first: 50) { edges { node { id status target createdAt url } } } } }";
    let data = client.graphql(query, json!({ "o": org, "p": project })).await?;
    let production = data["project"]["productionDeployment"]["id"].as_str().unwrap_or_default().to_string();
    let rows: Vec<Vec<String>> = data["project"]["deployments"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|edge| {
            let node = &edge["node"];
            let id = node["id"].as_str().unwrap_or_default();
            let field = |name: &str| node[name].as_str().unwrap_or_default().to_string();
            vec![
                if id == production { "*".into() } else { String::new() },
                id.to_string(),
                field("status"),
                field("target"),
                field("createdAt"),
                field("url"),
            ]
        })
        .collect();
    if json_out {
        crate::output::table(true, &["production", "id", "status", "target", "created", "url"], &rows);
        return Ok(());
    }
    for row in &rows {
        let mark = if row[0].is_empty() { " " } else { "*" };
        crate::output::line(&format!("{mark} {}  {:<9} {:<10} {}  {}", row[1], row[2], row[3], row[4], row[5]));
    }
    Ok(())
}

/// The production deployment before the one live now: the newest ready production
/// deployment created before it (the list comes newest first).
pub async fn previous_production(
    client: &Client,
    org: Option<String>,
    project: Option<String>,
) -> anyhow::Result<String> {
    let org = organization(client, org).await?;
    let project = project.unwrap_or_else(|| slug_of(Path::new(".")));
    let query = "query($o: String!, $p: String!) { project(organization: $o, slug: $p) { \
                 productionDeployment { id } deployments(first: 100) { edges { node { id status target } } } } }";
    let data = client.graphql(query, json!({ "o": org, "p": project })).await?;
    let Some(live) = data["project"]["productionDeployment"]["id"].as_str() else {
        bail!("{org}/{project} has no production deployment to roll back from");
    };
    let earlier = data["project"]["deployments"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"])
        .skip_while(|d| d["id"] != live)
        .skip(1)
        .find(|d| d["status"] == "ready" && d["target"] == "production");
    match earlier.and_then(|d| d["id"].as_str()) {
        Some(id) => Ok(id.to_string()),
        None => bail!("{org}/{project} has no ready production deployment older than {live} to roll back to"),
    }
}

/// `promoteDeployment` or `rollbackDeployment`.
pub async fn switch(client: &Client, mutation: &str, id: &str) -> anyhow::Result<()> {
    let query = format!("mutation($id: String!) {{ {mutation}(id: $id) {{ id url }} }}");
    let data = client.graphql(&query, json!({ "id": id })).await?;
    crate::output::line(&format!("production now serves {}", data[mutation]["id"].as_str().unwrap_or(id)));
    Ok(())
}

pub async fn logs(client: &Client, id: &str, follow: bool) -> anyhow::Result<()> {
    let mut printed = 0;
    loop {
        let data =
            client.graphql("query($id: String!) { deployment(id: $id) { status log } }", json!({ "id": id })).await?;
        let lines: Vec<&str> =
            data["deployment"]["log"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        for line in lines.iter().skip(printed) {
            crate::output::line(line);
        }
        printed = lines.len();
        let done = matches!(data["deployment"]["status"].as_str(), Some("ready" | "failed" | "canceled"));
        if !follow || done {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
