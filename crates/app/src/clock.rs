//! Time as a port: production reads the system clock; tests move a manual clock forward.
//!
//! Every clock gives microseconds (`redress_domain::time::micros`): the precision the stores
//! keep, so what is stored, swept and compared is the same value on SQLite and PostgreSQL.

use jiff::{SignedDuration, Timestamp};
use redress_domain::time::micros;
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        micros(Timestamp::now())
    }
}

/// The system clock shifted to start at a given instant and then run in real time: for
/// rehearsing a date (the demo on a day of a provisional year, tests of the binary). Never used
/// unless asked for (`--clock-start`).
pub struct ShiftedClock(SignedDuration);

impl ShiftedClock {
    pub fn starting_at(start: Timestamp) -> ShiftedClock {
        ShiftedClock(start.duration_since(Timestamp::now()))
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        micros(Timestamp::now().saturating_add(self.0).unwrap_or(Timestamp::MAX))
    }
}

/// A clock that only moves when told to: the test suites' way to pass 48 hours in a moment.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().expect("clock lock");
        *now = now.checked_add(by).expect("time in range");
    }

    pub fn set(&self, to: Timestamp) {
        *self.0.lock().expect("clock lock") = to;
    }
}

impl Clock for ManualClock {
    /// Cut to microseconds like every clock: the test may keep nanoseconds, the app never sees them.
    fn now(&self) -> Timestamp {
        micros(*self.0.lock().expect("clock lock"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_give_microseconds() {
        let start: Timestamp = "2026-12-20T02:00:00.123456789Z".parse().unwrap();
        let manual = ManualClock::new(start);
        assert_eq!(manual.now(), "2026-12-20T02:00:00.123456Z".parse().unwrap());
        assert_eq!(SystemClock.now().subsec_nanosecond() % 1000, 0);
        let shifted = ShiftedClock::starting_at(start);
        assert_eq!(shifted.now().subsec_nanosecond() % 1000, 0);
        assert!(
            shifted.now() >= manual.now() && shifted.now() < start.checked_add(SignedDuration::from_secs(60)).unwrap()
        );
    }
}
