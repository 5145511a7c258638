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
    /// A TOML file with any of: listen, database_url, data_dir, worker_interval, s3_*, evidence_*
    #[arg(long, global = true, env = "REDRESS_CONFIG")]
    config: Option<PathBuf>,
    /// S3-compatible endpoint for evidence files, e.g. http://127.0.0.1:9000 [default: files in <data-dir>/evidence]
    #[arg(long, global = true, env = "REDRESS_S3_ENDPOINT")]
    s3_endpoint: Option<String>,
    /// S3 bucket for evidence files (setting it selects S3 storage)
    #[arg(long, global = true, env = "REDRESS_S3_BUCKET")]
    s3_bucket: Option<String>,
    /// S3 region [default: us-east-1]
    #[arg(long, global = true, env = "REDRESS_S3_REGION")]
    s3_region: Option<String>,
    #[arg(long, global = true, env = "REDRESS_S3_ACCESS_KEY")]
    s3_access_key: Option<String>,
    #[arg(long, global = true, env = "REDRESS_S3_SECRET_KEY", hide_env_values = true)]
    s3_secret_key: Option<String>,
    /// The policy (JSON, the shape of `GET /api/v1/policies` items' `policy`) of version 1 when a
    /// new database is created [default: the defaults of DESIGN.md]. Later changes go through
    /// `POST /api/v1/policies` with their 7 days' notice.
    #[arg(long, global = true, env = "REDRESS_INITIAL_POLICY")]
    initial_policy: Option<PathBuf>,
    /// Testing and rehearsals only: start the clock at this instant (RFC 3339) and let it run in
    /// real time from there.
    #[arg(long, global = true, env = "REDRESS_CLOCK_START", hide = true)]
    clock_start: Option<jiff::Timestamp>,
    /// Largest evidence file but a video, in MiB [default: 20]
    #[arg(long, global = true, env = "REDRESS_EVIDENCE_MAX_FILE_MIB")]
    evidence_max_file_mib: Option<u64>,
    /// Largest video (MP4, MOV), in MiB [default: 200]
    #[arg(long, global = true, env = "REDRESS_EVIDENCE_MAX_VIDEO_MIB")]
    evidence_max_video_mib: Option<u64>,
    /// All evidence of one case together, in MiB [default: 1024]
    #[arg(long, global = true, env = "REDRESS_EVIDENCE_MAX_CASE_MIB")]
    evidence_max_case_mib: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    worker_interval: Option<u64>,
    s3_endpoint: Option<String>,
    s3_bucket: Option<String>,
    s3_region: Option<String>,
    s3_access_key: Option<String>,
    s3_secret_key: Option<String>,
    evidence_max_file_mib: Option<u64>,
    evidence_max_video_mib: Option<u64>,
    evidence_max_case_mib: Option<u64>,
}

pub struct Settings {
    pub listen: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub worker_interval: Duration,
    /// `None`: evidence files in `<data-dir>/evidence`.
    pub s3: Option<redress_store::blobs::S3Config>,
    pub evidence_limits: redress_app::evidence::EvidenceLimits,
    /// Version 1 of the policy for a new database.
    pub initial_policy: redress_domain::Policy,
    /// A shifted clock (testing, rehearsals); `None`: the system clock.
    pub clock_start: Option<jiff::Timestamp>,
}

impl Settings {
    pub fn resolve(flags: Flags) -> anyhow::Result<Settings> {
        let file: File = match &flags.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("read config {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parse config {}", path.display()))?
            }
            None => File::default(),
        };
        let data_dir = flags.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("redress-data"));
        let database_url = flags
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("redress.db").display()));
        let s3_bucket = flags.s3_bucket.or(file.s3_bucket);
        let s3_endpoint = flags.s3_endpoint.or(file.s3_endpoint);
        if s3_endpoint.is_some() && s3_bucket.is_none() {
            anyhow::bail!("--s3-endpoint needs --s3-bucket (REDRESS_S3_BUCKET)");
        }
        let s3 = s3_bucket.map(|bucket| redress_store::blobs::S3Config {
            endpoint: s3_endpoint,
            bucket,
            region: flags.s3_region.or(file.s3_region).unwrap_or_else(|| "us-east-1".into()),
            access_key: flags.s3_access_key.or(file.s3_access_key),
            secret_key: flags.s3_secret_key.or(file.s3_secret_key),
        });
        let defaults = redress_app::evidence::EvidenceLimits::default();
        let mib = |v: Option<u64>, default: u64| v.map_or(default, |m| m.max(1) << 20);
        let evidence_limits = redress_app::evidence::EvidenceLimits {
            file_bytes: mib(flags.evidence_max_file_mib.or(file.evidence_max_file_mib), defaults.file_bytes),
            video_bytes: mib(flags.evidence_max_video_mib.or(file.evidence_max_video_mib), defaults.video_bytes),
            case_bytes: mib(flags.evidence_max_case_mib.or(file.evidence_max_case_mib), defaults.case_bytes),
            ..defaults
        };
        let initial_policy = match &flags.initial_policy {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
                let policy: redress_domain::Policy =
                    serde_json::from_str(&text).with_context(|| format!("parse the policy {}", path.display()))?;
                policy.validate().with_context(|| format!("the policy {}", path.display()))?;
                policy
            }
            None => redress_domain::Policy::default(),
        };
        Ok(Settings {
            initial_policy,
            clock_start: flags.clock_start,
            s3,
            evidence_limits,
            listen: flags.listen.or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url,
            data_dir,
            worker_interval: Duration::from_secs(flags.worker_interval.or(file.worker_interval).unwrap_or(2).max(1)),
        })
    }

    /// Where evidence files are kept: the S3 bucket, or `<data-dir>/evidence`.
    pub fn blobs(&self) -> anyhow::Result<redress_store::blobs::ObjectBlobs> {
        match &self.s3 {
            Some(s3) => redress_store::blobs::ObjectBlobs::s3(s3).context("configure S3 evidence storage"),
            None => redress_store::blobs::ObjectBlobs::local(&self.data_dir.join("evidence"))
                .with_context(|| format!("create {}", self.data_dir.join("evidence").display())),
        }
    }

    pub fn blobs_description(&self) -> String {
        match &self.s3 {
            Some(s3) => format!("s3://{} at {}", s3.bucket, s3.endpoint.as_deref().unwrap_or("AWS")),
            None => self.data_dir.join("evidence").display().to_string(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    pub fn ensure_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| format!("create {}", self.data_dir.display()))
    }

    /// The URL without its password, for printing.
    pub fn database_url_redacted(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.database_url[scheme + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_owned() };
                format!("{}{}{}", &self.database_url[..scheme + 3], masked, &self.database_url[at..])
            }
            _ => self.database_url.clone(),
        }
    }
}
