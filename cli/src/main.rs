//! `clouddeck`: one binary for the server roles and the operator's commands.

use clap::{Parser, Subcommand};
use clouddeck::config::Config;
use clouddeck::server::{Roles, Server};
use clouddeck::{bench, events_cmd};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "clouddeck", version, about = "CloudDeck: deploy sites and services; every action an event")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything in one process on the embedded defaults (SQLite, no service needed).
    Up,
    /// Run only the relay that publishes the log to Kafka (distributed mode).
    Relay,
    /// Run only the GraphQL API (distributed mode).
    Api,
    /// Run only the deployer (builds) and the edge router (distributed mode).
    Edge,
    /// The GraphQL schema.
    #[command(subcommand)]
    Graphql(GraphqlCommand),
    /// Read the event log.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Manage the read models.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
    /// Save a server URL and token for the commands below.
    Login {
        #[arg(long)]
        url: String,
        #[arg(long)]
        token: String,
    },
    /// Deploy a folder: upload what the server lacks, deploy, print the URL.
    Deploy(clouddeck::deploy_cmd::DeployArgs),
    /// List a project's deployments (`*` marks production).
    #[command(subcommand)]
    Deployments(DeploymentsCommand),
    /// Make a ready deployment production.
    Promote { deployment: String },
    /// Point production back at an earlier ready deployment; without one, at the production
    /// deployment before the current one.
    Rollback {
        deployment: Option<String>,
        /// The project to roll back when no deployment is named (default: this folder's name).
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Print a deployment's build log.
    Logs {
        deployment: String,
        #[arg(long)]
        follow: bool,
    },
    /// Measure the event spine and print figures beside their baselines.
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Print events from a position on.
    Tail {
        /// Print events after this position.
        #[arg(long, default_value_t = 0)]
        from: i64,
        /// Keep printing events as they are appended.
        #[arg(long)]
        follow: bool,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Check the whole log; exits non-zero naming each fault's position.
    Verify,
}

#[derive(Subcommand)]
enum DeploymentsCommand {
    Ls {
        #[arg(long)]
        project: String,
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
enum GraphqlCommand {
    /// Print the schema in SDL.
    Schema,
}

#[derive(Subcommand)]
enum ProjectionsCommand {
    /// Run the projections only (distributed mode: they read Kafka when it is configured).
    Run,
    /// Drop the read models and replay the whole log into them (stop `up` first).
    Rebuild,
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLOUDDECK_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,rdkafka=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Command::Up => {
            let relay = config.kafka_brokers.is_some();
            let server = Server::start(&config, Roles::all(relay)).await?;
            if let Some(token) = clouddeck::bootstrap::first_run(&config, server.store.clone()).await? {
                let api = server.api_addr.map(|a| a.to_string()).unwrap_or_default();
                eprintln!(
                    "first run: created {} with organization `{}`; its API token is in {path} (the CLI here uses it).\n\
                     From another machine: clouddeck login --url http://<this host>:{} --token \"$(cat {path})\"",
                    clouddeck::bootstrap::ADMIN_EMAIL,
                    clouddeck::bootstrap::PERSONAL_ORG,
                    api.rsplit(':').next().unwrap_or("4000"),
                    path = clouddeck::bootstrap::admin_token_path(&config).display(),
                );
                drop(token);
            }
            eprintln!(
                "clouddeck is up: event store at {}, projections running{}, GraphQL API at http://{}/graphql, \
                 sites at http://<project>.{}:{}",
                clouddeck_eventlog::redact(&config.database_url()?),
                if relay { ", relay publishing to Kafka" } else { "" },
                server.api_addr.map(|a| a.to_string()).unwrap_or_default(),
                config.base_domain,
                server.edge_addr.map(|a| a.port()).unwrap_or_default(),
            );
            server.serve().await?;
        }
        Command::Relay => {
            Server::start(&config, Roles::only_relay()).await?.serve().await?;
        }
        Command::Api => {
            let server = Server::start(&config, Roles::only_api()).await?;
            eprintln!("GraphQL API at http://{}/graphql", server.api_addr.map(|a| a.to_string()).unwrap_or_default());
            server.serve().await?;
        }
        Command::Edge => {
            let server = Server::start(&config, Roles::only_edge()).await?;
            eprintln!("edge at http://{}", server.edge_addr.map(|a| a.to_string()).unwrap_or_default());
            server.serve().await?;
        }
        Command::Graphql(GraphqlCommand::Schema) => print!("{}", clouddeck_graphql_api::sdl()),
        Command::Projections(ProjectionsCommand::Run) => {
            Server::start(&config, Roles::only_projections()).await?.serve().await?;
        }
        Command::Projections(ProjectionsCommand::Rebuild) => {
            let server = Server::start(&config, Roles::none()).await?;
            let rebuilt = clouddeck_projections::rebuild(
                server.store.clone(),
                &server.read_db,
                Arc::new(clouddeck_projections::ReadModels),
            )
            .await?;
            let rate = rebuilt.events as f64 / rebuilt.elapsed.as_secs_f64().max(1e-9);
            println!(
                "rebuilt read models from {} events in {:.2?} ({rate:.0} events/s)",
                rebuilt.events, rebuilt.elapsed
            );
            if let Some(url) = &config.clickhouse_url {
                let started = std::time::Instant::now();
                let analytics =
                    clouddeck_projections::analytics::Analytics::connect(url, &config.clickhouse_database).await?;
                let events = clouddeck_projections::analytics::rebuild(&analytics, server.store.clone()).await?;
                println!("rebuilt ClickHouse tables from {events} events in {:.2?}", started.elapsed());
            }
        }
        Command::Events(EventsCommand::Tail { from, follow, json }) => {
            let store = clouddeck_eventlog::connect(&config.database_url()?).await?;
            events_cmd::tail(store, from, follow, json).await?;
        }
        Command::Events(EventsCommand::Verify) => {
            let store = clouddeck_eventlog::connect(&config.database_url()?).await?;
            let report = events_cmd::verify(&*store).await?;
            for fault in &report.faults {
                println!("position {}: {}", fault.position, fault.problem);
            }
            println!(
                "{} events in {} streams: {}",
                report.events,
                report.streams,
                if report.faults.is_empty() { "ok".to_string() } else { format!("{} faults", report.faults.len()) }
            );
            if !report.faults.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Bench(args) => bench::run(&config, args).await?,
        Command::Login { url, token } => {
            let path = clouddeck::client::save_login(&url, &token)?;
            let client = clouddeck::client::Client::resolve(&config)?;
            let viewer = client.graphql("{ viewer { actor } }", serde_json::json!({})).await?;
            println!(
                "logged in as {} (saved in {})",
                viewer["viewer"]["actor"].as_str().unwrap_or("?"),
                path.display()
            );
        }
        Command::Deploy(args) => {
            let client = clouddeck::client::Client::resolve(&config)?;
            return clouddeck::deploy_cmd::deploy(&client, args).await;
        }
        Command::Deployments(DeploymentsCommand::Ls { project, org }) => {
            let client = clouddeck::client::Client::resolve(&config)?;
            clouddeck::deploy_cmd::list(&client, org, project).await?;
        }
        Command::Promote { deployment } => {
            let client = clouddeck::client::Client::resolve(&config)?;
            clouddeck::deploy_cmd::switch(&client, "promoteDeployment", &deployment).await?;
        }
        Command::Rollback { deployment, project, org } => {
            let client = clouddeck::client::Client::resolve(&config)?;
            let deployment = match deployment {
                Some(id) => id,
                None => clouddeck::deploy_cmd::previous_production(&client, org, project).await?,
            };
            clouddeck::deploy_cmd::switch(&client, "rollbackDeployment", &deployment).await?;
        }
        Command::Logs { deployment, follow } => {
            let client = clouddeck::client::Client::resolve(&config)?;
            clouddeck::deploy_cmd::logs(&client, &deployment, follow).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
