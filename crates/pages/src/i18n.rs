//! The reader's words: every string of a page is a key of the text catalogue (`pages.ftl`),
//! looked up in the language the reader chose.

use redress_text::{Label, Lang, fluent::FluentValue};

/// The catalogue in one language, as templates use it (`t.get` with a key).
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn get(&self, key: &str) -> String {
        redress_text::text(self.lang, key)
    }

    /// A message with arguments (strings; numbers are given as their text, and a whole number
    /// goes to the catalogue as a number, so that its words agree with it: 1 message, 2 messages).
    pub fn with(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let value = |v: &String| match v.parse::<i64>() {
            // Only its canonical text: an id with leading zeros stays as written.
            Ok(n) if n.to_string() == *v => FluentValue::from(n),
            _ => FluentValue::from(v.clone()),
        };
        let args: redress_text::Args = args.iter().map(|(k, v)| ((*k).into(), value(v))).collect();
        redress_text::text_with(self.lang, key, &args)
    }

    pub fn label<L: Label>(&self, value: L) -> String {
        value.label(self.lang)
    }

    /// `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language's code, offered by the switch.
    pub fn other_code(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }

    /// The other language's name, in that language (a reader who cannot read this one can).
    pub fn other_name(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "English",
            Lang::En => "中文",
        }
    }

    /// A message with one number, `count`.
    pub fn count(&self, key: &str, count: &usize) -> String {
        self.with(key, &[("count", count.to_string())])
    }

    /// An instant in Beijing time, the platform's time zone.
    pub fn time(&self, at: jiff::Timestamp) -> String {
        redress_text::beijing(at)
    }

    /// What is left until `due` from `now`, in words (`2 天 3 小时`, `overdue by 5 h`).
    pub fn countdown(&self, now: jiff::Timestamp, due: jiff::Timestamp) -> String {
        let left = due.duration_since(now);
        let span = self.span(left);
        let key = if left.is_negative() { "deadline-overdue-by" } else { "deadline-left" };
        self.with(key, &[("span", span)])
    }

    /// A length of time in words, days and hours or hours and minutes (`2 天 3 小时`).
    pub fn span(&self, length: jiff::SignedDuration) -> String {
        let minutes = length.as_secs().unsigned_abs() / 60;
        let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
        if days > 0 {
            self.with("time-days-hours", &[("days", days.to_string()), ("hours", hours.to_string())])
        } else {
            self.with("time-hours-minutes", &[("hours", hours.to_string()), ("minutes", mins.to_string())])
        }
    }

    /// Money in yuan, as the reader reads it (`¥12.34`).
    pub fn money(&self, amount: redress_domain::Money) -> String {
        amount.to_string()
    }
}

/// The keys of the pages' catalogue file, to check that every template's key exists.
#[cfg(test)]
pub(crate) fn keys_used_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for pattern in ["t.get(\"", "t.with(\"", "tr.get(\"", "tr.with(\"", "self.with(\"", "self.get(\""] {
        let mut rest = source;
        while let Some(at) = rest.find(pattern) {
            rest = &rest[at + pattern.len()..];
            if let Some(end) = rest.find('"') {
                keys.push(rest[..end].to_owned());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a template or the pages' code asks for is in the catalogue, in both languages.
    #[test]
    fn every_key_the_pages_use_is_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys = Vec::new();
        for dir in ["templates", "src"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                keys.extend(keys_used_in(&std::fs::read_to_string(&path).unwrap()));
            }
        }
        assert!(keys.len() > 50, "{}", keys.len());
        let missing: Vec<_> = keys
            .iter()
            .flat_map(|k| Lang::ALL.map(|l| (l, k)))
            .filter(|(l, k)| !redress_text::has(*l, k))
            .map(|(l, k)| format!("{k} ({l:?})"))
            .collect();
        assert_eq!(missing, Vec::<String>::new());
    }

    #[test]
    fn countdown_says_days_and_hours_or_overdue() {
        let now: jiff::Timestamp = "2026-03-02T01:00:00.123456789Z".parse().unwrap();
        let due = now + jiff::SignedDuration::from_hours(51);
        let zh = Tr::new(Lang::Zh).countdown(now, due);
        assert!(zh.contains('2') && zh.contains('3'), "{zh}");
        let en = Tr::new(Lang::En).countdown(due, now);
        assert!(en.contains("overdue"), "{en}");
    }

    /// A count given as text still picks its plural (the workbench said "1 turns"), and a text
    /// that only looks like a number keeps its form.
    #[test]
    fn a_count_of_one_is_singular_and_an_id_keeps_its_zeros() {
        let en = Tr::new(Lang::En);
        assert_eq!(en.count("negotiation-count", &1), "1 message");
        assert_eq!(en.count("negotiation-count", &2), "2 messages");
        assert_eq!(en.with("negotiation-count", &[("count", "007".into())]), "007 messages");
    }
}
