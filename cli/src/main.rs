//! `clouddeck`: one binary for the server roles and the operator's commands.

use clap::{Parser, Subcommand};
use clouddeck::client::{Client, ClientArgs};
use clouddeck::config::Config;
use clouddeck::manage_cmd::{EnvCommand, OrgsCommand, ProjectsCommand, TokensCommand};
use clouddeck::server::{Roles, Server};
use clouddeck::{bench, events_cmd};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "clouddeck", version, about = "CloudDeck: deploy sites and services; every action an event")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The server's commands take the server's settings (`Config`); the user's commands only
/// where the server is, as whom, and `--json` (`ClientArgs`).
#[derive(Subcommand)]
enum Command {
    /// Run everything in one process on the embedded defaults (SQLite, no service needed).
    Up(Config),
    /// Run only the relay that publishes the log to Kafka (distributed mode).
    Relay(Config),
    /// Run only the GraphQL API (distributed mode).
    Api(Config),
    /// Run only the edge router, which serves deployments (distributed mode).
    Edge(Config),
    /// Run only the deployer, which builds and rolls out deployments (distributed mode; give
    /// each deployer its own `--deployer-id`, and `--edge-addr` the edge to check through).
    Deployer(Config),
    /// The GraphQL schema.
    #[command(subcommand)]
    Graphql(GraphqlCommand),
    /// Read the event log.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
        #[command(flatten)]
        config: Config,
    },
    /// Manage the read models.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
        #[command(flatten)]
        config: Config,
    },
    /// Measure the event spine and print figures beside their baselines.
    Bench {
        #[command(flatten)]
        args: bench::BenchArgs,
        #[command(flatten)]
        config: Config,
    },
    /// Save a server URL and token for the commands below.
    Login {
        #[arg(long)]
        url: String,
        #[arg(long)]
        token: String,
    },
    /// Who the token you use is, and your organizations.
    Whoami(ClientArgs),
    /// Your organizations.
    Orgs {
        #[command(subcommand)]
        command: OrgsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// An organization's projects.
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// A project's environment variables.
    Env {
        #[command(subcommand)]
        command: EnvCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// A project's custom domains: add, list, verify, remove.
    Domains {
        #[command(subcommand)]
        command: clouddeck::domains_cmd::DomainsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// An organization's API tokens.
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Deploy a folder: upload what the server lacks, deploy, print the URL.
    Deploy {
        #[command(flatten)]
        args: clouddeck::deploy_cmd::DeployArgs,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List a project's deployments (`*` marks production).
    Deployments {
        #[command(subcommand)]
        command: DeploymentsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// A deployment's status, target, URL, source and build.
    Inspect {
        deployment: String,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Make a ready deployment production.
    Promote {
        deployment: String,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Point production back at an earlier ready deployment; without one, at the production
    /// deployment before the current one.
    Rollback {
        deployment: Option<String>,
        /// The project to roll back when no deployment is named (default: this folder's name).
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Print a deployment's build log.
    Logs {
        deployment: String,
        #[arg(long)]
        follow: bool,
        #[command(flatten)]
        client: ClientArgs,
    },
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
    /// How far the read models are behind the log, when they last moved, and which Kafka
    /// consumer instances are live (distributed mode).
    Status,
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
            clouddeck::output::failure(&e)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Up(config) => {
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
        Command::Relay(config) => {
            Server::start(&config, Roles::only_relay()).await?.serve().await?;
        }
        Command::Api(config) => {
            let server = Server::start(&config, Roles::only_api()).await?;
            eprintln!("GraphQL API at http://{}/graphql", server.api_addr.map(|a| a.to_string()).unwrap_or_default());
            server.serve().await?;
        }
        Command::Edge(config) => {
            let server = Server::start(&config, Roles::only_edge()).await?;
            eprintln!("edge at http://{}", server.edge_addr.map(|a| a.to_string()).unwrap_or_default());
            server.serve().await?;
        }
        Command::Deployer(config) => {
            let server = Server::start(&config, Roles::only_deployer()).await?;
            eprintln!("deployer `{}` following the log", config.deployer_id());
            server.serve().await?;
        }
        Command::Graphql(GraphqlCommand::Schema) => print!("{}", clouddeck_graphql_api::sdl()),
        Command::Projections { command: ProjectionsCommand::Run, config } => {
            Server::start(&config, Roles::only_projections()).await?.serve().await?;
        }
        Command::Projections { command: ProjectionsCommand::Status, config } => {
            let server = Server::start(&config, Roles::none()).await?;
            let topics = match &config.kafka_brokers {
                Some(_) => Some(config.kafka_topics(&*server.store).await?),
                None => None,
            };
            print!("{}", clouddeck::projections_cmd::status(&*server.store, &server.read_db, topics.as_ref()).await?);
        }
        Command::Projections { command: ProjectionsCommand::Rebuild, config } => {
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
        Command::Events { command: EventsCommand::Tail { from, follow, json }, config } => {
            let store = clouddeck_eventlog::connect(&config.database_url()?).await?;
            events_cmd::tail(store, from, follow, json).await?;
        }
        Command::Events { command: EventsCommand::Verify, config } => {
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
        Command::Bench { args, config } => bench::run(&config, args).await?,
        Command::Login { url, token } => {
            let path = clouddeck::client::save_login(&url, &token)?;
            let client = Client::new(&url, &token);
            let viewer = client.graphql("{ viewer { actor } }", serde_json::json!({})).await?;
            clouddeck::output::line(&format!(
                "logged in as {} (saved in {})",
                viewer["viewer"]["actor"].as_str().unwrap_or("?"),
                path.display()
            ));
        }
        Command::Whoami(client) => clouddeck::manage_cmd::whoami(&Client::resolve(&client)?, client.json).await?,
        Command::Orgs { command: OrgsCommand::Ls, client } => {
            clouddeck::manage_cmd::orgs(&Client::resolve(&client)?, client.json).await?
        }
        Command::Projects { command, client } => {
            clouddeck::manage_cmd::projects(&Client::resolve(&client)?, command, client.json).await?
        }
        Command::Env { command, client } => {
            clouddeck::manage_cmd::env(&Client::resolve(&client)?, command, client.json).await?
        }
        Command::Domains { command, client } => {
            clouddeck::domains_cmd::domains(&Client::resolve(&client)?, command, client.json).await?
        }
        Command::Tokens { command, client } => {
            clouddeck::manage_cmd::tokens(&Client::resolve(&client)?, command, client.json).await?
        }
        Command::Deploy { args, client } => {
            return clouddeck::deploy_cmd::deploy(&Client::resolve(&client)?, args).await;
        }
        Command::Deployments { command: DeploymentsCommand::Ls { project, org }, client } => {
            clouddeck::deploy_cmd::list(&Client::resolve(&client)?, org, project, client.json).await?;
        }
        Command::Inspect { deployment, client } => {
            clouddeck::manage_cmd::inspect(&Client::resolve(&client)?, &deployment, client.json).await?;
        }
        Command::Promote { deployment, client } => {
            clouddeck::deploy_cmd::switch(&Client::resolve(&client)?, "promoteDeployment", &deployment).await?;
        }
        Command::Rollback { deployment, project, org, client } => {
            let client = Client::resolve(&client)?;
            let deployment = match deployment {
                Some(id) => id,
                None => clouddeck::deploy_cmd::previous_production(&client, org, project).await?,
            };
            clouddeck::deploy_cmd::switch(&client, "rollbackDeployment", &deployment).await?;
        }
        Command::Logs { deployment, follow, client } => {
            clouddeck::deploy_cmd::logs(&Client::resolve(&client)?, &deployment, follow).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
