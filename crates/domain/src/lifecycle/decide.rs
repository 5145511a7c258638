//! `decide`: may this actor do this now, and what happens if so.

use super::Env;
use super::deadlines::{self, calendar_rejection, close, enter};
use super::filing::{check_demand, check_text, require_text};
use crate::actor::{Actor, Party};
use crate::case::{
    Case, CaseState, Deadline, EvidenceRequest, MerchantRejection, OnTimeout, Outcome, PendingRefund, Remedy, Shipment,
    Stage,
};
use crate::command::Command;
use crate::event::{Event, EventBody, Transition};
use crate::ids::UserId;
use crate::rejection::{Rejection, RejectionCode};
use crate::time::{micros, same_micros};
use crate::vocabulary::{RejectReason, RemedyKind};

use CaseState::*;

const NEGOTIATION: &[CaseState] = &[
    AwaitingMerchant,
    AwaitingBuyer,
    MerchantRejected,
    AwaitingReturnShipment,
    ReturnInTransit,
    AwaitingMerchantShipment,
    AwaitingBuyerReceipt,
];
const PLATFORM: &[CaseState] = &[PlatformReview, AwaitingEvidence, AwaitingMediation];

/// The events a command produces, each stamped with the actor and `env.now`.
struct Plan<'a> {
    actor: Actor,
    env: &'a Env<'a>,
    events: Vec<Event>,
}

impl Plan<'_> {
    fn note(&mut self, body: EventBody) {
        self.events.push(Event { at: self.env.now, actor: self.actor, body, transition: None });
    }

    fn moving(&mut self, body: EventBody, transition: Transition) {
        self.events.push(Event { at: self.env.now, actor: self.actor, body, transition: Some(transition) });
    }
}

