//! Return eligibility: every exclusion, both window edges to the second, signing just before
//! midnight, and a window across the Spring Festival (natural days, not extended).

use jiff::Timestamp;
use redress_law::calendar::BusinessCalendar;
use redress_law::citation::Article;
use redress_law::eligibility::{
    ConfirmedExclusion, FreightPayer, ItemFacts, ItemFlags, NoReasonExclusion, Refusal, RefusalCode, SanbaoGoods,
    Warranty, WindowStatus, check_no_reason_filing, item_rights, no_reason_window, non_conforming_window,
    sanbao_windows, window_start,
};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn plain() -> ItemFacts {
    ItemFacts::default()
}

fn flagged(f: impl Fn(&mut ItemFlags)) -> ItemFacts {
    let mut item = ItemFacts::default();
    f(&mut item.flags);
    item
}

fn confirmed(c: ConfirmedExclusion) -> ItemFacts {
    ItemFacts { confirmed_exclusions: vec![c], ..ItemFacts::default() }
}

#[test]
fn every_exclusion_is_refused_with_its_article() {
    let signed = Some(ts("2025-03-10T14:00:00+08:00"));
    let now = ts("2025-03-11T10:00:00+08:00");
    let table: Vec<(ItemFacts, NoReasonExclusion, Article)> = vec![
        (flagged(|f| f.custom_made = true), NoReasonExclusion::CustomMade, Article::NoReasonMeasures6),
        (flagged(|f| f.perishable = true), NoReasonExclusion::Perishable, Article::NoReasonMeasures6),
        (flagged(|f| f.digital_download = true), NoReasonExclusion::DigitalDownload, Article::NoReasonMeasures6),
        (flagged(|f| f.unsealed_media = true), NoReasonExclusion::UnsealedMedia, Article::NoReasonMeasures6),
        (flagged(|f| f.periodical = true), NoReasonExclusion::Periodical, Article::NoReasonMeasures6),
        (
            confirmed(ConfirmedExclusion::RiskyOnceUnsealed),
            NoReasonExclusion::ConfirmedRiskyOnceUnsealed,
            Article::NoReasonMeasures7,
        ),
        (
            confirmed(ConfirmedExclusion::ValueLostOnActivation),
            NoReasonExclusion::ConfirmedValueLostOnActivation,
            Article::NoReasonMeasures7,
        ),
        (
            confirmed(ConfirmedExclusion::DisclosedNearExpiryOrFlawed),
            NoReasonExclusion::ConfirmedNearExpiryOrFlawed,
            Article::NoReasonMeasures7,
        ),
    ];
    for (item, exclusion, article) in table {
        let refusal = check_no_reason_filing(&item, signed, now).unwrap_err();
        assert_eq!(refusal.code(), RefusalCode::NoReasonExcludedItem, "{exclusion:?}");
        assert_eq!(refusal.code().as_str(), "no_reason_excluded_item");
        assert_eq!(refusal, Refusal::NoReasonExcludedItem { exclusion }, "the first exclusion is named");
        let articles: Vec<Article> = refusal.citations().iter().map(|c| c.article).collect();
        assert_eq!(articles, vec![Article::ConsumerLaw25, article], "{exclusion:?}");

        let rights = item_rights(&item, signed, now);
        assert!(!rights.no_reason.allowed);
        assert_eq!(rights.no_reason.exclusions, vec![exclusion]);
        assert!(rights.no_reason.window.is_none());
        // Excluded from no-reason return, the item keeps its Art. 24 and 三包 rights.
        assert!(rights.non_conforming.is_some());
    }
}

#[test]
fn food_alone_is_not_excluded_and_exclusions_are_all_reported() {
    let signed = Some(ts("2025-03-10T14:00:00+08:00"));
    let now = ts("2025-03-11T10:00:00+08:00");
    assert_eq!(check_no_reason_filing(&flagged(|f| f.food = true), signed, now), Ok(()));
    let mut item = flagged(|f| {
        f.food = true;
        f.perishable = true;
        f.custom_made = true;
    });
    item.confirmed_exclusions = vec![ConfirmedExclusion::DisclosedNearExpiryOrFlawed];
    assert_eq!(
        item.no_reason_exclusions(),
        vec![
            NoReasonExclusion::CustomMade,
            NoReasonExclusion::Perishable,
            NoReasonExclusion::ConfirmedNearExpiryOrFlawed
        ]
    );
}

#[test]
fn window_edges_to_the_second() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    let w = no_reason_window(&plain(), signed, signed);
    assert_eq!(w.starts_at, ts("2025-03-11T00:00:00+08:00"));
    assert_eq!(w.ends_at, ts("2025-03-18T00:00:00+08:00"));
    assert_eq!(w.ends_at.duration_since(w.starts_at), jiff::SignedDuration::from_hours(7 * 24));

    // (now, allowed)
    let table = [
        ("2025-03-10T14:00:00+08:00", true),  // the moment of signing
        ("2025-03-10T23:59:59+08:00", true),  // before the counting starts
        ("2025-03-11T00:00:00+08:00", true),  // start edge
        ("2025-03-17T23:59:59+08:00", true),  // last second
        ("2025-03-18T00:00:00+08:00", false), // end edge: closed
        ("2025-03-18T00:00:01+08:00", false),
    ];
    for (now, allowed) in table {
        let result = check_no_reason_filing(&plain(), Some(signed), ts(now));
        assert_eq!(result.is_ok(), allowed, "{now}");
        if !allowed {
            let refusal = result.unwrap_err();
            assert_eq!(refusal.code().as_str(), "no_reason_window_closed");
            // The window's end: 24:00 of 2025-03-17 in Beijing.
            assert_eq!(refusal, Refusal::NoReasonWindowClosed { ends_at: ts("2025-03-18T00:00:00+08:00") });
        }
    }
}

