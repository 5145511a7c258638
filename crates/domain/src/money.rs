//! Money is integer fen (分) in CNY. No floats anywhere.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Money(i64);

/// Read as an integer of fen, and said so when it is not one (`AMOUNT_EXPECTED`): a refused
/// quantity and a refused amount were both told "an integer (amounts: whole fen)".
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct Fen;
        impl serde::de::Visitor<'_> for Fen {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(AMOUNT_EXPECTED)
            }
            fn visit_i64<E: serde::de::Error>(self, fen: i64) -> Result<Money, E> {
                Ok(Money(fen))
            }
            fn visit_u64<E: serde::de::Error>(self, fen: u64) -> Result<Money, E> {
                i64::try_from(fen).map(Money).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(fen), &self))
            }
        }
        deserializer.deserialize_i64(Fen)
    }
}

/// What serde says an amount takes, in a refusal of another value (`Detail::json` names it).
pub const AMOUNT_EXPECTED: &str = "an amount in whole fen";

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `self - other`, floored at zero: what is left of a budget.
    pub fn saturating_remaining(self, other: Money) -> Money {
        Money((self.0 - other.0).max(0))
    }

    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.0.checked_mul(factor).map(Money)
    }

    /// Splits `self` into parts proportional to `weights`. Rounding rule: every part is
    /// floored, and the fen left over go one each to the parts with the largest remainders
    /// (earliest first on ties), so the parts always sum to the whole.
    pub fn split(self, weights: &[i64]) -> Vec<Money> {
        let total: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
        if weights.is_empty() {
            return Vec::new();
        }
        if total == 0 {
            let mut parts = vec![Money::ZERO; weights.len()];
            parts[0] = self;
            return parts;
        }
        let whole = i128::from(self.0);
        let mut parts: Vec<(i128, i128)> = weights
            .iter()
            .map(|w| {
                let exact = whole * i128::from((*w).max(0));
                (exact.div_euclid(total), exact.rem_euclid(total))
            })
            .collect();
        let assigned: i128 = parts.iter().map(|(q, _)| q).sum();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
        for idx in order.into_iter().take((whole - assigned) as usize) {
            parts[idx].0 += 1;
        }
        parts.into_iter().map(|(q, _)| Money(q as i64)).collect()
    }
}

impl fmt::Display for Money {
    /// `¥12.34`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}¥{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_yuan() {
        assert_eq!(Money::from_fen(12345).to_string(), "¥123.45");
        assert_eq!(Money::from_fen(5).to_string(), "¥0.05");
    }

    #[test]
    fn split_gives_leftover_to_largest_remainder() {
        let parts = Money::from_fen(100).split(&[1, 1, 1]);
        assert_eq!(parts, vec![Money(34), Money(33), Money(33)]);
    }

    proptest! {
        #[test]
        fn split_parts_sum_to_whole(whole in 0i64..10_000_000, weights in prop::collection::vec(0i64..10_000, 1..8)) {
            let parts = Money::from_fen(whole).split(&weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().map(|m| m.fen()).sum::<i64>(), whole);
            prop_assert!(parts.iter().all(|m| m.fen() >= 0));
        }
    }
}