pub fn decide(case: &Case, command: &Command, actor: Actor, env: &Env) -> Result<Vec<Event>, Rejection> {
    let mut plan = Plan { actor, env, events: Vec::new() };
    // The platform may still file records (a refund receipt, a regulator's letter) on a closed
    // case: they change no state, and their hashes join the chain like any other file.
    let platform_file = matches!(command, Command::AddEvidence { .. }) && actor.party() == Party::Platform
        || matches!(command, Command::RecordClockRecount { .. });
    if case.state == Closed && !matches!(command, Command::Appeal { .. } | Command::Rate { .. }) && !platform_file {
        return Err(Rejection::new(RejectionCode::CaseClosed));
    }
    let stage = case.stage;
    match command {
        Command::Message { text, evidence } => {
            require_text("text", text)?;
            if let Some(unknown) = evidence.iter().find(|id| !case.evidence.contains(id)) {
                return Err(Rejection::invalid(format!("evidence: {unknown} is not on this case")));
            }
            match actor.party() {
                Party::Buyer => as_buyer(case, actor)?,
                Party::Merchant => as_merchant(case, actor)?,
                Party::Platform => {}
                Party::System => return Err(Rejection::new(RejectionCode::NotYourTurn)),
            }
            let mut cited: Vec<crate::ids::EvidenceId> = Vec::new();
            for id in evidence {
                if !cited.contains(id) {
                    cited.push(*id);
                }
            }
            plan.note(EventBody::MessagePosted { text: text.trim().to_owned(), evidence: cited });
        }
        Command::AddEvidence { file } => {
            match actor.party() {
                Party::Buyer => as_buyer(case, actor)?,
                Party::Merchant => as_merchant(case, actor)?,
                Party::Platform => {}
                Party::System => return Err(Rejection::new(RejectionCode::NotYourTurn)),
            }
            file.check()?;
            if case.evidence.contains(&file.evidence_id) {
                // The same upload applied twice has the effect of once.
                return Ok(Vec::new());
            }
            plan.note(EventBody::EvidenceAdded { file: file.clone() });
        }
        Command::Revise { kind, amount, description } => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingMerchant, MerchantRejected])?;
            let kind = kind.unwrap_or(case.kind);
            let amount = amount.unwrap_or(if RemedyKind::requested(kind).pays_money() {
                case.amount
            } else {
                Default::default()
            });
            let description = description.clone().unwrap_or_else(|| case.description.clone());
            check_text("description", &description)?;
            check_remedy(case, &Remedy { kind: RemedyKind::requested(kind), amount })?;
            if case.state == AwaitingMerchant
                && (kind, amount, &description) == (case.kind, case.amount, &case.description)
            {
                // Nothing is revised: a repeated revision has the effect of once.
                return Ok(Vec::new());
            }
            plan.moving(EventBody::Revised { kind, amount, description }, enter(case, AwaitingMerchant, stage, env)?);
        }
        Command::Withdraw => {
            as_buyer(case, actor)?;
            if case.state == Refunding {
                return Err(Rejection::with(RejectionCode::NotAllowedInState, "refunding"));
            }
            // An appeal reopens a decided case; withdrawing would rewrite its outcome.
            no_pending_appeal(case)?;
            plan.moving(EventBody::Withdrawn, close(Outcome::Withdrawn));
        }
        Command::AcceptOffer => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyer])?;
            let remedy = case.pending_offer.ok_or(Rejection::new(RejectionCode::NoPendingOffer))?;
            plan.note(EventBody::OfferAccepted { remedy });
            execute(case, remedy, stage, &mut plan)?;
        }
        Command::DeclineOffer => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyer])?;
            if case.pending_offer.is_none() {
                return Err(Rejection::new(RejectionCode::NoPendingOffer));
            }
            plan.moving(EventBody::OfferDeclined, enter(case, AwaitingMerchant, stage, env)?);
        }
        Command::Answer { text } => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyer])?;
            require_text("text", text)?;
            if case.pending_question.is_none() {
                return Err(Rejection::new(RejectionCode::NoPendingQuestion));
            }
            plan.moving(
                EventBody::QuestionAnswered { text: text.trim().to_owned() },
                enter(case, AwaitingMerchant, stage, env)?,
            );
        }
        Command::ShipReturn { carrier, tracking_no } => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingReturnShipment])?;
            let shipment = shipment(carrier, tracking_no, env)?;
            plan.moving(EventBody::ReturnShipped { shipment }, enter(case, ReturnInTransit, stage, env)?);
        }
        Command::ConfirmReplacement => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyerReceipt])?;
            let outcome = deadlines::replacement_outcome(case.remedy.map(|r| r.kind));
            plan.moving(EventBody::ReplacementConfirmed, close(outcome));
        }
        Command::Escalate { text } => {
            as_buyer(case, actor)?;
            in_state(case, NEGOTIATION)?;
            if stage == Stage::Platform {
                // The platform has ruled: its remedy is being carried out; an appeal is the way back.
                return Err(Rejection::with(
                    RejectionCode::NotAllowedInState,
                    "the platform has already ruled: appeal instead",
                ));
            }
            check_text("text", text)?;
            if case.state != MerchantRejected && stage == Stage::Negotiation {
                let earliest = env
                    .calendar
                    .add_working_days(case.filed_at, env.policy.negotiation_min_working_days)
                    .map_err(calendar_rejection)?;
                if env.now < earliest {
                    return Err(Rejection::with(RejectionCode::EscalationTooEarly, earliest.to_string()));
                }
            }
            escalate(case, EventBody::Escalated { text: text.trim().to_owned() }, &mut plan)?;
        }
        Command::Rate { stars, comment } => {
            as_buyer(case, actor)?;
            in_state(case, &[Closed])?;
            if case.rating.is_some() {
                return Err(Rejection::new(RejectionCode::AlreadyRated));
            }
            if !(1..=5).contains(stars) {
                return Err(Rejection::invalid("stars: from 1 to 5"));
            }
            check_text("comment", comment)?;
            plan.note(EventBody::Rated { stars: *stars, comment: comment.trim().to_owned() });
        }
        Command::Approve => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchant])?;
            approve(case, &mut plan)?;
        }
        Command::Reject { reason, text } => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchant])?;
            if *reason == RejectReason::Other {
                require_text("text", text)?;
            } else {
                check_text("text", text)?;
            }
            let rejection = MerchantRejection { reason: *reason, text: text.trim().to_owned() };
            plan.moving(EventBody::Rejected { rejection }, enter(case, MerchantRejected, stage, env)?);
        }
        Command::Offer { remedy, note } => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchant])?;
            if case.offers_made >= env.policy.max_offers {
                return Err(Rejection::new(RejectionCode::MaxOffersReached));
            }
            check_remedy(case, remedy)?;
            check_text("note", note)?;
            plan.moving(
                EventBody::OfferMade { remedy: *remedy, note: note.trim().to_owned() },
                enter(case, AwaitingBuyer, stage, env)?,
            );
        }
        Command::Ask { question } => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchant])?;
            require_text("question", question)?;
            plan.moving(
                EventBody::QuestionAsked { question: question.trim().to_owned() },
                enter(case, AwaitingBuyer, stage, env)?,
            );
        }
        Command::ConfirmReceipt => {
            as_merchant(case, actor)?;
            in_state(case, &[ReturnInTransit])?;
            plan.note(EventBody::ReturnReceived);
            after_return_received(case, &mut plan)?;
        }
        Command::DisputeReceipt { text } => {
            as_merchant(case, actor)?;
            in_state(case, &[ReturnInTransit])?;
            require_text("text", text)?;
            // The goods are with the merchant: the platform decides, the buyer's silence never does.
            escalate(case, EventBody::ReturnDisputed { text: text.trim().to_owned() }, &mut plan)?;
        }
        Command::ShipReplacement { carrier, tracking_no } => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchantShipment])?;
            let shipment = shipment(carrier, tracking_no, env)?;
            plan.moving(EventBody::ReplacementShipped { shipment }, enter(case, AwaitingBuyerReceipt, stage, env)?);
        }
        Command::ProveOfflineRefund { note } => {
            as_merchant(case, actor)?;
            in_state(case, &[Refunding])?;
            require_text("note", note)?;
            let refund = case
                .refund
                .as_ref()
                .filter(|r| r.failed)
                .ok_or_else(|| Rejection::with(RejectionCode::NotAllowedInState, "the refund has not failed"))?;
            plan.moving(
                EventBody::OfflineRefundProved { note: note.trim().to_owned(), amount: refund.amount },
                close(refund.outcome),
            );
        }
        Command::AcceptMediation | Command::DeclineMediation => {
            let party = as_party(case, actor)?;
            in_state(case, &[AwaitingMediation])?;
            let mediation = case.mediation.as_ref().ok_or(Rejection::new(RejectionCode::NotAllowedInState))?;
            let (mine, theirs) = match party {
                Party::Buyer => (mediation.buyer_accepted, mediation.merchant_accepted),
                _ => (mediation.merchant_accepted, mediation.buyer_accepted),
            };
            if mine.is_some() {
                return Err(Rejection::new(RejectionCode::AlreadyAnsweredMediation));
            }
            let accepted = matches!(command, Command::AcceptMediation);
            let body = EventBody::MediationAnswered { party, accepted };
            if !accepted {
                plan.moving(body, back_to_review(case, env)?);
            } else if theirs == Some(true) {
                plan.note(body);
                execute(case, mediation.remedy, stage, &mut plan)?;
            } else {
                // One side has answered: the same deadline now waits for the other side only.
                let other = if party == Party::Buyer { Party::Merchant } else { Party::Buyer };
                let deadline = case.deadline.clone().map(|d| Deadline { waits_for: vec![other], ..d });
                plan.moving(body, Transition { to: case.state, stage, deadline, outcome: None });
            }
        }
        Command::SubmitEvidence { text } => {
            let party = as_party(case, actor)?;
            require_text("text", text)?;
            let body = EventBody::EvidenceSubmitted { party, text: text.trim().to_owned() };
            match case.state {
                AwaitingEvidence => {
                    if case.evidence_request.as_ref().map(|r| r.party) != Some(party) {
                        return Err(Rejection::new(RejectionCode::NotNamedForEvidence));
                    }
                    plan.moving(body, back_to_review(case, env)?);
                }
                PlatformReview | AwaitingMediation => plan.note(body),
                _ => return Err(Rejection::new(RejectionCode::NotNamedForEvidence)),
            }
        }
        Command::Appeal { reason } => {
            let party = as_party(case, actor)?;
            in_state(case, &[Closed])?;
            require_text("reason", reason)?;
            if case.decision.is_none() {
                return Err(Rejection::new(RejectionCode::NoDecisionToAppeal));
            }
            if case.appeals.iter().any(|a| a.party == party) {
                return Err(Rejection::new(RejectionCode::AlreadyAppealed));
            }
            let closed_at = case.closed_at.unwrap_or(case.filed_at);
            let window_end =
                closed_at.saturating_add(env.policy.duration(env.policy.appeal_window_hours)).expect("in range");
            if env.now > window_end {
                return Err(Rejection::with(RejectionCode::AppealWindowClosed, window_end.to_string()));
            }
            let mut reopened = case.clone();
            reopened.escalated_at = Some(env.now);
            reopened.agent_acted = false;
            reopened.sla_breaches = 0;
            reopened.decision_sla_flagged = false;
            let transition = enter(&reopened, PlatformReview, Stage::Platform, env)?;
            plan.moving(EventBody::AppealFiled { party, reason: reason.trim().to_owned() }, transition);
        }
        Command::Take => {
            let agent = as_agent(actor)?;
            in_state(case, PLATFORM)?;
            check_not_own_appeal(case, agent)?;
            match case.assigned_agent {
                Some(a) if a == agent => return Ok(Vec::new()),
                // Another agent's case may be taken over only once its SLA is breached.
                Some(_) if case.sla_breaches == 0 => {
                    return Err(Rejection::new(RejectionCode::NotAssigned));
                }
                _ => {}
            }
            take(case, agent, &mut plan)?;
        }
        Command::RequestEvidence { party, what, due_in_hours } => {
            let agent = as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            ensure_assigned(case, agent, &mut plan)?;
            if !matches!(party, Party::Buyer | Party::Merchant) {
                return Err(Rejection::invalid("party: buyer or merchant"));
            }
            require_text("what", what)?;
            let hours = due_in_hours.unwrap_or(env.policy.evidence_hours);
            if !(1..=30 * 24).contains(&hours) {
                return Err(Rejection::invalid("due_in_hours: from 1 to 720"));
            }
            let transition = Transition {
                to: AwaitingEvidence,
                stage: Stage::Platform,
                deadline: Some(deadlines::evidence(env, *party, hours)),
                outcome: None,
            };
            let request = EvidenceRequest { party: *party, what: what.trim().to_owned() };
            plan.moving(EventBody::EvidenceRequested { request }, transition);
        }
        Command::ProposeMediation { remedy, note } => {
            let agent = as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            no_pending_appeal(case)?;
            ensure_assigned(case, agent, &mut plan)?;
            check_remedy(case, remedy)?;
            check_text("note", note)?;
            plan.moving(
                EventBody::MediationProposed { remedy: *remedy, note: note.trim().to_owned() },
                enter(case, AwaitingMediation, Stage::Platform, env)?,
            );
        }
        Command::Decide { remedy, liable, rationale, cited_rule } => {
            let agent = as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            if case.pending_appeal().is_some() {
                return Err(Rejection::with(
                    RejectionCode::NotAllowedInState,
                    "an appeal is pending: use review-appeal",
                ));
            }
            ensure_assigned(case, agent, &mut plan)?;
            if liable.is_some_and(|p| !matches!(p, Party::Buyer | Party::Merchant)) {
                return Err(Rejection::invalid("liable: buyer or merchant"));
            }
            require_text("rationale", rationale)?;
            require_text("cited_rule", cited_rule)?;
            if let Some(remedy) = remedy {
                check_remedy(case, remedy)?;
            }
            let body = EventBody::Decided {
                remedy: *remedy,
                liable: *liable,
                rationale: rationale.trim().to_owned(),
                cited_rule: cited_rule.trim().to_owned(),
            };
            rule(case, *remedy, body, &mut plan)?;
        }
        Command::ReviewAppeal { uphold, remedy, rationale, cited_rule } => {
            let agent = as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            let appeal = case
                .pending_appeal()
                .ok_or_else(|| Rejection::with(RejectionCode::NotAllowedInState, "no pending appeal"))?;
            check_not_own_appeal(case, agent)?;
            ensure_assigned(case, agent, &mut plan)?;
            require_text("rationale", rationale)?;
            require_text("cited_rule", cited_rule)?;
            let body = EventBody::AppealReviewed {
                uphold: *uphold,
                remedy: *remedy,
                rationale: rationale.trim().to_owned(),
                cited_rule: cited_rule.trim().to_owned(),
            };
            if *uphold {
                let outcome = appeal.appealed_outcome.unwrap_or(Outcome::Rejected);
                plan.moving(body, close(outcome));
            } else {
                if let Some(remedy) = remedy {
                    check_remedy(case, remedy)?;
                }
                rule(case, *remedy, body, &mut plan)?;
            }
        }
        Command::Timeout { due } => {
            if actor != Actor::System {
                return Err(Rejection::new(RejectionCode::NotYourTurn));
            }
            // Compared at the stores' precision: the swept due time has microseconds only.
            let deadline = case.deadline.as_ref().filter(|d| same_micros(d.due, *due) && d.on_timeout.fires());
            let Some(deadline) = deadline else {
                return Err(Rejection::with(RejectionCode::NotDue, "stale timeout"));
            };
            if micros(env.now) < micros(deadline.due) {
                return Err(Rejection::new(RejectionCode::NotDue));
            }
            timeout(case, deadline.on_timeout, &mut plan)?;
        }
        Command::RecountDeadline { year } => {
            as_system(actor)?;
            let (body, transition) = deadlines::recount(case, *year, env)?;
            plan.moving(body, transition);
        }
        Command::RecordClockRecount { clock, year, old_due, new_due } => {
            as_system(actor)?;
            let (clock, year, old_due, new_due) = (clock.clone(), *year, *old_due, *new_due);
            plan.note(EventBody::DeadlineRecounted { clock, year, old_due, new_due });
        }
        Command::RefundSucceeded { refund_id } | Command::RefundFailed { refund_id, .. } => {
            if actor != Actor::System {
                return Err(Rejection::new(RejectionCode::NotYourTurn));
            }
            in_state(case, &[Refunding])?;
            let refund = case
                .refund
                .as_ref()
                .filter(|r| &r.refund_id == refund_id)
                .ok_or_else(|| Rejection::invalid("unknown refund id"))?;
            match command {
                Command::RefundSucceeded { .. } => plan.moving(
                    EventBody::RefundSucceeded { refund_id: refund_id.clone(), amount: refund.amount },
                    close(refund.outcome),
                ),
                Command::RefundFailed { reason, over_limit: true, .. } => {
                    let body = EventBody::RefundFailed { refund_id: refund_id.clone(), reason: reason.clone() };
                    escalate(case, body, &mut plan)?;
                }
                Command::RefundFailed { reason, .. } => {
                    if refund.failed {
                        return Ok(Vec::new());
                    }
                    refund_failed(case, refund_id.clone(), reason.clone(), &mut plan);
                }
                _ => unreachable!("matched above"),
            }
        }
    }
    Ok(plan.events)
}

