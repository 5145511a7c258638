//! CSRF tokens. A signed-in form carries a token derived from the session token (which is
//! secret: an HttpOnly cookie), so nothing is stored and another site cannot make one. The sign-in
//! form, before any session, uses a random value set as a cookie and repeated in the form
//! (double submit). The session cookie is also `SameSite=Strict`: two locks, not one.

use sha2::{Digest, Sha256};

/// The cookie of the sign-in form's token.
pub const LOGIN_COOKIE: &str = "redress_login_csrf";
/// The form field every POST carries.
pub const FIELD: &str = "csrf";

/// The token of every form of this session.
pub fn of_session(session: &str) -> String {
    let digest = Sha256::digest(format!("redress-pages-csrf\0{session}").as_bytes());
    hex::encode(&digest[..20])
}

/// A fresh random token for the sign-in form.
pub fn fresh() -> String {
    hex::encode(rand::random::<[u8; 20]>())
}

/// Does the token sent match the expected one? (Compared in time independent of where they
/// differ.)
pub fn matches(expected: &str, sent: Option<&str>) -> bool {
    let Some(sent) = sent else { return false };
    let (a, b) = (expected.as_bytes(), sent.as_bytes());
    !a.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_token_is_stable_secret_dependent_and_checked_exactly() {
        let token = of_session("session-a");
        assert_eq!(token, of_session("session-a"));
        assert_ne!(token, of_session("session-b"));
        assert!(matches(&token, Some(&token)));
        assert!(!matches(&token, Some(&token[1..])));
        assert!(!matches(&token, None));
        assert!(!matches("", Some("")));
        assert_ne!(fresh(), fresh());
    }
}
