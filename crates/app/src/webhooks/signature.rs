//! Signing webhooks: `Redress-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, each `v1` the
//! HMAC-SHA256 of `<t>.<body>` under one active secret (two while a secret is rotated).
//! Receivers recompute it with their secret, compare in constant time, and refuse a `t` too far
//! from their clock, so a captured delivery cannot be replayed later.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "Redress-Signature";
/// What the docs tell receivers to accept: five minutes either way.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp` (unix seconds), signed with each secret.
pub fn sign(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac(secret, timestamp, body).finalize().into_bytes()));
    }
    header
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("malformed signature header")]
    Malformed,
    #[error("timestamp outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// What a receiver does: checks that one `v1` of `header` signs `body` under `secret`, and that
/// its timestamp is within `tolerance_secs` of `now` (unix seconds).
pub fn verify(header: &str, body: &[u8], secret: &str, now: i64, tolerance_secs: i64) -> Result<(), Invalid> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.parse::<i64>().map_err(|_| Invalid::Malformed)?),
            Some(("v1", v)) => signatures.push(hex::decode(v).map_err(|_| Invalid::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Invalid::Malformed)?;
    if (now - timestamp).abs() > tolerance_secs {
        return Err(Invalid::Stale);
    }
    // `verify_slice` compares in constant time.
    if signatures.iter().any(|s| mac(secret, timestamp, body).verify_slice(s).is_ok()) {
        Ok(())
    } else {
        Err(Invalid::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A signature verifies with each secret it was made with, and with no other; any change
        /// to the body or the timestamp breaks it; a stale one is refused.
        #[test]
        fn signatures_verify_only_what_was_signed(
            body in proptest::collection::vec(any::<u8>(), 0..200),
            t in 1_000_000_000i64..4_000_000_000,
            flip in any::<prop::sample::Index>(),
        ) {
            let header = sign(&["whsec_new", "whsec_old"], t, &body);
            prop_assert_eq!(verify(&header, &body, "whsec_new", t + 10, 300), Ok(()));
            prop_assert_eq!(verify(&header, &body, "whsec_old", t - 10, 300), Ok(()));
            prop_assert_eq!(verify(&header, &body, "whsec_other", t, 300), Err(Invalid::Mismatch));
            prop_assert_eq!(verify(&header, &body, "whsec_new", t + 301, 300), Err(Invalid::Stale));
            if !body.is_empty() {
                let mut changed = body.clone();
                let i = flip.index(body.len());
                changed[i] ^= 1;
                prop_assert_eq!(verify(&header, &changed, "whsec_new", t, 300), Err(Invalid::Mismatch));
            }
            let moved = header.replacen(&format!("t={t}"), &format!("t={}", t + 1), 1);
            prop_assert_eq!(verify(&moved, &body, "whsec_new", t, 300), Err(Invalid::Mismatch));
        }
    }

    #[test]
    fn a_header_without_timestamp_is_malformed() {
        assert_eq!(verify("v1=00", b"{}", "s", 0, 300), Err(Invalid::Malformed));
        assert_eq!(verify("t=x,v1=00", b"{}", "s", 0, 300), Err(Invalid::Malformed));
    }
}