fn as_buyer(case: &Case, actor: Actor) -> Result<(), Rejection> {
    match actor {
        Actor::Buyer { user } if user == case.buyer_id => Ok(()),
        _ => Err(Rejection::new(RejectionCode::NotYourTurn)),
    }
}

fn as_merchant(case: &Case, actor: Actor) -> Result<(), Rejection> {
    match actor {
        Actor::Merchant { merchant, .. } if merchant == case.merchant_id => Ok(()),
        _ => Err(Rejection::new(RejectionCode::NotYourTurn)),
    }
}

fn as_party(case: &Case, actor: Actor) -> Result<Party, Rejection> {
    as_buyer(case, actor).map(|_| Party::Buyer).or_else(|_| as_merchant(case, actor).map(|_| Party::Merchant))
}

fn as_agent(actor: Actor) -> Result<UserId, Rejection> {
    match actor {
        Actor::Agent { user } => Ok(user),
        _ => Err(Rejection::new(RejectionCode::NotYourTurn)),
    }
}

fn in_state(case: &Case, allowed: &[CaseState]) -> Result<(), Rejection> {
    if allowed.contains(&case.state) {
        Ok(())
    } else if case.state == Closed {
        Err(Rejection::new(RejectionCode::CaseClosed))
    } else {
        Err(Rejection::with(RejectionCode::NotAllowedInState, case.state.as_str()))
    }
}

