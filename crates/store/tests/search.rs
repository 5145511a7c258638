//! Full-text search, repeat complaints and similar cases on both databases (issue 13): Chinese
//! words of two characters, words inside longer dictionary words, English words and phrases find
//! the right cases, the best match comes first, and nobody finds a case they may not see.

mod support;

use redress_app::search::{SearchRequest, Similarity, buyer_word, shop_word};
use redress_app::{AppError, Principal, Role};
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{Case, CaseId, Command, Money};
use support::{Cast, TestDb, World};

support::contract! {
    search_finds_what_people_wrote => sqlite_search_finds_what_people_wrote, postgres_search_finds_what_people_wrote;
    older_cases_are_indexed_by_reindex => sqlite_older_cases_are_indexed_by_reindex, postgres_older_cases_are_indexed_by_reindex;
    repeats_are_counted_and_similar_cases_shown => sqlite_repeats_are_counted_and_similar_cases_shown, postgres_repeats_are_counted_and_similar_cases_shown;
    tied_matches_page_once_in_order => sqlite_tied_matches_page_once_in_order, postgres_tied_matches_page_once_in_order;
    typed_scope_words_widen_nothing => sqlite_typed_scope_words_widen_nothing, postgres_typed_scope_words_widen_nothing;
    older_documents_get_scope_words => sqlite_older_documents_get_scope_words, postgres_older_documents_get_scope_words;
    plain_queries_rank_the_newest_block_first => sqlite_plain_queries_rank_the_newest_block_first, postgres_plain_queries_rank_the_newest_block_first;
    filtered_queries_read_the_newest_matches_in_blocks => sqlite_filtered_queries_read_the_newest_matches_in_blocks, postgres_filtered_queries_read_the_newest_matches_in_blocks;
}

/// Documents whose indexed words hold `$1` as a word.
const HOLDING: &str = "SELECT COUNT(*) FROM case_texts WHERE ' ' || words || ' ' LIKE '% ' || $1 || ' %'";

fn request(reason: Reason, description: &str) -> FileCase {
    FileCase {
        kind: RequestKind::RefundOnly,
        reason,
        items: vec![ItemRef { sku: "EB-PRO-2".into(), quantity: 1 }],
        amount: Money::from_fen(10000),
        description: description.into(),
    }
}

async fn search(world: &World, who: &Principal, q: &str) -> Vec<CaseId> {
    let page = world.app.search(who, SearchRequest { q: q.into(), ..Default::default() }).await.unwrap();
    page.items.iter().map(|h| h.case.id).collect()
}

/// Four cases on two shops and two buyers, with texts in Chinese and English.
struct Scene {
    world: World,
    cast: Cast,
    other_buyer: Principal,
    other_staff: Principal,
    agent: Principal,
    /// 假货 three times (description and a message), reason counterfeit.
    fake: Case,
    /// 仅退款 in the description; a message about the parcel.
    refund_only: Case,
    /// The other buyer at the other shop: English, and 假货 once.
    cracked: Case,
    /// 退货退款 and 运费险; withdrawn (closed).
    returned: Case,
}

