//! The artifact store: content-addressed blobs (`blobs/ab/abcdef…`, named by their SHA-256)
//! and one manifest per deployment (path → blob, size, content type), itself stored by the
//! hash of its canonical JSON. Everything here is immutable once written.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// One file of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
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
    #[error("manifest is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
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

#[derive(Debug, Clone)]
pub struct ArtifactStore {
    root: PathBuf,
}

impl ArtifactStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ArtifactStore { root: root.into() }
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.root.join("blobs").join(&hash[..2]).join(hash)
    }

    fn manifest_path(&self, hash: &str) -> PathBuf {
        self.root.join("manifests").join(format!("{hash}.json"))
    }

    pub fn has_blob(&self, hash: &str) -> bool {
        check_hash(hash).is_ok() && self.blob_path(hash).is_file()
    }

    /// The on-disk path of a stored blob, for serving.
    pub fn blob_file(&self, hash: &str) -> Result<PathBuf, ArtifactError> {
        check_hash(hash)?;
        let path = self.blob_path(hash);
        if path.is_file() { Ok(path) } else { Err(ArtifactError::MissingBlob(hash.into())) }
    }

    /// Stores `bytes` as the blob `claimed`, refusing content that hashes otherwise. The
    /// blob appears atomically (temp file, then rename): a reader never sees half of it.
    pub async fn put_blob(&self, claimed: &str, bytes: &[u8]) -> Result<(), ArtifactError> {
        check_hash(claimed)?;
        let actual = sha256_hex(bytes);
        if actual != claimed {
            return Err(ArtifactError::HashMismatch { claimed: claimed.into(), actual });
        }
        let path = self.blob_path(claimed);
        if path.is_file() {
            return Ok(());
        }
        write_atomically(&path, bytes).await
    }

    /// Stores a manifest; returns its hash.
    pub async fn put_manifest(&self, manifest: &Manifest) -> Result<String, ArtifactError> {
        let json = serde_json::to_vec(manifest)?;
        let hash = sha256_hex(&json);
        let path = self.manifest_path(&hash);
        if !path.is_file() {
            write_atomically(&path, &json).await?;
        }
        Ok(hash)
    }

    pub async fn manifest(&self, hash: &str) -> Result<Manifest, ArtifactError> {
        check_hash(hash)?;
        match tokio::fs::read(self.manifest_path(hash)).await {
            Ok(json) => Ok(serde_json::from_slice(&json)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ArtifactError::MissingManifest(hash.into())),
            Err(e) => Err(e.into()),
        }
    }
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    tokio::fs::create_dir_all(dir).await?;
    let temp = dir.join(format!(".tmp-{}-{}", std::process::id(), rand_suffix()));
    let mut file = tokio::fs::File::create(&temp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    tokio::fs::rename(&temp, path).await?;
    Ok(())
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
    );
    hasher.finish()
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

    #[tokio::test]
    async fn blobs_are_checked_against_their_hash() {
        let dir = std::env::temp_dir().join(format!("cd-artifacts-{}", rand_suffix()));
        let store = ArtifactStore::new(&dir);
        let hash = sha256_hex(b"hello");
        assert!(matches!(
            store.put_blob(&sha256_hex(b"other"), b"hello").await,
            Err(ArtifactError::HashMismatch { .. })
        ));
        assert!(matches!(store.put_blob("../../x", b"hello").await, Err(ArtifactError::BadHash(_))));
        assert!(!store.has_blob(&hash));
        store.put_blob(&hash, b"hello").await.unwrap();
        assert!(store.has_blob(&hash));
        assert_eq!(std::fs::read(store.blob_file(&hash).unwrap()).unwrap(), b"hello");
        let mut manifest = Manifest::default();
        manifest
            .files
            .insert("index.html".into(), FileEntry { sha256: hash, size: 5, content_type: content_type("index.html") });
        let id = store.put_manifest(&manifest).await.unwrap();
        assert_eq!(store.manifest(&id).await.unwrap(), manifest);
        assert_eq!(store.put_manifest(&manifest).await.unwrap(), id, "content-addressed");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