/// What the case may still pay out.
/// What the case may still refund: refunds and compensation together never exceed what was
/// paid for its items, except where statutory damages allow more (see `check_remedy`).
fn remaining(case: &Case) -> crate::money::Money {
    case.refundable.saturating_remaining(paid_out(case))
}

fn paid_out(case: &Case) -> crate::money::Money {
    case.refunded_total.checked_add(case.compensated_total).unwrap_or(crate::money::Money::from_fen(i64::MAX))
}

fn check_remedy(case: &Case, remedy: &Remedy) -> Result<(), Rejection> {
    if remedy.kind == RemedyKind::Compensation {
        // All payouts together stay within the larger of the refundable price and the damages.
        let statutory = super::filing::statutory_ceiling(case.reason, case.food, case.price);
        return check_demand(true, remedy.amount, case.refundable.max(statutory).saturating_remaining(paid_out(case)));
    }
    check_demand(remedy.kind.pays_money(), remedy.amount, remaining(case))
}

fn shipment(carrier: &str, tracking_no: &str, env: &Env) -> Result<Shipment, Rejection> {
    require_text("carrier", carrier)?;
    require_text("tracking_no", tracking_no)?;
    if tracking_no.trim().len() > 64 || carrier.trim().chars().count() > 64 {
        return Err(Rejection::invalid("carrier and tracking_no: at most 64 characters"));
    }
    Ok(Shipment { carrier: carrier.trim().to_owned(), tracking_no: tracking_no.trim().to_owned(), shipped_at: env.now })
}

