//! The Asia/Shanghai business calendar: which days are working days.
//!
//! Platform SLAs and the regulator's clocks count working days (工作日). In China a working day is
//! not simply Monday–Friday: the State Council publishes every year which days are public holidays
//! (放假) and which weekend days become make-up workdays (调休上班). That list is data, reviewed
//! and imported by an admin, so it lives in a file ([`BusinessCalendar::embedded`] ships 2025 and
//! 2026) and can be replaced by any JSON text of the same shape ([`BusinessCalendar::from_json`]).
//!
//! A year without an imported notice is *provisional*: its public holidays are derived from the
//! law itself ([`crate::provisional`]), it has no 调休, and every working-day deadline counted
//! over it says so ([`WorkingDeadline::provisional_year`]) so it can be recomputed when the notice
//! is imported. Only a date before the data begins (before the first imported year and before
//! the 2024 revision of the holiday rules took effect) is an error
//! ([`CalendarError::YearNotCovered`]): guessing Monday–Friday there would silently move a legal
//! deadline across a holiday.
//!
//! Time zone: mainland China has kept UTC+08:00 without daylight saving since 1991, so the
//! "Asia/Shanghai" wall clock is computed with a fixed +08:00 offset. That keeps this crate pure
//! (no time zone database is read from disk) and exact for every year the calendar can cover.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::Offset;
use serde::{Deserialize, Serialize};

/// The offset of Asia/Shanghai (UTC+08:00, no daylight saving since 1991).
pub const SHANGHAI_OFFSET: Offset = Offset::constant(8);

/// The embedded, reviewed calendar file (2025 and 2026).
pub const EMBEDDED_CALENDAR_JSON: &str = include_str!("../data/calendar-cn.json");

/// The calendar date in Asia/Shanghai of an instant.
pub fn shanghai_date(at: Timestamp) -> Date {
    SHANGHAI_OFFSET.to_datetime(at).date()
}

/// 00:00 Asia/Shanghai at the start of `date`, or `None` past the end of representable time.
pub fn start_of_shanghai_day(date: Date) -> Option<Timestamp> {
    SHANGHAI_OFFSET.to_timestamp(date.to_datetime(Time::midnight())).ok()
}

/// 24:00 Asia/Shanghai at the end of `date` (= 00:00 of the next day).
pub fn end_of_shanghai_day(date: Date) -> Option<Timestamp> {
    start_of_shanghai_day(date.tomorrow().ok()?)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Before the data begins (no notice imported, and before the rule that provisional years
    /// follow): loud on purpose, never a Monday–Friday guess.
    #[error("the business calendar has no data for the year {0}: import that year's holiday notice")]
    YearNotCovered(i16),
    #[error("calendar file is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("the year {0} is declared twice")]
    DuplicateYear(i16),
    #[error("{date} is listed in year {year} but belongs to another year")]
    DateOutsideYear { year: i16, date: Date },
    #[error("holiday period {name} ends ({end}) before it starts ({start})")]
    InvertedPeriod { name: String, start: Date, end: Date },
    #[error("{0} is listed both as a public holiday and as a make-up workday")]
    HolidayAndWorkday(Date),
    #[error("{0} is listed twice")]
    DuplicateDate(Date),
    #[error("make-up workday {0} is not a Saturday or Sunday (weekdays are working days anyway)")]
    MakeUpWorkdayNotWeekend(Date),
    #[error("year {0} has no source; cite the State Council notice it was transcribed from")]
    MissingSource(i16),
    #[error("date arithmetic went past the representable range")]
    OutOfRange,
}

/// The file shape (JSON), as shipped in `data/calendar-cn.json` and accepted by the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    /// Documentation only: always Asia/Shanghai.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub years: Vec<CalendarYear>,
    /// Output only (ignored on import): the years deadlines are counted over provisionally that
    /// operators should import a notice for now, and what to do ([`BusinessCalendar::warnings`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisional_years: Vec<ProvisionalWarning>,
}

/// A year without an imported notice that operators should act on (what to do is the text
/// catalogue's `health-provisional-year`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct ProvisionalWarning {
    pub year: i16,
}

