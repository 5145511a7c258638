//! `cargo run --release -p redress-bench --bin search -- [--cases N] [--queries Q] [--runs R]
//!     [--agent-queries A] [--keep PATH | --database-url URL]`
//!
//! Full-text search latency over many cases (issue 13). Fills a fresh database directly (rows
//! shaped like those the store writes, one real filing as the template, descriptions made from
//! the domain's phrases and segmented by the application's own segmenter), then runs searches
//! through the use case (`App::search`: segmentation, the database's full-text match, ranking,
//! snippets) as an agent (every case; also with a filter on the reason, a different one each
//! time), a shop and a buyer, each search by another shop or buyer.
//! Prints p50/p95/p99 per query kind and asker for each run, then the median of each over the
//! runs; docs/performance.md records the figures and the command. `--keep` fills a SQLite file
//! once and measures it again on later runs (filling a million cases takes minutes); a
//! PostgreSQL database filled once is searched again the same way.

use anyhow::Context;
use clap::Parser;
use redress_app::clock::SystemClock;
use redress_app::ports::User;
use redress_app::search::{SearchDoc, SearchRequest};
use redress_app::{App, Principal, Role};
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::order::{LineItem, Merchant, Order};
use redress_domain::vocabulary::{Reason, RequestKind, SalesChannel};
use redress_domain::{Case, CaseId, MerchantId, Money, OrderId, UserId};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Cases in the database.
    #[arg(long, default_value_t = 100_000)]
    cases: usize,
    /// Searches of each kind.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Searches of each kind as an agent (each ranks the newest 1,000 matches of the word).
    #[arg(long, default_value_t = 20)]
    agent_queries: usize,
    /// Times the whole set of searches is run; the summary gives the median of each figure.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// A PostgreSQL URL (an empty database, or one an earlier run filled: searched again);
    /// default: a fresh SQLite file.
    #[arg(long, conflicts_with = "keep")]
    database_url: Option<String>,
    /// A SQLite file kept after the run; when it holds cases already, they are searched as
    /// they are (`--cases` is then ignored).
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

const SHOPS: usize = 500;
const BUYERS: usize = 20_000;
const ROWS_PER_INSERT: usize = 500;

/// What buyers write, in pieces; a description is a few of them.
const CLAUSES: &[&str] = &[
    "收到货发现屏幕碎了",
    "商品与描述不符，颜色差别很大",
    "怀疑是假货，没有防伪码",
    "申请仅退款，商家一直不回复",
    "七天无理由退货，商家拒绝",
    "申请退货退款，运费险已经理赔",
    "物流显示已签收但是我没有收到货",
    "质量问题，用了两天就坏了",
    "耳机左耳没有声音",
    "充电器发热严重，不敢使用",
    "少发了一个配件，说明书也没有",
    "衣服尺码偏小，起球严重",
    "包装破损，外箱压坏",
    "食品已经过期，吃了拉肚子",
    "客服答应补发但是一直没发货",
    "三包期内维修了两次还是不行",
    "The screen cracked on arrival",
    "I want a refund for the broken charger",
    "The item is counterfeit and the seller refused to help",
    "wrong size and colour, please exchange",
    "the parcel never arrived, tracking stuck for a week",
    "要求退一赔三",
    "商家说是人为损坏，不同意退款",
    "已经联系客服三次，没有结果",
];
const TITLES: &[&str] = &[
    "降噪蓝牙耳机",
    "快充充电器",
    "纯棉T恤",
    "智能手表",
    "不锈钢保温杯",
    "儿童绘本",
    "坚果礼盒",
    "机械键盘",
    "运动鞋",
    "空气净化器",
];

/// Query kinds: name and text. Common words, rarer ones, two words, a phrase, English.
const QUERIES: &[(&str, &str)] = &[
    ("common word 退款", "退款"),
    ("word 假货", "假货"),
    ("rare word 运费险", "运费险"),
    ("two words 质量问题 耳机", "质量问题 耳机"),
    ("phrase \"屏幕 碎了\"", "\"屏幕碎了\""),
    ("English refund", "refund"),
];

/// A cheap deterministic generator (the figures do not depend on the numbers drawn).
struct Draw(u64);

