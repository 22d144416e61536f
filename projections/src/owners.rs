//! Which organization owns each stream (`rm_stream_owners`): what the API's event
//! subscriptions and audit log show to whom. Written by each area as it sees a stream begin.

use sqlx::AnyConnection;

/// Records that `organization_id` owns `stream` (the first owner stays).
pub async fn owner(db: &mut AnyConnection, stream: &str, organization_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_stream_owners (stream_id, organization_id) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING",
    )
    .bind(stream)
    .bind(organization_id)
    .execute(db)
    .await
    .map(drop)
}

/// Records that `stream` belongs to whoever owns `of` (a build log's stream, its deployment's).
pub async fn same_owner(db: &mut AnyConnection, stream: &str, of: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_stream_owners (stream_id, organization_id) \
         SELECT $1, organization_id FROM rm_stream_owners WHERE stream_id = $2 \
         ON CONFLICT (stream_id) DO NOTHING",
    )
    .bind(stream)
    .bind(of)
    .execute(db)
    .await
    .map(drop)
}
