//! The contract suite's runner: every story is written once against `Arc<dyn Store>` and run on a
//! fresh SQLite file and (when `REDRESS_TEST_POSTGRES_URL` is set) a fresh PostgreSQL database.
//! It also builds an `App` over the store, with a manual clock, the ledger gateway and the
//! embedded business calendar, the way the web harness does.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use redress_app::clock::ManualClock;
use redress_app::ports::User;
use redress_app::{App, Principal, Role, Store};
use redress_domain::order::{LineItem, Merchant, Order};
use redress_domain::vocabulary::SalesChannel;
use redress_domain::{MerchantId, Money, OrderId, UserId};
use sqlx::{Connection, Executor};
use std::future::Future;
use std::sync::Arc;

/// Monday 2026-03-02 09:00 in Shanghai: a working day well inside the embedded calendar.
/// Sub-microsecond parts on purpose: a real clock has them, and whole seconds hide precision bugs.
pub const START: &str = "2026-03-02T01:00:00.123456789Z";

const PG_URL_VAR: &str = "REDRESS_TEST_POSTGRES_URL";

/// A fresh, migrated database that one story owns.
pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    pub store: Arc<dyn Store>,
    raw: Raw,
    _dir: Option<tempfile::TempDir>,
}

/// A plain sqlx pool on the same database, for what no port offers: counting rows, tampering.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl TestDb {
    /// A second, independent store (its own connection pool) on the same database: what a
    /// second server or worker process would have.
    pub async fn another_store(&self) -> Arc<dyn Store> {
        redress_store::connect(&self.url).await.expect("second store")
    }

    /// `sqlite` or `postgres`, whichever this database is: a statement written outside the store
    /// that puts text into a column spells the conversion to PostgreSQL's native type
    /// (`uuid`, `timestamptz`, `jsonb`).
    pub fn either(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self.raw {
            Raw::Sqlite(_) => sqlite,
            Raw::Postgres(_) => postgres,
        }
    }

    /// Runs a statement with text parameters outside the store; returns the rows it touched.
    pub async fn execute(&self, sql: &'static str, args: &[&str]) -> u64 {
        match &self.raw {
            Raw::Sqlite(pool) => {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = q.bind(a.to_string());
                }
                q.execute(pool).await.expect(sql).rows_affected()
            }
            Raw::Postgres(pool) => {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = q.bind(a.to_string());
                }
                q.execute(pool).await.expect(sql).rows_affected()
            }
        }
    }

    /// A `SELECT COUNT(*) ...` with text parameters.
    pub async fn count(&self, sql: &'static str, args: &[&str]) -> i64 {
        match &self.raw {
            Raw::Sqlite(pool) => {
                let mut q = sqlx::query_scalar::<_, i64>(sql);
                for a in args {
                    q = q.bind(a.to_string());
                }
                q.fetch_one(pool).await.expect(sql)
            }
            Raw::Postgres(pool) => {
                let mut q = sqlx::query_scalar::<_, i64>(sql);
                for a in args {
                    q = q.bind(a.to_string());
                }
                q.fetch_one(pool).await.expect(sql)
            }
        }
    }
}

/// Runs a story on a fresh SQLite file in a temporary directory.
pub async fn run_sqlite<F, Fut>(story: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("redress.db").display());
    redress_store::migrate(&url).await.expect("migrate sqlite");
    let store = redress_store::connect(&url).await.expect("connect sqlite");
    let raw = sqlx::SqlitePool::connect_with(
        url.parse::<sqlx::sqlite::SqliteConnectOptions>()
            .expect("sqlite url")
            .busy_timeout(std::time::Duration::from_secs(30)),
    )
    .await
    .expect("raw sqlite pool");
    let db = TestDb { backend: "sqlite", url, store, raw: Raw::Sqlite(raw), _dir: Some(dir) };
    finish(tokio::spawn(story(db)).await);
}

/// Runs a story on a fresh PostgreSQL database created next to `REDRESS_TEST_POSTGRES_URL`, and
/// drops that database afterwards (also when the story failed). Without the URL, the story is
/// skipped with a note, unless CI (`CI` set, or `REDRESS_REQUIRE_POSTGRES=1`) asked for it.
pub async fn run_postgres<F, Fut>(name: &str, story: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_empty_postgres(name, |url| async move {
        redress_store::migrate(&url).await.expect("migrate postgres");
        let store: Arc<dyn Store> = Arc::new(redress_store::PgStore::connect(&url).await.expect("connect postgres"));
        let raw = sqlx::PgPool::connect(&url).await.expect("raw postgres pool");
        story(TestDb { backend: "postgres", url, store, raw: Raw::Postgres(raw), _dir: None }).await
    })
    .await
}

/// Runs `story` with the URL of a fresh, empty PostgreSQL database (no migrations), dropped
/// afterwards; skipped like `run_postgres` without a server.
pub async fn run_on_empty_postgres<F, Fut>(name: &str, story: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin_url) = postgres_url(name) else {
        return;
    };
    let db_name = format!("redress_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to {PG_URL_VAR}={admin_url}: {e}"));
    admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db_name}"))).await.expect("create test database");
    let result = tokio::spawn(story(with_database(&admin_url, &db_name))).await;
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")))
        .await
        .expect("drop test database");
    finish(result);
}

fn finish(result: Result<(), tokio::task::JoinError>) {
    if let Err(e) = result {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("story did not finish: {e}"),
        }
    }
}

fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let required =
                std::env::var_os("CI").is_some() || std::env::var("REDRESS_REQUIRE_POSTGRES").as_deref() == Ok("1");
            if required {
                panic!(
                    "CI asked for the PostgreSQL contract tests (CI or REDRESS_REQUIRE_POSTGRES=1 is set) \
                     but {PG_URL_VAR} is not: set it to e.g. postgres://postgres@127.0.0.1:55432/postgres"
                );
            }
            redress_store::skipped::note(test, &format!("{PG_URL_VAR} is not set"));
            None
        }
    }
}

/// The same server URL naming another database.
fn with_database(url: &str, db: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let authority = head.find("://").map_or(0, |i| i + 3);
    let base = match head[authority..].find('/') {
        Some(slash) => &head[..authority + slash],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Defines `sqlite_<story>` and `postgres_<story>` tests for each story function.
macro_rules! contract {
    ($($story:ident => $sqlite:ident, $postgres:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $sqlite() {
                support::run_sqlite($story).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $postgres() {
                support::run_postgres(stringify!($postgres), $story).await;
            }
        )*
    };
}
pub(crate) use contract;

/// An `App` over a store, as the server and worker assemble it, with a manual clock.
pub struct World {
    pub app: App,
    pub clock: Arc<ManualClock>,
    /// Evidence files of this world, removed with it.
    _blobs_dir: Arc<tempfile::TempDir>,
}

impl World {
    pub async fn new(store: Arc<dyn Store>) -> World {
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let world = World::with_clock(store, clock);
        world.app.ensure_policy().await.expect("policy");
        world
    }

    /// Another app (another process) on `store`, sharing this world's clock.
    pub fn with_clock(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> World {
        let blobs_dir = Arc::new(tempfile::tempdir().expect("blobs dir"));
        let blobs = redress_store::blobs::ObjectBlobs::local(blobs_dir.path()).expect("local blobs");
        let app = App::new(store, clock.clone(), Arc::new(blobs));
        World { app, clock, _blobs_dir: blobs_dir }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.app.store
    }

    pub fn now(&self) -> Timestamp {
        self.app.clock.now()
    }

    pub fn advance_hours(&self, hours: i64) {
        self.clock.advance(SignedDuration::from_hours(hours));
    }

    pub async fn merchant(&self, name: &str) -> MerchantId {
        let merchant = merchant(name);
        self.store().insert_merchant(&merchant, self.now()).await.unwrap();
        merchant.id
    }

    pub async fn user(&self, login: &str, role: Role, merchant: Option<MerchantId>) -> Principal {
        let user = user(login, role, merchant);
        self.store().insert_user(&user, "not-a-real-hash", self.now()).await.unwrap();
        Principal::User(user)
    }

    /// A paid and signed-for order: one pair of earbuds at ¥399.
    pub async fn order(&self, number: &str, merchant: MerchantId, buyer: UserId) -> Order {
        let order = order(number, merchant, buyer, self.now());
        self.store().insert_order(&order).await.unwrap();
        order
    }
}

/// A shop, its staff account and a buyer: the cast of most stories.
pub struct Cast {
    pub shop: MerchantId,
    pub buyer: Principal,
    pub staff: Principal,
}

impl Cast {
    pub async fn new(world: &World) -> Cast {
        let shop = world.merchant("山海数码旗舰店").await;
        Cast {
            shop,
            buyer: world.user("buyer", Role::Buyer, None).await,
            staff: world.user("shop", Role::Merchant, Some(shop)).await,
        }
    }

    pub fn buyer_id(&self) -> UserId {
        self.buyer.user_id().unwrap()
    }
}

pub fn merchant(name: &str) -> Merchant {
    Merchant {
        id: MerchantId(uuid::Uuid::now_v7()),
        name: name.into(),
        credit_code: "91330106MA2H3K5Q0X".into(),
        address: "杭州市西湖区".into(),
        phone: None,
    }
}

pub fn user(login: &str, role: Role, merchant: Option<MerchantId>) -> User {
    User {
        id: UserId(uuid::Uuid::now_v7()),
        login: login.into(),
        display_name: login.into(),
        role,
        merchant_id: merchant,
        phone: Some("13812341234".into()),
        address: Some("上海市浦东新区".into()),
        email: None,
    }
}

pub fn order(number: &str, merchant: MerchantId, buyer: UserId, now: Timestamp) -> Order {
    let signed = now.checked_sub(SignedDuration::from_hours(24)).unwrap();
    Order {
        id: OrderId(uuid::Uuid::now_v7()),
        number: number.into(),
        merchant_id: merchant,
        buyer_id: buyer,
        channel: SalesChannel::ChannelsShop,
        items: vec![LineItem {
            sku: "EB-PRO-2".into(),
            title: "降噪蓝牙耳机".into(),
            quantity: 1,
            unit_price: Money::from_fen(39900),
            law: Default::default(),
        }],
        amount_paid: Money::from_fen(39900),
        freight: Money::ZERO,
        payment_transaction_id: Some("4200001234".into()),
        paid_at: Some(signed),
        shipped_at: Some(signed),
        signed_at: Some(signed),
        created_at: now,
    }
}

/// A refund-only request for the whole order.
pub fn refund_request(amount: i64) -> redress_domain::command::FileCase {
    use redress_domain::case::ItemRef;
    use redress_domain::vocabulary::{Reason, RequestKind};
    redress_domain::command::FileCase {
        kind: RequestKind::RefundOnly,
        reason: Reason::QualityDefect,
        items: vec![ItemRef { sku: "EB-PRO-2".into(), quantity: 1 }],
        amount: Money::from_fen(amount),
        description: "3月1日签收,当天发现左耳无声,要求退款。".into(),
    }
}
