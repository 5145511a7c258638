//! `cargo run --release -p redress-bench -- [--cases N] [--concurrency C] [--database-url URL] [--flood F]`
//!
//! Measures, on a fresh database: filing cases, acting on them (message, reject, escalate) through
//! the use cases, and reading and messaging over real HTTP on loopback. Prints medians, p95 and
//! throughput; docs/performance.md records the figures and the command.

mod flood;

use anyhow::Context;
use clap::Parser;
use redress_app::auth::hash_password;
use redress_app::calendar::SharedCalendar;
use redress_app::clock::SystemClock;
use redress_app::orders::NewOrder;
use redress_app::ports::{LedgerGateway, User};
use redress_app::{App, Principal, Role};
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::order::{LineItem, Merchant};
use redress_domain::vocabulary::{Reason, RejectReason, RequestKind, SalesChannel};
use redress_domain::{CaseId, Command, MerchantId, Money, UserId};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Cases to file and act on.
    #[arg(long, default_value_t = 2000)]
    cases: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// A PostgreSQL URL (an empty database); default: a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Then the flood figure: one account floods changes over this many connections while another
    /// account's latency is measured, quiet and under the flood (0: skip).
    #[arg(long, default_value_t = 0)]
    flood: usize,
    /// Requests of the other account in each phase of the flood figure.
    #[arg(long, default_value_t = 1000)]
    flood_requests: usize,
}

