//! `POST /api/v1/orders:batch`: merchant systems send many orders at once; each is checked as a
//! single creation is, good ones are created even when others are refused, and sending the same
//! orders again creates nothing twice.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Fixture, TestApp};

const BATCH: &str = "/api/v1/orders:batch";

fn order(f: &Fixture, number: &str, quantity: Value) -> Value {
    json!({ "number": number, "merchant_id": f.shop_id, "buyer_id": f.buyer_id, "channel": "web",
            "items": [{ "sku": "EB-1", "title": "降噪蓝牙耳机", "quantity": quantity, "unit_price": 39900 }],
            "amount_paid": 39900, "paid_at": "2026-03-01T01:00:00Z" })
}

fn statuses(answer: &Value) -> Vec<&str> {
    answer["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_batch_creates_the_good_orders_refuses_each_bad_one_and_is_idempotent() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let foreign = json!({ "number": "B-F", "merchant_id": f.other_shop_id, "buyer_id": f.buyer_id, "channel": "web",
        "items": [{ "sku": "X", "title": "x", "quantity": 1, "unit_price": 100 }], "amount_paid": 100 });
    let batch = json!({ "orders": [
        order(&f, "B-1", json!(1)),
        order(&f, "B-2", json!(0)),
        order(&f, "B-3", json!("two")),
        foreign,
        order(&f, "B-4", json!(2)),
        order(&f, "B-1", json!(1)),
    ]});
    let (status, first) = f.shop.post(BATCH, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(statuses(&first), ["created", "refused", "refused", "refused", "created", "already_present"]);
    assert_eq!(
        (first["created"].as_u64(), first["already_present"].as_u64(), first["refused"].as_u64()),
        (Some(2), Some(1), Some(3))
    );
    let results = &first["results"];
    // The field at fault is named, and what it takes (trial helper-45: one sentence for all).
    assert_eq!(results[1]["field"], "items[0].quantity");
    assert_eq!(results[1]["problem"]["code"], "invalid_json", "out of the document's range");
    assert_eq!(results[1]["problem"]["detail"], "items[0].quantity：须在 1 到 100000 之间。", "{}", results[1]);
    // An order that does not read as one is refused alone, with the path of the field, and
    // with the code a single creation of it gets (trial helper-48: `invalid_input` against
    // `POST /orders`' `invalid_json`).
    assert_eq!(results[2]["field"], "items[0].quantity");
    assert_eq!(results[2]["problem"]["code"], "invalid_json");
    let (status, single) = f.shop.post("/api/v1/orders", order(&f, "B-3", json!("two"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{single}");
    assert_eq!(
        (&single["code"], &single["detail"]),
        (&results[2]["problem"]["code"], &results[2]["problem"]["detail"])
    );
    // A shop imports its own orders only; the problem is in the caller's language (zh-CN here).
    assert_eq!(results[3]["field"], "merchant_id");
    assert_eq!(results[3]["problem"]["code"], "forbidden");
    assert_eq!(results[3]["problem"]["title"], "您没有权限进行此操作");
    assert_eq!(results[5]["id"], results[0]["id"], "the same number twice is one order");

    // Sent again: nothing is created twice, the refused stay refused (in English when asked).
    let again: Value = f
        .shop
        .raw(reqwest::Method::POST, BATCH)
        .header("Accept-Language", "en")
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        statuses(&again),
        ["already_present", "refused", "refused", "refused", "already_present", "already_present"]
    );
    assert_eq!(again["results"][0]["id"], first["results"][0]["id"]);
    assert_eq!(again["results"][3]["problem"]["title"], "You are not allowed to do this");
    let (_, listed) = f.shop.get("/api/v1/orders?limit=100").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);

    // The same number with other contents is not an update: refused, the order stays as it was.
    let (_, changed) = f.shop.post(BATCH, json!({ "orders": [order(&f, "B-4", json!(3))] })).await;
    assert_eq!(statuses(&changed), ["refused"]);
    assert_eq!(changed["results"][0]["problem"]["code"], "duplicate");
    assert_eq!(changed["results"][0]["field"], "number");
    let (_, stored) = f.shop.get(&format!("/api/v1/orders/{}", first["results"][4]["id"].as_str().unwrap())).await;
    assert_eq!(stored["items"][0]["quantity"], 2);
}

#[tokio::test]
async fn an_order_number_is_unique_per_shop_not_across_shops() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let (_, mine) = f.shop.post(BATCH, json!({ "orders": [order(&f, "1001", json!(1))] })).await;
    let mut theirs = order(&f, "1001", json!(1));
    theirs["merchant_id"] = json!(f.other_shop_id);
    let (_, other) = f.other_shop.post(BATCH, json!({ "orders": [theirs] })).await;
    assert_eq!((statuses(&mine), statuses(&other)), (vec!["created"], vec!["created"]), "{other}");
    // The single creation keeps refusing a number its shop already has.
    let (status, problem) = f.admin.post("/api/v1/orders", order(&f, "1001", json!(1))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate")));
}

#[tokio::test]
async fn a_batch_is_authorized_bounded_and_replayed_by_its_idempotency_key() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let one = json!({ "orders": [order(&f, "K-1", json!(1))] });
    for (who, session) in [("buyer", &f.buyer), ("agent", &f.agent)] {
        let (status, problem) = session.post(BATCH, one.clone()).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{who}");
    }
    let (status, problem) = t.anonymous().post(BATCH, one.clone()).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let too_many: Vec<Value> =
        (0..=redress_app::orders::MAX_BATCH).map(|i| order(&f, &format!("M-{i}"), json!(1))).collect();
    let (status, problem) = f.admin.post(BATCH, json!({ "orders": too_many })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
    let (_, listed) = f.admin.get("/api/v1/orders").await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "a refused batch creates nothing");

    // A retry with the same key gets the first answer (`created`), not a second run's.
    let (_, first) = f.shop.post_with_key(BATCH, "batch-1", one.clone()).await;
    let (_, retry) = f.shop.post_with_key(BATCH, "batch-1", one.clone()).await;
    assert_eq!(statuses(&first), ["created"]);
    assert_eq!(retry, first);
    let (_, fresh) = f.shop.post_with_key(BATCH, "batch-2", one).await;
    assert_eq!(statuses(&fresh), ["already_present"]);
}

