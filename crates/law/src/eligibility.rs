//! What the law gives a buyer on one item: the 7-day no-reason return (and why not), the
//! Art. 24 window for non-conforming goods, the 三包 windows, and who pays the return freight.
//!
//! All windows here run in natural time (自然日), never working days: a holiday inside a window
//! does not extend it. Each window starts at 00:00 Asia/Shanghai of the day after the buyer signed
//! for the goods (a period counted in days starts on the following day) and lasts whole days of
//! 24 h, so a 7-day window ends at 24:00 of the 7th day. A request made on the day of signing,
//! before the counting starts, is inside the window.
//!
//! Deliberately not applied: 民法典第二百零三条 moves the last day of a civil-law period that
//! falls on a public holiday to the day after the holiday. Platform practice and this project's
//! design count the no-reason window in plain natural days; if legal review decides otherwise,
//! the change belongs in `natural_window` alone.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::{shanghai_date, start_of_shanghai_day};
use crate::citation::{Article, Citation};

/// Natural days of the no-reason window (消费者权益保护法第二十五条).
pub const NO_REASON_DAYS: i64 = 7;
/// Natural days of the Art. 24 window for goods that do not meet quality requirements.
pub const NON_CONFORMING_DAYS: i64 = 7;
/// 三包: return, exchange or repair within 7 days of sale.
pub const SANBAO_RETURN_DAYS: i64 = 7;
/// 三包: exchange or repair within 15 days of sale.
pub const SANBAO_EXCHANGE_DAYS: i64 = 15;

/// The nature of an item, as the merchant lists it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ItemFlags {
    /// 消费者定作的 (made to the buyer's specification).
    pub custom_made: bool,
    /// 鲜活易腐的 (fresh and perishable).
    pub perishable: bool,
    /// 在线下载的数字化商品 (downloaded software, audio, video, e-books...).
    pub digital_download: bool,
    /// 消费者拆封的音像制品、计算机软件 (media or software the buyer unsealed).
    pub unsealed_media: bool,
    /// 交付的报纸、期刊 (delivered newspapers and periodicals).
    pub periodical: bool,
    /// Food: not excluded from no-reason return by itself (only perishable food is), but it makes
    /// 食品安全法第一百四十八条 available for damages.
    pub food: bool,
}

/// Natures of goods the buyer may agree at checkout to exclude (暂行办法第七条); such an exclusion
/// only counts if the buyer confirmed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmedExclusion {
    /// 拆封后易影响人身安全或者生命健康的商品，或者拆封后易导致商品品质发生改变的商品.
    RiskyOnceUnsealed,
    /// 一经激活或者试用后价值贬损较大的商品.
    ValueLostOnActivation,
    /// 销售时已明示的临近保质期的商品、有瑕疵的商品.
    DisclosedNearExpiryOrFlawed,
}

/// Why an item has no 7-day no-reason return (told by the catalogue's `no-reason-exclusion-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum NoReasonExclusion {
    CustomMade,
    Perishable,
    DigitalDownload,
    UnsealedMedia,
    Periodical,
    ConfirmedRiskyOnceUnsealed,
    ConfirmedValueLostOnActivation,
    ConfirmedNearExpiryOrFlawed,
}

impl NoReasonExclusion {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CustomMade => "custom_made",
            Self::Perishable => "perishable",
            Self::DigitalDownload => "digital_download",
            Self::UnsealedMedia => "unsealed_media",
            Self::Periodical => "periodical",
            Self::ConfirmedRiskyOnceUnsealed => "confirmed_risky_once_unsealed",
            Self::ConfirmedValueLostOnActivation => "confirmed_value_lost_on_activation",
            Self::ConfirmedNearExpiryOrFlawed => "confirmed_near_expiry_or_flawed",
        }
    }

    /// The statutory exclusions are in 消法第二十五条 and 暂行办法第六条; the confirmed ones rest on
    /// 消法第二十五条第二款 and 暂行办法第七条.
    pub fn citations(self) -> Vec<Citation> {
        let measures = match self {
            Self::ConfirmedRiskyOnceUnsealed
            | Self::ConfirmedValueLostOnActivation
            | Self::ConfirmedNearExpiryOrFlawed => Article::NoReasonMeasures7,
            _ => Article::NoReasonMeasures6,
        };
        vec![Article::ConsumerLaw25.citation(), measures.citation()]
    }
}

