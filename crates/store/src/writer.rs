//! SQLite's one writer with group commit. SQLite takes one writer at a time, and with
//! `synchronous=FULL` each commit waits for an fsync: a transaction per request spends the
//! machine on fsyncs and lock hand-overs. Instead one task owns the write connection and
//! commits every change queued meanwhile (up to `BATCH`) in one transaction, each change in its
//! own SAVEPOINT so that a conflict (or any error) undoes that change alone. Callers hear back
//! only after the COMMIT returned, so an acknowledged change is durable.

use crate::codec::Id;
use crate::shared::Change;
use futures_util::FutureExt;
use redress_app::StoreError;
use redress_app::ports::StoreResult;
use redress_app::search::SearchDoc;
use redress_domain::CaseId;
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

/// A queued change, whether its first call is a `Script` (`Writer::write_scripted`), and where
/// its outcome goes.
type Queued = (Change<sqlx::Sqlite>, bool, oneshot::Sender<StoreResult<()>>);

/// The changes of a batch take two savepoint names in turn: change `i` opens `change_a` or
/// `change_b` and releases its predecessor's, so a `ROLLBACK TO` the name of a change whose
/// opening did not run fails ("no such savepoint") instead of undoing its predecessor.
const ROLLBACKS: [&str; 2] = ["ROLLBACK TO change_a", "ROLLBACK TO change_b"];
/// What each change sends first: the first change begins the transaction, every later one
/// releases its predecessor's savepoint; each opens its own.
const OPENINGS: [&str; 3] = [
    "BEGIN IMMEDIATE; SAVEPOINT change_a; ",
    "RELEASE change_a; SAVEPOINT change_b; ",
    "RELEASE change_b; SAVEPOINT change_a; ",
];

/// Statements in each opening.
pub(crate) const OPENING_STATEMENTS: usize = 2;

fn opening(i: usize) -> &'static str {
    if i == 0 { OPENINGS[0] } else { OPENINGS[1 + (i - 1) % 2] }
}

/// The opening of the change running now, for a scripted change to send in its script's call
/// (`Script::next` takes it, `Script::run` marks it sent), and the search words it leaves for
/// the writer (`Opening::defer_search`).
pub(crate) struct Opening {
    sql: std::sync::Mutex<Option<&'static str>>,
    sent: std::sync::atomic::AtomicBool,
    search: std::sync::Mutex<Vec<SearchWords>>,
}

/// A change's words for its case's search document.
pub(crate) enum SearchWords {
    /// A new case's document.
    New(CaseId, SearchDoc),
    /// Words added to a case's document.
    Appended(CaseId, SearchDoc),
}

impl Opening {
    /// The opening to put before a script's first statement, if the change running now has one
    /// to send (only on the writer's task; at most once).
    pub(crate) fn take() -> Option<&'static str> {
        OPENING.try_with(|o| o.sql.lock().unwrap_or_else(|p| p.into_inner()).take()).ok().flatten()
    }

    /// The script holding the opening is being sent.
    pub(crate) fn mark_sent() {
        let _ = OPENING.try_with(|o| o.sent.store(true, std::sync::atomic::Ordering::SeqCst));
    }

    /// Leaves `words` to the writer, which writes a batch's search words together after its
    /// last change, for the changes that took: FTS5 writes its pending words at every
    /// savepoint, one segment a change, and that was a quarter of the writer's time
    /// (docs/performance.md, "Where the writer's time goes"). Whether it did: outside a
    /// writer's change (PostgreSQL) it is false and `words` is not called: the caller writes
    /// them with its change.
    pub(crate) fn defer_search(words: impl FnOnce() -> SearchWords) -> bool {
        OPENING.try_with(|o| o.search.lock().unwrap_or_else(|p| p.into_inner()).push(words())).is_ok()
    }
}

