//! `apply`: folds one event into the case. Total: it never fails and never looks at the clock.

use crate::actor::Actor;
use crate::case::{Appeal, AppealReview, Case, CaseState, Decision, Mediation, Outcome, Stage};
use crate::event::{Event, EventBody, Filed};
use crate::money::Money;
use jiff::Timestamp;

impl Case {
    /// The case as it is the moment it is filed, before its first transition is applied.
    pub fn opened(filed: &Filed, at: Timestamp) -> Case {
        Case {
            id: filed.case_id,
            order_id: filed.order_id,
            buyer_id: filed.buyer_id,
            merchant_id: filed.merchant_id,
            kind: filed.kind,
            reason: filed.reason,
            items: filed.items.clone(),
            amount: filed.amount,
            refundable: filed.refundable,
            price: filed.price,
            food: filed.food,
            description: filed.description.clone(),
            policy_version: filed.policy_version,
            is_repeat: filed.is_repeat,
            filed_at: at,
            state: CaseState::AwaitingMerchant,
            stage: Stage::Negotiation,
            outcome: None,
            deadline: None,
            remedy: None,
            offers_made: 0,
            pending_offer: None,
            pending_question: None,
            rejection: None,
            return_shipment: None,
            replacement_shipment: None,
            escalated_at: None,
            assigned_agent: None,
            agent_acted: false,
            evidence_request: None,
            mediation: None,
            decision: None,
            appeals: Vec::new(),
            refund: None,
            refunds_started: 0,
            refunded_total: Money::ZERO,
            compensated_total: Money::ZERO,
            rating: None,
            sla_breaches: 0,
            decision_sla_flagged: false,
            closed_at: None,
            evidence: Vec::new(),
            evidence_bytes: 0,
        }
    }

    /// Rebuilds a case from its events, the first of which must be `Filed`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Case> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let EventBody::Filed(filed) = &first.body else {
            return None;
        };
        let mut case = apply(Case::opened(filed, first.at), first);
        for event in events {
            case = apply(case, event);
        }
        Some(case)
    }
}

const PLATFORM: &[CaseState] = &[CaseState::PlatformReview, CaseState::AwaitingEvidence, CaseState::AwaitingMediation];

