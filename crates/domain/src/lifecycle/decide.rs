//! `decide` = `permit` (may this actor take this kind of action now: who and when) + `plan`
//! (are the arguments acceptable, and what happens).

use super::Env;
use super::deadlines::{self, calendar_rejection, close, enter};
use super::filing::{check_demand, check_text, require_text};
use crate::actor::{Actor, Party};
use crate::case::{
    Case, CaseState, Deadline, EvidenceRequest, MerchantRejection, OnTimeout, Outcome, PendingRefund, Remedy, Shipment,
    Stage,
};
use crate::command::{Command, CommandKind, Proposal, Revision, Shipping};
use crate::event::{Event, EventBody, Transition};
use crate::ids::UserId;
use crate::rejection::{Detail, Rejection, RejectionCode};
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

/// May `actor` take an action of `kind` on the case now, whatever its arguments? Who and when
/// only: the same answer for every set of arguments, so the actions open to someone can be
/// listed (`offered`). `plan` then checks the arguments and says what happens.
pub fn permit(case: &Case, actor: Actor, kind: CommandKind, env: &Env) -> Result<(), Rejection> {
    use CommandKind as K;
    // The platform may still file records (a refund receipt, a regulator's letter) on a closed
    // case: they change no state, and their hashes join the chain like any other file.
    let platform_file = kind == K::AddEvidence && actor.party() == Party::Platform || kind == K::RecordClockRecount;
    if case.state == Closed && !matches!(kind, K::Appeal | K::Rate) && !platform_file {
        return Err(closed(case));
    }
    match kind {
        K::Message | K::AddEvidence => match actor.party() {
            Party::Buyer => as_buyer(case, actor),
            Party::Merchant => as_merchant(case, actor),
            Party::Platform => Ok(()),
            Party::System => Err(Rejection::new(RejectionCode::NotYourTurn)),
        },
        K::Revise => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingMerchant, MerchantRejected])
        }
        K::Withdraw => {
            as_buyer(case, actor)?;
            if case.state == Refunding {
                return Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::InState { state: Refunding }));
            }
            // An appeal reopens a decided case; withdrawing would rewrite its outcome.
            no_pending_appeal(case)
        }
        K::AcceptOffer | K::DeclineOffer => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyer])?;
            case.pending_offer.map(drop).ok_or(Rejection::new(RejectionCode::NoPendingOffer))
        }
        K::Answer => {
            as_buyer(case, actor)?;
            in_state(case, &[AwaitingBuyer])?;
            case.pending_question.as_ref().map(drop).ok_or(Rejection::new(RejectionCode::NoPendingQuestion))
        }
        K::ShipReturn => as_buyer(case, actor).and_then(|()| in_state(case, &[AwaitingReturnShipment])),
        K::ConfirmReplacement => as_buyer(case, actor).and_then(|()| in_state(case, &[AwaitingBuyerReceipt])),
        K::Escalate => {
            as_buyer(case, actor)?;
            may_escalate(case, env)
        }
        K::Rate => {
            as_buyer(case, actor)?;
            in_state(case, &[Closed])?;
            match case.rating {
                Some(_) => Err(Rejection::new(RejectionCode::AlreadyRated)),
                None => Ok(()),
            }
        }
        K::Approve | K::Reject | K::Ask => as_merchant(case, actor).and_then(|()| in_state(case, &[AwaitingMerchant])),
        K::Offer => {
            as_merchant(case, actor)?;
            in_state(case, &[AwaitingMerchant])?;
            if case.offers_made >= env.policy.max_offers {
                return Err(Rejection::new(RejectionCode::MaxOffersReached));
            }
            Ok(())
        }
        K::ConfirmReceipt | K::DisputeReceipt => {
            as_merchant(case, actor).and_then(|()| in_state(case, &[ReturnInTransit]))
        }
        K::ShipReplacement => as_merchant(case, actor).and_then(|()| in_state(case, &[AwaitingMerchantShipment])),
        K::ProveOfflineRefund => {
            as_merchant(case, actor)?;
            in_state(case, &[Refunding])?;
            failed_refund(case).map(drop)
        }
        K::AcceptMediation | K::DeclineMediation => mediation_answer(case, actor).map(drop),
        K::SubmitEvidence => {
            let party = as_party(case, actor)?;
            match case.state {
                AwaitingEvidence if case.evidence_request.as_ref().map(|r| r.party) == Some(party) => Ok(()),
                PlatformReview | AwaitingMediation => Ok(()),
                _ => Err(Rejection::new(RejectionCode::NotNamedForEvidence)),
            }
        }
        K::Appeal => may_appeal(case, actor, env),
        K::Take => {
            let agent = as_agent(actor)?;
            in_state(case, PLATFORM)?;
            check_not_own_appeal(case, agent)?;
            match case.assigned_agent {
                Some(a) if a == agent => Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::AlreadyYours)),
                // Another agent's case may be taken over only once its SLA is breached.
                Some(_) if case.sla_breaches == 0 => {
                    Err(Rejection::with(RejectionCode::NotAssigned, Detail::AnotherAgentsCase))
                }
                _ => Ok(()),
            }
        }
        K::RequestEvidence => as_assigned_agent(case, actor).map(drop),
        K::ProposeMediation | K::Decide => {
            as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            no_pending_appeal(case)?;
            as_assigned_agent(case, actor).map(drop)
        }
        K::ReviewAppeal => {
            let agent = as_agent(actor)?;
            in_state(case, &[PlatformReview])?;
            if case.pending_appeal().is_none() {
                return Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::NoPendingAppeal));
            }
            check_not_own_appeal(case, agent)?;
            as_assigned_agent(case, actor).map(drop)
        }
        K::Timeout => {
            as_system(actor)?;
            match case.deadline.as_ref().filter(|d| d.on_timeout.fires()) {
                None => Err(Rejection::with(RejectionCode::NotDue, Detail::StaleTimeout)),
                // Compared at the stores' precision: the swept due time has microseconds only.
                Some(d) if micros(env.now) < micros(d.due) => Err(Rejection::new(RejectionCode::NotDue)),
                Some(_) => Ok(()),
            }
        }
        K::RefundSucceeded | K::RefundFailed => as_system(actor).and_then(|()| in_state(case, &[Refunding])),
        // Only a platform SLA counted over a provisional year is counted again.
        K::RecountDeadline => {
            as_system(actor)?;
            let provisional = case.deadline.as_ref().filter(|d| {
                d.provisional_year.is_some()
                    && matches!(d.on_timeout, OnTimeout::FlagFirstActionSla | OnTimeout::FlagDecisionSla)
            });
            match provisional {
                Some(_) => Ok(()),
                None => Err(Rejection::with(RejectionCode::NotDue, Detail::NoProvisionalDeadline)),
            }
        }
        K::RecordClockRecount => as_system(actor),
    }
}