impl Scene {
    async fn new(db: &TestDb) -> Scene {
        let world = World::new(db.store.clone()).await;
        let cast = Cast::new(&world).await;
        let other_shop = world.merchant("星河电器").await;
        let other_buyer = world.user("other-buyer", Role::Buyer, None).await;
        let other_staff = world.user("other-shop", Role::Merchant, Some(other_shop)).await;
        let agent = world.user("agent", Role::Agent, None).await;
        let app = &world.app;
        let buyer = cast.buyer_id();
        let file = |who: &Principal, order, reason, text: &str| {
            let (who, text) = (who.clone(), text.to_owned());
            async move { app.file_case(&who, request(reason, &text), order).await.unwrap() }
        };
        let order = world.order("SH-S-1", cast.shop, buyer).await;
        let fake = file(&cast.buyer, order.id, Reason::Counterfeit, "收到的耳机是假货，包装简陋，没有防伪码。").await;
        let say = |text: &str| Command::Message { text: text.into(), evidence: vec![] };
        app.act(&cast.buyer, fake.id, say("假货！商家卖假货")).await.unwrap();
        let order = world.order("SH-S-2", cast.shop, buyer).await;
        let refund_only = file(&cast.buyer, order.id, Reason::QualityDefect, "耳机左耳没有声音，申请仅退款。").await;
        app.act(&cast.staff, refund_only.id, say("快递员说包裹丢了")).await.unwrap();
        let order = world.order("SH-S-3", other_shop, other_buyer.user_id().unwrap()).await;
        let cracked = file(
            &other_buyer,
            order.id,
            Reason::QualityDefect,
            "The screen cracked on arrival, I want a refund. 怀疑是假货",
        )
        .await;
        let order = world.order("SH-S-4", cast.shop, buyer).await;
        let returned =
            file(&cast.buyer, order.id, Reason::NoReason7Day, "七天无理由，申请退货退款，运费险已经理赔。").await;
        app.act(&cast.buyer, returned.id, Command::Withdraw).await.unwrap();
        Scene { world, cast, other_buyer, other_staff, agent, fake, refund_only, cracked, returned }
    }
}

async fn search_finds_what_people_wrote(db: TestDb) {
    let s = Scene::new(&db).await;
    let (w, agent) = (&s.world, &s.agent);

    // Two-character words, the best match first: three times before once.
    assert_eq!(search(w, agent, "假货").await, [s.fake.id, s.cracked.id]);
    // A word inside longer dictionary words (仅退款, 退货退款).
    let mut refunds = search(w, agent, "退款").await;
    refunds.sort();
    let mut expected = vec![s.refund_only.id, s.returned.id];
    expected.sort();
    assert_eq!(refunds, expected);
    // Whole domain words, messages and the shop's name.
    assert_eq!(search(w, agent, "运费险").await, [s.returned.id]);
    assert_eq!(search(w, agent, "七天无理由").await, [s.returned.id]);
    assert_eq!(search(w, agent, "包裹").await, [s.refund_only.id]);
    assert_eq!(search(w, agent, "星河电器").await, [s.cracked.id]);
    // English words, any case; a phrase only in its order; every word must match.
    assert_eq!(search(w, agent, "REFUND").await, [s.cracked.id]);
    assert_eq!(search(w, agent, "\"screen cracked\"").await, [s.cracked.id]);
    assert_eq!(search(w, agent, "\"cracked screen\"").await, Vec::<CaseId>::new());
    assert_eq!(search(w, agent, "假货 screen").await, [s.cracked.id]);

    // Nobody finds what they may not see.
    assert_eq!(search(w, &s.cast.buyer, "假货").await, [s.fake.id]);
    assert_eq!(search(w, &s.other_buyer, "假货").await, [s.cracked.id]);
    assert_eq!(search(w, &s.cast.staff, "假货").await, [s.fake.id]);
    assert_eq!(search(w, &s.other_staff, "耳机").await, [s.cracked.id]);
    assert_eq!(search(w, &s.other_staff, "假货").await, [s.cracked.id]);
    let foreign_shop = SearchRequest { q: "假货".into(), shop: Some(s.cast.shop), ..Default::default() };
    assert!(w.app.search(&s.other_staff, foreign_shop).await.unwrap().items.is_empty());

    // Filters.
    let filtered = |f: SearchRequest| async move {
        let page = w.app.search(agent, SearchRequest { q: "耳机".into(), ..f }).await.unwrap();
        page.items.iter().map(|h| h.case.id).collect::<Vec<_>>()
    };
    assert_eq!(filtered(SearchRequest { reason: Some("counterfeit".into()), ..Default::default() }).await, [s.fake.id]);
    assert_eq!(filtered(SearchRequest { state: Some("closed".into()), ..Default::default() }).await, [s.returned.id]);
    assert_eq!(filtered(SearchRequest { shop: Some(s.cast.shop), ..Default::default() }).await.len(), 3);
    let later = w.now().checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    assert!(filtered(SearchRequest { filed_from: Some(later), ..Default::default() }).await.is_empty());
    assert!(filtered(SearchRequest { overdue: true, ..Default::default() }).await.is_empty());
    w.clock.advance(jiff::SignedDuration::from_hours(24 * 30));
    assert_eq!(filtered(SearchRequest { overdue: true, ..Default::default() }).await.len(), 3);
    // A shop's search with a filter besides its scope.
    let closed = SearchRequest { q: "耳机".into(), state: Some("closed".into()), ..Default::default() };
    let page = w.app.search(&s.cast.staff, closed.clone()).await.unwrap();
    assert_eq!(page.items.iter().map(|h| h.case.id).collect::<Vec<_>>(), [s.returned.id]);
    assert!(w.app.search(&s.other_staff, closed).await.unwrap().items.is_empty());
    let bad = SearchRequest { q: "耳机".into(), reason: Some("bored".into()), ..Default::default() };
    assert!(matches!(w.app.search(agent, bad).await, Err(AppError::Invalid(_))));

    // Snippets mark the words found.
    let page = w.app.search(agent, SearchRequest { q: "假货".into(), ..Default::default() }).await.unwrap();
    assert!(page.items[0].snippet.iter().any(|p| p.mark && p.text == "假货"), "{:?}", page.items[0].snippet);

    // One hit a page, in rank order, then no further page.
    assert_eq!(paged(w, agent, "假货", 1).await, [s.fake.id, s.cracked.id]);

    // A shop's and a buyer's matches are ranked apart from the index: paged one at a time they
    // come in the order of one whole page, each once.
    for who in [&s.cast.staff, &s.cast.buyer] {
        let whole = search(w, who, "耳机").await;
        assert!(!whole.is_empty());
        assert_eq!(paged(w, who, "耳机", 1).await, whole);
    }
}

