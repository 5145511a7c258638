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

/// Which rule set the punitive amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
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

/// What the buyer may claim, line by line, with the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct DamagesBreakdown {
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
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// 消法第五十五条: refund of the price plus 3× the price, the punitive part at least ¥500.
pub fn consumer_fraud_damages(price_fen: i64) -> Result<DamagesBreakdown, DamagesError> {
    non_negative("price_fen", price_fen)?;
    let three_times = times(price_fen, 3)?;
    let candidates = vec![PunitiveCandidate { basis: PunitiveBasis::ThreeTimesPrice, amount_fen: three_times }];
    let (punitive, basis) = with_floor(&candidates, CONSUMER_FRAUD_MINIMUM_FEN);
    let total = price_fen.checked_add(punitive).ok_or(DamagesError::Overflow)?;
    let citation = Article::ConsumerLaw55.citation();
    let rule_zh = match basis {
        PunitiveBasis::StatutoryMinimum => {
            format!("价款三倍为{}，不足五百元，按五百元计", yuan(three_times))
        }
        _ => format!("增加赔偿为价款的三倍即{}", yuan(punitive)),
    };
    let rule_en = match basis {
        PunitiveBasis::StatutoryMinimum => {
            format!("3× the price is {}, below the ¥500 floor, so ¥500 applies", yuan(three_times))
        }
        _ => format!("the punitive part is 3× the price, {}", yuan(punitive)),
    };
    Ok(DamagesBreakdown {
        explanation_zh: format!(
            "依据{}，经营者有欺诈行为的，退还价款{}；{}；合计{}。",
            citation.zh,
            yuan(price_fen),
            rule_zh,
            yuan(total)
        ),
        explanation_en: format!(
            "Under {}, for fraud the price of {} is paid back; {}; total {}.",
            citation.en,
            yuan(price_fen),
            rule_en,
            yuan(total)
        ),
        citation,
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
    let citation = Article::FoodSafetyLaw148.citation();
    let (rule_zh, rule_en) = match basis {
        PunitiveBasis::StatutoryMinimum => (
            format!(
                "价款十倍为{}、损失三倍为{}，均不足一千元，按一千元计",
                yuan(candidates[0].amount_fen),
                yuan(candidates[1].amount_fen)
            ),
            format!(
                "10× the price is {} and 3× the loss is {}, both below the ¥1000 floor, so ¥1000 applies",
                yuan(candidates[0].amount_fen),
                yuan(candidates[1].amount_fen)
            ),
        ),
        PunitiveBasis::ThreeTimesLoss => (
            format!("赔偿金按损失三倍计（高于价款十倍），为{}", yuan(punitive)),
            format!("the punitive part is 3× the loss (higher than 10× the price), {}", yuan(punitive)),
        ),
        _ => (
            format!("赔偿金按价款十倍计，为{}", yuan(punitive)),
            format!("the punitive part is 10× the price, {}", yuan(punitive)),
        ),
    };
    Ok(DamagesBreakdown {
        explanation_zh: format!(
            "依据{}，退还价款{}，赔偿损失{}；{}；合计{}。",
            citation.zh,
            yuan(price_fen),
            yuan(loss_fen),
            rule_zh,
            yuan(total)
        ),
        explanation_en: format!(
            "Under {}, the price of {} is paid back and the loss of {} compensated; {}; total {}.",
            citation.en,
            yuan(price_fen),
            yuan(loss_fen),
            rule_en,
            yuan(total)
        ),
        citation,
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
