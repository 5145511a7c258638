//! Every word a person reads, in Simplified Chinese and English, from one fluent catalogue
//! (`locales/{zh-CN,en}/*.ftl`) keyed by the stable codes the domain carries. The domain and the
//! law crate hold codes and arguments only; the web layer picks the reader's language once.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, langid};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

pub mod law;
pub mod notifications;
/// The fluent types callers build arguments with.
pub use fluent_templates::fluent_bundle as fluent;
pub use notifications::{NotificationKind, beijing};

fluent_templates::static_loader! {
    static CATALOGUE = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // No Unicode isolation marks around arguments: the text goes into JSON and documents.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language of a reader: Simplified Chinese first, English second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    fn id(self) -> &'static LanguageIdentifier {
        static ZH: LanguageIdentifier = langid!("zh-CN");
        static EN: LanguageIdentifier = langid!("en");
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Arguments of a message, by name.
pub type Args = HashMap<Cow<'static, str>, FluentValue<'static>>;

/// The message `key` in `lang` exactly, without falling back to the other language: `None` when
/// the catalogue lacks it (the completeness tests use this).
pub fn lookup(lang: Lang, key: &str, args: Option<&Args>) -> Option<String> {
    CATALOGUE.lookup_single_language(lang.id(), key, args).ok()
}

/// The catalogue's sources, to tell whether a message exists whatever arguments it takes.
const SOURCES: &[(Lang, &str, &str)] = &[
    (Lang::Zh, "problems", include_str!("../locales/zh-CN/problems.ftl")),
    (Lang::Zh, "vocabulary", include_str!("../locales/zh-CN/vocabulary.ftl")),
    (Lang::Zh, "notifications", include_str!("../locales/zh-CN/notifications.ftl")),
    (Lang::Zh, "narration", include_str!("../locales/zh-CN/narration.ftl")),
    (Lang::Zh, "details", include_str!("../locales/zh-CN/details.ftl")),
    (Lang::Zh, "pages", include_str!("../locales/zh-CN/pages.ftl")),
    (Lang::Zh, "conversation", include_str!("../locales/zh-CN/conversation.ftl")),
    (Lang::Zh, "notices", include_str!("../locales/zh-CN/notices.ftl")),
    (Lang::Zh, "dashboards", include_str!("../locales/zh-CN/dashboards.ftl")),
    (Lang::Zh, "law", include_str!("../locales/zh-CN/law.ftl")),
    (Lang::En, "problems", include_str!("../locales/en/problems.ftl")),
    (Lang::En, "vocabulary", include_str!("../locales/en/vocabulary.ftl")),
    (Lang::En, "notifications", include_str!("../locales/en/notifications.ftl")),
    (Lang::En, "narration", include_str!("../locales/en/narration.ftl")),
    (Lang::En, "details", include_str!("../locales/en/details.ftl")),
    (Lang::En, "pages", include_str!("../locales/en/pages.ftl")),
    (Lang::En, "conversation", include_str!("../locales/en/conversation.ftl")),
    (Lang::En, "notices", include_str!("../locales/en/notices.ftl")),
    (Lang::En, "dashboards", include_str!("../locales/en/dashboards.ftl")),
    (Lang::En, "law", include_str!("../locales/en/law.ftl")),
];

/// Whether the catalogue has the message `key` in `lang` (whatever arguments it takes).
pub fn has(lang: Lang, key: &str) -> bool {
    SOURCES
        .iter()
        .filter(|(l, _, _)| *l == lang)
        .flat_map(|(_, _, source)| source.lines())
        .any(|line| line.split_once(" =").is_some_and(|(id, _)| id == key))
}

/// Picks the language from an `Accept-Language` header: the known language with the highest
/// q-value (on a tie, the one listed first); zh-CN when none is known.
pub fn negotiate(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::Zh;
    };
    let mut best: Option<(Lang, f32)> = None;
    for range in header.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        let lang = if tag.starts_with("zh") {
            Lang::Zh
        } else if tag.starts_with("en") {
            Lang::En
        } else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((lang, q));
        }
    }
    best.map_or(Lang::Zh, |(lang, _)| lang)
}