fn no_pending_appeal(case: &Case) -> Result<(), Rejection> {
    match case.pending_appeal() {
        Some(_) => Err(Rejection::with(RejectionCode::NotAllowedInState, "an appeal is pending: use review-appeal")),
        None => Ok(()),
    }
}

fn check_not_own_appeal(case: &Case, agent: UserId) -> Result<(), Rejection> {
    if case.pending_appeal().is_some() && case.decision.as_ref().is_some_and(|d| d.agent == agent) {
        return Err(Rejection::new(RejectionCode::OwnDecision));
    }
    Ok(())
}

/// An unassigned case is taken by the first agent who acts on it; another agent's case is not.
fn ensure_assigned(case: &Case, agent: UserId, plan: &mut Plan) -> Result<(), Rejection> {
    match case.assigned_agent {
        Some(a) if a == agent => Ok(()),
        Some(_) => Err(Rejection::new(RejectionCode::NotAssigned)),
        None => {
            check_not_own_appeal(case, agent)?;
            take(case, agent, plan)
        }
    }
}

/// Taking a case is the agent's first action: the SLA clock moves on to the decision.
fn take(case: &Case, agent: UserId, plan: &mut Plan) -> Result<(), Rejection> {
    let escalated_at = case.escalated_at.unwrap_or(case.filed_at);
    let mut transition =
        Transition { to: case.state, stage: Stage::Platform, deadline: case.deadline.clone(), outcome: None };
    if case.state == PlatformReview {
        transition.deadline = Some(deadlines::platform_review(case, plan.env, escalated_at, true)?);
    }
    plan.moving(EventBody::Taken { agent }, transition);
    Ok(())
}

