//! The case (售后单): its state, its deadline and what it remembers of the negotiation.
//! A case is only ever changed by `lifecycle::apply` of an event.

use crate::actor::Party;
use crate::ids::{CaseId, MerchantId, OrderId, UserId};
use crate::money::Money;
use crate::vocabulary::{Reason, RejectReason, RemedyKind, RequestKind, vocabulary};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// The canonical states of DESIGN.md.
    CaseState {
        AwaitingMerchant = "awaiting_merchant";
        AwaitingBuyer = "awaiting_buyer";
        MerchantRejected = "merchant_rejected";
        AwaitingReturnShipment = "awaiting_return_shipment";
        ReturnInTransit = "return_in_transit";
        AwaitingMerchantShipment = "awaiting_merchant_shipment";
        AwaitingBuyerReceipt = "awaiting_buyer_receipt";
        PlatformReview = "platform_review";
        AwaitingEvidence = "awaiting_evidence";
        AwaitingMediation = "awaiting_mediation";
        Refunding = "refunding";
        Closed = "closed";
    }
);

vocabulary!(
    /// Who is handling the case.
    Stage {
        Negotiation = "negotiation";
        Platform = "platform";
        Closed = "closed";
    }
);

vocabulary!(
    /// How a closed case ended.
    Outcome {
        Refunded = "refunded";
        PartiallyRefunded = "partially_refunded";
        Exchanged = "exchanged";
        Reissued = "reissued";
        Repaired = "repaired";
        Compensated = "compensated";
        Rejected = "rejected";
        Withdrawn = "withdrawn";
        Expired = "expired";
        Cancelled = "cancelled";
    }
);

/// What happens when a deadline passes unanswered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    AutoApprove,
    Close(Outcome),
    AutoRefund,
    EscalateToPlatform,
    BackToPlatformReview,
    /// The payment gateway did not confirm in time: the merchant must refund offline.
    RequireOfflineRefund,
    FlagFirstActionSla,
    FlagDecisionSla,
    /// Nothing more fires; the deadline stays visible as overdue.
    Overdue,
}

impl OnTimeout {
    pub fn fires(self) -> bool {
        self != OnTimeout::Overdue
    }
}

/// Every waiting state has exactly one deadline, naming whom it waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Deadline {
    pub due: Timestamp,
    pub waits_for: Vec<Party>,
    pub on_timeout: OnTimeout,
    /// When the waiting party is reminded (policy `reminder_hours` before a natural-time
    /// deadline, those still ahead when it was set), earliest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<Timestamp>,
    /// A working-day deadline counted over a year whose holiday notice is not imported yet: it
    /// may move when the notice is imported (`provisional_year` says which year).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisional_year: Option<i16>,
}

/// A remedy with its amount (zero for remedies that pay nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remedy {
    pub kind: RemedyKind,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_no: String,
    pub shipped_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct MerchantRejection {
    pub reason: RejectReason,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct EvidenceRequest {
    pub party: Party,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Mediation {
    pub remedy: Remedy,
    pub note: String,
    pub buyer_accepted: Option<bool>,
    pub merchant_accepted: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Decision {
    pub agent: UserId,
    /// `None`: the buyer's claim is rejected.
    pub remedy: Option<Remedy>,
    pub liable: Option<Party>,
    pub rationale: String,
    pub cited_rule: String,
    pub decided_at: Timestamp,
    /// The review of an appeal against this ruling: upheld, or the review that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_review: Option<AppealReview>,
}

/// How an appeal was answered, by whom and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct AppealReview {
    pub uphold: bool,
    pub agent: Option<UserId>,
    pub rationale: String,
    pub cited_rule: String,
    pub reviewed_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Appeal {
    pub party: Party,
    /// The outcome the appeal contests, restored if the decision is upheld.
    pub appealed_outcome: Option<Outcome>,
    pub reason: String,
    pub filed_at: Timestamp,
    pub reviewed: bool,
}

/// The refund the case is executing: `refund_id` makes the gateway call idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct PendingRefund {
    pub refund_id: String,
    pub amount: Money,
    pub outcome: Outcome,
    pub failed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub order_id: OrderId,
    pub buyer_id: UserId,
    pub merchant_id: MerchantId,
    pub kind: RequestKind,
    pub reason: Reason,
    pub items: Vec<ItemRef>,
    /// What the buyer asks for in money (zero for exchange, reissue, repair).
    pub amount: Money,
    /// What the order still allowed to refund when the case was filed.
    pub refundable: Money,
    /// The price of the claimed items: the base of statutory damages.
    #[serde(default)]
    pub price: Money,
    #[serde(default)]
    pub food: bool,
    pub description: String,
    pub policy_version: i64,
    pub is_repeat: bool,
    pub filed_at: Timestamp,
    pub state: CaseState,
    pub stage: Stage,
    pub outcome: Option<Outcome>,
    pub deadline: Option<Deadline>,
    /// The remedy agreed or ordered, being carried out.
    pub remedy: Option<Remedy>,
    pub offers_made: u32,
    pub pending_offer: Option<Remedy>,
    pub pending_question: Option<String>,
    pub rejection: Option<MerchantRejection>,
    pub return_shipment: Option<Shipment>,
    pub replacement_shipment: Option<Shipment>,
    pub escalated_at: Option<Timestamp>,
    pub assigned_agent: Option<UserId>,
    pub agent_acted: bool,
    pub evidence_request: Option<EvidenceRequest>,
    pub mediation: Option<Mediation>,
    pub decision: Option<Decision>,
    pub appeals: Vec<Appeal>,
    pub refund: Option<PendingRefund>,
    pub refunds_started: u32,
    pub refunded_total: Money,
    /// Statutory compensation paid (消法第五十五条, 食品安全法第一百四十八条): not a refund, so
    /// not bounded by the price, but by the damages the law gives.
    #[serde(default)]
    pub compensated_total: Money,
    pub rating: Option<u8>,
    pub sla_breaches: u32,
    /// The decision SLA of the current platform stage has been flagged: nothing more fires.
    #[serde(default)]
    pub decision_sla_flagged: bool,
    pub closed_at: Option<Timestamp>,
    /// The files on the case, in the order they were added (absent from older case rows).
    #[serde(default)]
    pub evidence: Vec<crate::ids::EvidenceId>,
    /// Their total size in bytes, for the per-case limit.
    #[serde(default)]
    pub evidence_bytes: u64,
}

impl Case {
    pub fn is_open(&self) -> bool {
        self.state != CaseState::Closed
    }

    /// The parties the case waits for now (empty when closed).
    pub fn waiting_for(&self) -> &[Party] {
        self.deadline.as_ref().map(|d| d.waits_for.as_slice()).unwrap_or(&[])
    }

    /// When the deadline sweeper must look at this case next, if ever.
    pub fn sweep_at(&self) -> Option<Timestamp> {
        self.deadline.as_ref().filter(|d| d.on_timeout.fires()).map(|d| d.due)
    }

    /// The first reminder of the current deadline strictly after `after`, if any.
    pub fn reminder_after(&self, after: Timestamp) -> Option<Timestamp> {
        self.deadline.as_ref()?.reminders.iter().copied().find(|r| *r > after)
    }

    pub fn pending_appeal(&self) -> Option<&Appeal> {
        self.appeals.iter().find(|a| !a.reviewed)
    }
}
