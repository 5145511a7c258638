//! The seeds' paths end to end over real HTTP, with the clock moved by hand and the real worker
//! firing deadlines and executing refunds.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

fn types(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["body"]["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn seeds_main_path_from_message_to_refund() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-MAIN-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;

    // The buyer talks to the merchant through the platform first.
    f.buyer.ok(&case, "message", json!({ "text": "左耳没有声音,请处理" })).await;
    let detail =
        f.shop.ok(&case, "reject", json!({ "reason": "used_or_damaged_by_buyer", "text": "耳机有进水痕迹" })).await;
    assert_eq!(detail["case"]["state"], "merchant_rejected");
    assert_eq!(detail["case"]["deadline"]["waits_for"], json!(["buyer"]));

    let detail = f.buyer.ok(&case, "escalate", json!({ "text": "商家拒绝,申请平台介入" })).await;
    assert_eq!(detail["case"]["state"], "platform_review");
    assert_eq!(detail["case"]["stage"], "platform");
    // SLA: first action within 3 working days of Monday 09:00 → end of Thursday (Shanghai).
    assert_eq!(detail["case"]["deadline"]["due"], "2026-03-05T16:00:00Z");

    let detail = f.agent.ok(&case, "request-evidence", json!({ "party": "buyer", "what": "请上传开箱视频" })).await;
    assert_eq!(detail["case"]["state"], "awaiting_evidence");
    assert_eq!(detail["case"]["deadline"]["waits_for"], json!(["buyer"]));
    let detail = f.buyer.ok(&case, "submit-evidence", json!({ "text": "已上传开箱视频和照片" })).await;
    assert_eq!(detail["case"]["state"], "platform_review");

    let detail = f
        .agent
        .ok(
            &case,
            "decide",
            json!({
                "remedy": { "kind": "refund", "amount": 39900 },
                "liable": "merchant",
                "rationale": "视频显示开箱即无声,非人为损坏",
                "cited_rule": "《消费者权益保护法》第二十四条"
            }),
        )
        .await;
    assert_eq!(detail["case"]["state"], "refunding");

    let report = t.tick().await;
    assert_eq!(report.refunds_settled, 1);
    let detail = f.buyer.case(&case).await;
    assert_eq!(detail["case"]["state"], "closed");
    assert_eq!(detail["case"]["outcome"], "refunded");
    assert_eq!(detail["case"]["refunded_total"], 39900);
    assert_eq!(
        types(&detail),
        [
            "filed",
            "message_posted",
            "rejected",
            "escalated",
            "taken",
            "evidence_requested",
            "evidence_submitted",
            "decided",
            "refund_started",
            "refund_succeeded"
        ]
    );
    // Every step names its actor and its time.
    for entry in detail["timeline"].as_array().unwrap() {
        assert!(entry["by"]["role"].is_string(), "{entry}");
        assert!(entry["at"].is_string(), "{entry}");
        assert_eq!(entry["hash"].as_str().unwrap().len(), 64);
    }
    let roles: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["by"]["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["buyer", "buyer", "merchant", "buyer", "agent", "agent", "buyer", "agent", "agent", "system"]);
    let (_, chain) = f.buyer.get(&format!("/api/v1/cases/{case}/chain")).await;
    assert_eq!(chain["intact"], true);
    // The ledger paid exactly once.
    let order_id = order.parse().unwrap();
    assert_eq!(t.app.store.ledger_total(order_id).await.unwrap().fen(), 39900);
}

#[tokio::test]
async fn silent_merchant_is_auto_approved_after_48_hours() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-SILENT-1").await;
    let case = f.file(&order, "refund_only", "not_delivered", 39900).await;
    let detail = f.buyer.case(&case).await;
    assert_eq!(detail["case"]["deadline"]["due"], "2026-03-04T01:00:00.123456Z");
    assert_eq!(detail["case"]["deadline"]["waits_for"], json!(["merchant"]));

    t.advance_hours(47);
    assert_eq!(t.tick().await.timeouts_fired, 0);
    assert_eq!(f.buyer.case(&case).await["case"]["state"], "awaiting_merchant");

    t.advance_hours(1);
    let report = t.tick().await;
    assert_eq!(report.timeouts_fired, 1);
    assert_eq!(report.refunds_settled, 1);
    let detail = f.buyer.case(&case).await;
    assert_eq!(detail["case"]["outcome"], "refunded");
    assert_eq!(types(&detail), ["filed", "timed_out", "approved", "refund_started", "refund_succeeded"]);
    assert_eq!(detail["timeline"][1]["by"]["role"], "system");
    // A second pass finds nothing more to do: the timeout fired once.
    assert_eq!(t.tick().await, Default::default());
}

#[tokio::test]
async fn unconfirmed_return_is_refunded_after_10_days() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-RETURN-1").await;
    let case = f.file(&order, "return_refund", "not_as_described", 39900).await;
    let detail = f.shop.ok(&case, "approve", json!({})).await;
    assert_eq!(detail["case"]["state"], "awaiting_return_shipment");
    let detail =
        f.buyer.ok(&case, "ship-return", json!({ "carrier": "顺丰速运", "tracking_no": "SF1234567890" })).await;
    assert_eq!(detail["case"]["state"], "return_in_transit");
    assert_eq!(detail["case"]["deadline"]["waits_for"], json!(["merchant"]));

    t.advance_hours(10 * 24 - 1);
    assert_eq!(t.tick().await.timeouts_fired, 0);
    t.advance_hours(1);
    let report = t.tick().await;
    assert_eq!((report.timeouts_fired, report.refunds_settled), (1, 1));
    // Sessions last 7 days: the buyer signs in again to look.
    let detail = t.login("buyer").await.case(&case).await;
    assert_eq!(detail["case"]["outcome"], "refunded");
    assert_eq!(
        types(&detail),
        ["filed", "approved", "return_shipped", "timed_out", "refund_started", "refund_succeeded"]
    );
}