/// The message `key` in `lang`; a missing message shows its key (and the tests make sure none is).
pub fn text(lang: Lang, key: &str) -> String {
    lookup(lang, key, None).unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `lang` with `args`.
pub fn text_with(lang: Lang, key: &str, args: &Args) -> String {
    lookup(lang, key, Some(args)).unwrap_or_else(|| key.to_owned())
}

/// The title of a problem (a rejection code or a code of the HTTP layer).
pub fn problem_title(lang: Lang, code: &str) -> String {
    text(lang, &problem_key(code))
}

pub fn problem_key(code: &str) -> String {
    format!("problem-{code}")
}

/// Arguments whose values are names of a vocabulary (one, or a list joined by ", "), told by
/// their label `<prefix>-<name>`.
const LABELLED: &[(&str, &str)] = &[
    ("state", "case-state"),
    ("outcome", "outcome"),
    ("request_kind", "request-kind"),
    ("expected", "json-type"),
    ("exclusion", "no-reason-exclusion"),
    ("roles", "roles"),
    ("rule", "calendar-rule"),
    ("error", "uscc-error"),
    ("problem", "json-problem"),
    ("what", "unique"),
];

/// One argument as the reader sees it: numbers as numbers (for plurals), names of a vocabulary
/// as their labels, instants in Beijing time, anything else as sent.
pub fn argument(lang: Lang, name: &str, value: &serde_json::Value) -> FluentValue<'static> {
    use serde_json::Value;
    match value {
        Value::Number(n) if name == "bytes" => FluentValue::from(size(n.as_u64().unwrap_or(0))),
        Value::Number(n) => n.as_i64().map_or_else(|| FluentValue::from(n.as_f64().unwrap_or(0.0)), FluentValue::from),
        Value::String(s) => match LABELLED.iter().find(|(arg, _)| *arg == name) {
            Some((_, prefix)) => {
                let told: Vec<String> = s
                    .split(", ")
                    .map(|v| {
                        lookup(lang, &format!("{prefix}-{}", v.replace(' ', "_")), None).unwrap_or_else(|| v.to_owned())
                    })
                    .collect();
                // Who may act is one of them ("buyers or platform agents"), not all of them.
                let separator = if name == "roles" { "alternatives-separator" } else { "list-separator" };
                FluentValue::from(told.join(&text(lang, separator)))
            }
            None if SERVERS_LISTS.contains(&name) => FluentValue::from(s.clone()),
            None => FluentValue::from(s.parse::<jiff::Timestamp>().map_or_else(|_| shortened(s), beijing)),
        },
        Value::Null => FluentValue::from(String::new()),
        other => FluentValue::from(other.to_string()),
    }
}

/// Arguments holding a list the server wrote (the names a field takes, comma-separated): told
/// whole, however long, since a refusal that cut its choices short would not say them.
const SERVERS_LISTS: [&str; 3] = ["values", "known", "fields"];

/// Characters of a value as sent that a detail repeats at most: a refused 100,000-character SKU
/// was repeated whole in its problem (trial helper-45).
pub const ECHOED_CHARS: usize = 80;

