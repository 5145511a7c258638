//! Issue 13 with the demo data (`redress serve --demo`, on SQLite and on PostgreSQL): every
//! dashboard page and the public reputation page show charts with marks in them, the CSV
//! exports are tables, the reputation leaks no buyer and no case text, and the search box finds
//! a demo case and links to it.

mod support;

use serde_json::Value;

const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";

/// The page at `path` read with `token`'s session (none: anonymous), its status and body.
async fn page(base: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}")).header("Accept", "text/html");
    if let Some(token) = token {
        request = request.header("Cookie", format!("redress_session={token}; redress_lang=en"));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The bars drawn in the chart `id` of a page.
fn bars_in(body: &str, id: &str) -> usize {
    let start =
        body.find(&format!("<svg class=\"chart\" id=\"{id}\"")).unwrap_or_else(|| panic!("chart {id}:\n{body}"));
    let end = start + body[start..].find("</svg>").unwrap();
    body[start..end].matches("<rect class=\"bar\"").count()
}

async fn story(base: String) {
    let admin = support::Client::login(&base, "admin", "admin-pass").await;
    let shops = admin.get("/api/v1/merchants?limit=100").await;
    let shop_id = |name: &str| -> String {
        let shop = shops["items"].as_array().unwrap().iter().find(|s| s["name"].as_str().unwrap().contains(name));
        shop.unwrap_or_else(|| panic!("{name}: {shops}"))["id"].as_str().unwrap().to_owned()
    };
    let (shanhai, xianguo) = (shop_id("山海数码"), shop_id("鲜果时光"));

    // The shops' own dashboards.
    for (login, rulings) in [("shop", 0), ("shop2", 1)] {
        let token = support::Client::login(&base, login, "shop-pass").await.token;
        let (status, body) = page(&base, "/dashboard", Some(&token)).await;
        assert_eq!(status, 200, "{login}: {body}");
        for chart in ["chart-cases-per-1000", "chart-on-time", "chart-response", "chart-repeat"] {
            assert!(bars_in(&body, chart) >= 1, "{login} {chart}:\n{body}");
        }
        assert_eq!(bars_in(&body, "chart-rulings-against"), rulings, "{login}: shop2 was ruled against once");
        assert!(body.contains("role=\"img\"") && body.contains("<desc id=\"chart-on-time-desc\">"), "{body}");
        assert!(body.contains("format=csv") && body.contains("id=\"reputation-link\""), "links: {body}");
    }
    // The refunded, rated case of shop2: outcomes and satisfaction have marks.
    let shop2 = support::Client::login(&base, "shop2", "shop-pass").await.token;
    let (_, body) = page(&base, "/dashboard", Some(&shop2)).await;
    assert!(bars_in(&body, "chart-outcomes") >= 1 && bars_in(&body, "chart-satisfaction") >= 1, "{body}");
    // Another shop's dashboard is not theirs to see.
    let (status, _) = page(&base, &format!("/dashboard/shops/{shanhai}"), Some(&shop2)).await;
    assert_eq!(status, 404);

    // The platform's, for agents and admins; a shop's, for them too.
    for login in ["agent", "admin"] {
        let password = if login == "agent" { "agent-pass" } else { "admin-pass" };
        let token = support::Client::login(&base, login, password).await.token;
        let (status, body) = page(&base, "/dashboard", Some(&token)).await;
        assert_eq!(status, 200, "{login}: {body}");
        for chart in ["chart-backlog", "chart-agents", "chart-reasons", "chart-kinds", "chart-decision-p50"] {
            assert!(bars_in(&body, chart) >= 1, "{login} {chart}:\n{body}");
        }
        assert!(body.contains("id=\"table-backlog\""), "{body}");
        let (status, body) = page(&base, &format!("/dashboard/shops/{xianguo}"), Some(&token)).await;
        assert_eq!(status, 200, "{body}");
        assert!(bars_in(&body, "chart-cases-per-1000") >= 1, "{body}");
    }
    let buyer = support::Client::login(&base, "buyer", "buyer-pass").await.token;
    assert_eq!(page(&base, "/dashboard", Some(&buyer)).await.0, 403);

    // CSV: a header row and a row per month plus the total.
    let agent = support::Client::login(&base, "agent", "agent-pass").await.token;
    let http = reqwest::Client::new();
    let csv = |path: String, accept: &'static str| {
        let request = http.get(format!("{base}{path}")).bearer_auth(&agent).header("Accept", accept);
        async move {
            let response = request.send().await.unwrap();
            let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
            (kind, response.text().await.unwrap())
        }
    };
    let (kind, table) = csv("/api/v1/dashboards/platform?months=3".into(), "text/csv").await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("month,cases,escalated,decided,"), "{table}");
    assert_eq!(lines.len(), 1 + 3 + 1, "{table}");
    assert!(lines[4].starts_with("total,"), "{table}");
    let (kind, table) = csv(format!("/api/v1/merchants/{xianguo}/dashboard?format=csv&months=2"), "*/*").await;
    assert!(kind.starts_with("text/csv") && table.starts_with("month,orders,cases,"), "{kind}\n{table}");
    let (kind, json) = csv(format!("/api/v1/merchants/{xianguo}/dashboard"), "application/json").await;
    assert!(kind.starts_with("application/json"), "{kind}");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["total"]["orders"], 32, "2 orders with cases and 30 without");

    // The public reputation: no sign-in, figures (both shops have 30 orders or more), charts.
    for (shop, name) in [(&shanhai, "山海"), (&xianguo, "鲜果")] {
        let (status, body) = page(&base, &format!("/shops/{shop}/reputation"), None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(name) && !body.contains("id=\"not-enough\""), "{body}");
        assert!(bars_in(&body, "chart-dispute-rate") >= 1 && bars_in(&body, "chart-on-time") >= 1, "{body}");
        // Anonymous: no account's navigation; the language switch comes back to this page.
        let switch = &body[body.find("id=\"lang-switch\"").expect("language switch")..];
        let switch = &switch[..switch.find('>').unwrap()];
        assert!(
            !body.contains("id=\"logout\"") && switch.contains(shop.as_str()) && switch.contains("reputation"),
            "{switch}"
        );
        // A signed-in buyer reading it keeps their navigation (bell, sign-out).
        let (status, body) = page(&base, &format!("/shops/{shop}/reputation"), Some(&buyer)).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("id=\"logout\"") && body.contains("id=\"bell\"") && body.contains(name), "{body}");
        // Fewer rulings than are shown publicly is said as such, not as "no data" (trial finding).
        assert!(body.contains("Fewer than 5 platform rulings so far"), "{body}");
        let json: Value = reqwest::get(format!("{base}/api/v1/reputation/{shop}")).await.unwrap().json().await.unwrap();
        assert_eq!(json["enough_orders"], true, "{json}");
        // Rates only: no buyer, no case, no description, no order volume.
        let text = json.to_string();
        for secret in ["buyer", "张小满", "李思远", "description", "\"orders\":", "\"cases\":", "case_id", "车厘子"]
        {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    // The search box: the buyer finds their earbuds case by a word of its description.
    let (status, body) = page(&base, "/search?q=%E5%B7%A6%E8%80%B3", Some(&buyer)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<mark>左耳</mark>") && body.contains("href=\"/cases/"), "{body}");
    // The other buyer's cases are not found by them; shop2's staff do not see shop 1's case.
    let (_, body) = page(&base, "/search?q=%E5%B7%A6%E8%80%B3", Some(&shop2)).await;
    assert!(body.contains("id=\"no-hits\"") && !body.contains("id=\"search-hint\""), "{body}");
    // A lone character finds nothing, and the page says why (trial finding).
    let (_, body) = page(&base, "/search?q=%E9%80%80", Some(&buyer)).await;
    assert!(body.contains("id=\"no-hits\"") && body.contains("a single character such as 退"), "{body}");
}

