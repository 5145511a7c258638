//! `cargo run --release -p redress-bench -- [--cases N] [--concurrency C] [--database-url URL] [--flood F]`
//!
//! Measures, on a fresh database: filing cases, acting on them (message, reject, escalate) through
//! the use cases, reading and messaging over real HTTP on loopback, and whole lifecycles with the
//! worker running in the same process (the refund paid after approval). Prints medians, p95, p99
//! and throughput; docs/performance.md records the figures and the command.

mod flood;

use anyhow::Context;
use clap::Parser;
use redress_app::auth::hash_password;
use redress_app::clock::SystemClock;
use redress_app::orders::NewOrder;
use redress_app::ports::User;
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
    /// Whole lifecycles (file → approve → refund paid by the worker → closed) to run at the end.
    #[arg(long, default_value_t = 1000)]
    lifecycles: usize,
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
    /// What SQLite's writer did meanwhile (none on PostgreSQL).
    writer: Option<WriterFigures>,
}

/// SQLite's writer as its metrics tell (`redress_sqlite_writer_*`): totals since start, or
/// over a phase (`since`).
#[derive(Clone, Copy, Default)]
struct WriterFigures {
    batches: f64,
    changes: f64,
    busy_seconds: f64,
    commit_seconds: f64,
}

impl WriterFigures {
    /// The totals now, read from the process's metrics (the recorder `redress serve` installs).
    fn now() -> Option<WriterFigures> {
        let text = redress_web::install_metrics()?.render();
        let value = |name: &str| {
            text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok()).unwrap_or(0.0)
        };
        let figures = WriterFigures {
            batches: value("redress_sqlite_writer_batch_seconds_count"),
            changes: value("redress_sqlite_writer_batch_size_sum"),
            busy_seconds: value("redress_sqlite_writer_batch_seconds_sum"),
            commit_seconds: value("redress_sqlite_writer_commit_seconds_sum"),
        };
        Some(figures)
    }

    fn since(self, before: WriterFigures) -> WriterFigures {
        WriterFigures {
            batches: self.batches - before.batches,
            changes: self.changes - before.changes,
            busy_seconds: self.busy_seconds - before.busy_seconds,
            commit_seconds: self.commit_seconds - before.commit_seconds,
        }
    }

    /// The writer's share of the phase's time, changes a batch, its time a change and a
    /// COMMIT's; blank where it wrote nothing.
    fn columns(&self, wall: Duration) -> String {
        if self.batches < 1.0 {
            return format!(" {:>6} | {:>6} | {:>7} | {:>8} |", "", "", "", "");
        }
        format!(
            " {:>5.0}% | {:>6.1} | {:>7.0} | {:>8.2} |",
            100.0 * self.busy_seconds / wall.as_secs_f64(),
            self.changes / self.batches,
            1e6 * self.busy_seconds / self.changes.max(1.0),
            1e3 * self.commit_seconds / self.batches,
        )
    }
}

impl Stats {
    fn print(&mut self) {
        self.latencies.sort();
        let n = self.latencies.len();
        let at = |q: f64| self.latencies[((n as f64 * q) as usize).min(n - 1)];
        println!(
            "| {:<28} | {:>6} | {:>9.2} | {:>9.2} | {:>9.2} | {:>9.0} |{}",
            self.name,
            n,
            at(0.5).as_secs_f64() * 1e3,
            at(0.95).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            n as f64 / self.wall.as_secs_f64(),
            self.writer.map(|w| w.columns(self.wall)).unwrap_or_default()
        );
    }

