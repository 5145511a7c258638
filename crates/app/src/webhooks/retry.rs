//! When a failed delivery is tried again: exponential backoff with jitter, for a window (24 h
//! by default) from the first attempt (or from a redelivery), then the delivery is dead-lettered.

use jiff::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The gap after the first failed attempt.
    pub first: SignedDuration,
    /// Gaps double up to this.
    pub max_gap: SignedDuration,
    /// No attempt is scheduled later than this after the window started: dead-lettered.
    pub window: SignedDuration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first: SignedDuration::from_secs(30),
            max_gap: SignedDuration::from_hours(2),
            window: SignedDuration::from_hours(24),
        }
    }
}

/// Each gap is its nominal value times a factor in [1 - JITTER, 1 + JITTER): with doubling,
/// the next gap is always longer than this one until the cap, and receivers that failed together
/// are not all retried in the same instant.
pub const JITTER: f64 = 0.25;

impl RetryPolicy {
    /// The time of the next attempt after `attempts` failed ones (1 or more) in a window that
    /// started at `window_start`, the last failing at `now`; `None`: the window is over (dead
    /// letter). `jitter` is uniform in [0, 1). Microsecond precision, as the store keeps it.
    pub fn next_attempt(
        &self,
        attempts: u32,
        window_start: Timestamp,
        now: Timestamp,
        jitter: f64,
    ) -> Option<Timestamp> {
        let doublings = attempts.saturating_sub(1).min(40);
        let nominal = self.first.as_secs_f64() * 2f64.powi(doublings as i32);
        let nominal = nominal.min(self.max_gap.as_secs_f64());
        let factor = 1.0 - JITTER + 2.0 * JITTER * jitter.clamp(0.0, 1.0);
        let gap = SignedDuration::try_from_secs_f64(nominal * factor).ok()?;
        let next = redress_domain::time::micros(now.checked_add(gap).ok()?);
        let end = window_start.checked_add(self.window).ok()?;
        (next <= end).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn start() -> Timestamp {
        "2026-03-02T01:00:00.123456789Z".parse().unwrap()
    }

    proptest! {
        /// Whatever the jitter, every gap is longer than the one before it until the cap, never
        /// beyond the cap's jitter, and nothing is scheduled after the window.
        #[test]
        fn gaps_grow_until_the_cap_and_stop_at_the_window(jitters in proptest::collection::vec(0.0f64..1.0, 60)) {
            let policy = RetryPolicy::default();
            let mut now = start();
            let mut last_gap = SignedDuration::ZERO;
            let mut attempts = 0;
            for j in jitters {
                attempts += 1;
                let Some(next) = policy.next_attempt(attempts, start(), now, j) else { break };
                let gap = next.duration_since(now);
                prop_assert!(next <= start().checked_add(policy.window).unwrap());
                prop_assert!(gap.as_secs_f64() <= policy.max_gap.as_secs_f64() * (1.0 + JITTER) + 1e-6);
                let uncapped = policy.first.as_secs_f64() * 2f64.powi(attempts as i32 - 1) <= policy.max_gap.as_secs_f64();
                if uncapped {
                    prop_assert!(gap > last_gap, "attempt {}: {:?} after {:?}", attempts, gap, last_gap);
                }
                prop_assert_eq!(next.subsec_nanosecond() % 1000, 0);
                last_gap = gap;
                now = next;
            }
        }
    }

    #[test]
    fn a_day_of_retries_then_dead() {
        let policy = RetryPolicy::default();
        let (mut now, mut attempts) = (start(), 0);
        while let Some(next) = policy.next_attempt(attempts + 1, start(), now, 0.5) {
            attempts += 1;
            now = next;
        }
        assert!(attempts >= 15, "{attempts} attempts in a day");
        assert!(now.duration_since(start()) > SignedDuration::from_hours(20));
    }
}
