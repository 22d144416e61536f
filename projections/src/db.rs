//! The read-model database: the same SQL on SQLite and PostgreSQL through sqlx's Any
//! driver, with each backend's own migrations.

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("read model database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("read model migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database url (expected sqlite:… or postgres:…)")]
    UnsupportedUrl,
}

/// Opens the read-model database and brings its tables up to date.
pub async fn open(url: &str) -> Result<AnyPool, DbError> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    let is_postgres = url.starts_with("postgres:") || url.starts_with("postgresql:");
    if !is_sqlite && !is_postgres {
        return Err(DbError::UnsupportedUrl);
    }
    let url = if is_sqlite && !url.contains("mode=") {
        format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
    } else {
        url.to_string()
    };
    let pool = AnyPoolOptions::new().max_connections(if is_sqlite { 4 } else { 16 }).connect(&url).await?;
    let mut migrator = if is_sqlite {
        sqlx::migrate!("../schema/migrations/readmodels/sqlite")
    } else {
        sqlx::migrate!("../schema/migrations/readmodels/postgres")
    };
    migrator.set_ignore_missing(true);
    migrator.run(&pool).await?;
    Ok(pool)
}