#[test]
fn signing_just_before_midnight_starts_the_window_one_second_later() {
    let w = no_reason_window(&plain(), ts("2025-03-10T23:59:59+08:00"), ts("2025-03-11T00:00:00+08:00"));
    assert_eq!(w.starts_at, ts("2025-03-11T00:00:00+08:00"));
    assert_eq!(w.ends_at, ts("2025-03-18T00:00:00+08:00"));
    // One second later it is the next day: the whole window moves by a day.
    let w = no_reason_window(&plain(), ts("2025-03-11T00:00:00+08:00"), ts("2025-03-11T00:00:00+08:00"));
    assert_eq!(w.starts_at, ts("2025-03-12T00:00:00+08:00"));
    assert_eq!(w.ends_at, ts("2025-03-19T00:00:00+08:00"));
    // Days are Shanghai days, whatever zone the timestamp was written in: 16:30Z is 00:30 next day.
    assert_eq!(window_start(ts("2025-03-10T16:30:00Z")), ts("2025-03-12T00:00:00+08:00"));
    assert_eq!(window_start(ts("2025-03-10T15:59:59Z")), ts("2025-03-11T00:00:00+08:00"));
}

#[test]
fn spring_festival_does_not_extend_the_window_but_does_extend_working_days() {
    let cal = BusinessCalendar::embedded();
    // 2025: signed Sunday 01-26, the festival runs 01-28..02-04.
    let signed = ts("2025-01-26T10:00:00+08:00");
    let w = no_reason_window(&plain(), signed, signed);
    assert_eq!(w.ends_at, ts("2025-02-03T00:00:00+08:00"), "ends inside the holiday");
    assert_eq!(
        check_no_reason_filing(&plain(), Some(signed), ts("2025-02-03T00:00:00+08:00")).unwrap_err().code(),
        RefusalCode::NoReasonWindowClosed
    );
    // The same 7 counted as working days lands well after the festival.
    assert_eq!(cal.add_working_days(signed, 7), Ok(ts("2025-02-12T00:00:00+08:00")));

    // 2026: signed Friday 02-13, the festival runs 02-15..02-23.
    let signed = ts("2026-02-13T12:00:00+08:00");
    let w = no_reason_window(&plain(), signed, signed);
    assert_eq!(w.ends_at, ts("2026-02-21T00:00:00+08:00"));
    assert_eq!(
        cal.add_working_days(signed, 7),
        Ok(ts("2026-03-03T00:00:00+08:00")),
        "02-14, 02-24..02-27, 02-28 (make-up), 03-02"
    );
}

#[test]
fn not_signed_for_is_refused_unless_excluded() {
    let now = ts("2025-03-11T10:00:00+08:00");
    let r = check_no_reason_filing(&plain(), None, now).unwrap_err();
    assert_eq!(r.code().as_str(), "not_signed_for");
    // The lasting reason wins: an excluded item is refused as excluded.
    let r = check_no_reason_filing(&flagged(|f| f.periodical = true), None, now).unwrap_err();
    assert_eq!(r.code(), RefusalCode::NoReasonExcludedItem);

    let rights = item_rights(&plain(), None, now);
    assert!(!rights.no_reason.allowed);
    assert!(rights.non_conforming.is_none() && rights.sanbao.is_none());
}

#[test]
fn freight_payer_per_case() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    let now = signed;
    assert_eq!(no_reason_window(&plain(), signed, now).freight_payer, FreightPayer::Buyer);
    let agreed = ItemFacts { merchant_pays_no_reason_freight: true, ..plain() };
    assert_eq!(no_reason_window(&agreed, signed, now).freight_payer, FreightPayer::Merchant);
    let nc = non_conforming_window(signed, now);
    assert_eq!(nc.freight_payer, FreightPayer::Merchant);
    assert_eq!(nc.citations[0].article, Article::ConsumerLaw24);
}

#[test]
fn article_24_window_edges() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    assert_eq!(non_conforming_window(signed, ts("2025-03-17T23:59:59+08:00")).status, WindowStatus::Open);
    let closed = non_conforming_window(signed, ts("2025-03-18T00:00:00+08:00"));
    assert_eq!(closed.status, WindowStatus::Closed);
    assert_eq!(closed.ends_at, ts("2025-03-18T00:00:00+08:00"));
}

