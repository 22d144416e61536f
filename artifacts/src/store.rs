//! Where blobs and manifests live: a folder (the embedded default), or an S3-compatible
//! bucket with that folder as a read-through cache (the distributed mode). Content
//! addressing makes the cache always right: a key's bytes never change, so it is never
//! invalidated, and it can be wiped at any time.

use super::{ArtifactError, Manifest, check_hash, sha256_hex};
use futures::{StreamExt, stream};
use object_store::{ObjectStore, PutPayload, path::Path as Key};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// How many existence checks a bucket gets at once (each one is a HEAD request).
const CHECKS_AT_ONCE: usize = 16;

#[derive(Debug, Clone)]
pub struct ArtifactStore {
    /// The store itself, or with a bucket, its cache.
    root: PathBuf,
    bucket: Option<Arc<dyn ObjectStore>>,
}

impl ArtifactStore {
    /// A store in the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ArtifactStore { root: root.into(), bucket: None }
    }

    /// A store in `bucket`, cached in the folder `cache`.
    pub fn in_bucket(cache: impl Into<PathBuf>, bucket: Arc<dyn ObjectStore>) -> Self {
        ArtifactStore { root: cache.into(), bucket: Some(bucket) }
    }

    /// A folder for what is derived from stored content on this node (compressed copies,
    /// say): a cache beside the store, never in a bucket.
    pub fn derived(&self, name: &str) -> PathBuf {
        self.root.join("derived").join(name)
    }

    fn blob_key(hash: &str) -> String {
        format!("blobs/{}/{hash}", &hash[..2])
    }

    fn manifest_key(hash: &str) -> String {
        format!("manifests/{hash}.json")
    }

    fn local(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    pub async fn has_blob(&self, hash: &str) -> bool {
        matches!(self.blob_size(hash).await, Ok(Some(_)))
    }

    /// Of `hashes`, those the store lacks, in their order. The folder is checked in one
    /// blocking pass (a deploy asks about every file); the bucket only for what it lacks.
    pub async fn missing(&self, hashes: &[String]) -> Vec<String> {
        let root = self.root.clone();
        let asked = hashes.to_vec();
        let local = tokio::task::spawn_blocking(move || {
            asked
                .into_iter()
                .filter(|hash| check_hash(hash).is_err() || !root.join(Self::blob_key(hash)).is_file())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|_| hashes.to_vec());
        if self.bucket.is_none() {
            return local;
        }
        let checks: Vec<_> = local.iter().map(|hash| self.has_blob(hash)).collect();
        let found: Vec<bool> = stream::iter(checks).buffered(CHECKS_AT_ONCE).collect().await;
        local.into_iter().zip(found).filter(|(_, has)| !has).map(|(hash, _)| hash).collect()
    }

    /// The sizes of stored blobs (`None`: lacking), the folder's in one blocking pass.
    pub async fn blob_sizes(&self, hashes: &[String]) -> Result<Vec<Option<u64>>, ArtifactError> {
        for hash in hashes {
            check_hash(hash)?;
        }
        let root = self.root.clone();
        let asked = hashes.to_vec();
        let local: Vec<Option<u64>> = tokio::task::spawn_blocking(move || {
            asked.iter().map(|hash| std::fs::metadata(root.join(Self::blob_key(hash))).ok().map(|m| m.len())).collect()
        })
        .await
        .map_err(|e| ArtifactError::Io(std::io::Error::other(e)))?;
        let mut sizes = Vec::with_capacity(hashes.len());
        for (hash, size) in hashes.iter().zip(local) {
            sizes.push(match (size, &self.bucket) {
                (Some(size), _) => Some(size),
                (None, None) => None,
                (None, Some(_)) => self.blob_size(hash).await?,
            });
        }
        Ok(sizes)
    }

    /// A stored blob's size; `None` when the store lacks it.
    pub async fn blob_size(&self, hash: &str) -> Result<Option<u64>, ArtifactError> {
        check_hash(hash)?;
        let key = Self::blob_key(hash);
        if let Ok(meta) = tokio::fs::metadata(self.local(&key)).await {
            return Ok(Some(meta.len()));
        }
        let Some(bucket) = &self.bucket else { return Ok(None) };
        match bucket.head(&Key::from(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(remote(e)),
        }
    }

    /// A stored blob as a local file, for serving and copying: with a bucket, it is fetched
    /// into the cache first.
    pub async fn blob_file(&self, hash: &str) -> Result<PathBuf, ArtifactError> {
        check_hash(hash)?;
        let key = Self::blob_key(hash);
        let path = self.local(&key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(path);
        }
        match self.fetch(&key).await? {
            Some(bytes) => {
                // A cache must never hold a corrupt blob: the bucket is checked too.
                let actual = sha256_hex(&bytes);
                if actual != hash {
                    return Err(ArtifactError::HashMismatch { claimed: hash.into(), actual });
                }
                write_atomically(&path, &bytes).await?;
                Ok(path)
            }
            None => Err(ArtifactError::MissingBlob(hash.into())),
        }
    }

    /// Stores `bytes` as the blob `claimed`, refusing content that hashes otherwise. The
    /// blob appears atomically (a temp file renamed, or one PUT): a reader never sees half.
    pub async fn put_blob(&self, claimed: &str, bytes: &[u8]) -> Result<(), ArtifactError> {
        check_hash(claimed)?;
        let actual = sha256_hex(bytes);
        if actual != claimed {
            return Err(ArtifactError::HashMismatch { claimed: claimed.into(), actual });
        }
        if self.has_blob(claimed).await {
            return Ok(());
        }
        self.put(&Self::blob_key(claimed), bytes).await
    }

    /// Streams a blob from `chunks` into a temporary file, hashing as it comes; refuses more
    /// than `limit` bytes (`TooLarge`, as soon as they arrive) and content that does not hash
    /// to `claimed`; then stores it, unless the store holds it already (the bytes were still
    /// read in full: that is how the sender proves it has them). Returns the size. Memory holds
    /// one chunk at a time, whatever the size.
    pub async fn put_blob_stream<S, E>(&self, claimed: &str, mut chunks: S, limit: u64) -> Result<u64, ArtifactError>
    where
        S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        use sha2::Digest;
        check_hash(claimed)?;
        let incoming = self.root.join("incoming");
        tokio::fs::create_dir_all(&incoming).await?;
        let temp = incoming.join(format!("{}-{}", std::process::id(), rand::random::<u64>()));
        let received = async {
            let mut file = tokio::fs::File::create(&temp).await?;
            let mut hasher = sha2::Sha256::new();
            let mut size = 0u64;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| ArtifactError::Io(std::io::Error::other(e.to_string())))?;
                size += chunk.len() as u64;
                if size > limit {
                    return Err(ArtifactError::TooLarge { limit });
                }
                hasher.update(&chunk);
                file.write_all(&chunk).await?;
            }
            file.sync_all().await?;
            let actual = super::hex(&hasher.finalize());
            if actual != claimed {
                return Err(ArtifactError::HashMismatch { claimed: claimed.into(), actual });
            }
            Ok(size)
        }
        .await;
        let stored = match received {
            Ok(size) if self.has_blob(claimed).await => Ok(size),
            Ok(size) => self.store_file(claimed, &temp).await.map(|()| size),
            Err(e) => Err(e),
        };
        let _ = tokio::fs::remove_file(&temp).await;
        stored
    }

    /// Moves a verified file into the store: renamed into the folder, or sent to the bucket in
    /// parts (and kept as the cache's copy).
    async fn store_file(&self, hash: &str, file: &Path) -> Result<(), ArtifactError> {
        let key = Self::blob_key(hash);
        let local = self.local(&key);
        if let Some(bucket) = &self.bucket {
            let upload = bucket.put_multipart(&Key::from(key.as_str())).await.map_err(remote)?;
            let mut parts = object_store::WriteMultipart::new(upload);
            let mut reader = tokio::fs::File::open(file).await?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let read = tokio::io::AsyncReadExt::read(&mut reader, &mut buffer).await?;
                if read == 0 {
                    break;
                }
                parts.write(&buffer[..read]);
            }
            parts.finish().await.map_err(remote)?;
        }
        if let Some(dir) = local.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(file, &local).await?;
        Ok(())
    }

    /// Every stored blob with when it was stored (unix ms): the bucket's when there is one.
    pub async fn blobs(&self) -> Result<Vec<(String, i64)>, ArtifactError> {
        self.listed("blobs/").await
    }

    /// Every stored manifest with when it was stored (unix ms).
    pub async fn manifests(&self) -> Result<Vec<(String, i64)>, ArtifactError> {
        Ok(self
            .listed("manifests/")
            .await?
            .into_iter()
            .filter_map(|(name, at)| name.strip_suffix(".json").map(|hash| (hash.to_string(), at)))
            .collect())
    }

    async fn listed(&self, prefix: &str) -> Result<Vec<(String, i64)>, ArtifactError> {
        if let Some(bucket) = &self.bucket {
            let mut listing = bucket.list(Some(&Key::from(prefix)));
            let mut found = Vec::new();
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(remote)?;
                if let Some(name) = meta.location.filename() {
                    found.push((name.to_string(), meta.last_modified.timestamp_millis()));
                }
            }
            return Ok(found);
        }
        let root = self.root.join(prefix);
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            let mut folders = vec![root];
            while let Some(folder) = folders.pop() {
                let Ok(entries) = std::fs::read_dir(&folder) else { continue };
                for entry in entries.flatten() {
                    let Ok(meta) = entry.metadata() else { continue };
                    if meta.is_dir() {
                        folders.push(entry.path());
                    } else if let Some(name) = entry.file_name().to_str().filter(|n| !n.starts_with('.')) {
                        let at = meta
                            .modified()
                            .ok()
                            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                            .map_or(0, |d| d.as_millis() as i64);
                        found.push((name.to_string(), at));
                    }
                }
            }
            found
        })
        .await
        .map_err(|e| ArtifactError::Io(std::io::Error::other(e)))
    }

    /// Removes a blob (from the bucket and the cache).
    pub async fn delete_blob(&self, hash: &str) -> Result<(), ArtifactError> {
        check_hash(hash)?;
        self.delete(&Self::blob_key(hash)).await
    }

    /// Removes a manifest (from the bucket and the cache).
    pub async fn delete_manifest(&self, hash: &str) -> Result<(), ArtifactError> {
        check_hash(hash)?;
        self.delete(&Self::manifest_key(hash)).await
    }

    async fn delete(&self, key: &str) -> Result<(), ArtifactError> {
        if let Some(bucket) = &self.bucket {
            match bucket.delete(&Key::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(remote(e)),
            }
        }
        match tokio::fs::remove_file(self.local(key)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Stores a manifest; returns its hash.
    pub async fn put_manifest(&self, manifest: &Manifest) -> Result<String, ArtifactError> {
        let json = serde_json::to_vec(manifest)?;
        let hash = sha256_hex(&json);
        let key = Self::manifest_key(&hash);
        if !tokio::fs::try_exists(self.local(&key)).await? {
            self.put(&key, &json).await?;
            if self.bucket.is_some() {
                write_atomically(&self.local(&key), &json).await?;
            }
        }
        Ok(hash)
    }

    pub async fn manifest(&self, hash: &str) -> Result<Manifest, ArtifactError> {
        check_hash(hash)?;
        let key = Self::manifest_key(hash);
        let path = self.local(&key);
        let json = match tokio::fs::read(&path).await {
            Ok(json) => json,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let fetched = self.fetch(&key).await?.ok_or_else(|| ArtifactError::MissingManifest(hash.into()))?;
                if sha256_hex(&fetched) != hash {
                    return Err(ArtifactError::MissingManifest(hash.into()));
                }
                write_atomically(&path, &fetched).await?;
                fetched.to_vec()
            }
            Err(e) => return Err(e.into()),
        };
        Ok(serde_json::from_slice(&json)?)
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), ArtifactError> {
        match &self.bucket {
            None => write_atomically(&self.local(key), bytes).await,
            Some(bucket) => {
                let payload = PutPayload::from(bytes::Bytes::copy_from_slice(bytes));
                bucket.put(&Key::from(key), payload).await.map_err(remote)?;
                Ok(())
            }
        }
    }

    async fn fetch(&self, key: &str) -> Result<Option<bytes::Bytes>, ArtifactError> {
        let Some(bucket) = &self.bucket else { return Ok(None) };
        match bucket.get(&Key::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(remote)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(remote(e)),
        }
    }
}

