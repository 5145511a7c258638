//! 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015.
//!
//! 18 characters from the 31-character set `0-9 A-H J-N P-R T-U W-Y` (no I, O, S, V, Z, which
//! are easily confused). The last one is a check character: with each of the first 17 characters
//! valued by its index in that set and weighted by 3^i mod 31 (i = 0..16), the check value is
//! 31 − (Σ mod 31), where 31 becomes 0. A 12315 complaint names the respondent by this code, so a
//! mistyped one is refused before it reaches the regulator.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The code's alphabet; a character's value is its index.
pub const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// 3^i mod 31 for the 17 positions before the check character.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a 统一社会信用代码 has 18 characters, this has {0}")]
    WrongLength(usize),
    #[error("character {character:?} at position {position} is not allowed in a 统一社会信用代码")]
    BadCharacter { position: usize, character: char },
    #[error("check character should be {expected}, found {found}")]
    CheckDigitMismatch { expected: char, found: char },
}

impl UsccError {
    /// The stable name of what is wrong (the text catalogue words it).
    pub fn code(&self) -> &'static str {
        match self {
            UsccError::WrongLength(_) => "wrong_length",
            UsccError::BadCharacter { .. } => "bad_character",
            UsccError::CheckDigitMismatch { .. } => "check_digit_mismatch",
        }
    }
}

/// A 统一社会信用代码 whose characters and check character are valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    /// Parses a code. Surrounding whitespace is ignored and lower-case letters are accepted as
    /// upper-case (people type them that way); everything else must be exact.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 18 {
            return Err(UsccError::WrongLength(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, &c) in chars.iter().enumerate() {
            values[i] = value_of(c).ok_or(UsccError::BadCharacter { position: i + 1, character: c })?;
        }
        let expected = check_character(&values[..17]);
        if chars[17] != expected {
            return Err(UsccError::CheckDigitMismatch { expected, found: chars[17] });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check character for the first 17 characters of a code, if they are all in the charset.
pub fn compute_check_character(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17.chars().map(value_of).collect::<Option<_>>()?;
    (values.len() == 17).then(|| check_character(&values))
}

fn check_character(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    char::from(CHARSET[check as usize])
}

fn value_of(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    CHARSET.iter().position(|&x| x == b).map(|i| i as u32)
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> Self {
        u.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }
}
