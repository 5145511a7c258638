//! Webhooks for merchant systems: a shop's subscriptions (URL, event types, a secret; two while
//! rotating), and the log of what was delivered. Every case event is written to the outbox in
//! its change's transaction (`payload`); the worker fans each out into one delivery per
//! subscription that wants it, signs it (`signature`), sends it, and retries it on the schedule
//! of `retry` until it is dead-lettered; deliveries can be sent again on request.

pub mod address;
pub mod payload;
pub mod retry;
#[cfg(test)]
mod samples;
pub mod signature;

use crate::ports::StoreResult;
use crate::{App, AppError, Principal, Role};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use redress_domain::{CaseId, Detail, MerchantId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How webhooks are sent (configuration `[webhooks]`).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Send to private, loopback and link-local addresses too (tests, closed networks).
    pub allow_private_addresses: bool,
    pub retry: retry::RetryPolicy,
    /// One attempt's whole time (connect, send, answer): a slow receiver is cut off.
    pub timeout: std::time::Duration,
    /// Attempts in flight at once per worker.
    pub concurrency: usize,
    /// How often the worker looks for due retries when nothing wakes it.
    pub poll: std::time::Duration,
    /// Delivered and dead deliveries (with their attempts) are purged once finished this long.
    pub log_retention: jiff::SignedDuration,
}

/// How long the delivery log keeps a finished delivery by default.
pub const DEFAULT_LOG_RETENTION: jiff::SignedDuration = jiff::SignedDuration::from_hours(30 * 24);

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings {
            allow_private_addresses: false,
            retry: retry::RetryPolicy::default(),
            timeout: std::time::Duration::from_secs(10),
            concurrency: 16,
            poll: std::time::Duration::from_secs(1),
            log_retention: DEFAULT_LOG_RETENTION,
        }
    }
}

/// Subscriptions per shop at most.
pub const MAX_SUBSCRIPTIONS: usize = 20;
/// How long the previous secret still signs after a rotation, unless asked otherwise.
pub const DEFAULT_ROTATION_OVERLAP: SignedDuration = SignedDuration::from_hours(24);
/// The longest overlap a rotation may ask for.
pub const MAX_ROTATION_OVERLAP: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The bytes of a receiver's answer kept in the delivery log.
pub const RESPONSE_EXCERPT: usize = 512;
/// Every event type.
pub const ALL_TYPES: &str = "*";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: Uuid,
    pub merchant_id: MerchantId,
    pub url: String,
    /// Event type names, or `["*"]`.
    pub event_types: Vec<String>,
    pub active: bool,
    pub secret: String,
    /// The secret before the last rotation: it signs too until `previous_until`.
    pub previous_secret: Option<String>,
    pub previous_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Subscription {
    /// Does it want events of this type?
    pub fn wants(&self, kind: &str) -> bool {
        self.event_types.iter().any(|t| t == ALL_TYPES || t == kind)
    }

    /// The secrets that sign a delivery sent at `now`: the current one, and the previous one
    /// while the rotation overlap lasts.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_until)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt of the retry window failed: kept for redelivery.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Dead].into_iter().find(|d| d.as_str() == s)
    }
}

/// One event for one subscription, and where its sending stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub case_id: Option<CaseId>,
    pub status: DeliveryStatus,
    /// Attempts in the current retry window.
    pub attempts: i64,
    pub created_at: Timestamp,
    /// When the current retry window started (the first attempt, or the last redelivery).
    pub retry_from: Timestamp,
    pub next_attempt_at: Option<Timestamp>,
    pub last_attempt_at: Option<Timestamp>,
    /// The HTTP status of the last answer.
    pub last_status: Option<u16>,
    /// Why the last attempt failed without an answer (refused address, timeout, connection).
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
}

/// One attempt in a delivery's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// Its number in the retry window it belongs to.
    pub attempt: i64,
    pub at: Timestamp,
    pub status_code: Option<u16>,
    /// The first bytes of the answer.
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// A delivery to create when fanning an event out.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub case_id: Option<CaseId>,
    pub body: String,
}

/// A delivery leased to one worker for attempt number `attempt`.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    pub delivery: Delivery,
    pub body: String,
    pub subscription: Subscription,
}

