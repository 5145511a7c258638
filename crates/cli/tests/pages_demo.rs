//! Every page, for every demo login, every demo case and order and both languages, answers a
//! page and never a server error (`redress serve --demo`, read over HTTP with the session cookie
//! the sign-in sets).

mod support;

use serde_json::Value;

const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";
const LOGINS: &[(&str, &str)] = &[
    ("buyer", "buyer-pass"),
    ("buyer2", "buyer-pass"),
    ("shop", "shop-pass"),
    ("shop2", "shop-pass"),
    ("agent", "agent-pass"),
    ("agent2", "agent-pass"),
    ("admin", "admin-pass"),
];

const FORM: &str = "application/x-www-form-urlencoded";

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_page_renders_for_every_demo_case_role_and_language() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let admin = support::Client::login(&base, "admin", "admin-pass").await;
    let cases = ids(&admin.get("/api/v1/cases?limit=100").await);
    let orders = ids(&admin.get("/api/v1/orders?limit=100").await);
    assert!(cases.len() >= 5 && orders.len() >= 5, "the demo has cases and orders");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut pages: Vec<String> =
        ["/", "/orders", "/cases", "/queue", "/tokens", "/platform", "/platform?tab=mine", "/platform?tab=appeals"]
            .into_iter()
            .map(String::from)
            .collect();
    pages.extend(["/notifications", "/login", "/no-such-page", "/platform/cases/not-a-case"].map(String::from));
    pages.extend(["/admin/overview", "/admin/users", "/admin/policies", "/admin/calendar"].map(String::from));
    pages.extend(cases.iter().map(|id| format!("/cases/{id}")));
    pages.extend(cases.iter().map(|id| format!("/platform/cases/{id}")));
    pages.extend(orders.iter().map(|id| format!("/orders/{id}/file")));
    pages.push("/cases/not-a-case".into());
    let mut seen = std::collections::BTreeMap::<u16, usize>::new();
    for (login, password) in LOGINS {
        let token = support::Client::login(&base, login, password).await.token;
        for lang in ["zh-CN", "en"] {
            for page in &pages {
                let response = http
                    .get(format!("{base}{page}"))
                    .header("Cookie", format!("redress_session={token}; redress_lang={lang}"))
                    .header("Accept", "text/html")
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
                let body = response.text().await.unwrap();
                assert!(status < 500, "{login} {lang} {page}: {status}\n{body}");
                assert!([200, 303, 403, 404].contains(&status), "{login} {lang} {page}: {status}\n{body}");
                *seen.entry(status).or_default() += 1;
                if status != 303 {
                    assert!(content_type.is_some_and(|t| t.starts_with("text/html")), "{login} {page}: a page");
                    assert!(body.contains(&format!("<html lang=\"{lang}\"")), "{login} {lang} {page}: its language");
                }
            }
        }
    }
    // Pages were read, some refused (another buyer's case is not found, a buyer has no queue).
    assert!(seen[&200] > 100, "{seen:?}");
    assert!(seen.contains_key(&404) && seen.contains_key(&403), "{seen:?}");
}