impl ProvisionalWarning {
    fn new(year: i16) -> ProvisionalWarning {
        ProvisionalWarning { year }
    }
}

/// One year as published in one State Council notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i16,
    /// The notice this year was transcribed from (required: the data must be reviewable).
    pub source: String,
    pub holidays: Vec<HolidayPeriod>,
    #[serde(default)]
    pub make_up_workdays: Vec<MakeUpWorkday>,
}

/// A run of public holiday days, `start..=end`. A period crossing New Year is split per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayPeriod {
    pub name: String,
    pub start: Date,
    /// Inclusive; omitted for a one-day holiday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
}

/// A Saturday or Sunday that is worked to make up for a holiday (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeUpWorkday {
    pub date: Date,
    #[serde(default)]
    pub name: String,
}

/// What kind of day a date is, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    /// A Saturday or Sunday worked by 调休.
    MakeUpWorkday {
        name: String,
    },
    Weekend,
    PublicHoliday {
        name: String,
    },
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct YearDays {
    source: String,
    holidays: BTreeMap<Date, String>,
    make_up_workdays: BTreeMap<Date, String>,
}

/// A working-day deadline, and whether a provisional year was counted to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDeadline {
    pub due: Timestamp,
    /// The first year without an imported notice among the days counted (day zero included):
    /// the deadline may move when that year's notice is imported.
    pub provisional_year: Option<i16>,
}

/// Where a year's days come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// Transcribed from the State Council's notice.
    Notice,
    /// Derived from 《全国年节及纪念日放假办法》 alone, without 调休.
    Provisional,
    /// Before the data begins.
    None,
}

/// How many days before a provisional year starts operators are warned to import its notice.
pub const WARN_DAYS_AHEAD: i64 = 60;

/// A validated business calendar covering a known set of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    years: BTreeMap<i16, YearDays>,
}

impl BusinessCalendar {
    /// The reviewed calendar shipped with the crate (2025 and 2026).
    pub fn embedded() -> Self {
        Self::from_json(EMBEDDED_CALENDAR_JSON).expect("the embedded calendar file is valid")
    }