impl From<ConfirmedExclusion> for NoReasonExclusion {
    fn from(c: ConfirmedExclusion) -> Self {
        match c {
            ConfirmedExclusion::RiskyOnceUnsealed => Self::ConfirmedRiskyOnceUnsealed,
            ConfirmedExclusion::ValueLostOnActivation => Self::ConfirmedValueLostOnActivation,
            ConfirmedExclusion::DisclosedNearExpiryOrFlawed => Self::ConfirmedNearExpiryOrFlawed,
        }
    }
}

/// A warranty period (保修期/三包有效期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warranty {
    Days(u32),
    /// Calendar months; a month without the corresponding day ends on its last day
    /// (民法典第二百零二条), e.g. signed 01-31 with one month runs to the end of 02-28.
    Months(u32),
}

/// The goods of the catalogue annexed to 《部分商品修理更换退货责任规定》(实施三包的部分商品目录):
/// only these are under the 三包 rules. Goods off the list (a phone case, a keyboard or mouse
/// sold alone, clothing, cosmetics) have none, and food, fresh or not, is never on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanbaoGoods {
    /// 自行车
    Bicycle,
    /// 彩色电视机
    ColourTelevision,
    /// 黑白电视机
    BlackAndWhiteTelevision,
    /// 家用录像机
    VideoRecorder,
    /// 摄像机
    Camcorder,
    /// 收录机
    RadioCassettePlayer,
    /// 电子琴
    ElectronicKeyboardInstrument,
    /// 家用电冰箱
    Refrigerator,
    /// 洗衣机
    WashingMachine,
    /// 电风扇
    ElectricFan,
    /// 微波炉
    MicrowaveOven,
    /// 吸尘器
    VacuumCleaner,
    /// 家用空调器
    AirConditioner,
    /// 吸排油烟机
    RangeHood,
    /// 燃气热水器
    GasWaterHeater,
    /// 缝纫机
    SewingMachine,
    /// 钟表
    ClockOrWatch,
    /// 摩托车
    Motorcycle,
}

impl SanbaoGoods {
    /// The catalogue, in its order.
    pub const ALL: &'static [SanbaoGoods] = &[
        Self::Bicycle,
        Self::ColourTelevision,
        Self::BlackAndWhiteTelevision,
        Self::VideoRecorder,
        Self::Camcorder,
        Self::RadioCassettePlayer,
        Self::ElectronicKeyboardInstrument,
        Self::Refrigerator,
        Self::WashingMachine,
        Self::ElectricFan,
        Self::MicrowaveOven,
        Self::VacuumCleaner,
        Self::AirConditioner,
        Self::RangeHood,
        Self::GasWaterHeater,
        Self::SewingMachine,
        Self::ClockOrWatch,
        Self::Motorcycle,
    ];
}

/// One item of an order, as far as the law cares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(default)]
// No `deny_unknown_fields`: a line item flattens these, and refuses what is left over itself
// (here it would also tell the document that a line item's own fields are not allowed).
pub struct ItemFacts {
    pub flags: ItemFlags,
    /// Exclusions of 暂行办法第七条 the buyer confirmed at checkout.
    pub confirmed_exclusions: Vec<ConfirmedExclusion>,
    /// The merchant agreed to pay no-reason return freight (包邮退/运费险 promised by the shop).
    pub merchant_pays_no_reason_freight: bool,
    /// The 三包 warranty, if the item has one (only goods of the catalogue do).
    pub warranty: Option<Warranty>,
    /// The item's entry in the 三包 catalogue; `None` for goods the 三包 rules do not cover.
    pub sanbao_goods: Option<SanbaoGoods>,
}

impl ItemFacts {
    /// Whether the 三包 rules cover the item: only goods of their catalogue.
    pub fn under_sanbao(&self) -> bool {
        self.sanbao_goods.is_some()
    }