/// `value` as a detail repeats it: whole if short, else its start and an ellipsis.
fn shortened(value: &str) -> String {
    match value.char_indices().nth(ECHOED_CHARS) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

/// A size as people read it: `64 KiB`, `1.5 MiB`, `20 MiB` (binary units, one decimal at most).
pub fn size(bytes: u64) -> String {
    let units = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match units.iter().find(|(unit, _)| bytes >= *unit) {
        None => format!("{bytes} B"),
        Some((unit, name)) => {
            let tenths = (bytes * 10 + unit / 2) / unit;
            if tenths.is_multiple_of(10) {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            }
        }
    }
}

/// The key of a problem's detail with this code.
pub fn detail_key(code: &str) -> String {
    format!("detail-{code}")
}

/// What exactly was wrong (a `redress_domain::Detail`: its code and arguments), in `lang`;
/// `None` when the catalogue lacks the code or an argument its words need.
pub fn detail(lang: Lang, code: &str, args: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let args: Args = args.iter().map(|(name, value)| (name.clone().into(), argument(lang, name, value))).collect();
    lookup(lang, &detail_key(code), Some(&args)).map(|told| told.trim_end().to_owned())
}

/// A problem's detail in `lang`; a code the catalogue lacks shows as the code (the completeness
/// test makes sure none does).
pub fn told(lang: Lang, detail: &redress_domain::Detail) -> String {
    let code = detail.code().as_str();
    self::detail(lang, code, &detail.args()).unwrap_or_else(|| code.to_owned())
}

/// A value of a closed vocabulary, whose label the catalogue holds under `<vocabulary>-<name>`.
pub trait Label: Copy {
    /// The vocabulary's name in the catalogue's keys (kebab-case of the type).
    const VOCABULARY: &'static str;
    fn name(self) -> &'static str;
    fn all() -> &'static [Self];

    fn key(self) -> String {
        format!("{}-{}", Self::VOCABULARY, self.name())
    }

    fn label(self, lang: Lang) -> String {
        text(lang, &self.key())
    }
}

macro_rules! labels {
    ($($ty:path = $vocabulary:literal;)+) => {
        $(impl Label for $ty {
            const VOCABULARY: &'static str = $vocabulary;
            fn name(self) -> &'static str { self.as_str() }
            fn all() -> &'static [Self] { <$ty>::ALL }
        })+

        /// Every key of every vocabulary (for the completeness test).
        pub fn vocabulary_keys() -> Vec<String> {
            let mut keys = Vec::new();
            $(keys.extend(<$ty as Label>::all().iter().map(|v| v.key()));)+
            keys
        }
    };
}

labels! {
    redress_domain::CaseState = "case-state";
    redress_domain::Stage = "stage";
    redress_domain::Outcome = "outcome";
    redress_domain::vocabulary::RejectReason = "reject-reason";
    redress_domain::vocabulary::SalesChannel = "sales-channel";
    redress_domain::vocabulary::RemedyKind = "remedy-kind";
    redress_law::RequestKind = "request-kind";
    redress_law::Reason = "reason";
    redress_law::EvidenceKind = "evidence-kind";
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_domain::RejectionCode;

    fn missing(keys: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut missing = Vec::new();
        for key in keys {
            for lang in Lang::ALL {
                if lookup(lang, &key, None).is_none() {
                    missing.push(format!("{key} ({lang:?})"));
                }
            }
        }
        missing
    }

    #[test]
    fn every_rejection_code_has_a_title_in_both_languages() {
        let keys = RejectionCode::ALL.iter().map(|c| problem_key(c.as_str()));
        assert_eq!(missing(keys), Vec::<String>::new());
    }

    #[test]
    fn every_vocabulary_value_has_a_label_in_both_languages() {
        let keys = vocabulary_keys();
        assert!(keys.len() > 60, "{}", keys.len());
        assert_eq!(missing(keys), Vec::<String>::new());
    }

    /// Every code and figure of the law crate's answers has its words in both languages: a new
    /// finding code, damages rule or basis, reason or exclusion without text fails here.
    #[test]
    fn every_law_code_has_text_in_both_languages() {
        let keys = law::law_keys();
        assert!(keys.len() > 60, "{}", keys.len());
        let missing: Vec<String> = keys
            .iter()
            .flat_map(|k| Lang::ALL.map(|l| (l, k)))
            .filter(|(l, k)| !has(*l, k))
            .map(|(l, k)| format!("{k} ({l:?})"))
            .collect();
        assert_eq!(missing, Vec::<String>::new());
    }

    /// `has` reads every file of the catalogue, so no message escapes the completeness tests.
    #[test]
    fn every_catalogue_file_is_read_by_has() {
        for (lang, dir) in [(Lang::Zh, "zh-CN"), (Lang::En, "en")] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(dir);
            for file in std::fs::read_dir(path).unwrap() {
                let name = file.unwrap().file_name().into_string().unwrap();
                let stem = name.strip_suffix(".ftl").unwrap();
                assert!(SOURCES.iter().any(|(l, s, _)| *l == lang && *s == stem), "{dir}/{name} is not in SOURCES");
            }
        }
        assert!(has(Lang::En, "event-filed") && !has(Lang::En, "event-no-such"));
    }

    /// Chinese text uses full-width punctuation next to Chinese characters (the trial read
    /// "金额:" in one line and "金额：" in the next).
    #[test]
    fn chinese_text_has_full_width_punctuation() {
        // Chinese characters and full-width marks; and a placeable's edge, where a mark between
        // two placeables ("{ $kind },{ $amount }") sits in Chinese text too.
        let cjk = |c: Option<char>| {
            c.is_some_and(|c| {
                ('\u{4e00}'..='\u{9fff}').contains(&c)
                    || ('\u{3000}'..='\u{303f}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)
            })
        };
        let mut half = Vec::new();
        for (_, _, source) in SOURCES.iter().filter(|(l, _, _)| *l == Lang::Zh) {
            for line in source.lines().filter(|l| !l.starts_with('#')) {
                let chars: Vec<char> = line.chars().collect();
                for (i, c) in chars.iter().enumerate() {
                    let before = i.checked_sub(1).map(|j| chars[j]);
                    let between_placeables = before == Some('}') && chars.get(i + 1) == Some(&'{');
                    let near = cjk(before) || cjk(chars.get(i + 1).copied()) || between_placeables;
                    if "(),;:".contains(*c) && near {
                        half.push(line.to_owned());
                        break;
                    }
                }
            }
        }
        assert_eq!(half, Vec::<String>::new());
    }

    /// The English messages, as (key, source text with its continuation lines).
    fn english_messages() -> Vec<(String, String)> {
        let mut messages: Vec<(String, String)> = Vec::new();
        for (_, _, source) in SOURCES.iter().filter(|(l, _, _)| *l == Lang::En) {
            for line in source.lines().filter(|l| !l.starts_with('#')) {
                match line.split_once(" =") {
                    Some((key, rest)) if !line.starts_with(char::is_whitespace) => {
                        messages.push((key.to_owned(), rest.to_owned()))
                    }
                    _ => {
                        if let Some((_, text)) = messages.last_mut() {
                            text.push_str(line);
                        }
                    }
                }
            }
        }
        messages
    }

    /// A value as sent is repeated in a detail only as far as `ECHOED_CHARS`.
    #[test]
    fn a_long_value_is_repeated_shortened() {
        let sku = "S".repeat(100_000);
        let told = told(Lang::En, &redress_domain::Detail::Item { sku: sku.clone() });
        assert_eq!(told, format!("Item: {}….", &sku[..ECHOED_CHARS]));
        let short = redress_domain::Detail::Item { sku: "EB-PRO-2".into() };
        assert_eq!(super::told(Lang::En, &short), "Item: EB-PRO-2.");
        // Cut between characters, not inside one.
        let wide = "退".repeat(100);
        let told = super::told(Lang::Zh, &redress_domain::Detail::Item { sku: wide.clone() });
        assert!(told.contains(&format!("{}…", "退".repeat(ECHOED_CHARS))) && !told.contains(&wide), "{told}");
    }

    /// The choices a refusal names are the server's own: every one is told, however many.
    #[test]
    fn a_list_of_choices_is_told_whole() {
        let values: Vec<&str> = redress_domain::vocabulary::Reason::ALL.iter().map(|r| r.as_str()).collect();
        let values = values.join(", ");
        assert!(values.chars().count() > ECHOED_CHARS, "the test needs a list longer than the cut");
        let detail = redress_domain::Detail::OneOf { field: "reason".into(), values: values.clone() };
        let told = super::told(Lang::En, &detail);
        assert!(told.contains(&values) && !told.contains('…'), "{told}");
    }

    /// A closed case's refusal says when, in Beijing time, and how, by the outcome's label.
    #[test]
    fn a_closed_case_is_told_when_and_how() {
        let at: jiff::Timestamp = "2026-12-04T02:00:00.123456789Z".parse().unwrap();
        let detail = redress_domain::Detail::ClosedAs { at, outcome: redress_domain::Outcome::Withdrawn };
        assert_eq!(
            told(Lang::En, &detail),
            "The case was closed at 2026-12-04 10:00 Beijing time, as “Withdrawn”; only an appeal of a ruling, within its window, or a rating can follow."
        );
        assert!(
            told(Lang::Zh, &detail).contains("北京时间 2026-12-04 10:00 关闭（已撤销）"),
            "{}",
            told(Lang::Zh, &detail)
        );
    }

    /// A count of one reads in the singular: every English message, its variables all 1, has no
    /// "1 <noun>s" (the workbench read "buyer 1 and merchant 1 turns", the dossier "1 messages").
    #[test]
    fn english_counts_of_one_are_singular() {
        // Words after a 1 that end in s but are not plurals.
        const NOT_PLURAL: &[&str] = &["is", "was", "has", "does", "needs", "as", "its", "this", "s", "yes"];
        let mut plural = Vec::new();
        let messages = english_messages();
        assert!(messages.len() > 300, "{}", messages.len());
        for (key, source) in messages {
            let args: Args = source
                .split('$')
                .skip(1)
                .map(|v| v.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""))
                .map(|v| (Cow::Owned(v.to_owned()), FluentValue::from(1)))
                .collect();
            let told = lookup(Lang::En, &key, Some(&args)).unwrap_or_default();
            // A word right after a lone "1 ".
            let mut after_one = told.match_indices("1 ").filter_map(|(i, _)| {
                let lone = told[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '.');
                let word = told[i + 2..].split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
                lone.then_some(word)
            });
            if let Some(word) = after_one.find(|w| w.ends_with('s') && !NOT_PLURAL.contains(w)) {
                plural.push(format!("{key}: ...1 {word}... in {told:?}"));
            }
        }
        assert_eq!(plural, Vec::<String>::new());
    }

    #[test]
    fn a_missing_message_is_none_not_the_other_language() {
        assert_eq!(lookup(Lang::En, "no-such-message", None), None);
        assert_eq!(text(Lang::En, "case-state-closed"), "Closed");
        assert_eq!(text(Lang::Zh, "case-state-closed"), "已关闭");
    }
}
