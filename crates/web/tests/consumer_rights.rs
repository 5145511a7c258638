//! Consumer law over HTTP: no-reason return eligibility on filing, the rights view, the complaint
//! checker and the 12315 complaint.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{BOUNDARY, Fixture, TestApp, multipart};

/// An order signed for 24 h before the test's start, with a normal item and a custom-made one.
async fn order(t: &TestApp, f: &Fixture, number: &str) -> String {
    let signed = t.now().checked_sub(jiff::SignedDuration::from_hours(24)).unwrap();
    let (status, body) = f
        .admin
        .post(
            "/api/v1/orders",
            json!({
                "number": number, "merchant_id": f.shop_id, "buyer_id": f.buyer_id, "channel": "mini_program",
                "items": [
                    { "sku": "COAT", "title": "羊毛大衣", "quantity": 1, "unit_price": 89900 },
                    { "sku": "TEE", "title": "定制T恤", "quantity": 1, "unit_price": 8900, "flags": { "custom_made": true } }
                ],
                "amount_paid": 98800, "paid_at": signed, "shipped_at": signed, "signed_at": signed
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn no_reason(order: &str, sku: &str, amount: i64) -> Value {
    json!({ "order_id": order, "kind": "return_refund", "reason": "no_reason_7_day", "items": [{ "sku": sku, "quantity": 1 }],
            "amount": amount, "description": "不想要了" })
}

#[tokio::test]
async fn no_reason_returns_follow_the_law() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = order(&t, &f, "NR-1").await;

    let (status, problem) = f.buyer.post("/api/v1/cases", no_reason(&order, "TEE", 8900)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "no_reason_excluded_item");
    assert!(problem["detail"].as_str().unwrap().contains("第二十五条"), "{problem}");

    let (_, rights) = f.buyer.get(&format!("/api/v1/orders/{order}/rights")).await;
    let coat = rights["items"].as_array().unwrap().iter().find(|i| i["sku"] == "COAT").unwrap();
    // Signed Sunday 2026-03-01 09:00 Beijing: the window runs from 00:00 Monday for 7 × 24 h.
    assert_eq!(coat["rights"]["no_reason"]["window"]["ends_at"], "2026-03-08T16:00:00Z");
    assert_eq!(coat["rights"]["no_reason"]["window"]["freight_payer"], "buyer");
    let tee = rights["items"].as_array().unwrap().iter().find(|i| i["sku"] == "TEE").unwrap();
    assert_eq!(tee["rights"]["no_reason"]["allowed"], false);
    // Why not: a code with its arguments, and one message in the reader's language (zh-CN here).
    let refusal = &tee["rights"]["no_reason"]["refusal"];
    assert_eq!(refusal["code"], "no_reason_excluded_item", "{refusal}");
    assert_eq!(refusal["args"]["exclusion"], "custom_made", "{refusal}");
    assert!(refusal["message"].as_str().unwrap().contains("消费者定作的商品"), "{refusal}");
    assert!(refusal.get("message_en").is_none() && refusal.get("message_zh").is_none(), "{refusal}");
    let damages = &rights["statutory_damages"][0];
    assert_eq!(damages["rule"], "consumer_fraud", "{damages}");
    assert!(damages["explanation"].as_str().unwrap().contains("第五十五条"), "{damages}");

    // One second before the end it may still be filed; at the end it may not.
    t.clock.set("2026-03-08T15:59:59Z".parse().unwrap());
    let buyer = t.login("buyer").await;
    let (status, filed) = buyer.post("/api/v1/cases", no_reason(&order, "COAT", 89900)).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert!(filed["findings"].is_array());
    buyer.ok(filed["case"]["id"].as_str().unwrap(), "withdraw", json!({})).await;
    t.clock.set("2026-03-08T16:00:00Z".parse().unwrap());
    let (status, problem) = buyer.post("/api/v1/cases", no_reason(&order, "COAT", 89900)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "no_reason_window_closed");
}

#[tokio::test]
async fn complaint_checker_reads_a_draft() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = order(&t, &f, "CC-1").await;
    let (status, report) = f
        .buyer
        .post(
            "/api/v1/complaint-check",
            json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect", "description": "东西不好" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    for expected in
        ["no_timeline", "vague_problem", "no_explicit_demand", "evidence_not_fitting_reason", "merchant_not_contacted"]
    {
        assert!(codes.contains(&expected), "{expected} missing from {codes:?}");
    }
    // In English for an English reader: the words of each finding, its code and its arguments.
    let english = f.buyer.raw(reqwest::Method::POST, "/api/v1/complaint-check").header("Accept-Language", "en");
    let draft =
        json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect", "description": "东西不好" });
    let report: Value = english.json(&draft).send().await.unwrap().json().await.unwrap();
    let unfit = report["findings"].as_array().unwrap().iter().find(|f| f["code"] == "evidence_not_fitting_reason");
    let unfit = unfit.expect("the evidence finding");
    assert_eq!(unfit["args"]["reason"], "quality_defect", "{unfit}");
    assert_eq!(unfit["message"], "The evidence attached does not support “quality defect”: missing photo or video.");
    assert!(unfit["suggestion"].as_str().unwrap().starts_with("Take clear photos"), "{unfit}");
    // The record, not the draft, says the buyer contacted the merchant and which evidence exists.
    let path = format!("/api/v1/orders/{order}/conversation");
    let (status, _) = f.buyer.post(&format!("{path}/messages"), json!({ "text": "大衣左袖开线,内衬破洞" })).await;
    assert_eq!(status, StatusCode::CREATED);
    let photo = multipart(&[("kind", None, b"photo"), ("file", Some(("a.png", "image/png")), &support::png())]);
    let sent = f
        .buyer
        .raw(reqwest::Method::POST, &format!("{path}/files"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(photo)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let good = json!({
        "order_id": order, "kind": "refund_only", "reason": "quality_defect", "demanded_amount": 89900,
        "description": "3月1日签收羊毛大衣,当天试穿发现左袖开线约5厘米、内衬有两处破洞。3月1日晚联系商家客服,对方要求自行修补。要求全额退款899元。",
        "evidence_kinds": ["photo", "chat_record"], "contacted_merchant": true
    });
    let (_, report) = f.buyer.post("/api/v1/complaint-check", good).await;
    let serious: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] != "info").collect();
    assert!(serious.is_empty(), "{serious:?}");
    // Someone else's order is not found.
    let (status, _) = f
        .other_buyer
        .post(
            "/api/v1/complaint-check",
            json!({ "order_id": order, "kind": "refund_only", "reason": "other", "description": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_12315_complaint_has_every_required_field() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = order(&t, &f, "GOV-1").await;
    let (_, filed) = f
        .buyer
        .post("/api/v1/cases", json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect", "items": [{ "sku": "COAT", "quantity": 1 }], "amount": 89900, "description": "左袖开线" }))
        .await;
    let case = filed["case"]["id"].as_str().unwrap().to_owned();
    f.shop.ok(&case, "reject", json!({ "reason": "used_or_damaged_by_buyer", "text": "人为损坏" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "商家拒绝" })).await;
    f.agent.ok(&case, "request-evidence", json!({ "party": "buyer", "what": "请上传照片" })).await;
    f.buyer.ok(&case, "submit-evidence", json!({ "text": "开线处照片 3 张" })).await;

    let (status, body) = f.buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = &body["complaint"];
    for field in ["name", "phone", "address"] {
        assert!(c["complainant"][field].as_str().is_some_and(|v| !v.is_empty()), "complainant.{field}");
    }
    for field in ["name", "address", "credit_code"] {
        assert!(c["respondent"][field].as_str().is_some_and(|v| !v.is_empty()), "respondent.{field}");
    }
    assert!(redress_law::Uscc::parse(c["respondent"]["credit_code"].as_str().unwrap()).is_ok());
    assert_eq!(c["demand"], "仅退款：退还 ¥899.00");
    let facts = c["facts"].as_array().unwrap();
    let times: Vec<&str> = facts.iter().map(|f| f["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "facts in time order");
    assert!(facts[0]["text"].as_str().unwrap().contains("付款"));
    assert_eq!(c["evidence"][0]["description"], "开线处照片 3 张");
    assert_eq!(c["missing"], json!([]));
    assert_eq!(body["form"]["order_number"], "GOV-1");
    assert_eq!(body["form"]["purchase_date"], "2026-03-01");

    let html = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{case}/complaint-12315?format=html", t.base))
        .bearer_auth(f.buyer.token.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("统一社会信用代码") && html.contains("GOV-1") && html.contains("投诉要求"));

    let (status, _) = f.shop.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = f.other_buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_invalid_credit_code_is_refused() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let check = redress_law::uscc::compute_check_character("91330106MA2H3K5Q0").unwrap();
    let wrong = if check == '0' { '1' } else { '0' };
    let (status, problem) = f
        .admin
        .post(
            "/api/v1/merchants",
            json!({ "name": "某某商行", "credit_code": format!("91330106MA2H3K5Q0{wrong}"), "address": "杭州市" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "invalid_input");
    let (status, created) = f
        .admin
        .post(
            "/api/v1/merchants",
            json!({ "name": "某某商行", "credit_code": format!("91330106MA2H3K5Q0{check}"), "address": "杭州市" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}

#[tokio::test]
async fn an_agent_may_award_statutory_damages_beyond_the_price() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "FAKE-1").await;
    let case = f.file(&order, "refund_only", "counterfeit", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "evidence_insufficient", "text": "正品" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "鉴定为假货" })).await;

    let (_, rights) = f.buyer.get(&format!("/api/v1/cases/{case}/rights")).await;
    let fraud = rights["statutory_damages"].as_array().unwrap().iter().find(|d| d["rule"] == "consumer_fraud").unwrap();
    assert_eq!(fraud["applicable"], true);
    // ¥399 back plus 3 × ¥399 = ¥1197 (above the ¥500 floor).
    assert_eq!(fraud["breakdown"]["total_fen"], 159600);

    let decide = |amount: i64| {
        json!({ "remedy": { "kind": "compensation", "amount": amount }, "liable": "merchant",
                "rationale": "检测报告认定为假冒商品,构成欺诈", "cited_rule": "《消费者权益保护法》第五十五条" })
    };
    let (status, problem) = f.agent.act(&case, "decide", decide(159601)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "amount_exceeds_refundable");
    f.agent.ok(&case, "decide", decide(159600)).await;
    assert_eq!(t.tick().await.refunds_settled, 1);
    let detail = f.buyer.case(&case).await;
    assert_eq!(detail["case"]["outcome"], "compensated");
    assert_eq!(detail["case"]["compensated_total"], 159600);
    assert_eq!(detail["case"]["refunded_total"], 0);
    // The ledger's refunds stay within what was paid; the compensation is booked apart.
    assert_eq!(t.app.store.ledger_total(order.parse().unwrap()).await.unwrap().fen(), 0);
    // The buyer is told of a compensation paid, not of a refund (trial: "退款 ¥1596.00 已到账").
    for (lang, paid) in [("zh-CN", "赔偿 ¥1596.00 已到账"), ("en", "A compensation of ¥1596.00 was paid")] {
        let (_, notes) = f.buyer.get_in(lang, "/api/v1/notifications").await;
        let texts = notes["items"].to_string();
        assert!(texts.contains(paid) && !texts.contains("退款 ¥") && !texts.contains("refund of"), "{texts}");
    }
}
