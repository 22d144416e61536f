//! `clouddeck domains`: a project's custom domains, and the DNS records to create for each,
//! printed in the columns DNS panels ask for (type, name, value).

use crate::client::Client;
use crate::deploy_cmd::{organization, slug_of};
use crate::output::{line, table};
use anyhow::bail;
use clap::Subcommand;
use serde_json::{Value, json};
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum DomainsCommand {
    /// Adds a domain to a project and prints the DNS records that prove and point it.
    Add {
        hostname: String,
        /// Default: the current folder's name, as `deploy` uses.
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// Answer with a 308 redirect to this other domain of the project (www → apex).
        #[arg(long)]
        redirect_to: Option<String>,
    },
    /// The project's domains, their status and certificate.
    Ls {
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Checks a domain's TXT record now.
    Verify {
        hostname: String,
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Removes a domain: it stops serving at once.
    Rm {
        hostname: String,
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
}

const FIELDS: &str = "id hostname status lastError redirectTo dnsRecords { recordType name value } \
                      certificate { status issuer notAfter error }";

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The records to create, one row each.
fn print_records(domain: &Value, json_out: bool) {
    let rows: Vec<Vec<String>> = domain["dnsRecords"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| vec![text(&r["recordType"]), text(&r["name"]), text(&r["value"])])
        .collect();
    if !json_out {
        line("Create these DNS records at your DNS provider:");
    }
    table(json_out, &["type", "name", "value"], &rows);
}

async fn domains_of(client: &Client, org: &str, project: &str) -> anyhow::Result<Vec<Value>> {
    let query = format!(
        "query($o: String!, $p: String!) {{ project(organization: $o, slug: $p) {{ domains {{ {FIELDS} }} }} }}"
    );
    let data = client.graphql(&query, json!({ "o": org, "p": project })).await?;
    Ok(data["project"]["domains"].as_array().cloned().unwrap_or_default())
}

async fn find(client: &Client, org: &str, project: &str, hostname: &str) -> anyhow::Result<Value> {
    let wanted = hostname.trim_end_matches('.').to_lowercase();
    let found = domains_of(client, org, project).await?.into_iter().find(|d| d["hostname"] == wanted.as_str());
    match found {
        Some(domain) => Ok(domain),
        None => bail!("{org}/{project} has no domain `{wanted}` (see `clouddeck domains ls`)"),
    }
}

pub async fn domains(client: &Client, command: DomainsCommand, json_out: bool) -> anyhow::Result<()> {
    let project_of = |project: Option<String>| project.unwrap_or_else(|| slug_of(Path::new(".")));
    match command {
        DomainsCommand::Add { hostname, project, org, redirect_to } => {
            let (org, project) = (organization(client, org).await?, project_of(project));
            let add = format!(
                "mutation($o: String!, $p: String!, $h: String!, $r: String) {{ addDomain(organization: $o, project: $p, hostname: $h, redirectTo: $r) {{ {FIELDS} }} }}"
            );
            let data = client.graphql(&add, json!({ "o": org, "p": project, "h": hostname, "r": redirect_to })).await?;
            let domain = &data["addDomain"];
            if !json_out {
                line(&format!("added {} to {org}/{project}", text(&domain["hostname"])));
            }
            print_records(domain, json_out);
            if !json_out {
                line("It is checked every minute at first, then hourly; `clouddeck domains verify` checks now.");
            }
        }
        DomainsCommand::Ls { project, org } => {
            let (org, project) = (organization(client, org).await?, project_of(project));
            let rows: Vec<Vec<String>> = domains_of(client, &org, &project)
                .await?
                .iter()
                .map(|d| {
                    vec![
                        text(&d["hostname"]),
                        text(&d["status"]).to_lowercase(),
                        text(&d["certificate"]["status"]),
                        text(&d["certificate"]["notAfter"]),
                        text(&d["redirectTo"]),
                        text(&d["lastError"]),
                    ]
                })
                .collect();
            table(json_out, &["hostname", "status", "certificate", "expires", "redirect to", "last error"], &rows);
        }
        DomainsCommand::Verify { hostname, project, org } => {
            let (org, project) = (organization(client, org).await?, project_of(project));
            let domain = find(client, &org, &project, &hostname).await?;
            let verify = format!("mutation($id: String!) {{ verifyDomain(id: $id) {{ {FIELDS} }} }}");
            let data = client.graphql(&verify, json!({ "id": domain["id"] })).await?;
            let domain = &data["verifyDomain"];
            line(&format!("{}: {}", text(&domain["hostname"]), text(&domain["status"]).to_lowercase()));
            if domain["status"] == "PENDING_VERIFICATION" || domain["status"] == "FAILED" {
                if let Some(error) = domain["lastError"].as_str() {
                    line(error);
                }
                print_records(domain, json_out);
            }
        }
        DomainsCommand::Rm { hostname, project, org } => {
            let (org, project) = (organization(client, org).await?, project_of(project));
            let domain = find(client, &org, &project, &hostname).await?;
            client.graphql("mutation($id: String!) { removeDomain(id: $id) }", json!({ "id": domain["id"] })).await?;
            line(&format!("removed {} from {org}/{project}", text(&domain["hostname"])));
        }
    }
    Ok(())
}
