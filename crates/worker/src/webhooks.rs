//! The webhook sender: fans each case change's `webhook` outbox row out into one delivery per
//! subscription that wants its events, then sends due deliveries, signed, a bounded number at
//! a time. Every attempt is leased (so several workers never make the same attempt) and cut
//! off after the configured timeout (so a slow receiver holds one slot, never the others).
//! Each connection goes only to addresses checked when they were resolved for it: a name
//! re-pointed at a private address after the subscription was saved is refused too.

use futures_util::StreamExt;
use jiff::SignedDuration;
use redress_app::App;
use redress_app::webhooks::address::is_public;
use redress_app::webhooks::payload::{OutboxPayload, PayloadHead, TOPIC};
use redress_app::webhooks::{
    Attempt, AttemptOutcome, ClaimedDelivery, NewDelivery, RESPONSE_EXCERPT, Subscription, signature,
};
use std::collections::HashMap;
use std::sync::Arc;

const BATCH: i64 = 100;
/// How long a claimed delivery stays with its worker: far longer than an attempt may take.
const LEASE: SignedDuration = SignedDuration::from_secs(120);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WebhookReport {
    /// Outbox rows fanned out into deliveries.
    pub fanned_out: usize,
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
}

#[derive(Clone)]
pub struct WebhookSender {
    app: App,
    owner: String,
    client: reqwest::Client,
}

