//! Whole numbers a field takes within a range, refused as they are read when outside it. The
//! refusal says the range in serde's words ("expected from 1 to 100000"), which `Detail::json`
//! tells as that range; the type's own limit said only "out of range" (trial helper-48: a
//! quantity of 4294967297).

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// `#[serde(deserialize_with = "crate::bounded::within::<_, _, MIN, MAX>")]`.
pub fn within<'de, D, T, const MIN: i64, const MAX: i64>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let value = deserializer.deserialize_i64(Within { min: MIN, max: MAX })?;
    T::try_from(value).map_err(|_| D::Error::invalid_value(Unexpected::Signed(value), &range(MIN, MAX).as_str()))
}

/// Reads an integer of any JSON width (a float or a string is of the wrong type, as serde says).
struct Within {
    min: i64,
    max: i64,
}

impl Visitor<'_> for Within {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<i64, E> {
        match (self.min..=self.max).contains(&value) {
            true => Ok(value),
            false => Err(E::invalid_value(Unexpected::Signed(value), &range(self.min, self.max).as_str())),
        }
    }

    /// A whole number past 64 bits arrives as a float: out of range, and told so.
    fn visit_f64<E: Error>(self, value: f64) -> Result<i64, E> {
        match value.fract() == 0.0 && !(self.min as f64..=self.max as f64).contains(&value) {
            true => Err(E::invalid_value(Unexpected::Float(value), &range(self.min, self.max).as_str())),
            false => Err(E::invalid_type(Unexpected::Float(value), &self)),
        }
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<i64, E> {
        let refused = || E::invalid_value(Unexpected::Unsigned(value), &range(self.min, self.max).as_str());
        i64::try_from(value).map_err(|_| refused()).and_then(|v| self.visit_i64(v))
    }
}

/// What a bounded field expects, as serde's messages say it.
fn range(min: i64, max: i64) -> String {
    format!("{RANGE_PREFIX}{min} to {max}")
}

const RANGE_PREFIX: &str = "from ";

/// The range an expectation of [`within`] names.
pub(crate) fn range_in(expected: &str) -> Option<(i64, i64)> {
    let (min, max) = expected.strip_prefix(RANGE_PREFIX)?.split_once(" to ")?;
    Some((min.parse().ok()?, max.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Item {
        #[serde(deserialize_with = "within::<_, _, 1, 100_000>")]
        quantity: u32,
    }

    fn read(json: &str) -> Result<u32, String> {
        serde_json::from_str::<Item>(json).map(|i| i.quantity).map_err(|e| e.to_string())
    }

    #[test]
    fn a_value_outside_the_range_is_refused_with_the_range() {
        assert_eq!(read(r#"{"quantity": 1}"#), Ok(1));
        assert_eq!(read(r#"{"quantity": 100000}"#), Ok(100_000));
        // Past 64 bits too (trial helper-49: 1e30 said "takes an integer").
        for sent in
            ["0", "-1", "100001", "4294967297", "18446744073709551615", "1000000000000000000000000000000", "-1e30"]
        {
            let refused = read(&format!(r#"{{"quantity": {sent}}}"#)).unwrap_err();
            assert!(refused.contains("expected from 1 to 100000"), "{sent}: {refused}");
            let expected = refused.rsplit_once(", expected ").unwrap().1.split(" at line").next().unwrap();
            assert_eq!(range_in(expected), Some((1, 100_000)));
        }
        let fraction = read(r#"{"quantity": 1.5}"#).unwrap_err();
        assert!(fraction.contains("invalid type"), "{fraction}");
    }
}