/// Trial finding F18: orders "paid" in 1900 or in 2099 were imported and cases filed on them.
/// A time later than the platform's clock (beyond 5 minutes of skew) or before 2000 is refused,
/// naming the field, in the caller's language; within the skew it is accepted.
#[tokio::test]
async fn an_order_paid_in_the_future_or_before_2000_is_refused_naming_the_field() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let at = |order: &mut Value, field: &str, time: jiff::Timestamp| order[field] = json!(time);
    let now = t.now();
    let minutes = |m: i64| jiff::SignedDuration::from_mins(m);
    let mut future = order(&f, "T-FUTURE", json!(1));
    at(&mut future, "paid_at", "2099-01-01T00:00:00Z".parse().unwrap());
    let mut old = order(&f, "T-OLD", json!(1));
    at(&mut old, "paid_at", "1900-01-01T00:00:00Z".parse().unwrap());
    let mut signed_ahead = order(&f, "T-SIGNED", json!(1));
    at(&mut signed_ahead, "paid_at", now.checked_sub(minutes(60)).unwrap());
    at(&mut signed_ahead, "signed_at", now.checked_add(minutes(30)).unwrap());
    let mut skewed = order(&f, "T-SKEW", json!(1));
    at(&mut skewed, "paid_at", now.checked_add(minutes(4)).unwrap());
    let batch = json!({ "orders": [future, old, signed_ahead, skewed] });
    let (status, answer) = f.shop.post(BATCH, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(statuses(&answer), ["refused", "refused", "refused", "created"], "{answer}");
    let results = &answer["results"];
    for (i, field) in [(0, "paid_at"), (1, "paid_at"), (2, "signed_at")] {
        assert_eq!(results[i]["field"], field, "{}", results[i]);
        assert_eq!(results[i]["problem"]["code"], "invalid_input", "{}", results[i]);
    }
    assert_eq!(results[0]["problem"]["detail"], "paid_at：不能晚于当前时间。");
    assert_eq!(results[1]["problem"]["detail"], "paid_at：不能早于 2000-01-01 00:00。");
    // In English too; and a single creation refuses the same way.
    let (status, problem) = f
        .admin
        .raw(reqwest::Method::POST, "/api/v1/orders")
        .header("Accept-Language", "en")
        .json(&batch["orders"][0])
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    let problem: Value = problem.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["detail"], "paid_at: may not be in the future.", "{problem}");
}

/// Trial (helper-45): an order's number, SKU and title took control characters and bidi
/// overrides (an order number with U+202E read otherwise on the buyer's page); they are refused
/// as a case's text is, naming the field.
#[tokio::test]
async fn an_order_with_a_control_character_is_refused_naming_the_field() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let mut number = order(&f, "U\u{202e}3", json!(1));
    number["number"] = json!("U\u{7}\u{202e}3");
    let mut sku = order(&f, "T-SKU", json!(1));
    sku["items"][0]["sku"] = json!("A\u{0}");
    let mut title = order(&f, "T-TITLE", json!(1));
    title["items"][0]["title"] = json!("a\u{202e}b");
    let batch = json!({ "orders": [number, sku, title, order(&f, "T-FINE", json!(1))] });
    let (status, answer) = f.shop.post(BATCH, batch).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(statuses(&answer), ["refused", "refused", "refused", "created"], "{answer}");
    for (i, field) in [(0, "number"), (1, "items[0].sku"), (2, "items[0].title")] {
        let result = &answer["results"][i];
        assert_eq!(
            (&result["field"], &result["problem"]["code"]),
            (&json!(field), &json!("control_character")),
            "{result}"
        );
    }
}

