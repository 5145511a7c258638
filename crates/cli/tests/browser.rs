//! The pages in a real browser (headless Chromium through chromedriver), walked as people walk
//! them, against `redress serve --demo`: every step is a click or a keystroke on a page, never a
//! call to the API. A step whose element is missing fails the test. The screenshots in
//! `docs/screenshots/` come from here (with `REDRESS_UPDATE_SCREENSHOTS=1`; otherwise a run writes
//! them under the build's directory).

mod support;
mod webdriver;

use fantoccini::Client;
use webdriver::{
    Screen, accessibility_violations, act, browser, choose, find, follow, reload_until, screenshot, sign_in, text,
    type_into,
};

/// The same start as the demo test: a day in a year without an imported holiday notice, so
/// the platform's working-day deadlines show as provisional.
const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";
/// The demo order no case was filed on: 攀枝花凯特芒果 5kg from 鲜果时光 (shop2), bought by `buyer`.
const MANGO_ORDER: &str = "XG20261110019";

fn serve_demo(dir: &std::path::Path) -> (support::Server, String) {
    let (server, base, _) =
        support::serve(dir, &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    (server, base)
}

/// A photo of the damaged goods, as a phone would take it.
fn photo(dir: &std::path::Path) -> String {
    let path = dir.join("damaged-mango.png");
    let image = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    image.save(&path).unwrap();
    path.to_str().unwrap().to_owned()
}

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The buyer files a refund on the mango order through 申请售后, with a photo when given; answers
/// the new case's id (the buyer is on its page).
async fn file_refund(buyer: &Client, base: &str, photo: Option<&str>) -> String {
    buyer.goto(&format!("{base}/orders")).await.unwrap();
    follow(buyer, &format!("#file-{MANGO_ORDER}")).await;
    // The rights on the order are beside the form, each with its article.
    let rights = text(buyer, "#rights").await;
    assert!(rights.contains("第二十四条") && rights.contains("北京时间"), "{rights}");
    choose(buyer, "#kind", "refund_only").await;
    choose(buyer, "#reason", "quality_defect").await;
    type_into(buyer, "#amount", "69").await;
    type_into(
        buyer,
        "#description",
        "11月20日下单,11月22日签收后开箱发现约一半芒果腐烂发黑,当天联系客服未获回复。要求仅退款 69 元。",
    )
    .await;
    if let Some(photo) = photo {
        find(buyer, "#photo").await.send_keys(photo).await.expect("choose the photo");
    }
    // Without JavaScript's help the checker reads the draft on the check button.
    follow(buyer, "#check-submit").await;
    find(buyer, "#findings .finding").await;
    if let Some(photo) = photo {
        // A checked form keeps its fields but a browser never keeps a chosen file.
        find(buyer, "#photo").await.send_keys(photo).await.expect("choose the photo again");
    }
    follow(buyer, "#file-submit").await;
    let state = text(buyer, "#case-state").await;
    assert_eq!(state, "待商家处理");
    let url = buyer.current_url().await.unwrap();
    url.path().strip_prefix("/cases/").expect("on the case page").to_owned()
}

/// A merchant opens a case from their queue.
async fn open_from_queue(merchant: &Client, base: &str, case: &str) {
    merchant.goto(&format!("{base}/queue")).await.unwrap();
    follow(merchant, &format!("a.case-link[href='/cases/{case}']")).await;
    find(merchant, "#case-state").await;
}

/// (a) A buyer files a refund with a photo and the merchant approves; the refund is paid.
#[tokio::test]
async fn a_buyer_files_a_refund_with_a_photo_and_the_merchant_approves() {
    let Some((chromium, driver)) =
        webdriver::available("a_buyer_files_a_refund_with_a_photo_and_the_merchant_approves")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve_demo(dir.path());
    let driver = webdriver::start_driver(&driver).await;
    let buyer = browser(&driver, &chromium, Screen::Phone).await;
    sign_in(&buyer, &base, "buyer", "buyer-pass").await;
    let case = file_refund(&buyer, &base, Some(&photo(dir.path()))).await;
    // The photo is in the gallery; who must act and until when is on the page.
    find(&buyer, "#evidence .evidence-item img").await;
    let deadline = text(&buyer, "#deadline").await;
    assert!(deadline.contains("等待") && deadline.contains("北京时间") && deadline.contains("剩余"), "{deadline}");
    screenshot(&buyer, "buyer-case-phone.png").await;

    let merchant = browser(&driver, &chromium, Screen::Desktop).await;
    // The queue of the demo shop with the most open cases, for the README.
    sign_in(&merchant, &base, "shop", "shop-pass").await;
    merchant.goto(&format!("{base}/queue")).await.unwrap();
    find(&merchant, "a.case-link").await;
    screenshot(&merchant, "merchant-queue.png").await;
    follow(&merchant, "#logout").await;
    sign_in(&merchant, &base, "shop2", "shop-pass").await;
    merchant.goto(&format!("{base}/queue")).await.unwrap();
    find(&merchant, &format!("a.case-link[href='/cases/{case}']")).await;
    open_from_queue(&merchant, &base, &case).await;
    // The buyer's contact is masked for the merchant.
    let parties = text(&merchant, "#parties").await;
    assert!(parties.contains('*') && !parties.contains("张小满"), "{parties}");
    act(&merchant, "approve", &[]).await;
    find(&merchant, "#case-state").await;

    buyer.goto(&format!("{base}/cases/{case}")).await.unwrap();
    let outcome = reload_until(&buyer, "#case-outcome").await.text().await.unwrap();
    assert_eq!(outcome, "已退款");
    // Done: the buyer is offered the rating, nothing else changes the case now.
    find(&buyer, "#action-rate").await;
    for client in [buyer, merchant] {
        client.close().await.unwrap();
    }
}

/// (b) The merchant rejects, the buyer escalates, an agent takes the case, asks the buyer for
/// evidence and decides; the refund is paid. Form errors show beside their fields.
#[tokio::test]
async fn a_rejected_case_goes_to_the_platform_which_asks_for_evidence_and_refunds() {
    let test = "a_rejected_case_goes_to_the_platform_which_asks_for_evidence_and_refunds";
    let Some((chromium, driver)) = webdriver::available(test) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve_demo(dir.path());
    let driver = webdriver::start_driver(&driver).await;
    let buyer = browser(&driver, &chromium, Screen::Phone).await;
    sign_in(&buyer, &base, "buyer", "buyer-pass").await;
    let case = file_refund(&buyer, &base, None).await;

    let merchant = browser(&driver, &chromium, Screen::Desktop).await;
    sign_in(&merchant, &base, "shop2", "shop-pass").await;
    open_from_queue(&merchant, &base, &case).await;
    // A rejection without its explanation is refused beside the field, in Chinese.
    act(&merchant, "reject", &[("reason", "evidence_insufficient")]).await;
    let error = text(&merchant, "#reject-text-error").await;
    assert!(han(&error), "{error}");
    act(&merchant, "reject", &[("reason", "evidence_insufficient"), ("text", "未见腐烂的照片,无法核实。")]).await;
    assert_eq!(text(&merchant, "#case-state").await, "商家已拒绝");

    buyer.refresh().await.unwrap();
    act(&buyer, "escalate", &[("text", "商家拒绝退款,芒果确实腐烂,申请平台介入。")]).await;
    assert_eq!(text(&buyer, "#case-state").await, "平台介入中");

    let agent = browser(&driver, &chromium, Screen::Desktop).await;
    sign_in(&agent, &base, "agent", "agent-pass").await;
    agent_asks_for_evidence(&agent, &base, &case).await;

    buyer.refresh().await.unwrap();
    assert!(text(&buyer, "#deadline").await.contains("现在需要您处理"));
    find(&buyer, "#upload-file").await.send_keys(&photo(dir.path())).await.unwrap();
    type_into(&buyer, "#upload-caption", "开箱照片:果肉发黑").await;
    follow(&buyer, "#upload-submit").await;
    find(&buyer, "#evidence .evidence-item img").await;
    act(&buyer, "submit-evidence", &[("text", "已上传开箱照片。")]).await;

    agent_decides_a_refund(&agent, &case).await;

    buyer.refresh().await.unwrap();
    let outcome = reload_until(&buyer, "#case-outcome").await.text().await.unwrap();
    assert_eq!(outcome, "已退款");
    let timeline = text(&buyer, "#timeline").await;
    assert!(timeline.contains("《消费者权益保护法》第二十四条"), "the decision cites its rule: {timeline}");
    for client in [buyer, merchant, agent] {
        client.close().await.unwrap();
    }
}

/// The agent's part of (b): in the platform queue's unassigned tab, soonest deadline first, the
/// agent opens the case's workbench (both sides side by side, the facts the system knows), takes
/// it and asks the buyer for evidence; the case moves to the agent's own tab.
async fn agent_asks_for_evidence(agent: &Client, base: &str, case: &str) {
    agent.goto(&format!("{base}/platform")).await.unwrap();
    assert_eq!(find(agent, "#tab-unassigned").await.attr("aria-current").await.unwrap().as_deref(), Some("page"));
    follow(agent, &format!("a.case-link[href='/platform/cases/{case}']")).await;
    let buyer_side = text(agent, "#side-1").await;
    assert!(buyer_side.contains("芒果确实腐烂") && buyer_side.contains("约一半芒果腐烂"), "{buyer_side}");
    let merchant_side = text(agent, "#side-2").await;
    assert!(merchant_side.contains("未见腐烂的照片"), "{merchant_side}");
    let facts = text(agent, "#facts").await;
    assert!(facts.contains("商家首次回应") && facts.contains("提交后") && facts.contains("是"), "{facts}");
    assert!(text(agent, "#rights").await.contains("第二十四条"));
    act(agent, "take", &[]).await;
    assert!(agent.current_url().await.unwrap().path().starts_with("/platform/cases/"), "back on the workbench");
    act(agent, "request-evidence", &[("party", "buyer"), ("what", "请补充开箱照片,显示腐烂部位。")]).await;
    assert_eq!(text(agent, "#case-state").await, "待补充举证");
    follow(agent, "header nav a[href='/platform']").await;
    follow(agent, "#tab-mine").await;
    find(agent, &format!("a.case-link[href='/platform/cases/{case}']")).await;
}

/// The agent's decision on the workbench: a decision without its rationale and cited rule is
/// refused beside those fields; then a refund, with a rationale and the rule it rests on.
async fn agent_decides_a_refund(agent: &Client, case: &str) {
    follow(agent, &format!("a.case-link[href='/platform/cases/{case}']")).await;
    // The buyer's photo is on the buyer's side now.
    find(agent, "#side-1 .evidence-item img").await;
    screenshot(agent, "agent-workbench.png").await;
    act(agent, "decide", &[("remedy.kind", "refund"), ("remedy.amount", "69")]).await;
    assert!(han(&text(agent, "#decide-rationale-error").await));
    assert!(han(&text(agent, "#decide-cited_rule-error").await));
    find(agent, "#facts").await;
    act(
        agent,
        "decide",
        &[
            ("remedy.kind", "refund"),
            ("remedy.amount", "69"),
            ("liable", "merchant"),
            ("rationale", "照片显示签收时芒果已腐烂,属于质量问题。"),
            ("cited_rule", "《消费者权益保护法》第二十四条"),
        ],
    )
    .await;
    find(agent, "#case-state").await;
    let facts = text(agent, "#facts").await;
    assert!(facts.contains("《消费者权益保护法》第二十四条"), "the ruling is among the facts: {facts}");
}

/// (c) A buyer switches to English, the choice is remembered from page to page, and back.
#[tokio::test]
async fn a_buyer_switches_to_english_and_back() {
    let Some((chromium, driver)) = webdriver::available("a_buyer_switches_to_english_and_back") else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve_demo(dir.path());
    let driver = webdriver::start_driver(&driver).await;
    let buyer = browser(&driver, &chromium, Screen::Desktop).await;
    sign_in(&buyer, &base, "buyer", "buyer-pass").await;
    assert!(text(&buyer, "header nav").await.contains("我的订单"));
    follow(&buyer, "#lang-switch").await;
    let nav = text(&buyer, "header nav").await;
    assert!(nav.contains("My orders") && !han(&nav), "{nav}");
    // Remembered on the next page, and on the case page's status and actions.
    follow(&buyer, "header nav a[href='/cases']").await;
    follow(&buyer, "a.case-link").await;
    let status = text(&buyer, "#status").await;
    assert!(!han(&status), "{status}");
    assert_eq!(text(&buyer, "#lang-switch").await, "中文");
    follow(&buyer, "#lang-switch").await;
    assert!(text(&buyer, "header nav").await.contains("我的订单"));
    assert_eq!(find(&buyer, "html").await.attr("lang").await.unwrap().as_deref(), Some("zh-CN"));
    buyer.close().await.unwrap();
}

/// (d) The main pages of every role, in both languages, have no serious or critical violation
/// that axe-core finds (contrast, labels, names, landmarks, ...).
#[tokio::test]
async fn the_main_pages_have_no_serious_accessibility_violation() {
    let test = "the_main_pages_have_no_serious_accessibility_violation";
    let Some((chromium, driver)) = webdriver::available(test) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve_demo(dir.path());
    let driver = webdriver::start_driver(&driver).await;
    let c = browser(&driver, &chromium, Screen::Desktop).await;
    let mut found = Vec::new();
    c.goto(&format!("{base}/login")).await.unwrap();
    assert!(webdriver::contrast_is_checked(&c).await, "axe reports a faint paragraph: the check can fail on contrast");
    found.extend(violations(&c, "anonymous").await);
    let pages: &[(&str, &[&str])] = &[
        (
            "buyer",
            &[
                "/orders",
                &format!("/orders/{MANGO_ORDER}/file"),
                "/cases",
                "/notifications",
                "/search?q=%E8%8A%92%E6%9E%9C",
            ],
        ),
        ("shop", &["/queue", "/tokens", "/dashboard"]),
        ("agent", &["/platform", "/platform?tab=mine", "/dashboard"]),
        ("admin", &["/admin/overview", "/admin/users", "/admin/policies", "/admin/calendar"]),
    ];
    for (login, paths) in pages {
        sign_in(&c, &base, login, &format!("{login}-pass")).await;
        for path in *paths {
            c.goto(&format!("{base}{path}")).await.unwrap();
            found.extend(violations(&c, login).await);
        }
        // The first case of a list: the case page, and for agents the workbench.
        let list = if *login == "agent" {
            "/platform"
        } else if *login == "shop" {
            "/queue"
        } else {
            "/cases"
        };
        c.goto(&format!("{base}{list}")).await.unwrap();
        if c.find(fantoccini::Locator::Css("a.case-link")).await.is_ok() {
            follow(&c, "a.case-link").await;
            found.extend(violations(&c, login).await);
        }
        if *login == "shop" {
            // The shop's public reputation, as a buyer reads it (issue 13).
            c.goto(&format!("{base}/dashboard")).await.unwrap();
            follow(&c, "#reputation-link").await;
            found.extend(violations(&c, login).await);
            // A public page has no sign-out: back to one that has.
            c.goto(&format!("{base}/dashboard")).await.unwrap();
        }
        if *login == "buyer" {
            // The other language.
            follow(&c, "#lang-switch").await;
            found.extend(violations(&c, login).await);
            follow(&c, "#lang-switch").await;
        }
        follow(&c, "#logout").await;
    }
    c.close().await.unwrap();
    assert!(found.is_empty(), "accessibility violations:\n{}", found.join("\n"));
}

/// The serious violations on the page `c` shows, each naming who looked and where.
async fn violations(c: &Client, who: &str) -> Vec<String> {
    let path = c.current_url().await.unwrap().path().to_owned();
    accessibility_violations(c).await.into_iter().map(|v| format!("{who} {path}: {v}")).collect()
}
