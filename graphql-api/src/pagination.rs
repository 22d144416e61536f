//! Relay-style pages, newest first: the page size and opaque cursors (`<created_at>:<id>`,
//! base64url). Pure: the queries that page live beside their types.

use crate::error::bad_input;
use async_graphql::Result;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;

/// The cursor of a row created at `created_at` with id `id`.
pub fn cursor(created_at: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{created_at}:{id}"))
}

/// `first` (default 20) checked against [`MAX_PAGE`], and `after` read back into the position
/// it names (None: from the newest).
///
/// Errors: BAD_USER_INPUT naming `first` or `after`.
pub fn page(first: Option<i32>, after: Option<&str>) -> Result<(i32, Option<(i64, String)>)> {
    let first = first.unwrap_or(20);
    if !(0..=MAX_PAGE).contains(&first) {
        return Err(bad_input("first", format!("must be between 0 and {MAX_PAGE}")));
    }
    let after = match after {
        Some(c) => Some(parse_cursor(c).ok_or_else(|| bad_input("after", "is not a cursor from this API"))?),
        None => None,
    };
    Ok((first, after))
}

fn parse_cursor(cursor: &str) -> Option<(i64, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = text.split_once(':')?;
    Some((at.parse().ok()?, id.to_string()))
}
