//! Provisional years: the public holidays the law itself fixes, for a year whose State Council
//! notice is not imported yet.
//!
//! 《全国年节及纪念日放假办法》 (as revised by 国务院令第795号, in force from 2025-01-01), 第二条:
//! 元旦 1 day (January 1); 春节 4 days (农历除夕, 正月初一 to 初三); 清明节 1 day (the day of the
//! 清明 solar term); 劳动节 2 days (May 1–2); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
//! 国庆节 3 days (October 1–3). 第六条: a holiday for all citizens that falls on a Saturday or
//! Sunday is given back on a working day (补假); here the first weekday after it that is not
//! itself a holiday, which is what every notice since the rule exists has done.
//!
//! What the law cannot say in advance is the notice's bridging: the extra days joined to a
//! holiday and the weekends worked in exchange (调休). A provisional year has neither, so its
//! deadlines may move when the notice is imported; they are marked `provisional` until then.
//!
//! Lunar dates and the 清明 solar term come from `tyme4rs` (6tail's Tyme, a port of the widely
//! used `lunar` calendar library; the shipped 2025 and 2026 notices are checked against it).

use jiff::civil::{Date, Weekday};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year the 2024 revision governs: earlier years cannot be derived from it.
pub const FIRST_YEAR: i16 = 2025;
/// The last year derived (a deadline is at most a year away; the lunar tables reach far beyond).
pub const LAST_YEAR: i16 = 2199;

/// Whether the provisional rule can give this year's holidays.
pub fn derivable(year: i16) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// A year's public holidays: date → name.
pub type Holidays = BTreeMap<Date, String>;

/// The public holidays of `year` by the law alone (with 补假), date → name; `None` outside
/// [`FIRST_YEAR`]..=[`LAST_YEAR`]. Computed once per year.
pub fn holidays(year: i16) -> Option<Arc<Holidays>> {
    static CACHE: LazyLock<Mutex<BTreeMap<i16, Arc<Holidays>>>> = LazyLock::new(Default::default);
    if !derivable(year) {
        return None;
    }
    let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(cache.entry(year).or_insert_with(|| Arc::new(derive(year))).clone())
}

/// The statutory days (第二条) of `year`, without 补假, each with its holiday's name.
pub fn statutory_days(year: i16) -> Vec<(Date, &'static str)> {
    let y = year as isize;
    let solar = |d: SolarDay| Date::new(d.get_year() as i16, d.get_month() as i8, d.get_day() as i8).expect("a date");
    let lunar = |month: isize, day: usize| solar(LunarDay::from_ymd(y, month, day).get_solar_day());
    let new_year = lunar(1, 1);
    let mut days = vec![(Date::new(year, 1, 1).expect("a date"), "元旦 New Year's Day")];
    let eve = new_year.yesterday().expect("a date");
    for day in [
        eve,
        new_year,
        new_year.tomorrow().expect("a date"),
        new_year.tomorrow().and_then(|d| d.tomorrow()).expect("a date"),
    ] {
        days.push((day, "春节 Spring Festival"));
    }
    days.push((solar(SolarTerm::from_name(y, "清明").get_solar_day()), "清明节 Qingming Festival"));
    days.push((Date::new(year, 5, 1).expect("a date"), "劳动节 Labour Day"));
    days.push((Date::new(year, 5, 2).expect("a date"), "劳动节 Labour Day"));
    days.push((lunar(5, 5), "端午节 Dragon Boat Festival"));
    days.push((lunar(8, 15), "中秋节 Mid-Autumn Festival"));
    for d in 1..=3 {
        days.push((Date::new(year, 10, d).expect("a date"), "国庆节 National Day"));
    }
    days
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn derive(year: i16) -> BTreeMap<Date, String> {
    let statutory = statutory_days(year);
    let mut days: BTreeMap<Date, String> = BTreeMap::new();
    for (date, name) in &statutory {
        // 中秋 may fall within 国庆: one day off either way.
        days.entry(*date).or_insert_with(|| (*name).to_owned());
    }
    // 补假: each statutory day on a weekend is given back on the first free weekday after it.
    let mut on_weekend: Vec<(Date, &str)> = statutory.iter().filter(|(d, _)| is_weekend(*d)).copied().collect();
    on_weekend.sort();
    on_weekend.dedup_by_key(|(d, _)| *d);
    for (date, name) in on_weekend {
        let mut day = date;
        loop {
            day = day.tomorrow().expect("a date");
            if !is_weekend(day) && !days.contains_key(&day) {
                break;
            }
        }
        // A substitute past New Year's Eve belongs to the next year's notice: not counted here.
        if day.year() == year {
            days.insert(day, format!("{name}(补假 day in lieu)"));
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_2027_holidays_by_hand() {
        // 2027: 正月初一 is Saturday 6 February (除夕 Friday 5th; 初二 Sunday, 初三 Monday 8th), so
        // two days fall on the weekend and come back on Tuesday 9th and Wednesday 10th.
        let days = holidays(2027).unwrap();
        for d in [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)] {
            assert!(days.contains_key(&d), "{d}");
        }
        assert!(!days.contains_key(&date(2027, 2, 11)));
        assert!(!days.contains_key(&date(2027, 1, 4)));
    }

    #[test]
    fn outside_the_rule_nothing_is_derived() {
        assert!(holidays(2024).is_none());
        assert!(holidays(LAST_YEAR + 1).is_none());
        assert!(holidays(LAST_YEAR).is_some());
    }
}