#[tokio::test]
async fn worker_catches_up_after_downtime() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-DOWN-1").await;
    let case = f.file(&order, "return_refund", "quality_defect", 39900).await;
    f.shop.ok(&case, "approve", json!({})).await;
    // Nobody ran the worker for 30 days: the buyer never shipped, so the case is cancelled once.
    t.advance_hours(30 * 24);
    let report = t.tick().await;
    assert_eq!(report.timeouts_fired, 1);
    let detail = t.login("buyer").await.case(&case).await;
    assert_eq!(detail["case"]["outcome"], "cancelled");
    assert_eq!(detail["case"]["deadline"], Value::Null);
}

#[tokio::test]
async fn refused_commands_say_why() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-REFUSE-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    // Not allowed in this state: 409 with a code.
    let (status, problem) = f.buyer.act(&case, "ship-return", json!({ "carrier": "顺丰", "tracking_no": "SF1" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "not_allowed_in_state");
    assert_eq!(problem["title"], "当前售后状态下不能进行此操作");
    // Escalating before 3 working days of negotiation.
    let (status, problem) = f.buyer.act(&case, "escalate", json!({ "text": "" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "escalation_too_early");
    // When, in Beijing time, and why (issue 9): filed Monday 09:00, 3 working days end Thursday 24:00.
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("北京时间 2026-03-06 00:00") && detail.contains("商家拒绝后可立即申请"), "{detail}");
    let (_, problem) = f
        .buyer
        .raw(reqwest::Method::POST, &format!("/api/v1/cases/{case}/actions/escalate"))
        .header("accept-language", "en")
        .json(&json!({ "text": "" }))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    let problem: Value = problem.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("from 2026-03-06 00:00 Beijing time") && detail.contains("3 working days"), "{detail}");
    // Another open case on the same item.
    let (status, problem) = f
        .buyer
        .post("/api/v1/cases", json!({ "order_id": order, "kind": "refund_only", "reason": "other", "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 100, "description": "" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "items_have_open_case");
}

/// Issue 9: `revise` was never offered while the case waited for the merchant, because the old
/// probe's unchanged revision decided to no events. DESIGN.md: the buyer revises in
/// awaiting_merchant or merchant_rejected, and the revision is then accepted.
#[tokio::test]
async fn revise_is_offered_while_the_merchant_has_not_answered_and_is_accepted() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-REVISE-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let offered = |detail: &Value| detail["allowed_actions"].as_array().unwrap().contains(&json!("revise"));
    assert!(offered(&f.buyer.case(&case).await), "awaiting_merchant: {}", f.buyer.case(&case).await["allowed_actions"]);
    assert!(!offered(&f.shop.case(&case).await));
    let detail = f.buyer.ok(&case, "revise", json!({ "amount": 20000 })).await;
    assert_eq!(detail["case"]["amount"], 20000);
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    assert!(offered(&f.buyer.case(&case).await), "merchant_rejected");
}

/// Issue 9: timeline actors were bare user ids. Each entry names who acted (role and name), the
/// buyer's name masked to the merchant as in the case's parties; the rules act as `system`.
#[tokio::test]
async fn the_timeline_names_who_acted_as_the_reader_may_see_them() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let case = f.file(&f.order(&t, "SH-WHO-1").await, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "申请介入" })).await;
    f.agent.ok(&case, "request-evidence", json!({ "party": "buyer", "what": "照片" })).await;
    t.advance_hours(24 * 5);
    t.tick().await;
    let by = |detail: &Value| -> Vec<Value> {
        detail["timeline"].as_array().unwrap().iter().map(|e| e["by"].clone()).collect()
    };
    let shop = json!({ "role": "merchant", "name": "山海数码旗舰店 · shop" });
    let agent = json!({ "role": "agent", "name": "agent" });
    let system = json!({ "role": "system", "name": null });
    let seen_by_shop = by(&f.shop.case(&case).await);
    assert_eq!(
        seen_by_shop[..5],
        [
            json!({ "role": "buyer", "name": "b****" }),
            shop.clone(),
            json!({ "role": "buyer", "name": "b****" }),
            agent.clone(),
            agent.clone()
        ]
    );
    assert_eq!(seen_by_shop.last(), Some(&system), "the evidence deadline fired: {seen_by_shop:?}");
    let seen_by_buyer = by(&f.buyer.case(&case).await);
    assert_eq!(seen_by_buyer[..2], [json!({ "role": "buyer", "name": "buyer" }), shop]);
    assert_eq!(f.shop.case(&case).await["parties"]["buyer"]["name"], "b****");
    assert_eq!(f.agent.case(&case).await["parties"]["buyer"]["name"], "buyer");
}

