//! The ports: what the use cases need from storage and payment. One `Store` trait, one adapter
//! per database, one contract suite that every adapter passes.

use async_trait::async_trait;
use jiff::Timestamp;
use redress_domain::order::{Merchant, Order, OrderHistory};
use redress_domain::{Case, CaseId, Event, MerchantId, Money, OrderId, Policy, TokenId, UserId};
use serde::{Deserialize, Serialize};

use crate::access::Role;
pub use crate::idempotency::{IdempotencyRecord, StoredAnswer};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The case changed since it was read (optimistic version check failed).
    #[error("concurrent change")]
    Conflict,
    #[error("duplicate {0}")]
    Duplicate(String),
    /// The change carried an idempotency record whose key was answered first (by a retry or a
    /// twin request): nothing was written; the recorded answer is the answer.
    #[error("idempotency key already answered")]
    AlreadyAnswered,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_id: Option<MerchantId>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Where notifications are emailed (shown to the account itself and to admins).
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyVersion {
    pub version: i64,
    pub published_at: Timestamp,
    pub effective_at: Timestamp,
    pub policy: Policy,
}

#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: TokenId,
    pub merchant_id: MerchantId,
    pub name: String,
    pub created_at: Timestamp,
}

/// One stored event with its place in the case's hash chain.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: Event,
    pub link: redress_domain::chain::Link,
}

/// A case as stored: the folded case plus its optimistic version.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub case: Case,
    pub version: i64,
    pub last_hash: String,
}

/// A piece of work written in the same transaction as the change that caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct OutboxItem {
    pub topic: String,
    pub case_id: Option<CaseId>,
    pub payload: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: uuid::Uuid,
    pub topic: String,
    pub case_id: Option<CaseId>,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// A case whose deadline has passed, leased to one sweeper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueCase {
    pub case_id: CaseId,
    pub due: Timestamp,
}

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub buyer_id: Option<UserId>,
    pub merchant_id: Option<MerchantId>,
    pub state: Option<String>,
    pub stage: Option<String>,
    pub order_id: Option<OrderId>,
    pub assigned_agent: Option<UserId>,
    /// The page cursor: newest first, cases with ids below this one (ids are time-ordered);
    /// with `sort_by_due`, the cases whose deadline comes after this case's.
    pub before: Option<CaseId>,
    pub limit: i64,
    /// Cases waiting for this party now.
    pub waiting_for: Option<redress_domain::Party>,
    /// Open cases whose deadline falls before this time (overdue: before now).
    pub due_before: Option<Timestamp>,
    /// Only cases filed on items that had a case before.
    pub repeat: bool,
    /// Only cases with an appeal not yet reviewed.
    pub under_appeal: bool,
    /// The soonest deadline first (cases with a deadline only).
    pub sort_by_due: bool,
}

