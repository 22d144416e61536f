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
//! - **Skipped names** (`.git`, a source's `node_modules`) are skipped at any depth. For a
//!   folder to be published, so are hidden names (`.env`, `.DS_Store`, but never
//!   `.well-known/`, RFC 8615) and `node_modules`, as Netlify's CLI leaves them out; and
//!   whatever the folder's own ignore files say (`.gitignore`, `.clouddeckignore`, git's
//!   syntax, each applying below its folder, deeper files deciding first). An ignore file's
//!   `!pattern` brings back what the published-folder rule left out (`!.nojekyll`). What was
//!   skipped is listed, so the user sees what was left out.
//! - **Limits** fail closed, before anything more is read: the number of files, one file's
//!   size and the total size, each optional; and always [`MAX_ENTRIES`] entries walked, so
//!   links that multiply folders (each folder linking twice to the next) cannot make a walk
//!   of 2^n folders.

use crate::{ArtifactError, ArtifactStore, FileEntry, Manifest, normalize_path};
use ignore::gitignore::Gitignore;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The most directory entries one walk visits, files, folders and links alike, whatever the
/// rules: past it the folder is refused.
pub const MAX_ENTRIES: usize = 1_000_000;

/// How a folder is read: names skipped at any depth, and the limits that refuse it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FolderRules<'a> {
    /// File or folder names skipped wherever they appear (`.git`).
    pub skip: &'a [&'a str],
    /// A folder to be published: leave out names that begin with a dot (except
    /// `.well-known`) and `node_modules`, unless an ignore file's `!pattern` keeps them (what
    /// a site should not carry by accident: `.env`, `.git`, editors' files, dependencies).
    pub skip_unpublished: bool,
    /// Ignore files honoured, by name (`.gitignore`, `.clouddeckignore`): each applies to
    /// its folder and below. Only regular files are read (a link is not followed).
    pub ignore_files: &'a [&'a str],
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

/// What a walk found: the files, and what it left out by the skip rules (paths relative to
/// the folder, a folder's with a trailing `/`; at most [`SKIPPED_LISTED`], then counted).
#[derive(Debug, Default)]
pub struct Listed {
    pub files: Vec<FolderFile>,
    pub skipped: Vec<String>,
    pub skipped_unlisted: usize,
}

/// Skipped paths listed at most.
pub const SKIPPED_LISTED: usize = 1_000;

/// Lists the regular files under `root` by the rules above, sorted by path. Blocking: call it
/// from a blocking thread in async code ([`store_folder`] does).
///
/// Errors: [`IntakeError`] for a link that leaves the folder, a special file, a path that is
/// not a valid one ([`normalize_path`]) or a limit passed; `Artifact(Io)` when the folder
/// cannot be read.
pub fn list_folder(root: &Path, rules: &FolderRules<'_>) -> Result<Vec<FolderFile>, IntakeError> {
    list_folder_skipping(root, rules).map(|listed| listed.files)
}

/// What was left out, in one line: the first 20 paths, then how many more.
pub fn skipped_line(skipped: &[String], unlisted: usize) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let shown: Vec<&str> = skipped.iter().take(20).map(String::as_str).collect();
    let more = skipped.len().saturating_sub(shown.len()) + unlisted;
    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(format!("{}{tail}", shown.join(", ")))
}

/// The ignore files' matchers that apply in a folder, outermost first.
type Matchers = Rc<Vec<Rc<Gitignore>>>;

/// `folder`'s matchers: its parent's and those of its own ignore files.
fn matchers_of(folder: &Path, inherited: &Matchers, names: &[&str]) -> Matchers {
    let mut own = Vec::new();
    for name in names {
        let path = folder.join(name);
        // A regular file only: an ignore file that is a link is not followed out of the folder.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let (matcher, _partial_errors) = Gitignore::new(&path);
            own.push(Rc::new(matcher));
        }
    }
    if own.is_empty() {
        return inherited.clone();
    }
    Rc::new(inherited.iter().cloned().chain(own).collect())
}

/// What the ignore files say of `disk`: left out (true), kept by a `!pattern` (false), or
/// nothing (None). The innermost file that says anything decides.
fn verdict(matchers: &Matchers, disk: &Path, is_dir: bool) -> Option<bool> {
    matchers.iter().rev().map(|m| m.matched(disk, is_dir)).find(|m| !m.is_none()).map(|m| m.is_ignore())
}

