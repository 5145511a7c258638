//! The deadline of each waiting state (DESIGN.md's table), from the case's policy.

use super::{CalendarGap, Env, WorkingDeadline};
use crate::actor::Party;
use crate::case::{Case, CaseState, Deadline, OnTimeout, Outcome, Stage};
use crate::event::{EventBody, Transition};
use crate::rejection::{Rejection, RejectionCode};
use crate::time::micros;
use crate::vocabulary::RemedyKind;
use jiff::Timestamp;

fn natural(env: &Env, hours: i64, waits_for: Vec<Party>, on_timeout: OnTimeout) -> Deadline {
    // Kept at the stores' precision, so the sweep finds exactly this due time (crate::time).
    let due = micros(env.now.saturating_add(env.policy.duration(hours)).expect("deadline in range"));
    // Only people are reminded; the payment gateway is not.
    let reminders = if waits_for.iter().any(|p| matches!(p, Party::Buyer | Party::Merchant)) {
        let mut at: Vec<Timestamp> = env
            .policy
            .reminder_hours
            .iter()
            .filter_map(|h| due.checked_sub(env.policy.duration(*h)).ok())
            .filter(|at| *at > env.now && *at < due)
            .collect();
        at.sort();
        at.dedup();
        at
    } else {
        Vec::new()
    };
    Deadline { due, waits_for, on_timeout, reminders, provisional: false, provisional_year: None }
}

/// A platform deadline at the end of a working day, saying whether it was counted over a
/// provisional year.
fn working(due: WorkingDeadline, on_timeout: OnTimeout) -> Deadline {
    Deadline {
        due: due.due,
        waits_for: vec![Party::Platform],
        on_timeout,
        reminders: Vec::new(),
        provisional: due.provisional_year.is_some(),
        provisional_year: due.provisional_year,
    }
}

pub(super) fn calendar_rejection(gap: CalendarGap) -> Rejection {
    Rejection::with(RejectionCode::CalendarNotCovered, crate::Detail::CalendarYear { year: gap.year })
}

/// The platform's SLA deadline: first action within N working days of escalation, then the
/// decision within M working days of escalation. Breaches are flagged, never auto-decided.
pub(super) fn platform_review(
    case: &Case,
    env: &Env,
    escalated_at: Timestamp,
    agent_acted: bool,
) -> Result<Deadline, Rejection> {
    let on_timeout = if !agent_acted && case.sla_breaches == 0 {
        OnTimeout::FlagFirstActionSla
    } else if case.sla_breaches >= 2 || case.decision_sla_flagged {
        OnTimeout::Overdue
    } else {
        OnTimeout::FlagDecisionSla
    };
    sla(env, escalated_at, on_timeout)
}

/// The SLA deadline that `on_timeout` belongs to, counted from the escalation.
fn sla(env: &Env, escalated_at: Timestamp, on_timeout: OnTimeout) -> Result<Deadline, Rejection> {
    let days = if on_timeout == OnTimeout::FlagFirstActionSla {
        env.policy.first_action_sla_working_days
    } else {
        env.policy.decision_sla_working_days
    };
    let due = env.calendar.working_deadline(escalated_at, days).map_err(calendar_rejection)?;
    Ok(working(due, on_timeout))
}

/// The case's working-day deadline counted again from its original start, after `year`'s notice
/// was imported: the event recording the old and new due time, with the transition that sets
/// it. Only a deadline counted provisionally over `year` that has not fired yet is recounted.
pub(super) fn recount(case: &Case, year: i16, env: &Env) -> Result<(EventBody, Transition), Rejection> {
    let not_provisional = || Rejection::with(RejectionCode::NotDue, crate::Detail::NoDeadlineProvisionalFor { year });
    let old = case.deadline.as_ref().filter(|d| d.provisional_year == Some(year)).ok_or_else(not_provisional)?;
    // Overdue: the SLA already fired, and a fired deadline stays fired.
    if !matches!(old.on_timeout, OnTimeout::FlagFirstActionSla | OnTimeout::FlagDecisionSla) {
        return Err(not_provisional());
    }
    let escalated_at = case.escalated_at.unwrap_or(case.filed_at);
    let new = sla(env, escalated_at, old.on_timeout)?;
    let clock = if old.on_timeout == OnTimeout::FlagFirstActionSla { "first_action_sla" } else { "decision_sla" };
    let body = EventBody::DeadlineRecounted { clock: clock.into(), year, old_due: old.due, new_due: new.due };
    Ok((body, Transition { to: case.state, stage: case.stage, deadline: Some(new), outcome: None }))
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
