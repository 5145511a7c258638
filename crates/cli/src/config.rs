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
    /// A TOML file with any of: listen, database_url, data_dir, worker_interval, s3_*, evidence_*,
    /// header_read_timeout_secs, body_read_timeout_secs, max_connections, max_connections_per_address,
    /// rate_*, smtp_*, metrics_token,
    /// webhooks_allow_private_addresses, webhooks_log_retention_days
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
    /// Seconds a client has to send a request's headers [default: 10]
    #[arg(long, global = true, env = "REDRESS_HEADER_READ_TIMEOUT_SECS")]
    header_read_timeout_secs: Option<u64>,
    /// Longest wait, in seconds, for the next piece of a request body [default: 30]
    #[arg(long, global = true, env = "REDRESS_BODY_READ_TIMEOUT_SECS")]
    body_read_timeout_secs: Option<u64>,
    /// Open connections at most [default: 512]
    #[arg(long, global = true, env = "REDRESS_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Open connections from one address at most (0: no cap; behind a proxy) [default: 128]
    #[arg(long, global = true, env = "REDRESS_MAX_CONNECTIONS_PER_ADDRESS")]
    max_connections_per_address: Option<usize>,
    /// Logins from one address, as PER_MINUTE/BURST (0: no limit) [default: 30/10]
    #[arg(long, global = true, env = "REDRESS_RATE_LOGINS_PER_ADDRESS")]
    rate_logins_per_address: Option<String>,
    /// Changes (POST, PUT, DELETE) from one address, PER_MINUTE/BURST [default: 3000/300]
    #[arg(long, global = true, env = "REDRESS_RATE_WRITES_PER_ADDRESS")]
    rate_writes_per_address: Option<String>,
    /// Changes by one account, PER_MINUTE/BURST [default: 120/30]
    #[arg(long, global = true, env = "REDRESS_RATE_WRITES_PER_ACCOUNT")]
    rate_writes_per_account: Option<String>,
    /// Cases filed by one account, PER_MINUTE/BURST [default: 10/5]
    #[arg(long, global = true, env = "REDRESS_RATE_FILINGS_PER_ACCOUNT")]
    rate_filings_per_account: Option<String>,
    /// Evidence uploads by one account, PER_MINUTE/BURST [default: 30/10]
    #[arg(long, global = true, env = "REDRESS_RATE_UPLOADS_PER_ACCOUNT")]
    rate_uploads_per_account: Option<String>,
    /// Reads of public pages (merchant reputation) from one address, PER_MINUTE/BURST [default: 120/30]
    #[arg(long, global = true, env = "REDRESS_RATE_PUBLIC_READS_PER_ADDRESS")]
    rate_public_reads_per_address: Option<String>,
    /// SMTP server for notification emails (setting it turns email on) [default: no email]
    #[arg(long, global = true, env = "REDRESS_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port [default: 25, 587 with starttls, 465 with tls]
    #[arg(long, global = true, env = "REDRESS_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// The sender of notification emails, e.g. "Redress <noreply@example.com>"
    #[arg(long, global = true, env = "REDRESS_SMTP_FROM")]
    smtp_from: Option<String>,
    /// none | starttls | tls [default: starttls]
    #[arg(long, global = true, env = "REDRESS_SMTP_TLS")]
    smtp_tls: Option<String>,
    #[arg(long, global = true, env = "REDRESS_SMTP_USERNAME")]
    smtp_username: Option<String>,
    #[arg(long, global = true, env = "REDRESS_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The bearer token a Prometheus scraper presents to read /metrics (admins may read it with
    /// their own session or token) [default: none: admins only]
    #[arg(long, global = true, env = "REDRESS_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Let webhooks go to private, loopback and link-local addresses (closed networks, tests);
    /// refused by default, at subscription and at every delivery [default: false]
    #[arg(long, global = true, env = "REDRESS_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES")]
    webhooks_allow_private_addresses: Option<bool>,
    /// Days the webhook delivery log keeps a delivered or dead delivery (and its attempts)
    /// before the worker purges it [default: 30]
    #[arg(long, global = true, env = "REDRESS_WEBHOOKS_LOG_RETENTION_DAYS")]
    webhooks_log_retention_days: Option<u32>,
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
    header_read_timeout_secs: Option<u64>,
    body_read_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_address: Option<usize>,
    rate_logins_per_address: Option<String>,
    rate_writes_per_address: Option<String>,
    rate_writes_per_account: Option<String>,
    rate_filings_per_account: Option<String>,
    rate_uploads_per_account: Option<String>,
    rate_public_reads_per_address: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_from: Option<String>,
    smtp_tls: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    metrics_token: Option<String>,
    webhooks_allow_private_addresses: Option<bool>,
    webhooks_log_retention_days: Option<u32>,
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
    /// Timeouts, the connection cap and rate limits of `serve`.
    pub limits: redress_web::Limits,
    /// `None`: no notification email.
    pub smtp: Option<redress_worker::email::SmtpConfig>,
    /// The bearer token of the /metrics scraper.
    pub metrics_token: Option<String>,
    /// How webhooks are sent.
    pub webhooks: redress_app::webhooks::WebhookSettings,
}