impl Draw {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    async fn run(&self, sql: String) -> anyhow::Result<()> {
        // The statements are built from this program's own texts (quotes doubled), never input.
        let sql = sqlx::AssertSqlSafe(sql);
        match self {
            Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
            Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
        }
        .context("bulk insert")
    }
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
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
    let url = match (&args.database_url, &args.keep) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => format!("sqlite://{}", path.display()),
        (None, None) => format!("sqlite://{}", dir.path().join("search.db").display()),
    };
    redress_store::migrate(&url).await?;
    let store = redress_store::connect(&url).await?;
    let pool = if url.starts_with("sqlite:") {
        Pool::Sqlite(sqlx::SqlitePool::connect(&url).await?)
    } else {
        Pool::Postgres(sqlx::PgPool::connect(&url).await?)
    };
    let clock: Arc<dyn redress_app::clock::Clock> = Arc::new(SystemClock);
    let app = App::new(store, clock, Arc::new(redress_store::blobs::ObjectBlobs::local(&dir.path().join("evidence"))?));
    app.ensure_policy().await?;
    // A database filled before a migration that adds index words gets them first (as `redress
    // serve` does in the background), so the searches below take the plans that use them.
    let started = Instant::now();
    let scoped = app.add_scope_words().await?;
    if scoped > 0 {
        println!("{scoped} documents given their scope words in {:.1?}", started.elapsed());
    }
    // A kept SQLite file, or a PostgreSQL database, filled by an earlier run is searched again.
    let (shops_sql, buyers_sql) = (
        "SELECT CAST(id AS TEXT) FROM merchants ORDER BY id",
        "SELECT CAST(id AS TEXT) FROM users WHERE role = 'buyer' ORDER BY id",
    );
    let (shops, buyers): (Vec<String>, Vec<String>) = match &pool {
        Pool::Sqlite(_) if args.keep.is_none() => (Vec::new(), Vec::new()),
        Pool::Sqlite(p) => {
            (sqlx::query_scalar(shops_sql).fetch_all(p).await?, sqlx::query_scalar(buyers_sql).fetch_all(p).await?)
        }
        Pool::Postgres(p) => {
            (sqlx::query_scalar(shops_sql).fetch_all(p).await?, sqlx::query_scalar(buyers_sql).fetch_all(p).await?)
        }
    };
    let parsed = |ids: &[String]| ids.iter().map(|i| i.parse()).collect::<Result<Vec<uuid::Uuid>, _>>();
    let filled = (shops.len() == SHOPS).then_some((
        parsed(&shops)?.into_iter().map(MerchantId).collect::<Vec<_>>(),
        parsed(&buyers)?.into_iter().map(UserId).collect::<Vec<_>>(),
    ));
    let (shops, buyers) = match filled {
        Some(found) => {
            println!("searching the {} cases already in {url}", count_cases(&pool).await?);
            found
        }
        None => fill(&app, &pool, &args, &url).await?,
    };
    search(&app, &args, &shops, &buyers).await
}

async fn count_cases(pool: &Pool) -> anyhow::Result<i64> {
    let sql = "SELECT COUNT(*) FROM cases";
    Ok(match pool {
        Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
    })
}

