//! Lifecycle tests: one scenario per path of DESIGN.md ("The case lifecycle", "Transitions"),
//! then the "Rules that always hold" as properties over random command sequences.
//!
//! The clock is Asia/Shanghai (fixed +08:00); the business calendar is Monday–Friday and covers
//! 2025–2030 only, so a gap is an error as in production. T0 is Monday 2026-03-02 10:00.

use super::{CalendarGap, Env, WorkingCalendar, apply, decide, decide_filing};
use crate::actor::{Actor, Party};
use crate::case::{Case, CaseState, ItemRef, OnTimeout, Outcome, Remedy, Stage};
use crate::command::{Command, FileCase};
use crate::event::{Event, EventBody};
use crate::ids::{CaseId, MerchantId, OrderId, UserId};
use crate::money::Money;
use crate::order::{LineItem, Order, OrderHistory};
use crate::policy::Policy;
use crate::rejection::{Rejection, RejectionCode};
use crate::vocabulary::{Reason, RejectReason, RemedyKind, RequestKind, SalesChannel};
use jiff::civil::{Date, Weekday, date};
use jiff::tz::{self, TimeZone};
use jiff::{SignedDuration, Timestamp};
use std::sync::LazyLock;
use uuid::Uuid;

use CaseState::*;
use RejectionCode as Code;

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

const PAID: i64 = 19_900;
const BUYER: UserId = UserId(Uuid::from_u128(1));
const STRANGER: UserId = UserId(Uuid::from_u128(2));
const AGENT_A: UserId = UserId(Uuid::from_u128(3));
const AGENT_B: UserId = UserId(Uuid::from_u128(4));
const MERCHANT: MerchantId = MerchantId(Uuid::from_u128(10));
const OTHER_MERCHANT: MerchantId = MerchantId(Uuid::from_u128(11));
const ORDER: OrderId = OrderId(Uuid::from_u128(20));
const CASE: CaseId = CaseId(Uuid::from_u128(30));

static POLICY: LazyLock<Policy> = LazyLock::new(Policy::default);

fn shanghai() -> TimeZone {
    TimeZone::fixed(tz::offset(8))
}

/// Monday–Friday working days in Asia/Shanghai, covering 2025–2030.
struct MondayToFriday;

impl WorkingCalendar for MondayToFriday {
    fn add_working_days(&self, from: Timestamp, days: u32) -> Result<Timestamp, CalendarGap> {
        let covered = |d: Date| {
            if (2025..=2030).contains(&d.year()) {
                Ok(d)
            } else {
                Err(CalendarGap { year: d.year() })
            }
        };
        let mut day = covered(from.to_zoned(shanghai()).date())?;
        let mut left = days;
        while left > 0 {
            day = covered(day.tomorrow().expect("in range"))?;
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                left -= 1;
            }
        }
        Ok(start_of(day.tomorrow().expect("in range")))
    }
}

fn env(now: Timestamp) -> Env<'static> {
    Env {
        now,
        policy: &POLICY,
        calendar: &MondayToFriday,
    }
}

/// 00:00 Shanghai at the start of `day`; the end of a day is the start of the next.
fn start_of(day: Date) -> Timestamp {
    day.to_zoned(shanghai()).expect("in range").timestamp()
}

fn cst(y: i16, m: i8, d: i8, h: i8) -> Timestamp {
    date(y, m, d)
        .at(h, 0, 0, 0)
        .to_zoned(shanghai())
        .expect("in range")
        .timestamp()
}

fn t0() -> Timestamp {
    cst(2026, 3, 2, 10)
}

fn plus(t: Timestamp, hours: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_hours(hours))
        .expect("in range")
}

fn buyer() -> Actor {
    Actor::Buyer { user: BUYER }
}
fn stranger() -> Actor {
    Actor::Buyer { user: STRANGER }
}
fn merchant() -> Actor {
    Actor::Merchant {
        merchant: MERCHANT,
        user: Some(UserId(Uuid::from_u128(12))),
        token: None,
    }
}
fn other_merchant() -> Actor {
    Actor::Merchant {
        merchant: OTHER_MERCHANT,
        user: None,
        token: None,
    }
}
fn agent_a() -> Actor {
    Actor::Agent { user: AGENT_A }
}
fn agent_b() -> Actor {
    Actor::Agent { user: AGENT_B }
}
const SYSTEM: Actor = Actor::System;

/// A paid order of two line items: 2 × ¥59.50 mugs and one ¥80.00 lamp, ¥199.00 paid.
fn order() -> Order {
    let item = |sku: &str, quantity, fen| LineItem {
        sku: sku.into(),
        title: format!("{sku} title"),
        quantity,
        unit_price: Money::from_fen(fen),
        flags: Default::default(),
    };
    Order {
        id: ORDER,
        number: "R2026022500001".into(),
        merchant_id: MERCHANT,
        buyer_id: BUYER,
        channel: SalesChannel::ChannelsShop,
        items: vec![item("MUG", 2, 5_950), item("LAMP", 1, 8_000)],
        amount_paid: Money::from_fen(PAID),
        payment_transaction_id: Some("wx-4200001".into()),
        paid_at: Some(cst(2026, 2, 25, 9)),
        shipped_at: Some(cst(2026, 2, 26, 9)),
        signed_at: Some(cst(2026, 2, 28, 15)),
        created_at: cst(2026, 2, 25, 9),
    }
}

fn request(kind: RequestKind, reason: Reason, amount: i64) -> FileCase {
    FileCase {
        kind,
        reason,
        items: vec![ItemRef {
            sku: "MUG".into(),
            quantity: 1,
        }],
        amount: Money::from_fen(amount),
        description: "  The mug arrived cracked along the handle.  ".into(),
    }
}

fn fen(amount: i64) -> Money {
    Money::from_fen(amount)
}
fn refund(amount: i64) -> Remedy {
    Remedy {
        kind: RemedyKind::Refund,
        amount: fen(amount),
    }
}
fn says(s: &str) -> String {
    s.to_owned()
}
fn reject() -> Command {
    Command::Reject {
        reason: RejectReason::UsedOrDamagedByBuyer,
        text: says("scratches from use on the photos"),
    }
}
fn escalate() -> Command {
    Command::Escalate {
        text: says("the merchant will not refund a defective mug"),
    }
}
fn ruling(remedy: Option<Remedy>) -> Command {
    Command::Decide {
        remedy,
        liable: Some(Party::Merchant),
        rationale: says("the photos show a manufacturing crack"),
        cited_rule: says("消费者权益保护法第二十四条"),
    }
}
fn review(uphold: bool, remedy: Option<Remedy>) -> Command {
    Command::ReviewAppeal {
        uphold,
        remedy,
        rationale: says("reviewed the file"),
        cited_rule: says("平台争议处理规则"),
    }
}
fn appeal() -> Command {
    Command::Appeal {
        reason: says("the decision ignores my evidence"),
    }
}
fn ship(tracking_no: &str) -> (String, String) {
    (says("SF Express"), says(tracking_no))
}