/// Resolves names for webhook connections and refuses non-public addresses (unless allowed):
/// the check and the connection use the very same addresses.
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| !allow_private && !is_public(a.ip())) {
                return Err(format!("{host} resolves to a non-public address ({})", bad.ip()).into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

impl WebhookSender {
    pub fn new(app: App, owner: String) -> anyhow::Result<WebhookSender> {
        let settings = &app.webhooks;
        // The process's TLS provider, if none is yet (the binary installs it first thing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(std::time::Duration::from_secs(5)))
            // A redirect or a proxy would reach an address that was never checked.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(PublicOnly { allow_private: settings.allow_private_addresses })
            .user_agent(concat!("Redress-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebhookSender { app, owner, client })
    }

    /// Fans out what is waiting and makes every attempt due now, then returns.
    pub async fn tick(&self) -> anyhow::Result<WebhookReport> {
        let mut report = WebhookReport { fanned_out: self.fan_out().await?, ..Default::default() };
        loop {
            let claimed = self.claim(BATCH).await?;
            let count = claimed.len();
            let outcomes: Vec<_> = futures_util::stream::iter(claimed)
                .map(|c| self.send(c))
                .buffer_unordered(self.app.webhooks.concurrency.max(1))
                .collect()
                .await;
            for outcome in outcomes {
                use redress_app::telemetry::{results, webhook_delivery};
                match outcome {
                    Some(AttemptOutcome::Delivered) => {
                        report.delivered += 1;
                        webhook_delivery(results::DELIVERED);
                    }
                    Some(AttemptOutcome::RetryAt(_)) => {
                        report.retried += 1;
                        webhook_delivery(results::RETRYING);
                    }
                    Some(AttemptOutcome::Dead) => {
                        report.dead += 1;
                        webhook_delivery(results::FAILED);
                    }
                    None => {}
                }
            }
            if count < BATCH as usize {
                return Ok(report);
            }
        }
    }

    /// Sends webhooks until `shutdown` resolves: attempts run as their own tasks, at most
    /// `concurrency` at once, and new ones start as soon as a slot is free and one is due. A
    /// change committed in this process wakes it at once; otherwise it polls.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let slots = Arc::new(tokio::sync::Semaphore::new(self.app.webhooks.concurrency.max(1)));
        let mut committed = self.app.store.committed();
        loop {
            if let Err(e) = self.fan_out().await {
                tracing::error!(error = %e, "webhook fan-out failed");
            }
            let free = slots.available_permits();
            if free > 0 {
                match self.claim(free as i64).await {
                    Ok(claimed) => {
                        for c in claimed {
                            let Ok(slot) = slots.clone().try_acquire_owned() else { break };
                            let sender = self.clone();
                            tokio::spawn(async move {
                                sender.send(c).await;
                                drop(slot);
                            });
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "webhook claim failed"),
                }
            }
            let woken = crate::committed_change(&mut committed);
            tokio::select! {
                _ = &mut shutdown => return,
                _ = woken => {}
                _ = tokio::time::sleep(self.app.webhooks.poll) => {}
            }
        }
    }

    /// Turns the waiting `webhook` outbox rows into deliveries: one per subscription (active,
    /// wanting the event's type) and event. Returns how many rows.
    pub async fn fan_out(&self) -> anyhow::Result<usize> {
        let mut done = 0;
        loop {
            let now = self.app.clock.now();
            let jobs = self.app.store.claim_jobs(TOPIC, now, now.checked_add(LEASE)?, &self.owner, BATCH).await?;
            let mut shops: HashMap<redress_domain::MerchantId, Vec<Subscription>> = HashMap::new();
            for job in &jobs {
                let payload: OutboxPayload = serde_json::from_value(job.payload.clone())?;
                if let std::collections::hash_map::Entry::Vacant(shop) = shops.entry(payload.merchant_id) {
                    let subscriptions = self.app.store.subscriptions(payload.merchant_id).await?;
                    shop.insert(subscriptions.into_iter().filter(|s| s.active).collect());
                }
                let mut deliveries = Vec::new();
                for event in &payload.events {
                    let head: PayloadHead = serde_json::from_value(event.clone())?;
                    for s in shops[&payload.merchant_id].iter().filter(|s| s.wants(&head.kind)) {
                        deliveries.push(NewDelivery {
                            id: uuid::Uuid::now_v7(),
                            subscription_id: s.id,
                            event_id: head.id.clone(),
                            event_type: head.kind.clone(),
                            case_id: Some(head.case_id),
                            body: serde_json::to_string(event)?,
                        });
                    }
                }
                self.app.store.fan_out_webhooks(job.id, &deliveries, self.app.clock.now()).await?;
            }
            done += jobs.len();
            if jobs.len() < BATCH as usize {
                return Ok(done);
            }
        }
    }

    async fn claim(&self, limit: i64) -> anyhow::Result<Vec<ClaimedDelivery>> {
        let now = self.app.clock.now();
        Ok(self.app.store.claim_deliveries(now, now.checked_add(LEASE)?, &self.owner, limit).await?)
    }

    /// Makes the claimed attempt and logs it; `None` if the lease was lost meanwhile.
    async fn send(&self, claimed: ClaimedDelivery) -> Option<AttemptOutcome> {
        let delivery = &claimed.delivery;
        let at = self.app.clock.now();
        let started = std::time::Instant::now();
        let answer = self.post(&claimed, at).await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status_code, response, error) = match answer {
            Ok((status, excerpt)) => (Some(status), Some(excerpt), None),
            Err(e) => (None, None, Some(e)),
        };
        let delivered = status_code.is_some_and(|s| (200..300).contains(&s));
        let outcome = if delivered {
            AttemptOutcome::Delivered
        } else {
            let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
            let jitter = rand::random::<f64>();
            match self.app.webhooks.retry.next_attempt(attempts, delivery.retry_from, self.app.clock.now(), jitter) {
                Some(next) => AttemptOutcome::RetryAt(next),
                None => AttemptOutcome::Dead,
            }
        };
        let attempt = Attempt { attempt: delivery.attempts, at, status_code, response, error, duration_ms };
        match self.app.store.record_attempt(delivery.id, &self.owner, &attempt, outcome).await {
            Ok(true) => Some(outcome),
            Ok(false) => {
                tracing::warn!(delivery = %delivery.id, "webhook lease lost: attempt not recorded");
                None
            }
            Err(e) => {
                tracing::error!(delivery = %delivery.id, error = %e, "webhook attempt not recorded");
                None
            }
        }
    }

    /// One signed POST: the answer's status and first bytes, or why there was none.
    async fn post(&self, claimed: &ClaimedDelivery, at: jiff::Timestamp) -> Result<(u16, String), String> {
        let url = redress_app::webhooks::address::parse(&claimed.subscription.url).map_err(|e| e.to_string())?;
        // An address in the URL itself is never resolved: checked here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal
            && !self.app.webhooks.allow_private_addresses
            && !is_public(ip)
        {
            return Err(format!("refused: non-public address {ip}"));
        }
        let body = claimed.body.as_bytes();
        let secrets = claimed.subscription.signing_secrets(at);
        let signed = signature::sign(&secrets, at.as_second(), body);
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signed)
            .header("Redress-Event-Id", &claimed.delivery.event_id)
            .header("Redress-Event-Type", &claimed.delivery.event_type)
            .header("Redress-Delivery-Id", claimed.delivery.id.to_string())
            .body(claimed.body.clone())
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        Ok((status, excerpt(response).await))
    }
}

/// The first `RESPONSE_EXCERPT` bytes of an answer (what arrives before the timeout).
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < RESPONSE_EXCERPT {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(RESPONSE_EXCERPT);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Why a request got no answer, with its cause (the resolver's refusal, a timeout).
fn describe(e: reqwest::Error) -> String {
    let mut text = if e.is_timeout() { "timed out".to_owned() } else { e.to_string() };
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
