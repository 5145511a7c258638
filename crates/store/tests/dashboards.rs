//! Dashboards and public reputation on both databases (issue 13): every figure of a fixed data
//! set checked against values computed by hand (each expected number says how).

mod support;

use jiff::SignedDuration;
use redress_app::Role;
use redress_app::dashboards::{AgentLoad, ShopFigures};
use redress_domain::case::Remedy;
use redress_domain::command::{FileCase, Proposal};
use redress_domain::vocabulary::{Reason, RejectReason, RemedyKind, RequestKind};
use redress_domain::{Command, Money, Policy, Side};
use std::collections::BTreeMap;
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    dashboards_match_figures_computed_by_hand => sqlite_dashboards_match_figures_computed_by_hand, postgres_dashboards_match_figures_computed_by_hand;
}

/// The INSERT of migration 0030 that fills `case_figures` from the cases already stored.
fn backfill(db: &TestDb) -> &'static str {
    let file = db.either(
        include_str!("../migrations/sqlite/0030_case_figures.sql"),
        include_str!("../migrations/postgres/0030_case_figures.sql"),
    );
    let insert = &file[file.find("INSERT INTO case_figures").expect("the backfill")..];
    &insert[..insert.find(';').expect("its end")]
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// The story, from t0 = support::START (Monday 2026-03-02 09:00 in Shanghai; the merchant has
/// 48 h to answer, so the first deadline of a case filed at t0 is t0 + 48 h):
///
/// March, shop A, 8 orders recorded at t0:
/// - c1 (o1) filed t0, approved at t0+2h: answered on time, 2 h.
/// - c2 (o2) filed t0, rejected at t0+10h (on time, 10 h), escalated then; taken at t0+50h and
///   decided at t0+72h (Thursday 03-05) with a full refund, the shop liable: a ruling against
///   the shop, 3 working days after the escalation (Tue, Wed, Thu of a normal week).
/// - c3 (o3) filed t0, withdrawn at t0+1h (before its deadline: nothing to answer), rated 4.
/// - c6 (o3 again) filed t0+1h: a repeat; the merchant asks a question at t0+3h (2 h, on time).
/// - c4 (o4) filed t0, never answered: missed (its deadline passed long before the dashboard).
/// - c5 (o5) filed t0, an offer at t0+50h: answered late, 50 h.
///
/// Shop B: one counterfeit return_refund case, filed at t0 (the platform counts it).
/// April (clock moved to 2026-04-02 09:00 Shanghai): 2 orders of shop A, c7 filed, not yet due.
async fn dashboards_match_figures_computed_by_hand(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let app = &world.app;
    let cast = Cast::new(&world).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let idle = world.user("idle-agent", Role::Agent, None).await;
    let other_shop = world.merchant("星河电器").await;
    let other_buyer = world.user("other-buyer", Role::Buyer, None).await;
    let buyer = cast.buyer_id();
    let mut orders = Vec::new();
    for n in 1..=8 {
        orders.push(world.order(&format!("A-03-{n}"), cast.shop, buyer).await);
    }
    let b_order = world.order("B-03-1", other_shop, other_buyer.user_id().unwrap()).await;
    let file = |order: usize| app.file_case(&cast.buyer, refund_request(39900), orders[order].id);
    let (c1, c2, c3, c4, c5) = (
        file(0).await.unwrap(),
        file(1).await.unwrap(),
        file(2).await.unwrap(),
        file(3).await.unwrap(),
        file(4).await.unwrap(),
    );
    let counterfeit =
        FileCase { kind: RequestKind::ReturnRefund, reason: Reason::Counterfeit, ..refund_request(39900) };
    app.file_case(&other_buyer, counterfeit, b_order.id).await.unwrap();

    world.advance_hours(1);
    app.act(&cast.buyer, c3.id, Command::Withdraw).await.unwrap();
    let c6 = file(2).await.unwrap();
    assert!(c6.is_repeat, "a second case on o3");
    app.act(&cast.buyer, c3.id, Command::Rate { stars: 4, comment: "撤回得很顺利".into() }).await.unwrap();
    world.advance_hours(1);
    app.act(&cast.staff, c1.id, Command::Approve).await.unwrap();
    world.advance_hours(1);
    app.act(&cast.staff, c6.id, Command::Ask { question: "请提供照片".into() }).await.unwrap();
    world.advance_hours(7);
    let reject = Command::Reject { reason: RejectReason::EvidenceInsufficient, text: "无凭证".into() };
    app.act(&cast.staff, c2.id, reject).await.unwrap();
    app.act(&cast.buyer, c2.id, Command::Escalate { text: "申请平台介入".into() }).await.unwrap();
    world.advance_hours(40);
    let offer = Proposal {
        remedy: Remedy { kind: RemedyKind::Refund, amount: Money::from_fen(10000) },
        note: "退 100 元".into(),
    };
    app.act(&cast.staff, c5.id, Command::Offer(offer)).await.unwrap();
    app.act(&agent, c2.id, Command::Take).await.unwrap();
    world.advance_hours(22);
    let decide = Command::Decide {
        remedy: Some(Remedy { kind: RemedyKind::Refund, amount: Money::from_fen(39900) }),
        liable: Some(Side::Merchant),
        rationale: "商家未能举证".into(),
        cited_rule: "《消费者权益保护法》第二十四条".into(),
    };
    app.act(&agent, c2.id, decide).await.unwrap();

    // April: 2026-03-05 09:00 + 28 days = 2026-04-02 09:00 in Shanghai.
    world.clock.advance(hours(28 * 24));
    let april = [world.order("A-04-1", cast.shop, buyer).await, world.order("A-04-2", cast.shop, buyer).await];
    app.file_case(&cast.buyer, refund_request(39900), april[0].id).await.unwrap();
    let _ = c4;

    let shop = app.shop_dashboard(&cast.staff, cast.shop, 2).await.unwrap();
    let outcomes = |pairs: &[(&str, i64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect::<BTreeMap<_, _>>();
    // March: 6 cases (c1..c6) on 8 orders: 6 · 1000 / 8 = 750. Answers due: c1, c2, c4, c5, c6
    // (c3 withdrawn in time) = 5, on time c1, c2, c6 = 3 → 0.6. Response hours 2, 10, 50, 2 →
    // sorted 2 2 10 50, median by nearest rank the ⌈4/2⌉ = 2nd = 2. One ruling, against the
    // shop → 1.0. Repeats: c6 → 1/6. Ratings: c3's 4 stars → mean 4.
    let march = ShopFigures {
        month: "2026-03".into(),
        orders: 8,
        cases: 6,
        cases_per_1000_orders: Some(750.0),
        answers_due: 5,
        answered_on_time: 3,
        on_time_share: Some(0.6),
        median_response_hours: Some(2.0),
        outcomes: outcomes(&[("withdrawn", 1)]),
        rulings: 1,
        rulings_against: 1,
        rulings_against_share: Some(1.0),
        repeats: 1,
        repeat_rate: Some(1.0 / 6.0),
        ratings: 1,
        mean_rating: Some(4.0),
    };
    // April: c7 on 2 orders: 1 · 1000 / 2 = 500; its deadline has not passed: no answer due.
    let april_figures = ShopFigures {
        month: "2026-04".into(),
        orders: 2,
        cases: 1,
        cases_per_1000_orders: Some(500.0),
        repeat_rate: Some(0.0),
        ..Default::default()
    };
    // Both months: 7 cases on 10 orders = 700; the rest as in March, repeats 1/7.
    let total = ShopFigures {
        month: "total".into(),
        orders: 10,
        cases: 7,
        cases_per_1000_orders: Some(700.0),
        repeat_rate: Some(1.0 / 7.0),
        ..march.clone()
    };
    assert_eq!(shop.months, vec![march, april_figures]);
    assert_eq!(shop.total, total);
    assert_eq!(shop.from, "2026-02-28T16:00:00Z".parse::<jiff::Timestamp>().unwrap(), "March 1st 00:00 in Shanghai");

    // Another shop's staff do not see it; the buyer neither.
    let other_staff = world.user("other-shop", Role::Merchant, Some(other_shop)).await;
    assert!(app.shop_dashboard(&other_staff, cast.shop, 2).await.is_err());
    assert!(app.platform_dashboard(&cast.staff, 2).await.is_err());

    let platform = app.platform_dashboard(&agent, 2).await.unwrap();
    let march = &platform.months[0];
    // March: c1..c6 and shop B's case = 7; escalated and decided: c2, 3 working days, so every
    // percentile is 3; reasons: 6 quality_defect + 1 counterfeit; kinds: 6 refund_only + 1
    // return_refund; no SLA flagged.
    assert_eq!((march.cases, march.escalated, march.decided), (7, 1, 1));
    assert_eq!(
        (march.decision_days_p50, march.decision_days_p90, march.decision_days_max),
        (Some(3), Some(3), Some(3))
    );
    assert_eq!(march.by_reason, outcomes(&[("counterfeit", 1), ("quality_defect", 6)]));
    assert_eq!(march.by_kind, outcomes(&[("refund_only", 6), ("return_refund", 1)]));
    assert_eq!((march.sla_breaches, march.cases_breached), (0, 0));
    assert_eq!((platform.months[1].cases, platform.total.cases), (1, 8));
    // Open now: awaiting_merchant c4, c7, shop B's (c4 and B's overdue since March 4th);
    // awaiting_buyer c5 (offer) and c6 (question), both 7-day deadlines of early March: overdue;
    // refunding c1 and c2 (the refunds run in the worker, not started here).
    let by_state = |state: &str| {
        platform.backlog.iter().filter(|b| b.state == state).fold((0, 0), |(o, d), b| (o + b.open, d + b.overdue))
    };
    assert_eq!(by_state("awaiting_merchant"), (3, 2));
    assert_eq!(by_state("awaiting_buyer"), (2, 2));
    assert_eq!(by_state("refunding").0, 2);
    assert_eq!(platform.backlog.iter().map(|b| b.open).sum::<i64>(), 7, "c3 is closed");
    // The agent holds c2 (still open while its refund runs) and decided it on March 5th; the
    // other agent has no case and no decision, and is listed all the same (after, fewer open).
    let AgentLoad { name, open, decisions, .. } = &platform.agents[0];
    assert_eq!((name.as_str(), *open, *decisions, platform.agents.len()), ("agent", 1, 1, 2));
    let AgentLoad { agent: id, open, overdue, decisions, .. } = &platform.agents[1];
    assert_eq!((Some(*id), *open, *overdue, *decisions), (idle.user_id(), 0, 0, 0));
    // Over the last month only (April), the decision of March is not counted.
    assert_eq!(app.platform_dashboard(&agent, 1).await.unwrap().agents[0].decisions, 0);

    // The ports the platform dashboard reads, directly: March's 7 cases by reason and kind, c2's
    // ruling escalated on Monday 03-02 and decided on Thursday 03-05 (Shanghai days).
    let counts = world.store().platform_counts("2026-03", "2026-03").await.unwrap();
    assert_eq!(counts.cases.iter().map(|c| c.cases).sum::<i64>(), 7);
    let ruling = |y, m, d| jiff::civil::date(y, m, d);
    assert_eq!(
        counts.rulings.iter().map(|r| (r.escalated_on, r.decided_on, r.rulings)).collect::<Vec<_>>(),
        [(ruling(2026, 3, 2), ruling(2026, 3, 5), 1)]
    );
    let mut decided: Vec<(String, i64)> = world
        .store()
        .agent_decisions(ruling(2026, 3, 5), ruling(2026, 3, 6))
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.name, a.decisions))
        .collect();
    decided.sort();
    assert_eq!(decided, [("agent".to_owned(), 1), ("idle-agent".to_owned(), 0)]);
    let after: i64 = world
        .store()
        .agent_decisions(ruling(2026, 3, 6), ruling(2026, 4, 1))
        .await
        .unwrap()
        .iter()
        .map(|a| a.decisions)
        .sum();
    assert_eq!(after, 0, "the day after the decision");

    // The migration's backfill of cases filed before it gives the rows the changes wrote.
    db.execute("DELETE FROM case_figures", &[]).await;
    assert_eq!(app.platform_dashboard(&agent, 2).await.unwrap().total.cases, 0);
    db.execute(backfill(&db), &[]).await;
    assert_eq!(app.platform_dashboard(&agent, 2).await.unwrap(), platform);

    // Public reputation: 10 orders is under the default minimum of 30: no figure at all.
    let hidden = app.reputation(cast.shop).await.unwrap();
    assert!(!hidden.enough_orders);
    assert_eq!((hidden.dispute_rate, hidden.on_time_rate, hidden.rulings_against_rate), (None, None, None));
    assert!(hidden.months.is_empty());
    // With a policy asking for 5 orders: 7 cases / 10 orders = 0.7, on time 3/5 = 0.6; rulings
    // against 1/1 is one ruling, under the 5 a public share needs: none; satisfaction needs 5
    // ratings (there is 1): none. Six months, November to
    // April; March 6/8 = 0.75, April 1/2 = 0.5, months without orders have no rate.
    let lower = Policy { reputation_min_orders: 5, ..Policy::default() };
    world.store().insert_policy(2, &lower, world.now(), world.now()).await.unwrap();
    let shown = app.reputation(cast.shop).await.unwrap();
    assert!(shown.enough_orders);
    assert_eq!((shown.dispute_rate, shown.on_time_rate, shown.rulings_against_rate), (Some(0.7), Some(0.6), None));
    assert_eq!(shown.satisfaction, None);
    let rates: Vec<(&str, Option<f64>)> = shown.months.iter().map(|m| (m.month.as_str(), m.dispute_rate)).collect();
    assert_eq!(
        rates,
        [
            ("2025-11", None),
            ("2025-12", None),
            ("2026-01", None),
            ("2026-02", None),
            ("2026-03", Some(0.75)),
            ("2026-04", Some(0.5))
        ]
    );
}
