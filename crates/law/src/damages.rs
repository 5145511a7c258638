//! Statutory damages, in integer fen with checked arithmetic (no floats anywhere).
//!
//! - 消费者权益保护法第五十五条 (fraud): the price is paid back and the punitive part is 3× the
//!   price, at least ¥500.
//! - 食品安全法第一百四十八条 (food not meeting safety standards): besides compensation of the
//!   loss, a punitive part of 10× the price or 3× the loss, whichever the buyer claims (we take the
//!   higher, as a buyer would), at least ¥1000.

use serde::{Deserialize, Serialize};

use crate::citation::{Article, Citation};

/// ¥500: the floor of the Art. 55 punitive part.
pub const CONSUMER_FRAUD_MINIMUM_FEN: i64 = 50_000; // fen
/// ¥1000: the floor of the Art. 148 punitive part.
pub const FOOD_SAFETY_MINIMUM_FEN: i64 = 100_000; // fen

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DamagesError {
    #[error("{field} must not be negative (got {value} fen)")]
    Negative { field: &'static str, value: i64 },
    #[error("amount too large to compute")]
    Overflow,
}

/// Which statute's damages: fraud (消法第五十五条) or unsafe food (食品安全法第一百四十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum DamagesRule {
    ConsumerFraud,
    FoodSafety,
}

impl DamagesRule {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerFraud => "consumer_fraud",
            Self::FoodSafety => "food_safety",
        }
    }

    /// What can set the punitive part under this rule.
    pub const fn bases(self) -> &'static [PunitiveBasis] {
        match self {
            Self::ConsumerFraud => &[PunitiveBasis::ThreeTimesPrice, PunitiveBasis::StatutoryMinimum],
            Self::FoodSafety => {
                &[PunitiveBasis::TenTimesPrice, PunitiveBasis::ThreeTimesLoss, PunitiveBasis::StatutoryMinimum]
            }
        }
    }
}

/// Which rule set the punitive amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum PunitiveBasis {
    ThreeTimesPrice,
    TenTimesPrice,
    ThreeTimesLoss,
    /// The multiple fell below the statutory floor, which applies instead.
    StatutoryMinimum,
}

/// One way of computing the punitive part, before the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct PunitiveCandidate {
    pub basis: PunitiveBasis,
    pub amount_fen: i64,
}

impl PunitiveBasis {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ThreeTimesPrice => "three_times_price",
            Self::TenTimesPrice => "ten_times_price",
            Self::ThreeTimesLoss => "three_times_loss",
            Self::StatutoryMinimum => "statutory_minimum",
        }
    }
}

/// What the buyer may claim, line by line, with the article. No words: the text catalogue
/// explains it from these figures (`damages-<rule>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct DamagesBreakdown {
    pub rule: DamagesRule,
    pub citation: Citation,
    pub price_fen: i64,
    /// The price paid back (退还价款).
    pub refund_fen: i64,
    /// Compensation of the loss beyond the price (赔偿损失); 0 under Art. 55 as computed here.
    pub loss_compensation_fen: i64,
    /// The punitive part (增加赔偿 / 赔偿金).
    pub punitive_fen: i64,
    pub punitive_basis: PunitiveBasis,
    /// The multiples considered, before the floor.
    pub candidates: Vec<PunitiveCandidate>,
    pub minimum_fen: i64,
    pub total_fen: i64,
}

/// 消法第五十五条: refund of the price plus 3× the price, the punitive part at least ¥500.
pub fn consumer_fraud_damages(price_fen: i64) -> Result<DamagesBreakdown, DamagesError> {
    non_negative("price_fen", price_fen)?;
    let three_times = times(price_fen, 3)?;
    let candidates = vec![PunitiveCandidate { basis: PunitiveBasis::ThreeTimesPrice, amount_fen: three_times }];
    let (punitive, basis) = with_floor(&candidates, CONSUMER_FRAUD_MINIMUM_FEN);
    let total = price_fen.checked_add(punitive).ok_or(DamagesError::Overflow)?;
    Ok(DamagesBreakdown {
        rule: DamagesRule::ConsumerFraud,
        citation: Article::ConsumerLaw55.citation(),
        price_fen,
        refund_fen: price_fen,
        loss_compensation_fen: 0,
        punitive_fen: punitive,
        punitive_basis: basis,
        candidates,
        minimum_fen: CONSUMER_FRAUD_MINIMUM_FEN,
        total_fen: total,
    })
}

/// 食品安全法第一百四十八条: refund of the price, compensation of the loss (`loss_fen`: losses
/// beyond the price, e.g. medical costs), and a punitive part of the higher of 10× the price and
/// 3× the loss, at least ¥1000. On a tie 10× the price is named.
pub fn food_safety_damages(price_fen: i64, loss_fen: i64) -> Result<DamagesBreakdown, DamagesError> {
    non_negative("price_fen", price_fen)?;
    non_negative("loss_fen", loss_fen)?;
    let candidates = vec![
        PunitiveCandidate { basis: PunitiveBasis::TenTimesPrice, amount_fen: times(price_fen, 10)? },
        PunitiveCandidate { basis: PunitiveBasis::ThreeTimesLoss, amount_fen: times(loss_fen, 3)? },
    ];
    let (punitive, basis) = with_floor(&candidates, FOOD_SAFETY_MINIMUM_FEN);
    let total = price_fen.checked_add(loss_fen).and_then(|t| t.checked_add(punitive)).ok_or(DamagesError::Overflow)?;
    Ok(DamagesBreakdown {
        rule: DamagesRule::FoodSafety,
        citation: Article::FoodSafetyLaw148.citation(),
        price_fen,
        refund_fen: price_fen,
        loss_compensation_fen: loss_fen,
        punitive_fen: punitive,
        punitive_basis: basis,
        candidates,
        minimum_fen: FOOD_SAFETY_MINIMUM_FEN,
        total_fen: total,
    })
}

/// "¥1234.56" from fen (non-negative amounts only are produced here).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

/// The highest candidate (first wins a tie), or the floor if every candidate is below it.
fn with_floor(candidates: &[PunitiveCandidate], floor: i64) -> (i64, PunitiveBasis) {
    let best = candidates
        .iter()
        .copied()
        .reduce(|a, b| if b.amount_fen > a.amount_fen { b } else { a })
        .expect("at least one candidate");
    if best.amount_fen < floor { (floor, PunitiveBasis::StatutoryMinimum) } else { (best.amount_fen, best.basis) }
}

fn times(fen: i64, k: i64) -> Result<i64, DamagesError> {
    fen.checked_mul(k).ok_or(DamagesError::Overflow)
}

fn non_negative(field: &'static str, value: i64) -> Result<(), DamagesError> {
    if value < 0 { Err(DamagesError::Negative { field, value }) } else { Ok(()) }
}
