//! The queue filters of `GET /cases` on both databases (issue 9): whom a case waits for, deadlines
//! before a time, sorted by due time with a cursor, repeat filings and pending appeals. The
//! columns they read are generated from the stored case, so every write path keeps them.

mod support;

use redress_app::Role;
use redress_app::ports::CaseFilter;
use redress_domain::vocabulary::RejectReason;
use redress_domain::{Case, CaseId, Command, Party, Side};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    queue_filters => sqlite_queue_filters, postgres_queue_filters;
    an_agents_queue => sqlite_an_agents_queue, postgres_an_agents_queue;
}

fn ids(cases: &[Case]) -> Vec<CaseId> {
    cases.iter().map(|c| c.id).collect()
}

async fn queue_filters(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let (app, buyer) = (&world.app, cast.buyer_id());

    // Withdrawn, then filed again on the same item: a repeat, waiting for the merchant.
    let first_order = world.order("SH-Q-1", cast.shop, buyer).await;
    let withdrawn = app.file_case(&cast.buyer, refund_request(39900), first_order.id).await.unwrap();
    app.act(&cast.buyer, withdrawn.id, Command::Withdraw).await.unwrap();
    world.advance_hours(1);
    let repeat = app.file_case(&cast.buyer, refund_request(39900), first_order.id).await.unwrap();
    // Asked a question: waiting for the buyer.
    world.advance_hours(1);
    let order = world.order("SH-Q-2", cast.shop, buyer).await;
    let asked = app.file_case(&cast.buyer, refund_request(10000), order.id).await.unwrap();
    app.act(&cast.staff, asked.id, Command::Ask { question: "请提供照片".into() }).await.unwrap();
    // Rejected, escalated, decided and appealed: waiting for the platform, under appeal.
    let order = world.order("SH-Q-3", cast.shop, buyer).await;
    let appealed = app.file_case(&cast.buyer, refund_request(10000), order.id).await.unwrap();
    let reject = Command::Reject { reason: RejectReason::UsedOrDamagedByBuyer, text: "进水".into() };
    app.act(&cast.staff, appealed.id, reject).await.unwrap();
    app.act(&cast.buyer, appealed.id, Command::Escalate { text: "申请介入".into() }).await.unwrap();
    let decide =
        Command::Decide { remedy: None, liable: None, rationale: "无证据".into(), cited_rule: "规则".into() };
    app.act(&agent, appealed.id, decide).await.unwrap();
    app.act(&cast.buyer, appealed.id, Command::Appeal { reason: "不服".into() }).await.unwrap();

    let store = world.store();
    let list =
        |filter: CaseFilter| async move { ids(&store.list_cases(&CaseFilter { limit: 10, ..filter }).await.unwrap()) };
    let waiting = |party| CaseFilter { waiting_for: Some(party), ..Default::default() };
    assert_eq!(list(waiting(Party::Merchant)).await, [repeat.id]);
    assert_eq!(list(waiting(Party::Buyer)).await, [asked.id]);
    assert_eq!(list(waiting(Party::Platform)).await, [appealed.id]);
    assert_eq!(list(CaseFilter { repeat: true, ..Default::default() }).await, [repeat.id]);
    assert_eq!(list(CaseFilter { under_appeal: true, ..Default::default() }).await, [appealed.id]);

    // Soonest deadline first, the closed case left out, paged one by one with the cursor.
    let open: Vec<Case> = [repeat.id, asked.id, appealed.id]
        .into_iter()
        .map(|id| async move { store.case(id).await.unwrap().unwrap().case })
        .collect::<futures_util::future::JoinAll<_>>()
        .await;
    let mut by_due = open.clone();
    by_due.sort_by_key(|c| (c.deadline.as_ref().unwrap().due, c.id));
    let by_due = ids(&by_due);
    assert_eq!(list(CaseFilter { sort_by_due: true, ..Default::default() }).await, by_due);
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let filter = CaseFilter { sort_by_due: true, before: cursor, limit: 1, ..Default::default() };
        let page = store.list_cases(&filter).await.unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        paged.extend(ids(&page));
    }
    assert_eq!(paged, by_due);

    // Before the second deadline: only the first.
    let second = open.iter().find(|c| c.id == by_due[1]).unwrap().deadline.as_ref().unwrap().due;
    assert_eq!(list(CaseFilter { due_before: Some(second), ..Default::default() }).await, by_due[..1]);
    // Filters combine with the caller's scope.
    let other_shop = world.merchant("别家店").await;
    let scoped = CaseFilter { merchant_id: Some(other_shop), waiting_for: Some(Party::Merchant), ..Default::default() };
    assert!(list(scoped).await.is_empty());
}

/// An agent's `waiting_for=me` (`CaseFilter::waiting_for_me`, issue F19): the cases waiting for
/// the platform that are assigned to them.
/// Another agent's case (which would answer `not_assigned`), an unassigned one, and one of theirs
/// waiting for the buyer's evidence are left out.
async fn an_agents_queue(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let other_agent = world.user("agent2", Role::Agent, None).await;
    let (app, buyer) = (&world.app, cast.buyer_id());
    let mut escalated = Vec::new();
    for number in ["SH-A-1", "SH-A-2", "SH-A-3", "SH-A-4"] {
        world.advance_hours(1);
        let order = world.order(number, cast.shop, buyer).await;
        let case = app.file_case(&cast.buyer, refund_request(10000), order.id).await.unwrap();
        let reject = Command::Reject { reason: RejectReason::UsedOrDamagedByBuyer, text: "进水".into() };
        app.act(&cast.staff, case.id, reject).await.unwrap();
        app.act(&cast.buyer, case.id, Command::Escalate { text: "申请介入".into() }).await.unwrap();
        escalated.push(case.id);
    }
    let [mine, theirs, unassigned, asked] = escalated[..] else { unreachable!() };
    app.act(&agent, mine, Command::Take).await.unwrap();
    app.act(&other_agent, theirs, Command::Take).await.unwrap();
    let request = Command::RequestEvidence { party: Side::Buyer, what: "照片".into(), due_in_hours: None };
    app.act(&agent, asked, request).await.unwrap();

    let me =
        |who| async move { ids(&app.list_cases(who, CaseFilter::default().waiting_for_me(who), None).await.unwrap()) };
    assert_eq!(me(&agent).await, [mine]);
    assert_eq!(me(&other_agent).await, [theirs]);
    assert_eq!(me(&cast.buyer).await, [asked], "the buyer's: the evidence asked of them");
    let store = world.store();
    let list =
        |filter: CaseFilter| async move { ids(&store.list_cases(&CaseFilter { limit: 10, ..filter }).await.unwrap()) };
    let platform = CaseFilter { waiting_for: Some(Party::Platform), ..Default::default() };
    assert_eq!(list(platform).await, [unassigned, theirs, mine], "the platform's whole queue, newest first");
    let assigned = CaseFilter { assigned_agent: agent.user_id(), ..Default::default() };
    assert_eq!(list(assigned).await, [asked, mine], "assigned to the agent, whomever the case waits for");
}
