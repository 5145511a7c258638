//! Configuration: flags, then environment variables, then an optional TOML file, then defaults.

use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct Flags {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, global = true, env = "REDRESS_LISTEN")]
    listen: Option<String>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite://<data-dir>/redress.db]
    #[arg(long, global = true, env = "REDRESS_DATABASE_URL")]
    database_url: Option<String>,
    /// Directory for the embedded database and local files [default: ./redress-data]
    #[arg(long, global = true, env = "REDRESS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Seconds between background worker passes [default: 2]
    #[arg(long, global = true, env = "REDRESS_WORKER_INTERVAL")]
    worker_interval: Option<u64>,
    /// A TOML file with any of: listen, database_url, data_dir, worker_interval
    #[arg(long, global = true, env = "REDRESS_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    worker_interval: Option<u64>,
}

pub struct Settings {
    pub listen: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub worker_interval: Duration,
}

impl Settings {
    pub fn resolve(flags: Flags) -> anyhow::Result<Settings> {
        let file: File = match &flags.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("read config {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parse config {}", path.display()))?
            }
            None => File::default(),
        };
        let data_dir = flags
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("redress-data"));
        let database_url = flags
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("redress.db").display()));
        Ok(Settings {
            listen: flags
                .listen
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url,
            data_dir,
            worker_interval: Duration::from_secs(
                flags
                    .worker_interval
                    .or(file.worker_interval)
                    .unwrap_or(2)
                    .max(1),
            ),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    pub fn ensure_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("create {}", self.data_dir.display()))
    }

    /// The URL without its password, for printing.
    pub fn database_url_redacted(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.database_url[scheme + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                let masked = if userinfo.contains(':') {
                    format!("{user}:***")
                } else {
                    user.to_owned()
                };
                format!(
                    "{}{}{}",
                    &self.database_url[..scheme + 3],
                    masked,
                    &self.database_url[at..]
                )
            }
            _ => self.database_url.clone(),
        }
    }
}