/// Every page of a search, `limit` hits a page, following `next_after` to the end.
async fn paged(world: &World, who: &Principal, q: &str, limit: i64) -> Vec<CaseId> {
    let (mut found, mut after) = (Vec::new(), None);
    loop {
        let req = SearchRequest { q: q.into(), after: after.clone(), limit: Some(limit), ..Default::default() };
        let page = world.app.search(who, req).await.unwrap();
        found.extend(page.items.iter().map(|h| h.case.id));
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    found
}

/// Cases with the same text score alike: pages cut inside the tie (the page's lowest score is
/// found before any case is read) still give each case once, newer ids first.
async fn tied_matches_page_once_in_order(db: TestDb) {
    let s = Scene::new(&db).await;
    let w = &s.world;
    let mut same = Vec::new();
    for i in 0..5 {
        let order = w.order(&format!("SH-T-{i}"), s.cast.shop, s.cast.buyer_id()).await;
        same.push(
            w.app.file_case(&s.cast.buyer, request(Reason::QualityDefect, "保温杯漏水"), order.id).await.unwrap().id,
        );
    }
    same.sort_by(|a, b| b.cmp(a));
    for who in [&s.agent, &s.cast.staff, &s.cast.buyer] {
        assert_eq!(search(w, who, "保温杯").await, same);
        assert_eq!(paged(w, who, "保温杯", 2).await, same);
    }
}

async fn older_cases_are_indexed_by_reindex(db: TestDb) {
    let s = Scene::new(&db).await;
    // As if filed before search existed.
    db.execute("DELETE FROM case_texts", &[]).await;
    assert!(search(&s.world, &s.agent, "假货").await.is_empty());
    assert_eq!(s.world.app.reindex_search(false).await.unwrap(), 4);
    assert_eq!(search(&s.world, &s.agent, "假货").await, [s.fake.id, s.cracked.id]);
    assert_eq!(search(&s.world, &s.agent, "包裹").await, [s.refund_only.id]);
    // Nothing left to do; a full rebuild gives the same documents.
    assert_eq!(s.world.app.reindex_search(false).await.unwrap(), 0);
    assert_eq!(s.world.app.reindex_search(true).await.unwrap(), 4);
    assert_eq!(search(&s.world, &s.agent, "假货").await, [s.fake.id, s.cracked.id]);
    assert_eq!(db.count("SELECT COUNT(*) FROM case_texts", &[]).await, 4);
}

async fn repeats_are_counted_and_similar_cases_shown(db: TestDb) {
    let s = Scene::new(&db).await;
    let app = &s.world.app;
    // The withdrawn case's order gets a second case: a repeat.
    let returned_order = s.returned.order_id;
    let again = app.file_case(&s.cast.buyer, request(Reason::Counterfeit, "还是假货"), returned_order).await.unwrap();
    assert!(again.is_repeat);
    assert!(!s.fake.is_repeat);
    let count = app.repeat_complaints(&s.cast.staff, s.cast.shop, None, None).await.unwrap();
    assert_eq!((count.cases, count.repeats), (4, 1));
    assert_eq!(app.repeat_complaints(&s.agent, s.cast.shop, None, None).await.unwrap(), count);
    assert!(matches!(app.repeat_complaints(&s.other_staff, s.cast.shop, None, None).await, Err(AppError::NotFound)));

    // Beside the counterfeit case: the same shop's open cases on the same item, then close text
    // (the other shop's case that also says 假货). The closed case is not shown.
    let similar = app.similar_cases(&s.agent, s.fake.id).await.unwrap();
    let shown: Vec<(CaseId, Similarity)> = similar.iter().map(|c| (c.case.id, c.similarity)).collect();
    assert!(shown.contains(&(again.id, Similarity::SameItem)), "{shown:?}");
    assert!(shown.contains(&(s.refund_only.id, Similarity::SameItem)), "{shown:?}");
    assert!(shown.contains(&(s.cracked.id, Similarity::CloseText)), "{shown:?}");
    assert!(shown.iter().all(|(id, _)| *id != s.fake.id && *id != s.returned.id), "{shown:?}");
    assert!(matches!(app.similar_cases(&s.cast.buyer, s.fake.id).await, Err(AppError::Forbidden(_))));
}

/// A shop's and a buyer's searches ask the index for their scope word beside the query's. Typed
/// into another buyer's case or into a query, a scope word's text is cut apart: it puts no case
/// in another's scope and widens no search.
async fn typed_scope_words_widen_nothing(db: TestDb) {
    let s = Scene::new(&db).await;
    let w = &s.world;
    let (shop, buyer) = (shop_word(s.cast.shop), buyer_word(s.cast.buyer_id()));
    assert_eq!(db.count(HOLDING, &[&shop]).await, 3, "the shop's three cases");
    assert_eq!(db.count(HOLDING, &[&buyer]).await, 3, "the buyer's three cases");
    let message = Command::Message { text: format!("screen {shop} {}", buyer.to_uppercase()), evidence: vec![] };
    w.app.act(&s.other_buyer, s.cracked.id, message).await.unwrap();
    assert_eq!(db.count(HOLDING, &[&shop]).await, 3);
    assert_eq!(db.count(HOLDING, &[&buyer]).await, 3);
    assert!(search(w, &s.cast.staff, "screen").await.is_empty());
    assert!(search(w, &s.cast.buyer, "screen").await.is_empty());
    // Asked for, the words are only text: the case that says them, for those who may see it.
    assert!(search(w, &s.other_staff, &shop).await.contains(&s.cracked.id));
    assert!(search(w, &s.cast.staff, &shop).await.is_empty());
    assert_eq!(search(w, &s.agent, &shop).await, [s.cracked.id]);
    assert_eq!(search(w, &s.agent, &buyer).await, [s.cracked.id]);
}

/// Documents written before scope words existed get them in the background, a batch at a time;
/// shops' and buyers' searches find the same cases before, meanwhile and after.
async fn older_documents_get_scope_words(db: TestDb) {
    let s = Scene::new(&db).await;
    let w = &s.world;
    let askers =
        [(&s.cast.staff, "耳机"), (&s.cast.buyer, "耳机"), (&s.other_staff, "假货"), (&s.other_buyer, "screen")];
    let mut before = Vec::new();
    for (who, q) in askers {
        before.push(search(w, who, q).await);
    }
    assert!(before.iter().all(|found| !found.is_empty()));
    let shop = shop_word(s.cast.shop);
    // As a database migrated from before: no scope words (four words of 34 letters and spaces).
    db.execute("UPDATE case_texts SET words = substr(words, 141)", &[]).await;
    db.execute("INSERT INTO case_text_scopes_pending (id, after_case) VALUES (1, NULL)", &[]).await;
    assert_eq!(db.count(HOLDING, &[&shop]).await, 0);
    let found = async || {
        let mut found = Vec::new();
        for (who, q) in askers {
            found.push(search(w, who, q).await);
        }
        found
    };
    assert_eq!(found().await, before);
    // Three, then the last one, then nothing left.
    assert_eq!(w.store().add_scope_words(3).await.unwrap(), 3);
    assert_eq!(found().await, before);
    assert_eq!(w.store().add_scope_words(3).await.unwrap(), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM case_text_scopes_pending", &[]).await, 0);
    assert_eq!(w.store().add_scope_words(3).await.unwrap(), 0);
    assert_eq!(db.count(HOLDING, &[&shop]).await, 3);
    assert_eq!(found().await, before);
    // Going through them again adds nothing twice.
    db.execute("INSERT INTO case_text_scopes_pending (id, after_case) VALUES (1, NULL)", &[]).await;
    assert_eq!(w.app.add_scope_words().await.unwrap(), 4);
    let twice = "SELECT COUNT(*) FROM case_texts WHERE words LIKE '%' || $1 || '%' || $1 || '%'";
    assert_eq!(db.count(twice, &[&shop]).await, 0);
    assert_eq!(found().await, before);
    // As a database from before reason and kind words (migration 0033): shop and buyer words
    // only. They are replaced, not repeated; the reason's word is there after.
    let counterfeit = redress_app::search::reason_word(Reason::Counterfeit.as_str());
    db.execute("UPDATE case_texts SET words = substr(words, 1, 70) || substr(words, 141)", &[]).await;
    assert_eq!(db.count(HOLDING, &[&counterfeit]).await, 0);
    db.execute("INSERT INTO case_text_scopes_pending (id, after_case) VALUES (1, NULL)", &[]).await;
    assert_eq!(w.app.add_scope_words().await.unwrap(), 4);
    assert_eq!(db.count(HOLDING, &[&counterfeit]).await, 1, "the one counterfeit case");
    for word in [&shop, &counterfeit] {
        assert_eq!(db.count(twice, &[word]).await, 0, "{word}");
    }
    assert_eq!(found().await, before);
}

/// An agent's plain query ranks its newest matches a block at a time: with blocks of two, the
/// two newest matches best first, then the two before them. Paged through with each page's
/// cursor, at any page size, every match comes once in that order.
async fn plain_queries_rank_the_newest_block_first(db: TestDb) {
    let s = Scene::new(&db).await;
    let w = &s.world;
    let mut filed = Vec::new();
    // Filed in this order; 保温杯 once in a long text, three times, once, twice.
    for (i, text) in
        ["保温杯漏水了，盖子也坏了，客服一直不理人", "保温杯，保温杯，保温杯漏水", "保温杯漏水", "保温杯，保温杯漏水"]
            .into_iter()
            .enumerate()
    {
        let order = w.order(&format!("SH-B-{i}"), s.cast.shop, s.cast.buyer_id()).await;
        filed.push(w.app.file_case(&s.cast.buyer, request(Reason::QualityDefect, text), order.id).await.unwrap().id);
    }
    let terms = redress_app::search::Terms::parse("保温杯").unwrap();
    let ranked_whole = |block| {
        let terms = terms.clone();
        async move {
            let filter = redress_app::search::SearchFilter { limit: 20, block, ..Default::default() };
            w.store().search_cases(&terms, &filter).await.unwrap().iter().map(|r| r.case.id).collect::<Vec<_>>()
        }
    };
    // In one block: the exact ranking. In blocks of two: newest two ranked, then the older two.
    assert_eq!(ranked_whole(0).await, [filed[1], filed[3], filed[2], filed[0]]);
    let in_blocks = vec![filed[3], filed[2], filed[1], filed[0]];
    assert_eq!(ranked_whole(2).await, in_blocks);
    for limit in 1..=4 {
        let (mut found, mut after) = (Vec::new(), None);
        loop {
            let filter =
                redress_app::search::SearchFilter { limit, block: 2, after: after.clone(), ..Default::default() };
            let page = w.store().search_cases(&terms, &filter).await.unwrap();
            found.extend(page.iter().map(|r| r.case.id));
            match page.last() {
                Some(r) if page.len() as i64 == limit => {
                    let cursor = redress_app::search::Cursor { score: r.score, id: r.case.id, block: r.block.clone() };
                    after = Some(cursor.to_string().parse().unwrap());
                }
                _ => break,
            }
        }
        assert_eq!(found, in_blocks, "{limit} a page");
    }
}

/// Every page of a search through each page's cursor, `limit` at a time.
async fn every_page(
    w: &World,
    terms: &redress_app::search::Terms,
    filter: redress_app::search::SearchFilter,
) -> Vec<CaseId> {
    let (mut found, mut after) = (Vec::new(), None);
    loop {
        let page = w
            .store()
            .search_cases(terms, &redress_app::search::SearchFilter { after: after.clone(), ..filter.clone() })
            .await
            .unwrap();
        found.extend(page.iter().map(|r| r.case.id));
        match page.last() {
            Some(r) if page.len() as i64 == filter.limit => {
                let cursor = redress_app::search::Cursor { score: r.score, id: r.case.id, block: r.block.clone() };
                after = Some(cursor.to_string().parse().unwrap());
            }
            _ => return found,
        }
    }
}

/// An agent's search with filters reads its newest matches under the filters a block at a time,
/// like a plain query. Forty cases, a match every seventh, only the newest and the oldest match
/// counterfeit: the matches are sparse, the filtered ones sparser, so the reads (on PostgreSQL,
/// windows of case ids sized by the matches found so far) must reach past the newest cases, and
/// grow when a window holds none. In blocks of one and of two, at every page size, each match
/// comes once, newest first (their texts are alike, so newer wins a tie), and nothing else.
async fn filtered_queries_read_the_newest_matches_in_blocks(db: TestDb) {
    let s = Scene::new(&db).await;
    let w = &s.world;
    let (mut matching, mut counterfeit) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let order = w.order(&format!("SH-W-{i}"), s.cast.shop, s.cast.buyer_id()).await;
        let (reason, text) = match i % 7 {
            0 if i == 0 || i == 35 => (Reason::Counterfeit, "保温杯漏水"),
            0 => (Reason::QualityDefect, "保温杯漏水"),
            _ => (Reason::Counterfeit, "耳机没有声音"),
        };
        let id = w.app.file_case(&s.cast.buyer, request(reason, text), order.id).await.unwrap().id;
        if i % 7 == 0 {
            matching.insert(0, id);
            if reason == Reason::Counterfeit {
                counterfeit.insert(0, id);
            }
        }
    }
    let terms = redress_app::search::Terms::parse("保温杯").unwrap();
    let by_reason = Some(Reason::Counterfeit.as_str().to_owned());
    // Each document holds its reason's word, which a search by reason asks the index for.
    let counterfeit_word = redress_app::search::reason_word(Reason::Counterfeit.as_str());
    assert_eq!(db.count(HOLDING, &[&counterfeit_word]).await, 1 + 36, "the scene's one and 36 of the forty");
    for block in [1, 2] {
        for limit in 1..=3 {
            let plain = redress_app::search::SearchFilter { limit, block, ..Default::default() };
            assert_eq!(
                every_page(w, &terms, plain.clone()).await,
                matching,
                "plain, blocks of {block}, {limit} a page"
            );
            let filtered = redress_app::search::SearchFilter { reason: by_reason.clone(), ..plain };
            assert_eq!(
                every_page(w, &terms, filtered).await,
                counterfeit,
                "by reason, blocks of {block}, {limit} a page"
            );
        }
    }
    // Closed cases are left out by `open_only`, as similar cases ask.
    let newest = matching[0];
    w.app.act(&s.cast.buyer, newest, Command::Withdraw).await.unwrap();
    let open = redress_app::search::SearchFilter { limit: 20, block: 2, open_only: true, ..Default::default() };
    assert_eq!(every_page(w, &terms, open).await, matching[1..]);
}