    /// Every reason this item has no no-reason return, statutory ones first.
    pub fn no_reason_exclusions(&self) -> Vec<NoReasonExclusion> {
        let f = &self.flags;
        let mut out: Vec<NoReasonExclusion> = [
            (f.custom_made, NoReasonExclusion::CustomMade),
            (f.perishable, NoReasonExclusion::Perishable),
            (f.digital_download, NoReasonExclusion::DigitalDownload),
            (f.unsealed_media, NoReasonExclusion::UnsealedMedia),
            (f.periodical, NoReasonExclusion::Periodical),
        ]
        .into_iter()
        .filter_map(|(on, e)| on.then_some(e))
        .collect();
        for c in &self.confirmed_exclusions {
            let e = NoReasonExclusion::from(*c);
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreightPayer {
    Buyer,
    Merchant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    Open,
    Closed,
}

/// A window in natural time: `[starts_at, ends_at)`; `status` is as of the `now` asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Window {
    /// When the counting starts (00:00 Asia/Shanghai of the day after signing).
    pub starts_at: Timestamp,
    /// The first instant outside the window (24:00 Asia/Shanghai of its last day).
    pub ends_at: Timestamp,
    pub status: WindowStatus,
    pub freight_payer: FreightPayer,
    pub citations: Vec<Citation>,
}

/// The 7-day no-reason return of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct NoReasonRights {
    /// A no-reason return may be filed now.
    pub allowed: bool,
    /// Present when the item is not excluded and was signed for.
    pub window: Option<Window>,
    pub exclusions: Vec<NoReasonExclusion>,
    /// Why it is not allowed now, as the filing would be refused.
    pub refusal: Option<Refusal>,
}

/// The 三包 windows of one item (for goods under the 三包 rules with a performance failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct SanbaoWindows {
    /// Return, exchange or repair, at the buyer's choice (7 days).
    pub return_exchange_or_repair: Window,
    /// Exchange or repair (15 days).
    pub exchange_or_repair: Window,
    /// Free repair within the warranty, if one is given.
    pub repair: Option<Window>,
}

/// Everything the law gives the buyer on one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct ItemRights {
    pub no_reason: NoReasonRights,
    /// 消法第二十四条: return of non-conforming goods; `None` until signed for.
    pub non_conforming: Option<Window>,
    /// `None` until signed for, and for goods off the 三包 catalogue.
    pub sanbao: Option<SanbaoWindows>,
}

/// A filing the rules do not allow: a stable code with what its words need (the text catalogue
/// tells it as `detail-no_reason_*`); [`Refusal::citations`] names the rule that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "code", rename_all = "snake_case")]
#[strum_discriminants(
    name(RefusalCode),
    doc = "The stable code of a refusal of the no-reason rules (also a problem `code` of a filing).",
    derive(Hash, Serialize, Deserialize, utoipa::ToSchema, strum::EnumIter, strum::IntoStaticStr),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
pub enum Refusal {
    /// The window ended at `ends_at` (24:00 Asia/Shanghai of its last day).
    NoReasonWindowClosed { ends_at: Timestamp },
    /// The item is of a kind without no-reason return (the first such kind, statutory ones first).
    NoReasonExcludedItem { exclusion: NoReasonExclusion },
    /// Not signed for: the window has not started.
    NotSignedFor,
}

impl Refusal {
    pub fn code(&self) -> RefusalCode {
        self.into()
    }

    /// The articles the refusal rests on.
    pub fn citations(&self) -> Vec<Citation> {
        match self {
            Self::NoReasonWindowClosed { .. } => {
                vec![Article::ConsumerLaw25.citation(), Article::NoReasonMeasures.citation()]
            }
            Self::NoReasonExcludedItem { exclusion } => exclusion.citations(),
            Self::NotSignedFor => vec![Article::NoReasonMeasures.citation()],
        }
    }
}

impl RefusalCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code().as_str())
    }
}

impl std::error::Error for Refusal {}

/// 00:00 Asia/Shanghai of the day after the day of `signed_at`: where every window starts.
pub fn window_start(signed_at: Timestamp) -> Timestamp {
    day_start(add_days(shanghai_date(signed_at), 1))
}

/// The no-reason window: from [`window_start`], 7 × 24 h; freight on the buyer unless the
/// merchant agreed to pay it.
pub fn no_reason_window(item: &ItemFacts, signed_at: Timestamp, now: Timestamp) -> Window {
    let payer = if item.merchant_pays_no_reason_freight { FreightPayer::Merchant } else { FreightPayer::Buyer };
    natural_window(
        signed_at,
        NO_REASON_DAYS,
        now,
        payer,
        vec![Article::ConsumerLaw25.citation(), Article::NoReasonMeasures.citation()],
    )
}

