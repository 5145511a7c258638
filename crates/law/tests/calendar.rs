//! Working-day arithmetic across the 2025–2026 holidays and 调休 weekend workdays.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use redress_law::calendar::{BusinessCalendar, CalendarError, DayKind, YearSource};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn cal() -> BusinessCalendar {
    BusinessCalendar::embedded()
}

#[test]
fn working_days_table() {
    let cal = cal();
    let table: &[(Date, bool, &str)] = &[
        // 2025
        (date(2025, 1, 1), false, "New Year's Day (Wed)"),
        (date(2025, 1, 26), true, "Sunday worked for Spring Festival"),
        (date(2025, 1, 27), true, "Monday before Spring Festival"),
        (date(2025, 1, 28), false, "Spring Festival eve (Tue)"),
        (date(2025, 2, 3), false, "Spring Festival Monday"),
        (date(2025, 2, 4), false, "last day of Spring Festival (Tue)"),
        (date(2025, 2, 5), true, "first working day after Spring Festival"),
        (date(2025, 2, 8), true, "Saturday worked for Spring Festival"),
        (date(2025, 2, 9), false, "ordinary Sunday"),
        (date(2025, 4, 4), false, "Qingming (Fri)"),
        (date(2025, 4, 27), true, "Sunday worked for Labour Day"),
        (date(2025, 5, 5), false, "Labour Day holiday Monday"),
        (date(2025, 6, 2), false, "Dragon Boat Monday"),
        (date(2025, 9, 28), true, "Sunday worked for National Day"),
        (date(2025, 10, 8), false, "last day of National Day + Mid-Autumn (Wed)"),
        (date(2025, 10, 11), true, "Saturday worked for National Day"),
        (date(2025, 10, 12), false, "ordinary Sunday"),
        (date(2025, 12, 31), true, "ordinary Wednesday"),
        // 2026
        (date(2026, 1, 2), false, "New Year holiday (Fri)"),
        (date(2026, 1, 4), true, "Sunday worked for New Year"),
        (date(2026, 2, 14), true, "Saturday worked before Spring Festival"),
        (date(2026, 2, 16), false, "Spring Festival eve (Mon)"),
        (date(2026, 2, 23), false, "last day of Spring Festival (Mon)"),
        (date(2026, 2, 24), true, "first working day after Spring Festival"),
        (date(2026, 2, 28), true, "Saturday worked after Spring Festival"),
        (date(2026, 4, 6), false, "Qingming Monday"),
        (date(2026, 5, 5), false, "Labour Day holiday Tuesday"),
        (date(2026, 5, 9), true, "Saturday worked for Labour Day"),
        (date(2026, 6, 19), false, "Dragon Boat (Fri)"),
        (date(2026, 9, 20), true, "Sunday worked for National Day"),
        (date(2026, 9, 25), false, "Mid-Autumn (Fri)"),
        (date(2026, 10, 7), false, "last day of National Day (Wed)"),
        (date(2026, 10, 8), true, "Thursday after National Day"),
        (date(2026, 10, 10), true, "Saturday worked for National Day"),
    ];
    for &(day, working, why) in table {
        assert_eq!(cal.is_working_day(day), Ok(working), "{day}: {why}");
    }
}

