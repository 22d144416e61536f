//! What the user's commands print: a table for people, or (`--json`) one JSON document for
//! scripts; and the exit codes scripts can rely on. Writing to a closed pipe (`… | head -1`)
//! ends the command quietly instead of panicking.

use std::io::Write;
use std::process::ExitCode;

/// The exit codes of the user's commands (clap's usage errors are 2).
pub mod code {
    /// Done.
    pub const OK: u8 = 0;
    /// The command failed (a deploy that failed, the server refused, a network error).
    pub const FAILED: u8 = 1;
    /// Not signed in, or not allowed (UNAUTHENTICATED, FORBIDDEN).
    pub const DENIED: u8 = 3;
    /// What was named does not exist or cannot be seen (NOT_FOUND).
    pub const NOT_FOUND: u8 = 4;
    /// A quota or the plan refused it (QUOTA_EXCEEDED).
    pub const QUOTA: u8 = 5;
}

/// Writes `text` and a newline to stdout; a closed stdout ends the process (status 0: the
/// reader has what it wanted).
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing the output: {e}");
        std::process::exit(i32::from(code::FAILED));
    }
}

/// Prints rows: as a JSON array of objects with `json`, else as aligned columns under
/// `headers`.
pub fn table(json: bool, headers: &[&str], rows: &[Vec<String>]) {
    if json {
        let objects: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                let pairs = headers.iter().zip(row).map(|(h, v)| (h.to_string(), serde_json::Value::String(v.clone())));
                serde_json::Value::Object(pairs.collect())
            })
            .collect();
        line(&serde_json::to_string_pretty(&objects).unwrap_or_default());
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: Vec<String>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    line(&render(headers.iter().map(|h| h.to_uppercase()).collect()));
    for row in rows {
        line(&render(row.clone()));
    }
}

/// The exit code for an error: what the server said, when it said something.
pub fn failure(error: &anyhow::Error) -> ExitCode {
    let code = match error.downcast_ref::<crate::client::ApiError>().map(|e| e.code.as_str()) {
        Some("UNAUTHENTICATED" | "FORBIDDEN") => code::DENIED,
        Some("NOT_FOUND") => code::NOT_FOUND,
        Some("QUOTA_EXCEEDED") => code::QUOTA,
        _ => code::FAILED,
    };
    ExitCode::from(code)
}
