//! The artifact store on a real S3-compatible server (moto, started by scripts/services):
//! blobs and manifests land in the bucket, a second node with an empty cache reads them,
//! a corrupt object is refused, and an unreachable endpoint is a clear error without secrets.

use clouddeck_artifacts::{ArtifactError, FileEntry, Manifest, S3Config, content_type, sha256_hex};
use clouddeck_testkit::{Scratch, free_port, s3_bucket, s3_keys};
use object_store::ObjectStore;

fn config(endpoint: &str, bucket: &str) -> S3Config {
    S3Config {
        endpoint: endpoint.into(),
        bucket: bucket.into(),
        region: "us-east-1".into(),
        access_key_id: "test-key".into(),
        secret_access_key: "very-secret-value".into(),
    }
}

#[tokio::test]
async fn blobs_and_manifests_live_in_the_bucket_and_any_node_reads_them() {
    let (endpoint, bucket) = s3_bucket();
    let scratch = Scratch::new();
    let uploader = config(&endpoint, &bucket).open(scratch.path().join("api")).unwrap();
    let page = b"<h1>from the bucket</h1>".to_vec();
    let hash = sha256_hex(&page);
    assert_eq!(uploader.missing(std::slice::from_ref(&hash)).await, vec![hash.clone()]);
    uploader.put_blob(&hash, &page).await.unwrap();
    let mut manifest = Manifest::default();
    manifest.files.insert(
        "index.html".into(),
        FileEntry { sha256: hash.clone(), size: page.len() as u64, content_type: content_type("index.html") },
    );
    let manifest_hash = uploader.put_manifest(&manifest).await.unwrap();
    let keys = s3_keys(&endpoint, &bucket);
    assert!(keys.contains(&format!("blobs/{}/{hash}", &hash[..2])), "{keys:?}");
    assert!(keys.contains(&format!("manifests/{manifest_hash}.json")), "{keys:?}");
    assert!(!scratch.path().join("api/blobs").exists(), "uploads go to the bucket, not the API's disk");

    // another node, empty cache
    let edge = config(&endpoint, &bucket).open(scratch.path().join("edge")).unwrap();
    assert!(edge.missing(std::slice::from_ref(&hash)).await.is_empty());
    assert_eq!(edge.blob_size(&hash).await.unwrap(), Some(page.len() as u64));
    assert_eq!(edge.manifest(&manifest_hash).await.unwrap(), manifest);
    let file = edge.blob_file(&hash).await.unwrap();
    assert!(file.starts_with(scratch.path().join("edge")), "served from the node's cache");
    assert_eq!(std::fs::read(file).unwrap(), page);
}

#[tokio::test]
async fn a_corrupt_object_in_the_bucket_is_refused_and_not_cached() {
    let (endpoint, bucket) = s3_bucket();
    let scratch = Scratch::new();
    let claimed = sha256_hex(b"what the manifest expects");
    let raw = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_bucket_name(&bucket)
        .with_region("us-east-1")
        .with_access_key_id("k")
        .with_secret_access_key("s")
        .build()
        .unwrap();
    let key = object_store::path::Path::from(format!("blobs/{}/{claimed}", &claimed[..2]));
    raw.put(&key, b"tampered".to_vec().into()).await.unwrap();

    let store = config(&endpoint, &bucket).open(scratch.path().join("cache")).unwrap();
    assert!(matches!(store.blob_file(&claimed).await, Err(ArtifactError::HashMismatch { .. })));
    assert!(!scratch.path().join("cache/blobs").join(&claimed[..2]).join(&claimed).exists());
}

#[tokio::test]
async fn an_unreachable_bucket_is_a_clear_error_that_names_no_secret() {
    let scratch = Scratch::new();
    let store = config(&format!("http://127.0.0.1:{}", free_port()), "nowhere").open(scratch.path()).unwrap();
    let error = store.put_blob(&sha256_hex(b"x"), b"x").await.unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("S3 artifact storage:"), "{message}");
    assert!(!message.contains("very-secret-value"), "{message}");
    assert!(!format!("{:?}", config("http://x", "b")).contains("very-secret-value"));
}
