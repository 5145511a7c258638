//! SQLite's one writer with group commit. SQLite takes one writer at a time, and with
//! `synchronous=FULL` each commit waits for an fsync: a transaction per request spends the
//! machine on fsyncs and lock hand-overs. Instead one task owns the write connection and
//! commits every change queued meanwhile (up to `BATCH`) in one transaction, each change in its
//! own SAVEPOINT so that a conflict (or any error) undoes that change alone. Callers hear back
//! only after the COMMIT returned, so an acknowledged change is durable.

use crate::shared::Change;
use futures_util::FutureExt;
use redress_app::StoreError;
use redress_app::ports::StoreResult;
use sqlx::{Connection, Executor, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

/// Changes committed together at most. Interactive load queues about one change per client, so
/// its batches stay small; a burst (the deadline sweep queues a thousand timeouts at once)
/// commits in a few large transactions: each commit writes the pages its changes share (the
/// indexes of `cases`, `case_events`, `outbox`) once, and pays one fsync.
pub const BATCH: usize = 1024;
/// The write connection's page cache, in KiB (a bound on its memory, not a reservation).
pub const CACHE_KIB: u32 = 32 * 1024;
/// Changes waiting for the writer at most; callers beyond wait to enqueue (back-pressure).
const QUEUE: usize = 4096;

type Queued = (Change<sqlx::Sqlite>, oneshot::Sender<StoreResult<()>>);

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Queued>,
}

impl Writer {
    /// Starts the writer task on `conn`; it stops when the last `Writer` is dropped.
    pub fn start(conn: SqliteConnection) -> Writer {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_loop(conn, rx));
        Writer { queue }
    }

    /// Runs `change` in the next batch; returns once its batch is committed (or failed).
    pub async fn write(&self, change: Change<sqlx::Sqlite>) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((change, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Other(anyhow::anyhow!("the SQLite writer stopped"))
}

async fn write_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let (changes, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        let outcomes = match commit(&mut conn, changes).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                // Nothing of the batch is committed: every caller hears so.
                let _ = conn.execute("ROLLBACK").await;
                tracing::error!(error = %e, "group commit failed");
                replies.iter().map(|_| Err(StoreError::Other(anyhow::anyhow!("commit failed: {e}")))).collect()
            }
        };
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
    let _ = conn.close().await;
}

/// One transaction over `changes`: the outcome of each, valid only if this returns `Ok`.
async fn commit(conn: &mut SqliteConnection, changes: Vec<Change<sqlx::Sqlite>>) -> sqlx::Result<Vec<StoreResult<()>>> {
    metrics::histogram!(redress_app::telemetry::WRITER_BATCH).record(changes.len() as f64);
    // Each change runs in its own SAVEPOINT; releasing one and opening the next is one call to
    // SQLite's thread, as are the first and the last with BEGIN and COMMIT (every call is a
    // hand-over between threads, the writer's main cost).
    conn.execute("BEGIN IMMEDIATE; SAVEPOINT change").await?;
    let mut outcomes = Vec::with_capacity(changes.len());
    for (i, change) in changes.into_iter().enumerate() {
        if i > 0 {
            conn.execute("RELEASE change; SAVEPOINT change").await?;
        }
        // A change that panics fails alone, like one that errs: the writer carries on with the
        // rest of the batch and the next ones (a dead writer would stop every SQLite write).
        let outcome = std::panic::AssertUnwindSafe(change(conn)).catch_unwind().await.unwrap_or_else(|panic| {
            let what = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
            tracing::error!(panic = what.unwrap_or("?"), "a change panicked in the SQLite writer");
            Err(StoreError::Other(anyhow::anyhow!("the change panicked")))
        });
        if outcome.is_err() {
            conn.execute("ROLLBACK TO change").await?;
        }
        outcomes.push(outcome);
    }
    conn.execute("RELEASE change; COMMIT").await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;

    async fn count(conn: &mut SqliteConnection) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(conn).await.unwrap()
    }

    fn insert(value: i64) -> Change<sqlx::Sqlite> {
        crate::shared::change::<sqlx::Sqlite, _>(move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (v) VALUES ($1)")
                    .bind(value)
                    .execute(conn)
                    .await
                    .map_err(crate::shared::other)?;
                Ok(())
            })
        })
    }

    /// A change that panics fails alone; the changes of its batch and every later one commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_change_fails_alone_and_the_writer_carries_on() {
        let dir = tempfile::tempdir().unwrap();
        let options =
            sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("w.db")).create_if_missing(true);
        let mut reader = options.connect().await.unwrap();
        reader.execute("CREATE TABLE t (v INTEGER NOT NULL)").await.unwrap();
        let writer = Writer::start(options.connect().await.unwrap());
        let panicking = crate::shared::change::<sqlx::Sqlite, _>(|conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (v) VALUES (-1)").execute(conn).await.map_err(crate::shared::other)?;
                panic!("a bug in one change");
            })
        });
        // Queued together, so that they share a batch.
        let (before, bad, after) =
            tokio::join!(writer.write(insert(1)), writer.write(panicking), writer.write(insert(2)));
        assert!(before.is_ok() && after.is_ok(), "{before:?} {after:?}");
        assert!(bad.is_err());
        writer.write(insert(3)).await.expect("the writer still commits");
        assert_eq!(count(&mut reader).await, 3, "the panicking change's own insert is undone");
    }
}