/// What became of an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(Timestamp),
    Dead,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn insert_subscription(&self, subscription: &Subscription) -> StoreResult<()>;
    async fn subscription(&self, merchant: MerchantId, id: Uuid) -> StoreResult<Option<Subscription>>;
    /// A shop's subscriptions, oldest first.
    async fn subscriptions(&self, merchant: MerchantId) -> StoreResult<Vec<Subscription>>;
    /// Replaces the subscription's settings and secrets; `false` if there is none.
    async fn update_subscription(&self, subscription: &Subscription) -> StoreResult<bool>;
    /// Deletes it with its deliveries and their log; `false` if there is none.
    async fn delete_subscription(&self, merchant: MerchantId, id: Uuid) -> StoreResult<bool>;
    /// Creates `deliveries` (each (subscription, event) once: a repeat is ignored) and finishes
    /// the outbox job they came from, in one transaction.
    async fn fan_out_webhooks(&self, job: Uuid, deliveries: &[NewDelivery], at: Timestamp) -> StoreResult<()>;
    /// Leases due deliveries of active subscriptions to `owner` until `lease_until`, each for
    /// its next attempt (counted now): no two workers make the same attempt.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Logs attempt `attempt` and its outcome if `owner` still holds that attempt's lease;
    /// `false` (nothing written) otherwise.
    async fn record_attempt(
        &self,
        delivery: Uuid,
        owner: &str,
        attempt: &Attempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<bool>;
    /// A subscription's deliveries, newest first, those with ids below `before`.
    async fn deliveries(
        &self,
        subscription: Uuid,
        status: Option<DeliveryStatus>,
        before: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// One delivery with its body and its attempts, oldest first.
    async fn delivery(&self, subscription: Uuid, id: Uuid) -> StoreResult<Option<(Delivery, String, Vec<Attempt>)>>;
    /// Sends a delivered or dead delivery again from `now`, in a new retry window; `false` if
    /// there is none or it is still pending.
    async fn redeliver(&self, subscription: Uuid, id: Uuid, now: Timestamp) -> StoreResult<bool>;
    /// `redeliver` for every delivery of the subscription created at or after `since`; how many.
    async fn redeliver_since(&self, subscription: Uuid, since: Timestamp, now: Timestamp) -> StoreResult<u64>;
    /// Deletes at most `limit` deliveries delivered or dead before `finished_before` (the time
    /// of their delivery or last attempt), with their attempts; how many.
    async fn purge_deliveries(&self, finished_before: Timestamp, limit: i64) -> StoreResult<u64>;
}

/// What a merchant system sends to create or change a subscription.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionChange {
    pub url: Option<String>,
    /// Event type names (see `GET /api/v1/webhooks/event-types`), or `["*"]` for all.
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
}

impl App {
    /// The shop whose webhooks `principal` manages: its staff's or its API token's own, or any
    /// (named) shop for an admin.
    async fn webhook_shop(&self, principal: &Principal, merchant: Option<MerchantId>) -> Result<MerchantId, AppError> {
        let shop = match principal {
            Principal::MerchantToken { merchant: own, .. } => Some(*own),
            Principal::User(u) if u.role == Role::Merchant => u.merchant_id,
            Principal::User(u) if u.role == Role::Admin => {
                Some(merchant.ok_or_else(|| AppError::Invalid(Detail::Missing { field: "merchant_id".into() }))?)
            }
            _ => None,
        };
        let shop = shop.ok_or(AppError::Forbidden(Detail::OnlyRoles { roles: "merchant, admin".into() }))?;
        if merchant.is_some_and(|m| m != shop) {
            return Err(AppError::Forbidden(Detail::OwnShopOnly));
        }
        if self.store.merchant(shop).await?.is_none() {
            return Err(AppError::Invalid(Detail::NoSuchMerchant));
        }
        Ok(shop)
    }

    async fn checked_url(&self, url: &str) -> Result<String, AppError> {
        match address::check_url(url, self.webhooks.allow_private_addresses).await {
            Ok(url) => Ok(url.to_string()),
            Err(address::Refused::Malformed) => Err(AppError::Invalid(Detail::WebhookUrl)),
            Err(address::Refused::Unresolved) => Err(AppError::WebhookUrlRefused(Detail::WebhookHostUnresolved)),
            Err(address::Refused::NonPublic(ip)) => {
                Err(AppError::WebhookUrlRefused(Detail::WebhookHostNotPublic { address: ip.to_string() }))
            }
        }
    }

    fn checked_types(types: Vec<String>) -> Result<Vec<String>, AppError> {
        let known = payload::event_types();
        let mut types: Vec<String> = types.into_iter().map(|t| t.trim().to_owned()).collect();
        types.sort();
        types.dedup();
        if types.is_empty() || types.len() > known.len() {
            return Err(AppError::Invalid(Detail::EventTypesEmpty));
        }
        if let Some(bad) = types.iter().find(|t| *t != ALL_TYPES && !known.contains(&t.as_str())) {
            return Err(AppError::Invalid(Detail::Unknown { field: "event_types".into(), value: bad.clone() }));
        }
        Ok(types)
    }

