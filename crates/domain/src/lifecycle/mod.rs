//! `decide(case, command, actor, env) -> events` and `apply(case, event) -> case`: the whole
//! lifecycle of DESIGN.md as two pure functions. `decide` is `permit` (who and when, by the
//! command's kind only, so `offered` can list what someone may do) followed by the arguments'
//! checks and the events. The store appends what `decide` returns; the
//! sweeper fires deadlines through the same `decide` as `Actor::System`.

mod apply;
mod deadlines;
mod decide;
pub(crate) mod filing;
#[cfg(test)]
mod tests;

pub use apply::apply;
pub use decide::{appeal_window_end, decide, offered, permit};
pub use filing::decide_filing;

use crate::policy::Policy;
use jiff::Timestamp;

pub use redress_law::calendar::WorkingDeadline;

/// A year the business calendar has no data for: before its data begin (a year without a notice
/// is provisional, never a gap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarGap {
    pub year: i16,
}

/// Working-day arithmetic (Asia/Shanghai, with public holidays and 调休), provided by the caller.
pub trait WorkingCalendar: Send + Sync {
    /// The end of the `days`-th working day after the day of `from`, and whether a provisional
    /// year was counted.
    fn working_deadline(&self, from: Timestamp, days: u32) -> Result<WorkingDeadline, CalendarGap>;

    /// The end of the `days`-th working day after the day of `from`.
    fn add_working_days(&self, from: Timestamp, days: u32) -> Result<Timestamp, CalendarGap> {
        self.working_deadline(from, days).map(|d| d.due)
    }
}

/// What a decision may depend on besides the case and the command.
pub struct Env<'a> {
    pub now: Timestamp,
    pub policy: &'a Policy,
    pub calendar: &'a dyn WorkingCalendar,
}

/// The business calendar of `redress-law` (Asia/Shanghai, holidays and 调休 as data).
impl WorkingCalendar for redress_law::calendar::BusinessCalendar {
    fn working_deadline(&self, from: Timestamp, days: u32) -> Result<WorkingDeadline, CalendarGap> {
        redress_law::calendar::BusinessCalendar::working_deadline(self, from, days).map_err(|e| {
            match e {
                redress_law::calendar::CalendarError::YearNotCovered(year) => CalendarGap { year },
                // Any other failure is also a date the calendar cannot answer for: refuse loudly.
                _ => CalendarGap { year: redress_law::calendar::shanghai_date(from).year() },
            }
        })
    }
}