#[test]
fn add_working_days_table() {
    let cal = cal();
    // (start, n, deadline): the deadline is 24:00 Asia/Shanghai of the n-th working day after
    // the day of start, written here as 00:00 of the following day.
    let table: &[(&str, u32, &str, &str)] = &[
        ("2025-03-07T09:00:00+08:00", 3, "2025-03-13T00:00:00+08:00", "Fri + 3 = end of Wed"),
        ("2025-03-07T09:00:00+08:00", 0, "2025-03-08T00:00:00+08:00", "n = 0 is the end of the day itself"),
        ("2025-01-24T10:00:00+08:00", 1, "2025-01-27T00:00:00+08:00", "make-up Sunday 01-26 is the first working day"),
        ("2025-01-24T10:00:00+08:00", 2, "2025-01-28T00:00:00+08:00", "Mon 01-27"),
        ("2025-01-24T10:00:00+08:00", 3, "2025-02-06T00:00:00+08:00", "jumps the whole Spring Festival to 02-05"),
        (
            "2025-01-27T18:00:00+08:00",
            3,
            "2025-02-08T00:00:00+08:00",
            "first-action SLA filed the day before the festival",
        ),
        ("2025-01-27T18:00:00+08:00", 4, "2025-02-09T00:00:00+08:00", "make-up Saturday 02-08 counts"),
        (
            "2025-09-26T15:00:00+08:00",
            15,
            "2025-10-24T00:00:00+08:00",
            "15-working-day decision SLA across National Day",
        ),
        ("2025-12-30T11:00:00+08:00", 3, "2026-01-06T00:00:00+08:00", "across the year: 12-31, make-up 01-04, 01-05"),
        ("2026-02-13T12:00:00+08:00", 1, "2026-02-15T00:00:00+08:00", "make-up Saturday 02-14"),
        ("2026-02-13T12:00:00+08:00", 2, "2026-02-25T00:00:00+08:00", "2026 Spring Festival 02-15..02-23 skipped"),
        ("2026-04-30T20:00:00+08:00", 2, "2026-05-08T00:00:00+08:00", "Labour Day 05-01..05-05 skipped: 05-06, 05-07"),
        (
            "2025-01-24T17:00:00Z",
            1,
            "2025-01-27T00:00:00+08:00",
            "the day is taken in Shanghai: 17:00Z is already Saturday 01:00 there",
        ),
        ("2026-12-30T09:00:00+08:00", 1, "2027-01-01T00:00:00+08:00", "ends exactly at the end of the covered range"),
    ];
    for &(start, n, want, why) in table {
        assert_eq!(cal.add_working_days(ts(start), n), Ok(ts(want)), "{start} + {n}: {why}");
    }
}

#[test]
fn only_dates_before_the_data_begin_fail() {
    let cal = cal();
    assert_eq!(cal.is_working_day(date(2024, 6, 3)), Err(CalendarError::YearNotCovered(2024)));
    // A start in 2024 is an error even though the days counted are in 2025.
    assert_eq!(cal.add_working_days(ts("2024-12-31T10:00:00+08:00"), 1), Err(CalendarError::YearNotCovered(2024)));
    assert_eq!(
        cal.working_days_between(date(2024, 12, 1), date(2025, 1, 10)),
        Err(CalendarError::YearNotCovered(2024))
    );
    let msg = CalendarError::YearNotCovered(2024).to_string();
    assert!(msg.contains("2024"), "{msg}");
    // A calendar whose data begin in 2026 has nothing for 2025 either.
    let from_2026 = BusinessCalendar::from_json(&only_year(2026)).unwrap();
    assert_eq!(from_2026.is_working_day(date(2025, 3, 3)), Err(CalendarError::YearNotCovered(2025)));
}

fn only_year(year: i16) -> String {
    let mut file = cal().to_file();
    file.years.retain(|y| y.year == year);
    serde_json::to_string(&file).unwrap()
}

#[test]
fn a_year_without_a_notice_is_provisional_not_refused() {
    let cal = cal();
    assert_eq!(cal.year_source(2026), YearSource::Notice);
    assert_eq!(cal.year_source(2027), YearSource::Provisional);
    assert_eq!(cal.year_source(2024), YearSource::None);
    // 2026-12-30 (Wed) + 2: Thu 31st is day 1; Fri 2027-01-01 is 元旦; the weekend; Mon 4th is day 2.
    let d = cal.working_deadline(ts("2026-12-30T09:00:00+08:00"), 2).unwrap();
    assert_eq!(d.due, ts("2027-01-05T00:00:00+08:00"));
    assert_eq!(d.provisional_year, Some(2027));
    // Within 2026 nothing is provisional, even when 2027 is.
    let d = cal.working_deadline(ts("2026-12-28T09:00:00+08:00"), 3).unwrap();
    assert_eq!((d.due, d.provisional_year), (ts("2027-01-01T00:00:00+08:00"), None));
    assert_eq!(cal.working_days_between(date(2026, 12, 1), date(2027, 1, 10)), Ok(27));
    // A provisional year has no 调休: every Saturday rests.
    assert_eq!(cal.day_kind(date(2027, 2, 20)), Ok(DayKind::Weekend));
    assert!(matches!(cal.day_kind(date(2027, 2, 9)), Ok(DayKind::PublicHoliday { .. })));
}

