//! The read and checkpoint queries both backends run as they are, written once. A macro
//! rather than generic functions: sqlx's bounds for "any database" would outweigh the SQL.

/// Defines, in the calling module, free functions over `sqlx::Pool<$db>` reading events
/// with `$select` (the backend's `SELECT … FROM events`) and keeping checkpoints.
macro_rules! event_queries {
    ($db:ty, $select:expr) => {
        fn row_of(row: &<$db as sqlx::Database>::Row) -> Result<$crate::store::EventRow, sqlx::Error> {
            use sqlx::Row;
            Ok($crate::store::EventRow {
                position: row.try_get(0)?,
                event_id: row.try_get(1)?,
                stream_id: row.try_get(2)?,
                stream_version: row.try_get(3)?,
                event_type: row.try_get(4)?,
                schema_version: row.try_get(5)?,
                recorded_at: row.try_get(6)?,
                actor: row.try_get(7)?,
                causation_id: row.try_get(8)?,
                correlation_id: row.try_get(9)?,
                payload: row.try_get(10)?,
            })
        }

        fn recorded(rows: Vec<<$db as sqlx::Database>::Row>) -> Result<Vec<RecordedEvent>, StoreError> {
            rows.iter().map(|row| row_of(row)?.into_recorded()).collect()
        }

        async fn query_stream(
            pool: &sqlx::Pool<$db>,
            stream_id: &str,
            after_version: i64,
        ) -> Result<Vec<RecordedEvent>, StoreError> {
            let sql = format!("{} WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version", $select);
            recorded(sqlx::query(&sql).bind(stream_id).bind(after_version).fetch_all(pool).await?)
        }

        async fn query_all(pool: &sqlx::Pool<$db>, after: i64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
            let sql = format!("{} WHERE position > $1 ORDER BY position LIMIT $2", $select);
            recorded(sqlx::query(&sql).bind(after).bind(limit as i64).fetch_all(pool).await?)
        }

        async fn query_stream_version(pool: &sqlx::Pool<$db>, stream_id: &str) -> Result<i64, StoreError> {
            Ok(sqlx::query_scalar("SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1")
                .bind(stream_id)
                .fetch_one(pool)
                .await?)
        }

        async fn query_head(pool: &sqlx::Pool<$db>) -> Result<i64, StoreError> {
            Ok(sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events").fetch_one(pool).await?)
        }

        async fn query_installation(pool: &sqlx::Pool<$db>) -> Result<String, StoreError> {
            Ok(sqlx::query_scalar("SELECT id FROM installation").fetch_one(pool).await?)
        }

        async fn query_checkpoint(pool: &sqlx::Pool<$db>, name: &str) -> Result<i64, StoreError> {
            let position: Option<i64> = sqlx::query_scalar("SELECT position FROM log_checkpoints WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?;
            Ok(position.unwrap_or(0))
        }

        async fn store_checkpoint(pool: &sqlx::Pool<$db>, name: &str, position: i64) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO log_checkpoints (name, position, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(position)
            .bind(crate::now_ms())
            .execute(pool)
            .await?;
            Ok(())
        }

        async fn query_first_correlated(pool: &sqlx::Pool<$db>, correlation: &str) -> Result<Option<i64>, StoreError> {
            let sql = format!("SELECT MIN(position) FROM events WHERE {}", CORRELATION_MATCH);
            Ok(sqlx::query_scalar::<_, Option<i64>>(&sql).bind(correlation).fetch_one(pool).await?)
        }

        async fn query_recent_checkpoints(
            pool: &sqlx::Pool<$db>,
            prefix: &str,
            since_ms: i64,
        ) -> Result<Vec<(String, i64)>, StoreError> {
            // (a prefix of names the code makes: no `%` or `_` of a caller's)
            Ok(sqlx::query_as(
                "SELECT name, position FROM log_checkpoints WHERE substr(name, 1, length($1)) = $1 AND updated_at >= $2",
            )
            .bind(prefix)
            .bind(since_ms)
            .fetch_all(pool)
            .await?)
        }

        async fn delete_checkpoints(pool: &sqlx::Pool<$db>, prefix: &str, before_ms: i64) -> Result<u64, StoreError> {
            let deleted = sqlx::query(
                "DELETE FROM log_checkpoints WHERE substr(name, 1, length($1)) = $1 AND updated_at < $2",
            )
            .bind(prefix)
            .bind(before_ms)
            .execute(pool)
            .await?;
            Ok(deleted.rows_affected())
        }
    };
}

pub(crate) use event_queries;
