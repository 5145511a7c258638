//! 统一社会信用代码 (GB 32100-2015) with its check character.

use redress_law::uscc::{Uscc, UsccError, compute_check_character};

#[test]
fn published_codes_verify() {
    // Widely published codes whose check character this implementation verifies: the standard's
    // own example, and the codes commonly shown for Baidu, Tencent, Alibaba (China), Huawei and
    // Xiaomi (the attribution is from public listings; only the check digit is asserted here).
    for code in [
        "91350100M000100Y43",
        "91110000802100433B",
        "9144030071526726XG",
        "91330100716105852F",
        "91440300708461136T",
        "91110108551385082Q",
        "91310000717854505W",
    ] {
        let parsed = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(parsed.as_str(), code);
    }
}

#[test]
fn codes_computed_by_hand_verify() {
    // Check characters computed independently of this crate (Σ v·3^i mod 31).
    for code in [
        "91310115MA1K4B7C2U",
        "12100000400000624D",
        "52110000MJ00001234",
        "91440101MA9UQJ8E0T",
        "92330106MA2HX1234T",
        "93440300MA5FXYWK10", // Σ mod 31 = 0, so 31 − 0 = 31 becomes check "0"
    ] {
        assert!(Uscc::parse(code).is_ok(), "{code}");
        assert_eq!(compute_check_character(&code[..17]), code.chars().last(), "{code}");
    }
}

#[test]
fn normalises_case_and_whitespace() {
    assert_eq!(Uscc::parse("  9144030071526726xg\n").unwrap().as_str(), "9144030071526726XG");
}

#[test]
fn wrong_check_character_is_refused() {
    assert_eq!(Uscc::parse("91110000802100433A"), Err(UsccError::CheckDigitMismatch { expected: 'B', found: 'A' }));
    // Two swapped neighbours are caught too (weights differ).
    assert!(matches!(Uscc::parse("91110000820100433B"), Err(UsccError::CheckDigitMismatch { .. })));
}

#[test]
fn bad_characters_are_refused() {
    for (code, position, character) in [
        ("91110000802100433I", 18, 'I'),
        ("9111000080210O433B", 14, 'O'),
        ("S1110000802100433B", 1, 'S'),
        ("911100008021004V3B", 16, 'V'),
        ("91110000802100Z33B", 15, 'Z'),
        ("9111000080210-433B", 14, '-'),
        ("9111000080210０433B", 14, '０'),
    ] {
        assert_eq!(Uscc::parse(code), Err(UsccError::BadCharacter { position, character }), "{code}");
    }
}

#[test]
fn wrong_length_is_refused() {
    assert_eq!(Uscc::parse(""), Err(UsccError::WrongLength(0)));
    assert_eq!(Uscc::parse("91110000802100433"), Err(UsccError::WrongLength(17)));
    assert_eq!(Uscc::parse("91110000802100433BB"), Err(UsccError::WrongLength(19)));
    // The old 15-digit business registration number is not a USCC.
    assert_eq!(Uscc::parse("110000001234567"), Err(UsccError::WrongLength(15)));
}

#[test]
fn serde_refuses_invalid_codes() {
    let ok: Uscc = serde_json::from_str("\"91110000802100433B\"").unwrap();
    assert_eq!(serde_json::to_string(&ok).unwrap(), "\"91110000802100433B\"");
    assert!(serde_json::from_str::<Uscc>("\"91110000802100433A\"").is_err());
}
