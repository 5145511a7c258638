//! Driving headless Chromium through chromedriver (WebDriver, fantoccini over plain HTTP on
//! loopback) for the browser tests of the pages. Without Chromium and chromedriver the tests say
//! "skipped" (and the skip log of `scripts/test` lists them); with `REDRESS_REQUIRE_BROWSER=1`
//! (CI) they fail instead.

#![allow(dead_code)]

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process on a free loopback port, in a process group of its own with the
/// browsers it starts; the whole group is stopped when dropped (a failing test never closes its
/// sessions, and its browsers would outlive chromedriver).
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser's paths (`REDRESS_CHROMIUM`, `REDRESS_CHROMEDRIVER` override them), or `None`
/// after noting the skip; panics under `REDRESS_REQUIRE_BROWSER=1`.
pub fn available(test: &str) -> Option<(String, String)> {
    let chromium = std::env::var("REDRESS_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    let driver = std::env::var("REDRESS_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
    let missing: Vec<&str> =
        [chromium.as_str(), driver.as_str()].into_iter().filter(|p| !std::path::Path::new(p).exists()).collect();
    if missing.is_empty() {
        return Some((chromium, driver));
    }
    let reason = format!("no browser: {} not found (apt-get install chromium chromium-driver)", missing.join(", "));
    if std::env::var("REDRESS_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("REDRESS_REQUIRE_BROWSER=1 but {reason}");
    }
    println!("{test}: skipped ({reason})");
    redress_store::skipped::note(test, &reason);
    None
}

/// Starts chromedriver and waits until it answers.
pub async fn start_driver(driver: &str) -> Driver {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver)
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let driver = Driver { child, url };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{}/status", driver.url)).send().await.is_ok_and(|r| r.status().is_success()) {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start on {}", driver.url);
}

/// The size of a browser's viewport.
#[derive(Clone, Copy)]
pub enum Screen {
    /// A phone (390 × 844 CSS pixels, as an iPhone 14).
    Phone,
    Desktop,
}

/// A headless Chromium of one person (its own cookies).
pub async fn browser(driver: &Driver, chromium: &str, screen: Screen) -> Client {
    let mut options = serde_json::json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-quic", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions", "--window-size=1280,900",
                 "--lang=zh-CN", "--accept-lang=zh-CN,zh"],
        // Headless Chromium asks for English whatever --lang says; the pages follow the
        // browser's Accept-Language on a first visit, and these people read Chinese.
        "prefs": { "intl.accept_languages": "zh-CN,zh" },
    });
    if let Screen::Phone = screen {
        options["mobileEmulation"] =
            serde_json::json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0 } });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// The element `css` on the current page, waiting a little for it; a missing element fails the
/// test, naming it and the page.
pub async fn find(c: &Client, css: &str) -> Element {
    match c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await {
        Ok(element) => element,
        Err(e) => {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let source = c.source().await.unwrap_or_default();
            let text: String = source.chars().take(3000).collect();
            panic!("element `{css}` is missing on {url}: {e}\n{text}");
        }
    }
}

/// The visible text of `css`.
pub async fn text(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.expect("text")
}

pub async fn click(c: &Client, css: &str) {
    find(c, css).await.click().await.unwrap_or_else(|e| panic!("click `{css}`: {e}"));
}

/// Clicks a link or a submit button and waits until the next page replaced this one.
pub async fn follow(c: &Client, css: &str) {
    let old = find(c, "html").await;
    click(c, css).await;
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            find(c, "body").await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("clicking `{css}` led to no new page");
}

pub async fn type_into(c: &Client, css: &str, value: &str) {
    let field = find(c, css).await;
    field.clear().await.unwrap_or_else(|e| panic!("clear `{css}`: {e}"));
    field.send_keys(value).await.unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
}

pub async fn choose(c: &Client, css: &str, value: &str) {
    find(c, css).await.select_by_value(value).await.unwrap_or_else(|e| panic!("choose {value} in `{css}`: {e}"));
}

/// Signs in through the sign-in form and waits for the first page.
pub async fn sign_in(c: &Client, base: &str, login: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("open the sign-in page");
    type_into(c, "#login", login).await;
    type_into(c, "#password", password).await;
    follow(c, "#login-submit").await;
    find(c, "#bell").await;
}

/// Opens the form of `action` on the case page, fills `fields` (by argument name; a select is
/// chosen by value) and submits it.
pub async fn act(c: &Client, action: &str, fields: &[(&str, &str)]) {
    let form = find(c, &format!("#action-{action}")).await;
    if form.prop("open").await.ok().flatten().as_deref() != Some("true") {
        click(c, &format!("#action-{action} > summary")).await;
    }
    for (name, value) in fields {
        let css = format!("#{action}-{}", name.replace('.', "-"));
        let field = find(c, &css).await;
        if field.tag_name().await.unwrap_or_default() == "select" {
            choose(c, &css, value).await;
        } else {
            type_into(c, &css, value).await;
        }
    }
    follow(c, &format!("#submit-{action}")).await;
}

/// Reloads the page until `css` is there (work the server's worker does in the background, such
/// as a refund paid); fails after about half a minute.
pub async fn reload_until(c: &Client, css: &str) -> Element {
    for _ in 0..60 {
        if let Ok(element) = c.find(Locator::Css(css)).await {
            return element;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        c.refresh().await.expect("reload");
    }
    find(c, css).await
}

/// Saves a screenshot of the viewport under `docs/screenshots/`.
pub async fn screenshot(c: &Client, name: &str) {
    // The committed screenshots change only when asked (`REDRESS_UPDATE_SCREENSHOTS=1`); every
    // other run writes them beside its build, so a test run leaves the tree as it was.
    let dir = if std::env::var("REDRESS_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(name), png).unwrap();
}

/// axe-core 4.10.3 from npm (`axe/`, MPL-2.0, its licences beside it), injected into a page
/// through WebDriver's script execution (which the pages' CSP does not govern).
const AXE: &str = include_str!("axe/axe-4.10.3.min.js");

/// The serious and critical accessibility violations axe-core finds on the page now, each as
/// `rule: help (the first elements it is about)`.
pub async fn accessibility_violations(c: &Client) -> Vec<String> {
    c.execute(AXE, Vec::new()).await.expect("inject axe-core");
    let run = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] }).then(
            (r) => done(r.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.id} (${v.impact}): ${v.help} [${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}]`)),
            (e) => done([`axe failed: ${e}`]));
    "#;
    let found = c.execute_async(run, Vec::new()).await.expect("run axe-core");
    serde_json::from_value(found).expect("a list of violations")
}

/// Whether the accessibility check can see poor contrast on this page: a grey-on-white paragraph
/// is added to its main part (coloured through the CSSOM: the pages' CSP refuses a `style`
/// attribute, which is why a paragraph injected with one kept the default black text and axe
/// rightly found nothing), axe runs, and the paragraph goes again.
pub async fn contrast_is_checked(c: &Client) -> bool {
    let add = r#"
        const p = document.createElement('p');
        p.id = 'contrast-canary';
        p.textContent = 'grey on white, too faint to read';
        p.style.color = '#c8c8c8';
        p.style.backgroundColor = '#ffffff';
        document.querySelector('main').prepend(p);
    "#;
    c.execute(add, Vec::new()).await.expect("add the faint paragraph");
    let found = accessibility_violations(c).await;
    c.execute("document.getElementById('contrast-canary').remove();", Vec::new()).await.expect("remove it");
    found.iter().any(|v| v.starts_with("color-contrast") && v.contains("#contrast-canary"))
}