/// [`list_folder`], with what was skipped.
///
/// Errors: as [`list_folder`].
pub fn list_folder_skipping(root: &Path, rules: &FolderRules<'_>) -> Result<Listed, IntakeError> {
    let io = |e: std::io::Error| IntakeError::Artifact(ArtifactError::Io(e));
    let root = root.canonicalize().map_err(io)?;
    let mut listed = Listed::default();
    let mut skipped = |path: String| {
        if listed.skipped.len() < SKIPPED_LISTED {
            listed.skipped.push(path);
        } else {
            listed.skipped_unlisted += 1;
        }
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut folders = vec![(root.clone(), Matchers::default())];
    let mut walked = 0usize;
    let max_entries = rules.max_entries.map_or(MAX_ENTRIES, |n| n.min(MAX_ENTRIES));
    while let Some((folder, inherited)) = folders.pop() {
        let matchers = matchers_of(&folder, &inherited, rules.ignore_files);
        for entry in std::fs::read_dir(&folder).map_err(io)? {
            let entry = entry.map_err(io)?;
            walked += 1;
            if walked > max_entries {
                return Err(IntakeError::TooManyEntries(max_entries));
            }
            let name = entry.file_name();
            if rules.skip.iter().any(|skip| name == **skip) {
                continue;
            }
            let disk = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let said = if matchers.is_empty() { None } else { verdict(&matchers, &disk, is_dir) };
            let unpublished = rules.skip_unpublished
                && ((name.as_encoded_bytes().starts_with(b".") && name != ".well-known") || name == "node_modules");
            if said.unwrap_or(unpublished) {
                let relative = disk.strip_prefix(&root).unwrap_or(&disk).to_string_lossy().into_owned();
                let slash = if is_dir { "/" } else { "" };
                skipped(format!("{relative}{slash}"));
                continue;
            }
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
                folders.push((disk, matchers.clone()));
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
    listed.files = files;
    listed.skipped.sort();
    Ok(listed)
}

/// Stores every file of `root` (by [`list_folder`]'s rules) as a blob and returns the
/// manifest, not yet stored itself.
pub async fn store_folder(
    root: &Path,
    rules: &FolderRules<'_>,
    store: &ArtifactStore,
) -> Result<Manifest, IntakeError> {
    store_folder_skipping(root, rules, store).await.map(|stored| stored.manifest)
}

/// A folder stored: its manifest (not yet stored itself), and what the rules left out.
#[derive(Debug, Default)]
pub struct Stored {
    pub manifest: Manifest,
    pub skipped: Vec<String>,
    pub skipped_unlisted: usize,
}

/// [`store_folder`], with what was skipped.
///
/// Errors: as [`list_folder`], and the store's.
pub async fn store_folder_skipping(
    root: &Path,
    rules: &FolderRules<'_>,
    store: &ArtifactStore,
) -> Result<Stored, IntakeError> {
    let owned = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (root, skip, ignore_files) = (root.to_path_buf(), owned(rules.skip), owned(rules.ignore_files));
    let rules = FolderRules { skip: &[], ignore_files: &[], ..*rules };
    let listed = tokio::task::spawn_blocking(move || {
        let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
        let ignore_files: Vec<&str> = ignore_files.iter().map(String::as_str).collect();
        list_folder_skipping(&root, &FolderRules { skip: &skip, ignore_files: &ignore_files, ..rules })
    })
    .await
    .map_err(|e| ArtifactError::Io(std::io::Error::other(e)))??;
    let mut manifest = Manifest::default();
    for file in listed.files {
        let bytes = tokio::fs::read(&file.disk).await.map_err(ArtifactError::Io)?;
        let entry = store.put_file(&file.path, &bytes).await?;
        manifest.files.insert(file.path, entry);
    }
    Ok(Stored { manifest, skipped: listed.skipped, skipped_unlisted: listed.skipped_unlisted })
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

    fn write(root: &Path, path: &str, text: &str) {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    fn paths(listed: &Listed) -> Vec<&str> {
        listed.files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn a_published_folder_leaves_out_dotfiles_and_node_modules_but_not_well_known() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "index.html",
            ".env",
            ".git/config",
            ".DS_Store",
            "assets/.env.production",
            "node_modules/lib/index.js",
            ".well-known/security.txt",
            ".nojekyll",
        ] {
            write(root, path, "x");
        }
        let published =
            FolderRules { skip_unpublished: true, ignore_files: &[".clouddeckignore"], ..Default::default() };
        let listed = list_folder_skipping(root, &published).unwrap();
        assert_eq!(paths(&listed), [".well-known/security.txt", "index.html"]);
        assert_eq!(
            listed.skipped,
            [".DS_Store", ".env", ".git/", ".nojekyll", "assets/.env.production", "node_modules/"],
            "what was left out is listed, a folder once"
        );
        // an ignore file's `!pattern` brings one back, and names more to leave out
        write(root, ".clouddeckignore", "!.nojekyll\n*.map\n");
        write(root, "app.js.map", "x");
        let listed = list_folder_skipping(root, &published).unwrap();
        assert_eq!(paths(&listed), [".nojekyll", ".well-known/security.txt", "index.html"]);
        assert!(listed.skipped.contains(&"app.js.map".to_string()));
    }

    #[test]
    fn a_source_honours_its_gitignore_files_deeper_ones_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", ".env\ndist/\n*.log\n");
        write(root, "web/.gitignore", "!keep.log\nlocal.json\n");
        for path in [
            ".env",
            "dist/app.js",
            "debug.log",
            "web/keep.log",
            "web/other.log",
            "web/local.json",
            "src/a.js",
            ".nvmrc",
        ] {
            write(root, path, "x");
        }
        let source =
            FolderRules { skip: &[".git"], ignore_files: &[".gitignore", ".clouddeckignore"], ..Default::default() };
        let listed = list_folder_skipping(root, &source).unwrap();
        assert_eq!(paths(&listed), [".gitignore", ".nvmrc", "src/a.js", "web/.gitignore", "web/keep.log"]);
        assert_eq!(listed.skipped, [".env", "debug.log", "dist/", "web/local.json", "web/other.log"]);
    }

    #[test]
    fn an_ignore_file_that_is_a_link_is_not_read() {
        let dir = site();
        let root = dir.path().join("site");
        // were it read, `*` would leave everything out
        std::fs::write(dir.path().join("outside-ignore"), "*\n").unwrap();
        symlink(dir.path().join("outside-ignore"), root.join(".clouddeckignore")).unwrap();
        let rules = FolderRules {
            skip: &[".git", ".clouddeckignore"],
            ignore_files: &[".clouddeckignore"],
            ..Default::default()
        };
        let listed = list_folder_skipping(&root, &rules).unwrap();
        assert_eq!(paths(&listed), ["assets/app.css", "index.html"]);
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
            ..FolderRules::default()
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