#[test]
fn operators_are_warned_sixty_days_ahead() {
    let cal = cal();
    assert_eq!(cal.provisional_years_to_warn(date(2026, 11, 1)), Vec::<i16>::new());
    assert_eq!(cal.provisional_years_to_warn(date(2026, 11, 2)), vec![2027]);
    assert_eq!(cal.provisional_years_to_warn(date(2027, 6, 1)), vec![2027]);
    assert_eq!(cal.provisional_years_to_warn(date(2027, 12, 31)), vec![2027, 2028]);
}

/// Every statutory day the provisional rule derives for 2025 and 2026 (with its 补假) is a
/// holiday of that year's notice: the rule and the crate's lunar tables agree with the source.
#[test]
fn the_provisional_rule_reproduces_the_shipped_notices() {
    let official = cal();
    for year in [2025i16, 2026] {
        let statutory = redress_law::provisional::statutory_days(year);
        assert_eq!(statutory.len(), 13, "{year}: 13 statutory days (2024 revision)");
        let derived = redress_law::provisional::holidays(year).unwrap();
        for (day, name) in derived.iter() {
            assert!(
                matches!(official.day_kind(*day), Ok(DayKind::PublicHoliday { .. })),
                "{year}: provisional {name} on {day} is not a holiday of the notice"
            );
        }
        // And every holiday period of the notice contains a statutory day (nothing is missed).
        for period in &official.to_file().years.iter().find(|y| y.year == year).unwrap().holidays {
            let end = period.end.unwrap_or(period.start);
            assert!(statutory.iter().any(|(d, _)| (period.start..=end).contains(d)), "{year}: {}", period.name);
        }
    }
    // Spot checks against the notices' text: 除夕 2025-01-28 and 2026-02-16, 清明 2025-04-04 and
    // 2026-04-05, 端午 2025-05-31 and 2026-06-19, 中秋 2025-10-06 and 2026-09-25.
    let days: Vec<Date> =
        [2025, 2026].into_iter().flat_map(redress_law::provisional::statutory_days).map(|(d, _)| d).collect();
    for d in [
        date(2025, 1, 28),
        date(2026, 2, 16),
        date(2025, 4, 4),
        date(2026, 4, 5),
        date(2025, 5, 31),
        date(2026, 6, 19),
        date(2025, 10, 6),
        date(2026, 9, 25),
    ] {
        assert!(days.contains(&d), "{d}");
    }
}

#[test]
fn working_days_between_matches_add_working_days() {
    let cal = cal();
    assert_eq!(
        cal.working_days_between(date(2025, 1, 24), date(2025, 2, 7)),
        Ok(5),
        "01-26, 01-27, 02-05, 02-06, 02-07"
    );
    assert_eq!(cal.working_days_between(date(2025, 2, 7), date(2025, 1, 24)), Ok(0));
    assert_eq!(cal.working_days_between(date(2025, 9, 26), date(2025, 10, 23)), Ok(15));
}

#[test]
fn whole_years_have_the_expected_number_of_working_days() {
    // 2025: 261 weekdays − 18 holiday weekdays + 5 make-up weekend days = 248.
    // 2026: 261 weekdays − 19 holiday weekdays + 6 make-up weekend days = 248.
    let cal = cal();
    assert_eq!(cal.working_days_between(date(2024, 12, 31), date(2025, 12, 31)), Ok(248));
    assert_eq!(cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31)), Ok(248));
}

