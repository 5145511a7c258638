//! The order conversation on the pages (issue 11 finding 2, issue 12 point 0): a buyer reaches
//! it from the orders, reads it, writes and attaches a file (the CSRF token, the session, a
//! refusal beside its field in the reader's language); the shop is led there by its
//! notification and its queue; a case's pages (buyer, shop, agent workbench) show the
//! negotiation record; an order with an open case sends the reader to the case. Against
//! `redress serve --demo` over HTTP, with the session cookie the sign-in sets.

mod support;

use support::urlencoded;

use serde_json::Value;

const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";
const FORM: &str = "application/x-www-form-urlencoded";
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

struct Reader {
    base: String,
    token: String,
    cookie: String,
    http: reqwest::Client,
}

impl Reader {
    async fn new(base: &str, login: &str, password: &str, lang: &str) -> Reader {
        let token = support::Client::login(base, login, password).await.token;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Reader { base: base.to_owned(), cookie: format!("redress_session={token}; redress_lang={lang}"), token, http }
    }

    /// The same session reading in `lang` (signing in again per language would meet the
    /// login rate limit).
    fn in_lang(&self, lang: &str) -> Reader {
        let cookie = format!("redress_session={}; redress_lang={lang}", self.token);
        Reader { base: self.base.clone(), token: self.token.clone(), cookie, http: self.http.clone() }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .header("Content-Type", FORM)
            .body(urlencoded(fields))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn buyers_and_shops_talk_on_the_pages_and_cases_show_the_record() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let api = support::Client::login(&base, "buyer", "buyer-pass").await;
    let orders: Vec<Value> = api.get("/api/v1/orders?limit=100").await["items"].as_array().unwrap().clone();
    let mut writable = None;
    let mut with_case = None;
    for o in &orders {
        let id = o["id"].as_str().unwrap().to_owned();
        let talk = api.get(&format!("/api/v1/orders/{id}/conversation")).await;
        match (talk["count"].as_i64(), talk["can_write"].as_bool()) {
            (Some(n), Some(true)) if n > 0 => writable = Some(id),
            (Some(n), Some(false)) if n > 0 => with_case = Some(id),
            _ => {}
        }
    }
    let (mangoes, earbuds) = (writable.expect("the mangoes' talk"), with_case.expect("the earbuds' talk"));
    let path = format!("/orders/{mangoes}/conversation");

    // From the orders to the conversation, which shows what both sides said.
    let buyer = Reader::new(&base, "buyer", "buyer-pass", "zh-CN").await;
    let list = buyer.page("/orders").await;
    assert!(list.contains(&format!("href=\"{path}\"")), "the orders link their conversation");
    let page = buyer.page(&path).await;
    assert!(page.contains("芒果今天到了") && page.contains("已为您补发"), "{page}");
    assert!(page.contains("id=\"message-form\"") && page.contains("id=\"attach-form\""), "{page}");
    let csrf = csrf_of(&page);

    // A message, then refusals beside the field: empty, and with a control character.
    let sent = buyer.post_form(&path, &[("csrf", &csrf), ("text", "谢谢,补发的收到了\r\n都很新鲜")]).await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"], format!("{path}#latest"));
    assert!(buyer.page(&path).await.contains("谢谢,补发的收到了"));
    // Blank as the domain counts it (review of session 24: zero-width spaces passed the page's
    // check and were told "a message needs text or a file").
    for blank in ["  ", "\u{200b}\u{200b}"] {
        let empty = buyer.post_form(&path, &[("csrf", &csrf), ("text", blank)]).await;
        assert_eq!(empty.status(), 422);
        let empty = empty.text().await.unwrap();
        assert!(empty.contains("id=\"message-text-error\">请填写此项。"), "{blank:?}: {empty}");
    }
    let control = buyer.post_form(&path, &[("csrf", &csrf), ("text", "坏\u{1b}字")]).await;
    assert_eq!(control.status(), 422);
    let control = control.text().await.unwrap();
    assert!(control.contains("id=\"message-text-error\">文字中含有不允许的字符"), "{control}");
    let forged = buyer.post_form(&path, &[("csrf", "0000"), ("text", "伪造")]).await;
    assert_eq!(forged.status(), 403);

    // A file with its message.
    let pdf = b"%PDF-1.4\n% receipt of the resent mangoes\n%%EOF\n";
    let body = support::multipart(
        &[
            ("csrf", csrf.as_bytes()),
            ("kind", b"invoice"),
            ("caption", "补发单".as_bytes()),
            ("text", "补发单见附件".as_bytes()),
        ],
        ("resent.pdf", "application/pdf", pdf),
    );
    let attached = buyer
        .http
        .post(format!("{base}{path}/files"))
        .header("Cookie", &buyer.cookie)
        .header("Content-Type", support::MULTIPART)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), 303);
    let page = buyer.page(&path).await;
    assert!(page.contains("补发单见附件") && page.contains(&format!("/api/v1/orders/{mangoes}/conversation/files/")));

    // The shop is led there by its notification, reads the buyer, and answers; in English too.
    let shop = Reader::new(&base, "shop2", "shop-pass", "en").await;
    let notifications = shop.page("/notifications").await;
    assert!(notifications.contains(&format!("href=\"{path}\"")), "{notifications}");
    let page = shop.page(&path).await;
    assert!(page.contains("Order conversation") && page.contains("谢谢,补发的收到了"), "{page}");
    let answered = shop.post_form(&path, &[("csrf", &csrf_of(&page)), ("text", "不客气")]).await;
    assert_eq!(answered.status(), 303);
    // The buyer sees that the shop read them (the side, not which staff account), and the shop
    // is not told about its own reading; after the buyer reads the answer, the shop sees it.
    let page = buyer.page(&path).await;
    assert!(page.contains("商家已读至") && !page.contains("买家已读"), "{page}");
    let page = shop.page(&path).await;
    assert!(
        page.contains("Read by the buyer up to the message of") && !page.contains("Read by the merchant"),
        "{page}"
    );

    // An order with an open case: the conversation leads to the case, which shows the record
    // to the buyer, the shop and the agent.
    let page = buyer.page(&format!("/orders/{earbuds}/conversation")).await;
    assert!(page.contains("id=\"case-open\"") && !page.contains("id=\"message-form\""), "{page}");
    let case = page.split("id=\"open-case-link\"").next().unwrap().rsplit("href=\"/cases/").next().unwrap();
    let case = case.split('"').next().unwrap().to_owned();
    let shop = Reader::new(&base, "shop", "shop-pass", "zh-CN").await;
    let agent = Reader::new(&base, "agent", "agent-pass", "zh-CN").await;
    for (reader, page) in [
        (&buyer, format!("/cases/{case}")),
        (&shop, format!("/cases/{case}")),
        (&agent, format!("/platform/cases/{case}")),
    ] {
        let body = reader.page(&page).await;
        let record = body.split("id=\"negotiation\"").nth(1).unwrap_or_else(|| panic!("{page}: no record\n{body}"));
        assert!(record.contains("左耳没有声音") && record.contains("麻烦拍一段视频"), "{page}: {record}");
        assert!(record.contains("conversation/files/"), "{page}: the photo of the record");
    }
    let queue = shop.page("/queue").await;
    assert!(queue.contains(&format!("href=\"/orders/{earbuds}/conversation\"")), "the queue links the conversation");
}

