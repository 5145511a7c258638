//! Passwords (argon2), session tokens and API tokens. Tokens are random, shown once, and kept
//! only as their SHA-256.

use crate::error::AppError;
use crate::ports::{ApiToken, LoginAttempts, Store, User};
use crate::{App, Principal};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::SignedDuration;
use rand::RngCore;
use redress_domain::Detail;
use redress_domain::{MerchantId, TokenId};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

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

/// How login attempts are slowed down. Every attempt is counted before its password is checked
/// (atomically, in the store, so concurrent guesses are counted one by one and every server
/// process on one database sees the same count) under three keys: the login name at the client's
/// address, the address over every name, and the login name over addresses it never signed in
/// from. Past a key's free attempts, each attempt makes the next wait, twice as long each time.
/// A stranger's guesses slow down the stranger: the owner signs in from an address of their own
/// (and, under a guess spread over many addresses, from an address they signed in from before).
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Attempts at one login name from one address before each next one waits.
    pub free_per_login_at_address: u32,
    /// Attempts from one address over all login names (a spray of common passwords).
    pub free_per_address: u32,
    /// Attempts at one login name from addresses it never signed in from (a distributed guess).
    pub free_per_login: u32,
    pub first_delay: SignedDuration,
    pub max_delay: SignedDuration,
    /// A key quiet for this long starts over.
    pub memory: SignedDuration,
    /// Password hashes computed at once, each on a blocking thread of its own.
    pub hashing_threads: usize,
    /// Logins waiting for a hashing thread at most; one more is answered `busy` at once.
    pub hashing_queue: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> ThrottlePolicy {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ThrottlePolicy {
            free_per_login_at_address: 5,
            free_per_address: 20,
            free_per_login: 100,
            first_delay: SignedDuration::from_secs(1),
            max_delay: SignedDuration::from_mins(15),
            memory: SignedDuration::from_hours(1),
            // Half the cores at most: a storm of logins leaves the rest to everyone else.
            hashing_threads: cores.div_ceil(2),
            hashing_queue: 64,
        }
    }
}

impl ThrottlePolicy {
    /// How long a key waits after its `attempts`-th attempt when `free` are free: nothing, then
    /// `first_delay` doubling up to `max_delay`.
    pub fn delay(&self, attempts: u32, free: u32) -> SignedDuration {
        if attempts < free {
            return SignedDuration::ZERO;
        }
        let doublings = (attempts - free).min(30);
        let delay = self.first_delay.checked_mul(1 << doublings).unwrap_or(self.max_delay);
        delay.min(self.max_delay)
    }
}

/// How long an address an account signed in from lets it past a distributed guess.
pub const KNOWN_ADDRESS_MEMORY: SignedDuration = SignedDuration::from_hours(24 * 30);

/// The login throttle and the bounded pool of threads that compute password hashes (argon2 takes
/// a core for tens of milliseconds: on the async threads it would stall every other request).
pub struct LoginThrottle {
    pub policy: ThrottlePolicy,
    queue: tokio::sync::Semaphore,
    threads: tokio::sync::Semaphore,
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        LoginThrottle::new(ThrottlePolicy::default())
    }
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> LoginThrottle {
        LoginThrottle {
            queue: tokio::sync::Semaphore::new(policy.hashing_queue.max(1) + policy.hashing_threads.max(1)),
            threads: tokio::sync::Semaphore::new(policy.hashing_threads.max(1)),
            policy,
        }
    }

    /// Runs password hashing `work` on a blocking thread, or answers `Busy` at once when the
    /// queue is full.
    pub async fn hashing<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        fn busy<E>(_: E) -> AppError {
            AppError::Busy(Detail::BusyPasswordChecks)
        }
        let _queued = self.queue.try_acquire().map_err(busy)?;
        let _thread = self.threads.acquire().await.map_err(busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(anyhow::anyhow!("hashing: {e}")))
    }

    /// Counts one attempt under `key`, or says how long it must wait.
    async fn admit(&self, store: &dyn Store, key: &str, free: u32, now: jiff::Timestamp) -> Result<(), AppError> {
        for _ in 0..100 {
            let old = store.login_attempts(key).await?;
            // A record from the future (the clock was set back) is as stale as an old one.
            let recent = old.filter(|o| o.last_at <= now && now.duration_since(o.last_at) < self.policy.memory);
            if let Some(o) = recent.filter(|o| o.not_before > now) {
                return Err(AppError::TooManyAttempts { retry_after: o.not_before.duration_since(now) });
            }
            let attempts = recent.map_or(0, |o| o.attempts).saturating_add(1);
            let not_before = now.saturating_add(self.policy.delay(attempts, free)).map_err(anyhow::Error::from)?;
            let new = LoginAttempts { attempts, not_before, last_at: now };
            if store.swap_login_attempts(key, old.as_ref(), &new).await? {
                return Ok(());
            }
        }
        Err(AppError::Contended)
    }
}