impl CaseFilter {
    /// `waiting_for=me`: the cases waiting for the caller's party now. An agent's are those
    /// waiting for the platform that are assigned to them: another agent's case is not theirs to
    /// act on (`not_assigned`), and the unassigned ones are the platform's queue
    /// (`waiting_for=platform`), taken by the first agent who acts.
    pub fn waiting_for_me(self, principal: &crate::access::Principal) -> CaseFilter {
        match principal.actor() {
            redress_domain::Actor::Agent { user } => {
                CaseFilter { waiting_for: Some(redress_domain::Party::Platform), assigned_agent: Some(user), ..self }
            }
            actor => CaseFilter { waiting_for: Some(actor.party()), ..self },
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub buyer_id: Option<UserId>,
    pub merchant_id: Option<MerchantId>,
    pub before: Option<OrderId>,
    pub limit: i64,
}

/// The result of a refund in the ledger.
/// What became of one order of a batch insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderInsert {
    Inserted,
    /// The shop already had an order with this number: this one, untouched.
    Existing(Box<Order>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerRefund {
    Executed,
    /// Refused for good (the refunds on the order would exceed what was paid).
    Refused(String),
}

/// A throttle key's record: how many login attempts it made lately, when it may try again, and
/// when it last tried (also the record's version for `swap_login_attempts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginAttempts {
    pub attempts: u32,
    pub not_before: Timestamp,
    pub last_at: Timestamp,
}

/// Login attempts per throttle key, shared by every server process on the database.
#[async_trait]
pub trait LoginAttemptStore: Send + Sync {
    async fn login_attempts(&self, key: &str) -> StoreResult<Option<LoginAttempts>>;
    /// Replaces `key`'s record if it is still `expected` (`None`: there is none); false when
    /// another attempt changed it first.
    async fn swap_login_attempts(
        &self,
        key: &str,
        expected: Option<&LoginAttempts>,
        new: &LoginAttempts,
    ) -> StoreResult<bool>;
    /// Takes back one counted attempt of `key` (a login that succeeded was no guess).
    async fn refund_login_attempt(&self, key: &str) -> StoreResult<()>;
    async fn forget_login_attempts(&self, key: &str) -> StoreResult<()>;
    /// Removes the records that may try again by `now` and were last used before `quiet_before`;
    /// returns how many.
    async fn purge_login_attempts(&self, now: Timestamp, quiet_before: Timestamp) -> StoreResult<u64>;
}

/// The platform's signing keys, one per purpose, made once and kept (hex PKCS#8 documents).
#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn signing_key(&self, purpose: &str) -> StoreResult<Option<String>>;
    /// Stores `private_key` for `purpose` unless one is stored already (then it is kept).
    async fn keep_signing_key(&self, purpose: &str, private_key: &str, at: Timestamp) -> StoreResult<()>;
}

/// Notifications: a person's inbox and read marks, and what e-mailing them needs (each person's
/// choices and address, a notification by id: the email job names it).
#[async_trait]
pub trait NotificationStore: Send + Sync {
    async fn notification(&self, id: uuid::Uuid) -> StoreResult<Option<crate::escalations::Notification>>;
    async fn notification_settings(&self, user: UserId) -> StoreResult<Option<crate::email::NotificationSettings>>;
    async fn put_notification_settings(
        &self,
        user: UserId,
        settings: &crate::email::NotificationSettings,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// `false` if there is no such account.
    async fn set_user_email(&self, user: UserId, email: Option<&str>) -> StoreResult<bool>;
    /// Stores notifications (each once: a repeated id is ignored).
    async fn insert_notifications(&self, notifications: &[crate::escalations::Notification]) -> StoreResult<()>;
    async fn notifications(
        &self,
        user: UserId,
        before: Option<uuid::Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<crate::escalations::Notification>>;
    async fn mark_notification_read(&self, user: UserId, id: uuid::Uuid, at: Timestamp) -> StoreResult<bool>;
}

/// Reads for a batch of claimed cases (the deadline sweep): one query for the batch instead of
/// one per case.
#[async_trait]
pub trait SweepStore: Send + Sync {
    /// The records of those of `ids` that exist, in no particular order.
    async fn cases_by_id(&self, ids: &[CaseId]) -> StoreResult<Vec<CaseRecord>>;
    /// The staff accounts of each of `merchants`: (shop, account) pairs.
    async fn staff_of(&self, merchants: &[MerchantId]) -> StoreResult<Vec<(MerchantId, UserId)>>;
}

/// People and access: accounts, sessions, a shop's API tokens, the shops.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn insert_user(&self, user: &User, password_hash: &str, at: Timestamp) -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_login(&self, login: &str) -> StoreResult<Option<(User, String)>>;
    async fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn session_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn insert_api_token(&self, token: &ApiToken, token_hash: &str) -> StoreResult<()>;
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// A shop's tokens that are not revoked, newest first.
    async fn api_tokens(&self, merchant: MerchantId) -> StoreResult<Vec<ApiToken>>;
    /// `false` if the shop has no such live token.
    async fn revoke_api_token(&self, merchant: MerchantId, id: TokenId, at: Timestamp) -> StoreResult<bool>;

    // Shops.
    async fn insert_merchant(&self, merchant: &Merchant, at: Timestamp) -> StoreResult<()>;
    async fn merchant(&self, id: MerchantId) -> StoreResult<Option<Merchant>>;
    /// Every shop, newest first, paged by id.
    async fn list_merchants(&self, before: Option<MerchantId>, limit: i64) -> StoreResult<Vec<Merchant>>;
    /// Every account, newest first, paged by id.
    async fn list_users(&self, before: Option<UserId>, limit: i64) -> StoreResult<Vec<User>>;
    /// The staff accounts of a shop.
    async fn merchant_staff(&self, merchant: MerchantId) -> StoreResult<Vec<UserId>>;
}

/// Idempotency keys: answers recorded with their change (`append`, `create_case`) or alone.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The answer under `key` that has not expired at `now`.
    async fn idempotency_answer(&self, scope: &str, key: &str, now: Timestamp) -> StoreResult<Option<StoredAnswer>>;
    /// Records an answer that carries no change; `false` if a live answer has the key already.
    async fn idempotency_record(&self, answer: &IdempotencyRecord, now: Timestamp) -> StoreResult<bool>;
    /// Deletes the answers expired at `now`; how many.
    async fn purge_idempotency(&self, now: Timestamp) -> StoreResult<u64>;
}

/// The built-in payment ledger.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Pays `amount` once per `refund_id`; refunds (not compensation) never exceed what was paid.
    async fn ledger_refund(
        &self,
        order: &Order,
        refund_id: &str,
        amount: Money,
        kind: PayoutKind,
        at: Timestamp,
    ) -> StoreResult<LedgerRefund>;
    /// The refunds paid on an order (compensation not included).
    async fn ledger_total(&self, order_id: OrderId) -> StoreResult<Money>;
}