/// The pages' own refusals: a dead session is told so (and asked to sign in again), a forged
/// form is refused, a bad field is named beside it, an action the case no longer allows is a 409
/// page, and a page asked for without a session leads to the sign-in form and back.
#[tokio::test]
async fn refusals_are_pages_in_the_readers_language() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |path: &str, cookie: &str| {
        http.get(format!("{base}{path}")).header("Cookie", cookie.to_owned()).header("Accept", "text/html").send()
    };
    let to_sign_in = get("/cases?x=1", "").await.unwrap();
    assert_eq!(to_sign_in.status(), 303);
    assert_eq!(to_sign_in.headers()["location"], "/login?next=/cases%3Fx%3D1");
    let expired = get("/cases", "redress_session=rds_no_such_session").await.unwrap();
    assert_eq!(expired.status(), 401);
    assert!(expired.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert!(expired.text().await.unwrap().contains("登录已过期"));

    let token = support::Client::login(&base, "shop", "shop-pass").await.token;
    let forged = http
        .post(format!("{base}/tokens"))
        .header("Cookie", format!("redress_session={token}; redress_lang=en"))
        .header("Content-Type", FORM)
        .body(support::urlencoded(&[("csrf", "0000"), ("name", "forged")]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.unwrap().contains("Form expired"));

    // A form refused for what it says comes back with the error beside its field, in the
    // reader's language; an action the case no longer allows is a 409 page.
    let shop = support::Client::login(&base, "shop", "shop-pass").await;
    let cases = shop.get("/api/v1/cases?limit=100").await;
    let case_in = |state: &str| {
        let items = cases["items"].as_array().unwrap();
        items.iter().find(|c| c["state"] == state).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let cookie = format!("redress_session={}; redress_lang=en", shop.token);
    let waiting = case_in("awaiting_merchant");
    let page = get(&format!("/cases/{waiting}"), &cookie).await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        http.post(format!("{base}{path}"))
            .header("Cookie", cookie.clone())
            .header("Content-Type", FORM)
            .body(support::urlencoded(&fields))
            .send()
    };
    let refused = post(
        format!("/cases/{waiting}/actions/reject"),
        vec![("csrf", csrf.clone()), ("reason", "evidence_insufficient".into()), ("text", String::new())],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"reject-text-error\">Please fill this in.</p>"), "{page}");
    assert!(page.contains("aria-describedby=\"reject-text-error\""), "the field names its error");
    let over = post(
        format!("/cases/{waiting}/actions/offer"),
        vec![
            ("csrf", csrf.clone()),
            ("remedy.kind", "refund".into()),
            ("remedy.amount", "abc".into()),
            ("note", "half".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(over.status(), 422);
    assert!(over.text().await.unwrap().contains("id=\"offer-remedy-amount-error\">Enter an amount in yuan"));
    let elsewhere = case_in("platform_review");
    let conflict = post(format!("/cases/{elsewhere}/actions/approve"), vec![("csrf", csrf.clone())]).await.unwrap();
    assert_eq!(conflict.status(), 409);
    assert!(conflict.text().await.unwrap().contains("The case has changed"));

    // The sign-in form refuses a post without its cookie's token, and signs in with it.
    let form = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = form.text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let fields = [("csrf", csrf.as_str()), ("login", "shop"), ("password", "shop-pass"), ("next", "/tokens")];
    let without = http
        .post(format!("{base}/login"))
        .header("Content-Type", FORM)
        .body(support::urlencoded(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    let signed = http
        .post(format!("{base}/login"))
        .header("Cookie", cookie)
        .header("Content-Type", FORM)
        .body(support::urlencoded(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/tokens");
    assert!(signed.headers()["set-cookie"].to_str().unwrap().starts_with("redress_session="));
}

/// The agent's and the admin's pages show the demo's data: the platform queue's tabs, a
/// workbench with both sides and the facts, an appeal against an agent's ruling shown as going to
/// another agent (whose workbench offers the review), the accounts and shops, the policy versions,
/// the calendar's provisional year, the queues' overview.
#[tokio::test]
async fn the_platform_and_admin_pages_show_the_demo() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = |path: String, token: String| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let response = http
                .get(format!("{base}{path}"))
                .header("Cookie", format!("redress_session={token}; redress_lang=zh-CN"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let agent = support::Client::login(&base, "agent", "agent-pass").await;
    let queue = page("/platform".into(), agent.token.clone()).await;
    assert!(queue.contains("id=\"tab-unassigned\" href=\"/platform?tab=unassigned\" aria-current=\"page\""), "{queue}");
    let link = queue.split("href=\"/platform/cases/").nth(1).expect("a platform case in the demo");
    let case = link.split('"').next().unwrap().to_owned();
    let bench = page(format!("/platform/cases/{case}"), agent.token.clone()).await;
    for part in ["id=\"side-1\"", "id=\"side-2\"", "id=\"facts\"", "商家首次回应", "id=\"action-take\""] {
        assert!(bench.contains(part), "{part}: {bench}");
    }

    // The agent rules for the buyer; the merchant appeals.
    agent.post(&format!("/api/v1/cases/{case}/actions/take"), serde_json::json!({})).await;
    let ruling = serde_json::json!({"remedy": {"kind": "refund", "amount": 100}, "rationale": "r", "cited_rule": "消法第二十四条"});
    agent.post(&format!("/api/v1/cases/{case}/actions/decide"), ruling).await;
    // The refund is paid by the server's worker: a decision is appealed once the case is closed.
    while agent.get(&format!("/api/v1/cases/{case}")).await["case"]["state"] != "closed" {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut appealed = false;
    for shop in ["shop", "shop2"] {
        let merchant = support::Client::login(&base, shop, "shop-pass").await;
        let response = http
            .post(format!("{base}/api/v1/cases/{case}/actions/appeal"))
            .bearer_auth(&merchant.token)
            .json(&serde_json::json!({"reason": "照片不能证明签收时已腐烂"}))
            .send()
            .await
            .unwrap();
        appealed |= response.status().is_success();
    }
    assert!(appealed, "the merchant appealed");
    let own = page(format!("/platform/cases/{case}"), agent.token.clone()).await;
    assert!(own.contains("id=\"appeal-note\">您的裁决正被申诉：将由其他客服复核。"), "{own}");
    assert!(!own.contains("id=\"action-review-appeal\""));
    let other = support::Client::login(&base, "agent2", "agent-pass").await;
    let appeals = page("/platform?tab=appeals".into(), other.token.clone()).await;
    assert!(appeals.contains(&format!("href=\"/platform/cases/{case}\"")), "{appeals}");
    let theirs = page(format!("/platform/cases/{case}"), other.token.clone()).await;
    assert!(theirs.contains("由未作出该裁决的客服复核") && theirs.contains("id=\"action-review-appeal\""), "{theirs}");

    let admin = support::Client::login(&base, "admin", "admin-pass").await.token;
    let users = page("/admin/users".into(), admin.clone()).await;
    assert!(users.contains("鲜果时光") && users.contains("shop2") && users.contains("平台客服"), "{users}");
    let policies = page("/admin/policies".into(), admin.clone()).await;
    assert!(
        policies.contains("商家处理新售后单的时限")
            && policies.contains("48 小时")
            && policies.contains("第 1 版：发布于 系统内置")
            && !policies.contains("_hours"),
        "{policies}"
    );
    let calendar = page("/admin/calendar".into(), admin.clone()).await;
    assert!(
        calendar.contains("2027 年的日历为暂定") && calendar.contains("通知尚未导入"),
        "the provisional year: {calendar}"
    );
    assert!(calendar.contains("<td>2026</td>"), "{calendar}");
    let overview = page("/admin/overview".into(), admin.clone()).await;
    assert!(overview.contains("按阶段统计的未结案件") && overview.contains("平台介入"), "{overview}");

    // A new shop through the page's form: a bad credit code is refused beside its field; then a
    // shop, and a staff account of it.
    let csrf = users.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let post = |path: &str, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        http.post(format!("{base}{path}"))
            .header("Cookie", format!("redress_session={admin}; redress_lang=zh-CN"))
            .header("Content-Type", FORM)
            .body(support::urlencoded(&fields))
            .send()
    };
    let shop = |code: String| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "杭州新店有限公司".to_owned()),
            ("credit_code", code),
            ("address", "浙江省杭州市西湖区文三路 1 号".to_owned()),
        ]
    };
    let bad = post("/admin/new-shop", shop("123".into())).await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("id=\"new-shop-credit_code-error\">不是有效的统一社会信用代码"));
    let code = format!("91330106MA2H3K4L5{}", redress_law::uscc::compute_check_character("91330106MA2H3K4L5").unwrap());
    let made = post("/admin/new-shop", shop(code)).await.unwrap();
    assert_eq!(made.status(), 303);
    let users = page("/admin/users".into(), admin.clone()).await;
    let shop_id =
        users.split("<option value=\"").find_map(|o| o.split_once("\">杭州新店有限公司")).unwrap().0.to_owned();
    let staff = |login: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("login", login.to_owned()),
            ("display_name", "新店客服".to_owned()),
            ("password", "a-long-password-1".to_owned()),
            ("role", "merchant".to_owned()),
            ("merchant_id", shop_id.clone()),
        ]
    };
    assert_eq!(post("/admin/new-user", staff("newshop")).await.unwrap().status(), 303);
    let again = post("/admin/new-user", staff("newshop")).await.unwrap();
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("id=\"new-user-login-error\""));
    support::Client::login(&base, "newshop", "a-long-password-1").await;
}