fn escalate(case: &Case, body: EventBody, plan: &mut Plan) -> Result<(), Rejection> {
    let mut escalated = case.clone();
    escalated.escalated_at = Some(plan.env.now);
    escalated.agent_acted = false;
    escalated.sla_breaches = 0;
    escalated.decision_sla_flagged = false;
    let transition = enter(&escalated, PlatformReview, Stage::Platform, plan.env)?;
    plan.moving(body, transition);
    Ok(())
}

fn back_to_review(case: &Case, env: &Env) -> Result<Transition, Rejection> {
    enter(case, PlatformReview, Stage::Platform, env)
}

fn approve(case: &Case, plan: &mut Plan) -> Result<(), Rejection> {
    let remedy = Remedy { kind: RemedyKind::requested(case.kind), amount: case.amount };
    plan.note(EventBody::Approved { remedy });
    execute(case, remedy, case.stage, plan)
}

/// A platform ruling: a remedy to execute, or the claim rejected.
fn rule(case: &Case, remedy: Option<Remedy>, body: EventBody, plan: &mut Plan) -> Result<(), Rejection> {
    match remedy {
        None => plan.moving(body, close(Outcome::Rejected)),
        Some(remedy) => {
            plan.note(body);
            execute(case, remedy, Stage::Platform, plan)?;
        }
    }
    Ok(())
}

/// Carries out an agreed or ordered remedy: the last event planned so far gets the transition.
fn execute(case: &Case, remedy: Remedy, stage: Stage, plan: &mut Plan) -> Result<(), Rejection> {
    let env = plan.env;
    let mut with_remedy = case.clone();
    with_remedy.remedy = Some(remedy);
    match remedy.kind {
        RemedyKind::Refund | RemedyKind::Compensation => start_refund(&with_remedy, remedy, stage, plan),
        RemedyKind::ReturnAndRefund | RemedyKind::Exchange | RemedyKind::Repair => {
            set_last_transition(plan, enter(&with_remedy, AwaitingReturnShipment, stage, env)?);
            Ok(())
        }
        RemedyKind::Reissue => {
            set_last_transition(plan, enter(&with_remedy, AwaitingMerchantShipment, stage, env)?);
            Ok(())
        }
    }
}

