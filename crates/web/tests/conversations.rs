//! A conversation before a case (issue 12, point 0): the buyer and the shop talk on the order,
//! with files and read receipts, only they write and the platform reads; the talk becomes the
//! case's negotiation record (detail, dossier, 12315 complaint) and the complaint checker reads
//! contact and evidence from it instead of from what a draft declares.

mod support;

use redress_app::dossier::{Finding, verify};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Cursor;
use support::{BOUNDARY, Fixture, Session, TestApp, edit_manifest, multipart, read_zip};

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(8, 6, |x, y| {
        image::Rgb([x as u8 * 30, y as u8 * 40, 90])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn send_file(
    who: &Session,
    order: &str,
    bytes: &[u8],
    kind: &str,
    text: &str,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let body = multipart(&[
        ("kind", None, kind.as_bytes()),
        ("caption", None, "左耳无声".as_bytes()),
        ("text", None, text.as_bytes()),
        ("file", Some(("a.bin", "application/octet-stream")), bytes),
    ]);
    let mut request = who
        .raw(reqwest::Method::POST, &format!("/api/v1/orders/{order}/conversation/files"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null))
}

async fn say(who: &Session, order: &str, text: &str) -> Value {
    let (status, body) =
        who.post(&format!("/api/v1/orders/{order}/conversation/messages"), json!({ "text": text })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn only_the_buyer_and_the_shop_talk_and_the_platform_reads() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CV-WEB-1").await;
    let path = format!("/api/v1/orders/{order}/conversation");

    // One message however often it is retried with its key.
    let first =
        f.buyer.post_with_key(&format!("{path}/messages"), "hello-1", json!({ "text": "你好,耳机左耳没声音" })).await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    let again =
        f.buyer.post_with_key(&format!("{path}/messages"), "hello-1", json!({ "text": "你好,耳机左耳没声音" })).await;
    assert_eq!(again, first);
    let (status, problem) =
        f.buyer.post_with_key(&format!("{path}/messages"), "hello-1", json!({ "text": "别的" })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));

    // A file goes through the evidence upload's checks: typed by its bytes, refused if not allowed.
    let (status, sent) = send_file(&f.buyer, &order, &png(), "photo", "照片见附件", Some("photo-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!((sent["seq"].as_i64(), sent["files"][0]["media_type"].as_str()), (Some(2), Some("image/png")));
    assert_eq!(send_file(&f.buyer, &order, &png(), "photo", "照片见附件", Some("photo-1")).await.1, sent, "retried");
    let elf = [b"\x7fELF\x02\x01\x01".as_slice(), &[0u8; 64]].concat();
    let (status, problem) = send_file(&f.buyer, &order, &elf, "photo", "", None).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("evidence_unsupported_type"))
    );
    // A body that is no upload at all is refused as such, as on the evidence route.
    let json_body = f.buyer.raw(reqwest::Method::POST, &format!("{path}/files")).json(&json!({ "file": "x" }));
    let refused = json_body.send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(refused.json::<serde_json::Value>().await.unwrap()["code"], "unsupported_media_type");
    let file_id = sent["files"][0]["evidence_id"].as_str().unwrap();
    let download = f.shop.raw(reqwest::Method::GET, &format!("{path}/files/{file_id}")).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().to_vec(), png());

    let reply = say(&f.shop, &order, "抱歉,请问是哪天收到的?").await;
    assert_eq!((reply["side"].as_str(), reply["by"]["role"].as_str()), (Some("merchant"), Some("merchant")));

    // The buyer hears of the shop's answer, in the buyer's language.
    let (_, inbox) = f.buyer.get_in("en", "/api/v1/notifications").await;
    let told: Vec<&str> = inbox["items"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap()).collect();
    assert!(told.iter().any(|t| t.contains("CV-WEB-1") && t.contains("merchant")), "{told:?}");

    // Read receipts: the shop read up to the reply; they only move forward.
    let (status, receipt) = f.shop.post(&format!("{path}/read"), json!({ "up_to": 3 })).await;
    assert_eq!((status, receipt["up_to"].as_i64()), (StatusCode::OK, Some(3)), "{receipt}");
    let (_, receipt) = f.shop.post(&format!("{path}/read"), json!({ "up_to": 1 })).await;
    assert_eq!(receipt["up_to"], 3);
    let (status, _) = f.shop.post(&format!("{path}/read"), json!({ "up_to": 9 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Paged with a cursor, oldest first within a page.
    let (_, page) = f.buyer.get(&format!("{path}?limit=2")).await;
    let seqs: Vec<i64> = page["items"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!((seqs, page["next_before"].as_i64(), page["count"].as_i64()), (vec![2, 3], Some(2), Some(3)));
    let (_, older) = f.buyer.get(&format!("{path}?limit=2&before=2")).await;
    assert_eq!((older["items"][0]["seq"].as_i64(), older["next_before"].as_i64()), (Some(1), None));
    assert_eq!(page["receipts"][0]["up_to"], 3);
    // The buyer sees that the shop read, not which staff account did (the trial saw `user:<id>`).
    assert_eq!(
        (page["receipts"][0]["reader"].as_str(), page["receipts"][0]["side"].as_str()),
        (Some("merchant"), Some("merchant"))
    );
    let (_, own) = f.shop.get(&path).await;
    assert!(own["receipts"][0]["reader"].as_str().is_some_and(|r| r.starts_with("user:")), "{own}");

    // Agents read, and only read; other buyers and shops find no such order.
    let (status, seen) = f.agent.get(&path).await;
    assert_eq!((status, seen["can_write"].as_bool()), (StatusCode::OK, Some(false)));
    let (status, problem) = f.agent.post(&format!("{path}/messages"), json!({ "text": "平台提示" })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert_eq!(f.agent.post(&format!("{path}/read"), json!({ "up_to": 1 })).await.0, StatusCode::FORBIDDEN);
    for stranger in [&f.other_buyer, &f.other_shop] {
        assert_eq!(stranger.get(&path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(stranger.post(&format!("{path}/messages"), json!({ "text": "hi" })).await.0, StatusCode::NOT_FOUND);
        assert_eq!(stranger.get(&format!("{path}/files/{file_id}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(send_file(stranger, &order, &png(), "photo", "", None).await.0, StatusCode::NOT_FOUND);
    }
    assert_eq!(t.anonymous().get(&path).await.0, StatusCode::UNAUTHORIZED);
    let (status, problem) = f.buyer.post(&format!("{path}/messages"), json!({ "text": "  " })).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
}

/// The README's example complaint, checked on an order whose buyer wrote to the shop and sent a
/// photo on the platform: nothing to fix. The same words on an order with no conversation are
/// not taken at their declared word.
#[tokio::test]
async fn the_checker_reads_contact_and_evidence_from_the_record() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let talked = f.order(&t, "CV-REC-1").await;
    let silent = f.order(&t, "CV-REC-2").await;
    say(&f.buyer, &talked, "左耳没有声音,怎么处理?").await;
    assert_eq!(send_file(&f.buyer, &talked, &png(), "photo", "", None).await.0, StatusCode::CREATED);
    say(&f.shop, &talked, "请申请售后,我们会处理").await;
    let draft = |order: &str| {
        json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect", "demanded_amount": 39900,
                "description": "11月20日签收,左耳无声,要求全额退款",
                "evidence_kinds": ["photo", "chat_record"], "contacted_merchant": true })
    };
    let (status, report) = f.buyer.post("/api/v1/complaint-check", draft(&talked)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(codes(&report), Vec::<String>::new(), "{report}");
    let (_, report) = f.buyer.post("/api/v1/complaint-check", draft(&silent)).await;
    let found = codes(&report);
    for expected in ["merchant_not_contacted", "evidence_not_fitting_reason"] {
        assert!(found.iter().any(|c| c == expected), "{expected} missing from {found:?}");
    }
    assert!(!found.iter().any(|c| c == "vague_problem" || c == "timeline_incomplete"), "{found:?}");
}

#[tokio::test]
async fn a_case_keeps_the_conversation_as_its_negotiation_record() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CV-CASE-1").await;
    say(&f.buyer, &order, "3月1日收到,左耳没有声音").await;
    let (status, _) = send_file(&f.buyer, &order, &png(), "photo", "开箱照片", None).await;
    assert_eq!(status, StatusCode::CREATED);
    say(&f.shop, &order, "可能是人为损坏,不予退款").await;
    t.advance_hours(2);
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;

    // The detail shows the negotiation before the timeline; the conversation waits for the case.
    let detail = f.buyer.case(&case).await;
    let negotiation = &detail["negotiation"];
    assert_eq!((negotiation["messages"].as_i64(), negotiation["latest"].as_array().map(Vec::len)), (Some(3), Some(3)));
    assert!(negotiation["buyer_contacted_at"].is_string());
    let (status, problem) = say_raw(&f.shop, &order, "还在吗").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("case_open_on_order")));
    // It names the case to write in (trial helper-45: a title only).
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains(&case)), "{problem}");

    // The dossier carries the record as a chain of its own, with its file, and verifies.
    let zip = f.buyer.raw(reqwest::Method::GET, &format!("/api/v1/cases/{case}/dossier")).send().await.unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    let zip = zip.bytes().await.unwrap().to_vec();
    let report = verify(Cursor::new(&zip), None).unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert_eq!(report.files, 1, "the conversation's photo");
    let entries = read_zip(&zip);
    let manifest: Value =
        serde_json::from_slice(&entries.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    assert_eq!(manifest["negotiation"]["message_count"], 3);
    let index = String::from_utf8(entries.iter().find(|(n, _)| n == "index.html").unwrap().1.clone()).unwrap();
    assert!(index.contains("协商记录") && index.contains("可能是人为损坏"), "the index shows the record");
    // Rewriting what the shop said is found.
    let forged = edit_manifest(&entries, |m| {
        let content = m["negotiation"]["messages"][2]["content"].as_str().unwrap().replace("不予退款", "同意退款");
        m["negotiation"]["messages"][2]["content"] = json!(content);
    });
    let report = verify(Cursor::new(forged), None).unwrap();
    assert!(report.findings.iter().any(|f| matches!(f, Finding::NegotiationChain(_))), "{:?}", report.findings);

    // The 12315 complaint tells the contact and lists the photo.
    let (status, body) = f.buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let facts: Vec<&str> =
        body["complaint"]["facts"].as_array().unwrap().iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert!(facts.iter().any(|f| f.contains("平台会话") && f.contains("左耳没有声音")), "{facts:?}");
    assert!(body["complaint"]["evidence"][0]["description"].as_str().unwrap().contains("照片"), "{body}");
}

async fn say_raw(who: &Session, order: &str, text: &str) -> (StatusCode, Value) {
    who.post(&format!("/api/v1/orders/{order}/conversation/messages"), json!({ "text": text })).await
}

/// A case settled on the platform does not demand its refund again from the regulator.
#[tokio::test]
async fn a_settled_cases_complaint_says_what_remains() {
    let t = TestApp::start().await;
    let f: Fixture = t.fixture().await;
    let full = f.order(&t, "CV-SET-1").await;
    let case = f.file(&full, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "approve", json!({})).await;
    t.tick().await;
    assert_eq!(f.buyer.case(&case).await["case"]["outcome"], "refunded");
    let (_, body) = f.buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    let demand = body["complaint"]["demand"].as_str().unwrap();
    assert!(!demand.contains("退还 ¥399.00") && demand.contains("处理完毕") && demand.contains("¥399.00"), "{demand}");
    assert_eq!(body["form"]["demand"].as_str(), Some(demand));

    let partial = f.order(&t, "CV-SET-2").await;
    let case = f.file(&partial, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "offer", json!({ "remedy": { "kind": "refund", "amount": 10000 }, "note": "补偿部分" })).await;
    f.buyer.ok(&case, "accept-offer", json!({})).await;
    t.tick().await;
    assert_eq!(f.buyer.case(&case).await["case"]["outcome"], "partially_refunded");
    let (_, body) = f.buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    let demand = body["complaint"]["demand"].as_str().unwrap();
    assert!(demand.contains("剩余") && demand.contains("¥299.00") && demand.contains("¥100.00"), "{demand}");
}

/// A NUL or an escape sequence typed into free text would reach the dossier and the 12315
/// complaint raw: every entry point refuses it with `control_character`, in the caller's
/// language; line breaks (also a textarea's `\r\n`) and tabs are text.
#[tokio::test]
async fn control_characters_are_refused_wherever_a_person_writes() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CV-CTL-1").await;
    let refused = |(status, problem): (StatusCode, Value)| {
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("control_character")));
        problem
    };
    let problem = refused(say_raw(&f.buyer, &order, "左耳\0无声").await);
    assert!(problem["title"].as_str().unwrap().contains("控制字符"), "{problem}");
    let english = f
        .buyer
        .raw(reqwest::Method::POST, &format!("/api/v1/orders/{order}/conversation/messages"))
        .header("Accept-Language", "en")
        .json(&json!({ "text": "\u{1b}[8mhidden" }))
        .send()
        .await
        .unwrap();
    let problem = refused((english.status(), english.json().await.unwrap()));
    assert!(problem["title"].as_str().unwrap().contains("a control or text-direction character"), "{problem}");
    say(&f.buyer, &order, "第一行\r\n第二行\n\t缩进").await;

    let filing = json!({
        "order_id": order, "kind": "refund_only", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 39900,
        "description": "签收后\u{0}左耳无声"
    });
    refused(f.buyer.post("/api/v1/cases", filing).await);
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    refused(f.buyer.act(&case, "message", json!({ "text": "还在吗\u{7}" })).await);
    refused(f.shop.act(&case, "reject", json!({ "reason": "other", "text": "不\u{0}退" })).await);
    let timeline = f.buyer.case(&case).await["timeline"].to_string();
    assert!(!timeline.contains("\\u0000") && !timeline.contains("\\u0007"), "{timeline}");
    // Text-direction overrides make a text read otherwise than it is stored (the trial's U+202E),
    // in what people write and in the names an admin gives accounts and shops.
    refused(f.buyer.act(&case, "message", json!({ "text": "发票.\u{202E}fdp.exe" })).await);
    let spoof =
        json!({ "login": "spoof", "password": support::PASSWORD, "display_name": "客服\u{202E}", "role": "buyer" });
    refused(f.admin.post("/api/v1/users", spoof).await);
}

/// A client that sends one file again before its first answer (same Idempotency-Key) gets the
/// first answer for every copy, and the conversation holds the file once (the trial saw 409
/// `duplicate` for the copies).
#[tokio::test]
async fn twin_uploads_with_one_key_get_the_first_answer() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CV-TWIN-1").await;
    let photo = png();
    let twins = (0..4).map(|_| send_file(&f.buyer, &order, &photo, "photo", "同一张照片", Some("twin-file-1")));
    let answers = futures_util::future::join_all(twins).await;
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer, &answers[0].1);
    }
    let (_, page) = f.buyer.get(&format!("/api/v1/orders/{order}/conversation")).await;
    assert_eq!(page["count"], 1, "{page}");
}

