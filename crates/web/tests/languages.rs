//! One language per answer: with `Accept-Language: en` a problem carries no Chinese, with zh-CN
//! its title is Chinese; the language is negotiated once, in the web layer.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestApp;

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn problems_of_the_router_read_in_the_callers_language() {
    let t = TestApp::start().await;
    let anon = t.anonymous();
    let buyer = t.fixture().await.buyer;
    for (lang, english) in [("en", true), ("en-GB,zh;q=0.5", true), ("zh-CN", false), ("fr", false)] {
        let requests = [
            (anon.raw(Method::GET, "/api/v1/no-such-thing"), "not_found"),
            (anon.raw(Method::GET, "/api/v1/notifications"), "unauthenticated"),
            (
                anon.raw(Method::POST, "/api/v1/auth/login").json(&json!({ "login": "buyer", "password": "wrong" })),
                "invalid_credentials",
            ),
            (buyer.raw(Method::POST, "/api/v1/cases").body("{}"), "unsupported_media_type"),
            (buyer.raw(Method::POST, "/api/v1/cases").json(&json!({ "order_id": 7 })), "invalid_json"),
            (buyer.raw(Method::DELETE, "/api/v1/notifications"), "method_not_allowed"),
        ];
        for (request, code) in requests {
            let response = request.header("Accept-Language", lang).send().await.unwrap();
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], code, "{lang}: {body}");
            let title = body["title"].as_str().unwrap();
            if english {
                assert!(!han(&body.to_string()), "{lang}: {body}");
            } else {
                assert!(han(title), "{lang}: {body}");
            }
        }
    }
}

/// Fields people type when they set up accounts and shops: names and addresses.
const ENTERED: &[&str] = &["name", "address", "display_name"];

/// What a reader in `lang` must not see in `value`: Chinese in English, English prose in
/// Chinese. Allowed: what a person typed (`typed`), statute names (a citation's `zh`/`en`),
/// codes, ids, times and URLs (no spaces, so never "prose").
fn foreign(value: &Value, lang: &str, typed: &[String], at: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let citation = map.contains_key("article");
            for (key, v) in map {
                let legal_name = citation && (key == "zh" || key == "en");
                if legal_name || ENTERED.contains(&key.as_str()) {
                    continue;
                }
                foreign(v, lang, typed, &format!("{at}.{key}"), found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| foreign(v, lang, typed, at, found)),
        Value::String(s) => {
            let mut rest = s.clone();
            for t in typed {
                rest = rest.replace(t.as_str(), "");
            }
            let bad = if lang == "en" { han(&rest) } else { english_prose(&rest) };
            if bad {
                found.push(format!("{at}: {s}"));
            }
        }
        _ => {}
    }
}

/// Three Latin words in a row (numbers between them do not count): a sentence, not a code.
/// Codes, addresses, times and ids (`filed_from`, `zh-CN`, `name@example.com`) are not words,
/// nor is a list of names (`after, before, limit`: each item ends with a comma).
fn english_prose(s: &str) -> bool {
    let mut run = 0;
    for token in s.split_whitespace() {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        if bare.len() > 1 && bare.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
            run += 1;
            if run == 3 {
                return true;
            }
            if token.ends_with(',') {
                run = 0;
            }
        } else if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_digit()) {
            run = 0;
        }
    }
    false
}

