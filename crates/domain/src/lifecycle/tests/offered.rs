//! The catalogue of actions against the rules: over random reachable cases, every actor and
//! every kind, what `offered` lists is exactly what `decide` accepts with valid arguments, and
//! what it leaves out is refused for who or when (the kind's `permit`), never for an argument.

use super::properties::{ACTORS, actor, opening, play_visiting, steps};
use super::*;
use crate::command::CommandKind;
use crate::lifecycle::{offered, permit};
use proptest::prelude::*;
use proptest::sample::select;

/// The random choices behind one set of valid arguments.
#[derive(Clone, Copy, Debug)]
struct Pick {
    /// Which variant of an enum argument (request kind, remedy kind, party, reason...).
    index: usize,
    /// The share of the most that may be asked, in thousandths (at least one fen).
    share: u16,
    flag: bool,
}

fn pick() -> impl Strategy<Value = Pick> {
    (any::<usize>(), 1u16..=1000, any::<bool>()).prop_map(|(index, share, flag)| Pick { index, share, flag })
}

/// What the case may still pay out: a refund within the refundable price (compensation may go
/// further, up to statutory damages, but staying below the price is always valid).
fn room(case: &Case) -> Money {
    let paid_out = case.refunded_total.checked_add(case.compensated_total).expect("in range");
    case.refundable.saturating_remaining(paid_out)
}

/// A remedy valid on this case: money within what is left, or one that carries none.
fn remedy(case: &Case, p: Pick) -> Remedy {
    let room = room(case).fen();
    let kinds: Vec<RemedyKind> = RemedyKind::ALL.iter().copied().filter(|k| room > 0 || !k.pays_money()).collect();
    let kind = kinds[p.index % kinds.len()];
    let amount = if kind.pays_money() { fen((room * i64::from(p.share) / 1000).max(1)) } else { Money::ZERO };
    Remedy { kind, amount }
}

/// Well-formed, valid arguments for `kind` on this case.
fn valid(kind: CommandKind, case: &Case, p: Pick) -> Command {
    use CommandKind as K;
    let text = || says("见附图 / see the photos");
    let side = [Side::Buyer, Side::Merchant][p.index % 2];
    match kind {
        K::Message => {
            Command::Message { text: text(), evidence: case.evidence.iter().take(p.index % 2).copied().collect() }
        }
        K::Revise => {
            let kinds: Vec<RequestKind> = RequestKind::ALL
                .iter()
                .copied()
                .filter(|k| room(case).is_positive() || !RemedyKind::requested(*k).pays_money())
                .collect();
            let kind = kinds[p.index % kinds.len()];
            let amount = if RemedyKind::requested(kind).pays_money() {
                fen((room(case).fen() * i64::from(p.share) / 1000).max(1))
            } else {
                Money::ZERO
            };
            let description = p.flag.then(|| format!("revised {}", p.share));
            Command::Revise(Revision { kind: Some(kind), amount: Some(amount), description })
        }
        K::Withdraw => Command::Withdraw,
        K::AcceptOffer => Command::AcceptOffer,
        K::DeclineOffer => Command::DeclineOffer,
        K::Answer => Command::Answer { text: text() },
        K::ShipReturn => ship_return("SF1234567890"),
        K::ConfirmReplacement => Command::ConfirmReplacement,
        K::Escalate => Command::Escalate { text: if p.flag { text() } else { String::new() } },
        K::Rate => Command::Rate { stars: (p.index % 5) as u8 + 1, comment: String::new() },
        K::Approve => Command::Approve,
        K::Reject => Command::Reject { reason: RejectReason::ALL[p.index % RejectReason::ALL.len()], text: text() },
        K::Offer => Command::Offer(Proposal { remedy: remedy(case, p), note: String::new() }),
        K::Ask => ask("which colour?"),
        K::ConfirmReceipt => Command::ConfirmReceipt,
        K::DisputeReceipt => Command::DisputeReceipt { text: text() },
        K::ShipReplacement => ship_replacement("YT9876543210"),
        K::ProveOfflineRefund => Command::ProveOfflineRefund { note: text() },
        K::AcceptMediation => Command::AcceptMediation,
        K::DeclineMediation => Command::DeclineMediation,
        K::SubmitEvidence => evidence("the courier's note"),
        K::Appeal => appeal(),
        K::Take => Command::Take,
        K::RequestEvidence => {
            let due_in_hours = p.flag.then_some(i64::from(p.share % 720) + 1);
            Command::RequestEvidence { party: side, what: text(), due_in_hours }
        }
        K::ProposeMediation => Command::ProposeMediation(Proposal { remedy: remedy(case, p), note: text() }),
        K::Decide => Command::Decide {
            remedy: p.flag.then(|| remedy(case, p)),
            // A dismissal holds nobody or the buyer liable, never the merchant.
            liable: if p.flag {
                [None, Some(Side::Buyer), Some(Side::Merchant)][p.index % 3]
            } else {
                [None, Some(Side::Buyer)][p.index % 2]
            },
            rationale: text(),
            cited_rule: says("平台争议处理规则"),
        },
        K::ReviewAppeal => {
            // Once money went out, an overturn names a remedy: it may not become a dismissal.
            let paid = case.refunded_total.is_positive() || case.compensated_total.is_positive();
            review(p.flag, (p.index.is_multiple_of(2) || (!p.flag && paid)).then(|| remedy(case, p)))
        }
        K::Timeout => Command::Timeout { due: case.deadline.as_ref().map_or(t0(), |d| d.due) },
        K::RefundSucceeded | K::RefundFailed => {
            let refund_id = case.refund.as_ref().map_or_else(|| says("none"), |r| r.refund_id.clone());
            match kind {
                K::RefundSucceeded => Command::RefundSucceeded { refund_id },
                _ => Command::RefundFailed { refund_id, reason: says("gateway error"), over_limit: p.flag },
            }
        }
        K::RecountDeadline => {
            Command::RecountDeadline { year: case.deadline.as_ref().and_then(|d| d.provisional_year).unwrap_or(2027) }
        }
        K::RecordClockRecount => Command::RecordClockRecount {
            clock: says("regulator_12315"),
            year: 2027,
            old_due: t0(),
            new_due: plus(t0(), 24),
        },
        K::AddEvidence => file(u128::from(p.share), p.flag),
    }
}

