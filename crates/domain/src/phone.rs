//! A phone number as people write it: it goes into the 12315 complaint (联系电话) and is shown,
//! masked, to the other side, so it must be one. Digits, an optional leading `+`, and spaces or
//! hyphens between them (`+86 138-0013-8000`, `010-12345678`); 5 to 20 digits in all (a
//! mainland mobile has 11, a short service number 5, an international one at most 15 and an
//! extension a few more).

use crate::rejection::Detail;

/// The fewest and the most digits a phone number has.
pub const DIGITS: std::ops::RangeInclusive<usize> = 5..=20;

/// Refuses `field`'s `text` (already trimmed) unless it is a phone number (`phone_format`).
pub fn check_phone(field: &str, text: &str) -> Result<(), Detail> {
    let body = text.strip_prefix('+').unwrap_or(text);
    let only_allowed = body.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    let digits = body.chars().filter(char::is_ascii_digit).count();
    // It starts and ends with a digit: a separator separates.
    let framed = body.starts_with(|c: char| c.is_ascii_digit()) && body.ends_with(|c: char| c.is_ascii_digit());
    if only_allowed && framed && DIGITS.contains(&digits) {
        Ok(())
    } else {
        Err(Detail::PhoneFormat {
            field: field.into(),
            min_digits: *DIGITS.start() as u64,
            max_digits: *DIGITS.end() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone_numbers_as_people_write_them_pass_and_words_do_not() {
        for ok in ["13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "010-12345678", "12315", "+441632960961"] {
            assert_eq!(check_phone("phone", ok), Ok(()), "{ok}");
        }
        for bad in [
            "abc",
            "",
            "+",
            "1234",
            "138 0013 800a",
            "++8613800138000",
            "-13800138000",
            "138--",
            "１３８００１３８０００",
            "1".repeat(21).as_str(),
        ] {
            assert!(check_phone("phone", bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_phone("phone", "abc"),
            Err(Detail::PhoneFormat { field: "phone".into(), min_digits: 5, max_digits: 20 })
        );
    }

    proptest! {
        /// Digits in groups joined by a space or a hyphen, with or without `+`, pass exactly
        /// when there are 5 to 20 digits.
        #[test]
        fn grouped_digits_pass_exactly_when_there_are_5_to_20(
            groups in proptest::collection::vec("[0-9]{1,6}", 1..6),
            seps in proptest::collection::vec(prop_oneof![Just(" "), Just("-")], 5),
            plus in any::<bool>(),
        ) {
            let mut text = String::from(if plus { "+" } else { "" });
            for (i, g) in groups.iter().enumerate() {
                if i > 0 { text.push_str(seps[i - 1]); }
                text.push_str(g);
            }
            let digits: usize = groups.iter().map(String::len).sum();
            prop_assert_eq!(check_phone("phone", &text).is_ok(), DIGITS.contains(&digits));
        }

        /// Anything with a letter is not a phone number.
        #[test]
        fn a_letter_is_never_a_phone_number(prefix in "[0-9]{0,10}", letter in "[a-zA-Z]", suffix in "[0-9]{0,10}") {
            let text = format!("{prefix}{letter}{suffix}");
            prop_assert!(check_phone("phone", &text).is_err());
        }
    }
}
