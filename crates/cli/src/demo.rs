//! A believable demo data set, made by driving the real use cases (so every demo case has a
//! genuine, hash-chained history): two shops, buyers, agents, an admin, orders of several
//! categories and cases in several states.

use anyhow::Context;
use jiff::SignedDuration;
use redress_app::auth::hash_password;
use redress_app::orders::NewOrder;
use redress_app::ports::User;
use redress_app::{App, Principal, Role};
use redress_domain::case::{ItemRef, Remedy};
use redress_domain::command::FileCase;
use redress_domain::order::{ItemFacts, ItemFlags, LineItem, Merchant};
use redress_domain::vocabulary::{EvidenceKind, Reason, RejectReason, RemedyKind, RequestKind, SalesChannel};
use redress_domain::{CaseId, Command, MerchantId, Money, Side, UserId};

/// (login, password, role, display name)
pub const LOGINS: &[(&str, &str, &str, &str)] = &[
    ("buyer", "buyer-pass", "买家 buyer", "张小满"),
    ("buyer2", "buyer-pass", "买家 buyer", "李思远"),
    ("shop", "shop-pass", "商家 merchant", "山海数码旗舰店 客服"),
    ("shop2", "shop-pass", "商家 merchant", "鲜果时光 客服"),
    ("agent", "agent-pass", "平台客服 agent", "王仲裁"),
    ("agent2", "agent-pass", "平台客服 agent", "赵复核"),
    ("admin", "admin-pass", "管理员 admin", "系统管理员"),
];

/// The highlighted case and which demo logins can open it, then the logins: on every start, not
/// only the one that seeded the data.
pub async fn print_logins(app: &App) -> anyhow::Result<()> {
    if let Some(case) = highlighted(app).await? {
        let buyer = app.store.user(case.buyer_id).await?.map(|u| u.login).unwrap_or_default();
        let mut shop = Vec::new();
        for staff in app.store.merchant_staff(case.merchant_id).await? {
            shop.extend(app.store.user(staff).await?.map(|u| u.login));
        }
        say!("  highlighted case (evidence, decision, refund): {}", case.id);
        say!(
            "    sign in as {buyer} (its buyer), {} (its shop), agent or admin: GET /api/v1/cases/{}",
            shop.join(", "),
            case.id
        );
    }
    // Last, so that the logins end the banner.
    say!("  demo logins (POST /api/v1/auth/login with {{\"login\", \"password\"}}):");
    for (login, password, role, name) in LOGINS {
        say!("    {login:<8} / {password:<12} {role:<16} {name}");
    }
    Ok(())
}

/// The number of the demo order whose case went the whole way (`buyer2`'s cherries at `shop2`).
const SHOWCASE_ORDER: &str = "XG20261105008";

/// The demo case that went the whole way (decided by the platform and refunded): the first case
/// on the demo's own showcase order, found by its number at the demo shop, so that a case
/// someone made since (after a restart on the same data) is never named instead (trial F21).
async fn highlighted(app: &App) -> anyhow::Result<Option<redress_domain::Case>> {
    let Some((buyer, _)) = app.store.user_by_login("buyer2").await? else { return Ok(None) };
    let Some(shop) = app.store.user_by_login("shop2").await?.and_then(|(u, _)| u.merchant_id) else { return Ok(None) };
    let mut filter = redress_app::ports::OrderFilter {
        buyer_id: Some(buyer.id),
        merchant_id: Some(shop),
        limit: redress_app::orders::MAX_PAGE,
        ..Default::default()
    };
    // Newest first: the demo's order is among the oldest, whatever was added since.
    let order = loop {
        let page = app.store.list_orders(&filter).await?;
        if let Some(order) = page.iter().find(|o| o.number == SHOWCASE_ORDER) {
            break order.clone();
        }
        match page.last() {
            Some(last) if page.len() as i64 == filter.limit => filter.before = Some(last.id),
            _ => return Ok(None),
        }
    };
    let filter = redress_app::ports::CaseFilter { order_id: Some(order.id), limit: 100, ..Default::default() };
    // Newest first: the demo's case is the first filed on its order.
    Ok(app.store.list_cases(&filter).await?.pop())
}

/// A 统一社会信用代码 with a correct check character for the given first 17 characters.
fn credit_code(first17: &str) -> String {
    let check = redress_law::uscc::compute_check_character(first17).expect("valid demo code prefix");
    format!("{first17}{check}")
}