/// Art. 24: non-conforming goods may be returned within 7 days of receipt, the merchant paying
/// transport.
pub fn non_conforming_window(signed_at: Timestamp, now: Timestamp) -> Window {
    natural_window(signed_at, NON_CONFORMING_DAYS, now, FreightPayer::Merchant, vec![Article::ConsumerLaw24.citation()])
}

/// The 三包 windows; the seller bears the cost of 三包 returns, exchanges and repairs.
pub fn sanbao_windows(warranty: Option<Warranty>, signed_at: Timestamp, now: Timestamp) -> SanbaoWindows {
    let cite = || vec![Article::Sanbao.citation()];
    let window = |days| natural_window(signed_at, days, now, FreightPayer::Merchant, cite());
    let repair = warranty.map(|w| {
        let signed = shanghai_date(signed_at);
        let last_day = match w {
            Warranty::Days(d) => add_days(signed, i64::from(d)),
            Warranty::Months(m) => jiff::Span::new()
                .try_months(i64::from(m))
                .and_then(|span| signed.checked_add(span))
                .unwrap_or(Date::MAX),
        };
        let ends_at = day_start(add_days(last_day, 1));
        Window {
            starts_at: window_start(signed_at),
            ends_at,
            status: status(now, ends_at),
            freight_payer: FreightPayer::Merchant,
            citations: cite(),
        }
    });
    SanbaoWindows {
        return_exchange_or_repair: window(SANBAO_RETURN_DAYS),
        exchange_or_repair: window(SANBAO_EXCHANGE_DAYS),
        repair,
    }
}

/// Whether a `no_reason_7_day` case may be filed for this item now.
///
/// Checked in this order, so the most lasting reason is given: an excluded item is refused
/// whatever the dates; goods not yet signed for have no window yet; then the window must be open
/// (`now < ends_at`, to the second).
pub fn check_no_reason_filing(item: &ItemFacts, signed_at: Option<Timestamp>, now: Timestamp) -> Result<(), Refusal> {
    if let Some(&exclusion) = item.no_reason_exclusions().first() {
        return Err(Refusal::NoReasonExcludedItem { exclusion });
    }
    let Some(signed_at) = signed_at else {
        return Err(Refusal::NotSignedFor);
    };
    let window = no_reason_window(item, signed_at, now);
    if window.status == WindowStatus::Closed {
        return Err(Refusal::NoReasonWindowClosed { ends_at: window.ends_at });
    }
    Ok(())
}

/// Everything the law gives the buyer on one item, as of `now`.
pub fn item_rights(item: &ItemFacts, signed_at: Option<Timestamp>, now: Timestamp) -> ItemRights {
    let refusal = check_no_reason_filing(item, signed_at, now).err();
    let exclusions = item.no_reason_exclusions();
    let window = match (exclusions.is_empty(), signed_at) {
        (true, Some(at)) => Some(no_reason_window(item, at, now)),
        _ => None,
    };
    ItemRights {
        no_reason: NoReasonRights { allowed: refusal.is_none(), window, exclusions, refusal },
        non_conforming: signed_at.map(|at| non_conforming_window(at, now)),
        sanbao: signed_at.filter(|_| item.under_sanbao()).map(|at| sanbao_windows(item.warranty, at, now)),
    }
}

fn natural_window(
    signed_at: Timestamp,
    days: i64,
    now: Timestamp,
    freight_payer: FreightPayer,
    citations: Vec<Citation>,
) -> Window {
    let starts_at = window_start(signed_at);
    // Whole 24-hour days from the start; exact because Asia/Shanghai has no DST.
    let ends_at = starts_at.checked_add(SignedDuration::from_hours(24 * days)).unwrap_or(Timestamp::MAX);
    Window { starts_at, ends_at, status: status(now, ends_at), freight_payer, citations }
}

fn status(now: Timestamp, ends_at: Timestamp) -> WindowStatus {
    if now < ends_at { WindowStatus::Open } else { WindowStatus::Closed }
}

fn add_days(date: Date, days: i64) -> Date {
    crate::calendar::add_days(date, days).unwrap_or(Date::MAX)
}

/// Saturates at the end of representable time (year 9999): no real window reaches it.
fn day_start(date: Date) -> Timestamp {
    start_of_shanghai_day(date).unwrap_or(Timestamp::MAX)
}