/// Walks a whole case over the HTTP API in one language, with the main refusals on the way, and
/// says every string of every answer that is not in that language.
async fn walk(lang: &str) -> (Vec<String>, usize) {
    // Webhooks as in production: a private address is refused.
    let t = TestApp::start_with_webhooks(redress_app::webhooks::WebhookSettings::default()).await;
    let f = t.fixture().await;
    let mut typed: Vec<String> =
        ["降噪蓝牙耳机", "3月1日签收,当天发现左耳无声,要求退款。"].iter().map(|s| s.to_string()).collect();
    let mut answers: Vec<(String, Value)> = Vec::new();
    let order = f.order(&t, &format!("SH-LANG-{lang}")).await;
    let mut send = async |who: &support::Session, method: Method, path: &str, body: Option<Value>| {
        let mut request = who.raw(method.clone(), path).header("Accept-Language", lang);
        if let Some(body) = &body {
            collect(body, &mut typed);
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        answers.push((format!("{method} {path} → {status}"), value.clone()));
        value
    };
    let post = Method::POST;
    let get = Method::GET;
    let put = Method::PUT;
    // The order's conversation before a case: messages from both sides, the platform refused,
    // an empty message, a control character, a receipt past the last message.
    let talk = format!("/api/v1/orders/{order}/conversation");
    send(&f.buyer, post.clone(), &format!("{talk}/messages"), Some(json!({ "text": "左耳没有声音,怎么处理?" }))).await;
    send(&f.shop, post.clone(), &format!("{talk}/messages"), Some(json!({ "text": "请先拍一段视频" }))).await;
    send(&f.agent, post.clone(), &format!("{talk}/messages"), Some(json!({ "text": "平台提醒" }))).await;
    send(&f.buyer, post.clone(), &format!("{talk}/messages"), Some(json!({ "text": "  " }))).await;
    send(&f.buyer, post.clone(), &format!("{talk}/messages"), Some(json!({ "text": "响\u{7}铃" }))).await;
    send(&f.buyer, get.clone(), &talk, None).await;
    send(&f.shop, post.clone(), &format!("{talk}/read"), Some(json!({ "up_to": 1 }))).await;
    send(&f.buyer, post.clone(), &format!("{talk}/read"), Some(json!({ "up_to": 99 }))).await;
    send(&f.agent, post.clone(), &format!("{talk}/read"), Some(json!({ "up_to": 1 }))).await;
    // Notification settings: read, a bad address, an unknown language and kind, then a change.
    let settings = "/api/v1/me/notification-settings";
    send(&f.buyer, get.clone(), settings, None).await;
    send(&f.buyer, put.clone(), settings, Some(json!({ "email": "not an address" }))).await;
    send(&f.buyer, put.clone(), settings, Some(json!({ "language": "fr" }))).await;
    send(&f.buyer, put.clone(), settings, Some(json!({ "kinds": [{ "kind": "no_such_kind", "email": true }] }))).await;
    send(&f.shop, get.clone(), settings, None).await;
    // Search: bad filters, a query without words, and the platform's similar cases refused.
    send(&f.agent, get.clone(), "/api/v1/search?q=耳机&state=sideways", None).await;
    send(&f.agent, get.clone(), "/api/v1/search?q=耳机&filed_from=yesterday", None).await;
    send(&f.agent, get.clone(), "/api/v1/search?q=%22%22", None).await;
    send(&f.agent, get.clone(), "/api/v1/search?q=耳机&after=nowhere", None).await;
    // Webhooks: not a URL, private addresses, no URL, a buyer's; metrics refused.
    let hook = |url: &str, types: Value| json!({ "url": url, "event_types": types });
    send(&f.shop, post.clone(), "/api/v1/webhooks", Some(hook("not a url", json!(["*"])))).await;
    send(&f.shop, post.clone(), "/api/v1/webhooks", Some(hook("http://127.0.0.1:9/hook", json!(["*"])))).await;
    send(&f.shop, post.clone(), "/api/v1/webhooks", Some(hook("http://10.0.0.1/hook", json!([])))).await;
    send(&f.shop, post.clone(), "/api/v1/webhooks", Some(json!({ "event_types": ["*"] }))).await;
    send(&f.buyer, post.clone(), "/api/v1/webhooks", Some(hook("http://10.0.0.1/hook", json!(["*"])))).await;
    send(&f.shop, get.clone(), "/api/v1/webhooks", None).await;
    send(&f.buyer, get.clone(), "/metrics", None).await;
    let filing = json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 39900, "description": "左耳无声" });
    // Refusals: amount over what is refundable, a compensation over its cap, bad JSON, an unknown
    // field, a missing credential, an unknown action, a bad query.
    let too_much = json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 99900, "description": "左耳无声" });
    send(&f.buyer, post.clone(), "/api/v1/cases", Some(too_much)).await;
    let cap = json!({ "order_id": order, "kind": "compensation", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 9990000, "description": "左耳无声" });
    send(&f.buyer, post.clone(), "/api/v1/cases", Some(cap)).await;
    send(&f.buyer, post.clone(), "/api/v1/cases", Some(json!({ "order_id": 7 }))).await;
    send(&f.buyer, get.clone(), "/api/v1/cases?sort=sideways", None).await;
    send(&f.buyer, get.clone(), "/api/v1/cases?overdue=maybe", None).await;
    send(&f.buyer, get.clone(), "/api/v1/cases?colour=red", None).await;
    send(&f.buyer, get.clone(), "/api/v1/cases?waiting_for=everyone", None).await;
    send(&t.anonymous(), get.clone(), "/api/v1/cases", None).await;
    send(&f.shop, post.clone(), "/api/v1/cases", Some(filing.clone())).await;
    let filed = send(&f.buyer, post.clone(), "/api/v1/cases", Some(filing.clone())).await;
    let case = filed["case"]["id"].as_str().expect("filed").to_owned();
    let act = |action: &str| format!("/api/v1/cases/{case}/actions/{action}");
    send(&f.buyer, post.clone(), "/api/v1/cases", Some(filing)).await;
    send(&f.buyer, post.clone(), &act("fly"), Some(json!({}))).await;
    send(&f.buyer, post.clone(), &act("escalate"), Some(json!({ "text": "" }))).await;
    send(&f.buyer, post.clone(), &act("rate"), Some(json!({ "stars": 9 }))).await;
    send(&f.buyer, post.clone(), &act("message"), Some(json!({ "text": "左耳没有声音" }))).await;
    send(
        &f.shop,
        post.clone(),
        &act("offer"),
        Some(json!({ "remedy": { "kind": "refund", "amount": 10000 }, "note": "补偿一部分" })),
    )
    .await;
    send(&f.buyer, post.clone(), &act("decline-offer"), Some(json!({}))).await;
    send(
        &f.shop,
        post.clone(),
        &act("reject"),
        Some(json!({ "reason": "used_or_damaged_by_buyer", "text": "有进水痕迹" })),
    )
    .await;
    send(&f.buyer, post.clone(), &act("escalate"), Some(json!({ "text": "申请平台介入" }))).await;
    send(&f.agent, post.clone(), &act("request-evidence"), Some(json!({ "party": "platform", "what": "视频" }))).await;
    send(&f.agent, post.clone(), &act("request-evidence"), Some(json!({ "party": "buyer", "what": "开箱视频" }))).await;
    send(&f.buyer, post.clone(), &act("submit-evidence"), Some(json!({ "text": "已上传" }))).await;
    let decide = json!({ "remedy": { "kind": "refund", "amount": 39900 }, "liable": "merchant",
        "rationale": "开箱即无声", "cited_rule": "《消费者权益保护法》第二十四条" });
    send(&f.agent, post.clone(), &act("decide"), Some(decide)).await;
    t.tick().await;
    send(&f.buyer, get.clone(), &format!("/api/v1/cases/{case}"), None).await;
    send(&f.shop, post.clone(), &act("appeal"), Some(json!({ "reason": "不服" }))).await;
    send(&f.shop, post.clone(), &act("appeal"), Some(json!({ "reason": "再次" }))).await;
    send(&f.agent, post.clone(), &act("review-appeal"), Some(json!({ "uphold": true, "rationale": "维持" }))).await;
    send(&f.buyer, get.clone(), &format!("/api/v1/cases/{case}/timeline"), None).await;
    send(&f.buyer, get.clone(), &format!("/api/v1/orders/{order}/rights"), None).await;
    send(&f.buyer, get.clone(), &format!("/api/v1/cases/{case}/rights"), None).await;
    // The complaint checker on a draft that meets many findings: a counterfeit claimed over its
    // statutory cap, no dates, a promise and harm without their records, an unfitting kind.
    let draft = json!({ "kind": "compensation", "reason": "counterfeit", "demanded_amount": 9990000,
        "description": "商家承诺是正品，用了以后过敏", "evidence_kinds": ["photo"], "contacted_merchant": false });
    let checked = send(&f.buyer, post.clone(), "/api/v1/complaint-check", Some(draft)).await;
    assert!(checked["findings"].as_array().is_some_and(|f| f.len() >= 5), "{checked}");
    let draft = json!({ "order_id": order, "kind": "exchange", "reason": "not_delivered", "description": "" });
    send(&f.buyer, post.clone(), "/api/v1/complaint-check", Some(draft)).await;
    let draft = json!({ "kind": "refund_only", "reason": "false_advertising", "description": "东西不好" });
    send(&f.buyer, post.clone(), "/api/v1/complaint-check", Some(draft)).await;
    send(&f.buyer, get.clone(), "/api/v1/notifications", None).await;
    send(&f.buyer, get.clone(), "/api/v1/no-such-thing", None).await;
    let problems = answers.iter().filter(|(_, v)| v["code"].is_string()).count();
    let codes: Vec<&str> = answers.iter().filter_map(|(_, v)| v["code"].as_str()).collect();
    for code in ["forbidden", "invalid_input", "invalid_json", "webhook_url_refused", "not_found"] {
        assert!(codes.contains(&code), "the walk meets {code}: {codes:?}");
    }
    // The longest first, so that a text containing a shorter one is taken out whole.
    typed.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    let mut found = Vec::new();
    for (request, answer) in &answers {
        foreign(answer, lang, &typed, request, &mut found);
    }
    (found, problems)
}

