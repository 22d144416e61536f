//! Processes of one installation that keep artifacts in a folder (no S3 bucket) must share
//! that folder: an API that stores an upload where the deployer or the edge does not look
//! fails deploys later with "the upload is incomplete" and blank 503s. This check makes such
//! a process refuse to start, saying why. The first process writes a random token into the
//! database (`artifact_folder`) and into the folder (`.clouddeck-folder`); every later one
//! must find the database's token in its folder.

use anyhow::{Context, bail};
use sqlx::AnyPool;
use std::path::Path;

/// The marker file in the artifacts folder.
const MARKER: &str = ".clouddeck-folder";

/// Checks that `folder` is the installation's artifacts folder, marking it when the
/// installation has none yet. Errors: the folder is another one (its marker missing or
/// different), or the database or the folder cannot be read or written.
pub async fn check(db: &AnyPool, folder: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder).with_context(|| format!("making the artifacts folder {}", folder.display()))?;
    let marker = folder.join(MARKER);
    let candidate = uuid::Uuid::new_v4().simple().to_string();
    let inserted = sqlx::query("INSERT INTO artifact_folder (singleton, token) VALUES (1, $1) ON CONFLICT DO NOTHING")
        .bind(&candidate)
        .execute(db)
        .await
        .context("recording the artifacts folder's token")?
        .rows_affected()
        == 1;
    let token: String = sqlx::query_scalar("SELECT token FROM artifact_folder WHERE singleton = 1")
        .fetch_one(db)
        .await
        .context("reading the artifacts folder's token")?;
    if inserted {
        std::fs::write(&marker, &token).with_context(|| format!("marking {}", folder.display()))?;
        return Ok(());
    }
    let found = std::fs::read_to_string(&marker).ok();
    match found.as_deref().map(str::trim) {
        Some(mine) if mine == token => Ok(()),
        Some(_) => bail!(
            "the artifacts folder {} belongs to another installation than this database: point \
             CLOUDDECK_DATA_DIR at this installation's data folder, or set CLOUDDECK_S3_BUCKET",
            folder.display()
        ),
        None => bail!(
            "the artifacts folder {} is not the one this installation's other processes use: the API, the \
             deployer and the edge must share one data folder (CLOUDDECK_DATA_DIR on a shared disk) or one \
             S3 bucket (CLOUDDECK_S3_BUCKET)",
            folder.display()
        ),
    }
}