/// A rate as `PER_MINUTE/BURST` (`PER_MINUTE` alone: a burst of as many).
fn parse_rate(name: &str, text: &str) -> anyhow::Result<redress_web::Rate> {
    let (per_minute, burst) = text.split_once('/').unwrap_or((text, text));
    let number = |s: &str| s.trim().parse::<u32>().with_context(|| format!("{name}: `{text}` is not PER_MINUTE/BURST"));
    Ok(redress_web::Rate { per_minute: number(per_minute)?, burst: number(burst)? })
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
        let defaults = redress_web::Limits::default();
        let rate = |name: &str, flag: Option<String>, file: Option<String>, default| -> anyhow::Result<_> {
            flag.or(file).map_or(Ok(default), |text| parse_rate(name, &text))
        };
        let secs = |v: Option<u64>, default: Duration| v.map_or(default, |s| Duration::from_secs(s.max(1)));
        let limits = redress_web::Limits {
            header_read_timeout: secs(
                flags.header_read_timeout_secs.or(file.header_read_timeout_secs),
                defaults.header_read_timeout,
            ),
            body_read_timeout: secs(
                flags.body_read_timeout_secs.or(file.body_read_timeout_secs),
                defaults.body_read_timeout,
            ),
            max_connections: flags.max_connections.or(file.max_connections).unwrap_or(defaults.max_connections).max(1),
            max_connections_per_address: flags
                .max_connections_per_address
                .or(file.max_connections_per_address)
                .unwrap_or(defaults.max_connections_per_address),
            logins_per_address: rate(
                "rate_logins_per_address",
                flags.rate_logins_per_address,
                file.rate_logins_per_address,
                defaults.logins_per_address,
            )?,
            writes_per_address: rate(
                "rate_writes_per_address",
                flags.rate_writes_per_address,
                file.rate_writes_per_address,
                defaults.writes_per_address,
            )?,
            writes_per_account: rate(
                "rate_writes_per_account",
                flags.rate_writes_per_account,
                file.rate_writes_per_account,
                defaults.writes_per_account,
            )?,
            filings_per_account: rate(
                "rate_filings_per_account",
                flags.rate_filings_per_account,
                file.rate_filings_per_account,
                defaults.filings_per_account,
            )?,
            uploads_per_account: rate(
                "rate_uploads_per_account",
                flags.rate_uploads_per_account,
                file.rate_uploads_per_account,
                defaults.uploads_per_account,
            )?,
            public_reads_per_address: rate(
                "rate_public_reads_per_address",
                flags.rate_public_reads_per_address,
                file.rate_public_reads_per_address,
                defaults.public_reads_per_address,
            )?,
        };
        let smtp = match flags.smtp_host.or(file.smtp_host) {
            Some(host) => Some(redress_worker::email::SmtpConfig {
                host,
                port: flags.smtp_port.or(file.smtp_port),
                from: flags.smtp_from.or(file.smtp_from).context("smtp_host needs smtp_from (REDRESS_SMTP_FROM)")?,
                tls: flags.smtp_tls.or(file.smtp_tls).as_deref().unwrap_or("starttls").parse()?,
                username: flags.smtp_username.or(file.smtp_username),
                password: flags.smtp_password.or(file.smtp_password),
            }),
            None => None,
        };
        let webhooks = redress_app::webhooks::WebhookSettings {
            allow_private_addresses: flags
                .webhooks_allow_private_addresses
                .or(file.webhooks_allow_private_addresses)
                .unwrap_or(false),
            log_retention: match flags.webhooks_log_retention_days.or(file.webhooks_log_retention_days) {
                Some(0) => anyhow::bail!("webhooks_log_retention_days: at least 1"),
                Some(days) => jiff::SignedDuration::from_hours(i64::from(days) * 24),
                None => redress_app::webhooks::DEFAULT_LOG_RETENTION,
            },
            ..Default::default()
        };
        Ok(Settings {
            webhooks,
            smtp,
            initial_policy,
            clock_start: flags.clock_start,
            metrics_token: flags.metrics_token.or(file.metrics_token).filter(|t| !t.trim().is_empty()),
            s3,
            limits,
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

#[cfg(test)]
mod tests {
    use super::parse_rate;
    use redress_web::Rate;

    #[test]
    fn rates_read_as_per_minute_and_burst() {
        assert_eq!(parse_rate("r", "120/30").unwrap(), Rate { per_minute: 120, burst: 30 });
        assert_eq!(parse_rate("r", " 60 ").unwrap(), Rate { per_minute: 60, burst: 60 });
        assert_eq!(parse_rate("r", "0").unwrap(), Rate::OFF);
        for bad in ["", "fast", "10/", "-1/2", "1/2/3"] {
            assert!(parse_rate("r", bad).is_err(), "{bad}");
        }
    }
}
