//! The public view of a case: what the API answers, what webhooks carry and what pages show,
//! mapped field by field from the domain's `Case`, never the stored row. The fold keeps
//! bookkeeping its rules need (counters, flags, the evidence ids and bytes behind the per-case
//! limit, reminder times); a reader gets none of it, so the domain may change it without the
//! API changing. What a view carries is pinned by the OpenAPI snapshot (`crates/web/tests`).

use jiff::Timestamp;
use redress_domain::UserId;
use redress_domain::case::{
    Appeal, Decision, EvidenceRequest, ItemRef, Mediation, MerchantRejection, PendingRefund, Remedy, Shipment,
};
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{Case, CaseId, CaseState, Deadline, MerchantId, Money, OnTimeout, OrderId, Outcome, Party, Stage};
use serde::Serialize;
use utoipa::ToSchema;

/// A case as anyone allowed to read it sees it (the same for buyer, merchant and platform:
/// what differs between readers, such as contacts and confidential files, is answered apart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseView {
    pub id: CaseId,
    pub order_id: OrderId,
    pub buyer_id: UserId,
    pub merchant_id: MerchantId,
    pub kind: RequestKind,
    pub reason: Reason,
    pub items: Vec<ItemRef>,
    /// What the buyer asks for in money, in fen (zero for exchange, reissue, repair).
    pub amount: Money,
    /// What the order still allowed to refund when the case was filed.
    pub refundable: Money,
    /// The price of the claimed items: the base of statutory damages.
    pub price: Money,
    pub description: String,
    /// The policy version the case was filed under (`GET /api/v1/policies`).
    pub policy_version: i64,
    /// The claimed items had a case before.
    pub is_repeat: bool,
    pub filed_at: Timestamp,
    pub state: CaseState,
    pub stage: Stage,
    /// How the case ended; null while it is open.
    pub outcome: Option<Outcome>,
    /// What the case waits for now; null when it waits for no one.
    pub deadline: Option<DeadlineView>,
    /// The remedy agreed or ordered, being carried out.
    pub remedy: Option<Remedy>,
    /// The merchant's offer the buyer has not answered yet.
    pub pending_offer: Option<Remedy>,
    /// The merchant's question the buyer has not answered yet.
    pub pending_question: Option<String>,
    pub rejection: Option<MerchantRejection>,
    pub return_shipment: Option<Shipment>,
    pub replacement_shipment: Option<Shipment>,
    pub escalated_at: Option<Timestamp>,
    pub assigned_agent: Option<UserId>,
    pub evidence_request: Option<EvidenceRequest>,
    pub mediation: Option<Mediation>,
    /// The platform's ruling, with the review of an appeal against it.
    pub decision: Option<Decision>,
    /// Appeals against the ruling, oldest first.
    pub appeals: Vec<Appeal>,
    /// The refund being paid now, if any.
    pub refund: Option<RefundView>,
    pub refunded_total: Money,
    /// Statutory compensation paid (消法第五十五条, 食品安全法第一百四十八条), apart from refunds.
    pub compensated_total: Money,
    /// The buyer's rating of the handling, 1 to 5.
    pub rating: Option<u8>,
    pub closed_at: Option<Timestamp>,
}

/// What a case waits for: until when, for whom, and what happens if the time passes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeadlineView {
    pub due: Timestamp,
    pub waits_for: Vec<Party>,
    pub on_timeout: OnTimeout,
    /// Counted in working days over a year whose holiday notice is not imported yet: it may
    /// move when the notice is imported (`provisional_year` says which year).
    pub provisional: bool,
    pub provisional_year: Option<i16>,
}

/// The refund being paid: its amount, what it settles, and whether the gateway refused it
/// (then the merchant refunds offline).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefundView {
    pub amount: Money,
    pub outcome: Outcome,
    pub failed: bool,
}

impl From<&Deadline> for DeadlineView {
    fn from(d: &Deadline) -> DeadlineView {
        DeadlineView {
            due: d.due,
            waits_for: d.waits_for.clone(),
            on_timeout: d.on_timeout,
            provisional: d.provisional,
            provisional_year: d.provisional_year,
        }
    }
}

impl From<&PendingRefund> for RefundView {
    fn from(r: &PendingRefund) -> RefundView {
        RefundView { amount: r.amount, outcome: r.outcome, failed: r.failed }
    }
}

impl From<&Case> for CaseView {
    fn from(c: &Case) -> CaseView {
        CaseView {
            id: c.id,
            order_id: c.order_id,
            buyer_id: c.buyer_id,
            merchant_id: c.merchant_id,
            kind: c.kind,
            reason: c.reason,
            items: c.items.clone(),
            amount: c.amount,
            refundable: c.refundable,
            price: c.price,
            description: c.description.clone(),
            policy_version: c.policy_version,
            is_repeat: c.is_repeat,
            filed_at: c.filed_at,
            state: c.state,
            stage: c.stage,
            outcome: c.outcome,
            deadline: c.deadline.as_ref().map(DeadlineView::from),
            remedy: c.remedy,
            pending_offer: c.pending_offer,
            pending_question: c.pending_question.clone(),
            rejection: c.rejection.clone(),
            return_shipment: c.return_shipment.clone(),
            replacement_shipment: c.replacement_shipment.clone(),
            escalated_at: c.escalated_at,
            assigned_agent: c.assigned_agent,
            evidence_request: c.evidence_request.clone(),
            mediation: c.mediation.clone(),
            decision: c.decision.clone(),
            appeals: c.appeals.clone(),
            refund: c.refund.as_ref().map(RefundView::from),
            refunded_total: c.refunded_total,
            compensated_total: c.compensated_total,
            rating: c.rating,
            closed_at: c.closed_at,
        }
    }
}
