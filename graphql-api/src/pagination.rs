//! Relay-style pages of deployments: newest first, with opaque cursors.

use crate::error::{bad_input, db};
use crate::types::{DEPLOYMENT_COLUMNS, Deployment, state};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const MAX_PAGE: i32 = 100;

fn cursor(d: &Deployment) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", d.created_at, d.id))
}

fn parse_cursor(cursor: &str) -> Option<(i64, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = text.split_once(':')?;
    Some((at.parse().ok()?, id.to_string()))
}

pub async fn deployments(
    ctx: &Context<'_>,
    project_id: &str,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, Deployment>> {
    let first = first.unwrap_or(20);
    if !(0..=MAX_PAGE).contains(&first) {
        return Err(bad_input("first", format!("must be between 0 and {MAX_PAGE}")));
    }
    let after = match after.as_deref() {
        Some(c) => Some(parse_cursor(c).ok_or_else(|| bad_input("after", "is not a cursor from this API"))?),
        None => None,
    };
    let (at, id) = after.clone().unwrap_or((i64::MAX, String::new()));
    let unbounded = after.is_none();
    let rows: Vec<Deployment> = sqlx::query_as(&format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM rm_deployments WHERE project_id = $1 \
         AND ($2 = 1 OR created_at < $3 OR (created_at = $3 AND deployment_id < $4)) \
         ORDER BY created_at DESC, deployment_id DESC LIMIT $5"
    ))
    .bind(project_id)
    .bind(i64::from(unbounded))
    .bind(at)
    .bind(id)
    .bind(i64::from(first) + 1)
    .fetch_all(&state(ctx).read_db)
    .await
    .map_err(db)?;
    let has_next = rows.len() > first as usize;
    let mut connection = Connection::new(!unbounded, has_next);
    connection.edges.extend(rows.into_iter().take(first as usize).map(|d| Edge::new(cursor(&d), d)));
    Ok(connection)
}
