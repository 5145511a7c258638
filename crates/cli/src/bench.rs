//! `redress bench seed|sweep` (hidden): a realistic large data set, and the deadline sweep over
//! it, for the figures in docs/performance.md.

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::{SignedDuration, Timestamp};
use redress_app::App;
use redress_app::Role;
use redress_app::ports::User;
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::order::{LineItem, Merchant, Order, OrderHistory};
use redress_domain::vocabulary::{Reason, RequestKind, SalesChannel};
use redress_domain::{Actor, CaseId, MerchantId, Money, OrderId, UserId};
use redress_store::seed::SeedBatch;
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand)]
pub enum Bench {
    /// Add CASES open cases to the database, each on an order of its own (shops, their staff and
    /// buyers too), written a large transaction at a time by the statements filing uses. DUE of
    /// them were filed three days ago, so their merchant's 48-hour deadline has passed; the
    /// others were filed over the last 20 hours.
    Seed {
        #[arg(long)]
        cases: usize,
        #[arg(long, default_value_t = 0)]
        due: usize,
        #[arg(long, default_value_t = 100)]
        shops: usize,
        /// Cases a buyer has filed.
        #[arg(long, default_value_t = 10)]
        cases_per_buyer: usize,
        /// Cases per transaction.
        #[arg(long, default_value_t = 5000)]
        batch: usize,
    },
    /// Run the deadline sweep until nothing is due; print how many deadlines fired and how long
    /// it took.
    Sweep,
}

pub async fn run(app: App, command: Bench, database_url: &str) -> anyhow::Result<()> {
    match command {
        Bench::Seed { cases, due, shops, cases_per_buyer, batch } => {
            anyhow::ensure!(due <= cases && shops > 0 && cases_per_buyer > 0 && batch > 0, "nothing sensible to seed");
            seed(app, database_url, Plan { cases, due, shops, cases_per_buyer, batch }).await
        }
        Bench::Sweep => sweep(app).await,
    }
}

#[derive(Clone, Copy)]
struct Plan {
    cases: usize,
    due: usize,
    shops: usize,
    cases_per_buyer: usize,
    batch: usize,
}

async fn seed(app: App, database_url: &str, plan: Plan) -> anyhow::Result<()> {
    let started = Instant::now();
    let now = app.clock.now();
    let (version, policy) = app.store.policy_in_force(now).await?.context("no policy in force")?;
    // A run tag keeps logins and order numbers unique when a database is seeded twice.
    let run = uuid::Uuid::now_v7().simple().to_string()[20..].to_owned();
    let password_hash = redress_app::auth::hash_password("seed-pass")?;
    let mut shops = Vec::with_capacity(plan.shops);
    for s in 0..plan.shops {
        let merchant = Merchant {
            id: MerchantId(uuid::Uuid::now_v7()),
            name: format!("种子店铺{s}-{run}"),
            credit_code: "91330106MA2H3K5Q0".into(),
            address: "浙江省杭州市西湖区文三路 90 号".into(),
            phone: Some("0571-88886666".into()),
        };
        app.store.insert_merchant(&merchant, now).await?;
        shops.push(merchant.id);
    }
    let buyers: Vec<UserId> =
        (0..plan.cases.div_ceil(plan.cases_per_buyer)).map(|_| UserId(uuid::Uuid::now_v7())).collect();
    let (loader, at_once) = redress_store::seed::bulk_loader(database_url).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<SeedBatch>(at_once + 1);
    // Building the cases (decide, the hash input, JSON) runs beside the writing.
    let builder = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut first = 0;
            while first < plan.cases {
                let last = (first + plan.batch).min(plan.cases);
                let batch = build_batch(
                    &app,
                    &plan,
                    &shops,
                    &buyers,
                    &run,
                    &password_hash,
                    version,
                    &policy,
                    now,
                    first..last,
                )?;
                if tx.blocking_send(batch).is_err() {
                    break;
                }
                first = last;
            }
            Ok(())
        })
    };
    let bar = ProgressBar::new(plan.cases as u64).with_style(ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} cases, {per_sec}, {eta} left",
    )?);
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..at_once {
        let (rx, loader, bar) = (rx.clone(), loader.clone(), bar.clone());
        writers.spawn(async move {
            loop {
                let Some(batch) = rx.lock().await.recv().await else { return Ok::<_, anyhow::Error>(()) };
                loader.load(&batch).await?;
                bar.inc(batch.cases.len() as u64);
            }
        });
    }
    while let Some(done) = writers.join_next().await {
        done??;
    }
    builder.await??;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {} cases ({} due) on {} orders, {} buyers, {} shops in {secs:.1} s ({:.0} cases/s)",
        plan.cases,
        plan.due,
        plan.cases,
        plan.cases.div_ceil(plan.cases_per_buyer),
        plan.shops,
        plan.cases as f64 / secs
    );
    Ok(())
}

