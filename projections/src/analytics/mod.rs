//! The ClickHouse side (distributed mode): every event raw, usage by organization, project,
//! metric and hour, and request analytics per deployment, fed in batches from the log
//! (Kafka, or the event table). DDL in schema/clickhouse/, within what ClickHouse 18.16
//! supports and still valid on current versions. Every table tolerates a batch delivered
//! twice: raw events and windows replace their own rows, and usage cells keep the set of
//! events that made them.

mod projector;
pub mod rows;

pub use projector::{AnalyticsError, AnalyticsProjector, CHECKPOINT, rebuild, write};

use clickhouse::{Client, Row};
use serde::Deserialize;

const DDL: &[&str] = &[
    include_str!("../../../schema/clickhouse/0001_events_raw.sql"),
    include_str!("../../../schema/clickhouse/0002_usage_events.sql"),
    include_str!("../../../schema/clickhouse/0003_usage_hourly.sql"),
    include_str!("../../../schema/clickhouse/0004_requests.sql"),
    include_str!("../../../schema/clickhouse/0005_request_paths.sql"),
    include_str!("../../../schema/clickhouse/0006_checkpoints.sql"),
];

/// The tables, dropped before a replay (the view before the table it reads).
const TABLES: &[&str] = &[
    "usage_hourly",
    "usage_events",
    "events_raw",
    "requests_by_window",
    "request_paths_by_window",
    "projection_checkpoints",
];

#[derive(Clone)]
pub struct Analytics {
    /// The server, no database chosen: for creating and dropping databases.
    server: Client,
    client: Client,
    database: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Row, Deserialize)]
pub struct UsageTotal {
    pub metric: String,
    pub project_id: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Row, Deserialize)]
pub struct StatusCounts {
    pub status_2xx: i64,
    pub status_3xx: i64,
    pub status_4xx: i64,
    pub status_5xx: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PathTotal {
    pub path: String,
    pub requests: i64,
    pub bytes: i64,
}

impl Analytics {
    /// Connects to `url`, creates `database` and the tables if missing.
    pub async fn connect(url: &str, database: &str) -> Result<Self, clickhouse::error::Error> {
        let server = Client::default().with_url(url).with_validation(false);
        let database = database.replace('`', "");
        server.query(&format!("CREATE DATABASE IF NOT EXISTS `{database}`")).execute().await?;
        let analytics = Analytics { client: server.clone().with_database(&database), server, database };
        analytics.migrate().await?;
        Ok(analytics)
    }

    async fn migrate(&self) -> Result<(), clickhouse::error::Error> {
        for ddl in DDL {
            self.client.query(ddl).execute().await?;
        }
        Ok(())
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Drops the whole database (benchmarks and tests clean up with it).
    pub async fn drop_database(self) -> Result<(), clickhouse::error::Error> {
        self.server.query(&format!("DROP DATABASE IF EXISTS `{}`", self.database)).execute().await
    }

    /// Drops every table and makes them again, empty: a replay starts from here.
    pub async fn reset(&self) -> Result<(), clickhouse::error::Error> {
        for table in TABLES {
            self.client.query(&format!("DROP TABLE IF EXISTS {table}")).execute().await?;
        }
        self.migrate().await
    }

    /// A period's usage by metric and project (`project_id` '' is organization-wide).
    pub async fn usage(
        &self,
        organization_id: &str,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<UsageTotal>, clickhouse::error::Error> {
        let mut totals = self
            .client
            .query(
                "SELECT metric, project_id, \
                 toInt64(arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayMerge(events)))) AS quantity \
                 FROM usage_hourly WHERE organization_id = ? AND hour >= toDateTime(?) AND hour < toDateTime(?) \
                 GROUP BY metric, project_id",
            )
            .bind(organization_id)
            .bind(start_ms / 1_000)
            .bind(end_ms / 1_000)
            .fetch_all::<UsageTotal>()
            .await?;
        totals.sort();
        Ok(totals)
    }

    /// A deployment's answers by status class, over all its windows.
    pub async fn statuses(&self, deployment_id: &str) -> Result<StatusCounts, clickhouse::error::Error> {
        let counts = self
            .client
            .query(
                "SELECT sum(status_2xx), sum(status_3xx), sum(status_4xx), sum(status_5xx) \
                 FROM requests_by_window FINAL WHERE deployment_id = ?",
            )
            .bind(deployment_id)
            .fetch_all::<StatusCounts>()
            .await?;
        Ok(counts.into_iter().next().unwrap_or_default())
    }

    /// A deployment's busiest paths.
    pub async fn top_paths(&self, deployment_id: &str, limit: u32) -> Result<Vec<PathTotal>, clickhouse::error::Error> {
        self.client
            .query(
                "SELECT path, sum(requests) AS requests, sum(bytes) AS bytes FROM request_paths_by_window FINAL \
                 WHERE deployment_id = ? GROUP BY path ORDER BY requests DESC, path LIMIT ?",
            )
            .bind(deployment_id)
            .bind(limit)
            .fetch_all::<PathTotal>()
            .await
    }

    pub async fn checkpoint(&self, name: &str) -> Result<i64, clickhouse::error::Error> {
        let found = self
            .client
            .query("SELECT toInt64(max(position)) FROM projection_checkpoints WHERE name = ?")
            .bind(name)
            .fetch_all::<i64>()
            .await?;
        Ok(found.into_iter().next().unwrap_or(0))
    }
}