/// `decide` then fold the events with `apply`.
fn step(
    case: &Case,
    cmd: &Command,
    actor: Actor,
    now: Timestamp,
) -> Result<(Case, Vec<Event>), Rejection> {
    let events = decide(case, cmd, actor, &env(now))?;
    let case = events.iter().fold(case.clone(), apply);
    Ok((case, events))
}

fn run(case: Case, cmd: Command, actor: Actor, now: Timestamp) -> Result<Case, Rejection> {
    step(&case, &cmd, actor, now).map(|(case, _)| case)
}

fn types(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.body.type_name()).collect()
}

/// A case being walked through its life, with its event log and the clock.
struct Story {
    case: Case,
    log: Vec<Event>,
    now: Timestamp,
}

impl Story {
    fn file(kind: RequestKind, reason: Reason, amount: i64) -> Story {
        Story::file_at(t0(), kind, reason, amount)
    }

    fn file_at(now: Timestamp, kind: RequestKind, reason: Reason, amount: i64) -> Story {
        let filed = decide_filing(
            CASE,
            &request(kind, reason, amount),
            &order(),
            &OrderHistory::default(),
            1,
            buyer(),
            &env(now),
        )
        .expect("filing accepted");
        let case = Case::replay([&filed]).expect("starts with filed");
        Story {
            case,
            log: vec![filed],
            now,
        }
    }

    fn later(&mut self, hours: i64) -> &mut Story {
        self.now = plus(self.now, hours);
        self
    }

    /// Runs an accepted command; returns the type names of its events.
    fn ok(&mut self, actor: Actor, cmd: Command) -> Vec<&'static str> {
        let (case, events) = step(&self.case, &cmd, actor, self.now)
            .unwrap_or_else(|r| panic!("{} refused: {r}", cmd.action_name()));
        self.case = case;
        self.log.extend(events.iter().cloned());
        assert_eq!(
            Case::replay(&self.log).as_ref(),
            Some(&self.case),
            "replay differs"
        );
        types(&events)
    }

    fn refused(&self, actor: Actor, cmd: Command) -> RejectionCode {
        match decide(&self.case, &cmd, actor, &env(self.now)) {
            Err(r) => r.code,
            Ok(events) => panic!("{} accepted: {:?}", cmd.action_name(), types(&events)),
        }
    }

    fn due(&self) -> Timestamp {
        self.case.deadline.as_ref().expect("a deadline").due
    }

    /// Lets the deadline pass and has the sweeper fire it.
    fn fire(&mut self) -> Vec<&'static str> {
        let due = self.due();
        self.now = self.now.max(due);
        self.ok(SYSTEM, Command::Timeout { due })
    }

    fn refund_id(&self) -> String {
        self.case
            .refund
            .as_ref()
            .expect("a pending refund")
            .refund_id
            .clone()
    }

    /// The case waits in `state` for `waits` until `due`, then `on_timeout`.
    fn waits(&self, state: CaseState, due: Timestamp, waits: &[Party], on_timeout: OnTimeout) {
        assert_eq!(self.case.state, state);
        let deadline = self
            .case
            .deadline
            .as_ref()
            .expect("an open case has a deadline");
        assert_eq!(
            (
                deadline.due,
                deadline.waits_for.as_slice(),
                deadline.on_timeout
            ),
            (due, waits, on_timeout)
        );
        assert_eq!(self.case.outcome, None);
    }

    /// Like `waits`, with a natural-time deadline of `hours` from now.
    fn waits_hours(&self, state: CaseState, hours: i64, waits: &[Party], on_timeout: OnTimeout) {
        self.waits(state, plus(self.now, hours), waits, on_timeout);
    }

    fn closed(&self, outcome: Outcome) {
        assert_eq!(
            (self.case.state, self.case.stage, self.case.outcome),
            (Closed, Stage::Closed, Some(outcome))
        );
        assert_eq!(self.case.deadline, None);
        assert_eq!(self.case.closed_at, Some(self.now));
    }
}

use OnTimeout::*;
use Party::{Buyer as B, Merchant as M, Platform as P, System as S};

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn seeds_main_path_reject_escalate_evidence_decide_refunded() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    assert_eq!(types(&s.log), ["filed"]);
    assert_eq!(
        s.case.description,
        "The mug arrived cracked along the handle."
    );
    s.waits_hours(AwaitingMerchant, 48, &[M], AutoApprove);
    assert_eq!(s.case.stage, Stage::Negotiation);

    assert_eq!(s.later(5).ok(merchant(), reject()), ["rejected"]);
    s.waits_hours(MerchantRejected, 7 * 24, &[B], Close(Outcome::Expired));

    assert_eq!(s.later(2).ok(buyer(), escalate()), ["escalated"]);
    // First action within 3 working days of Monday: the end of Thursday.
    s.waits(PlatformReview, cst(2026, 3, 6, 0), &[P], FlagFirstActionSla);
    assert_eq!(
        (s.case.stage, s.case.escalated_at),
        (Stage::Platform, Some(s.now))
    );

    let ask = Command::RequestEvidence {
        party: B,
        what: says("photos of the crack"),
        due_in_hours: None,
    };
    assert_eq!(
        s.later(3).ok(agent_a(), ask),
        ["taken", "evidence_requested"]
    );
    s.waits_hours(AwaitingEvidence, 72, &[B], BackToPlatformReview);
    assert_eq!(
        s.refused(merchant(), Command::SubmitEvidence { text: says("x") }),
        Code::NotNamedForEvidence
    );

    assert_eq!(
        s.later(20).ok(
            buyer(),
            Command::SubmitEvidence {
                text: says("3 photos")
            }
        ),
        ["evidence_submitted"]
    );
    // The decision is due within 15 working days of the escalation: the end of Monday 03-23.
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], FlagDecisionSla);

    assert_eq!(
        s.later(4).ok(agent_a(), ruling(Some(refund(PAID)))),
        ["decided", "refund_started"]
    );
    s.waits_hours(Refunding, 24, &[S], RequireOfflineRefund);
    assert_eq!(
        s.case
            .decision
            .as_ref()
            .map(|d| (d.agent, d.cited_rule.as_str())),
        Some((AGENT_A, "消费者权益保护法第二十四条"))
    );

    let refund_id = s.refund_id();
    assert_eq!(
        s.refused(
            merchant(),
            Command::RefundSucceeded {
                refund_id: refund_id.clone()
            }
        ),
        Code::NotYourTurn
    );
    assert_eq!(
        s.later(1)
            .ok(SYSTEM, Command::RefundSucceeded { refund_id }),
        ["refund_succeeded"]
    );
    s.closed(Outcome::Refunded);
    assert_eq!(s.case.refunded_total, fen(PAID));
}

