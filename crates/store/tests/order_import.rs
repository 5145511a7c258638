//! Orders imported in batches on both databases: idempotent on the natural key (shop, number),
//! one transaction per batch; and the SQLite migration that made numbers unique per shop keeps
//! every order and every case that refers to one.

mod support;

use redress_app::orders::{Imported, NewOrder};
use redress_app::ports::OrderInsert;
use redress_domain::order::Order;
use support::{Cast, TestDb, World};

support::contract! {
    orders_insert_idempotently_per_shop => sqlite_orders_insert_idempotently_per_shop, postgres_orders_insert_idempotently_per_shop;
    an_import_of_many_orders_is_idempotent => sqlite_an_import_of_many_orders_is_idempotent, postgres_an_import_of_many_orders_is_idempotent;
}

/// The store's batch insert: an order whose shop already has its number is not written, and
/// the one stored is returned; another shop may use the same number.
async fn orders_insert_idempotently_per_shop(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let other_shop = world.merchant("别家小店").await;
    let store = world.store();
    let order = |number: &str, shop| support::order(number, shop, cast.buyer_id(), world.now());
    let (a, b) = (order("IM-1", cast.shop), order("IM-2", cast.shop));
    assert_eq!(
        store.insert_orders(&[a.clone(), b.clone()]).await.unwrap(),
        [OrderInsert::Inserted, OrderInsert::Inserted]
    );

    let (a_again, c, c_twice) = (order("IM-1", cast.shop), order("IM-3", cast.shop), order("IM-3", cast.shop));
    let elsewhere = order("IM-1", other_shop);
    let outcomes = store.insert_orders(&[a_again.clone(), c.clone(), c_twice, elsewhere.clone()]).await.unwrap();
    assert_eq!(
        outcomes,
        [
            OrderInsert::Existing(Box::new(a.clone())),
            OrderInsert::Inserted,
            OrderInsert::Existing(Box::new(c.clone())),
            OrderInsert::Inserted
        ]
    );
    assert!(store.order(a_again.id).await.unwrap().is_none(), "the second IM-1 of the shop was not written");
    assert_eq!(store.order(elsewhere.id).await.unwrap(), Some(elsewhere));
    assert_eq!(db.count("SELECT COUNT(*) FROM orders", &[]).await, 4);
    // The single insert keeps refusing a number the shop already has.
    let err = store.insert_order(&order("IM-2", cast.shop)).await.unwrap_err();
    assert!(matches!(err, redress_app::StoreError::Duplicate(_)), "{err:?}");
    assert!(store.insert_orders(&[]).await.unwrap().is_empty());
}

/// 1,500 orders through the use case, in three calls of the largest batch, then again: the
/// second run creates nothing and finds every one.
async fn an_import_of_many_orders_is_idempotent(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let new = |i: usize| -> NewOrder {
        let order: Order = support::order(&format!("BULK-{i:05}"), cast.shop, cast.buyer_id(), world.now());
        // What a shop sends: the order without the id and time the platform gives it.
        let mut sent = serde_json::to_value(order).unwrap();
        sent.as_object_mut().unwrap().retain(|field, _| !["id", "created_at"].contains(&field.as_str()));
        serde_json::from_value(sent).unwrap()
    };
    let orders: Vec<NewOrder> = (0..1500).map(new).collect();
    let tally = |outcomes: Vec<Imported>, counts: &mut [usize; 3]| {
        for outcome in outcomes {
            counts[match outcome {
                Imported::Created(_) => 0,
                Imported::AlreadyPresent(_) => 1,
                Imported::Refused(r) => panic!("refused: {r:?}"),
            }] += 1;
        }
    };
    for expected in [[1500, 0, 0], [0, 1500, 0]] {
        let mut counts = [0; 3];
        for chunk in orders.chunks(redress_app::orders::MAX_BATCH) {
            let batch = chunk.iter().cloned().map(Ok).collect();
            tally(world.app.import_orders(None, batch).await.unwrap(), &mut counts);
        }
        assert_eq!(counts, expected);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM orders", &[]).await, 1500);
}

/// SQLite rebuilds `orders` to drop the global unique number: a database with an order and a
/// case on it, migrated from the version before, keeps both, and the case still must name an
/// order that exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_per_shop_migration_keeps_orders_and_their_cases() {
    let dir = tempfile::tempdir().unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut names: Vec<String> =
        std::fs::read_dir(&all).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let ours = names.iter().position(|n| n.ends_with("_order_number_per_shop.sql")).expect("the migration");
    let before = dir.path().join("before");
    std::fs::create_dir(&before).unwrap();
    for name in &names[..ours] {
        std::fs::copy(all.join(name), before.join(name)).unwrap();
    }
    let url = format!("sqlite://{}", dir.path().join("redress.db").display());
    let options = url.parse::<sqlx::sqlite::SqliteConnectOptions>().unwrap().create_if_missing(true).foreign_keys(true);
    let raw = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(before.as_path()).await.unwrap().run(&raw).await.unwrap();

    // The data is made by today's code in a fully migrated database and copied into the old
    // schema, column by column as far as the old tables have them: today's code writes tables
    // and columns that later migrations add, so it cannot write the old schema itself.
    let made_url = format!("sqlite://{}", dir.path().join("made.db").display());
    redress_store::migrate(&made_url).await.unwrap();
    let world = World::new(redress_store::connect(&made_url).await.unwrap()).await;
    let cast = Cast::new(&world).await;
    let order = world.order("OLD-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, support::refund_request(39900), order.id).await.unwrap();
    let mut old = raw.acquire().await.unwrap();
    sqlx::query("ATTACH DATABASE $1 AS made")
        .bind(dir.path().join("made.db").display().to_string())
        .execute(&mut *old)
        .await
        .unwrap();
    for table in ["merchants", "users", "orders", "policy_versions", "cases", "case_events"] {
        let columns: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_table_info($1)").bind(table).fetch_all(&mut *old).await.unwrap();
        let columns = columns.into_iter().map(|(c,)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        // Table and column names from the schema itself, not from input.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO main.{table} ({columns}) SELECT {columns} FROM made.{table}"
        )))
        .execute(&mut *old)
        .await
        .unwrap();
    }
    sqlx::query("DETACH DATABASE made").execute(&mut *old).await.unwrap();
    drop(old);

    redress_store::migrate(&url).await.unwrap();
    let store = redress_store::connect(&url).await.unwrap();
    assert_eq!(store.order(order.id).await.unwrap(), Some(order.clone()));
    assert_eq!(store.case(case.id).await.unwrap().map(|c| c.case.order_id), Some(order.id));
    let broken: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&raw).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let orphan = sqlx::query("UPDATE cases SET order_id = 'no-such-order' WHERE id = $1")
        .bind(case.id.to_string())
        .execute(&raw)
        .await;
    assert!(orphan.is_err(), "cases still refer to orders");
    let other_shop = World::new(store.clone()).await.merchant("别家小店").await;
    let same_number = support::order("OLD-1", other_shop, cast.buyer_id(), world.now());
    assert_eq!(store.insert_orders(&[same_number]).await.unwrap(), [OrderInsert::Inserted]);
}
