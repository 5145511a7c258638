//! `redress backup DEST` and `redress restore SRC`: the embedded installation (SQLite database
//! and local evidence files) copied while the server runs, and brought back.
//!
//! Consistency: the database is copied first, from one snapshot (`VACUUM INTO`); the evidence
//! files after it. Files are named by their SHA-256 and written before the event that records
//! them commits, so every file the copied database names is already there when the files are
//! copied; files added meanwhile are copied too and named by nothing (harmless).

use crate::config::Settings;
use anyhow::{Context, bail, ensure};
use std::path::{Path, PathBuf};

const DATABASE: &str = "redress.db";
const EVIDENCE: &str = "evidence";
const MANIFEST: &str = "backup.json";

/// The SQLite file a `sqlite://PATH[?options]` URL names.
fn sqlite_path(settings: &Settings) -> anyhow::Result<PathBuf> {
    ensure!(
        settings.is_sqlite(),
        "backup and restore are for the embedded SQLite database; back PostgreSQL up with pg_dump or your provider's snapshots"
    );
    let rest = settings.database_url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    ensure!(!path.is_empty() && path != ":memory:", "{}: not a database file", settings.database_url);
    Ok(PathBuf::from(path))
}

pub async fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<()> {
    let database = sqlite_path(settings)?;
    ensure!(database.exists(), "no database at {} to back up", database.display());
    if dest.exists() {
        ensure!(
            dest.read_dir()?.next().is_none(),
            "{} exists and is not empty: back up into a new directory",
            dest.display()
        );
    }
    std::fs::create_dir_all(dest).with_context(|| format!("create {}", dest.display()))?;
    let store = redress_store::SqliteStore::connect(&settings.database_url).await?;
    store.backup_into(&dest.join(DATABASE)).await.context("copy the database")?;
    let files = if settings.s3.is_some() {
        eprintln!("note: evidence files are in S3 ({}): back the bucket up there", settings.blobs_description());
        0
    } else {
        copy_files(&settings.data_dir.join(EVIDENCE), &dest.join(EVIDENCE))?
    };
    let manifest = serde_json::json!({
        "taken_at": jiff::Timestamp::now(),
        "redress": env!("CARGO_PKG_VERSION"),
        "database": DATABASE,
        "evidence_files": files,
    });
    std::fs::write(dest.join(MANIFEST), serde_json::to_string_pretty(&manifest)?)?;
    println!("backup written to {}: database and {files} evidence files", dest.display());
    Ok(())
}

pub async fn restore(settings: &Settings, src: &Path, force: bool) -> anyhow::Result<()> {
    let database = sqlite_path(settings)?;
    let copied = src.join(DATABASE);
    ensure!(
        src.join(MANIFEST).exists() && copied.exists(),
        "{} is not a backup made by `redress backup` (no {MANIFEST} and {DATABASE})",
        src.display()
    );
    if database.exists() && !force {
        bail!(
            "{} already holds a database: stop every `redress` process using it and run again with --force to replace it",
            database.display()
        );
    }
    if let Some(parent) = database.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // The copy goes next to the database and is renamed over it: never half a database.
    let staging = database.with_extension("db.restoring");
    std::fs::copy(&copied, &staging).with_context(|| format!("copy {}", copied.display()))?;
    for stale in ["-wal", "-shm"] {
        let mut name = database.clone().into_os_string();
        name.push(stale);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    std::fs::rename(&staging, &database)?;
    let files = if src.join(EVIDENCE).exists() && settings.s3.is_none() {
        copy_files(&src.join(EVIDENCE), &settings.data_dir.join(EVIDENCE))?
    } else {
        0
    };
    // A backup of an older version is brought up to this one.
    redress_store::migrate(&settings.database_url).await.context("migrate the restored database")?;
    println!("restored {} and {files} evidence files from {}", database.display(), src.display());
    Ok(())
}

/// Copies the files under `from` to `to` (same relative paths), skipping object_store's staging
/// files of uploads still in flight. Content-addressed: an existing file is the same file.
fn copy_files(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let mut copied = 0;
    if !from.exists() {
        return Ok(0);
    }
    let mut dirs = vec![from.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || name.to_string_lossy().contains('#') {
                continue;
            }
            if entry.file_type()?.is_dir() {
                dirs.push(path);
                continue;
            }
            let target = to.join(path.strip_prefix(from)?);
            if target.exists() {
                continue;
            }
            std::fs::create_dir_all(target.parent().expect("a file has a parent"))?;
            let staging = target.with_extension("restoring");
            std::fs::copy(&path, &staging).with_context(|| format!("copy {}", path.display()))?;
            std::fs::rename(&staging, &target)?;
            copied += 1;
        }
    }
    Ok(copied)
}
