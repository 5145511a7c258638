//! Passwords (argon2), session tokens and API tokens. Tokens are random, shown once, and kept
//! only as their SHA-256.

use crate::error::AppError;
use crate::ports::{ApiToken, User};
use crate::{App, Principal};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::SignedDuration;
use rand::RngCore;
use redress_domain::{MerchantId, TokenId};
use sha2::{Digest, Sha256};

pub const SESSION_TTL: SignedDuration = SignedDuration::from_hours(24 * 7);
/// API tokens carry this prefix so a leaked one is easy to recognise.
pub const API_TOKEN_PREFIX: &str = "rdk_";

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash: PasswordHash =
        Argon2::default().hash_password(password.as_bytes()).map_err(|e| anyhow::anyhow!("hash: {e}"))?;
    Ok(hash.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Failed logins allowed per login name within `THROTTLE_WINDOW` before further attempts are
/// refused until the window passes (each attempt costs an argon2 hash, so this also bounds the
/// CPU an attacker can make the server spend on one account).
pub const MAX_FAILED_LOGINS: u32 = 5;
pub const THROTTLE_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// Failed logins per login name, in this process.
#[derive(Default)]
pub struct LoginThrottle(std::sync::Mutex<std::collections::HashMap<String, (u32, jiff::Timestamp)>>);

impl LoginThrottle {
    fn blocked(&self, login: &str, now: jiff::Timestamp) -> bool {
        let mut failures = self.0.lock().expect("throttle lock");
        failures.retain(|_, (_, since)| now.duration_since(*since) < THROTTLE_WINDOW);
        failures.get(login).is_some_and(|(n, _)| *n >= MAX_FAILED_LOGINS)
    }

    fn failed(&self, login: &str, now: jiff::Timestamp) {
        let mut failures = self.0.lock().expect("throttle lock");
        failures.entry(login.to_owned()).or_insert((0, now)).0 += 1;
    }

    fn succeeded(&self, login: &str) {
        self.0.lock().expect("throttle lock").remove(login);
    }
}

/// A valid argon2 hash of a password nobody has, made once per process.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("redress: no such login").unwrap_or_default())
}

fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl App {
    /// Checks a login and password and opens a session; returns the session token.
    pub async fn login(&self, login: &str, password: &str) -> Result<(String, User), AppError> {
        let login = login.trim();
        let now = self.clock.now();
        if self.login_throttle.blocked(login, now) {
            return Err(AppError::TooManyAttempts);
        }
        let found = self.store.user_by_login(login).await?;
        // An unknown login costs the same hash as a wrong password: timing reveals no logins.
        let hash = found.as_ref().map_or(dummy_hash(), |(_, hash)| hash.as_str());
        let verified = verify_password(password, hash);
        let Some((user, _)) = found.filter(|_| verified) else {
            self.login_throttle.failed(login, now);
            return Err(AppError::InvalidCredentials);
        };
        self.login_throttle.succeeded(login);
        let token = random_token("");
        let now = self.clock.now();
        let expires = now.checked_add(SESSION_TTL).map_err(anyhow::Error::from)?;
        self.store.insert_session(&token_hash(&token), user.id, expires, now).await?;
        Ok((token, user))
    }

    pub async fn logout(&self, session_token: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&token_hash(session_token)).await?)
    }

    /// Resolves a bearer or cookie credential to its principal.
    pub async fn authenticate(&self, credential: &str) -> Result<Principal, AppError> {
        let hash = token_hash(credential);
        if credential.starts_with(API_TOKEN_PREFIX) {
            let token = self.store.api_token(&hash).await?.ok_or(AppError::Unauthenticated)?;
            return Ok(Principal::MerchantToken { token: token.id, merchant: token.merchant_id });
        }
        let user = self.store.session_user(&hash, self.clock.now()).await?.ok_or(AppError::Unauthenticated)?;
        if user.role == crate::Role::Merchant && user.merchant_id.is_none() {
            // Staff of no shop may act for none: never as a buyer, never for every shop.
            return Err(AppError::Forbidden("this merchant account belongs to no shop"));
        }
        Ok(Principal::User(user))
    }

    /// Issues an API token for a merchant system; the secret is returned once and never stored.
    /// The shop whose tokens `principal` manages: its own shop for staff, any named shop for an
    /// admin. Tokens never manage tokens.
    async fn token_shop(&self, principal: &Principal, merchant: Option<MerchantId>) -> Result<MerchantId, AppError> {
        let shop = match principal {
            Principal::User(u) if u.role == crate::Role::Admin => {
                merchant.ok_or_else(|| AppError::Invalid("merchant_id: which shop's tokens".into()))?
            }
            Principal::User(u) if u.role == crate::Role::Merchant && u.merchant_id.is_some() => {
                let own = u.merchant_id.expect("checked");
                if merchant.is_some_and(|m| m != own) {
                    return Err(AppError::Forbidden("staff manage the tokens of their own shop only"));
                }
                own
            }
            _ => return Err(AppError::Forbidden("only the merchant's staff or an admin manage its tokens")),
        };
        if self.store.merchant(shop).await?.is_none() {
            return Err(AppError::Invalid("merchant_id: no such merchant".into()));
        }
        Ok(shop)
    }

    pub async fn issue_api_token(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        name: &str,
    ) -> Result<(ApiToken, String), AppError> {
        let merchant = self.token_shop(principal, merchant).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid("name: 1 to 100 characters".into()));
        }
        let secret = random_token(API_TOKEN_PREFIX);
        let token = ApiToken {
            id: TokenId(uuid::Uuid::now_v7()),
            merchant_id: merchant,
            name: name.to_owned(),
            created_at: self.clock.now(),
        };
        self.store.insert_api_token(&token, &token_hash(&secret)).await?;
        Ok((token, secret))
    }

    pub async fn api_tokens(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
    ) -> Result<Vec<ApiToken>, AppError> {
        let shop = self.token_shop(principal, merchant).await?;
        Ok(self.store.api_tokens(shop).await?)
    }

    /// Revokes a token at once: its next request is unauthenticated.
    pub async fn revoke_api_token(
        &self,
        principal: &Principal,
        merchant: Option<MerchantId>,
        id: TokenId,
    ) -> Result<(), AppError> {
        let shop = self.token_shop(principal, merchant).await?;
        if self.store.revoke_api_token(shop, id, self.clock.now()).await? { Ok(()) } else { Err(AppError::NotFound) }
    }
}