#[tokio::test]
async fn demo_dashboards_and_reputation_have_charts_on_sqlite() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, _) =
        support::serve(dir.path(), &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
            line.contains("admin") && line.contains("admin-pass")
        });
    story(base).await;
}

#[tokio::test]
async fn demo_dashboards_and_reputation_have_charts_on_postgres() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(url) = std::env::var("REDRESS_TEST_POSTGRES_URL") else {
        let required =
            std::env::var_os("CI").is_some() || std::env::var("REDRESS_REQUIRE_POSTGRES").as_deref() == Ok("1");
        assert!(!required, "CI asked for PostgreSQL: set REDRESS_TEST_POSTGRES_URL");
        redress_store::skipped::note(
            "demo_dashboards_and_reputation_have_charts_on_postgres",
            "REDRESS_TEST_POSTGRES_URL is not set",
        );
        return;
    };
    let admin = sqlx::PgPool::connect(&url).await.expect("PostgreSQL");
    let name = format!("redress_dash_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    let database = format!("{}/{name}", url.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "--database-url", &database, "migrate"])
        .status()
        .unwrap();
    assert!(migrated.success());
    {
        let (_server, base, _) = support::serve(
            dir.path(),
            &["serve", "--demo", "--database-url", &database],
            &[("REDRESS_CLOCK_START", CLOCK_START)],
            |line| line.contains("admin") && line.contains("admin-pass"),
        );
        story(base).await;
    }
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&admin).await;
}