pub fn apply(mut case: Case, event: &Event) -> Case {
    match &event.body {
        EventBody::Filed(_)
        | EventBody::MessagePosted { .. }
        | EventBody::Escalated { .. }
        | EventBody::ReturnDisputed { .. } => {}
        EventBody::Revised { kind, amount, description } => {
            case.kind = *kind;
            case.amount = *amount;
            case.description = description.clone();
            case.rejection = None;
        }
        EventBody::Withdrawn => {}
        EventBody::OfferMade { remedy, .. } => {
            case.offers_made += 1;
            case.pending_offer = Some(*remedy);
        }
        EventBody::OfferAccepted { remedy } => {
            case.pending_offer = None;
            case.remedy = Some(*remedy);
        }
        EventBody::OfferDeclined => case.pending_offer = None,
        EventBody::QuestionAsked { question } => case.pending_question = Some(question.clone()),
        EventBody::QuestionAnswered { .. } => case.pending_question = None,
        EventBody::Approved { remedy } => case.remedy = Some(*remedy),
        EventBody::Rejected { rejection } => case.rejection = Some(rejection.clone()),
        EventBody::ReturnShipped { shipment } => case.return_shipment = Some(shipment.clone()),
        EventBody::ReturnReceived | EventBody::ReplacementConfirmed => {}
        EventBody::ReplacementShipped { shipment } => case.replacement_shipment = Some(shipment.clone()),
        EventBody::Taken { agent } => {
            case.assigned_agent = Some(*agent);
            case.agent_acted = true;
        }
        EventBody::EvidenceRequested { request } => case.evidence_request = Some(request.clone()),
        EventBody::EvidenceSubmitted { .. } => {}
        EventBody::MediationProposed { remedy, note } => {
            case.mediation =
                Some(Mediation { remedy: *remedy, note: note.clone(), buyer_accepted: None, merchant_accepted: None });
        }
        EventBody::MediationAnswered { party, accepted } => {
            if let Some(m) = case.mediation.as_mut() {
                match party {
                    crate::actor::Party::Buyer => m.buyer_accepted = Some(*accepted),
                    _ => m.merchant_accepted = Some(*accepted),
                }
                if m.buyer_accepted == Some(true) && m.merchant_accepted == Some(true) {
                    case.remedy = Some(m.remedy);
                }
            }
        }
        EventBody::Decided { remedy, liable, rationale, cited_rule } => {
            let agent = match event.actor {
                Actor::Agent { user } => user,
                _ => case.assigned_agent.unwrap_or(case.buyer_id),
            };
            case.decision = Some(Decision {
                agent,
                remedy: *remedy,
                liable: *liable,
                rationale: rationale.clone(),
                cited_rule: cited_rule.clone(),
                decided_at: event.at,
                appeal_review: None,
            });
            case.remedy = *remedy;
        }
        EventBody::AppealFiled { party, reason } => {
            case.appeals.push(Appeal {
                party: *party,
                appealed_outcome: case.outcome,
                reason: reason.clone(),
                filed_at: event.at,
                reviewed: false,
            });
        }
        EventBody::AppealReviewed { uphold, remedy, rationale, cited_rule } => {
            if let Some(a) = case.appeals.iter_mut().find(|a| !a.reviewed) {
                a.reviewed = true;
            }
            let agent = match event.actor {
                Actor::Agent { user } => Some(user),
                _ => None,
            };
            let review = AppealReview {
                uphold: *uphold,
                agent,
                rationale: rationale.clone(),
                cited_rule: cited_rule.clone(),
                reviewed_at: event.at,
            };
            if !uphold {
                case.remedy = *remedy;
                // Overturning is a new decision, by the reviewing agent: an appeal of it is
                // never reviewed by them.
                if let Some(agent) = agent {
                    case.decision = Some(Decision {
                        agent,
                        remedy: *remedy,
                        liable: None,
                        rationale: rationale.clone(),
                        cited_rule: cited_rule.clone(),
                        decided_at: event.at,
                        appeal_review: None,
                    });
                }
            }
            // The ruling in force says how its appeal ended, not only the timeline.
            if let Some(decision) = case.decision.as_mut() {
                decision.appeal_review = Some(review);
            }
        }
        EventBody::Rated { stars, .. } => case.rating = Some(*stars),
        EventBody::EvidenceAdded { file } => {
            case.evidence.push(file.evidence_id);
            case.evidence_bytes = case.evidence_bytes.saturating_add(file.size);
        }
        EventBody::RefundStarted { refund } => {
            case.refunds_started += 1;
            case.refund = Some(refund.clone());
        }
        EventBody::RefundSucceeded { amount, .. } | EventBody::OfflineRefundProved { amount, .. } => {
            let total = if case.refund.as_ref().is_some_and(|r| r.outcome == Outcome::Compensated) {
                &mut case.compensated_total
            } else {
                &mut case.refunded_total
            };
            *total = total.checked_add(*amount).unwrap_or(*total);
        }
        EventBody::RefundFailed { .. } => {
            if let Some(r) = case.refund.as_mut() {
                r.failed = true;
            }
        }
        EventBody::TimedOut { .. } | EventBody::DeadlineRecounted { .. } => {}
        EventBody::SlaBreached { which } => {
            case.sla_breaches += 1;
            case.decision_sla_flagged |= which == "decision";
        }
    }
    if let Some(t) = &event.transition {
        let entering_platform = t.to == CaseState::PlatformReview && !PLATFORM.contains(&case.state);
        if entering_platform {
            case.escalated_at = Some(event.at);
            case.assigned_agent = None;
            case.agent_acted = false;
            case.sla_breaches = 0;
            case.decision_sla_flagged = false;
        }
        if t.to != CaseState::AwaitingEvidence {
            case.evidence_request = None;
        }
        if t.to != CaseState::AwaitingMediation {
            case.mediation = None;
        }
        if t.to != CaseState::Refunding {
            case.refund = None;
        }
        case.state = t.to;
        case.stage = t.stage;
        case.deadline = t.deadline.clone();
        if t.to == CaseState::Closed {
            case.outcome = t.outcome;
            case.closed_at = Some(event.at);
        } else {
            case.outcome = None;
        }
    }
    case
}
