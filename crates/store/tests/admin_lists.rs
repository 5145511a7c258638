//! The admin's lists of shops and accounts on both databases: newest first, paged by id.

mod support;

use redress_app::Role;
use support::{TestDb, World};

support::contract! {
    shops_and_accounts_are_listed_newest_first => sqlite_shops_and_accounts_are_listed_newest_first, postgres_shops_and_accounts_are_listed_newest_first;
}

async fn shops_and_accounts_are_listed_newest_first(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store();
    let mut shops = Vec::new();
    let mut people = Vec::new();
    for n in 0..5 {
        let shop = world.merchant(&format!("店铺{n}")).await;
        shops.push(shop);
        people.push(world.user(&format!("staff{n}"), Role::Merchant, Some(shop)).await.user_id().unwrap());
    }
    shops.reverse();
    people.reverse();
    let listed: Vec<_> = store.list_merchants(None, 10).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(listed, shops);
    let page = store.list_merchants(Some(shops[1]), 2).await.unwrap();
    assert_eq!(page.iter().map(|m| m.id).collect::<Vec<_>>(), shops[2..4]);
    assert_eq!(page[0].name, "店铺2");

    let listed: Vec<_> = store.list_users(None, 10).await.unwrap().iter().map(|u| u.id).collect();
    assert_eq!(listed, people);
    let page = store.list_users(Some(people[3]), 10).await.unwrap();
    assert_eq!(page.iter().map(|u| u.login.as_str()).collect::<Vec<_>>(), ["staff0"]);
    assert_eq!(page[0].merchant_id, Some(shops[4]));
}