struct People {
    buyer: Principal,
    buyer2: Principal,
    shop: Principal,
    shop2: Principal,
    agent: Principal,
    agent2: Principal,
    admin: Principal,
    shop_id: MerchantId,
    shop2_id: MerchantId,
}

pub async fn seed(app: &App) -> anyhow::Result<()> {
    if app.store.user_by_login("admin").await?.is_some() {
        say!("  demo data already present: not seeded again");
        return Ok(());
    }
    let now = app.clock.now();
    let shop_id = MerchantId(uuid::Uuid::now_v7());
    let shop2_id = MerchantId(uuid::Uuid::now_v7());
    for (id, name, prefix, address, phone) in [
        (
            shop_id,
            "杭州山海数码科技有限公司(山海数码旗舰店)",
            "91330106MA2H3K5Q0",
            "浙江省杭州市西湖区文三路 90 号 6 楼",
            "0571-8888 6666",
        ),
        (
            shop2_id,
            "深圳鲜果时光农业发展有限公司(鲜果时光小程序)",
            "91440300MA5G7Y2K1",
            "广东省深圳市南山区科技园南区 3 栋",
            "0755-2666 1234",
        ),
    ] {
        let merchant = Merchant {
            id,
            name: name.into(),
            credit_code: credit_code(prefix),
            address: address.into(),
            phone: Some(phone.into()),
        };
        app.store.insert_merchant(&merchant, now).await?;
    }
    let mut users = Vec::new();
    for (i, (login, password, _, name)) in LOGINS.iter().enumerate() {
        let (role, merchant_id, phone, address) = match *login {
            "buyer" => (Role::Buyer, None, Some("13812341234"), Some("上海市浦东新区世纪大道 100 号 2 号楼 1203 室")),
            "buyer2" => (Role::Buyer, None, Some("13987654321"), Some("北京市朝阳区建国路 88 号 5 单元 402")),
            "shop" => (Role::Merchant, Some(shop_id), None, None),
            "shop2" => (Role::Merchant, Some(shop2_id), None, None),
            "agent" | "agent2" => (Role::Agent, None, None, None),
            _ => (Role::Admin, None, None, None),
        };
        let user = User {
            id: UserId(uuid::Uuid::now_v7()),
            login: (*login).into(),
            display_name: (*name).into(),
            role,
            merchant_id,
            phone: phone.map(Into::into),
            address: address.map(Into::into),
            // Reserved for examples (RFC 2606): mail sent to it in a demo goes nowhere.
            email: Some(format!("{login}@example.com")),
        };
        app.store.insert_user(&user, &hash_password(password)?, now).await.with_context(|| format!("demo user {i}"))?;
        users.push(Principal::User(user));
    }
    let [buyer, buyer2, shop, shop2, agent, agent2, admin] =
        <[Principal; 7]>::try_from(users).expect("seven demo users");
    let people = People { buyer, buyer2, shop, shop2, agent, agent2, admin, shop_id, shop2_id };
    // The history first: orders are listed newest first, so the story's orders lead each list.
    let history = seed_order_history(app, &people).await.context("demo order history")?;
    let decided = seed_cases(app, &people).await.context("demo cases")?;
    redress_worker::Worker::new(app.clone()).tick().await?;
    // The buyer rates the refunded case (satisfaction on the dashboards), once it has closed.
    if app.store.case(decided).await?.is_some_and(|r| r.case.outcome.is_some()) {
        let rate = Command::Rate { stars: 4, comment: "平台处理及时,退款已到账。".into() };
        app.act(&people.buyer2, decided, rate).await?;
    }
    say!("  demo data seeded: 2 merchants, 7 people, {} orders, 6 cases", 6 + history);
    Ok(())
}

fn item(sku: &str, title: &str, quantity: u32, yuan: i64, flags: ItemFlags) -> LineItem {
    LineItem {
        sku: sku.into(),
        title: title.into(),
        quantity,
        unit_price: Money::from_fen(yuan * 100),
        law: ItemFacts { flags, ..Default::default() },
    }
}