#[test]
fn sanbao_windows_and_warranty() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    let now = ts("2025-03-20T09:00:00+08:00");
    let s = sanbao_windows(Some(Warranty::Months(12)), signed, now);
    assert_eq!(s.return_exchange_or_repair.ends_at, ts("2025-03-18T00:00:00+08:00"));
    assert_eq!(s.return_exchange_or_repair.status, WindowStatus::Closed);
    assert_eq!(s.exchange_or_repair.ends_at, ts("2025-03-26T00:00:00+08:00"));
    assert_eq!(s.exchange_or_repair.status, WindowStatus::Open);
    let repair = s.repair.unwrap();
    assert_eq!(repair.ends_at, ts("2026-03-11T00:00:00+08:00"), "end of 2026-03-10");
    assert_eq!(repair.freight_payer, FreightPayer::Merchant);

    let s = sanbao_windows(Some(Warranty::Days(90)), signed, now);
    assert_eq!(s.repair.unwrap().ends_at, ts("2025-06-09T00:00:00+08:00"));

    // A month without the corresponding day ends on its last day.
    let s = sanbao_windows(Some(Warranty::Months(1)), ts("2025-01-31T09:00:00+08:00"), now);
    assert_eq!(s.repair.unwrap().ends_at, ts("2025-03-01T00:00:00+08:00"));

    assert!(sanbao_windows(None, signed, now).repair.is_none());
    // Absurd warranties saturate instead of panicking.
    let s = sanbao_windows(Some(Warranty::Months(u32::MAX)), signed, now);
    assert_eq!(s.repair.unwrap().status, WindowStatus::Open);
}

/// 《部分商品修理更换退货责任规定》 covers the goods of its annexed catalogue only: fresh mangoes,
/// a phone case, a keyboard or a mouse (computer peripherals are not on it) get no 三包 window,
/// even with a warranty; a washing machine on the list does. The issue 11 trial saw windows
/// claimed for all of them.
#[test]
fn sanbao_covers_only_the_goods_of_its_catalogue() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    let now = ts("2025-03-12T09:00:00+08:00");
    let mango = flagged(|f| (f.perishable, f.food) = (true, true));
    let peripheral = ItemFacts { warranty: Some(Warranty::Months(12)), ..plain() };
    for off_the_list in [mango, plain(), peripheral] {
        assert_eq!(item_rights(&off_the_list, Some(signed), now).sanbao, None, "{off_the_list:?}");
    }
    let washer =
        ItemFacts { sanbao_goods: Some(SanbaoGoods::WashingMachine), warranty: Some(Warranty::Months(12)), ..plain() };
    let windows = item_rights(&washer, Some(signed), now).sanbao.expect("on the catalogue");
    assert_eq!(windows.return_exchange_or_repair.citations, vec![Article::Sanbao.citation()]);
    assert!(windows.repair.is_some());
    assert_eq!(SanbaoGoods::ALL.len(), 18, "the catalogue's 18 goods");
    let item: ItemFacts = serde_json::from_str(r#"{"sanbao_goods": "washing_machine"}"#).unwrap();
    assert_eq!(item.sanbao_goods, Some(SanbaoGoods::WashingMachine));
}

proptest::proptest! {
    /// Whatever the item's nature and warranty: 三包 windows exactly for catalogue goods signed for.
    #[test]
    fn sanbao_windows_exactly_for_catalogue_goods(
        perishable: bool,
        food: bool,
        custom_made: bool,
        warranty in proptest::option::of(1u32..60),
        entry in proptest::option::of(proptest::sample::select(SanbaoGoods::ALL)),
        signed in proptest::option::of(0i64..1_000_000),
    ) {
        let item = ItemFacts {
            flags: ItemFlags { perishable, food, custom_made, ..ItemFlags::default() },
            warranty: warranty.map(Warranty::Months),
            sanbao_goods: entry,
            ..plain()
        };
        let base = ts("2025-03-10T14:00:00+08:00");
        let signed = signed.map(|s| base.checked_add(jiff::SignedDuration::from_secs(s)).unwrap());
        let rights = item_rights(&item, signed, base.checked_add(jiff::SignedDuration::from_hours(24 * 30)).unwrap());
        proptest::prop_assert_eq!(rights.sanbao.is_some(), entry.is_some() && signed.is_some());
    }
}

#[test]
fn item_rights_serialize_for_the_api() {
    let signed = ts("2025-03-10T14:00:00+08:00");
    let rights = item_rights(&plain(), Some(signed), ts("2025-03-12T09:00:00+08:00"));
    assert!(rights.no_reason.allowed);
    let json = serde_json::to_value(&rights).unwrap();
    assert_eq!(json["no_reason"]["window"]["freight_payer"], "buyer");
    assert_eq!(json["no_reason"]["window"]["status"], "open");
    assert_eq!(json["non_conforming"]["citations"][0]["article"], "consumer_law_24");
    let item: ItemFacts = serde_json::from_str(
        r#"{"flags": {"perishable": true}, "confirmed_exclusions": ["value_lost_on_activation"], "warranty": {"months": 12}}"#,
    )
    .unwrap();
    assert!(item.flags.perishable);
    assert_eq!(item.warranty, Some(Warranty::Months(12)));
}
