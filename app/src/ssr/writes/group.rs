//! Group commit: the writes that arrive while one transaction is being written share the
//! next one, and so its sync to disk. A durable commit costs a sync (about a millisecond on
//! SQLite with `synchronous=FULL`, the same order on PostgreSQL), which caps one-at-a-time
//! writes near a thousand a second however little each write does; grouped, the sync is
//! paid once per group. SQLite takes one writer at a time anyway, so nothing is lost by
//! running the writes of a group one after another.
//!
//! Each write runs in its own savepoint inside the group's transaction ([`super::begin`],
//! which raises the data version once for the group): a write that fails is rolled back
//! alone and the others stand. Every writer hears back only after the group's commit, so
//! an acknowledged write is on disk, as it was when each write committed by itself.
use super::super::Db;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// Writes per group at most: a group holds the write lock while it runs.
const MAX_GROUP: usize = 64;
/// Writes waiting at most; a writer beyond waits to be queued.
const QUEUE: usize = 1024;

/// Called after the group's commit with its outcome.
type Finish = Box<dyn FnOnce(Result<(), &DbErr>) + Send>;
/// One write: runs in its savepoint, says whether it keeps what it wrote, and how to answer.
type Job = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, (bool, Finish)> + Send>;

/// The queue of a database's grouped writes. The task that writes them starts with the
/// first write (inside the runtime) and ends when the last handle is dropped.
#[derive(Clone, Default)]
pub struct GroupCommit {
    queue: std::sync::Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl GroupCommit {
    /// Runs `write` in the next group's transaction and returns its result once that
    /// transaction is committed. An `Err` from `write` rolls back what it wrote, and only
    /// that; the outer `Err` says that the group failed (or the write panicked), so nothing
    /// of it was written.
    pub async fn write<T, E, F>(&self, db: &Db, write: F) -> Result<Result<T, E>, DbErr>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    {
        let (answer, heard) = oneshot::channel::<Result<Result<T, E>, DbErr>>();
        let job: Job = Box::new(move |txn| {
            async move {
                let result = write(txn).await;
                let keep = result.is_ok();
                let finish: Finish = Box::new(move |committed| {
                    let _ = answer.send(match committed {
                        Ok(()) => Ok(result),
                        Err(e) => Err(DbErr::Custom(format!("the group's commit failed: {e}"))),
                    });
                });
                (keep, finish)
            }
            .boxed()
        });
        let queue = self.queue.get_or_init(|| start(db.clone()));
        let abandoned = || DbErr::Custom("the write was abandoned".into());
        queue.send(job).await.map_err(|_| abandoned())?;
        heard.await.unwrap_or_else(|_| Err(abandoned()))
    }
}

fn start(db: Db) -> mpsc::Sender<Job> {
    let (queue, mut jobs) = mpsc::channel::<Job>(QUEUE);
    tokio::spawn(async move {
        while let Some(first) = jobs.recv().await {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match jobs.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            run(&db, group).await;
        }
    });
    queue
}

/// Writes one group: each job in its savepoint, then one commit, then every answer.
async fn run(db: &Db, group: Vec<Job>) {
    let mut finished: Vec<Finish> = Vec::with_capacity(group.len());
    let outcome = AssertUnwindSafe(async {
        let txn = super::begin(db).await?;
        for job in group {
            let savepoint = txn.begin().await?;
            let (keep, finish) = job(&savepoint).await;
            if keep {
                savepoint.commit().await?;
            } else {
                savepoint.rollback().await?;
            }
            finished.push(finish);
        }
        txn.commit().await
    })
    .catch_unwind()
    .await;
    // A panic drops the transaction, which rolls the whole group back: its writers hear
    // that nothing was written (the panicking one hears nothing and answers 500).
    let committed = outcome.unwrap_or_else(|_| Err(DbErr::Custom("a write of the group panicked".into())));
    if let Err(e) = &committed {
        tracing::error!(error = %e, writes = finished.len(), "a group of writes was rolled back");
    }
    for finish in finished {
        finish(committed.as_ref().map(|_| ()));
    }
}