    /// The latencies only (no throughput: they overlap other work).
    fn print_latency(mut self) {
        self.latencies.sort();
        let n = self.latencies.len();
        let at = |q: f64| self.latencies[((n as f64 * q) as usize).min(n - 1)].as_secs_f64() * 1e3;
        println!(
            "| {:<28} | {:>6} | {:>9.2} | {:>9.2} | {:>9.2} | {:>9} |",
            self.name,
            n,
            at(0.5),
            at(0.95),
            at(0.99),
            ""
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
    let writer_before = WriterFigures::now();
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
    let wall = start.elapsed();
    let writer = writer_before.zip(WriterFigures::now()).map(|(before, after)| after.since(before));
    Ok(Stats { name, latencies, wall, writer })
}

/// mimalloc: with glibc's malloc, allocation was an eighth to a fifth of the CPU of a case
/// detail and of the deadline sweep (docs/performance.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let app = App::new(store, clock, Arc::new(redress_store::blobs::ObjectBlobs::local(&dir.path().join("evidence"))?));
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
        email: None,
    };
    let staff = user("bench-shop".into(), Role::Merchant, Some(shop_id));
    let admin = user("bench-admin".into(), Role::Admin, None);
    for u in [&staff, &admin] {
        app.store.insert_user(u, &hash, now).await?;
    }
    let mut buyers = Vec::with_capacity(args.cases);
    let mut orders = Vec::with_capacity(args.cases);
    let mut lifecycle_orders = Vec::with_capacity(args.lifecycles);
    let admin = Principal::User(admin);
    for i in 0..args.cases {
        let buyer = user(format!("bench-buyer-{i}"), Role::Buyer, None);
        app.store.insert_user(&buyer, &hash, now).await?;
        let order = app.create_order(&admin, bench_order(format!("BENCH-{i}"), shop_id, buyer.id, now)).await?;
        orders.push(order.id);
        buyers.push(Principal::User(buyer));
    }
    for i in 0..args.lifecycles {
        let Principal::User(buyer) = &buyers[i % buyers.len()] else { unreachable!() };
        let order = app.create_order(&admin, bench_order(format!("BENCH-L-{i}"), shop_id, buyer.id, now)).await?;
        lifecycle_orders.push((i % buyers.len(), order.id));
    }
    let staff = Principal::User(staff);
    let (buyers, orders) = (Arc::new(buyers), Arc::new(orders));
    let cases = Arc::new(std::sync::Mutex::new(vec![CaseId(uuid::Uuid::nil()); args.cases]));
    let (n, c) = (args.cases, args.concurrency);
    println!(
        "backend: {}, cases: {n}, concurrency: {c}\n",
        if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" }
    );
    // The writer's columns (SQLite): its busy share of the phase, changes a batch, its time a
    // change (µs) and a COMMIT's (ms), from its metrics.
    println!(
        "| operation                    |  count | p50 (ms)  | p95 (ms)  | p99 (ms)  |  per sec  | writer | batch  | µs/chg  | commit ms |"
    );
    println!(
        "|------------------------------|-------:|----------:|----------:|----------:|----------:|-------:|-------:|--------:|---------:|"
    );

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
    lifecycles(&app, &buyers, &staff, lifecycle_orders, c).await?;
    if args.flood > 0 {
        anyhow::ensure!(n >= 2, "the flood figure needs --cases 2 or more");
        flood::run(app, &cases, args.flood_requests, args.flood).await?;
    }
    Ok(())
}

/// File → approve → refund paid by the worker (running in this process, as in `redress serve`)
/// → closed, `concurrency` at a time; prints lifecycles per second and the time from approval
/// to the case closed by the paid refund.
async fn lifecycles(
    app: &App,
    buyers: &Arc<Vec<Principal>>,
    staff: &Principal,
    orders: Vec<(usize, redress_domain::OrderId)>,
    concurrency: usize,
) -> anyhow::Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let worker = redress_worker::Worker::new(app.clone());
    tokio::spawn(worker.run(Duration::from_secs(2), std::future::pending()));
    let paid_after = Arc::new(std::sync::Mutex::new(Vec::with_capacity(orders.len())));
    let orders_len = orders.len();
    let orders = Arc::new(orders);
    let (app, buyers, staff, paid) = (app.clone(), buyers.clone(), staff.clone(), paid_after.clone());
    let job = move |i: usize| {
        let (app, buyers, staff, orders, paid) =
            (app.clone(), buyers.clone(), staff.clone(), orders.clone(), paid.clone());
        async move {
            let (buyer, order) = orders[i];
            let request = FileCase {
                kind: RequestKind::RefundOnly,
                reason: Reason::QualityDefect,
                items: vec![ItemRef { sku: "SKU".into(), quantity: 1 }],
                amount: Money::from_fen(39900),
                description: "左耳无声".into(),
            };
            let case = app.file_case(&buyers[buyer], request, order).await?;
            app.act(&staff, case.id, Command::Approve).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let approved = Instant::now();
            // The client waits for the refund as a buyer's page would, polling the case.
            loop {
                let record = app.store.case(case.id).await?.context("case")?;
                if record.case.state == redress_domain::CaseState::Closed {
                    break;
                }
                anyhow::ensure!(approved.elapsed() < Duration::from_secs(120), "refund not paid in 120 s");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            paid.lock().unwrap().push(approved.elapsed());
            Ok(())
        }
    };
    let total = orders_len;
    measure("lifecycle (file→closed)", total, concurrency, job).await?.print();
    let latencies = std::mem::take(&mut *paid_after.lock().unwrap());
    Stats { name: "approval → refund paid", latencies, wall: Duration::from_secs(1), writer: None }.print_latency();
    Ok(())
}

fn bench_order(number: String, merchant_id: MerchantId, buyer_id: UserId, now: jiff::Timestamp) -> NewOrder {
    NewOrder {
        number,
        merchant_id,
        buyer_id,
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
    }
}