/// Trial (helper-45): a negative freight was told as `amount_paid` beyond the items plus the
/// freight, and a bad price as the item's one sentence about everything.
#[tokio::test]
async fn a_negative_freight_or_price_is_told_by_its_own_field() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let mut freight = order(&f, "T-FREIGHT", json!(1));
    freight["freight"] = json!(-500);
    let mut price = order(&f, "T-PRICE", json!(1));
    price["items"][0]["unit_price"] = json!(-1);
    let mut sku = order(&f, "T-SKU-LONG", json!(1));
    sku["items"][0]["sku"] = json!("S".repeat(65));
    let (status, answer) = f.shop.post(BATCH, json!({ "orders": [freight, price, sku] })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for (i, field) in [(0, "freight"), (1, "items[0].unit_price"), (2, "items[0].sku")] {
        assert_eq!(answer["results"][i]["field"], field, "{}", answer["results"][i]);
    }
    assert_eq!(answer["results"][0]["problem"]["detail"], "freight：须在 ¥0.00 到 ¥100000000.00 之间。");
}

/// Review of session 24: a SKU of one letter and a megabyte of spaces passed (only its trimmed
/// length was counted, the whole was stored); an order number, SKU or payment id with a line
/// break or a tab split its line on the pages and its row of a CSV export.
#[tokio::test]
async fn an_order_names_things_on_one_line_of_bounded_length() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let mut padded = order(&f, "T-PADDED", json!(1));
    padded["items"][0]["sku"] = json!(format!("A{}", " ".repeat(100_000)));
    let mut broken_number = order(&f, "T-BROKEN", json!(1));
    broken_number["number"] = json!("T-\nBROKEN");
    let mut tabbed_sku = order(&f, "T-TABBED", json!(1));
    tabbed_sku["items"][0]["sku"] = json!("EB\t1");
    let mut broken_payment = order(&f, "T-PAYMENT", json!(1));
    broken_payment["payment_transaction_id"] = json!("4200\r\n0001");
    let mut separated = order(&f, "T-SEPARATED", json!(1));
    separated["number"] = json!("AB\u{2028}12");
    let mut wide = order(&f, &"单".repeat(64), json!(1));
    wide["items"][0]["sku"] = json!("码".repeat(64));
    let batch = json!({ "orders": [padded, broken_number, tabbed_sku, broken_payment, wide, separated] });
    let (status, answer) = f.shop.post(BATCH, batch).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(statuses(&answer), ["refused", "refused", "refused", "refused", "created", "refused"], "{answer}");
    let said = |i: usize| (answer["results"][i]["field"].clone(), answer["results"][i]["problem"]["code"].clone());
    assert_eq!(said(0), (json!("items[0].sku"), json!("invalid_input")));
    assert_eq!(said(1), (json!("number"), json!("control_character")));
    assert_eq!(said(2), (json!("items[0].sku"), json!("control_character")));
    assert_eq!(said(3), (json!("payment_transaction_id"), json!("control_character")));
    assert_eq!(
        answer["results"][1]["problem"]["detail"],
        "number：须为一行，不得含换行、制表符、控制字符或文字方向控制符。"
    );
}

/// Trial helper-48: a quantity past what its integer holds said "out of range" without the
/// range; every quantity out of range now says the one it takes, read or checked.
#[tokio::test]
async fn a_quantity_out_of_range_says_the_range() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let sent = [json!(4294967297u64), json!(-1), json!(0), json!(100_001), json!(u64::MAX), json!(1e30), json!(-1e30)];
    let batch = json!({ "orders": sent.iter().enumerate().map(|(i, q)| order(&f, &format!("R-{i}"), q.clone())).collect::<Vec<_>>() });
    let (status, answer) = f.shop.post(BATCH, batch).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for (i, result) in answer["results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(result["field"], "items[0].quantity", "{result}");
        assert_eq!(result["problem"]["detail"], "items[0].quantity：须在 1 到 100000 之间。", "{}: {result}", sent[i]);
    }
}

/// Trial helper-49: an entry that is no object read ": takes an object." (no field to name).
#[tokio::test]
async fn an_entry_that_is_no_order_says_so() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let (status, answer) = f.shop.post(BATCH, json!({ "orders": [5, "x", null] })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for result in answer["results"].as_array().unwrap() {
        assert_eq!(result["problem"]["code"], "invalid_json", "{result}");
        assert_eq!(result["problem"]["detail"], "不是 JSON 对象", "{result}");
    }
}