/// Refusals that are about who is asking or the case's state and time, never the arguments.
fn is_who_or_when(code: Code) -> bool {
    !matches!(code, Code::InvalidInput | Code::AmountNotPositive | Code::AmountExceedsRefundable)
}

/// Every kind for every actor on this case at `now`.
fn check_catalogue(case: &Case, now: Timestamp, p: Pick) -> Result<(), TestCaseError> {
    let env = env(now);
    for i in 0..ACTORS {
        let actor = actor(i);
        let open = offered(case, actor, &env);
        for kind in CommandKind::all() {
            let command = valid(kind, case, p);
            prop_assert_eq!(command.kind(), kind);
            let permitted = permit(case, actor, kind, &env);
            prop_assert_eq!(open.contains(&kind), permitted.is_ok() && !kind.is_system());
            let answer = decide(case, &command, actor, &env);
            match permitted {
                Ok(()) => prop_assert!(
                    answer.is_ok(),
                    "{kind} permitted to {actor:?} in {} but {command:?} refused: {:?}",
                    case.state,
                    answer
                ),
                Err(refusal) => {
                    prop_assert!(is_who_or_when(refusal.code), "{kind} refused for an argument: {refusal}");
                    prop_assert_eq!(answer, Err(refusal), "{} refused otherwise than by permit", kind);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn offered_actions_are_accepted_and_others_refused_for_who_or_when(
        which in 0usize..8,
        kind in select(RequestKind::ALL),
        amount in 1..=PAID,
        start in 0i64..168,
        steps in steps(),
        p in pick(),
    ) {
        play_visiting(opening(which, kind, amount, start), steps, &mut |case, now| check_catalogue(case, now, p))?;
    }
}

/// The serde tag of every command is its kind's API name, so a route can build the command from
/// the name and the body.
#[test]
fn every_kind_has_its_name_as_the_serde_tag() {
    let s = escalated();
    for kind in CommandKind::all() {
        let command = valid(kind, &s.case, Pick { index: 0, share: 500, flag: true });
        let serde_json::Value::Object(mut fields) = serde_json::to_value(&command).unwrap() else { unreachable!() };
        assert_eq!(fields.remove("action"), Some(kind.name().into()));
        assert_eq!(Command::from_action(kind, fields).unwrap(), command);
    }
}

/// DESIGN.md: the buyer may revise while the merchant has not answered, or after a rejection.
#[test]
fn revise_is_offered_to_the_buyer_while_the_merchant_has_not_answered_or_rejected() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    let offered_to = |s: &Story, who: Actor| offered(&s.case, who, &env(s.now));
    assert!(offered_to(&s, buyer()).contains(&CommandKind::Revise), "awaiting_merchant: {:?}", offered_to(&s, buyer()));
    assert!(!offered_to(&s, merchant()).contains(&CommandKind::Revise));
    s.later(1).act(merchant(), reject(), &["rejected"]);
    assert!(offered_to(&s, buyer()).contains(&CommandKind::Revise), "merchant_rejected");
    s.later(1).act(buyer(), escalate(), &["escalated"]);
    assert!(!offered_to(&s, buyer()).contains(&CommandKind::Revise), "platform_review");
}
