//! Fuzzing the law crate's parsers as ordinary tests: the calendar file an admin imports (mutated
//! from the real one, and arbitrary JSON) and complaint drafts from arbitrary JSON (free text
//! with extreme amounts: `properties.rs` `complaint_check_is_total_and_deterministic`). Nothing
//! panics; what parses is usable. Longer run:
//! `PROPTEST_CASES=100000 cargo test -p redress-law --test fuzz` (docs/reliability.md).

use jiff::Timestamp;
use proptest::prelude::*;
use redress_law::calendar::BusinessCalendar;
use redress_law::complaint_check::{ComplaintDraft, check};

const CALENDAR: &str = include_str!("../data/calendar-cn.json");

/// One edit of a text: a character replaced, a range deleted or a range repeated.
#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, char),
    Delete(usize, usize),
    Repeat(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let pick = prop_oneof![
        Just('"'),
        Just('{'),
        Just('}'),
        Just('['),
        Just(']'),
        Just(','),
        Just(':'),
        Just('-'),
        Just('0'),
        Just('9'),
        Just('2'),
        Just('1'),
        Just('n'),
        Just('\\'),
        any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), pick).prop_map(|(at, c)| Edit::Replace(at, c)),
        (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 0usize..200).prop_map(|(at, n)| Edit::Repeat(at, n)),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match *e {
            Edit::Replace(at, c) => {
                if !chars.is_empty() {
                    chars[at % len] = c;
                }
            }
            Edit::Delete(at, n) => {
                let start = (at % len).min(chars.len());
                let end = (start + n).min(chars.len());
                chars.drain(start..end);
            }
            Edit::Repeat(at, n) => {
                let start = (at % len).min(chars.len());
                let end = (start + n).min(chars.len());
                let copy: Vec<char> = chars[start..end].to_vec();
                chars.splice(end..end, copy);
            }
        }
    }
    chars.into_iter().collect()
}

/// Uses a calendar that parsed: every day of its years, and working-day sums from them.
fn exercise(calendar: &BusinessCalendar) {
    for year in calendar.covered_years() {
        let Ok(first) = jiff::civil::Date::new(year, 1, 1) else { continue };
        let mut day = first;
        while day.year() == year {
            let _ = calendar.day_kind(day);
            let _ = calendar.is_working_day(day);
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        if let Ok(start) = first.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))) {
            let start: Timestamp = start.timestamp();
            for n in [0, 1, 15, 45, 400] {
                let _ = calendar.add_working_days(start, n);
            }
        }
    }
}

proptest! {
    // 256 cases by default; PROPTEST_CASES sets more.
    #[test]
    fn a_mutated_calendar_file_is_parsed_or_refused(edits in prop::collection::vec(edit(), 1..6)) {
        let text = mutate(CALENDAR, &edits);
        if let Ok(calendar) = BusinessCalendar::from_json(&text) {
            exercise(&calendar);
            // What parsed exports to a file that parses to the same calendar.
            let again = serde_json::to_string(&calendar.to_file()).unwrap();
            prop_assert_eq!(BusinessCalendar::from_json(&again).unwrap(), calendar);
        }
    }

    #[test]
    fn an_arbitrary_calendar_year_is_parsed_or_refused(
        year in any::<i16>(),
        dates in prop::collection::vec((any::<i16>(), any::<i8>(), any::<i8>()), 0..6),
        source in ".{0,20}",
    ) {
        let date = |(y, m, d): (i16, i8, i8)| format!("{y:04}-{m:02}-{d:02}");
        let holidays: Vec<_> = dates.iter().map(|&d| serde_json::json!({ "name": "节", "start": date(d) })).collect();
        let workdays: Vec<_> = dates.iter().map(|&d| serde_json::json!({ "name": "班", "date": date(d) })).collect();
        let text = serde_json::json!({ "years": [{
            "year": year, "source": source, "holidays": holidays, "make_up_workdays": workdays
        }] })
        .to_string();
        if let Ok(calendar) = BusinessCalendar::from_json(&text) {
            exercise(&calendar);
        }
    }

    #[test]
    fn a_complaint_draft_from_any_json_is_read_or_refused(text in ".{0,200}") {
        if let Ok(draft) = serde_json::from_str::<ComplaintDraft>(&text) {
            let _ = check(&draft);
        }
    }
}
