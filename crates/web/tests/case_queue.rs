//! `GET /api/v1/cases` as an integrator uses it (issue 9): a parameter the API does not know is
//! refused with a problem naming it, never answered with the unfiltered list; the merchant's
//! queue filters (waiting_for=me, due_before, overdue, sort=due, repeat) and stage=appeal work.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn unknown_or_malformed_list_parameters_are_refused_by_name() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    for (query, named) in [
        ("overdue_only=true", "overdue_only"),
        ("sortby=due", "sortby"),
        ("sort=soonest", "sort"),
        ("waiting_for=someone", "waiting_for"),
        ("due_before=tomorrow", "due_before"),
        ("sort=due&before=0190f5b0-0000-7000-8000-000000000000", "before"),
        ("after=0190f5b0-0000-7000-8000-000000000000", "after"),
        ("stage=appealed", "stage"),
    ] {
        let (status, body) = f.shop.get(&format!("/api/v1/cases?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["code"], "invalid_input", "{query}");
        assert!(body["detail"].as_str().unwrap().contains(named), "{query}: {body}");
    }
    // The same for the other lists.
    let (status, body) = f.buyer.get("/api/v1/orders?state=paid").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("state"), "{body}");
}

#[tokio::test]
async fn a_merchants_queue_waiting_for_me_overdue_and_by_due_time() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let first = f.file(&f.order(&t, "SH-QUEUE-1").await, "refund_only", "quality_defect", 39900).await;
    t.advance_hours(1);
    let second = f.file(&f.order(&t, "SH-QUEUE-2").await, "refund_only", "quality_defect", 39900).await;
    t.advance_hours(1);
    let asked = f.file(&f.order(&t, "SH-QUEUE-3").await, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&asked, "ask", json!({ "question": "请提供照片" })).await;

    let (status, body) = f.shop.get("/api/v1/cases?waiting_for=me&sort=due").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [first.clone(), second.clone()], "soonest first, waiting for the shop only");
    let (_, body) = f.buyer.get("/api/v1/cases?waiting_for=me").await;
    assert_eq!(ids(&body), [asked.as_str()]);

    // Paging by due time: the next page starts after the last case.
    let (_, page) = f.shop.get("/api/v1/cases?waiting_for=me&sort=due&limit=1").await;
    assert_eq!((ids(&page), &page["next_after"]), (vec![first.clone()], &json!(first)));
    let (_, page) = f.shop.get(&format!("/api/v1/cases?waiting_for=me&sort=due&limit=1&after={first}")).await;
    assert_eq!(ids(&page), [second.as_str()]);

    let (_, body) = f.shop.get("/api/v1/cases?overdue=true").await;
    assert_eq!(ids(&body), Vec::<String>::new(), "nothing is overdue yet");
    let due = f.shop.case(&first).await["case"]["deadline"]["due"].as_str().unwrap().to_owned();
    let (_, body) = f.shop.get(&format!("/api/v1/cases?due_before={}", due.replace(':', "%3A"))).await;
    assert_eq!(ids(&body), Vec::<String>::new(), "strictly before the first deadline");
    // Two days on, the first two deadlines (48 h) have passed but no sweeper has run.
    t.advance_hours(49);
    let (_, body) = f.shop.get("/api/v1/cases?overdue=true&sort=due").await;
    assert_eq!(ids(&body), [first.clone(), second.clone()]);
    let (_, body) = f.shop.get("/api/v1/cases?repeat=true").await;
    assert_eq!(ids(&body), Vec::<String>::new());
}

#[tokio::test]
async fn cases_under_appeal_are_listed_with_stage_appeal() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let case = f.file(&f.order(&t, "SH-APPEAL-1").await, "refund_only", "quality_defect", 39900).await;
    let other = f.file(&f.order(&t, "SH-APPEAL-2").await, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "申请介入" })).await;
    let ruling = json!({ "rationale": "证据不足", "cited_rule": "平台规则" });
    f.agent.ok(&case, "decide", ruling).await;
    f.buyer.ok(&case, "appeal", json!({ "reason": "不服" })).await;
    let (status, body) = f.agent.get("/api/v1/cases?stage=appeal").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [case.as_str()]);
    let (_, body) = f.shop.get("/api/v1/cases?stage=appeal").await;
    assert_eq!(ids(&body), [case]);
    let (_, body) = f.shop.get("/api/v1/cases?stage=negotiation").await;
    assert_eq!(ids(&body), [other]);
}

/// Issue F19: an agent's `waiting_for=me` lists the cases waiting for the platform that are
/// assigned to them, never another agent's (which would answer `409 not_assigned`); the whole
/// queue, unassigned cases too, is `waiting_for=platform`.
#[tokio::test]
async fn an_agents_waiting_for_me_is_the_cases_assigned_to_them() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let mut escalated = Vec::new();
    for number in ["SH-AGENT-1", "SH-AGENT-2", "SH-AGENT-3"] {
        t.advance_hours(1);
        let case = f.file(&f.order(&t, number).await, "refund_only", "quality_defect", 39900).await;
        f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
        f.buyer.ok(&case, "escalate", json!({ "text": "申请介入" })).await;
        escalated.push(case);
    }
    let [mine, theirs, unassigned] = &escalated[..] else { unreachable!() };
    f.agent.ok(mine, "take", json!({})).await;
    f.other_agent.ok(theirs, "take", json!({})).await;

    let (status, body) = f.agent.get("/api/v1/cases?waiting_for=me").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [mine.as_str()]);
    let (_, body) = f.other_agent.get("/api/v1/cases?waiting_for=me&sort=due").await;
    assert_eq!(ids(&body), [theirs.as_str()]);
    let (_, body) = f.agent.get("/api/v1/cases?waiting_for=platform").await;
    assert_eq!(ids(&body), [unassigned.as_str(), theirs, mine]);
    // What is listed as theirs, each agent may act on.
    let (status, body) = f.agent.act(mine, "request-evidence", json!({ "party": "buyer", "what": "照片" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = f.agent.get("/api/v1/cases?waiting_for=me").await;
    assert_eq!(ids(&body), Vec::<String>::new(), "the case now waits for the buyer");
    let (_, body) = f.buyer.get("/api/v1/cases?waiting_for=me").await;
    assert_eq!(ids(&body), [mine.as_str()]);
}