/// Background jobs: the outbox rows of case changes, claimed under a lease by any number of workers.
#[async_trait]
pub trait JobStore: Send + Sync {
    async fn claim_jobs(
        &self,
        topic: &str,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedJob>>;
    async fn complete_job(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()>;
    async fn retry_job(&self, id: uuid::Uuid, available_at: Timestamp, error: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait Store:
    AccountStore
    + JobStore
    + IdempotencyStore
    + LedgerStore
    + LoginAttemptStore
    + SigningKeyStore
    + SweepStore
    + crate::conversations::ConversationStore
    + NotificationStore
    + crate::search::SearchStore
    + crate::dashboards::DashboardStore
    + crate::telemetry::BacklogStore
    + crate::webhooks::WebhookStore
    + Send
    + Sync
    + 'static
{
    // Orders.
    async fn insert_order(&self, order: &Order) -> StoreResult<()>;
    /// Inserts orders in one transaction, idempotent on the natural key (shop, number): an order
    /// whose shop already has its number is not inserted, and the stored one is returned.
    async fn insert_orders(&self, orders: &[Order]) -> StoreResult<Vec<OrderInsert>>;
    async fn order(&self, id: OrderId) -> StoreResult<Option<Order>>;
    async fn list_orders(&self, filter: &OrderFilter) -> StoreResult<Vec<Order>>;
    async fn order_history(&self, order: &Order) -> StoreResult<OrderHistory>;

    // Policy.
    async fn insert_policy(
        &self,
        version: i64,
        policy: &Policy,
        published_at: Timestamp,
        effective_at: Timestamp,
    ) -> StoreResult<()>;
    /// The newest version in effect at `now`.
    async fn policy_in_force(&self, now: Timestamp) -> StoreResult<Option<(i64, Policy)>>;
    async fn policy(&self, version: i64) -> StoreResult<Option<Policy>>;
    /// Every version with its publication and effective times, oldest first.
    async fn policy_versions(&self) -> StoreResult<Vec<PolicyVersion>>;

    // The business calendar: one JSON `CalendarYear` per year.
    async fn calendar_years(&self) -> StoreResult<Vec<String>>;
    /// Inserts or replaces these years, all in one transaction.
    async fn put_calendar_years(&self, years: &[(i16, String)], at: Timestamp) -> StoreResult<()>;

    // Escalations outside the platform and the notifications their clocks send.
    async fn insert_external_escalation(&self, escalation: &crate::escalations::ExternalEscalation) -> StoreResult<()>;
    async fn external_escalations(&self, case_id: CaseId) -> StoreResult<Vec<crate::escalations::ExternalEscalation>>;
    /// Those whose next reminder is due at `now`.
    async fn due_external_escalations(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<crate::escalations::ExternalEscalation>>;
    /// Stores `escalation` (and `notification`, in the same transaction) if its next reminder
    /// time is still `expected_next`; `false` if another process advanced it first.
    /// Escalations with a reminder still to send at or after `from` (their clocks have not fired).
    async fn external_escalations_due_from(
        &self,
        from: Timestamp,
    ) -> StoreResult<Vec<crate::escalations::ExternalEscalation>>;
    async fn update_external_escalation(
        &self,
        escalation: &crate::escalations::ExternalEscalation,
        expected_next: Option<Timestamp>,
        notification: Option<&crate::escalations::Notification>,
    ) -> StoreResult<bool>;

    // Reminders of natural-time deadlines.
    /// Cases whose next reminder is due at `now`, with that reminder's time.
    async fn due_reminders(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<(Case, Timestamp)>>;
    /// Moves a case's reminder from `expected` to `next` and writes the notifications, in one
    /// transaction; `false` if the case changed or another worker sent it first.
    async fn advance_reminder(
        &self,
        case_id: CaseId,
        expected: Timestamp,
        next: Option<Timestamp>,
        notifications: &[crate::escalations::Notification],
    ) -> StoreResult<bool>;

    // Cases: one transaction per change (events, case row, deadline, outbox, and the answer to
    // the request's Idempotency-Key: a live answer under the same key is `AlreadyAnswered` and
    // nothing is written).
    /// Creates a case with its first event, if the order still has `prior_cases` cases (another
    /// filing on the order meanwhile is a `Conflict`: the filing must be decided again).
    async fn create_case(
        &self,
        case: &Case,
        filed: &Event,
        outbox: &[OutboxItem],
        prior_cases: u32,
        answer: Option<&IdempotencyRecord>,
    ) -> StoreResult<()>;
    /// Appends `events` if the case is still at `expected_version` with the chain's head
    /// `expected_hash` (both as the caller read them: the new events chain on from that head
    /// without reading it again), storing `case` as the new fold.
    async fn append(
        &self,
        case: &Case,
        expected_version: i64,
        expected_hash: &str,
        events: &[Event],
        outbox: &[OutboxItem],
        answer: Option<&IdempotencyRecord>,
    ) -> StoreResult<()>;
    /// Changes after each committed case change, so a worker loop in the same process starts
    /// at once instead of waiting for its next poll (other processes still poll). Each loop
    /// keeps its own receiver: a commit made while a loop was busy is seen when it next waits,
    /// whatever the other loops did (one shared `Notify` permit could be taken by another loop).
    fn committed(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
    /// Tells every worker loop of this process that there is new work.
    fn wake(&self) {}
    async fn case(&self, id: CaseId) -> StoreResult<Option<CaseRecord>>;
    /// Open cases whose deadline is due at or after `from`, by id after `after` (a page of the
    /// candidates for a recount when a year's holiday notice is imported).
    async fn cases_due_from(&self, from: Timestamp, after: Option<CaseId>, limit: i64) -> StoreResult<Vec<Case>>;
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>>;
    async fn events(&self, id: CaseId) -> StoreResult<Vec<StoredEvent>>;

    // Background work: leases, so any number of workers can run side by side.
    async fn claim_due_cases(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<DueCase>>;

    // Evidence files: rows written with their `EvidenceAdded` event, in its transaction.
    /// Every file of a case, in the order they were added.
    async fn evidence(&self, case_id: CaseId) -> StoreResult<Vec<crate::evidence::EvidenceRecord>>;
    async fn evidence_item(
        &self,
        case_id: CaseId,
        evidence_id: redress_domain::EvidenceId,
    ) -> StoreResult<Option<crate::evidence::EvidenceRecord>>;
    /// Does any case's evidence name this file? Identical files share one stored object.
    async fn evidence_hash_referenced(&self, sha256: &str) -> StoreResult<bool>;

    /// A page of a case's events, newest first: those before `before_seq` (all when `None`),
    /// at most `limit`.
    async fn events_page(&self, id: CaseId, before_seq: Option<i64>, limit: i64) -> StoreResult<Vec<StoredEvent>>;

    // Housekeeping (the worker).
    /// Deletes at most `limit` sessions expired by `now` and at most `limit` finished outbox rows
    /// done before `done_before`.
    async fn purge_expired(&self, now: Timestamp, done_before: Timestamp, limit: i64) -> StoreResult<Purged>;
}

/// What one purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub outbox: u64,
}

/// What a payout to the buyer is: money back for the goods, or statutory compensation beyond it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutKind {
    Refund,
    Compensation,
}

impl PayoutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutKind::Refund => "refund",
            PayoutKind::Compensation => "compensation",
        }
    }
}

/// Where refunds are executed. `Err` is a transient failure: the job is retried.
#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    async fn refund(
        &self,
        order: &Order,
        refund_id: &str,
        amount: Money,
        kind: PayoutKind,
    ) -> anyhow::Result<LedgerRefund>;
}

/// The built-in gateway: a ledger in the database, idempotent per refund id, that never lets the
/// refunds on an order exceed what was paid.
pub struct LedgerGateway {
    pub store: std::sync::Arc<dyn Store>,
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
}

#[async_trait]
impl PaymentGateway for LedgerGateway {
    async fn refund(
        &self,
        order: &Order,
        refund_id: &str,
        amount: Money,
        kind: PayoutKind,
    ) -> anyhow::Result<LedgerRefund> {
        Ok(self
            .store
            .ledger_refund(order, refund_id, amount, kind, self.clock.now())
            .await
            .map_err(|e| anyhow::anyhow!(e))?)
    }
}
