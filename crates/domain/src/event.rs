//! What happened to a case. Events are the only record: the case row is their fold. Each event
//! carries the transition it caused (state, deadline, outcome), so replaying needs no policy.

use crate::actor::{Actor, Party};
use crate::case::{
    CaseState, Deadline, EvidenceRequest, ItemRef, MerchantRejection, Outcome, PendingRefund, Remedy, Shipment, Stage,
};
use crate::ids::{CaseId, MerchantId, OrderId, UserId};
use crate::money::Money;
use crate::vocabulary::{Reason, RequestKind};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: Actor,
    pub body: EventBody,
    /// Set when the event moves the case: its new state, stage, deadline and outcome.
    pub transition: Option<Transition>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Transition {
    pub to: CaseState,
    pub stage: Stage,
    pub deadline: Option<Deadline>,
    pub outcome: Option<Outcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Filed {
    pub case_id: CaseId,
    pub order_id: OrderId,
    pub buyer_id: UserId,
    pub merchant_id: MerchantId,
    pub kind: RequestKind,
    pub reason: Reason,
    pub items: Vec<ItemRef>,
    pub amount: Money,
    pub refundable: Money,
    /// The price of the claimed items (never more than was paid): the base of statutory damages.
    #[serde(default)]
    pub price: Money,
    /// A claimed item is food (食品安全法 applies).
    #[serde(default)]
    pub food: bool,
    pub description: String,
    pub policy_version: i64,
    pub is_repeat: bool,
}

/// `EventKind` is the list of what can happen, by the same snake_case names as the `type` tag
/// (the text catalogue narrates each one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(EventKind), derive(strum::EnumIter, strum::IntoStaticStr))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    Filed(Box<Filed>),
    MessagePosted {
        text: String,
        /// Evidence on the case the message refers to (absent from older events).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        evidence: Vec<crate::ids::EvidenceId>,
    },
    Revised {
        kind: RequestKind,
        amount: Money,
        description: String,
    },
    Withdrawn,
    OfferMade {
        remedy: Remedy,
        note: String,
    },
    OfferAccepted {
        remedy: Remedy,
    },
    OfferDeclined,
    QuestionAsked {
        question: String,
    },
    QuestionAnswered {
        text: String,
    },
    Approved {
        remedy: Remedy,
    },
    Rejected {
        rejection: MerchantRejection,
    },
    ReturnShipped {
        shipment: Shipment,
    },
    ReturnReceived,
    ReturnDisputed {
        text: String,
    },
    ReplacementShipped {
        shipment: Shipment,
    },
    ReplacementConfirmed,
    Escalated {
        text: String,
    },
    Taken {
        agent: UserId,
    },
    EvidenceRequested {
        request: EvidenceRequest,
    },
    EvidenceSubmitted {
        party: Party,
        text: String,
    },
    MediationProposed {
        remedy: Remedy,
        note: String,
    },
    MediationAnswered {
        party: Party,
        accepted: bool,
    },
    Decided {
        remedy: Option<Remedy>,
        liable: Option<Party>,
        rationale: String,
        cited_rule: String,
    },
    AppealFiled {
        party: Party,
        reason: String,
    },
    AppealReviewed {
        uphold: bool,
        remedy: Option<Remedy>,
        rationale: String,
        cited_rule: String,
    },
    Rated {
        stars: u8,
        comment: String,
    },
    RefundStarted {
        refund: PendingRefund,
    },
    RefundSucceeded {
        refund_id: String,
        amount: Money,
    },
    RefundFailed {
        refund_id: String,
        reason: String,
    },
    OfflineRefundProved {
        note: String,
        amount: Money,
    },
    /// A deadline passed; `what` is the rule that fired.
    TimedOut {
        what: crate::case::OnTimeout,
    },
    SlaBreached {
        which: String,
    },
    /// A deadline (`clock`) counted over a provisional `year` was counted again when that year's
    /// notice was imported.
    DeadlineRecounted {
        clock: String,
        year: i16,
        old_due: jiff::Timestamp,
        new_due: jiff::Timestamp,
    },
    /// A file was added: its hash puts the file's content into the chain.
    EvidenceAdded {
        file: crate::evidence::EvidenceFile,
    },
}