/// Orders without a case, so the shops' dashboards and public reputation have a base to count
/// cases against (the reputation shows figures from the policy's minimum of orders, 30).
async fn seed_order_history(app: &App, p: &People) -> anyhow::Result<usize> {
    const PER_SHOP: usize = 30;
    let now = app.clock.now();
    let mut made = 0;
    let fruit = ItemFlags { perishable: true, food: true, ..ItemFlags::default() };
    for (shop, prefix, sku, title, yuan, flags) in [
        (p.shop_id, "SH2026H", "CASE-15", "手机壳 15 寸", 49, ItemFlags::default()),
        (p.shop2_id, "XG2026H", "APPLE-5KG", "阿克苏冰糖心苹果 5kg", 59, fruit),
    ] {
        for n in 0..PER_SHOP {
            let buyer = if n % 2 == 0 { &p.buyer } else { &p.buyer2 };
            let at = |days: i64| now.checked_sub(SignedDuration::from_hours(24 * days)).expect("in range");
            let order = NewOrder {
                number: format!("{prefix}{n:03}"),
                merchant_id: shop,
                buyer_id: buyer.user_id().expect("demo buyer"),
                channel: SalesChannel::MiniProgram,
                amount_paid: Money::from_fen(yuan * 100),
                freight: Money::ZERO,
                payment_transaction_id: Some(format!("4200009{prefix}{n:03}")),
                paid_at: Some(at(20)),
                shipped_at: Some(at(19)),
                signed_at: Some(at(17)),
                items: vec![item(sku, title, 1, yuan, flags)],
            };
            let order = app.create_order(&p.admin, order).await?;
            made += 1;
            // 6. A case on one of them: rejected, escalated and taken by the second agent
            // (an agent's load on the platform dashboard).
            if n == 0 && shop == p.shop_id {
                let request = FileCase {
                    kind: RequestKind::RefundOnly,
                    reason: Reason::NotAsDescribed,
                    items: vec![ItemRef { sku: sku.into(), quantity: 1 }],
                    amount: Money::from_fen(yuan * 100),
                    description: "商品页写适配 15 寸,实际装不进去,尺寸与描述不符。".into(),
                };
                let case = app.file_case(&p.buyer, request, order.id).await?;
                let reject = Command::Reject { reason: RejectReason::Other, text: "买家选错型号。".into() };
                app.act(&p.shop, case.id, reject).await?;
                app.act(&p.buyer, case.id, Command::Escalate { text: "尺寸确实与描述不符。".into() }).await?;
                app.act(&p.agent2, case.id, Command::Take).await?;
            }
        }
    }
    Ok(made)
}