/// A shop approves the request it read, not one revised meanwhile (trial: the shop read ¥10,
/// the buyer revised to ¥49 and the approval paid ¥49). The case's `ETag` is its version; an
/// action sent with it as `If-Match` is refused (412 `case_changed`) once the case has changed,
/// and nothing is done; with the current one, or `*`, or none, it is taken.
#[tokio::test]
async fn an_action_names_the_version_it_was_decided_on() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-IFMATCH-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 1000).await;
    let read = f.shop.request(reqwest::Method::GET, &format!("/api/v1/cases/{case}")).send().await.unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let seen: Value = read.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", seen["version"]));
    assert_eq!(seen["case"]["amount"], 1000);

    f.buyer.ok(&case, "revise", json!({ "amount": 4900 })).await;
    let approve = |if_match: &str| {
        f.shop
            .request(reqwest::Method::POST, &format!("/api/v1/cases/{case}/actions/approve"))
            .header("If-Match", if_match.to_owned())
            .header("Accept-Language", "en")
            .json(&json!({}))
    };
    let refused = approve(&etag).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "case_changed", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("version 1 of the case; it is now at version 2"), "{problem}");
    let now = f.shop.case(&case).await;
    assert_eq!(
        (now["case"]["state"].as_str(), now["case"]["amount"].as_i64()),
        (Some("awaiting_merchant"), Some(4900))
    );

    // Not an entity tag of a case: refused as such. A weak tag too: `If-Match` compares
    // strongly (RFC 9110, 13.1.1), and the trial's `W/"1"` was taken as version 1.
    let weak = format!("W/\"{}\"", now["version"]);
    // Compared as text: a leading zero is another tag (trial helper-49: `"02"` matched `"2"`).
    let padded = format!("\"0{}\"", now["version"]);
    for bad in ["1", "\"x\"", "\"0\"", "\"2\", \"3\"", &weak, &padded] {
        let answer = approve(bad).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let problem: Value = answer.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().starts_with("If-Match"), "{bad}: {problem}");
    }
    // A refusal for a stale version is not kept under the request's key (trial helper-45: the
    // same key with the version read again got the 412 back): the retry after reading again
    // is taken, and its answer is the one kept.
    let current = format!("\"{}\"", now["version"]);
    let keyed = |if_match: &str| approve(if_match).header("Idempotency-Key", "approve-once");
    assert_eq!(keyed(&etag).send().await.unwrap().status(), StatusCode::PRECONDITION_FAILED);
    // Read again: the approval is of what it now says.
    let approved = keyed(&current).send().await.unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    let answer: Value = approved.json().await.unwrap();
    assert_eq!(answer["case"]["state"], "refunding", "{answer}");
    let replayed = keyed(&current).send().await.unwrap();
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    // `*`: any version.
    let (status, _) = f.buyer.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    let message = f
        .buyer
        .request(reqwest::Method::POST, &format!("/api/v1/cases/{case}/actions/message"))
        .header("If-Match", "*")
        .json(&json!({ "text": "谢谢" }))
        .send()
        .await
        .unwrap();
    assert_eq!(message.status(), StatusCode::OK);
}