    /// Parses and validates a calendar file (the admin import path).
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile = serde_json::from_str(text).map_err(|e| CalendarError::Malformed(e.to_string()))?;
        Self::from_file(file)
    }

    /// Validates a calendar file: every date in its declared year, no date listed twice, no date
    /// both holiday and workday, make-up workdays on weekends, a source cited.
    pub fn from_file(file: CalendarFile) -> Result<Self, CalendarError> {
        let mut years = BTreeMap::new();
        for y in file.years {
            if years.contains_key(&y.year) {
                return Err(CalendarError::DuplicateYear(y.year));
            }
            if y.source.trim().is_empty() {
                return Err(CalendarError::MissingSource(y.year));
            }
            let in_year = |date: Date| {
                if date.year() == y.year { Ok(()) } else { Err(CalendarError::DateOutsideYear { year: y.year, date }) }
            };
            let mut holidays = BTreeMap::new();
            for period in &y.holidays {
                let end = period.end.unwrap_or(period.start);
                in_year(period.start)?;
                in_year(end)?;
                if end < period.start {
                    return Err(CalendarError::InvertedPeriod { name: period.name.clone(), start: period.start, end });
                }
                let mut day = period.start;
                while day <= end {
                    if holidays.insert(day, period.name.clone()).is_some() {
                        return Err(CalendarError::DuplicateDate(day));
                    }
                    day = day.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
                }
            }
            let mut make_up_workdays = BTreeMap::new();
            for w in &y.make_up_workdays {
                in_year(w.date)?;
                if holidays.contains_key(&w.date) {
                    return Err(CalendarError::HolidayAndWorkday(w.date));
                }
                if !is_weekend(w.date) {
                    return Err(CalendarError::MakeUpWorkdayNotWeekend(w.date));
                }
                if make_up_workdays.insert(w.date, w.name.clone()).is_some() {
                    return Err(CalendarError::DuplicateDate(w.date));
                }
            }
            years.insert(y.year, YearDays { source: y.source, holidays, make_up_workdays });
        }
        Ok(Self { years })
    }

    /// The calendar back in file form (for export and admin editing).
    pub fn to_file(&self) -> CalendarFile {
        let years = self
            .years
            .iter()
            .map(|(&year, days)| CalendarYear {
                year,
                source: days.source.clone(),
                holidays: merge_into_periods(&days.holidays),
                make_up_workdays: days
                    .make_up_workdays
                    .iter()
                    .map(|(&date, name)| MakeUpWorkday { date, name: name.clone() })
                    .collect(),
            })
            .collect();
        CalendarFile { time_zone: Some("Asia/Shanghai".into()), note: None, years, provisional_years: Vec::new() }
    }

    /// The years this calendar covers, ascending.
    pub fn covered_years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// The notice a covered year was transcribed from.
    pub fn source(&self, year: i16) -> Option<&str> {
        self.years.get(&year).map(|y| y.source.as_str())
    }

    /// Where the days of `year` come from: an imported notice, the provisional rule, or nothing
    /// (before the data begins).
    pub fn year_source(&self, year: i16) -> YearSource {
        if self.years.contains_key(&year) {
            YearSource::Notice
        } else if crate::provisional::derivable(year) && self.years.keys().next().is_none_or(|&first| year > first) {
            YearSource::Provisional
        } else {
            YearSource::None
        }
    }

    /// The provisional years operators must hear about on `today`: the current year and, from
    /// [`WARN_DAYS_AHEAD`] days before it starts, the next one, when their notice is missing.
    pub fn provisional_years_to_warn(&self, today: Date) -> Vec<i16> {
        let next = today.year().saturating_add(1);
        let warn_next = Date::new(next, 1, 1)
            .ok()
            .and_then(|start| add_days(start, -WARN_DAYS_AHEAD))
            .is_some_and(|from| today >= from);
        let mut years = vec![today.year()];
        if warn_next {
            years.push(next);
        }
        years.retain(|&y| self.year_source(y) == YearSource::Provisional);
        years
    }

    /// [`Self::provisional_years_to_warn`] with what to do, in both languages.
    pub fn warnings(&self, today: Date) -> Vec<ProvisionalWarning> {
        self.provisional_years_to_warn(today).into_iter().map(ProvisionalWarning::new).collect()
    }

    /// Classifies a date: from the year's notice, else from the provisional rule; errors before
    /// the data begins.
    pub fn day_kind(&self, date: Date) -> Result<DayKind, CalendarError> {
        let provisional;
        let (holidays, make_up) = match self.years.get(&date.year()) {
            Some(days) => (&days.holidays, Some(&days.make_up_workdays)),
            None if self.year_source(date.year()) == YearSource::Provisional => {
                provisional = crate::provisional::holidays(date.year()).ok_or(CalendarError::OutOfRange)?;
                (provisional.as_ref(), None)
            }
            None => return Err(CalendarError::YearNotCovered(date.year())),
        };
        Ok(if let Some(name) = holidays.get(&date) {
            DayKind::PublicHoliday { name: name.clone() }
        } else if let Some(name) = make_up.and_then(|m| m.get(&date)) {
            DayKind::MakeUpWorkday { name: name.clone() }
        } else if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        })
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.day_kind(date)?.is_working())
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        let mut day = date;
        loop {
            day = day.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
            if self.is_working_day(day)? {
                return Ok(day);
            }
        }
    }

    /// A working-day deadline.
    ///
    /// Rule: the day of `start` (in Asia/Shanghai) is day zero and is never counted, whatever the
    /// hour; the deadline is the end (24:00 Asia/Shanghai, i.e. 00:00 of the following day) of the
    /// `n`-th working day after it. So a case filed on Friday 2025-03-07 at 09:00 with `n = 3` is
    /// due at the end of Wednesday 2025-03-12. With `n = 0` the deadline is the end of the day of
    /// `start` itself. This follows the civil-law rule that a period counted in days starts on
    /// the following day (民法典第二百零一条) and ends at 24:00 of its last day (第二百零三条).
    ///
    /// Errors with [`CalendarError::YearNotCovered`] if the day of `start` lies before the data
    /// begins. Years without a notice are counted provisionally (see [`Self::working_deadline`]).
    pub fn add_working_days(&self, start: Timestamp, n: u32) -> Result<Timestamp, CalendarError> {
        Ok(self.working_deadline(start, n)?.due)
    }

    /// [`Self::add_working_days`], saying whether a provisional year was counted.
    pub fn working_deadline(&self, start: Timestamp, n: u32) -> Result<WorkingDeadline, CalendarError> {
        let mut day = shanghai_date(start);
        // Day zero must have data too: a deadline from before the data begins is a data gap.
        self.day_kind(day)?;
        let mut provisional_year = None;
        let mut note = |day: Date| {
            if provisional_year.is_none() && self.year_source(day.year()) == YearSource::Provisional {
                provisional_year = Some(day.year());
            }
        };
        note(day);
        for _ in 0..n {
            let next = self.next_working_day(day)?;
            // Every day passed over was classified, from its year's data.
            if next.year() != day.year() {
                note(next);
            }
            day = next;
        }
        let due = end_of_shanghai_day(day).ok_or(CalendarError::OutOfRange)?;
        Ok(WorkingDeadline { due, provisional_year })
    }

    /// The number of working days in `(from, to]`: the days after `from` up to and including
    /// `to` (0 if `to <= from`). Consistent with [`Self::add_working_days`]: if the deadline of
    /// `n` working days after a day `d` is the end of day `e`, then `working_days_between(d, e)`
    /// is `n`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let mut count = 0u32;
        let mut day = from;
        while day < to {
            day = day.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Whether an imported notice covers the year of `date`.
    pub fn covers(&self, date: Date) -> bool {
        self.years.contains_key(&date.year())
    }
}

