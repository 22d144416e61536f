//! Requests the edge served, per deployment, as the read models count them (without
//! ClickHouse).

use super::Row;
use sqlx::AnyPool;

/// A deployment's answers by status class: `status_2xx, status_3xx, status_4xx, status_5xx`.
pub async fn status_counts<T: Row>(db: &AnyPool, deployment_id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status_2xx, status_3xx, status_4xx, status_5xx FROM rm_request_stats WHERE deployment_id = $1",
    )
    .bind(deployment_id)
    .fetch_optional(db)
    .await
}

/// A deployment's `limit` busiest paths: `path, requests, bytes`.
pub async fn top_paths<T: Row>(db: &AnyPool, deployment_id: &str, limit: i64) -> Result<Vec<T>, sqlx::Error> {
    sqlx::query_as(
        "SELECT path, requests, bytes FROM rm_request_paths WHERE deployment_id = $1 \
         ORDER BY requests DESC, path LIMIT $2",
    )
    .bind(deployment_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