#[test]
fn silent_merchant_is_auto_approved_after_48_hours() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, 12_000);
    assert_eq!(s.fire(), ["timed_out", "approved", "refund_started"]);
    assert_eq!(s.now, plus(t0(), 48));
    s.waits_hours(Refunding, 24, &[S], RequireOfflineRefund);
    assert_eq!(s.case.remedy, Some(refund(12_000)));
}

#[test]
fn return_never_confirmed_is_auto_refunded_after_10_days() {
    let mut s = Story::file(RequestKind::ReturnRefund, Reason::NotAsDescribed, PAID);
    assert_eq!(s.later(3).ok(merchant(), Command::Approve), ["approved"]);
    s.waits_hours(
        AwaitingReturnShipment,
        7 * 24,
        &[B],
        Close(Outcome::Cancelled),
    );
    let (carrier, tracking_no) = ship("SF100200300");
    assert_eq!(
        s.later(24).ok(
            buyer(),
            Command::ShipReturn {
                carrier,
                tracking_no
            }
        ),
        ["return_shipped"]
    );
    s.waits_hours(ReturnInTransit, 10 * 24, &[M], AutoRefund);
    assert_eq!(
        s.case
            .return_shipment
            .as_ref()
            .map(|r| r.tracking_no.as_str()),
        Some("SF100200300")
    );

    assert_eq!(s.fire(), ["timed_out", "refund_started"]);
    s.waits_hours(Refunding, 24, &[S], RequireOfflineRefund);
    let refund_id = s.refund_id();
    assert_eq!(
        s.later(2)
            .ok(SYSTEM, Command::RefundSucceeded { refund_id }),
        ["refund_succeeded"]
    );
    s.closed(Outcome::Refunded);
}

#[test]
fn offers_are_limited_to_max_offers_rounds() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    let offer = || Command::Offer {
        remedy: refund(5_000),
        note: says("half, you keep the mug"),
    };
    for round in 1..=POLICY.max_offers {
        assert_eq!(s.later(1).ok(merchant(), offer()), ["offer_made"]);
        s.waits_hours(AwaitingBuyer, 7 * 24, &[B], Close(Outcome::Expired));
        assert_eq!(s.case.offers_made, round);
        assert_eq!(
            s.later(1).ok(buyer(), Command::DeclineOffer),
            ["offer_declined"]
        );
        s.waits_hours(AwaitingMerchant, 48, &[M], AutoApprove);
    }
    assert_eq!(s.refused(merchant(), offer()), Code::MaxOffersReached);
    assert_eq!(
        s.refused(buyer(), Command::DeclineOffer),
        Code::NotAllowedInState
    );
    assert_eq!(s.ok(merchant(), reject()), ["rejected"]);
}

#[test]
fn accepting_a_smaller_offer_ends_partially_refunded() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    let too_much = Command::Offer {
        remedy: refund(PAID + 1),
        note: says(""),
    };
    assert_eq!(
        s.refused(merchant(), too_much),
        Code::AmountExceedsRefundable
    );
    assert_eq!(
        s.ok(
            merchant(),
            Command::Offer {
                remedy: refund(12_000),
                note: says("¥120")
            }
        ),
        ["offer_made"]
    );
    assert_eq!(
        s.refused(stranger(), Command::AcceptOffer),
        Code::NotYourTurn
    );
    assert_eq!(
        s.later(5).ok(buyer(), Command::AcceptOffer),
        ["offer_accepted", "refund_started"]
    );
    assert_eq!(
        s.case.refund.as_ref().map(|r| (r.amount, r.outcome)),
        Some((fen(12_000), Outcome::PartiallyRefunded))
    );
    let refund_id = s.refund_id();
    s.ok(SYSTEM, Command::RefundSucceeded { refund_id });
    s.closed(Outcome::PartiallyRefunded);
    assert_eq!(s.case.refunded_total, fen(12_000));
}

#[test]
fn merchant_asks_and_buyer_answers() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    assert_eq!(
        s.refused(
            other_merchant(),
            Command::Ask {
                question: says("?")
            }
        ),
        Code::NotYourTurn
    );
    assert_eq!(
        s.ok(
            merchant(),
            Command::Ask {
                question: says("Which handle?")
            }
        ),
        ["question_asked"]
    );
    s.waits_hours(AwaitingBuyer, 7 * 24, &[B], Close(Outcome::Expired));
    assert_eq!(
        s.refused(buyer(), Command::AcceptOffer),
        Code::NoPendingOffer
    );
    assert_eq!(
        s.refused(buyer(), Command::Answer { text: says(" ") }),
        Code::InvalidInput
    );
    assert_eq!(
        s.later(2).ok(
            buyer(),
            Command::Answer {
                text: says("The left one")
            }
        ),
        ["question_answered"]
    );
    s.waits_hours(AwaitingMerchant, 48, &[M], AutoApprove);
    assert_eq!(s.case.pending_question, None);
}

#[test]
fn exchange_shipped_and_confirmed_ends_exchanged() {
    let mut s = Story::file(RequestKind::Exchange, Reason::WrongOrMissingItem, 0);
    assert_eq!(s.ok(merchant(), Command::Approve), ["approved"]);
    s.waits_hours(
        AwaitingReturnShipment,
        7 * 24,
        &[B],
        Close(Outcome::Cancelled),
    );
    let (carrier, tracking_no) = ship("SF1");
    s.later(10).ok(
        buyer(),
        Command::ShipReturn {
            carrier,
            tracking_no,
        },
    );
    assert_eq!(
        s.later(48).ok(merchant(), Command::ConfirmReceipt),
        ["return_received"]
    );
    s.waits_hours(AwaitingMerchantShipment, 72, &[M], EscalateToPlatform);
    let (carrier, tracking_no) = ship("SF2");
    assert_eq!(
        s.later(5).ok(
            merchant(),
            Command::ShipReplacement {
                carrier,
                tracking_no
            }
        ),
        ["replacement_shipped"]
    );
    s.waits_hours(
        AwaitingBuyerReceipt,
        10 * 24,
        &[B],
        Close(Outcome::Exchanged),
    );
    assert_eq!(
        s.later(30).ok(buyer(), Command::ConfirmReplacement),
        ["replacement_confirmed"]
    );
    s.closed(Outcome::Exchanged);
}

#[test]
fn reissue_closes_reissued_when_the_buyer_stays_silent() {
    let mut s = Story::file(RequestKind::Reissue, Reason::WrongOrMissingItem, 0);
    assert_eq!(s.ok(merchant(), Command::Approve), ["approved"]);
    s.waits_hours(AwaitingMerchantShipment, 72, &[M], EscalateToPlatform);
    let (carrier, tracking_no) = ship("YT9");
    assert_eq!(
        s.later(1).ok(
            merchant(),
            Command::ShipReplacement {
                carrier,
                tracking_no
            }
        ),
        ["replacement_shipped"]
    );
    s.waits_hours(
        AwaitingBuyerReceipt,
        10 * 24,
        &[B],
        Close(Outcome::Reissued),
    );
    assert_eq!(s.fire(), ["timed_out"]);
    s.closed(Outcome::Reissued);
}