/// The same race sent at once, many times: an approval with `If-Match` either approves the
/// amount its sender read, or is refused; it never pays a revision it did not see.
#[tokio::test]
async fn an_approval_racing_a_revision_pays_what_was_read_or_nothing() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    for i in 0..12 {
        let order = f.order(&t, &format!("SH-RACE-{i}")).await;
        let case = f.file(&order, "refund_only", "quality_defect", 1000).await;
        let etag = format!("\"{}\"", f.shop.case(&case).await["version"]);
        let approve = f
            .shop
            .request(reqwest::Method::POST, &format!("/api/v1/cases/{case}/actions/approve"))
            .header("If-Match", etag)
            .json(&json!({}))
            .send();
        let revise = f.buyer.act(&case, "revise", json!({ "amount": 4900 }));
        let (approved, _) = tokio::join!(approve, revise);
        let status = approved.unwrap().status();
        let now = f.shop.case(&case).await;
        match status {
            StatusCode::OK => assert_eq!(now["case"]["remedy"]["amount"], 1000, "{now}"),
            StatusCode::PRECONDITION_FAILED => assert_eq!(now["case"]["state"], "awaiting_merchant", "{now}"),
            other => panic!("approve answered {other}: {now}"),
        }
    }
}

/// Trial (helper-44): an agent refused another agent's case, or the review of their own ruling,
/// is told why (the 409s had a title only).
#[tokio::test]
async fn an_agent_refused_a_case_is_told_why() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let case = f.file(&f.order(&t, "SH-WHY-1").await, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "申请介入" })).await;
    f.agent.ok(&case, "take", json!({})).await;
    let refused = |who: &support::Session, action: &'static str, body: Value| {
        let request = who.request(reqwest::Method::POST, &format!("/api/v1/cases/{case}/actions/{action}"));
        request.header("Accept-Language", "en").json(&body).send()
    };
    let taken: Value = refused(&f.other_agent, "take", json!({})).await.unwrap().json().await.unwrap();
    assert_eq!(taken["code"], "not_assigned", "{taken}");
    assert!(taken["detail"].as_str().unwrap().starts_with("Another agent is handling the case"), "{taken}");

    f.agent.ok(&case, "decide", json!({ "rationale": "证据不足", "cited_rule": "平台规则" })).await;
    f.buyer.ok(&case, "appeal", json!({ "reason": "不服" })).await;
    let review = json!({ "uphold": true, "rationale": "维持", "cited_rule": "平台规则" });
    let own: Value = refused(&f.agent, "review-appeal", review).await.unwrap().json().await.unwrap();
    assert_eq!(own["code"], "own_decision", "{own}");
    assert!(own["detail"].as_str().unwrap().contains("another agent reviews it"), "{own}");
}

/// Review of session 24: two requests with one key and one `If-Match` both pass the key's
/// lookup; the first commits, and the second, reading the case at the version the first made,
/// was refused `412` for a change that was made. It gets the first's answer. (The use case is
/// called directly to put the second after the first's commit but past its key's lookup.)
#[tokio::test]
async fn a_twin_behind_its_keyed_change_gets_its_answer_not_a_412() {
    use redress_app::idempotency::IdempotencyKey;
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let case = f.file(&f.order(&t, "SH-TWIN-412").await, "refund_only", "quality_defect", 1000).await;
    let read = f.shop.case(&case).await["version"].as_i64().unwrap();
    let (shop, _) = t.app.store.user_by_login("shop").await.unwrap().unwrap();
    let shop = redress_app::Principal::User(shop);
    let key = IdempotencyKey {
        scope: IdempotencyKey::scope_of(&shop),
        key: "approve-twice".into(),
        request_hash: "same request".into(),
    };
    let id = redress_domain::CaseId(case.parse().unwrap());
    let approve = || t.app.act_answered(&shop, id, redress_domain::Command::Approve, Some(&key), Some(read));
    let first = approve().await.expect("the first approves");
    let second = approve().await.expect("the twin is answered, not refused");
    let (
        redress_app::idempotency::Answered::Fresh { status, body },
        redress_app::idempotency::Answered::Replayed(replayed),
    ) = (first, second)
    else {
        panic!("the first is fresh and the twin replays it");
    };
    assert_eq!((status, body), (replayed.status, replayed.body));
    // Without a key, the version moved on is refused as before.
    let unkeyed = t.app.act_answered(&shop, id, redress_domain::Command::Approve, None, Some(read)).await;
    assert!(
        matches!(unkeyed, Err(redress_app::AppError::Rejected(ref r)) if r.code.as_str() == "case_changed"),
        "{unkeyed:?}"
    );
}
