//! The public view of a case: what the API answers, what webhooks carry and what pages show,
//! mapped field by field from the domain's `Case`, never the stored row. The fold keeps
//! bookkeeping its rules need (counters, flags, the evidence ids and bytes behind the per-case
//! limit, reminder times); a reader gets none of it, so the domain may change it without the
//! API changing. What a view carries is pinned by the OpenAPI snapshot (`crates/web/tests`).

use crate::ports::StoredEvent;
use jiff::Timestamp;
use redress_domain::case::{
    Appeal, Decision, EvidenceRequest, ItemRef, Mediation, MerchantRejection, PendingRefund, Remedy, Shipment,
};
use redress_domain::evidence::visible_to;
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{Case, CaseId, CaseState, Deadline, MerchantId, Money, OnTimeout, OrderId, Outcome, Party, Stage};
use redress_domain::{EventBody, UserId};
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

/// One event of a case's history as its reader sees it: who acted (role and the name this
/// reader may know, never a bare account id), what happened, how it moved the case, and its
/// link in the case's hash chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TimelineEntryView {
    pub seq: i64,
    pub at: Timestamp,
    pub by: crate::contacts::Speaker,
    pub body: EntryBody,
    /// Set when the event moved the case: its new state, stage, deadline and outcome.
    pub transition: Option<TransitionView>,
    pub prev_hash: String,
    pub hash: String,
}

/// What happened: the event (tagged by `type`), or `evidence_withheld` where the other side
/// added a confidential file (nothing of it is shown: not its id, type, size or hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum EntryBody {
    Event(EventBody),
    Withheld(Withheld),
}

impl EntryBody {
    /// An event as `viewer` may see it: the other side's confidential file is withheld whole.
    pub fn of(event: &redress_domain::Event, viewer: Party) -> EntryBody {
        match &event.body {
            EventBody::EvidenceAdded { file } if !visible_to(viewer, event.actor.party(), file.confidential) => {
                EntryBody::Withheld(Withheld::EvidenceWithheld)
            }
            body => EntryBody::Event(body.clone()),
        }
    }

    /// The `type` it is tagged with.
    pub fn type_name(&self) -> &'static str {
        match self {
            EntryBody::Event(body) => body.type_name(),
            EntryBody::Withheld(withheld) => withheld.into(),
        }
    }
}

/// The other side added a confidential file here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, strum::EnumIter, strum::IntoStaticStr)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Withheld {
    EvidenceWithheld,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TransitionView {
    pub to: CaseState,
    pub stage: Stage,
    pub deadline: Option<DeadlineView>,
    pub outcome: Option<Outcome>,
}

impl TimelineEntryView {
    /// A stored event as `viewer` may see it; `by` names its actor.
    pub fn of(stored: &crate::ports::StoredEvent, by: crate::contacts::Speaker, viewer: Party) -> TimelineEntryView {
        let StoredEvent { seq, event, link } = stored;
        let body = EntryBody::of(event, viewer);
        TimelineEntryView {
            seq: *seq,
            at: event.at,
            by,
            body,
            transition: event.transition.as_ref().map(|t| TransitionView {
                to: t.to,
                stage: t.stage,
                deadline: t.deadline.as_ref().map(DeadlineView::from),
                outcome: t.outcome,
            }),
            prev_hash: link.prev_hash.clone(),
            hash: link.hash.clone(),
        }
    }
}

/// An order as the API answers it: what was bought, paid and delivered, the facts a case is
/// filed against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    /// The platform's own order number, as the buyer sees it (unique within its shop).
    pub number: String,
    pub merchant_id: MerchantId,
    pub buyer_id: UserId,
    pub channel: redress_domain::vocabulary::SalesChannel,
    pub items: Vec<redress_domain::order::LineItem>,
    /// What the buyer paid (after discounts, with freight): the ceiling of all refunds.
    pub amount_paid: Money,
    /// The shipping charged, part of `amount_paid` but no item's price.
    pub freight: Money,
    pub payment_transaction_id: Option<String>,
    pub paid_at: Option<Timestamp>,
    pub shipped_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<&redress_domain::order::Order> for OrderView {
    fn from(o: &redress_domain::order::Order) -> OrderView {
        OrderView {
            id: o.id,
            number: o.number.clone(),
            merchant_id: o.merchant_id,
            buyer_id: o.buyer_id,
            channel: o.channel,
            items: o.items.clone(),
            amount_paid: o.amount_paid,
            freight: o.freight,
            payment_transaction_id: o.payment_transaction_id.clone(),
            paid_at: o.paid_at,
            shipped_at: o.shipped_at,
            signed_at: o.signed_at,
            created_at: o.created_at,
        }
    }
}

/// A filing outside the platform and the clocks kept for it (which reminders were sent is the
/// reminder sweep's bookkeeping, not shown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EscalationView {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub channel: crate::escalations::ExternalChannel,
    pub filed_on: jiff::civil::Date,
    pub reference: String,
    pub recorded_at: Timestamp,
    /// Regulator only: when the decision on acceptance is due.
    pub acceptance_due: Option<Timestamp>,
    /// Set while `acceptance_due` is counted over a year without an imported holiday notice.
    pub acceptance_provisional_year: Option<i16>,
    pub accepted_on: Option<jiff::civil::Date>,
    /// Regulator only, once accepted: when mediation ends.
    pub mediation_ends: Option<Timestamp>,
    pub mediation_provisional_year: Option<i16>,
}

impl From<&crate::escalations::ExternalEscalation> for EscalationView {
    fn from(e: &crate::escalations::ExternalEscalation) -> EscalationView {
        EscalationView {
            id: e.id,
            case_id: e.case_id,
            channel: e.channel,
            filed_on: e.filed_on,
            reference: e.reference.clone(),
            recorded_at: e.recorded_at,
            acceptance_due: e.acceptance_due,
            acceptance_provisional_year: e.acceptance_provisional_year,
            accepted_on: e.accepted_on,
            mediation_ends: e.mediation_ends,
            mediation_provisional_year: e.mediation_provisional_year,
        }
    }
}