impl EventBody {
    /// The snake_case type name, as stored and sent in webhooks.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::Filed(_) => "filed",
            EventBody::MessagePosted { .. } => "message_posted",
            EventBody::Revised { .. } => "revised",
            EventBody::Withdrawn => "withdrawn",
            EventBody::OfferMade { .. } => "offer_made",
            EventBody::OfferAccepted { .. } => "offer_accepted",
            EventBody::OfferDeclined => "offer_declined",
            EventBody::QuestionAsked { .. } => "question_asked",
            EventBody::QuestionAnswered { .. } => "question_answered",
            EventBody::Approved { .. } => "approved",
            EventBody::Rejected { .. } => "rejected",
            EventBody::ReturnShipped { .. } => "return_shipped",
            EventBody::ReturnReceived => "return_received",
            EventBody::ReturnDisputed { .. } => "return_disputed",
            EventBody::ReplacementShipped { .. } => "replacement_shipped",
            EventBody::ReplacementConfirmed => "replacement_confirmed",
            EventBody::Escalated { .. } => "escalated",
            EventBody::Taken { .. } => "taken",
            EventBody::EvidenceRequested { .. } => "evidence_requested",
            EventBody::EvidenceSubmitted { .. } => "evidence_submitted",
            EventBody::MediationProposed { .. } => "mediation_proposed",
            EventBody::MediationAnswered { .. } => "mediation_answered",
            EventBody::Decided { .. } => "decided",
            EventBody::AppealFiled { .. } => "appeal_filed",
            EventBody::AppealReviewed { .. } => "appeal_reviewed",
            EventBody::Rated { .. } => "rated",
            EventBody::RefundStarted { .. } => "refund_started",
            EventBody::RefundSucceeded { .. } => "refund_succeeded",
            EventBody::RefundFailed { .. } => "refund_failed",
            EventBody::OfflineRefundProved { .. } => "offline_refund_proved",
            EventBody::TimedOut { .. } => "timed_out",
            EventBody::SlaBreached { .. } => "sla_breached",
            EventBody::DeadlineRecounted { .. } => "deadline_recounted",
            EventBody::EvidenceAdded { .. } => "evidence_added",
        }
    }
}

/// Who of a case's parties is told of an event of `kind` (the one who made it never is):
/// `Platform` is the agent the case is assigned to. Every kind is listed, so a new one cannot
/// be forgotten; an empty list is a deliberate silence, said why.
pub fn audience(kind: EventKind) -> &'static [Party] {
    use EventKind as K;
    use Party::{Buyer as B, Merchant as M, Platform as P};
    match kind {
        K::Filed | K::Revised | K::OfferAccepted | K::OfferDeclined | K::QuestionAnswered => &[M],
        K::ReturnShipped | K::ReplacementConfirmed | K::Rated => &[M],
        K::OfferMade | K::QuestionAsked | K::Approved | K::Rejected | K::ReturnReceived => &[B],
        K::ReturnDisputed | K::ReplacementShipped | K::OfflineRefundProved => &[B],
        K::Taken | K::RefundSucceeded | K::RefundFailed | K::TimedOut | K::Escalated => &[B, M],
        K::EvidenceRequested | K::MediationProposed | K::Decided | K::AppealReviewed => &[B, M],
        K::MessagePosted | K::Withdrawn | K::MediationAnswered | K::AppealFiled => &[B, M, P],
        // Files are told to the platform only: a party may mark one confidential.
        K::EvidenceSubmitted | K::EvidenceAdded => &[P],
        // The refund under way is told with the approval or decision that started it; a result
        // follows as `refund_succeeded` or `refund_failed`.
        K::RefundStarted => &[],
        // A breached SLA is the platform's own business: its supervisors see it in the queue.
        K::SlaBreached => &[],
        // The calendar import tells each party itself, with the old and the new due time.
        K::DeadlineRecounted => &[],
    }
}