/// What happens: `permit`, then the arguments checked and the events planned.
pub fn decide(case: &Case, command: &Command, actor: Actor, env: &Env) -> Result<Vec<Event>, Rejection> {
    permit(case, actor, command.kind(), env)?;
    plan(case, command, actor, env)
}

/// The kinds `actor` may request through the API now: every public kind `permit` allows.
pub fn offered(case: &Case, actor: Actor, env: &Env) -> Vec<CommandKind> {
    CommandKind::public().filter(|kind| permit(case, actor, *kind, env).is_ok()).collect()
}

/// The events of a permitted command; refusals here are about its arguments only.
fn plan(case: &Case, command: &Command, actor: Actor, env: &Env) -> Result<Vec<Event>, Rejection> {
    let mut plan = Plan { actor, env, events: Vec::new() };
    let stage = case.stage;
    match command {
        Command::Message { text, evidence } => {
            require_text("text", text)?;
            if let Some(unknown) = evidence.iter().find(|id| !case.evidence.contains(id)) {
                return Err(Rejection::invalid(Detail::EvidenceNotOnCase { evidence: unknown.to_string() }));
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
            file.check()?;
            if case.evidence.contains(&file.evidence_id) {
                // The same upload applied twice has the effect of once.
                return Ok(Vec::new());
            }
            plan.note(EventBody::EvidenceAdded { file: file.clone() });
        }
        Command::Revise(revision) if *revision == Revision::default() => {
            // A revision of nothing is a mistake of the client's, not a repeat.
            return Err(Rejection::invalid(Detail::AnyOf { fields: Revision::field_names() }));
        }
        Command::Revise(Revision { kind, amount, description }) => {
            let kind = kind.unwrap_or(case.kind);
            // A request turned into one that pays money, from one that paid none, says how much:
            // the case's amount (nothing) would be refused as an amount the buyer never sent.
            if amount.is_none() && RemedyKind::requested(kind).pays_money() && !case.amount.is_positive() {
                return Err(Rejection::invalid(Detail::AmountNeeded { request_kind: kind }));
            }
            let amount = amount.unwrap_or(if RemedyKind::requested(kind).pays_money() {
                case.amount
            } else {
                Default::default()
            });
            // A revision may leave the description as it is, not blank it.
            if let Some(given) = description {
                require_text("description", given)?;
            }
            let description = description.as_deref().map_or_else(|| case.description.clone(), |d| d.trim().to_owned());
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
        Command::Withdraw => plan.moving(EventBody::Withdrawn, close(Outcome::Withdrawn)),
        Command::AcceptOffer => {
            let remedy = case.pending_offer.ok_or(Rejection::new(RejectionCode::NoPendingOffer))?;
            plan.note(EventBody::OfferAccepted { remedy });
            execute(case, remedy, stage, &mut plan)?;
        }
        Command::DeclineOffer => {
            plan.moving(EventBody::OfferDeclined, enter(case, AwaitingMerchant, stage, env)?);
        }
        Command::Answer { text } => {
            require_text("text", text)?;
            plan.moving(
                EventBody::QuestionAnswered { text: text.trim().to_owned() },
                enter(case, AwaitingMerchant, stage, env)?,
            );
        }
        Command::ShipReturn(shipping) => {
            let shipment = shipment(shipping, env)?;
            plan.moving(EventBody::ReturnShipped { shipment }, enter(case, ReturnInTransit, stage, env)?);
        }
        Command::ConfirmReplacement => {
            let outcome = deadlines::replacement_outcome(case.remedy.map(|r| r.kind));
            plan.moving(EventBody::ReplacementConfirmed, close(outcome));
        }
        Command::Escalate { text } => {
            check_text("text", text)?;
            escalate(case, EventBody::Escalated { text: text.trim().to_owned() }, &mut plan)?;
        }
        Command::Rate { stars, comment } => {
            if !(1..=5).contains(stars) {
                return Err(Rejection::invalid(Detail::Range { field: "stars".into(), min: 1, max: 5 }));
            }
            check_text("comment", comment)?;
            plan.note(EventBody::Rated { stars: *stars, comment: comment.trim().to_owned() });
        }
        Command::Approve => approve(case, &mut plan)?,
        Command::Reject { reason, text } => {
            if *reason == RejectReason::Other {
                require_text("text", text)?;
            } else {
                check_text("text", text)?;
            }
            let rejection = MerchantRejection { reason: *reason, text: text.trim().to_owned() };
            plan.moving(EventBody::Rejected { rejection }, enter(case, MerchantRejected, stage, env)?);
        }
        Command::Offer(Proposal { remedy, note }) => {
            check_remedy(case, remedy)?;
            check_text("note", note)?;
            plan.moving(
                EventBody::OfferMade { remedy: *remedy, note: note.trim().to_owned() },
                enter(case, AwaitingBuyer, stage, env)?,
            );
        }
        Command::Ask { question } => {
            require_text("question", question)?;
            plan.moving(
                EventBody::QuestionAsked { question: question.trim().to_owned() },
                enter(case, AwaitingBuyer, stage, env)?,
            );
        }
        Command::ConfirmReceipt => {
            plan.note(EventBody::ReturnReceived);
            after_return_received(case, &mut plan)?;
        }
        Command::DisputeReceipt { text } => {
            require_text("text", text)?;
            // The goods are with the merchant: the platform decides, the buyer's silence never does.
            escalate(case, EventBody::ReturnDisputed { text: text.trim().to_owned() }, &mut plan)?;
        }
        Command::ShipReplacement(shipping) => {
            let shipment = shipment(shipping, env)?;
            plan.moving(EventBody::ReplacementShipped { shipment }, enter(case, AwaitingBuyerReceipt, stage, env)?);
        }
        Command::ProveOfflineRefund { note } => {
            require_text("note", note)?;
            let refund = failed_refund(case)?;
            plan.moving(
                EventBody::OfflineRefundProved { note: note.trim().to_owned(), amount: refund.amount },
                close(refund.outcome),
            );
        }
        Command::AcceptMediation | Command::DeclineMediation => {
            let (party, mediation) = mediation_answer(case, actor)?;
            let theirs = match party {
                Party::Buyer => mediation.merchant_accepted,
                _ => mediation.buyer_accepted,
            };
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
                AwaitingEvidence => plan.moving(body, back_to_review(case, env)?),
                _ => plan.note(body),
            }
        }
        Command::Appeal { reason } => {
            let party = as_party(case, actor)?;
            require_text("reason", reason)?;
            let mut reopened = case.clone();
            reopened.escalated_at = Some(env.now);
            reopened.agent_acted = false;
            reopened.sla_breaches = 0;
            reopened.decision_sla_flagged = false;
            let transition = enter(&reopened, PlatformReview, Stage::Platform, env)?;
            plan.moving(EventBody::AppealFiled { party, reason: reason.trim().to_owned() }, transition);
        }
        Command::Take => take(case, as_agent(actor)?, &mut plan)?,
        Command::RequestEvidence { party, what, due_in_hours } => {
            let party = Party::from(*party);
            require_text("what", what)?;
            let hours = due_in_hours.unwrap_or(env.policy.evidence_hours);
            if !(1..=30 * 24).contains(&hours) {
                return Err(Rejection::invalid(Detail::Range { field: "due_in_hours".into(), min: 1, max: 720 }));
            }
            take_if_unassigned(case, actor, &mut plan)?;
            let transition = Transition {
                to: AwaitingEvidence,
                stage: Stage::Platform,
                deadline: Some(deadlines::evidence(env, party, hours)),
                outcome: None,
            };
            let request = EvidenceRequest { party, what: what.trim().to_owned() };
            plan.moving(EventBody::EvidenceRequested { request }, transition);
        }
        Command::ProposeMediation(Proposal { remedy, note }) => {
            check_remedy(case, remedy)?;
            check_text("note", note)?;
            take_if_unassigned(case, actor, &mut plan)?;
            plan.moving(
                EventBody::MediationProposed { remedy: *remedy, note: note.trim().to_owned() },
                enter(case, AwaitingMediation, Stage::Platform, env)?,
            );
        }
        Command::Decide { remedy, liable, rationale, cited_rule } => {
            let liable = liable.map(Party::from);
            if remedy.is_none() && liable == Some(Party::Merchant) {
                return Err(liable_without_remedy());
            }
            require_text("rationale", rationale)?;
            require_text("cited_rule", cited_rule)?;
            if let Some(remedy) = remedy {
                check_remedy(case, remedy)?;
            }
            take_if_unassigned(case, actor, &mut plan)?;
            let body = EventBody::Decided {
                remedy: *remedy,
                liable,
                rationale: rationale.trim().to_owned(),
                cited_rule: cited_rule.trim().to_owned(),
            };
            rule(case, *remedy, body, &mut plan)?;
        }
        Command::ReviewAppeal { uphold, remedy, rationale, cited_rule } => {
            let appeal = case
                .pending_appeal()
                .ok_or_else(|| Rejection::with(RejectionCode::NotAllowedInState, Detail::NoPendingAppeal))?;
            require_text("rationale", rationale)?;
            require_text("cited_rule", cited_rule)?;
            match (uphold, remedy) {
                (false, Some(remedy)) => check_remedy(case, remedy)?,
                (false, None) if paid_out(case) > crate::money::Money::ZERO => {
                    let paid = paid_out(case).to_string();
                    return Err(Rejection::with(
                        RejectionCode::NotAllowedInState,
                        Detail::DismissalAfterPayout { paid },
                    ));
                }
                _ => {}
            }
            take_if_unassigned(case, actor, &mut plan)?;
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
                rule(case, *remedy, body, &mut plan)?;
            }
        }
        Command::Timeout { due } => {
            let deadline = case.deadline.as_ref().filter(|d| same_micros(d.due, *due) && d.on_timeout.fires());
            let Some(deadline) = deadline else {
                return Err(Rejection::with(RejectionCode::NotDue, Detail::StaleTimeout));
            };
            timeout(case, deadline.on_timeout, &mut plan)?;
        }
        Command::RecountDeadline { year } => {
            let (body, transition) = deadlines::recount(case, *year, env)?;
            plan.moving(body, transition);
        }
        Command::RecordClockRecount { clock, year, old_due, new_due } => {
            let (clock, year, old_due, new_due) = (clock.clone(), *year, *old_due, *new_due);
            plan.note(EventBody::DeadlineRecounted { clock, year, old_due, new_due });
        }
        Command::RefundSucceeded { refund_id } | Command::RefundFailed { refund_id, .. } => {
            let refund = case
                .refund
                .as_ref()
                .filter(|r| &r.refund_id == refund_id)
                .ok_or_else(|| Rejection::invalid(Detail::UnknownRefund))?;
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

/// The buyer may ask the platform in while negotiating, once the merchant has rejected or the
/// negotiation period has passed, and not after the platform has ruled.
/// A ruling without a remedy dismisses the claim (closed `rejected`): holding the merchant
/// liable while awarding nothing contradicts it, and is refused rather than read either way.
fn liable_without_remedy() -> Rejection {
    Rejection::invalid(Detail::LiableWithoutRemedy { field: "liable".into() })
}

fn may_escalate(case: &Case, env: &Env) -> Result<(), Rejection> {
    in_state(case, NEGOTIATION)?;
    if case.stage == Stage::Platform {
        // The platform has ruled: its remedy is being carried out; an appeal is the way back.
        return Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::PlatformRuled));
    }
    if case.state != MerchantRejected && case.stage == Stage::Negotiation {
        let days = env.policy.negotiation_min_working_days;
        let earliest = env.calendar.add_working_days(case.filed_at, days).map_err(calendar_rejection)?;
        if env.now < earliest {
            return Err(too_early(earliest, days));
        }
    }
    Ok(())
}

/// When the buyer may escalate (told in Beijing time), and why not yet.
fn too_early(earliest: jiff::Timestamp, days: u32) -> Rejection {
    Rejection::with(RejectionCode::EscalationTooEarly, Detail::EscalateFrom { earliest, days })
}

/// The last instant a decided case may be appealed: the appeal window from its closing.
pub fn appeal_window_end(case: &Case, policy: &crate::policy::Policy) -> jiff::Timestamp {
    let closed_at = case.closed_at.unwrap_or(case.filed_at);
    closed_at.saturating_add(policy.duration(policy.appeal_window_hours)).expect("in range")
}

fn may_appeal(case: &Case, actor: Actor, env: &Env) -> Result<(), Rejection> {
    let party = as_party(case, actor)?;
    in_state(case, &[Closed])?;
    if case.decision.is_none() {
        return Err(Rejection::new(RejectionCode::NoDecisionToAppeal));
    }
    if case.appeals.iter().any(|a| a.party == party) {
        return Err(Rejection::new(RejectionCode::AlreadyAppealed));
    }
    let window_end = appeal_window_end(case, env.policy);
    if env.now > window_end {
        return Err(Rejection::with(RejectionCode::AppealWindowClosed, Detail::AppealWindowEnded { at: window_end }));
    }
    Ok(())
}

/// The party answering the mediation proposal and the proposal, if they have not answered yet.
fn mediation_answer(case: &Case, actor: Actor) -> Result<(Party, &crate::case::Mediation), Rejection> {
    let party = as_party(case, actor)?;
    in_state(case, &[AwaitingMediation])?;
    let mediation = case.mediation.as_ref().ok_or(Rejection::new(RejectionCode::NotAllowedInState))?;
    let mine = if party == Party::Buyer { mediation.buyer_accepted } else { mediation.merchant_accepted };
    if mine.is_some() {
        return Err(Rejection::new(RejectionCode::AlreadyAnsweredMediation));
    }
    Ok((party, mediation))
}

fn failed_refund(case: &Case) -> Result<&PendingRefund, Rejection> {
    case.refund
        .as_ref()
        .filter(|r| r.failed)
        .ok_or_else(|| Rejection::with(RejectionCode::NotAllowedInState, Detail::RefundNotFailed))
}

fn as_system(actor: Actor) -> Result<(), Rejection> {
    match actor {
        Actor::System => Ok(()),
        _ => Err(Rejection::new(RejectionCode::NotYourTurn)),
    }
}

/// An agent acting on a case in review: theirs, or unassigned and not their own ruling under appeal.
fn as_assigned_agent(case: &Case, actor: Actor) -> Result<UserId, Rejection> {
    let agent = as_agent(actor)?;
    in_state(case, &[PlatformReview])?;
    match case.assigned_agent {
        Some(a) if a == agent => Ok(agent),
        Some(_) => Err(Rejection::with(RejectionCode::NotAssigned, Detail::AnotherAgentsCase)),
        None => check_not_own_appeal(case, agent).map(|()| agent),
    }
}

/// An unassigned case is taken by the first agent who acts on it.
fn take_if_unassigned(case: &Case, actor: Actor, plan: &mut Plan) -> Result<(), Rejection> {
    match (case.assigned_agent, actor) {
        (None, Actor::Agent { user }) => take(case, user, plan),
        _ => Ok(()),
    }
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

/// The refusal of an action on a closed case, with when and how it closed.
fn closed(case: &Case) -> Rejection {
    match (case.closed_at, case.outcome) {
        (Some(at), Some(outcome)) => Rejection::with(RejectionCode::CaseClosed, Detail::ClosedAs { at, outcome }),
        _ => Rejection::new(RejectionCode::CaseClosed),
    }
}

fn in_state(case: &Case, allowed: &[CaseState]) -> Result<(), Rejection> {
    if allowed.contains(&case.state) {
        Ok(())
    } else if case.state == Closed {
        Err(closed(case))
    } else {
        Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::InState { state: case.state }))
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
        let cap = case.refundable.max(statutory).saturating_remaining(paid_out(case));
        return check_demand(true, true, remedy.amount, cap);
    }
    check_demand(remedy.kind.pays_money(), false, remedy.amount, remaining(case))
}

fn shipment(Shipping { carrier, tracking_no }: &Shipping, env: &Env) -> Result<Shipment, Rejection> {
    require_text("carrier", carrier)?;
    require_text("tracking_no", tracking_no)?;
    if tracking_no.trim().len() > 64 || carrier.trim().chars().count() > 64 {
        return Err(Rejection::invalid(Detail::too_long("carrier, tracking_no", 64)));
    }
    Ok(Shipment { carrier: carrier.trim().to_owned(), tracking_no: tracking_no.trim().to_owned(), shipped_at: env.now })
}

fn no_pending_appeal(case: &Case) -> Result<(), Rejection> {
    match case.pending_appeal() {
        Some(_) => Err(Rejection::with(RejectionCode::NotAllowedInState, Detail::AppealPending)),
        None => Ok(()),
    }
}

fn check_not_own_appeal(case: &Case, agent: UserId) -> Result<(), Rejection> {
    if case.pending_appeal().is_some() && case.decision.as_ref().is_some_and(|d| d.agent == agent) {
        return Err(Rejection::with(RejectionCode::OwnDecision, Detail::OwnRulingUnderAppeal));
    }
    Ok(())
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
                .ok_or_else(|| Rejection::invalid(Detail::NoRefundPending))?;
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