/// Files the demo cases; the last one goes the whole way (evidence files, a decision, a refund):
/// its id.
async fn seed_cases(app: &App, p: &People) -> anyhow::Result<CaseId> {
    let now = app.clock.now();
    let days_ago = |d: i64| now.checked_sub(SignedDuration::from_hours(24 * d)).expect("in range");
    let order = |number: &str, merchant, buyer: &Principal, channel, items: Vec<LineItem>, signed: i64| {
        let paid: i64 = items.iter().map(|i| i.total().fen()).sum();
        NewOrder {
            number: number.into(),
            merchant_id: merchant,
            buyer_id: buyer.user_id().expect("demo buyer"),
            channel,
            amount_paid: Money::from_fen(paid),
            freight: Money::ZERO,
            payment_transaction_id: Some(format!("4200001{number}")),
            paid_at: Some(days_ago(signed + 3)),
            shipped_at: Some(days_ago(signed + 2)),
            signed_at: Some(days_ago(signed)),
            items,
        }
    };
    let none = ItemFlags::default;
    let earbuds = app
        .create_order(
            &p.admin,
            order(
                "SH20261101001",
                p.shop_id,
                &p.buyer,
                SalesChannel::ChannelsShop,
                vec![item("EB-PRO-2", "山海 Pro 2 降噪蓝牙耳机", 1, 399, none())],
                2,
            ),
        )
        .await?;
    let coat = app
        .create_order(
            &p.admin,
            order(
                "SH20261028017",
                p.shop_id,
                &p.buyer,
                SalesChannel::ChannelsShop,
                vec![item("COAT-W-L", "双面羊毛大衣 驼色 L", 1, 899, none())],
                4,
            ),
        )
        .await?;
    let tee = app
        .create_order(
            &p.admin,
            order(
                "SH20261030033",
                p.shop_id,
                &p.buyer2,
                SalesChannel::MiniProgram,
                vec![
                    item("TEE-CUSTOM", "定制印字T恤", 2, 89, ItemFlags { custom_made: true, ..none() }),
                    item("CASE-15", "手机壳 15 寸", 1, 49, none()),
                ],
                5,
            ),
        )
        .await?;
    let cream = app
        .create_order(
            &p.admin,
            order(
                "SH20261025120",
                p.shop_id,
                &p.buyer2,
                SalesChannel::ChannelsShop,
                vec![item("SERUM-30", "修护精华液 30ml", 1, 268, none())],
                6,
            ),
        )
        .await?;
    let cherries = app
        .create_order(
            &p.admin,
            order(
                SHOWCASE_ORDER,
                p.shop2_id,
                &p.buyer2,
                SalesChannel::MiniProgram,
                vec![item(
                    "CHERRY-2KG",
                    "智利车厘子 JJ 级 2kg",
                    1,
                    159,
                    ItemFlags { perishable: true, food: true, ..none() },
                )],
                1,
            ),
        )
        .await?;
    let mangoes = app
        .create_order(
            &p.admin,
            order(
                "XG20261110019",
                p.shop2_id,
                &p.buyer,
                SalesChannel::MiniProgram,
                vec![item(
                    "MANGO-5KG",
                    "攀枝花凯特芒果 5kg",
                    1,
                    69,
                    ItemFlags { perishable: true, food: true, ..none() },
                )],
                1,
            ),
        )
        .await?;

    let file = |buyer: &Principal, order_id, kind, reason, sku: &str, fen: i64, text: &str| {
        let request = FileCase {
            kind,
            reason,
            items: vec![ItemRef { sku: sku.into(), quantity: 1 }],
            amount: Money::from_fen(fen),
            description: text.into(),
        };
        let buyer = buyer.clone();
        async move { app.file_case(&buyer, request, order_id).await }
    };
    let act = |who: &Principal, case: CaseId, command: Command| {
        let who = who.clone();
        async move { app.act(&who, case, command).await }
    };
    let msg = |text: &str| Command::Message { text: text.into(), evidence: Vec::new() };

    // The talk before a case (seed 000: 第一步:与卖家沟通). The earbuds' becomes case 1's
    // negotiation record; the mangoes' was settled in the conversation, without a case.
    converse(
        app,
        &p.buyer,
        earbuds.id,
        "您好,11月20日收到的耳机左耳没有声音,重新配对也不行,照片见附件。",
        Some(demo_photo()),
    )
    .await?;
    converse(app, &p.shop, earbuds.id, "您好,麻烦拍一段视频看看,我们确认后处理。", None).await?;
    converse(app, &p.buyer, mangoes.id, "芒果今天到了,有两个压坏了,能补发吗?", None).await?;
    converse(app, &p.shop2, mangoes.id, "抱歉!已为您补发两个,明天发出。", None).await?;

    // 1. Waiting for the merchant.
    let c1 = file(
        &p.buyer,
        earbuds.id,
        RequestKind::RefundOnly,
        Reason::QualityDefect,
        "EB-PRO-2",
        39900,
        "11月20日签收,当天使用发现左耳无声,重置配对后仍然无声,已拍视频。要求全额退款 399 元。",
    )
    .await?;
    act(&p.buyer, c1.id, msg("您好,左耳完全没有声音,视频已上传,请尽快处理。")).await?;

    // 2. Approved return, waiting for the buyer to ship it.
    let c2 = file(
        &p.buyer,
        coat.id,
        RequestKind::ReturnRefund,
        Reason::NotAsDescribed,
        "COAT-W-L",
        89900,
        "商品页写 90% 羊毛,收到的洗标为 50% 羊毛 50% 聚酯纤维,与描述不符,申请退货退款。",
    )
    .await?;
    act(&p.shop, c2.id, Command::Approve).await?;

    // 3. Merchant offered a partial refund; the buyer must answer.
    let c3 = file(
        &p.buyer2,
        tee.id,
        RequestKind::RefundOnly,
        Reason::QualityDefect,
        "CASE-15",
        4900,
        "手机壳边缘开裂,无法正常使用,要求退款 49 元。",
    )
    .await?;
    act(
        &p.shop,
        c3.id,
        Command::Offer(redress_domain::command::Proposal {
            remedy: Remedy { kind: RemedyKind::Refund, amount: Money::from_fen(2000) },
            note: "给您补偿 20 元,壳可以继续使用,您看可以吗?".into(),
        }),
    )
    .await?;

    // 4. Rejected by the merchant, escalated: on the platform's queue.
    let c4 = file(
        &p.buyer2,
        cream.id,
        RequestKind::ReturnRefund,
        Reason::Counterfeit,
        "SERUM-30",
        26800,
        "精华液批号在品牌官网查询不到,气味和质地与专柜不同,怀疑假货。要求退货退款。",
    )
    .await?;
    act(
        &p.shop,
        c4.id,
        Command::Reject {
            reason: RejectReason::EvidenceInsufficient,
            text: "我司商品均为正品,有进货凭证,买家未提供鉴定报告。".into(),
        },
    )
    .await?;
    act(&p.buyer2, c4.id, Command::Escalate { text: "商家拒绝退款,申请平台介入。".into() }).await?;

    // 5. The seeds' whole path: rejected, escalated, evidence requested and given, decided, refunded.
    let c5 = file(
        &p.buyer2,
        cherries.id,
        RequestKind::RefundOnly,
        Reason::DamagedInTransit,
        "CHERRY-2KG",
        15900,
        "11月21日签收,开箱约三分之一车厘子压烂发霉,已拍开箱视频。要求全额退款。",
    )
    .await?;
    act(
        &p.shop2,
        c5.id,
        Command::Reject {
            reason: RejectReason::UsedOrDamagedByBuyer, text: "生鲜商品签收后不支持退款。".into()
        },
    )
    .await?;
    act(&p.buyer2, c5.id, Command::Escalate { text: "开箱即坏,商家拒绝,申请平台介入。".into() }).await?;
    act(&p.agent, c5.id, Command::Take).await?;
    act(
        &p.agent,
        c5.id,
        Command::RequestEvidence {
            party: Side::Buyer,
            what: "请补充完整的开箱视频和快递面单照片。".into(),
            due_in_hours: None,
        },
    )
    .await?;
    upload(app, &p.buyer2, c5.id, demo_photo(), EvidenceKind::Photo, "开箱照片:果肉发黑,面单日期清晰", false).await?;
    upload(
        app,
        &p.buyer2,
        c5.id,
        "11月20日 09:12 买家:收到的芒果全部坏了\n11月20日 09:30 商家:生鲜签收后不退\n".as_bytes().to_vec(),
        EvidenceKind::ChatRecord,
        "与商家的聊天记录",
        false,
    )
    .await?;
    upload(
        app,
        &p.shop2,
        c5.id,
        "进货单号 JH-2026-1107,批次 B17,冷链车温度记录 2~6℃\n".as_bytes().to_vec(),
        EvidenceKind::OrderRecord,
        "进货与冷链记录(内部)",
        true,
    )
    .await?;
    act(&p.buyer2, c5.id, Command::SubmitEvidence { text: "已上传开箱视频(含面单)和 6 张照片。".into() }).await?;
    act(
        &p.agent,
        c5.id,
        Command::Decide {
            remedy: Some(Remedy { kind: RemedyKind::Refund, amount: Money::from_fen(15900) }),
            liable: Some(Side::Merchant),
            rationale: "开箱视频连续完整,显示签收时商品已腐坏,属于运输损坏,由商家承担。".into(),
            cited_rule: "《消费者权益保护法》第二十四条;平台生鲜商品售后规则".into(),
        },
    )
    .await?;
    Ok(c5.id)
}