/// Trial finding F14: marking an empty conversation read says there is nothing yet (not "from 1
/// to 0"), and a `before` cursor below 1, on the conversation and on a case's timeline, is a 422
/// naming the field (not an empty page), in both languages.
#[tokio::test]
async fn an_empty_conversation_and_negative_cursors_are_told_plainly() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CV-EMPTY-1").await;
    let path = format!("/api/v1/orders/{order}/conversation");
    for (lang, words) in [("zh-CN", "还没有消息"), ("en", "no messages yet")] {
        let reply = f
            .shop
            .request(reqwest::Method::POST, &format!("{path}/read"))
            .header("Accept-Language", lang)
            .json(&json!({ "up_to": 1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = reply.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("up_to") && detail.contains(words), "{lang}: {problem}");
        assert!(!detail.contains('0'), "{lang}: {problem}");
    }
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    for cursor in [format!("{path}?before=-1"), format!("/api/v1/cases/{case}/timeline?before=-5")] {
        for (lang, words) in [("zh-CN", "before：至少为 1。"), ("en", "before: at least 1.")] {
            let (status, problem) = f.buyer.get_in(lang, &cursor).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}: {problem}");
            assert_eq!(problem["code"], "invalid_input", "{problem}");
            assert_eq!(problem["detail"], words, "{cursor} in {lang}: {problem}");
        }
    }
    // A cursor at the first message still pages: nothing before it.
    let (status, page) = f.buyer.get(&format!("{path}?before=1")).await;
    assert_eq!((status, page["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{page}");
}