/// The part of a client's address that names the client: an IPv6 client controls its whole /64.
pub fn client_address(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The throttle's keys for one attempt ('|' is in no address).
struct Keys {
    address: String,
    login_at_address: String,
    login: String,
    known: String,
}

impl Keys {
    fn new(login: &str, from: IpAddr) -> Keys {
        let address = client_address(from);
        Keys {
            login_at_address: format!("login@address|{address}|{login}"),
            known: format!("known|{address}|{login}"),
            login: format!("login|{login}"),
            address: format!("address|{address}"),
        }
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
    /// Checks a login and password from a client at `from` and opens a session; returns the
    /// session token. Throttled as `ThrottlePolicy` says.
    pub async fn login(&self, login: &str, password: &str, from: IpAddr) -> Result<(String, User), AppError> {
        let login = &login.trim().to_ascii_lowercase();
        let now = self.clock.now();
        let throttle = &self.login_throttle;
        let (store, policy) = (self.store.as_ref(), throttle.policy);
        let keys = Keys::new(login, from);
        throttle.admit(store, &keys.address, policy.free_per_address, now).await?;
        throttle.admit(store, &keys.login_at_address, policy.free_per_login_at_address, now).await?;
        let known = store.login_attempts(&keys.known).await?.is_some_and(|k| k.not_before > now);
        if !known {
            throttle.admit(store, &keys.login, policy.free_per_login, now).await?;
        }
        let found = store.user_by_login(login).await?;
        // An unknown login costs the same hash as a wrong password: timing reveals no logins.
        let hash = found.as_ref().map(|(_, hash)| hash.clone());
        let password = password.to_owned();
        let verified = throttle
            .hashing(move || verify_password(&password, hash.as_deref().unwrap_or_else(|| dummy_hash())))
            .await?;
        let Some((user, _)) = found.filter(|_| verified) else {
            return Err(AppError::InvalidCredentials);
        };
        // The owner's attempt was no guess: it leaves the address and the name as they were.
        store.forget_login_attempts(&keys.login_at_address).await?;
        store.refund_login_attempt(&keys.address).await?;
        if !known {
            store.refund_login_attempt(&keys.login).await?;
        }
        // The address is known to this account for a while (`not_before`: until when).
        let until = now.checked_add(KNOWN_ADDRESS_MEMORY).map_err(anyhow::Error::from)?;
        let mark = LoginAttempts { attempts: 0, not_before: until, last_at: now };
        let old = store.login_attempts(&keys.known).await?;
        store.swap_login_attempts(&keys.known, old.as_ref(), &mark).await?;
        let token = random_token("");
        let expires = now.checked_add(SESSION_TTL).map_err(anyhow::Error::from)?;
        self.store.insert_session(&token_hash(&token), user.id, expires, now).await?;
        Ok((token, user))
    }

    /// Forgets the throttle keys quiet for longer than the throttle remembers, and the addresses
    /// an account signed in from once `KNOWN_ADDRESS_MEMORY` has passed; returns how many.
    pub async fn forget_quiet_login_attempts(&self) -> Result<u64, AppError> {
        let now = self.clock.now();
        let quiet_before = now.checked_sub(self.login_throttle.policy.memory).map_err(anyhow::Error::from)?;
        Ok(self.store.purge_login_attempts(now, quiet_before).await?)
    }

    /// Hashes a new password on the hashing pool.
    pub async fn hash_new_password(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        Ok(self.login_throttle.hashing(move || hash_password(&password)).await??)
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
            return Err(AppError::Forbidden(Detail::NoShop));
        }
        Ok(Principal::User(user))
    }

    /// Issues an API token for a merchant system; the secret is returned once and never stored.
    /// The shop whose tokens `principal` manages: its own shop for staff, any named shop for an
    /// admin. Tokens never manage tokens.
    async fn token_shop(&self, principal: &Principal, merchant: Option<MerchantId>) -> Result<MerchantId, AppError> {
        let shop = match principal {
            Principal::User(u) if u.role == crate::Role::Admin => {
                merchant.ok_or_else(|| AppError::Invalid(Detail::Missing { field: "merchant_id".into() }))?
            }
            Principal::User(u) if u.role == crate::Role::Merchant && u.merchant_id.is_some() => {
                let own = u.merchant_id.expect("checked");
                if merchant.is_some_and(|m| m != own) {
                    return Err(AppError::Forbidden(Detail::OwnShopOnly));
                }
                own
            }
            _ => return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "merchant, admin".into() })),
        };
        if self.store.merchant(shop).await?.is_none() {
            return Err(AppError::Invalid(Detail::NoSuchMerchant));
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
            return Err(AppError::Invalid(Detail::Chars { field: "name".into(), min: 1, max: 100 }));
        }
        redress_domain::free_text::check_one_line("name", name)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Free attempts wait for nothing; then each attempt waits at least as long as the one
        /// before, from the first delay up to the cap and never beyond.
        #[test]
        fn delays_grow_to_the_cap(free in 1u32..50, attempts in 0u32..200) {
            let policy = ThrottlePolicy::default();
            let delay = policy.delay(attempts, free);
            prop_assert!(delay <= policy.max_delay);
            prop_assert!(delay <= policy.delay(attempts + 1, free));
            if attempts < free {
                prop_assert_eq!(delay, SignedDuration::ZERO);
            } else {
                prop_assert!(delay >= policy.first_delay);
            }
            prop_assert_eq!(policy.delay(free, free), policy.first_delay);
            prop_assert_eq!(policy.delay(free + 40, free), policy.max_delay);
        }
    }

    fn small_pool() -> LoginThrottle {
        LoginThrottle::new(ThrottlePolicy { hashing_threads: 1, hashing_queue: 1, ..ThrottlePolicy::default() })
    }

    /// On the only async thread, a hash that waits for that thread's next task still finishes:
    /// it runs elsewhere (inline, this would never end: the guard fails the test instead).
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_leaves_the_async_thread_free() {
        let throttle = small_pool();
        let (tx, rx) = std::sync::mpsc::channel::<u32>();
        let hash = throttle.hashing(move || rx.recv().expect("sent"));
        let other_work = async move {
            tokio::task::yield_now().await;
            tx.send(7).expect("receiver alive");
        };
        let guard = std::time::Duration::from_secs(60);
        let (hashed, ()) =
            tokio::time::timeout(guard, async { tokio::join!(hash, other_work) }).await.expect("no deadlock");
        assert_eq!(hashed.expect("hashed"), 7);
    }

    /// One hash running and one waiting fill a pool of one thread and a queue of one: the next
    /// is answered `Busy` at once, and once they are done there is room again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_hashing_queue_answers_busy() {
        let throttle = std::sync::Arc::new(small_pool());
        let (release, wait) = tokio::sync::watch::channel(false);
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let (throttle, mut wait) = (throttle.clone(), wait.clone());
            jobs.push(tokio::spawn(async move {
                throttle
                    .hashing(move || {
                        tokio::runtime::Handle::current().block_on(wait.wait_for(|go| *go)).map(|_| ()).ok();
                    })
                    .await
            }));
        }
        // Both are admitted (one running, one queued) before the third arrives.
        while throttle.queue.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(throttle.hashing(|| ()).await, Err(AppError::Busy(_))));
        release.send(true).expect("jobs wait");
        drop(wait);
        for job in jobs {
            job.await.expect("joined").expect("hashed");
        }
        assert!(throttle.hashing(|| ()).await.is_ok());
    }
}
