//! What a person types (messages, descriptions, statements, captions, rationales) goes into
//! documents as it is: the dossier, the 12315 complaint, webhooks. A control character there
//! (a NUL, an escape sequence) corrupts them or hides text, so every entry point refuses it
//! with this one check. Line feeds and tabs are text; a carriage return only as part of a
//! line break (`\r\n`, which browsers send from a textarea).

use crate::rejection::{Detail, Rejection, RejectionCode};

/// The first character of `text` a person may not send: a C0 control but line feed and tab
/// (and carriage return before a line feed), DEL, a C1 control, or a bidi embedding, override
/// or isolate (U+202A–U+202E, U+2066–U+2069), which makes text read in another order than it
/// is stored (the trial spoofed a description with U+202E).
pub fn forbidden_control(text: &str) -> Option<(usize, char)> {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let line_break = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
        if (c.is_control() && c != '\n' && c != '\t' && !line_break) || is_bidi_control(c) {
            return Some((at, c));
        }
    }
    None
}

/// Says nothing a reader sees: only white space and format characters (zero-width spaces and
/// joiners, the byte order mark, soft hyphens: Unicode's `Cf`), which a trial posted as a
/// message that showed as nothing.
pub fn is_blank(text: &str) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    text.chars().all(|c| c.is_whitespace() || c.general_category() == GeneralCategory::Format)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses `field`'s `text` if it carries a control character (`control_character`).
pub fn check_controls(field: &str, text: &str) -> Result<(), Rejection> {
    match forbidden_control(text) {
        Some(_) => {
            Err(Rejection::with(RejectionCode::ControlCharacter, Detail::ControlCharacters { field: field.into() }))
        }
        None => Ok(()),
    }
}

/// Refuses `field`'s `text` unless it is one line without controls: what names a thing (an
/// order number, a SKU, a token's name) is printed on one line of a page, a CSV row and the
/// dossier, where a line break or a tab would split it.
pub fn check_one_line(field: &str, text: &str) -> Result<(), Rejection> {
    // U+2028 and U+2029 break a line as `\n` does, without being control characters.
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c);
    if text.chars().any(breaks) {
        return Err(Rejection::with(RejectionCode::ControlCharacter, Detail::OneLine { field: field.into() }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_of_only_invisible_characters_is_blank() {
        for blank in ["", " \n\t", "\u{200b}\u{200b}", "\u{feff} \u{200d}", "\u{3000}\u{2060}\u{ad}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for said in ["a", "\u{200b}好\u{200b}", "👍", "\u{200d}1"] {
            assert!(!is_blank(said), "{said:?}");
        }
    }

    proptest! {
        /// Refused exactly when a control character other than a line feed, a tab or the
        /// carriage return of a `\r\n` is in the text, wherever it is.
        #[test]
        fn refused_exactly_with_a_stray_control(before in "\\PC{0,20}", c in proptest::char::any(), after in "\\PC{0,20}") {
            let text = format!("{before}{c}{after}");
            let stray = (c.is_control() && c != '\n' && c != '\t' && !(c == '\r' && after.starts_with('\n')))
                || is_bidi_control(c);
            let refused = check_controls("text", &text);
            prop_assert_eq!(refused.is_err(), stray, "{:?}", text);
            if let Err(r) = refused {
                prop_assert_eq!(r.code, RejectionCode::ControlCharacter);
            }
        }

        /// Text without controls passes whatever it is.
        #[test]
        fn printable_text_passes(text in "[^\\p{Cc}\u{202A}-\u{202E}\u{2066}-\u{2069}]{0,50}") {
            prop_assert_eq!(check_controls("text", &text), Ok(()));
        }
    }

    proptest! {
        /// One line: refused exactly when any control (line breaks and tabs among them), a
        /// bidi control, or a line or paragraph separator (Unicode's Zl, Zp) is in it.
        #[test]
        fn one_line_refused_exactly_with_a_control(before in "\\PC{0,20}", c in proptest::char::any(), after in "\\PC{0,20}") {
            use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
            let text = format!("{before}{c}{after}");
            let breaks = |c: char| matches!(c.general_category(), G::LineSeparator | G::ParagraphSeparator);
            let refused = text.chars().any(|c| c.is_control() || is_bidi_control(c) || breaks(c));
            prop_assert_eq!(check_one_line("sku", &text).is_err(), refused, "{:?}", text);
        }
    }

    #[test]
    fn a_unicode_line_separator_breaks_the_line() {
        for text in ["AB\u{2028}12", "A\u{2029}B"] {
            assert!(check_one_line("number", text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_controls_of_the_trial() {
        assert_eq!(forbidden_control("退款\0"), Some((6, '\0')));
        assert_eq!(forbidden_control("a\u{1b}[31m"), Some((1, '\u{1b}')));
        assert_eq!(forbidden_control("a\u{85}"), Some((1, '\u{85}')));
        assert_eq!(forbidden_control("a\rb"), Some((1, '\r')));
        assert_eq!(forbidden_control("第一行\r\n第二行\n\t缩进"), None);
        assert_eq!(forbidden_control("gpj.\u{202E}exe"), Some((4, '\u{202E}')));
        assert_eq!(forbidden_control("a\u{2067}b"), Some((1, '\u{2067}')));
        assert_eq!(forbidden_control("左\u{200F}右"), None, "a mark (LRM/RLM) is text, not an override");
    }
}
