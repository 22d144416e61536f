//! Request analytics per deployment in the read models: answers by status class and the
//! busiest paths, summed over the edge's windows.

use clouddeck_events::RequestsAnalyzed;
use sqlx::AnyConnection;

pub async fn apply(db: &mut AnyConnection, e: &RequestsAnalyzed) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_request_stats (deployment_id, organization_id, status_2xx, status_3xx, status_4xx, status_5xx) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (deployment_id) DO UPDATE SET \
         status_2xx = rm_request_stats.status_2xx + excluded.status_2xx, \
         status_3xx = rm_request_stats.status_3xx + excluded.status_3xx, \
         status_4xx = rm_request_stats.status_4xx + excluded.status_4xx, \
         status_5xx = rm_request_stats.status_5xx + excluded.status_5xx",
    )
    .bind(&e.deployment_id)
    .bind(&e.organization_id)
    .bind(e.status_2xx)
    .bind(e.status_3xx)
    .bind(e.status_4xx)
    .bind(e.status_5xx)
    .execute(&mut *db)
    .await?;
    for hits in &e.top_paths {
        sqlx::query(
            "INSERT INTO rm_request_paths (deployment_id, path, requests, bytes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (deployment_id, path) DO UPDATE SET requests = rm_request_paths.requests + excluded.requests, \
             bytes = rm_request_paths.bytes + excluded.bytes",
        )
        .bind(&e.deployment_id)
        .bind(&hits.path)
        .bind(hits.requests)
        .bind(hits.bytes)
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}