/// Adds a file through the same use cases as the upload API.
async fn upload(
    app: &App,
    who: &Principal,
    case: CaseId,
    bytes: Vec<u8>,
    kind: EvidenceKind,
    caption: &str,
    confidential: bool,
) -> anyhow::Result<()> {
    let room = app.evidence_room(who, case).await?;
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
    let received = app.receive_evidence(body, room).await?;
    let description = redress_app::evidence::Description { kind, caption: caption.into(), confidential };
    // The demo needs no answer to show anyone.
    app.add_evidence(who, case, received, description, None, &|_| Ok(String::new())).await?;
    Ok(())
}

/// Writes in an order's conversation through the same use cases as the API: text, or a photo
/// with its text.
async fn converse(
    app: &App,
    who: &Principal,
    order: redress_domain::OrderId,
    text: &str,
    photo: Option<Vec<u8>>,
) -> anyhow::Result<()> {
    match photo {
        None => {
            app.post_message(who, order, text, None).await?;
        }
        Some(bytes) => {
            let room = app.conversation_file_room(who, order).await?;
            let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
            let received = app.receive_evidence(body, room).await?;
            let description = redress_app::evidence::Description {
                kind: EvidenceKind::Photo,
                caption: String::new(),
                confidential: false,
            };
            app.post_file(who, order, received, description, text, None).await?;
        }
    }
    Ok(())
}

/// A small photo-like PNG (a gradient), made here so the demo needs no files.
fn demo_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(96, 64, |x, y| image::Rgb([(x * 2) as u8, (y * 3) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode demo photo");
    out.into_inner()
}