/// Every string the caller sent, so that it may come back in either language.
fn collect(value: &Value, typed: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => typed.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect(v, typed)),
        Value::Object(map) => map.values().for_each(|v| collect(v, typed)),
        _ => {}
    }
}

#[tokio::test]
async fn a_whole_case_reads_in_english_only() {
    let (found, problems) = walk("en").await;
    assert!(problems >= 30, "the walk meets the main refusals: {problems}");
    assert_eq!(found, Vec::<String>::new());
}

#[tokio::test]
async fn a_whole_case_reads_in_chinese_only() {
    let (found, problems) = walk("zh-CN").await;
    assert!(problems >= 30, "the walk meets the main refusals: {problems}");
    assert_eq!(found, Vec::<String>::new());
}

/// A form on a page refused for what it says: the refusal beside its field, with its detail, in
/// the page's language (the reader's cookie), from the same catalogue as the API's problems.
#[tokio::test]
async fn a_page_form_refusal_reads_in_the_pages_language() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-PAGE-LANG").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token = f.shop.token.clone().unwrap();
    for lang in ["en", "zh-CN"] {
        let cookie = format!("redress_session={token}; redress_lang={lang}");
        let page = http.get(format!("{}/cases/{case}", t.base)).header("Cookie", &cookie).send().await.unwrap();
        let page = page.text().await.unwrap();
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let form = format!("csrf={csrf}&remedy.kind=refund&remedy.amount=999&note=half");
        let refused = http
            .post(format!("{}/cases/{case}/actions/offer", t.base))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422, "{lang}");
        let page = refused.text().await.unwrap();
        let error = page.split("id=\"offer-remedy-amount-error\">").nth(1).expect("beside its field");
        let error = error.split("</").next().unwrap();
        assert!(error.contains("¥999.00") && error.contains("¥399.00"), "{lang}: the detail: {error}");
        if lang == "en" {
            assert!(!han(error) && error.contains("refundable"), "{error}");
        } else {
            assert!(han(error) && !english_prose(error), "{error}");
        }
    }
}

