//! Properties that hold for every input, not just the tables.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use redress_law::calendar::{BusinessCalendar, shanghai_date};
use redress_law::complaint_check::{ComplaintDraft, EligibilityFacts, check};
use redress_law::damages::{
    CONSUMER_FRAUD_MINIMUM_FEN, FOOD_SAFETY_MINIMUM_FEN, consumer_fraud_damages, food_safety_damages,
};
use redress_law::eligibility::{ItemFacts, no_reason_window};
use redress_law::uscc::{CHARSET, Uscc, compute_check_character};
use redress_law::{EvidenceKind, Reason, RequestKind};

/// Any instant from 2025-01-01 00:00 to 2026-10-31 23:59:59 Asia/Shanghai: far enough from the
/// end of 2026 that 40 working days stay inside the covered years.
fn covered_instant() -> impl Strategy<Value = Timestamp> {
    let from = "2025-01-01T00:00:00+08:00".parse::<Timestamp>().unwrap().as_second();
    let to = "2026-10-31T23:59:59+08:00".parse::<Timestamp>().unwrap().as_second();
    (from..=to).prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// Any instant from 2027 (no notice shipped) to the end of 2150.
fn provisional_instant() -> impl Strategy<Value = Timestamp> {
    let from = "2027-01-01T00:00:00+08:00".parse::<Timestamp>().unwrap().as_second();
    let to = "2150-12-31T23:59:59+08:00".parse::<Timestamp>().unwrap().as_second();
    (from..=to).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn any_instant() -> impl Strategy<Value = Timestamp> {
    // 2000..2100: wide, and far from jiff's representable limits.
    (946_684_800i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

proptest! {
    #[test]
    fn add_working_days_is_monotonic_in_n(start in covered_instant(), n in 0u32..40) {
        let cal = BusinessCalendar::embedded();
        let a = cal.add_working_days(start, n).unwrap();
        let b = cal.add_working_days(start, n + 1).unwrap();
        prop_assert!(a < b);
        prop_assert!(a > start);
    }

    #[test]
    fn add_working_days_is_monotonic_in_start(
        s1 in covered_instant(), s2 in covered_instant(), n in 0u32..40
    ) {
        let cal = BusinessCalendar::embedded();
        let (early, late) = if s1 <= s2 { (s1, s2) } else { (s2, s1) };
        prop_assert!(cal.add_working_days(early, n).unwrap() <= cal.add_working_days(late, n).unwrap());
    }

    #[test]
    fn a_deadline_ends_a_working_day_and_counts_back(start in covered_instant(), n in 1u32..40) {
        let cal = BusinessCalendar::embedded();
        let deadline = cal.add_working_days(start, n).unwrap();
        // The deadline is 24:00 of its last day: the day of the instant just before it.
        let last_day = shanghai_date(deadline - SignedDuration::from_secs(1));
        prop_assert!(cal.is_working_day(last_day).unwrap());
        prop_assert_eq!(shanghai_date(deadline), last_day.tomorrow().unwrap());
        prop_assert_eq!(cal.working_days_between(shanghai_date(start), last_day).unwrap(), n);
    }

    /// Beyond the imported years nothing is refused: deadlines still count working days, and
    /// say which provisional year they counted.
    #[test]
    fn provisional_deadlines_count_and_say_so(start in provisional_instant(), n in 1u32..60) {
        let cal = BusinessCalendar::embedded();
        let deadline = cal.working_deadline(start, n).unwrap();
        prop_assert_eq!(deadline.provisional_year, Some(shanghai_date(start).year()));
        let last_day = shanghai_date(deadline.due - SignedDuration::from_secs(1));
        prop_assert!(cal.is_working_day(last_day).unwrap());
        prop_assert_eq!(cal.working_days_between(shanghai_date(start), last_day).unwrap(), n);
        // The 13 statutory days of each provisional year are never working days.
        for (day, _) in redress_law::provisional::statutory_days(last_day.year()) {
            prop_assert!(!cal.is_working_day(day).unwrap());
        }
    }

    #[test]
    fn no_reason_window_is_seven_natural_days_from_next_midnight(signed in any_instant()) {
        let w = no_reason_window(&ItemFacts::default(), signed, signed);
        prop_assert_eq!(w.ends_at.duration_since(w.starts_at), SignedDuration::from_hours(168));
        prop_assert!(w.starts_at > signed);
        prop_assert!(w.starts_at.duration_since(signed) <= SignedDuration::from_hours(24));
        // Starts at a Shanghai midnight on the day after signing.
        prop_assert_eq!(shanghai_date(w.starts_at), shanghai_date(signed).tomorrow().unwrap());
        prop_assert_eq!(shanghai_date(w.starts_at - SignedDuration::from_secs(1)), shanghai_date(signed));
    }

    #[test]
    fn fraud_damages_never_below_the_minimum(price in 0i64..10_000_000_000) {
        let b = consumer_fraud_damages(price).unwrap();
        prop_assert!(b.punitive_fen >= CONSUMER_FRAUD_MINIMUM_FEN);
        prop_assert!(b.punitive_fen >= 3 * price);
        prop_assert!(b.punitive_fen == 3 * price || b.punitive_fen == CONSUMER_FRAUD_MINIMUM_FEN);
        prop_assert_eq!(b.total_fen, price + b.punitive_fen);
    }

    #[test]
    fn food_damages_never_below_the_minimum(
        price in 0i64..10_000_000_000, loss in 0i64..10_000_000_000
    ) {
        let b = food_safety_damages(price, loss).unwrap();
        prop_assert!(b.punitive_fen >= FOOD_SAFETY_MINIMUM_FEN);
        prop_assert_eq!(b.punitive_fen, (10 * price).max(3 * loss).max(FOOD_SAFETY_MINIMUM_FEN));
        prop_assert_eq!(b.total_fen, price + loss + b.punitive_fen);
    }

    #[test]
    fn uscc_check_character_catches_any_single_substitution(
        body in proptest::collection::vec(0usize..31, 17),
        pos in 0usize..18,
        delta in 1usize..31,
    ) {
        let first17: String = body.iter().map(|&i| char::from(CHARSET[i])).collect();
        let check = compute_check_character(&first17).unwrap();
        let code = format!("{first17}{check}");
        prop_assert!(Uscc::parse(&code).is_ok());
        let mut chars: Vec<char> = code.chars().collect();
        let old = CHARSET.iter().position(|&c| char::from(c) == chars[pos]).unwrap();
        chars[pos] = char::from(CHARSET[(old + delta) % 31]);
        let mutated: String = chars.into_iter().collect();
        prop_assert!(Uscc::parse(&mutated).is_err(), "{} accepted", mutated);
    }

    #[test]
    fn complaint_check_is_total_and_deterministic(
        // Fuzzed too (docs/reliability.md): text dense in dates, times and amounts, and any i64.
        description in prop_oneof![".{0,200}", "[0-9年月日号点时分/:. 买收到货联系商家客服退款换货元¥,。!]{0,300}"],
        kind in proptest::sample::select(RequestKind::ALL),
        reason in proptest::sample::select(Reason::ALL),
        evidence in proptest::collection::vec(proptest::sample::select(EvidenceKind::ALL), 0..12),
        demanded in proptest::option::of(prop_oneof![-10_000i64..10_000_000, any::<i64>()]),
        paid in prop_oneof![0i64..10_000_000, any::<i64>()],
        contacted in any::<bool>(),
        food in any::<bool>(),
    ) {
        let draft = ComplaintDraft {
            kind, reason, demanded_fen: demanded, description, evidence,
            contacted_merchant: contacted, paid_fen: paid,
            facts: EligibilityFacts { no_reason: None, food, bought_on_record: false, contact_on_record: false, return_window_passed: false },
        };
        let a = check(&draft);
        let b = check(&draft);
        prop_assert_eq!(&a, &b);
        let keys: Vec<_> = a.findings.iter().map(|f| (f.severity, f.code())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(keys, sorted, "ordered, and each code at most once");
    }
}