/// Fills the database: shops and buyers through the store, then the cases directly.
async fn fill(app: &App, pool: &Pool, args: &Args, url: &str) -> anyhow::Result<(Vec<MerchantId>, Vec<UserId>)> {
    let now = app.clock.now();
    // A time as each schema stores it: UTC microseconds on SQLite, `timestamptz` on PostgreSQL.
    let at = |t: Option<jiff::Timestamp>| match (t, pool) {
        (None, _) => "NULL".to_owned(),
        (Some(t), Pool::Sqlite(_)) => t.as_microsecond().to_string(),
        (Some(t), Pool::Postgres(_)) => format!("'{t}'"),
    };

    // Shops and buyers through the store; one real filing gives the case and order templates.
    let mut shops = Vec::with_capacity(SHOPS);
    for i in 0..SHOPS {
        let merchant = Merchant {
            id: MerchantId(uuid::Uuid::now_v7()),
            name: format!("{}号{}", i, ["数码旗舰店", "服饰专营店", "食品小铺", "家电城"][i % 4]),
            credit_code: "91330106MA2H3K5Q0X".into(),
            address: "杭州市西湖区".into(),
            phone: None,
        };
        app.store.insert_merchant(&merchant, now).await?;
        shops.push(merchant);
    }
    let mut buyers = Vec::with_capacity(BUYERS);
    let mut buyer_rows = String::new();
    for i in 0..BUYERS {
        let id = UserId(uuid::Uuid::now_v7());
        buyers.push(id);
        buyer_rows.push_str(&format!(
            "{}('{id}', 'buyer-{i}', 'buyer {i}', 'buyer', NULL, NULL, NULL, 'x', {})",
            if buyer_rows.is_empty() { "" } else { "," },
            at(Some(now))
        ));
    }
    pool.run(format!("INSERT INTO users (id, login, display_name, role, merchant_id, phone, address, password_hash, created_at) VALUES {buyer_rows}")).await?;
    let signed = now.checked_sub(jiff::SignedDuration::from_hours(24))?;
    let order_of = |number: String, shop: MerchantId, buyer: UserId, title: &str| Order {
        id: OrderId(uuid::Uuid::now_v7()),
        number,
        merchant_id: shop,
        buyer_id: buyer,
        channel: SalesChannel::ChannelsShop,
        items: vec![LineItem {
            sku: "SKU-1".into(),
            title: title.into(),
            quantity: 1,
            unit_price: Money::from_fen(19900),
            law: Default::default(),
        }],
        amount_paid: Money::from_fen(19900),
        freight: Money::ZERO,
        payment_transaction_id: None,
        paid_at: Some(signed),
        shipped_at: Some(signed),
        signed_at: Some(signed),
        created_at: now,
    };
    let first = order_of("T-0".into(), shops[0].id, buyers[0], TITLES[0]);
    app.store.insert_order(&first).await?;
    let request = FileCase {
        kind: RequestKind::RefundOnly,
        reason: Reason::QualityDefect,
        items: vec![ItemRef { sku: "SKU-1".into(), quantity: 1 }],
        amount: Money::from_fen(100),
        description: "模板".into(),
    };
    let template: Case = app.file_case(&buyer(buyers[0]), request, first.id).await?;
    let record = app.store.case(template.id).await?.context("template case")?;

    // The rest, directly, in multi-row inserts.
    let started = Instant::now();
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let reasons = Reason::ALL;
    let kinds = [RequestKind::RefundOnly, RequestKind::ReturnRefund, RequestKind::Exchange];
    let (mut orders, mut cases, mut texts) = (String::new(), String::new(), String::new());
    for i in 1..args.cases {
        let shop = &shops[draw.next(SHOPS)];
        let buyer_id = buyers[draw.next(BUYERS)];
        let title = TITLES[draw.next(TITLES.len())];
        let order = order_of(format!("T-{i}"), shop.id, buyer_id, title);
        let clauses = 1 + draw.next(4);
        let description: Vec<&str> = (0..clauses).map(|_| CLAUSES[draw.next(CLAUSES.len())]).collect();
        let mut case = template.clone();
        case.id = CaseId(uuid::Uuid::now_v7());
        (case.order_id, case.buyer_id, case.merchant_id) = (order.id, buyer_id, shop.id);
        case.reason = reasons[draw.next(reasons.len())];
        case.kind = kinds[draw.next(kinds.len())];
        case.description = description.join("，");
        let sep = |s: &String| if s.is_empty() { "" } else { "," };
        orders.push_str(&format!(
            "{}('{}', 'T-{i}', '{}', '{}', {}, {})",
            sep(&orders),
            order.id,
            shop.id,
            buyer_id,
            quoted(&serde_json::to_string(&order)?),
            at(Some(now))
        ));
        cases.push_str(&format!(
            "{}('{}', '{}', '{}', '{}', '{}', '{}', {}, {}, {}, {}, 1, {}, {}, {})",
            sep(&cases),
            case.id,
            order.id,
            buyer_id,
            shop.id,
            case.state.as_str(),
            case.stage.as_str(),
            at(case.deadline.as_ref().map(|d| d.due)),
            at(case.sweep_at()),
            at(Some(case.filed_at)),
            at(Some(case.filed_at)),
            quoted(&record.last_hash),
            quoted(&serde_json::to_string(&case)?),
            at(None),
        ));
        let mut doc = SearchDoc::head(&case, &order, &shop.name);
        doc.push(&case.description);
        texts.push_str(&format!("{}('{}', {}, {})", sep(&texts), case.id, quoted(&doc.plain), quoted(&doc.words)));
        if i % ROWS_PER_INSERT == 0 || i + 1 == args.cases {
            pool.run(format!(
                "INSERT INTO orders (id, number, merchant_id, buyer_id, body, created_at) VALUES {orders}"
            ))
            .await?;
            pool.run(format!("INSERT INTO cases (id, order_id, buyer_id, merchant_id, state, stage, deadline_due, sweep_at, filed_at, updated_at, version, last_hash, body, remind_at) VALUES {cases}")).await?;
            pool.run(format!("INSERT INTO case_texts (case_id, plain, words) VALUES {texts}")).await?;
            (orders, cases, texts) = (String::new(), String::new(), String::new());
        }
        if i % 100_000 == 0 {
            eprintln!("{i} cases in {:.0?}", started.elapsed());
        }
    }
    if let Pool::Postgres(p) = &pool {
        sqlx::raw_sql("VACUUM ANALYZE").execute(p).await?;
    }
    println!(
        "{} cases filled in {:.1?} ({})",
        args.cases,
        started.elapsed(),
        if url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" }
    );
    Ok((shops.iter().map(|s| s.id).collect(), buyers))
}

