//! The order conversation in a real browser (headless Chromium through chromedriver), against
//! `redress serve --demo`, only through the pages: the buyer goes from the orders to the
//! conversation, writes, attaches a photo; the shop follows its notification there and answers;
//! the earbuds' case page shows its negotiation record; the conversation page has no serious
//! accessibility violation.

mod support;
mod webdriver;

use webdriver::{Screen, accessibility_violations, browser, find, follow, sign_in, text, type_into};

const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";
/// The demo order no case was filed on (shop2's mangoes), whose buyer and shop talked.
const MANGO_ORDER: &str = "XG20261110019";
/// The demo order of case 1 (the earbuds), talked about before its filing.
const EARBUDS_ORDER: &str = "SH20261101001";

#[tokio::test]
async fn a_buyer_and_a_shop_talk_in_the_browser() {
    let Some((chromium, driver)) = webdriver::available("a_buyer_and_a_shop_talk_in_the_browser") else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let driver = webdriver::start_driver(&driver).await;
    let buyer = browser(&driver, &chromium, Screen::Phone).await;
    sign_in(&buyer, &base, "buyer", "buyer-pass").await;
    buyer.goto(&format!("{base}/orders")).await.unwrap();
    follow(&buyer, &format!("#conversation-{MANGO_ORDER}")).await;
    assert!(text(&buyer, "#conversation").await.contains("芒果今天到了"));
    type_into(&buyer, "#message-text", "补发的两个也收到了,谢谢!").await;
    follow(&buyer, "#message-submit").await;
    assert!(text(&buyer, "#latest").await.contains("补发的两个也收到了"));
    let photo = dir.path().join("mango.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 60])).save(&photo).unwrap();
    find(&buyer, "#attach-file").await.send_keys(photo.to_str().unwrap()).await.expect("choose the photo");
    type_into(&buyer, "#attach-caption", "收到的芒果").await;
    follow(&buyer, "#attach-submit").await;
    find(&buyer, "#latest img").await;
    let violations = accessibility_violations(&buyer).await;
    assert!(violations.is_empty(), "accessibility violations:\n{}", violations.join("\n"));

    let shop = browser(&driver, &chromium, Screen::Desktop).await;
    sign_in(&shop, &base, "shop2", "shop-pass").await;
    shop.goto(&format!("{base}/notifications")).await.unwrap();
    follow(&shop, ".notifications a[href$='/conversation']").await;
    assert!(text(&shop, "#conversation").await.contains("补发的两个也收到了"));
    type_into(&shop, "#message-text", "不客气,欢迎再来!").await;
    follow(&shop, "#message-submit").await;
    assert!(text(&shop, "#latest").await.contains("欢迎再来"));

    // The earbuds' case carries the talk before it as its negotiation record.
    // From the earbuds' conversation (a case is open on that order) to the case.
    buyer.goto(&format!("{base}/orders")).await.unwrap();
    follow(&buyer, &format!("#conversation-{EARBUDS_ORDER}")).await;
    find(&buyer, "#case-open").await;
    follow(&buyer, "#open-case-link").await;
    let record = text(&buyer, "#negotiation").await;
    assert!(record.contains("左耳没有声音"), "{record}");
    for client in [buyer, shop] {
        client.close().await.unwrap();
    }
}
