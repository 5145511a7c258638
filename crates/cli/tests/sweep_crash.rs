//! The deadline sweep killed mid-batch, on the real binary: `redress worker` fires a few
//! thousand passed deadlines and is killed with SIGKILL once the first of them are committed;
//! a worker started again takes over the killed one's claims when their lease lapses. Then
//! every due case advanced exactly once: one `timed_out` event each, every hash chain intact
//! up to the case row's head, at most one payout per order. (The long crash drill,
//! `crash_safety.rs`, kills servers and workers at random; this one aims at the sweep's batch.)

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DUE: usize = 3000;

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn redress(dir: &std::path::Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_redress"));
    command
        .args(["--data-dir", dir.to_str().unwrap(), "--database-url", url, "--worker-interval", "1"])
        .env("RUST_LOG", "error")
        // A killed worker's claims are taken over after 1 s, not the minute of production.
        .env("REDRESS_DRILL_LEASE_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn worker(dir: &std::path::Path, url: &str) -> Worker {
    Worker(redress(dir, url).arg("worker").spawn().expect("start redress worker"))
}

async fn fired(pool: &sqlx::SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(DISTINCT case_id) FROM case_events WHERE event_type = 'timed_out'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Waits until at least `n` cases have fired (180 s at most: a safety bound, not a measure).
async fn until_fired(pool: &sqlx::SqlitePool, n: i64) -> i64 {
    let started = Instant::now();
    loop {
        let now = fired(pool).await;
        if now >= n {
            return now;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "only {now} of {n} deadlines fired in 180 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_killed_mid_batch_fires_each_deadline_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sweep.db").display());
    for args in [&["migrate"][..], &["bench", "seed", "--cases", &DUE.to_string(), "--due", &DUE.to_string()]] {
        assert!(redress(dir.path(), &url).args(args).status().unwrap().success(), "redress {args:?}");
    }
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    assert_eq!(fired(&pool).await, 0);

    let mut first = worker(dir.path(), &url);
    until_fired(&pool, 1).await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let at_kill = fired(&pool).await;
    assert!(at_kill < DUE as i64, "the kill landed after the sweep: {at_kill} fired");

    let _second = worker(dir.path(), &url);
    until_fired(&pool, DUE as i64).await;
    drop(_second);

    let twice: Vec<(String, i64)> = sqlx::query_as(
        "SELECT case_id, COUNT(*) FROM case_events WHERE event_type = 'timed_out' GROUP BY case_id HAVING COUNT(*) <> 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(twice.is_empty(), "deadlines fired twice: {twice:?}");
    let paid_twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT order_id FROM refund_ledger GROUP BY order_id HAVING COUNT(*) > 1) AS t",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(paid_twice, 0, "orders paid twice");

    let store = redress_store::connect(&url).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM cases").fetch_all(&pool).await.unwrap();
    assert_eq!(ids.len(), DUE);
    for id in ids {
        let id = id.parse().unwrap();
        let record = store.case(id).await.unwrap().unwrap();
        let links: Vec<_> = store.events(id).await.unwrap().into_iter().map(|e| e.link).collect();
        redress_domain::chain::verify_with_head(&links, record.version, &record.last_hash)
            .unwrap_or_else(|e| panic!("case {id}: {e:?}"));
    }
    println!("sweep killed with {at_kill} of {DUE} deadlines fired; all fired once after the restart");
}