/// Consecutive days of the same holiday become one period again (the file's natural shape).
fn merge_into_periods(days: &BTreeMap<Date, String>) -> Vec<HolidayPeriod> {
    let mut periods: Vec<HolidayPeriod> = Vec::new();
    for (&day, name) in days {
        if let Some(last) = periods.last_mut() {
            let last_end = last.end.unwrap_or(last.start);
            if &last.name == name && last_end.tomorrow().ok() == Some(day) {
                last.end = Some(day);
                continue;
            }
        }
        periods.push(HolidayPeriod { name: name.clone(), start: day, end: None });
    }
    periods
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `date + days` natural days (used by the natural-day windows of consumer law).
pub(crate) fn add_days(date: Date, days: i64) -> Option<Date> {
    // `try_days`, not `days()`: the latter panics on spans jiff cannot represent.
    let span = jiff::Span::new().try_days(days).ok()?;
    date.checked_add(span).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn embedded_calendar_loads_and_cites_its_sources() {
        let cal = BusinessCalendar::embedded();
        assert_eq!(cal.covered_years(), vec![2025, 2026]);
        assert!(cal.source(2025).unwrap().contains("国办发明电〔2024〕12号"));
        assert!(cal.source(2026).unwrap().contains("国办发明电〔2025〕7号"));
    }

    #[test]
    fn round_trips_through_file_form() {
        let cal = BusinessCalendar::embedded();
        let again = BusinessCalendar::from_file(cal.to_file()).unwrap();
        assert_eq!(cal, again);
        let json = serde_json::to_string(&cal.to_file()).unwrap();
        assert_eq!(BusinessCalendar::from_json(&json).unwrap(), cal);
    }

    #[test]
    fn export_merges_holiday_runs_back_into_periods() {
        let file = BusinessCalendar::embedded().to_file();
        let y2025 = &file.years[0];
        assert_eq!(y2025.holidays.len(), 6);
        assert_eq!(y2025.holidays[1].start, date(2025, 1, 28));
        assert_eq!(y2025.holidays[1].end, Some(date(2025, 2, 4)));
    }

    #[test]
    fn day_kinds() {
        let cal = BusinessCalendar::embedded();
        assert!(matches!(cal.day_kind(date(2025, 1, 29)).unwrap(), DayKind::PublicHoliday { .. }));
        assert!(matches!(cal.day_kind(date(2025, 2, 8)).unwrap(), DayKind::MakeUpWorkday { .. }));
        assert_eq!(cal.day_kind(date(2025, 3, 8)).unwrap(), DayKind::Weekend);
        assert_eq!(cal.day_kind(date(2025, 3, 10)).unwrap(), DayKind::Workday);
    }
}