/// The checker fails on what it must catch: an English sentence in a Chinese answer, Chinese in
/// an English one.
#[test]
fn the_checker_catches_the_wrong_language() {
    let mut found = Vec::new();
    let planted = json!({ "code": "invalid_input", "detail": "stars: from 1 to 5" });
    foreign(&planted, "zh-CN", &[], "planted", &mut found);
    assert_eq!(found, ["planted.detail: stars: from 1 to 5"]);
    found.clear();
    foreign(&json!({ "title": "请求无效" }), "en", &[], "planted", &mut found);
    assert_eq!(found.len(), 1);
    found.clear();
    let fine = json!({ "state": "awaiting_merchant", "id": "0190f3a2-7c1d-7000-8000-000000000001", "at": "2026-03-01T01:00:00Z",
        "detail": "stars：须在 1 到 5 之间。", "citation": { "article": "consumer_law_24", "en": "Consumer Rights Protection Law of the PRC, Art. 24" } });
    foreign(&fine, "zh-CN", &[], "fine", &mut found);
    let codes = json!([
        "email：须为邮箱地址，例如 name@example.com。",
        "language：须为 zh-CN, en 之一。",
        "filed_from：不是 RFC 3339 时间，例如 2026-03-05T16:00:00Z。",
        "订单 SH-LANG-zh-CN 的会话中有新消息",
        "未知字段「colour」：可用的有 after, before, due_before, limit, overdue, repeat, sort。"
    ]);
    foreign(&codes, "zh-CN", &[], "codes", &mut found);
    assert_eq!(found, Vec::<String>::new());
    assert!(english_prose("Only buyers may do this.") && english_prose("at most 2000 characters"));
    assert!(english_prose("Unknown field colour: known are after, before."), "a sentence before a list");
}