tokio::task_local! {
    static OPENING: std::sync::Arc<Opening>;
}

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
        self.enqueue(change, false).await
    }

    /// `write` for a change that writes nothing before its first `Script` runs: the writer's
    /// savepoint statements go in that script's call instead of a call of their own (each call
    /// is a hand-over to sqlx's SQLite thread and back, the writer's main cost).
    pub async fn write_scripted(&self, change: Change<sqlx::Sqlite>) -> StoreResult<()> {
        self.enqueue(change, true).await
    }

    async fn enqueue(&self, change: Change<sqlx::Sqlite>, scripted: bool) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((change, scripted, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Other(anyhow::anyhow!("the SQLite writer stopped"))
}

async fn write_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let started = std::time::Instant::now();
        let (changes, replies): (Vec<_>, Vec<_>) = batch.drain(..).map(|(c, s, r)| ((c, s), r)).unzip();
        let committed = commit(&mut conn, changes).await;
        metrics::histogram!(redress_app::telemetry::WRITER_BATCH_DURATION).record(started.elapsed().as_secs_f64());
        let outcomes = match committed {
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
async fn commit(
    conn: &mut SqliteConnection,
    changes: Vec<(Change<sqlx::Sqlite>, bool)>,
) -> sqlx::Result<Vec<StoreResult<()>>> {
    metrics::histogram!(redress_app::telemetry::WRITER_BATCH).record(changes.len() as f64);
    let mut outcomes = Vec::with_capacity(changes.len());
    let mut search = Vec::new();
    for (i, (change, scripted)) in changes.into_iter().enumerate() {
        // Each change runs in its own SAVEPOINT. Its opening (BEGIN or the release of the
        // previous change's savepoint, and its own) goes in the change's first script when it is
        // scripted, else in a call of its own.
        let opening = std::sync::Arc::new(Opening {
            sql: std::sync::Mutex::new(Some(self::opening(i)).filter(|_| scripted)),
            sent: Default::default(),
            search: Default::default(),
        });
        if !scripted {
            conn.execute(self::opening(i)).await?;
        }
        // A change that panics fails alone, like one that errs: the writer carries on with the
        // rest of the batch and the next ones (a dead writer would stop every SQLite write).
        let outcome = OPENING
            .scope(opening.clone(), std::panic::AssertUnwindSafe(change(conn)).catch_unwind())
            .await
            .unwrap_or_else(|panic| {
                let what = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
                tracing::error!(panic = what.unwrap_or("?"), "a change panicked in the SQLite writer");
                Err(StoreError::Other(anyhow::anyhow!("the change panicked")))
            });
        if scripted && !opening.sent.load(std::sync::atomic::Ordering::SeqCst) {
            // It ended before its script was sent (it had nothing to write, or failed first).
            conn.execute(self::opening(i)).await?;
        }
        if outcome.is_err() {
            // Fails (and with it the whole batch, which nobody has heard of yet) if this change's
            // savepoint was never opened: its opening failed part-way.
            conn.execute(ROLLBACKS[i % 2]).await?;
        } else {
            search.append(&mut opening.search.lock().unwrap_or_else(|p| p.into_inner()));
        }
        outcomes.push(outcome);
    }
    // In the batch's transaction: a change and its search words commit together, or neither.
    write_search(conn, search).await?;
    let committing = std::time::Instant::now();
    conn.execute("COMMIT").await?;
    metrics::histogram!(redress_app::telemetry::WRITER_COMMIT_DURATION).record(committing.elapsed().as_secs_f64());
    Ok(outcomes)
}

/// The search words of a batch's changes that took, in their order: the new cases' documents in
/// one INSERT, then the words added to each case (joined, so each case once) in one UPDATE.
async fn write_search(conn: &mut SqliteConnection, words: Vec<SearchWords>) -> sqlx::Result<()> {
    let mut new: Vec<(CaseId, SearchDoc)> = Vec::new();
    let mut appended: Vec<(CaseId, SearchDoc)> = Vec::new();
    for words in words {
        match words {
            SearchWords::New(case, doc) => new.push((case, doc)),
            SearchWords::Appended(case, more) => {
                // A case filed in this batch gets its later words in its new document.
                let joined = new.iter_mut().chain(appended.iter_mut()).find(|(c, _)| *c == case);
                match joined {
                    Some((_, doc)) => doc.append(&more),
                    None => appended.push((case, more)),
                }
            }
        }
    }
    if !new.is_empty() {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO case_texts (case_id, plain, words) ");
        q.push_values(&new, |mut row, (case, doc)| {
            row.push_bind(Id::from(*case)).push_bind(&doc.plain).push_bind(&doc.words);
        });
        q.build().execute(&mut *conn).await?;
    }
    if !appended.is_empty() {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "UPDATE case_texts SET plain = plain || v.column2, words = words || v.column3 FROM (",
        );
        q.push_values(&appended, |mut row, (case, doc)| {
            row.push_bind(Id::from(*case)).push_bind(&doc.plain).push_bind(&doc.words);
        });
        q.push(") AS v WHERE case_texts.case_id = v.column1");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
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

    /// Where a scripted change puts the rows its script touched.
    type Touched = std::sync::Arc<std::sync::Mutex<Option<u64>>>;

    /// A scripted change: `sql` (statements without parameters) as one `Script`, then `then`.
    fn scripted(sql: &'static str, then: StoreResult<()>, touched: Touched) -> Change<sqlx::Sqlite> {
        crate::shared::change::<sqlx::Sqlite, _>(move |conn| {
            Box::pin(async move {
                let mut script = crate::script::sqlite::Script::default();
                script.next().push(sql);
                *touched.lock().unwrap() = Some(script.run(conn).await.map_err(crate::shared::other)?);
                then
            })
        })
    }

    async fn fresh() -> (tempfile::TempDir, SqliteConnection, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let options =
            sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("w.db")).create_if_missing(true);
        let mut reader = options.connect().await.unwrap();
        reader.execute("CREATE TABLE t (v INTEGER NOT NULL)").await.unwrap();
        let writer = Writer::start(options.connect().await.unwrap());
        (dir, reader, writer)
    }

    /// The savepoint statements sent in a scripted change's call are not counted as its rows:
    /// SQLite reports the previous change's rows for them, which hid a stale change's UPDATE
    /// that took nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scripted_change_counts_only_its_own_rows() {
        let (_dir, _reader, writer) = fresh().await;
        let (first, second): (Touched, Touched) = Default::default();
        let both = tokio::join!(
            writer.write_scripted(scripted("INSERT INTO t (v) VALUES (1), (2), (3)", Ok(()), first)),
            writer.write_scripted(scripted("UPDATE t SET v = 0 WHERE v = 99", Ok(()), second.clone())),
        );
        assert!(both.0.is_ok() && both.1.is_ok(), "{both:?}");
        assert_eq!(*second.lock().unwrap(), Some(0));
    }

    /// Scripted changes that fail, after their script or before it, fail alone; the changes
    /// before and after them in the batch commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scripted_change_that_fails_is_undone_alone() {
        let (_dir, mut reader, writer) = fresh().await;
        let touched = Touched::default();
        let fail = || Err(StoreError::Conflict);
        let early = crate::shared::change::<sqlx::Sqlite, _>(|_| Box::pin(async { Err(StoreError::Conflict) }));
        let outcomes = tokio::join!(
            writer.write_scripted(scripted("INSERT INTO t (v) VALUES (1)", Ok(()), touched.clone())),
            writer.write_scripted(scripted(
                "INSERT INTO t (v) VALUES (-1); INSERT INTO t (v) VALUES (-2)",
                fail(),
                touched.clone()
            )),
            writer.write_scripted(early),
            writer.write(insert(2)),
            writer.write_scripted(scripted("INSERT INTO t (v) VALUES (3)", Ok(()), touched.clone())),
            writer.write_scripted(scripted("INSERT INTO nowhere (v) VALUES (-3)", Ok(()), touched.clone())),
            writer.write_scripted(scripted("INSERT INTO t (v) VALUES (4)", Ok(()), touched)),
        );
        assert!(outcomes.0.is_ok() && outcomes.3.is_ok() && outcomes.4.is_ok() && outcomes.6.is_ok(), "{outcomes:?}");
        assert!(outcomes.1.is_err() && outcomes.2.is_err() && outcomes.5.is_err(), "{outcomes:?}");
        let values: Vec<i64> = sqlx::query_scalar("SELECT v FROM t ORDER BY v").fetch_all(&mut reader).await.unwrap();
        assert_eq!(values, [1, 2, 3, 4]);
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

    /// A change's search words, left to the writer, are written with the batch if the change
    /// took and not if it failed; a case's words of several changes are joined in their order,
    /// a new case's with its document.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_writes_the_search_words_of_the_changes_that_took() {
        let (_dir, mut reader, writer) = fresh().await;
        reader.execute("CREATE TABLE case_texts (case_id PRIMARY KEY, plain TEXT, words TEXT)").await.unwrap();
        let (filed, stored) = (CaseId(uuid::Uuid::now_v7()), CaseId(uuid::Uuid::now_v7()));
        sqlx::query("INSERT INTO case_texts VALUES ($1, 'old ', 'old ')")
            .bind(Id::from(stored))
            .execute(&mut reader)
            .await
            .unwrap();
        let words = |text: &str| SearchDoc { plain: format!("{text} "), words: format!("{text} ") };
        let leaving = |left: Vec<SearchWords>, then: StoreResult<()>| {
            crate::shared::change::<sqlx::Sqlite, _>(move |conn| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO t (v) VALUES (1)").execute(conn).await.map_err(crate::shared::other)?;
                    for words in left {
                        assert!(Opening::defer_search(|| words), "a writer's change leaves its words");
                    }
                    then
                })
            })
        };
        let outcomes = tokio::join!(
            writer.write(leaving(vec![SearchWords::New(filed, words("filed"))], Ok(()))),
            writer.write(leaving(vec![SearchWords::Appended(filed, words("lost"))], Err(StoreError::Conflict))),
            writer.write(leaving(vec![SearchWords::Appended(stored, words("more"))], Ok(()))),
            writer.write(leaving(vec![SearchWords::Appended(filed, words("then"))], Ok(()))),
            writer.write(leaving(vec![SearchWords::Appended(stored, words("last"))], Ok(()))),
        );
        assert!(outcomes.1.is_err());
        assert!(outcomes.0.is_ok() && outcomes.2.is_ok() && outcomes.3.is_ok() && outcomes.4.is_ok(), "{outcomes:?}");
        let plain = |case: CaseId| {
            sqlx::query_scalar::<_, String>("SELECT plain FROM case_texts WHERE case_id = $1").bind(Id::from(case))
        };
        assert_eq!(plain(filed).fetch_one(&mut reader).await.unwrap(), "filed then ");
        assert_eq!(plain(stored).fetch_one(&mut reader).await.unwrap(), "old more last ");
        // Outside a writer's change the words are the caller's to write.
        assert!(!Opening::defer_search(|| SearchWords::New(filed, words("x"))));
    }
}
