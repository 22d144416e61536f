//! A deployment's request analytics: answers by status class and the busiest paths, from
//! ClickHouse in the distributed mode and from the read models on the embedded default.

use crate::error::{db, internal};
use crate::state::state;
use async_graphql::{Context, Result, SimpleObject};
use sqlx::FromRow;

#[derive(SimpleObject, FromRow, Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestAnalytics {
    #[graphql(name = "status2xx")]
    pub status_2xx: i64,
    #[graphql(name = "status3xx")]
    pub status_3xx: i64,
    #[graphql(name = "status4xx")]
    pub status_4xx: i64,
    #[graphql(name = "status5xx")]
    pub status_5xx: i64,
    #[sqlx(skip)]
    pub top_paths: Vec<PathTotal>,
}

#[derive(SimpleObject, FromRow, Clone, Debug, PartialEq, Eq)]
pub struct PathTotal {
    pub path: String,
    pub requests: i64,
    pub bytes: i64,
}

const TOP: u32 = 10;

pub async fn of_deployment(ctx: &Context<'_>, deployment_id: &str) -> Result<RequestAnalytics> {
    if let Some(analytics) = &state(ctx).analytics {
        let counts = analytics.statuses(deployment_id).await.map_err(internal)?;
        let paths = analytics.top_paths(deployment_id, TOP).await.map_err(internal)?;
        return Ok(RequestAnalytics {
            status_2xx: counts.status_2xx,
            status_3xx: counts.status_3xx,
            status_4xx: counts.status_4xx,
            status_5xx: counts.status_5xx,
            top_paths: paths
                .into_iter()
                .map(|p| PathTotal { path: p.path, requests: p.requests, bytes: p.bytes })
                .collect(),
        });
    }
    let read_db = &state(ctx).read_db;
    let found: Option<RequestAnalytics> =
        clouddeck_projections::queries::requests::status_counts(read_db, deployment_id).await.map_err(db)?;
    let mut analytics = found.unwrap_or_default();
    analytics.top_paths = clouddeck_projections::queries::requests::top_paths(read_db, deployment_id, i64::from(TOP))
        .await
        .map_err(db)?;
    Ok(analytics)
}
