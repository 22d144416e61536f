//! What a user does without the GraphQL console: `whoami`, `orgs ls`, `projects ls | create |
//! rm`, `env ls | set | rm` (a value read from stdin, so it stays out of shell history),
//! `tokens create | ls | revoke`, `inspect DEPLOYMENT`. Listings print a table, or JSON with
//! `--json`.

use crate::client::Client;
use crate::output::{line, table};
use anyhow::{Context as _, bail};
use clap::Subcommand;
use serde_json::{Value, json};

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// The organizations you belong to.
    Ls,
}

#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// The organization's projects.
    Ls {
        #[arg(long)]
        org: Option<String>,
    },
    /// Creates a project (its slug is its name in URLs: `<slug>.<base domain>`).
    Create {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Deletes a project (its sites stop being served).
    Rm {
        slug: String,
        #[arg(long)]
        org: Option<String>,
        /// Do not ask; required when stdin is not a terminal.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// The project's variables (names and targets; values are never shown).
    Ls {
        #[arg(long)]
        project: String,
        #[arg(long)]
        org: Option<String>,
    },
    /// Sets a variable; its value is read from stdin (not an argument: it would stay in your
    /// shell's history).
    Set {
        key: String,
        #[arg(long)]
        project: String,
        #[arg(long)]
        org: Option<String>,
        /// production, preview or all.
        #[arg(long, default_value = "all")]
        target: String,
    },
    /// Removes a variable.
    Rm {
        key: String,
        #[arg(long)]
        project: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "all")]
        target: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Creates an API token; its secret is printed once.
    Create {
        name: String,
        /// owner, admin, developer or viewer (at most your own).
        #[arg(long, default_value = "developer")]
        role: String,
        #[arg(long)]
        expires_in_days: Option<i32>,
        #[arg(long)]
        org: Option<String>,
    },
    /// The organization's tokens.
    Ls {
        #[arg(long)]
        org: Option<String>,
    },
    /// Revokes a token at once.
    Revoke {
        id: String,
        #[arg(long)]
        org: Option<String>,
    },
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn whoami(client: &Client, json_out: bool) -> anyhow::Result<()> {
    let data = client
        .graphql("{ viewer { actor user { id email name } organization { slug } } organizations { slug } }", json!({}))
        .await?;
    if json_out {
        line(&serde_json::to_string_pretty(&data)?);
        return Ok(());
    }
    let viewer = &data["viewer"];
    match viewer["user"]["email"].as_str() {
        Some(email) => line(&format!("{} ({email})", viewer["user"]["name"].as_str().unwrap_or_default())),
        None => line(&format!("an API token of {}", viewer["organization"]["slug"].as_str().unwrap_or("?"))),
    }
    line(&format!("actor: {}", text(&viewer["actor"])));
    let orgs: Vec<String> = data["organizations"].as_array().into_iter().flatten().map(|o| text(&o["slug"])).collect();
    line(&format!("organizations: {}", orgs.join(", ")));
    Ok(())
}

pub async fn orgs(client: &Client, json_out: bool) -> anyhow::Result<()> {
    let data = client.graphql("{ organizations { slug name createdAt projects { slug } } }", json!({})).await?;
    let rows: Vec<Vec<String>> = data["organizations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let projects = o["projects"].as_array().map_or(0, Vec::len);
            vec![text(&o["slug"]), text(&o["name"]), projects.to_string(), text(&o["createdAt"])]
        })
        .collect();
    table(json_out, &["slug", "name", "projects", "created"], &rows);
    Ok(())
}

pub async fn projects(client: &Client, command: ProjectsCommand, json_out: bool) -> anyhow::Result<()> {
    match command {
        ProjectsCommand::Ls { org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let query = "query($o: String!) { organization(slug: $o) { projects { slug name createdAt \
                         productionDeployment { url } } } }";
            let data = client.graphql(query, json!({ "o": org })).await?;
            let rows: Vec<Vec<String>> = data["organization"]["projects"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    vec![
                        text(&p["slug"]),
                        text(&p["name"]),
                        text(&p["productionDeployment"]["url"]),
                        text(&p["createdAt"]),
                    ]
                })
                .collect();
            table(json_out, &["slug", "name", "production", "created"], &rows);
        }
        ProjectsCommand::Create { slug, name, org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let create = "mutation($o: String!, $s: String!, $n: String!) { createProject(organization: $o, slug: $s, name: $n) { id slug } }";
            let name = name.unwrap_or_else(|| slug.clone());
            let data = client.graphql(create, json!({ "o": org, "s": slug, "n": name })).await?;
            line(&format!("created {org}/{}", text(&data["createProject"]["slug"])));
        }
        ProjectsCommand::Rm { slug, org, yes } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            if !yes {
                bail!("deleting {org}/{slug} stops its sites: run again with --yes to confirm");
            }
            let delete = "mutation($o: String!, $p: String!) { deleteProject(organization: $o, project: $p) }";
            client.graphql(delete, json!({ "o": org, "p": slug })).await?;
            line(&format!("deleted {org}/{slug}"));
        }
    }
    Ok(())
}

