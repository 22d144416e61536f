//! Dropping a projection's rows and replaying the whole log into it; and a snapshot of its
//! tables, to compare a rebuilt projection with a live one.

use crate::runner::{Projection, ProjectionError, ProjectionRunner, reset};
use clouddeck_eventlog::{EventStore, StoreFeed};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Rebuilt {
    pub events: i64,
    pub elapsed: Duration,
}

/// Empties the projection, then applies every event up to the log's current head.
/// Run it while the projection's live runner is stopped.
pub async fn rebuild(
    store: Arc<dyn EventStore>,
    db: &AnyPool,
    projection: Arc<dyn Projection>,
) -> Result<Rebuilt, ProjectionError> {
    let started = Instant::now();
    reset(db, &*projection).await?;
    // A long write-ahead log slows every read of the replay: fold it into the database first.
    let mut conn = db.acquire().await?;
    if conn.backend_name() == "SQLite" {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
    }
    drop(conn);
    let head = store.head().await?;
    // Large batches: a rebuild is one long catch-up, and rows coalesce within a batch.
    let mut runner = ProjectionRunner::new(db.clone(), projection).await?.with_batch(5_000);
    let mut feed = StoreFeed::new(store, 0);
    while runner.checkpoint() < head {
        runner.step(&mut feed, Duration::from_millis(50)).await?;
    }
    Ok(Rebuilt { events: head, elapsed: started.elapsed() })
}

/// Every row of every table of the projection, as text, each table's rows sorted by their cells.
pub async fn snapshot(db: &AnyPool, projection: &dyn Projection) -> Result<Vec<(String, Vec<String>)>, sqlx::Error> {
    let mut rows = Vec::new();
    for table in projection.tables() {
        let mut table_rows: Vec<Vec<String>> = Vec::new();
        for row in sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(db).await? {
            let cells = (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| v.map(|n| n.to_string())))
                        .map(|v| v.unwrap_or_else(|| "NULL".into()))
                        .unwrap_or_else(|e| format!("<{e}>"))
                })
                .collect();
            table_rows.push(cells);
        }
        // Sorted by every cell: the physical order of rows (which updates change) is no
        // part of a read model.
        table_rows.sort();
        rows.extend(table_rows.into_iter().map(|cells| (table.to_string(), cells)));
    }
    Ok(rows)
}