#[test]
fn merchant_that_never_ships_a_reissue_is_escalated() {
    let mut s = Story::file(RequestKind::Reissue, Reason::WrongOrMissingItem, 0);
    s.ok(merchant(), Command::Approve);
    assert_eq!(s.fire(), ["timed_out"]);
    assert_eq!(
        (s.case.state, s.case.escalated_at),
        (PlatformReview, Some(s.now))
    );
}

#[test]
fn escalation_waits_three_working_days_unless_rejected() {
    // Filed Friday 10:00: three working days end with Wednesday (the weekend does not count).
    let mut s = Story::file_at(
        cst(2026, 3, 6, 10),
        RequestKind::RefundOnly,
        Reason::QualityDefect,
        PAID,
    );
    s.ok(
        merchant(),
        Command::Ask {
            question: says("Photos?"),
        },
    );
    s.now = cst(2026, 3, 11, 23);
    assert_eq!(s.refused(buyer(), escalate()), Code::EscalationTooEarly);
    s.now = cst(2026, 3, 12, 0);
    assert_eq!(s.ok(buyer(), escalate()), ["escalated"]);
    assert_eq!(s.refused(buyer(), escalate()), Code::NotAllowedInState);

    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    assert_eq!(
        s.later(1).refused(buyer(), escalate()),
        Code::EscalationTooEarly
    );
    s.later(1).ok(merchant(), reject());
    assert_eq!(s.later(1).ok(buyer(), escalate()), ["escalated"]);
}

#[test]
fn escalation_outside_the_calendar_is_an_error_not_a_guess() {
    let s = Story::file_at(
        cst(2031, 3, 3, 10),
        RequestKind::RefundOnly,
        Reason::QualityDefect,
        PAID,
    );
    let mut late = s;
    late.later(30 * 24);
    assert_eq!(late.refused(buyer(), escalate()), Code::CalendarNotCovered);
}

/// Filed, rejected and escalated at T0 + 2 h (Monday): in platform_review, unassigned.
fn escalated() -> Story {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.later(1).ok(merchant(), reject());
    s.later(1).ok(buyer(), escalate());
    s
}

#[test]
fn mediation_accepted_by_both_executes_the_remedy() {
    let mut s = escalated();
    let propose = Command::ProposeMediation {
        remedy: refund(10_000),
        note: says("split the loss"),
    };
    assert_eq!(
        s.later(2).ok(agent_a(), propose),
        ["taken", "mediation_proposed"]
    );
    s.waits_hours(AwaitingMediation, 72, &[B, M], BackToPlatformReview);
    assert_eq!(
        s.refused(agent_b(), Command::AcceptMediation),
        Code::NotYourTurn
    );
    assert_eq!(
        s.ok(buyer(), Command::AcceptMediation),
        ["mediation_answered"]
    );
    assert_eq!(s.case.state, AwaitingMediation);
    assert_eq!(
        s.refused(buyer(), Command::AcceptMediation),
        Code::AlreadyAnsweredMediation
    );
    assert_eq!(
        s.later(1).ok(merchant(), Command::AcceptMediation),
        ["mediation_answered", "refund_started"]
    );
    s.waits_hours(Refunding, 24, &[S], RequireOfflineRefund);
    assert_eq!(
        s.case.refund.as_ref().map(|r| (r.amount, r.outcome)),
        Some((fen(10_000), Outcome::PartiallyRefunded))
    );
}

#[test]
fn mediation_declined_or_unanswered_goes_back_to_review() {
    let mut s = escalated();
    let propose = || Command::ProposeMediation {
        remedy: refund(10_000),
        note: says(""),
    };
    s.ok(agent_a(), propose());
    assert_eq!(
        s.later(1).ok(merchant(), Command::DeclineMediation),
        ["mediation_answered"]
    );
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], FlagDecisionSla);
    assert_eq!(
        (s.case.mediation.as_ref(), s.case.assigned_agent),
        (None, Some(AGENT_A))
    );

    assert_eq!(s.refused(agent_b(), propose()), Code::NotAssigned);
    s.ok(agent_a(), propose());
    assert_eq!(s.fire(), ["timed_out"]);
    assert_eq!(s.case.state, PlatformReview);
}

#[test]
fn disputed_receipt_goes_to_the_platform() {
    let mut s = Story::file(RequestKind::ReturnRefund, Reason::NotAsDescribed, PAID);
    s.ok(merchant(), Command::Approve);
    let (carrier, tracking_no) = ship("SF3");
    s.later(20).ok(
        buyer(),
        Command::ShipReturn {
            carrier,
            tracking_no,
        },
    );
    assert_eq!(
        s.refused(merchant(), Command::DisputeReceipt { text: says("") }),
        Code::InvalidInput
    );
    let dispute = Command::DisputeReceipt {
        text: says("the returned mug is a different model"),
    };
    assert_eq!(s.later(40).ok(merchant(), dispute), ["return_disputed"]);
    // Escalated Wednesday 22:00: first action due by the end of the next Monday.
    s.waits(
        PlatformReview,
        cst(2026, 3, 10, 0),
        &[P],
        FlagFirstActionSla,
    );
    assert_eq!(s.case.escalated_at, Some(s.now));
}

#[test]
fn failed_refund_needs_offline_proof_within_48_hours() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(merchant(), Command::Approve);
    let refund_id = s.refund_id();
    assert_eq!(
        s.refused(
            merchant(),
            Command::ProveOfflineRefund {
                note: says("paid in cash")
            }
        ),
        Code::NotAllowedInState
    );
    assert_eq!(
        s.refused(buyer(), Command::Withdraw),
        Code::NotAllowedInState
    );
    let failed = Command::RefundFailed {
        refund_id: refund_id.clone(),
        reason: says("account closed"),
    };
    assert_eq!(s.later(2).ok(SYSTEM, failed.clone()), ["refund_failed"]);
    s.waits_hours(Refunding, 48, &[M], EscalateToPlatform);
    assert_eq!(decide(&s.case, &failed, SYSTEM, &env(s.now)), Ok(vec![]));
    let wrong = Command::RefundSucceeded {
        refund_id: says("other"),
    };
    assert_eq!(s.refused(SYSTEM, wrong), Code::InvalidInput);

    assert_eq!(
        s.later(30).ok(
            merchant(),
            Command::ProveOfflineRefund {
                note: says("bank transfer 0042")
            }
        ),
        ["offline_refund_proved"]
    );
    s.closed(Outcome::Refunded);
    assert_eq!(s.case.refunded_total, fen(PAID));
}

