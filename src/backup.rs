//! Online backup and restore of a single-box (SQLite) deployment: one archive holding a
//! consistent copy of the database, taken while the server writes, and the uploaded files.
//! PostgreSQL deployments use `pg_dump`/`pg_restore` and their bucket's versioning (README).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::db::{Backend, Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("this database is PostgreSQL: back it up with pg_dump (see the README, \"Backups\")")]
    Postgres,
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0} already holds a database: restore into an empty data directory")]
    NotEmpty(String),
    #[error("the restored database fails SQLite's integrity check: {0}")]
    Corrupt(String),
    #[error("{0} holds no palier.db: not a Palier backup")]
    NotABackup(String),
}

fn io(what: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io(what.display().to_string(), e)
}

/// What a backup holds.
#[derive(Debug)]
pub struct Summary {
    pub bytes: u64,
    pub files: u64,
}

const DB_NAME: &str = "palier.db";
const FILES_DIR: &str = "files";

/// Writes the archive to `to` (replaced atomically once complete).
pub async fn backup(config: &Config, to: &Path) -> Result<Summary, BackupError> {
    let db = Db::connect(&config.database_url).await?;
    if db.backend == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    let snapshot = sibling(to, "db-snapshot");
    let _ = std::fs::remove_file(&snapshot);
    db.vacuum_into(&snapshot).await?;
    db.pool.close().await;
    let files = config.data_dir.join(FILES_DIR);
    let to = to.to_path_buf();
    tokio::task::spawn_blocking(move || write_archive(&snapshot, &files, &to))
        .await
        .map_err(|e| BackupError::Io("backup".into(), std::io::Error::other(e)))?
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

fn write_archive(snapshot: &Path, files: &Path, to: &Path) -> Result<Summary, BackupError> {
    let partial = sibling(to, "partial");
    let out = std::fs::File::create(&partial).map_err(io(&partial))?;
    let mut archive = tar::Builder::new(std::io::BufWriter::new(out));
    archive.follow_symlinks(false);
    archive
        .append_path_with_name(snapshot, DB_NAME)
        .map_err(io(snapshot))?;
    let mut count = 0u64;
    if files.is_dir() {
        archive
            .append_dir_all(FILES_DIR, files)
            .map_err(io(files))?;
        count = count_files(files);
    }
    let writer = archive.into_inner().map_err(io(&partial))?;
    let file = writer
        .into_inner()
        .map_err(|e| BackupError::Io(partial.display().to_string(), e.into_error()))?;
    // Durable before it replaces an older backup.
    file.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    let _ = std::fs::remove_file(snapshot);
    let bytes = std::fs::metadata(to).map_err(io(to))?.len();
    Ok(Summary {
        bytes,
        files: count,
    })
}

fn count_files(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}

/// Unpacks the archive `from` into the empty `data_dir`, then checks the database.
pub async fn restore(data_dir: &Path, from: &Path) -> Result<Summary, BackupError> {
    let db_path = data_dir.join(DB_NAME);
    if db_path.exists() {
        return Err(BackupError::NotEmpty(data_dir.display().to_string()));
    }
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let (dir, archive) = (data_dir.to_path_buf(), from.to_path_buf());
    tokio::task::spawn_blocking(move || -> Result<(), BackupError> {
        let file = std::fs::File::open(&archive).map_err(io(&archive))?;
        // `unpack` refuses entries that would land outside `dir` (`..`, absolute paths).
        tar::Archive::new(std::io::BufReader::new(file))
            .unpack(&dir)
            .map_err(io(&archive))
    })
    .await
    .map_err(|e| BackupError::Io("restore".into(), std::io::Error::other(e)))??;
    if !db_path.is_file() {
        return Err(BackupError::NotABackup(from.display().to_string()));
    }
    let db = Db::connect(&format!("sqlite://{}", db_path.display())).await?;
    let check = db.integrity_check().await?;
    db.pool.close().await;
    if check != "ok" {
        return Err(BackupError::Corrupt(check));
    }
    let bytes = std::fs::metadata(&db_path).map_err(io(&db_path))?.len();
    Ok(Summary {
        bytes,
        files: count_files(&data_dir.join(FILES_DIR)),
    })
}