/// Cases `range` of the plan, with the buyers first met in it, their orders, and the cases as
/// filing decides them at their filing time.
#[allow(clippy::too_many_arguments)]
fn build_batch(
    app: &App,
    plan: &Plan,
    shops: &[MerchantId],
    buyers: &[UserId],
    run: &str,
    password_hash: &str,
    policy_version: i64,
    policy: &redress_domain::Policy,
    now: Timestamp,
    range: std::ops::Range<usize>,
) -> anyhow::Result<SeedBatch> {
    let mut batch = SeedBatch {
        users: Vec::new(),
        password_hash: password_hash.to_owned(),
        orders: Vec::with_capacity(range.len()),
        cases: Vec::with_capacity(range.len()),
        at: now,
    };
    for i in range {
        // A buyer's account is written with their first case.
        let b = i / plan.cases_per_buyer;
        let buyer_id = buyers[b];
        if i % plan.cases_per_buyer == 0 {
            batch.users.push(buyer_account(buyer_id, b, run));
        }
        // The due ones three days ago (their 48-hour deadline passed a day ago); the others over
        // the last 20 hours, spread out.
        let filed_at = if i < plan.due {
            now - SignedDuration::from_hours(72) - SignedDuration::from_millis(i as i64)
        } else {
            now - SignedDuration::from_millis(((i as i64) * 7_919) % (20 * 3_600_000)) - SignedDuration::from_secs(1)
        };
        let order = seed_order(i, run, shops[i % shops.len()], buyer_id, filed_at);
        let request = FileCase {
            kind: if i % 3 == 0 { RequestKind::ReturnRefund } else { RequestKind::RefundOnly },
            reason: Reason::QualityDefect,
            items: vec![ItemRef { sku: "SKU-EAR-1".into(), quantity: 1 }],
            amount: Money::from_fen(39_900),
            description: "耳机左耳无声，已尝试重新配对和充电，仍然没有声音。".into(),
        };
        let env = redress_domain::lifecycle::Env { now: filed_at, policy, calendar: app.calendar.as_ref() };
        let (case, filed, outbox) = redress_app::cases::new_case(
            CaseId(uuid::Uuid::now_v7()),
            &request,
            &order,
            &OrderHistory::default(),
            policy_version,
            Actor::Buyer { user: buyer_id },
            &env,
        )
        .map_err(|e| anyhow::anyhow!("case {i} not filed: {e}"))?;
        batch.orders.push(order);
        batch.cases.push((case, filed, outbox));
    }
    Ok(batch)
}

fn buyer_account(id: UserId, b: usize, run: &str) -> User {
    User {
        id,
        login: format!("seed-{run}-buyer-{b}"),
        display_name: format!("买家{b}"),
        role: Role::Buyer,
        merchant_id: None,
        phone: Some(format!("138{:08}", b % 100_000_000)),
        email: None,
        address: Some("上海市浦东新区世纪大道 100 号".into()),
    }
}

fn seed_order(i: usize, run: &str, merchant_id: MerchantId, buyer_id: UserId, filed_at: Timestamp) -> Order {
    let paid_at = filed_at - SignedDuration::from_hours(96);
    Order {
        id: OrderId(uuid::Uuid::now_v7()),
        number: format!("SEED-{run}-{i}"),
        merchant_id,
        buyer_id,
        channel: SalesChannel::ChannelsShop,
        items: vec![LineItem {
            sku: "SKU-EAR-1".into(),
            title: "无线蓝牙耳机 入耳式 降噪".into(),
            quantity: 1,
            unit_price: Money::from_fen(39_900),
            law: Default::default(),
        }],
        amount_paid: Money::from_fen(39_900),
        freight: Money::ZERO,
        payment_transaction_id: Some(format!("4200001{i:012}")),
        paid_at: Some(paid_at),
        shipped_at: Some(paid_at + SignedDuration::from_hours(24)),
        signed_at: Some(paid_at + SignedDuration::from_hours(72)),
        created_at: paid_at,
    }
}

/// Sweeps until nothing is due, as the worker does each pass.
async fn sweep(app: App) -> anyhow::Result<()> {
    let worker = redress_worker::Worker::new(app);
    let started = Instant::now();
    let (mut fired, mut refused, mut passes) = (0, 0, 0);
    loop {
        let (f, r) = worker.sweep_deadlines().await?;
        passes += 1;
        if passes == 1 {
            println!("first pass: {f} fired in {:.3} s", started.elapsed().as_secs_f64());
        }
        if f + r == 0 {
            break;
        }
        fired += f;
        refused += r;
    }
    println!(
        "sweep: {fired} deadlines fired, {refused} refused, in {:.3} s ({passes} passes)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