#[test]
fn unconfirmed_refund_then_no_offline_proof_goes_to_the_platform() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(merchant(), Command::Approve);
    assert_eq!(s.fire(), ["timed_out", "refund_failed"]);
    s.waits_hours(Refunding, 48, &[M], EscalateToPlatform);
    assert_eq!(s.fire(), ["timed_out"]);
    assert_eq!(
        (s.case.state, s.case.refund.as_ref(), s.case.refunded_total),
        (PlatformReview, None, Money::ZERO)
    );
}

/// `escalated()` then agent A rejects the claim: closed `rejected` at T0 + 4 h.
fn decided_rejected() -> Story {
    let mut s = escalated();
    assert_eq!(s.later(2).ok(agent_a(), ruling(None)), ["taken", "decided"]);
    s.closed(Outcome::Rejected);
    s
}

#[test]
fn appeal_is_reviewed_by_another_agent_who_may_uphold() {
    let mut s = decided_rejected();
    assert_eq!(s.refused(stranger(), appeal()), Code::NotYourTurn);
    assert_eq!(s.later(6 * 24).ok(buyer(), appeal()), ["appeal_filed"]);
    assert_eq!(
        (s.case.stage, s.case.assigned_agent),
        (Stage::Platform, None)
    );
    // Appealed on Sunday: the first action is due by the end of Wednesday.
    s.waits(
        PlatformReview,
        cst(2026, 3, 12, 0),
        &[P],
        FlagFirstActionSla,
    );

    assert_eq!(s.refused(agent_a(), review(true, None)), Code::OwnDecision);
    assert_eq!(s.refused(agent_a(), Command::Take), Code::OwnDecision);
    assert_eq!(s.refused(agent_b(), ruling(None)), Code::NotAllowedInState);
    assert_eq!(
        s.later(1).ok(agent_b(), review(true, None)),
        ["taken", "appeal_reviewed"]
    );
    s.closed(Outcome::Rejected);
    assert_eq!(s.case.pending_appeal(), None);
    assert_eq!(s.refused(buyer(), appeal()), Code::AlreadyAppealed);
}

#[test]
fn appeal_overturned_by_another_agent_executes_the_new_remedy() {
    let mut s = decided_rejected();
    s.later(24).ok(merchant(), appeal()); // a party may appeal even a ruling in its favour
    let events = s.later(1).ok(agent_b(), review(false, Some(refund(PAID))));
    assert_eq!(events, ["taken", "appeal_reviewed", "refund_started"]);
    s.waits_hours(Refunding, 24, &[S], RequireOfflineRefund);
}

#[test]
fn appeal_window_is_seven_days_and_needs_a_decision() {
    let mut s = decided_rejected();
    s.later(7 * 24 + 1);
    assert_eq!(s.refused(buyer(), appeal()), Code::AppealWindowClosed);

    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(buyer(), Command::Withdraw);
    assert_eq!(s.refused(buyer(), appeal()), Code::NoDecisionToAppeal);
}

#[test]
fn the_agent_who_overturned_never_reviews_the_appeal_of_the_overturn() {
    let mut s = decided_rejected();
    s.later(24).ok(buyer(), appeal());
    s.later(1).ok(agent_b(), review(false, Some(refund(PAID))));
    let refund_id = s.refund_id();
    s.later(1)
        .ok(SYSTEM, Command::RefundSucceeded { refund_id });
    s.closed(Outcome::Refunded);
    assert_eq!(s.later(24).ok(merchant(), appeal()), ["appeal_filed"]);
    // The ruling under appeal is now agent B's.
    assert_eq!(s.refused(agent_b(), review(true, None)), Code::OwnDecision);
    assert_eq!(
        s.ok(agent_a(), review(true, None)),
        ["taken", "appeal_reviewed"]
    );
    s.closed(Outcome::Refunded);
}

#[test]
fn platform_sla_is_flagged_never_decided() {
    let mut s = escalated();
    s.waits(PlatformReview, cst(2026, 3, 6, 0), &[P], FlagFirstActionSla);
    assert_eq!(s.fire(), ["sla_breached"]);
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], FlagDecisionSla);
    assert_eq!(s.case.sla_breaches, 1);
    assert_eq!(s.fire(), ["sla_breached"]);
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], Overdue);
    assert_eq!(
        (
            s.case.sla_breaches,
            s.case.sweep_at(),
            s.case.decision.as_ref()
        ),
        (2, None, None)
    );
    assert_eq!(
        s.refused(
            SYSTEM,
            Command::Timeout {
                due: cst(2026, 3, 24, 0)
            }
        ),
        Code::NotDue
    );
}

#[test]
fn decision_sla_is_flagged_once_when_the_case_was_taken_in_time() {
    let mut s = escalated();
    assert_eq!(s.later(1).ok(agent_a(), Command::Take), ["taken"]);
    assert_eq!(
        decide(&s.case, &Command::Take, agent_a(), &env(s.now)),
        Ok(vec![])
    );
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], FlagDecisionSla);
    assert_eq!(s.fire(), ["sla_breached"]);
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], Overdue);
    // Evidence and back: still overdue, not flagged again.
    s.ok(
        agent_a(),
        Command::RequestEvidence {
            party: M,
            what: says("the QC report"),
            due_in_hours: Some(24),
        },
    );
    s.later(2).ok(
        merchant(),
        Command::SubmitEvidence {
            text: says("report.pdf"),
        },
    );
    s.waits(PlatformReview, cst(2026, 3, 24, 0), &[P], Overdue);
    assert_eq!(s.case.sla_breaches, 1);
}

#[test]
fn stale_early_or_foreign_timeouts_are_refused() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    let due = s.due();
    assert_eq!(
        s.later(47).refused(SYSTEM, Command::Timeout { due }),
        Code::NotDue
    );
    s.later(1);
    assert_eq!(
        s.refused(buyer(), Command::Timeout { due }),
        Code::NotYourTurn
    );
    assert_eq!(
        s.refused(merchant(), Command::Timeout { due }),
        Code::NotYourTurn
    );
    s.ok(SYSTEM, Command::Timeout { due });
    assert_eq!(s.refused(SYSTEM, Command::Timeout { due }), Code::NotDue);
    s.later(100);
    assert_eq!(s.refused(SYSTEM, Command::Timeout { due }), Code::NotDue);
}