/// Every order's conversation, for every demo login and both languages, is a page (or a 403 or
/// 404 page for those it is not theirs to read), never a server error.
#[tokio::test]
async fn every_conversation_page_renders_for_every_login() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let admin = support::Client::login(&base, "admin", "admin-pass").await;
    let orders: Vec<String> = admin.get("/api/v1/orders?limit=100").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    let mut seen = std::collections::BTreeMap::<u16, usize>::new();
    for (login, password) in [
        ("buyer", "buyer-pass"),
        ("buyer2", "buyer-pass"),
        ("shop", "shop-pass"),
        ("shop2", "shop-pass"),
        ("agent", "agent-pass"),
        ("admin", "admin-pass"),
    ] {
        let signed = Reader::new(&base, login, password, "zh-CN").await;
        for lang in ["zh-CN", "en"] {
            let reader = signed.in_lang(lang);
            for order in &orders {
                let (status, body) = reader.get(&format!("/orders/{order}/conversation")).await;
                assert!([200, 403, 404].contains(&status), "{login} {lang} {order}: {status}\n{body}");
                assert!(body.contains(&format!("<html lang=\"{lang}\"")), "{login} {lang}: its language");
                *seen.entry(status).or_default() += 1;
            }
        }
    }
    assert!(seen[&200] > 10 && seen.contains_key(&404), "{seen:?}");
}