fn remote(error: object_store::Error) -> ArtifactError {
    ArtifactError::Remote(error.to_string())
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    tokio::fs::create_dir_all(dir).await?;
    let temp = dir.join(format!(".tmp-{}-{}", std::process::id(), rand::random::<u64>()));
    let mut file = tokio::fs::File::create(&temp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    tokio::fs::rename(&temp, path).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{FileEntry, content_type};
    use super::*;

    #[tokio::test]
    async fn blobs_are_checked_against_their_hash() {
        let dir = std::env::temp_dir().join(format!("cd-artifacts-{}", rand::random::<u64>()));
        let store = ArtifactStore::new(&dir);
        let hash = sha256_hex(b"hello");
        assert!(matches!(
            store.put_blob(&sha256_hex(b"other"), b"hello").await,
            Err(ArtifactError::HashMismatch { .. })
        ));
        assert!(matches!(store.put_blob("../../x", b"hello").await, Err(ArtifactError::BadHash(_))));
        assert!(!store.has_blob(&hash).await);
        store.put_blob(&hash, b"hello").await.unwrap();
        assert!(store.has_blob(&hash).await);
        assert_eq!(store.missing(&[hash.clone(), sha256_hex(b"x")]).await, vec![sha256_hex(b"x")]);
        assert_eq!(std::fs::read(store.blob_file(&hash).await.unwrap()).unwrap(), b"hello");
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