#[test]
fn filing_refusals() {
    let order = order();
    let file = |req: &FileCase, history: &OrderHistory, actor: Actor| {
        decide_filing(CASE, req, &order, history, 1, actor, &env(t0())).map_err(|r| r.code)
    };
    let none = OrderHistory::default();
    let refund = |amount| request(RequestKind::RefundOnly, Reason::QualityDefect, amount);
    let with_items = |items: &[(&str, u32)]| FileCase {
        items: items
            .iter()
            .map(|(sku, quantity)| ItemRef {
                sku: (*sku).into(),
                quantity: *quantity,
            })
            .collect(),
        ..refund(100)
    };

    assert_eq!(
        file(&refund(100), &none, stranger()).unwrap_err(),
        Code::NotYourOrder
    );
    assert_eq!(
        file(&refund(100), &none, merchant()).unwrap_err(),
        Code::NotYourOrder
    );
    assert_eq!(
        file(&refund(PAID + 1), &none, buyer()).unwrap_err(),
        Code::AmountExceedsRefundable
    );
    assert_eq!(
        file(&refund(0), &none, buyer()).unwrap_err(),
        Code::AmountNotPositive
    );
    assert_eq!(
        file(&with_items(&[("NOPE", 1)]), &none, buyer()).unwrap_err(),
        Code::ItemsNotInOrder
    );
    assert_eq!(
        file(&with_items(&[("MUG", 3)]), &none, buyer()).unwrap_err(),
        Code::ItemsNotInOrder
    );
    assert_eq!(
        file(&with_items(&[("MUG", 1), ("MUG", 1)]), &none, buyer()).unwrap_err(),
        Code::ItemsNotInOrder
    );
    assert_eq!(
        file(&with_items(&[]), &none, buyer()).unwrap_err(),
        Code::InvalidInput
    );
    let open = OrderHistory {
        skus_with_open_case: vec!["MUG".into()],
        ..Default::default()
    };
    assert_eq!(
        file(&refund(100), &open, buyer()).unwrap_err(),
        Code::ItemsHaveOpenCase
    );
    assert_eq!(
        file(&with_items(&[("LAMP", 1)]), &open, buyer()).map(|_| ()),
        Ok(())
    );
    let many = OrderHistory {
        applications_per_sku: vec![("MUG".into(), 5)],
        ..Default::default()
    };
    assert_eq!(
        file(&refund(100), &many, buyer()).unwrap_err(),
        Code::MaxApplicationsReached
    );
    let exchange = request(RequestKind::Exchange, Reason::WrongOrMissingItem, 100);
    assert_eq!(
        file(&exchange, &none, buyer()).unwrap_err(),
        Code::InvalidInput
    );
    let unpaid = Order {
        paid_at: None,
        ..order.clone()
    };
    let refused = decide_filing(CASE, &refund(100), &unpaid, &none, 1, buyer(), &env(t0()))
        .map_err(|r| r.code);
    assert_eq!(refused.unwrap_err(), Code::OrderNotPaid);

    // What earlier cases committed is no longer refundable; a prior case marks a repeat.
    let earlier = OrderHistory {
        committed_refunds: fen(8_000),
        prior_cases: 1,
        ..Default::default()
    };
    assert_eq!(
        file(&refund(PAID - 8_000 + 1), &earlier, buyer()).unwrap_err(),
        Code::AmountExceedsRefundable
    );
    let event = file(&refund(PAID - 8_000), &earlier, buyer()).expect("filed");
    let case = Case::replay([&event]).expect("replays");
    assert_eq!(
        (case.refundable, case.is_repeat, case.filed_at),
        (fen(PAID - 8_000), true, t0())
    );
}

#[test]
fn withdraw_in_any_open_state_but_refunding() {
    let mut samples: Vec<Story> = Vec::new();
    samples.push(Story::file(
        RequestKind::RefundOnly,
        Reason::QualityDefect,
        PAID,
    ));
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(merchant(), reject());
    samples.push(s);
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(
        merchant(),
        Command::Offer {
            remedy: refund(100),
            note: says(""),
        },
    );
    samples.push(s);
    let mut s = Story::file(RequestKind::ReturnRefund, Reason::QualityDefect, PAID);
    s.ok(merchant(), Command::Approve);
    samples.push(s);
    samples.push(escalated());
    let mut s = escalated();
    s.ok(
        agent_a(),
        Command::RequestEvidence {
            party: B,
            what: says("photos"),
            due_in_hours: Some(5),
        },
    );
    samples.push(s);
    for mut s in samples {
        let from = s.case.state;
        assert_eq!(
            s.refused(stranger(), Command::Withdraw),
            Code::NotYourTurn,
            "{from}"
        );
        assert_eq!(
            s.later(1).ok(buyer(), Command::Withdraw),
            ["withdrawn"],
            "{from}"
        );
        s.closed(Outcome::Withdrawn);
    }
}

#[test]
fn closed_case_refuses_all_but_appeal_and_rate_once() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.ok(buyer(), Command::Withdraw);
    let due = t0();
    for (actor, cmd) in [
        (buyer(), Command::Withdraw),
        (
            buyer(),
            Command::Message {
                text: says("hello?"),
            },
        ),
        (buyer(), escalate()),
        (merchant(), Command::Approve),
        (agent_a(), Command::Take),
        (SYSTEM, Command::Timeout { due }),
    ] {
        assert_eq!(s.refused(actor, cmd), Code::CaseClosed);
    }
    assert_eq!(
        s.refused(
            buyer(),
            Command::Rate {
                stars: 6,
                comment: says("")
            }
        ),
        Code::InvalidInput
    );
    assert_eq!(
        s.refused(
            merchant(),
            Command::Rate {
                stars: 5,
                comment: says("")
            }
        ),
        Code::NotYourTurn
    );
    assert_eq!(
        s.later(1).ok(
            buyer(),
            Command::Rate {
                stars: 4,
                comment: says("fast")
            }
        ),
        ["rated"]
    );
    assert_eq!((s.case.rating, s.case.state), (Some(4), Closed));
    assert_eq!(
        s.refused(
            buyer(),
            Command::Rate {
                stars: 5,
                comment: says("")
            }
        ),
        Code::AlreadyRated
    );
}

#[test]
fn revise_gives_a_fresh_deadline_and_a_duplicate_changes_nothing() {
    let mut s = Story::file(RequestKind::RefundOnly, Reason::QualityDefect, PAID);
    s.later(1).ok(merchant(), reject());
    let revise = Command::Revise {
        kind: Some(RequestKind::ReturnRefund),
        amount: Some(fen(9_000)),
        description: None,
    };
    assert_eq!(s.later(1).ok(buyer(), revise.clone()), ["revised"]);
    s.waits_hours(AwaitingMerchant, 48, &[M], AutoApprove);
    assert_eq!(
        (s.case.kind, s.case.amount, s.case.rejection.as_ref()),
        (RequestKind::ReturnRefund, fen(9_000), None)
    );
    assert_eq!(decide(&s.case, &revise, buyer(), &env(s.now)), Ok(vec![]));
    let to_exchange = Command::Revise {
        kind: Some(RequestKind::Exchange),
        amount: None,
        description: None,
    };
    assert_eq!(s.ok(buyer(), to_exchange), ["revised"]);
    assert_eq!(s.case.amount, Money::ZERO);
    let too_much = Command::Revise {
        kind: Some(RequestKind::RefundOnly),
        amount: Some(fen(PAID + 1)),
        description: None,
    };
    assert_eq!(s.refused(buyer(), too_much), Code::AmountExceedsRefundable);
}

