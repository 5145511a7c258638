//! Login attempts on both databases: each change a compare-and-swap, so concurrent attempts,
//! from one process or several, are counted one by one; quiet records are purged.

mod support;

use jiff::{SignedDuration, Timestamp};
use redress_app::AppError;
use redress_app::ports::LoginAttempts;
use support::{START, TestDb, World};

support::contract! {
    attempts_change_only_from_what_was_read => sqlite_attempts_change_only_from_what_was_read, postgres_attempts_change_only_from_what_was_read;
    two_processes_count_one_guess_at_a_time => sqlite_two_processes_count_one_guess_at_a_time, postgres_two_processes_count_one_guess_at_a_time;
}

/// `seconds` after the start, at the store's precision (microseconds).
fn at(seconds: i64) -> Timestamp {
    let start = START.parse::<Timestamp>().unwrap().checked_add(SignedDuration::from_secs(seconds)).unwrap();
    Timestamp::from_microsecond(start.as_microsecond()).unwrap()
}

fn record(attempts: u32, not_before: i64, last_at: i64) -> LoginAttempts {
    LoginAttempts { attempts, not_before: at(not_before), last_at: at(last_at) }
}

async fn attempts_change_only_from_what_was_read(db: TestDb) {
    let store = db.store.clone();
    let key = "address|192.0.2.1";
    assert_eq!(store.login_attempts(key).await.unwrap(), None);
    let first = record(1, 0, 0);
    assert!(store.swap_login_attempts(key, None, &first).await.unwrap());
    assert!(!store.swap_login_attempts(key, None, &record(1, 0, 0)).await.unwrap(), "a second first attempt loses");
    let second = LoginAttempts { attempts: 2, not_before: at(1), last_at: at(0) };
    assert!(store.swap_login_attempts(key, Some(&first), &second).await.unwrap());
    assert!(!store.swap_login_attempts(key, Some(&first), &record(2, 5, 3)).await.unwrap(), "from a stale read");
    assert_eq!(store.login_attempts(key).await.unwrap(), Some(second), "microseconds kept");

    store.refund_login_attempt(key).await.unwrap();
    assert_eq!(store.login_attempts(key).await.unwrap().unwrap().attempts, 1);
    let other = "login|buyer";
    assert!(store.swap_login_attempts(other, None, &record(0, 0, 0)).await.unwrap());
    store.refund_login_attempt(other).await.unwrap();
    assert_eq!(store.login_attempts(other).await.unwrap().unwrap().attempts, 0, "never below zero");

    // Purged: quiet since before `quiet_before` and free to try again; a key still waiting stays.
    let waiting = "known|192.0.2.1|buyer";
    assert!(store.swap_login_attempts(waiting, None, &record(0, 100_000, 0)).await.unwrap());
    assert_eq!(store.purge_login_attempts(at(10), at(0)).await.unwrap(), 0, "nothing quiet yet");
    assert_eq!(store.purge_login_attempts(at(7200), at(3600)).await.unwrap(), 2);
    assert_eq!(store.login_attempts(key).await.unwrap(), None);
    assert!(store.login_attempts(waiting).await.unwrap().is_some());
    store.forget_login_attempts(waiting).await.unwrap();
    assert_eq!(store.login_attempts(waiting).await.unwrap(), None);
}

/// Twenty wrong guesses at once, half through each of two server processes (two pools on one
/// database): exactly the free attempts reach the password check.
async fn two_processes_count_one_guess_at_a_time(db: TestDb) {
    let one = World::new(db.store.clone()).await;
    let two = World::with_clock(db.another_store().await, one.clock.clone());
    let from: std::net::IpAddr = "192.0.2.7".parse().unwrap();
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let app = if i % 2 == 0 { one.app.clone() } else { two.app.clone() };
        guesses.spawn(async move { app.login("nobody", "guess", from).await.map(|_| ()) });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(result) = guesses.join_next().await {
        match result.unwrap() {
            Err(AppError::InvalidCredentials) => checked += 1,
            Err(AppError::TooManyAttempts { retry_after }) => {
                assert!(retry_after.is_positive());
                throttled += 1;
            }
            other => panic!("unexpected: {other:?}"),
        }
    }
    let free = redress_app::auth::ThrottlePolicy::default().free_per_login_at_address;
    assert_eq!((checked, throttled), (free, 20 - free));
}