#[test]
fn day_kinds_name_the_holiday() {
    let cal = cal();
    match cal.day_kind(date(2026, 2, 17)).unwrap() {
        DayKind::PublicHoliday { name } => assert!(name.contains("春节"), "{name}"),
        other => panic!("{other:?}"),
    }
    match cal.day_kind(date(2025, 10, 11)).unwrap() {
        DayKind::MakeUpWorkday { name } => assert!(name.contains("国庆"), "{name}"),
        other => panic!("{other:?}"),
    }
}

fn one_year(holidays: &str, workdays: &str) -> String {
    format!(
        r#"{{"years": [{{"year": 2030, "source": "test notice", "holidays": [{holidays}], "make_up_workdays": [{workdays}]}}]}}"#
    )
}

#[test]
fn imports_validate_their_data() {
    // A valid minimal import covers exactly its year.
    let ok = BusinessCalendar::from_json(&one_year(
        r#"{"name": "元旦", "start": "2030-01-01"}"#,
        r#"{"date": "2030-01-05", "name": "调休"}"#,
    ))
    .unwrap();
    assert_eq!(ok.covered_years(), vec![2030]);
    assert_eq!(ok.is_working_day(date(2030, 1, 1)), Ok(false));
    assert_eq!(ok.is_working_day(date(2030, 1, 5)), Ok(true));
    assert_eq!(ok.is_working_day(date(2025, 1, 2)), Err(CalendarError::YearNotCovered(2025)));

    let cases: &[(String, CalendarError)] = &[
        (
            one_year(
                r#"{"name": "劳动节", "start": "2030-05-01", "end": "2030-05-05"}"#,
                r#"{"date": "2030-05-04"}"#,
            ),
            CalendarError::HolidayAndWorkday(date(2030, 5, 4)),
        ),
        (
            one_year(r#"{"name": "元旦", "start": "2029-12-31"}"#, ""),
            CalendarError::DateOutsideYear {
                year: 2030,
                date: date(2029, 12, 31),
            },
        ),
        (
            one_year("", r#"{"date": "2031-01-04"}"#),
            CalendarError::DateOutsideYear {
                year: 2030,
                date: date(2031, 1, 4),
            },
        ),
        (
            one_year("", r#"{"date": "2030-01-07"}"#),
            CalendarError::MakeUpWorkdayNotWeekend(date(2030, 1, 7)),
        ),
        (
            one_year(
                r#"{"name": "x", "start": "2030-05-05", "end": "2030-05-01"}"#,
                "",
            ),
            CalendarError::InvertedPeriod {
                name: "x".into(),
                start: date(2030, 5, 5),
                end: date(2030, 5, 1),
            },
        ),
        (
            one_year(
                r#"{"name": "a", "start": "2030-10-01", "end": "2030-10-07"}, {"name": "b", "start": "2030-10-06"}"#,
                "",
            ),
            CalendarError::DuplicateDate(date(2030, 10, 6)),
        ),
        (
            r#"{"years": [{"year": 2030, "source": "a", "holidays": []}, {"year": 2030, "source": "b", "holidays": []}]}"#.into(),
            CalendarError::DuplicateYear(2030),
        ),
        (
            r#"{"years": [{"year": 2030, "source": " ", "holidays": []}]}"#.into(),
            CalendarError::MissingSource(2030),
        ),
    ];
    for (json, want) in cases {
        assert_eq!(BusinessCalendar::from_json(json).as_ref(), Err(want), "{json}");
    }

    for bad in [
        "not json",
        r#"{"years": [{"year": 2030, "holidays": []}]}"#,
        r#"{"years": [{"year": 2030, "source": "s", "holidays": [], "extra": 1}]}"#,
        r#"{"years": [{"year": 2030, "source": "s", "holidays": [{"name": "x", "start": "2030-02-30"}]}]}"#,
    ] {
        assert!(matches!(BusinessCalendar::from_json(bad), Err(CalendarError::Malformed(_))), "{bad}");
    }
}
