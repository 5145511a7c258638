//! Every move a party can make on an existing case. Filing is `lifecycle::decide_filing`.
//! The API action names are the kebab-case of the variant names (`accept-offer`, ...).

use crate::actor::Party;
use crate::case::Remedy;
use crate::money::Money;
use crate::vocabulary::{Reason, RejectReason, RequestKind};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCase {
    pub kind: RequestKind,
    pub reason: Reason,
    pub items: Vec<crate::case::ItemRef>,
    pub amount: Money,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    // Any party in an open case.
    Message {
        text: String,
        /// Ids of evidence already on the case that the message refers to.
        #[serde(default)]
        evidence: Vec<crate::ids::EvidenceId>,
    },
    // Buyer.
    Revise {
        kind: Option<RequestKind>,
        amount: Option<Money>,
        description: Option<String>,
    },
    Withdraw,
    AcceptOffer,
    DeclineOffer,
    Answer {
        text: String,
    },
    ShipReturn {
        carrier: String,
        tracking_no: String,
    },
    ConfirmReplacement,
    Escalate {
        text: String,
    },
    Rate {
        stars: u8,
        comment: String,
    },
    // Merchant.
    Approve,
    Reject {
        reason: RejectReason,
        text: String,
    },
    Offer {
        remedy: Remedy,
        note: String,
    },
    Ask {
        question: String,
    },
    ConfirmReceipt,
    DisputeReceipt {
        text: String,
    },
    ShipReplacement {
        carrier: String,
        tracking_no: String,
    },
    /// After the gateway failed for good: the merchant proves an offline refund.
    ProveOfflineRefund {
        note: String,
    },
    // Buyer and merchant.
    AcceptMediation,
    DeclineMediation,
    SubmitEvidence {
        text: String,
    },
    Appeal {
        reason: String,
    },
    // Agent.
    Take,
    RequestEvidence {
        party: Party,
        what: String,
        due_in_hours: Option<i64>,
    },
    ProposeMediation {
        remedy: Remedy,
        note: String,
    },
    Decide {
        remedy: Option<Remedy>,
        liable: Option<Party>,
        rationale: String,
        cited_rule: String,
    },
    ReviewAppeal {
        uphold: bool,
        remedy: Option<Remedy>,
        rationale: String,
        cited_rule: String,
    },
    // System.
    /// Fires the case's deadline that was due at `due`; a stale or repeated timeout is refused.
    Timeout {
        due: jiff::Timestamp,
    },
    RefundSucceeded {
        refund_id: String,
    },
    RefundFailed {
        refund_id: String,
        reason: String,
        /// The gateway refused because refunds would exceed what was paid: not a payment
        /// failure the merchant can settle offline, but something for the platform to look at.
        #[serde(default)]
        over_limit: bool,
    },
    /// A year's holiday notice was imported: the case's working-day deadline, counted
    /// provisionally over that `year`, is counted again from its original start. A deadline that
    /// already fired (or was not provisional for that year) is left alone.
    RecountDeadline {
        year: i16,
    },
    /// Records that a clock kept outside the case (a regulator's, 12315) was counted again for
    /// an imported notice, so the chain and the timeline show it. Changes no state; allowed on
    /// closed cases (a complaint outlives the case).
    RecordClockRecount {
        clock: String,
        year: i16,
        old_due: jiff::Timestamp,
        new_due: jiff::Timestamp,
    },
    /// Adds a stored file. Issued by the evidence upload only (after the bytes are stored and
    /// hashed), never through the actions API.
    AddEvidence {
        file: crate::evidence::EvidenceFile,
    },
}

impl Command {
    /// The action's API name.
    pub fn action_name(&self) -> &'static str {
        match self {
            Command::Message { .. } => "message",
            Command::Revise { .. } => "revise",
            Command::Withdraw => "withdraw",
            Command::AcceptOffer => "accept-offer",
            Command::DeclineOffer => "decline-offer",
            Command::Answer { .. } => "answer",
            Command::ShipReturn { .. } => "ship-return",
            Command::ConfirmReplacement => "confirm-replacement",
            Command::Escalate { .. } => "escalate",
            Command::Rate { .. } => "rate",
            Command::Approve => "approve",
            Command::Reject { .. } => "reject",
            Command::Offer { .. } => "offer",
            Command::Ask { .. } => "ask",
            Command::ConfirmReceipt => "confirm-receipt",
            Command::DisputeReceipt { .. } => "dispute-receipt",
            Command::ShipReplacement { .. } => "ship-replacement",
            Command::ProveOfflineRefund { .. } => "prove-offline-refund",
            Command::AcceptMediation => "accept-mediation",
            Command::DeclineMediation => "decline-mediation",
            Command::SubmitEvidence { .. } => "submit-evidence",
            Command::Appeal { .. } => "appeal",
            Command::Take => "take",
            Command::RequestEvidence { .. } => "request-evidence",
            Command::ProposeMediation { .. } => "propose-mediation",
            Command::Decide { .. } => "decide",
            Command::ReviewAppeal { .. } => "review-appeal",
            Command::Timeout { .. } => "timeout",
            Command::RefundSucceeded { .. } => "refund-succeeded",
            Command::RefundFailed { .. } => "refund-failed",
            Command::AddEvidence { .. } => "add-evidence",
            Command::RecountDeadline { .. } => "recount-deadline",
            Command::RecordClockRecount { .. } => "record-clock-recount",
        }
    }

    /// Actions a person or merchant system can request through the API (system commands are
    /// issued by the worker only).
    pub const PUBLIC_ACTIONS: &'static [&'static str] = &[
        "message",
        "revise",
        "withdraw",
        "accept-offer",
        "decline-offer",
        "answer",
        "ship-return",
        "confirm-replacement",
        "escalate",
        "rate",
        "approve",
        "reject",
        "offer",
        "ask",
        "confirm-receipt",
        "dispute-receipt",
        "ship-replacement",
        "prove-offline-refund",
        "accept-mediation",
        "decline-mediation",
        "submit-evidence",
        "appeal",
        "take",
        "request-evidence",
        "propose-mediation",
        "decide",
        "review-appeal",
    ];
}