    /// Creates a subscription; its secret is in the answer (and shown once by the API).
    pub async fn subscribe_webhook(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        change: SubscriptionChange,
    ) -> Result<Subscription, AppError> {
        let shop = self.webhook_shop(principal, merchant).await?;
        let url = self
            .checked_url(
                change.url.as_deref().ok_or_else(|| AppError::Invalid(Detail::Missing { field: "url".into() }))?,
            )
            .await?;
        let event_types = Self::checked_types(change.event_types.unwrap_or_else(|| vec![ALL_TYPES.into()]))?;
        if self.store.subscriptions(shop).await?.len() >= MAX_SUBSCRIPTIONS {
            return Err(AppError::Invalid(Detail::SubscriptionsPerShop { max: MAX_SUBSCRIPTIONS as u64 }));
        }
        let now = self.clock.now();
        let subscription = Subscription {
            id: Uuid::now_v7(),
            merchant_id: shop,
            url,
            event_types,
            active: change.active.unwrap_or(true),
            secret: new_secret(),
            previous_secret: None,
            previous_until: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_subscription(&subscription).await?;
        Ok(subscription)
    }

    pub async fn webhook_subscriptions(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
    ) -> Result<Vec<Subscription>, AppError> {
        let shop = self.webhook_shop(principal, merchant).await?;
        Ok(self.store.subscriptions(shop).await?)
    }

    pub async fn webhook_subscription(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
    ) -> Result<Subscription, AppError> {
        let shop = self.webhook_shop(principal, merchant).await?;
        self.store.subscription(shop, id).await?.ok_or(AppError::NotFound)
    }

    pub async fn change_webhook(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        change: SubscriptionChange,
    ) -> Result<Subscription, AppError> {
        let mut subscription = self.webhook_subscription(principal, merchant, id).await?;
        if let Some(url) = change.url {
            subscription.url = self.checked_url(&url).await?;
        }
        if let Some(types) = change.event_types {
            subscription.event_types = Self::checked_types(types)?;
        }
        if let Some(active) = change.active {
            subscription.active = active;
        }
        subscription.updated_at = self.clock.now();
        if !self.store.update_subscription(&subscription).await? {
            return Err(AppError::NotFound);
        }
        Ok(subscription)
    }

    /// A new secret; the current one keeps signing for `overlap` (default 24 h, at most 7 d)
    /// so receivers can switch without missing a delivery.
    pub async fn rotate_webhook_secret(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        overlap: Option<SignedDuration>,
    ) -> Result<Subscription, AppError> {
        let overlap = overlap.unwrap_or(DEFAULT_ROTATION_OVERLAP);
        if overlap.is_negative() || overlap > MAX_ROTATION_OVERLAP {
            return Err(AppError::Invalid(Detail::Range { field: "overlap_hours".into(), min: 0, max: 168 }));
        }
        let mut subscription = self.webhook_subscription(principal, merchant, id).await?;
        let now = self.clock.now();
        subscription.previous_secret = Some(std::mem::replace(&mut subscription.secret, new_secret()));
        subscription.previous_until =
            Some(redress_domain::time::micros(now.checked_add(overlap).map_err(anyhow::Error::from)?));
        subscription.updated_at = now;
        if !self.store.update_subscription(&subscription).await? {
            return Err(AppError::NotFound);
        }
        Ok(subscription)
    }

    pub async fn delete_webhook(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
    ) -> Result<(), AppError> {
        let shop = self.webhook_shop(principal, merchant).await?;
        if self.store.delete_subscription(shop, id).await? { Ok(()) } else { Err(AppError::NotFound) }
    }

    pub async fn webhook_deliveries(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        status: Option<DeliveryStatus>,
        before: Option<Uuid>,
        limit: Option<i64>,
    ) -> Result<Vec<Delivery>, AppError> {
        let subscription = self.webhook_subscription(principal, merchant, id).await?;
        let limit = crate::orders::page_size(limit)?;
        Ok(self.store.deliveries(subscription.id, status, before, limit).await?)
    }

    pub async fn webhook_delivery(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        delivery: Uuid,
    ) -> Result<(Delivery, String, Vec<Attempt>), AppError> {
        let subscription = self.webhook_subscription(principal, merchant, id).await?;
        self.store.delivery(subscription.id, delivery).await?.ok_or(AppError::NotFound)
    }

    /// Sends one delivery again (a delivered or dead one) in a new retry window.
    pub async fn redeliver_webhook(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        delivery: Uuid,
    ) -> Result<(), AppError> {
        let subscription = self.webhook_subscription(principal, merchant, id).await?;
        if self.store.redeliver(subscription.id, delivery, self.clock.now()).await? {
            self.wake_worker();
            return Ok(());
        }
        match self.store.delivery(subscription.id, delivery).await? {
            None => Err(AppError::NotFound),
            Some(_) => Err(AppError::Invalid(Detail::DeliveryPending)),
        }
    }

    /// Sends again every delivered or dead delivery created at or after `since`; how many.
    pub async fn redeliver_webhooks_since(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: Uuid,
        since: Timestamp,
    ) -> Result<u64, AppError> {
        let subscription = self.webhook_subscription(principal, merchant, id).await?;
        let count = self.store.redeliver_since(subscription.id, since, self.clock.now()).await?;
        self.wake_worker();
        Ok(count)
    }

    /// A worker in this process sends what was just made due at once.
    fn wake_worker(&self) {
        self.store.wake();
    }
}

fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}