// ---------------------------------------------------------------------------------------------
// Properties: DESIGN.md "Rules that always hold", over random sequences of commands
// ---------------------------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::select;

    const ACTORS: usize = 7;
    static STATS: std::sync::Mutex<std::collections::BTreeMap<String, u32>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    #[test]
    fn zz_stats() {
        std::thread::sleep(std::time::Duration::from_secs(25));
        for (k, v) in STATS.lock().unwrap().iter() {
            eprintln!("{v:6} {k}");
        }
    }

    fn actor(i: usize) -> Actor {
        [
            buyer(),
            stranger(),
            merchant(),
            other_merchant(),
            agent_a(),
            agent_b(),
            SYSTEM,
        ][i % ACTORS]
    }

    /// A command, or a system command whose arguments are taken from the case when it runs.
    #[derive(Clone, Debug)]
    enum Move {
        Plain(Command),
        /// Lets the clock reach the current deadline, then fires it.
        TimeoutAtDue,
        /// A timeout with some other due time than the current deadline's.
        TimeoutWrong(i64),
        RefundSucceeded {
            current: bool,
        },
        RefundFailed {
            current: bool,
        },
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![1 => Just(""), 1 => Just("  "), 6 => Just("see the attached photos")]
            .prop_map(String::from)
    }

    fn amount() -> impl Strategy<Value = Money> {
        prop_oneof![Just(0), 1..PAID, Just(PAID), PAID + 1..2 * PAID].prop_map(Money::from_fen)
    }

    fn remedy() -> impl Strategy<Value = Remedy> {
        (select(RemedyKind::ALL), amount()).prop_map(|(kind, amount)| Remedy { kind, amount })
    }

    fn party() -> impl Strategy<Value = Party> {
        select(vec![
            Party::Buyer,
            Party::Merchant,
            Party::Platform,
            Party::System,
        ])
    }

    fn command() -> impl Strategy<Value = Command> {
        use Command as C;
        prop_oneof![
            1 => text().prop_map(|text| C::Message { text }),
            2 => (proptest::option::of(select(RequestKind::ALL)), proptest::option::of(amount()), proptest::option::of(text()))
                .prop_map(|(kind, amount, description)| C::Revise { kind, amount, description }),
            2 => Just(C::AcceptOffer),
            2 => Just(C::DeclineOffer),
            2 => text().prop_map(|text| C::Answer { text }),
            3 => (text(), text()).prop_map(|(carrier, tracking_no)| C::ShipReturn { carrier, tracking_no }),
            2 => Just(C::ConfirmReplacement),
            3 => text().prop_map(|text| C::Escalate { text }),
            1 => (0u8..=6, text()).prop_map(|(stars, comment)| C::Rate { stars, comment }),
            2 => Just(C::Approve),
            2 => (select(RejectReason::ALL), text()).prop_map(|(reason, text)| C::Reject { reason, text }),
            3 => (remedy(), text()).prop_map(|(remedy, note)| C::Offer { remedy, note }),
            1 => text().prop_map(|question| C::Ask { question }),
            3 => Just(C::ConfirmReceipt),
            2 => text().prop_map(|text| C::DisputeReceipt { text }),
            3 => (text(), text()).prop_map(|(carrier, tracking_no)| C::ShipReplacement { carrier, tracking_no }),
            2 => text().prop_map(|note| C::ProveOfflineRefund { note }),
            3 => Just(C::AcceptMediation),
            1 => Just(C::DeclineMediation),
            2 => text().prop_map(|text| C::SubmitEvidence { text }),
            4 => text().prop_map(|reason| C::Appeal { reason }),
            1 => Just(C::Take),
            2 => (party(), text(), proptest::option::of(-5i64..800))
                .prop_map(|(party, what, due_in_hours)| C::RequestEvidence { party, what, due_in_hours }),
            2 => (remedy(), text()).prop_map(|(remedy, note)| C::ProposeMediation { remedy, note }),
            4 => (proptest::option::of(remedy()), proptest::option::of(party()), text(), text()).prop_map(
                |(remedy, liable, rationale, cited_rule)| C::Decide { remedy, liable, rationale, cited_rule }
            ),
            4 => (any::<bool>(), proptest::option::of(remedy()), text(), text()).prop_map(
                |(uphold, remedy, rationale, cited_rule)| C::ReviewAppeal { uphold, remedy, rationale, cited_rule }
            ),
        ]
    }

    fn a_move() -> impl Strategy<Value = Move> {
        prop_oneof![
            60 => command().prop_map(Move::Plain),
            1 => Just(Move::Plain(Command::Withdraw)), // rarer, or most cases end withdrawn
            6 => Just(Move::TimeoutAtDue),
            2 => (-200i64..200).prop_map(Move::TimeoutWrong),
            2 => any::<bool>().prop_map(|current| Move::RefundSucceeded { current }),
            2 => any::<bool>().prop_map(|current| Move::RefundFailed { current }),
        ]
    }

    fn hours() -> impl Strategy<Value = i64> {
        prop_oneof![5 => Just(0i64), 4 => 1i64..24, 1 => 24i64..240]
    }

    /// A move, whether its actor is the plausible one for the command, which actor otherwise.
    type Candidate = (Move, bool, usize);

    /// Each step advances the clock, then tries up to 4 candidates: the first that `decide`
    /// accepts is applied (so sequences get deep into the lifecycle instead of being refused).
    fn steps() -> impl Strategy<Value = Vec<(Vec<Candidate>, i64)>> {
        let candidate = (a_move(), proptest::bool::weighted(0.8), 0..ACTORS);
        proptest::collection::vec(
            (proptest::collection::vec(candidate, 1..=4), hours()),
            0..40,
        )
    }

    /// The party a command is meant for (agents and buyer/merchant commands vary by `pick`).
    fn plausible(cmd: &Command, pick: usize) -> Actor {
        use Command as C;
        match cmd {
            C::Revise { .. }
            | C::Withdraw
            | C::AcceptOffer
            | C::DeclineOffer
            | C::Answer { .. } => buyer(),
            C::ShipReturn { .. } | C::ConfirmReplacement | C::Escalate { .. } | C::Rate { .. } => {
                buyer()
            }
            C::Approve | C::Reject { .. } | C::Offer { .. } | C::Ask { .. } | C::ConfirmReceipt => {
                merchant()
            }
            C::DisputeReceipt { .. } | C::ShipReplacement { .. } | C::ProveOfflineRefund { .. } => {
                merchant()
            }
            C::Message { .. }
            | C::AcceptMediation
            | C::DeclineMediation
            | C::SubmitEvidence { .. }
            | C::Appeal { .. } => [buyer(), merchant()][pick % 2],
            C::Take
            | C::RequestEvidence { .. }
            | C::ProposeMediation { .. }
            | C::Decide { .. }
            | C::ReviewAppeal { .. } => [agent_a(), agent_b()][pick % 2],
            C::Timeout { .. } | C::RefundSucceeded { .. } | C::RefundFailed { .. } => SYSTEM,
        }
    }

    fn resolve(mv: &Move, case: &Case, now: &mut Timestamp) -> Command {
        let due = case.deadline.as_ref().map_or(*now, |d| d.due);
        let refund_id = |current: bool| match (&case.refund, current) {
            (Some(r), true) => r.refund_id.clone(),
            _ => format!("{}-99", case.id),
        };
        match mv {
            Move::Plain(cmd) => cmd.clone(),
            Move::TimeoutAtDue => {
                *now = (*now).max(due);
                Command::Timeout { due }
            }
            Move::TimeoutWrong(h) => Command::Timeout {
                due: plus(due, if *h == 0 { 1 } else { *h }),
            },
            Move::RefundSucceeded { current } => Command::RefundSucceeded {
                refund_id: refund_id(*current),
            },
            Move::RefundFailed { current } => Command::RefundFailed {
                refund_id: refund_id(*current),
                reason: says("gateway error"),
            },
        }
    }

    fn invariants(case: &Case) -> Result<(), TestCaseError> {
        prop_assert!(Money::ZERO <= case.refunded_total, "negative refunds");
        prop_assert!(
            case.refunded_total <= case.refundable,
            "refunded {} > refundable {}",
            case.refunded_total,
            case.refundable
        );
        prop_assert!(case.refundable <= fen(PAID), "refundable above paid");
        if let Some(r) = &case.refund {
            prop_assert!(
                r.amount
                    .checked_add(case.refunded_total)
                    .is_some_and(|t| t <= case.refundable),
                "pending refund too large"
            );
        }
        if case.is_open() {
            let deadline = case.deadline.as_ref();
            prop_assert!(
                deadline.is_some_and(|d| !d.waits_for.is_empty()),
                "{} without a deadline",
                case.state
            );
            prop_assert!(
                case.outcome.is_none() && case.stage != Stage::Closed,
                "open case with closed marks"
            );
        } else {
            prop_assert!(
                case.deadline.is_none() && case.outcome.is_some() && case.stage == Stage::Closed
            );
        }
        Ok(())
    }

    fn agent_of(actor: Actor) -> Option<UserId> {
        match actor {
            Actor::Agent { user } => Some(user),
            _ => None,
        }
    }

    /// Files a case, plays the steps, checks every rule after every accepted command.
    fn play(
        kind: RequestKind,
        reason: Reason,
        amount: i64,
        start: i64,
        steps: Vec<(Vec<Candidate>, i64)>,
    ) -> Result<(), TestCaseError> {
        let amount = if kind.remedy_kind().pays_money() {
            amount
        } else {
            0
        };
        let mut now = plus(t0(), start);
        let filed = decide_filing(
            CASE,
            &request(kind, reason, amount),
            &order(),
            &OrderHistory::default(),
            1,
            buyer(),
            &env(now),
        )
        .expect("a valid filing");
        let mut case = Case::replay([&filed]).expect("filed");
        let mut log = vec![filed];
        invariants(&case)?;
        // The agent of the ruling in force, and of the ruling under appeal.
        let mut ruling_agent: Option<UserId> = None;
        let mut appealed_agent: Option<UserId> = None;

        for (candidates, hours) in steps {
            now = plus(now, hours);
            let accepted = candidates.iter().find_map(|(mv, plausible_actor, pick)| {
                let mut at = now;
                let cmd = resolve(mv, &case, &mut at);
                let actor = if *plausible_actor {
                    plausible(&cmd, *pick)
                } else {
                    actor(*pick)
                };
                decide(&case, &cmd, actor, &env(at))
                    .ok()
                    .map(|events| (cmd, actor, events, at))
            });
            let Some((cmd, actor, events, at)) = accepted else {
                continue;
            };
            now = at;
            let before = case.clone();
            for event in &events {
                prop_assert_eq!(event.at, now);
                prop_assert_eq!(event.actor, actor);
                prop_assert!(
                    log.last().is_none_or(|last| last.at <= event.at),
                    "time went backwards"
                );
                match &event.body {
                    EventBody::Decided { .. } => ruling_agent = agent_of(actor),
                    EventBody::AppealFiled { .. } => appealed_agent = ruling_agent,
                    EventBody::AppealReviewed { uphold, .. } => {
                        prop_assert!(agent_of(actor).is_some());
                        prop_assert_ne!(
                            agent_of(actor),
                            appealed_agent,
                            "an agent reviewed their own ruling"
                        );
                        if !uphold {
                            ruling_agent = agent_of(actor);
                        }
                    }
                    _ => {}
                }
                case = apply(case, event);
                STATS
                    .lock()
                    .unwrap()
                    .entry(format!("{} -> {}", event.body.type_name(), case.state))
                    .and_modify(|n| *n += 1)
                    .or_insert(1);
                log.push(event.clone());
            }
            prop_assert_eq!(
                Case::replay(&log),
                Some(case.clone()),
                "replay differs from the fold"
            );
            invariants(&case)?;

            if before.state == Closed {
                let reopened = events
                    .iter()
                    .any(|e| matches!(e.body, EventBody::AppealFiled { .. }));
                prop_assert!(
                    events.iter().all(|e| matches!(
                        e.body,
                        EventBody::AppealFiled { .. } | EventBody::Rated { .. }
                    )),
                    "a closed case moved"
                );
                if !reopened {
                    prop_assert_eq!(
                        &case,
                        &Case {
                            rating: case.rating,
                            ..before.clone()
                        },
                        "a closed case changed"
                    );
                }
            }

            // The same command again, at the same instant, has no further effect. Message and
            // SubmitEvidence are excluded: each is a new statement, recorded every time.
            if !matches!(
                cmd,
                Command::Message { .. } | Command::SubmitEvidence { .. }
            ) {
                if let Ok(again) = decide(&case, &cmd, actor, &env(now)) {
                    prop_assert!(
                        again.is_empty(),
                        "{} twice gave {:?}",
                        cmd.action_name(),
                        types(&again)
                    );
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn lifecycle_rules_always_hold(
            kind in select(RequestKind::ALL),
            reason in select(Reason::ALL),
            amount in 1..=PAID,
            start in 0i64..168,
            steps in steps(),
        ) {
            play(kind, reason, amount, start, steps)?;
        }
    }
}