struct Stats {
    name: &'static str,
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Stats {
    fn print(&mut self) {
        self.latencies.sort();
        let n = self.latencies.len();
        let at = |q: f64| self.latencies[((n as f64 * q) as usize).min(n - 1)];
        println!(
            "| {:<28} | {:>6} | {:>9.2} | {:>9.2} | {:>9.0} |",
            self.name,
            n,
            at(0.5).as_secs_f64() * 1e3,
            at(0.95).as_secs_f64() * 1e3,
            n as f64 / self.wall.as_secs_f64()
        );
    }
}

/// Runs `job(i)` for i in 0..n with `concurrency` workers; returns each call's latency.
async fn measure<F, Fut>(name: &'static str, n: usize, concurrency: usize, job: F) -> anyhow::Result<Stats>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (job, next) = (job.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t = Instant::now();
                job(i).await?;
                latencies.push(t.elapsed());
            }
        });
    }
    let mut latencies = Vec::with_capacity(n);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    Ok(Stats { name, latencies, wall: start.elapsed() })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    rustls::crypto::ring::default_provider().install_default().ok();
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let url =
        args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    redress_store::migrate(&url).await.context("migrate")?;
    let store = redress_store::connect(&url).await?;
    let clock = Arc::new(SystemClock);
    let app = App {
        gateway: Arc::new(LedgerGateway { store: store.clone(), clock: clock.clone() }),
        store,
        clock,
        calendar: Arc::new(SharedCalendar::new(redress_law::BusinessCalendar::embedded())),
        blobs: Arc::new(redress_store::blobs::ObjectBlobs::local(&dir.path().join("evidence"))?),
        evidence_limits: Default::default(),
        login_throttle: Default::default(),
        gates: Default::default(),
    };
    app.ensure_policy().await?;
    app.load_calendar().await?;

    // People: one shop and one buyer per case (one password hash, reused: hashing is not measured).
    let now = app.clock.now();
    let hash = hash_password("bench-pass")?;
    let shop_id = MerchantId(uuid::Uuid::now_v7());
    let merchant = Merchant {
        id: shop_id,
        name: "基准测试店".into(),
        credit_code: "91330106MA2H3K5Q0".into(),
        address: "杭州".into(),
        phone: None,
    };
    app.store.insert_merchant(&merchant, now).await?;
    let user = |login: String, role, merchant_id| User {
        id: UserId(uuid::Uuid::now_v7()),
        login,
        display_name: "bench".into(),
        role,
        merchant_id,
        phone: None,
        address: None,
    };
    let staff = user("bench-shop".into(), Role::Merchant, Some(shop_id));
    let admin = user("bench-admin".into(), Role::Admin, None);
    for u in [&staff, &admin] {
        app.store.insert_user(u, &hash, now).await?;
    }
    let mut buyers = Vec::with_capacity(args.cases);
    let mut orders = Vec::with_capacity(args.cases);
    let admin = Principal::User(admin);
    for i in 0..args.cases {
        let buyer = user(format!("bench-buyer-{i}"), Role::Buyer, None);
        app.store.insert_user(&buyer, &hash, now).await?;
        let order = app
            .create_order(
                &admin,
                NewOrder {
                    number: format!("BENCH-{i}"),
                    merchant_id: shop_id,
                    buyer_id: buyer.id,
                    channel: SalesChannel::ChannelsShop,
                    items: vec![LineItem {
                        sku: "SKU".into(),
                        title: "耳机".into(),
                        quantity: 1,
                        unit_price: Money::from_fen(39900),
                        law: Default::default(),
                    }],
                    amount_paid: Money::from_fen(39900),
                    freight: Money::ZERO,
                    payment_transaction_id: None,
                    paid_at: Some(now),
                    shipped_at: Some(now),
                    signed_at: Some(now),
                },
            )
            .await?;
        orders.push(order.id);
        buyers.push(Principal::User(buyer));
    }
    let staff = Principal::User(staff);
    let (buyers, orders) = (Arc::new(buyers), Arc::new(orders));
    let cases = Arc::new(std::sync::Mutex::new(vec![CaseId(uuid::Uuid::nil()); args.cases]));
    let (n, c) = (args.cases, args.concurrency);
    println!(
        "backend: {}, cases: {n}, concurrency: {c}\n",
        if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" }
    );
    println!("| operation                    |  count | p50 (ms)  | p95 (ms)  |  per sec  |");
    println!("|------------------------------|-------:|----------:|----------:|----------:|");

    let file = {
        let (app, buyers, orders, cases) = (app.clone(), buyers.clone(), orders.clone(), cases.clone());
        move |i: usize| {
            let (app, buyers, orders, cases) = (app.clone(), buyers.clone(), orders.clone(), cases.clone());
            async move {
                let request = FileCase {
                    kind: RequestKind::RefundOnly,
                    reason: Reason::QualityDefect,
                    items: vec![ItemRef { sku: "SKU".into(), quantity: 1 }],
                    amount: Money::from_fen(39900),
                    description: "左耳无声".into(),
                };
                let case = app.file_case(&buyers[i], request, orders[i]).await?;
                cases.lock().unwrap()[i] = case.id;
                Ok(())
            }
        }
    };
    measure("file a case", n, c, file).await?.print();
    let cases: Arc<Vec<CaseId>> = Arc::new(cases.lock().unwrap().clone());
    for (name, who) in [("message (buyer)", "buyer"), ("reject (merchant)", "shop"), ("escalate (buyer)", "buyer")] {
        let (app, buyers, cases, staff) = (app.clone(), buyers.clone(), cases.clone(), staff.clone());
        let job = move |i: usize| {
            let (app, buyers, cases, staff) = (app.clone(), buyers.clone(), cases.clone(), staff.clone());
            async move {
                let (principal, command) = match name {
                    "message (buyer)" => {
                        (buyers[i].clone(), Command::Message { text: "请尽快处理".into(), evidence: Vec::new() })
                    }
                    "reject (merchant)" => {
                        (staff, Command::Reject { reason: RejectReason::EvidenceInsufficient, text: "证据不足".into() })
                    }
                    _ => (buyers[i].clone(), Command::Escalate { text: "申请平台介入".into() }),
                };
                let _ = who;
                app.act(&principal, cases[i], command).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(())
            }
        };
        measure(name, n, c, job).await?.print();
    }

    // Over HTTP on loopback: the same router `redress serve` runs.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    // Throughput, not protection: 200 logins from one address would hit the login rate limit.
    let limits = redress_web::Limits::default().without_rates();
    tokio::spawn(redress_web::serve_with(listener, app.clone(), limits, std::future::pending()));
    let client = reqwest::Client::new();
    let mut tokens = Vec::with_capacity(n.min(200));
    for i in 0..n.min(200) {
        let body: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": format!("bench-buyer-{i}"), "password": "bench-pass" }))
            .send()
            .await?
            .json()
            .await?;
        tokens.push(body["token"].as_str().context("token")?.to_owned());
    }
    let tokens = Arc::new(tokens);
    let read = {
        let (client, base, tokens, cases) = (client.clone(), base.clone(), tokens.clone(), cases.clone());
        move |i: usize| {
            let (client, base, tokens, cases) = (client.clone(), base.clone(), tokens.clone(), cases.clone());
            async move {
                let k = i % tokens.len();
                let r = client.get(format!("{base}/api/v1/cases/{}", cases[k])).bearer_auth(&tokens[k]).send().await?;
                anyhow::ensure!(r.status().is_success(), "GET {}", r.status());
                r.bytes().await?;
                Ok(())
            }
        }
    };
    measure("HTTP GET case detail", n, c, read).await?.print();
    let post = {
        let (client, base, tokens, cases) = (client.clone(), base.clone(), tokens.clone(), cases.clone());
        move |i: usize| {
            let (client, base, tokens, cases) = (client.clone(), base.clone(), tokens.clone(), cases.clone());
            async move {
                let k = i % tokens.len();
                let r = client
                    .post(format!("{base}/api/v1/cases/{}/actions/message", cases[k]))
                    .bearer_auth(&tokens[k])
                    .json(&serde_json::json!({ "text": "补充说明" }))
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "POST {}", r.status());
                r.bytes().await?;
                Ok(())
            }
        }
    };
    measure("HTTP POST message", n, c, post).await?.print();
    if args.flood > 0 {
        anyhow::ensure!(n >= 2, "the flood figure needs --cases 2 or more");
        flood::run(app, &cases, args.flood_requests, args.flood).await?;
    }
    Ok(())
}
