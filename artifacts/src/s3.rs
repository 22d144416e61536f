//! An S3-compatible bucket for artifacts (AWS S3, MinIO, Garage, Ceph, R2…), through the
//! object_store crate: path-style requests, so any endpoint works without wildcard DNS.

use super::{ArtifactError, ArtifactStore};
use object_store::aws::AmazonS3Builder;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct S3Config {
    /// `http(s)://host:port`; plain http only when the URL says so.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Never prints the secret key.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl S3Config {
    /// A store in this bucket, cached in the folder `cache`.
    pub fn open(&self, cache: impl Into<PathBuf>) -> Result<ArtifactStore, ArtifactError> {
        let bucket = AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(self.endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(&self.secret_access_key)
            .build()
            .map_err(|e| ArtifactError::Remote(e.to_string()))?;
        Ok(ArtifactStore::in_bucket(cache, Arc::new(bucket)))
    }
}
