//! One precision for time: microseconds. Clocks may give nanoseconds, the stores keep
//! microseconds; a deadline compared at a finer precision than it is stored at never matches its
//! own sweep (a timeout refused as stale). So times are cut to microseconds where they enter,
//! and deadlines are compared at that precision.

use jiff::Timestamp;

/// `at` truncated to whole microseconds (towards the past).
pub fn micros(at: Timestamp) -> Timestamp {
    let us = at.as_microsecond();
    // `as_microsecond` rounds towards zero: before 1970 step one back to stay in the past.
    let us = if us < 0 && Timestamp::from_microsecond(us).is_ok_and(|t| t > at) { us - 1 } else { us };
    Timestamp::from_microsecond(us).unwrap_or(at)
}

/// Whether two instants are the same to the microsecond.
pub fn same_micros(a: Timestamp, b: Timestamp) -> bool {
    micros(a) == micros(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn micros_truncates_and_is_idempotent(ns in -1_000_000_000_000_000_000i128..4_000_000_000_000_000_000i128) {
            let at = Timestamp::from_nanosecond(ns).unwrap();
            let cut = micros(at);
            prop_assert!(cut <= at);
            prop_assert!(at.duration_since(cut) < jiff::SignedDuration::from_micros(1));
            prop_assert_eq!(cut.subsec_nanosecond() % 1000, 0);
            prop_assert_eq!(micros(cut), cut);
            prop_assert!(same_micros(at, cut));
        }
    }
}
