//! The one intake: a folder on disk (a CLI's site, a git checkout, a build's output) becomes
//! a list of files, then blobs and a manifest. Every walker in CloudDeck is this one, so a
//! folder is read under one rule wherever it comes from:
//!
//! - **Links.** A link whose target stays inside the folder is read as the file or folder it
//!   names; a link that leaves the folder, or names nothing, is refused with its path. A
//!   tenant's folder must never make CloudDeck read a file of the host (`leak ->
//!   /etc/passwd`), and quietly dropping such a link would ship a site that differs from the
//!   folder without saying so.
//! - **Special files** (FIFOs, sockets, devices) are refused: reading one could block or
//!   read a device.
//! - **Skipped names** (`.git`, a source's `node_modules`) are skipped at any depth.
//! - **Limits** fail closed, before anything more is read: the number of files, one file's
//!   size and the total size, each optional; and always [`MAX_ENTRIES`] entries walked, so
//!   links that multiply folders (each folder linking twice to the next) cannot make a walk
//!   of 2^n folders.

use crate::{ArtifactError, ArtifactStore, FileEntry, Manifest, normalize_path};
use std::path::{Path, PathBuf};

/// The most directory entries one walk visits, files, folders and links alike, whatever the
/// rules: past it the folder is refused.
pub const MAX_ENTRIES: usize = 1_000_000;

/// How a folder is read: names skipped at any depth, and the limits that refuse it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FolderRules<'a> {
    /// File or folder names skipped wherever they appear (`.git`).
    pub skip: &'a [&'a str],
    /// The most files the folder may hold.
    pub max_files: Option<usize>,
    /// The largest one file may be, in bytes.
    pub max_file_bytes: Option<u64>,
    /// The most all files together may weigh, in bytes.
    pub max_total_bytes: Option<u64>,
    /// The most directory entries the walk visits; None: [`MAX_ENTRIES`]. (Never more.)
    pub max_entries: Option<usize>,
}

/// A regular file found in a folder: its normalized path (no leading slash), where its bytes
/// are on disk (the link's target when it is reached through a link) and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderFile {
    pub path: String,
    pub disk: PathBuf,
    pub size: u64,
}

/// Why a folder was refused. Paths are relative to the folder, so no message shows where the
/// server keeps it.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("`{0}` points outside the folder (or at nothing); refusing it")]
    Outside(String),
    #[error("`{0}` is not a regular file")]
    NotRegular(String),
    #[error("`{path}` is {size} bytes; the limit is {limit}")]
    FileTooLarge { path: String, size: u64, limit: u64 },
    #[error("the folder holds more than {0} files: the most a deployment may hold")]
    TooManyFiles(usize),
    #[error("the folder is over {0} bytes in all")]
    TooLarge(u64),
    #[error("the folder has more than {0} entries to walk (links that multiply folders count each time)")]
    TooManyEntries(usize),
    #[error("`{0}` is not UTF-8")]
    NotUtf8(String),
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
}

