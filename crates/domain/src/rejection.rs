//! Why a command is refused. Each code is stable (clients match on it); its words in zh-CN and
//! English are in the text catalogue (crates/text), keyed by the code. `detail` adds the specifics.

use serde::{Deserialize, Serialize};

macro_rules! rejection_codes {
    ($($variant:ident = $code:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RejectionCode { $($variant,)+ }

        impl RejectionCode {
            /// Every code, in declaration order (the text catalogue's completeness test walks it).
            pub const ALL: &'static [RejectionCode] = &[$(RejectionCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $(RejectionCode::$variant => $code,)+ }
            }
        }
    };
}

rejection_codes! {
    NotAllowedInState = "not_allowed_in_state";
    NotYourTurn = "not_your_turn";
    CaseClosed = "case_closed";
    InvalidInput = "invalid_input";
    AmountNotPositive = "amount_not_positive";
    AmountExceedsRefundable = "amount_exceeds_refundable";
    ItemsNotInOrder = "items_not_in_order";
    ItemsHaveOpenCase = "items_have_open_case";
    MaxApplicationsReached = "max_applications_reached";
    NotYourOrder = "not_your_order";
    OrderNotPaid = "order_not_paid";
    MaxOffersReached = "max_offers_reached";
    EscalationTooEarly = "escalation_too_early";
    NoDecisionToAppeal = "no_decision_to_appeal";
    AppealWindowClosed = "appeal_window_closed";
    AlreadyAppealed = "already_appealed";
    OwnDecision = "own_decision";
    NotAssigned = "not_assigned";
    AlreadyRated = "already_rated";
    NoPendingOffer = "no_pending_offer";
    NoPendingQuestion = "no_pending_question";
    NotNamedForEvidence = "not_named_for_evidence";
    AlreadyAnsweredMediation = "already_answered_mediation";
    NotDue = "not_due";
    NoReasonWindowClosed = "no_reason_window_closed";
    NoReasonExcludedItem = "no_reason_excluded_item";
    NotSignedFor = "not_signed_for";
    CalendarNotCovered = "calendar_not_covered";
    CaseOpenOnOrder = "case_open_on_order";
}

/// A refused command: a stable code plus what exactly was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}{}", code.as_str(), detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct Rejection {
    pub code: RejectionCode,
    pub detail: Option<String>,
    /// The specifics in both languages, where the rule that refused has its own wording.
    pub explanation: Option<Explanation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub zh: String,
    pub en: String,
}

impl Rejection {
    pub fn new(code: RejectionCode) -> Rejection {
        Rejection { code, detail: None, explanation: None }
    }

    pub fn with(code: RejectionCode, detail: impl Into<String>) -> Rejection {
        Rejection { code, detail: Some(detail.into()), explanation: None }
    }

    pub fn invalid(detail: impl Into<String>) -> Rejection {
        Rejection::with(RejectionCode::InvalidInput, detail)
    }
}