fn target(value: &str) -> anyhow::Result<&'static str> {
    match value {
        "production" => Ok("PRODUCTION"),
        "preview" => Ok("PREVIEW"),
        "all" => Ok("ALL"),
        other => bail!("--target must be production, preview or all, not `{other}`"),
    }
}

pub async fn env(client: &Client, command: EnvCommand, json_out: bool) -> anyhow::Result<()> {
    match command {
        EnvCommand::Ls { project, org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let query = "query($o: String!, $p: String!) { project(organization: $o, slug: $p) { envVars { key target updatedAt } } }";
            let data = client.graphql(query, json!({ "o": org, "p": project })).await?;
            let rows: Vec<Vec<String>> = data["project"]["envVars"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| vec![text(&v["key"]), text(&v["target"]), text(&v["updatedAt"])])
                .collect();
            table(json_out, &["key", "target", "updated"], &rows);
        }
        EnvCommand::Set { key, project, org, target: scope } => {
            let scope = target(&scope)?;
            let org = crate::deploy_cmd::organization(client, org).await?;
            let mut value = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut value).context("reading the value from stdin")?;
            // One trailing newline is the terminal's (or echo's), not the value's.
            let value =
                value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value).to_string();
            let set = format!(
                "mutation($o: String!, $p: String!, $k: String!, $v: String!) {{ setEnvVar(organization: $o, project: $p, key: $k, value: $v, target: {scope}) {{ key target }} }}"
            );
            client.graphql(&set, json!({ "o": org, "p": project, "k": key, "v": value })).await?;
            line(&format!("set {key} ({}) on {org}/{project}", scope.to_lowercase()));
        }
        EnvCommand::Rm { key, project, org, target: scope } => {
            let scope = target(&scope)?;
            let org = crate::deploy_cmd::organization(client, org).await?;
            let remove = format!(
                "mutation($o: String!, $p: String!, $k: String!) {{ removeEnvVar(organization: $o, project: $p, key: $k, target: {scope}) }}"
            );
            client.graphql(&remove, json!({ "o": org, "p": project, "k": key })).await?;
            line(&format!("removed {key} ({}) from {org}/{project}", scope.to_lowercase()));
        }
    }
    Ok(())
}

pub async fn tokens(client: &Client, command: TokensCommand, json_out: bool) -> anyhow::Result<()> {
    match command {
        TokensCommand::Create { name, role, expires_in_days, org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let role = match role.as_str() {
                "owner" | "admin" | "developer" | "viewer" => role.to_uppercase(),
                other => bail!("--role must be owner, admin, developer or viewer, not `{other}`"),
            };
            let create = format!(
                "mutation($o: String!, $n: String!, $d: Int) {{ createApiToken(organization: $o, name: $n, role: {role}, expiresInDays: $d) {{ token {{ id }} secret }} }}"
            );
            let data = client.graphql(&create, json!({ "o": org, "n": name, "d": expires_in_days })).await?;
            if json_out {
                line(&serde_json::to_string_pretty(&data["createApiToken"])?);
            } else {
                eprintln!("token {} created; its secret is shown once:", text(&data["createApiToken"]["token"]["id"]));
                line(&text(&data["createApiToken"]["secret"]));
            }
        }
        TokensCommand::Ls { org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let query = "query($o: String!) { organization(slug: $o) { apiTokens { id name role createdBy createdAt expiresAt revokedAt } } }";
            let data = client.graphql(query, json!({ "o": org })).await?;
            let rows: Vec<Vec<String>> = data["organization"]["apiTokens"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    ["id", "name", "role", "createdBy", "createdAt", "expiresAt", "revokedAt"]
                        .iter()
                        .map(|k| text(&t[*k]))
                        .collect()
                })
                .collect();
            table(json_out, &["id", "name", "role", "created_by", "created", "expires", "revoked"], &rows);
        }
        TokensCommand::Revoke { id, org } => {
            let org = crate::deploy_cmd::organization(client, org).await?;
            let revoke = "mutation($o: String!, $t: String!) { revokeApiToken(organization: $o, tokenId: $t) { id } }";
            client.graphql(revoke, json!({ "o": org, "t": id })).await?;
            line(&format!("revoked {id}"));
        }
    }
    Ok(())
}

pub async fn inspect(client: &Client, id: &str, json_out: bool) -> anyhow::Result<()> {
    let query = "query($id: String!) { deployment(id: $id) { id projectId status target sourceKind sourceRef \
                 commitSha url createdAt updatedAt build { durationMs error logChunks } } }";
    let data = client.graphql(query, json!({ "id": id })).await?;
    let deployment = &data["deployment"];
    if json_out {
        line(&serde_json::to_string_pretty(deployment)?);
        return Ok(());
    }
    for (label, value) in [
        ("id", &deployment["id"]),
        ("status", &deployment["status"]),
        ("target", &deployment["target"]),
        ("url", &deployment["url"]),
        ("source", &deployment["sourceKind"]),
        ("commit", &deployment["commitSha"]),
        ("created", &deployment["createdAt"]),
        ("updated", &deployment["updatedAt"]),
        ("build ms", &deployment["build"]["durationMs"]),
        ("error", &deployment["build"]["error"]),
    ] {
        let shown = text(value);
        if !shown.is_empty() {
            line(&format!("{label:<9} {shown}"));
        }
    }
    Ok(())
}
