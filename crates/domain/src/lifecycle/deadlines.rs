//! The deadline of each waiting state (DESIGN.md's table), from the case's policy.

use super::{CalendarGap, Env};
use crate::actor::Party;
use crate::case::{Case, CaseState, Deadline, OnTimeout, Outcome, Stage};
use crate::event::Transition;
use crate::policy::Policy;
use crate::rejection::{Rejection, RejectionCode};
use crate::vocabulary::RemedyKind;
use jiff::Timestamp;

fn natural(env: &Env, hours: i64, waits_for: Vec<Party>, on_timeout: OnTimeout) -> Deadline {
    let due = env.now.saturating_add(Policy::hours(hours)).expect("deadline in range");
    // Only people are reminded; the payment gateway is not.
    let reminders = if waits_for.iter().any(|p| matches!(p, Party::Buyer | Party::Merchant)) {
        let mut at: Vec<Timestamp> = env
            .policy
            .reminder_hours
            .iter()
            .filter_map(|h| due.checked_sub(Policy::hours(*h)).ok())
            .filter(|at| *at > env.now && *at < due)
            .collect();
        at.sort();
        at.dedup();
        at
    } else {
        Vec::new()
    };
    Deadline { due, waits_for, on_timeout, reminders }
}

pub(super) fn calendar_rejection(gap: CalendarGap) -> Rejection {
    Rejection::with(RejectionCode::CalendarNotCovered, format!("year {}", gap.year))
}

/// The platform's SLA deadline: first action within N working days of escalation, then the
/// decision within M working days of escalation. Breaches are flagged, never auto-decided.
pub(super) fn platform_review(
    case: &Case,
    env: &Env,
    escalated_at: Timestamp,
    agent_acted: bool,
) -> Result<Deadline, Rejection> {
    let cal = env.calendar;
    let first =
        cal.add_working_days(escalated_at, env.policy.first_action_sla_working_days).map_err(calendar_rejection)?;
    let decision =
        cal.add_working_days(escalated_at, env.policy.decision_sla_working_days).map_err(calendar_rejection)?;
    let on_timeout = if !agent_acted && case.sla_breaches == 0 {
        return Ok(Deadline {
            due: first,
            waits_for: vec![Party::Platform],
            on_timeout: OnTimeout::FlagFirstActionSla,
            reminders: Vec::new(),
        });
    } else if case.sla_breaches >= 2 || case.decision_sla_flagged {
        OnTimeout::Overdue
    } else {
        OnTimeout::FlagDecisionSla
    };
    Ok(Deadline { due: decision, waits_for: vec![Party::Platform], on_timeout, reminders: Vec::new() })
}

/// The transition into `to`, with its deadline. `case` is the case before the change;
/// `remedy` is the remedy in force after it (it decides what closing a receipt means).
pub(super) fn enter(case: &Case, to: CaseState, stage: Stage, env: &Env) -> Result<Transition, Rejection> {
    let p = env.policy;
    let deadline = match to {
        CaseState::AwaitingMerchant => {
            Some(natural(env, p.merchant_response_hours, vec![Party::Merchant], OnTimeout::AutoApprove))
        }
        CaseState::AwaitingBuyer => {
            Some(natural(env, p.buyer_response_hours, vec![Party::Buyer], OnTimeout::Close(Outcome::Expired)))
        }
        CaseState::MerchantRejected => {
            Some(natural(env, p.rejected_escalation_hours, vec![Party::Buyer], OnTimeout::Close(Outcome::Expired)))
        }
        CaseState::AwaitingReturnShipment => {
            Some(natural(env, p.return_shipment_hours, vec![Party::Buyer], OnTimeout::Close(Outcome::Cancelled)))
        }
        CaseState::ReturnInTransit => {
            Some(natural(env, p.return_receipt_hours, vec![Party::Merchant], OnTimeout::AutoRefund))
        }
        CaseState::AwaitingMerchantShipment => {
            Some(natural(env, p.merchant_shipment_hours, vec![Party::Merchant], OnTimeout::EscalateToPlatform))
        }
        CaseState::AwaitingBuyerReceipt => {
            let outcome = replacement_outcome(case.remedy.map(|r| r.kind));
            Some(natural(env, p.replacement_receipt_hours, vec![Party::Buyer], OnTimeout::Close(outcome)))
        }
        CaseState::PlatformReview => {
            let escalated_at = case.escalated_at.unwrap_or(env.now);
            Some(platform_review(case, env, escalated_at, case.agent_acted)?)
        }
        CaseState::AwaitingEvidence => {
            let party = case.evidence_request.as_ref().map_or(Party::Buyer, |r| r.party);
            Some(evidence(env, party, p.evidence_hours))
        }
        CaseState::AwaitingMediation => {
            Some(natural(env, p.mediation_hours, vec![Party::Buyer, Party::Merchant], OnTimeout::BackToPlatformReview))
        }
        CaseState::Refunding => {
            Some(natural(env, p.refund_confirmation_hours, vec![Party::System], OnTimeout::RequireOfflineRefund))
        }
        CaseState::Closed => None,
    };
    Ok(Transition { to, stage: if to == CaseState::Closed { Stage::Closed } else { stage }, deadline, outcome: None })
}

/// The deadline for the named party to submit evidence.
pub(super) fn evidence(env: &Env, party: Party, hours: i64) -> Deadline {
    natural(env, hours, vec![party], OnTimeout::BackToPlatformReview)
}

/// After the gateway failed for good: the merchant must prove an offline refund.
pub(super) fn offline_refund(env: &Env) -> Deadline {
    natural(env, env.policy.offline_refund_proof_hours, vec![Party::Merchant], OnTimeout::EscalateToPlatform)
}

pub(super) fn close(outcome: Outcome) -> Transition {
    Transition { to: CaseState::Closed, stage: Stage::Closed, deadline: None, outcome: Some(outcome) }
}

pub(super) fn replacement_outcome(kind: Option<RemedyKind>) -> Outcome {
    match kind {
        Some(RemedyKind::Reissue) => Outcome::Reissued,
        Some(RemedyKind::Repair) => Outcome::Repaired,
        _ => Outcome::Exchanged,
    }
}
