//! Email delivery of notifications over SMTP (`lettre`, async on tokio). Each notification's
//! email job is an outbox row (topic `email`) written with the notification; a worker claims it
//! with a lease, sends it in the reader's language, and completes it, or retries it with a
//! growing pause while the SMTP server fails. The message id is the notification's, so a resend
//! after a crash between sending and completing is recognisable as the same message.

use crate::Worker;
use jiff::SignedDuration;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use redress_app::email::{EMAIL_TOPIC, Email};
use redress_app::ports::ClaimedJob;
use redress_app::telemetry;
use std::time::Duration;

/// Emails of one batch sent at the same time at most.
const EMAILS_AT_ONCE: usize = 8;
/// An SMTP exchange gives up after this, well within the job's lease.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// The first retry's pause, doubled each attempt up to `MAX_BACKOFF`.
const FIRST_BACKOFF: SignedDuration = SignedDuration::from_secs(30);
const MAX_BACKOFF: SignedDuration = SignedDuration::from_hours(1);

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on loopback or a private network only).
    None,
    /// Plain connection upgraded with STARTTLS, required (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl std::str::FromStr for SmtpTls {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<SmtpTls> {
        match s {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            _ => anyhow::bail!("smtp tls: none, starttls or tls, not `{s}`"),
        }
    }
}

/// Where and as whom email is sent.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 25 without TLS, 587 with STARTTLS, 465 with TLS.
    pub port: Option<u16>,
    /// The sender, such as `Redress <noreply@example.com>`.
    pub from: String,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// A configured SMTP connection (pooled).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Mailer> {
        let from: Mailbox = config.from.parse().map_err(|e| anyhow::anyhow!("smtp from `{}`: {e}", config.from))?;
        let (builder, port) = match config.tls {
            SmtpTls::None => (AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host), 25),
            SmtpTls::StartTls => (AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?, 587),
            SmtpTls::Tls => (AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?, 465),
        };
        let mut builder = builder.port(config.port.unwrap_or(port)).timeout(Some(SMTP_TIMEOUT));
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            (None, None) => {}
            _ => anyhow::bail!("smtp credentials: both a username and a password, or neither"),
        }
        Ok(Mailer { transport: builder.build(), from })
    }

    /// Sends `email` as the message `id`.
    async fn send(&self, id: &str, email: &Email) -> Result<(), SendError> {
        let to: Mailbox = email.to.parse().map_err(|e| SendError::Permanent(format!("address `{}`: {e}", email.to)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!("<{id}@redress>")))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

enum SendError {
    /// The server refused the message for good (5xx): sending again would not help.
    Permanent(String),
    /// Not reached, timed out, or refused for now (4xx): tried again later.
    Transient(String),
}

/// The pause before the attempt after `attempts` failed ones: 30 s, doubled each time, 1 h at most.
pub fn backoff(attempts: i64) -> SignedDuration {
    let doublings = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    (FIRST_BACKOFF * 2_i32.pow(doublings)).min(MAX_BACKOFF)
}

/// What became of one claimed email job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delivery {
    Sent,
    /// Nothing to send (no address, the kind turned off, a reminder overtaken, no SMTP).
    Skipped,
    Retried,
}

impl Worker {
    /// Sends the email jobs that are due; how many emails went out. Without SMTP configured the
    /// jobs are completed unsent, so they never pile up (nor go out late once it is).
    pub async fn send_emails(&self) -> anyhow::Result<usize> {
        use futures_util::StreamExt;
        let now = self.app.clock.now();
        let jobs = self
            .app
            .store
            .claim_jobs(EMAIL_TOPIC, now, now.checked_add(self.lease)?, &self.owner, crate::BATCH)
            .await?;
        let outcomes = futures_util::stream::iter(jobs)
            .map(|job| self.deliver(job))
            .buffer_unordered(EMAILS_AT_ONCE)
            .collect::<Vec<anyhow::Result<Delivery>>>()
            .await;
        let mut sent = 0;
        for outcome in outcomes {
            sent += usize::from(outcome? == Delivery::Sent);
        }
        Ok(sent)
    }

    async fn deliver(&self, job: ClaimedJob) -> anyhow::Result<Delivery> {
        let email = match &self.mailer {
            Some(_) => self.app.email_of(&job.payload).await.map_err(|e| anyhow::anyhow!(e))?,
            None => None,
        };
        let (Some(mailer), Some(email)) = (&self.mailer, email) else {
            self.app.store.complete_job(job.id, self.app.clock.now()).await?;
            return Ok(Delivery::Skipped);
        };
        let id = job.payload["notification"].as_str().unwrap_or_default().to_owned();
        match mailer.send(&id, &email).await {
            Ok(()) => {
                self.app.store.complete_job(job.id, self.app.clock.now()).await?;
                telemetry::email(telemetry::results::DELIVERED);
                Ok(Delivery::Sent)
            }
            Err(SendError::Permanent(e)) => {
                telemetry::email(telemetry::results::FAILED);
                tracing::error!(job = %job.id, notification = %id, error = %e, "email refused for good: not sent");
                self.app.store.complete_job(job.id, self.app.clock.now()).await?;
                Ok(Delivery::Skipped)
            }
            Err(SendError::Transient(e)) => {
                telemetry::email(telemetry::results::RETRYING);
                tracing::warn!(job = %job.id, attempts = job.attempts, error = %e, "email will be retried");
                let at = self.app.clock.now().checked_add(backoff(job.attempts))?;
                self.app.store.retry_job(job.id, at, &e).await?;
                Ok(Delivery::Retried)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_between_attempts_doubles_up_to_an_hour() {
        let pauses: Vec<i64> = (1..=10).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(pauses, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(backoff(0).as_secs(), 30);
    }

    #[test]
    fn tls_modes_are_named_in_configuration() {
        assert_eq!("starttls".parse::<SmtpTls>().unwrap(), SmtpTls::StartTls);
        assert!("ssl".parse::<SmtpTls>().is_err());
    }
}