fn set_last_transition(plan: &mut Plan, transition: Transition) {
    if let Some(last) = plan.events.last_mut() {
        last.transition = Some(transition);
    }
}

fn start_refund(case: &Case, remedy: Remedy, stage: Stage, plan: &mut Plan) -> Result<(), Rejection> {
    let outcome = match remedy.kind {
        RemedyKind::Compensation => Outcome::Compensated,
        _ if remedy.amount.checked_add(case.refunded_total).is_some_and(|total| total >= case.amount) => {
            Outcome::Refunded
        }
        _ => Outcome::PartiallyRefunded,
    };
    let refund = PendingRefund {
        refund_id: format!("{}-{}", case.id, case.refunds_started + 1),
        amount: remedy.amount,
        outcome,
        failed: false,
    };
    let transition = enter(case, Refunding, stage, plan.env)?;
    plan.moving(EventBody::RefundStarted { refund }, transition);
    Ok(())
}

fn refund_failed(case: &Case, refund_id: String, reason: String, plan: &mut Plan) {
    let transition = Transition {
        to: Refunding,
        stage: case.stage,
        deadline: Some(deadlines::offline_refund(plan.env)),
        outcome: None,
    };
    plan.moving(EventBody::RefundFailed { refund_id, reason }, transition);
}

fn after_return_received(case: &Case, plan: &mut Plan) -> Result<(), Rejection> {
    let remedy = case.remedy.unwrap_or(Remedy { kind: RemedyKind::ReturnAndRefund, amount: case.amount });
    match remedy.kind {
        RemedyKind::ReturnAndRefund => start_refund(case, remedy, case.stage, plan),
        _ => {
            set_last_transition(plan, enter(case, AwaitingMerchantShipment, case.stage, plan.env)?);
            Ok(())
        }
    }
}

fn timeout(case: &Case, on_timeout: OnTimeout, plan: &mut Plan) -> Result<(), Rejection> {
    let env = plan.env;
    let fired = EventBody::TimedOut { what: on_timeout };
    match on_timeout {
        // Silence approves what the price bounds; damages beyond the price need a person.
        OnTimeout::AutoApprove if case.amount > case.refundable => escalate(case, fired, plan)?,
        OnTimeout::AutoApprove => {
            plan.note(fired);
            approve(case, plan)?;
        }
        OnTimeout::Close(outcome) => plan.moving(fired, close(outcome)),
        OnTimeout::AutoRefund => {
            plan.note(fired);
            after_return_received(case, plan)?;
        }
        OnTimeout::EscalateToPlatform => escalate(case, fired, plan)?,
        OnTimeout::BackToPlatformReview => plan.moving(fired, back_to_review(case, env)?),
        OnTimeout::RequireOfflineRefund => {
            let refund_id = case
                .refund
                .as_ref()
                .map(|r| r.refund_id.clone())
                .ok_or_else(|| Rejection::invalid("no refund is pending"))?;
            plan.note(fired);
            refund_failed(case, refund_id, "the payment gateway did not confirm in time".into(), plan);
        }
        OnTimeout::FlagFirstActionSla | OnTimeout::FlagDecisionSla => {
            let which = if on_timeout == OnTimeout::FlagFirstActionSla { "first_action" } else { "decision" };
            let mut flagged = case.clone();
            flagged.sla_breaches += 1;
            flagged.decision_sla_flagged |= on_timeout == OnTimeout::FlagDecisionSla;
            let escalated_at = case.escalated_at.unwrap_or(case.filed_at);
            let mut deadline = deadlines::platform_review(&flagged, env, escalated_at, case.agent_acted)?;
            // A deadline fires once: should the next SLA fall at the same instant, it is
            // already breached and is shown as overdue rather than fired again.
            if case.deadline.as_ref().is_some_and(|d| d.due == deadline.due) {
                deadline.on_timeout = OnTimeout::Overdue;
            }
            let transition = Transition { to: case.state, stage: case.stage, deadline: Some(deadline), outcome: None };
            plan.moving(EventBody::SlaBreached { which: which.into() }, transition);
        }
        OnTimeout::Overdue => unreachable!("an overdue deadline never fires"),
    }
    Ok(())
}

fn as_system(actor: Actor) -> Result<(), Rejection> {
    if actor != Actor::System {
        return Err(Rejection::new(RejectionCode::NotYourTurn));
    }
    Ok(())
}