/// Lists the regular files under `root` by the rules above, sorted by path. Blocking: call it
/// from a blocking thread in async code ([`store_folder`] does).
///
/// Errors: [`IntakeError`] for a link that leaves the folder, a special file, a path that is
/// not a valid one ([`normalize_path`]) or a limit passed; `Artifact(Io)` when the folder
/// cannot be read.
pub fn list_folder(root: &Path, rules: &FolderRules<'_>) -> Result<Vec<FolderFile>, IntakeError> {
    let io = |e: std::io::Error| IntakeError::Artifact(ArtifactError::Io(e));
    let root = root.canonicalize().map_err(io)?;
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut folders = vec![root.clone()];
    let mut walked = 0usize;
    let max_entries = rules.max_entries.map_or(MAX_ENTRIES, |n| n.min(MAX_ENTRIES));
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io)? {
            let entry = entry.map_err(io)?;
            walked += 1;
            if walked > max_entries {
                return Err(IntakeError::TooManyEntries(max_entries));
            }
            if rules.skip.iter().any(|name| entry.file_name() == **name) {
                continue;
            }
            let disk = entry.path();
            let relative = disk.strip_prefix(&root).unwrap_or(&disk);
            let relative = relative.to_str().ok_or_else(|| IntakeError::NotUtf8(relative.to_string_lossy().into()))?;
            let path = normalize_path(relative)?;
            let real = disk.canonicalize().map_err(|_| IntakeError::Outside(path.clone()))?;
            if !real.starts_with(&root) {
                return Err(IntakeError::Outside(path));
            }
            let meta = std::fs::metadata(&real).map_err(io)?;
            if meta.is_dir() {
                // A link to a folder inside is walked through its link name; a link to the
                // root or an ancestor would loop, so it is refused like one that leaves.
                if real != disk && folder.starts_with(&real) {
                    return Err(IntakeError::Outside(path));
                }
                folders.push(disk);
                continue;
            }
            if !meta.is_file() {
                return Err(IntakeError::NotRegular(path));
            }
            let size = meta.len();
            if let Some(limit) = rules.max_file_bytes
                && size > limit
            {
                return Err(IntakeError::FileTooLarge { path, size, limit });
            }
            total += size;
            if let Some(limit) = rules.max_total_bytes
                && total > limit
            {
                return Err(IntakeError::TooLarge(limit));
            }
            files.push(FolderFile { path, disk: real, size });
            if let Some(limit) = rules.max_files
                && files.len() > limit
            {
                return Err(IntakeError::TooManyFiles(limit));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Stores every file of `root` (by [`list_folder`]'s rules) as a blob and returns the
/// manifest, not yet stored itself.
pub async fn store_folder(
    root: &Path,
    rules: &FolderRules<'_>,
    store: &ArtifactStore,
) -> Result<Manifest, IntakeError> {
    let (root, skip) = (root.to_path_buf(), rules.skip.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let rules = FolderRules { skip: &[], ..*rules };
    let files = tokio::task::spawn_blocking(move || {
        let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
        list_folder(&root, &FolderRules { skip: &skip, ..rules })
    })
    .await
    .map_err(|e| ArtifactError::Io(std::io::Error::other(e)))??;
    let mut manifest = Manifest::default();
    for file in files {
        let bytes = tokio::fs::read(&file.disk).await.map_err(ArtifactError::Io)?;
        let entry = store.put_file(&file.path, &bytes).await?;
        manifest.files.insert(file.path, entry);
    }
    Ok(manifest)
}

impl ArtifactStore {
    /// Stores `bytes` as a blob and returns the manifest entry of a file at `path` holding them.
    pub async fn put_file(&self, path: &str, bytes: &[u8]) -> Result<FileEntry, ArtifactError> {
        let sha256 = crate::sha256_hex(bytes);
        self.put_blob(&sha256, bytes).await?;
        Ok(FileEntry::at(path, sha256, bytes.len() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/assets")).unwrap();
        std::fs::create_dir_all(dir.path().join("site/.git")).unwrap();
        std::fs::write(dir.path().join("site/index.html"), "<h1>hi</h1>").unwrap();
        std::fs::write(dir.path().join("site/assets/app.css"), "body{}").unwrap();
        std::fs::write(dir.path().join("site/.git/config"), "[core]").unwrap();
        std::fs::write(dir.path().join("secret"), "host file").unwrap();
        dir
    }

    #[test]
    fn links_inside_are_read_as_their_target_and_skipped_names_are_left() {
        let dir = site();
        let root = dir.path().join("site");
        symlink("index.html", root.join("home.html")).unwrap();
        symlink("assets", root.join("static")).unwrap();
        let files = list_folder(&root, &FolderRules { skip: &[".git"], ..Default::default() }).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["assets/app.css", "home.html", "index.html", "static/app.css"]);
        assert_eq!(files[1].size, 11);
    }

    #[test]
    fn links_that_leave_loop_or_dangle_and_special_files_are_refused() {
        for (name, target) in [("leak", "../secret"), ("abs", "/etc/passwd"), ("up", "."), ("gone", "nothing")] {
            let dir = site();
            let root = dir.path().join("site");
            symlink(target, root.join("assets").join(name)).unwrap();
            let error = list_folder(&root, &FolderRules::default()).unwrap_err();
            assert!(matches!(&error, IntakeError::Outside(p) if p == &format!("assets/{name}")), "{name}: {error}");
            assert!(!error.to_string().contains(dir.path().to_str().unwrap()), "{error}");
        }
        let dir = site();
        let fifo = dir.path().join("site/pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(
            matches!(list_folder(&dir.path().join("site"), &FolderRules::default()), Err(IntakeError::NotRegular(p)) if p == "pipe")
        );
    }

    #[test]
    fn links_that_multiply_folders_are_refused_before_the_walk_explodes() {
        // d0 … d24, each linking twice to the next: 2^25 paths through 25 folders
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for n in 0..25 {
            std::fs::create_dir_all(root.join(format!("d{n}"))).unwrap();
        }
        std::fs::write(root.join("d24/index.html"), "x").unwrap();
        for n in 0..24 {
            symlink(format!("../d{}", n + 1), root.join(format!("d{n}/a"))).unwrap();
            symlink(format!("../d{}", n + 1), root.join(format!("d{n}/b"))).unwrap();
        }
        let rules = FolderRules { max_entries: Some(10_000), ..FolderRules::default() };
        let walked = list_folder(&root, &rules);
        assert!(matches!(walked, Err(IntakeError::TooManyEntries(10_000))), "{walked:?}");
    }

    #[test]
    fn limits_fail_closed() {
        let dir = site();
        let root = dir.path().join("site");
        let rules = |files, file, total| FolderRules {
            skip: &[".git"],
            max_files: Some(files),
            max_file_bytes: Some(file),
            max_total_bytes: Some(total),
            max_entries: None,
        };
        assert!(list_folder(&root, &rules(2, 11, 17)).is_ok());
        assert!(matches!(list_folder(&root, &rules(1, 11, 17)), Err(IntakeError::TooManyFiles(1))));
        assert!(matches!(list_folder(&root, &rules(2, 10, 17)), Err(IntakeError::FileTooLarge { size: 11, .. })));
        assert!(matches!(list_folder(&root, &rules(2, 11, 16)), Err(IntakeError::TooLarge(16))));
    }

    #[tokio::test]
    async fn a_stored_folder_reads_back_from_its_manifest() {
        let dir = site();
        let store = ArtifactStore::new(dir.path().join("store"));
        let manifest =
            store_folder(&dir.path().join("site"), &FolderRules { skip: &[".git"], ..Default::default() }, &store)
                .await
                .unwrap();
        assert_eq!(manifest.files.len(), 2);
        let css = &manifest.files["assets/app.css"];
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        assert_eq!(std::fs::read(store.blob_file(&css.sha256).await.unwrap()).unwrap(), b"body{}");
    }
}
