//! The artifact store: content-addressed blobs (`blobs/ab/abcdef…`, named by their SHA-256)
//! and one manifest per deployment (path → blob, size, content type), itself stored by the
//! hash of its canonical JSON. Everything here is immutable once written.
//!
//! What enters it enters through one intake (`intake.rs`: a folder, under one link policy)
//! or as a file list of blobs already stored ([`FileEntry::at`]); `git.rs` fetches a pushed
//! commit and hands its checkout to the same intake.

pub mod git;
mod intake;
mod s3;
mod store;

pub use intake::{
    FolderFile, FolderRules, IntakeError, Listed, MAX_ENTRIES, SKIPPED_LISTED, Stored, list_folder,
    list_folder_skipping, skipped_line, store_folder, store_folder_skipping,
};
pub use s3::S3Config;
pub use store::ArtifactStore;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One file of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}

impl FileEntry {
    /// The entry of a file at `path` (normalized) holding the blob `sha256` of `size` bytes;
    /// its content type is guessed from the path ([`content_type`]).
    pub fn at(path: &str, sha256: String, size: u64) -> Self {
        FileEntry { sha256, size, content_type: content_type(path) }
    }
}

/// A deployment's files, by normalized path (no leading slash).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|f| f.size).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("`{0}` is not a SHA-256 (64 lowercase hex digits)")]
    BadHash(String),
    #[error("the upload's content hashes to {actual}, not {claimed}")]
    HashMismatch { claimed: String, actual: String },
    #[error("the upload is over the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("path `{path}`: {reason}")]
    BadPath { path: String, reason: &'static str },
    #[error("blob {0} is not in the store")]
    MissingBlob(String),
    #[error("manifest {0} is not in the store")]
    MissingManifest(String),
    #[error("artifact storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("S3 artifact storage: {0}")]
    Remote(String),
    #[error("manifest is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn check_hash(hash: &str) -> Result<(), ArtifactError> {
    let ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok { Ok(()) } else { Err(ArtifactError::BadHash(hash.chars().take(80).collect())) }
}

/// Normalizes a path from a client: relative, `/`-separated, no `.`/`..` segments, no
/// backslashes, NUL or other control characters, at most 1,024 bytes and 255 per segment.
pub fn normalize_path(path: &str) -> Result<String, ArtifactError> {
    let bad = |reason| Err(ArtifactError::BadPath { path: path.chars().take(200).collect(), reason });
    if path.is_empty() || path.len() > 1024 {
        return bad("must be 1 to 1,024 bytes");
    }
    if path.chars().any(char::is_control) {
        return bad("must not contain control characters");
    }
    if path.contains('\\') {
        return bad("must use `/`, not `\\`");
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => continue,
            ".." => return bad("must not leave its folder (`..`)"),
            p if p.len() > 255 => return bad("has a segment over 255 bytes"),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return bad("names no file");
    }
    Ok(parts.join("/"))
}

pub fn content_type(path: &str) -> String {
    let guess = mime_guess::from_path(path).first_or_octet_stream();
    let essence = guess.essence_str();
    if essence.starts_with("text/") || essence == "application/javascript" || essence == "application/json" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused_and_odd_ones_normalized() {
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "a\\b",
            "a\u{0}b",
            "new\nline",
            "",
            "/",
            "./",
            &"x".repeat(1025),
            &format!("{}/a", "y".repeat(256)),
        ] {
            assert!(normalize_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(normalize_path("/assets//app.js").unwrap(), "assets/app.js");
        assert_eq!(normalize_path("./index.html").unwrap(), "index.html");
        assert_eq!(normalize_path("a/./b/c.txt").unwrap(), "a/b/c.txt");
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("data.bin"), "application/octet-stream");
    }
}