/// Each kind of query as each kind of asker, `args.runs` times; a table per run, then medians.
async fn search(app: &App, args: &Args, shops: &[MerchantId], buyers: &[UserId]) -> anyhow::Result<()> {
    let agent = Principal::User(User {
        id: UserId(uuid::Uuid::now_v7()),
        login: "agent".into(),
        display_name: "agent".into(),
        role: Role::Agent,
        merchant_id: None,
        phone: None,
        email: None,
        address: None,
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |sorted: &[Duration], p: f64| ms(sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]);
    // Per row of the table: p50, p95, p99 of each run.
    let mut rows: Vec<(String, Vec<[f64; 3]>)> = Vec::new();
    let mut draw = Draw(0x2545_F491_4F6C_DD1D);
    for run in 1..=args.runs {
        println!("\nrun {run} of {}", args.runs);
        println!("| query (asker)                         | n    | hits/page | p50 ms | p95 ms | p99 ms |");
        println!("|---------------------------------------|------|-----------|--------|--------|--------|");
        let mut all = Vec::new();
        for (r, (asker, (name, q))) in ["agent", "agent, by reason", "shop", "buyer"]
            .iter()
            .flat_map(|a| QUERIES.iter().map(move |q| (*a, q)))
            .enumerate()
        {
            let n = if asker.starts_with("agent") { args.agent_queries } else { args.queries };
            eprint!("{name} ({asker}): {n} searches\r");
            let mut latencies = Vec::with_capacity(n);
            let mut hits = 0;
            for _ in 0..n {
                // Another shop or buyer each time, as a busy system sees them.
                let who = match asker {
                    "agent" | "agent, by reason" => agent.clone(),
                    "shop" => Principal::MerchantToken {
                        token: redress_domain::TokenId(uuid::Uuid::now_v7()),
                        merchant: shops[draw.next(shops.len())],
                    },
                    _ => buyer(buyers[draw.next(buyers.len())]),
                };
                let reason = (asker == "agent, by reason").then(|| {
                    let reasons = redress_domain::vocabulary::Reason::ALL;
                    reasons[draw.next(reasons.len())].as_str().to_owned()
                });
                let t = Instant::now();
                let page = app.search(&who, SearchRequest { q: (*q).into(), reason, ..Default::default() }).await?;
                latencies.push(t.elapsed());
                hits = hits.max(page.items.len());
            }
            latencies.sort();
            let figures = [at(&latencies, 0.5), at(&latencies, 0.95), at(&latencies, 0.99)];
            let label = format!("{name} ({asker})");
            println!(
                "| {label:<37} | {:>4} | {hits:>9} | {:>6.1} | {:>6.1} | {:>6.1} |",
                latencies.len(),
                figures[0],
                figures[1],
                figures[2]
            );
            if run == 1 {
                rows.push((label, Vec::new()));
            }
            rows[r].1.push(figures);
            all.extend(latencies);
        }
        all.sort();
        println!(
            "all searches: n {}, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
            all.len(),
            at(&all, 0.5),
            at(&all, 0.95),
            at(&all, 0.99)
        );
    }
    println!("\nmedian of {} runs", args.runs);
    println!("| query (asker)                         | p50 ms | p95 ms | p99 ms |");
    println!("|---------------------------------------|--------|--------|--------|");
    for (label, runs) in rows {
        let median = |i: usize| {
            let mut v: Vec<f64> = runs.iter().map(|f| f[i]).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!("| {label:<37} | {:>6.1} | {:>6.1} | {:>6.1} |", median(0), median(1), median(2));
    }
    Ok(())
}

fn buyer(id: UserId) -> Principal {
    Principal::User(User {
        id,
        login: "b".into(),
        display_name: "b".into(),
        role: Role::Buyer,
        merchant_id: None,
        phone: None,
        email: None,
        address: None,
    })
}
