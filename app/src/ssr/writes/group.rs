//! Group commit: the writes that arrive while one transaction is being written share the
//! next one, and so its sync to disk. A durable commit costs a sync (about a millisecond on
//! SQLite with `synchronous=FULL`, the same order on PostgreSQL), which caps one-at-a-time
//! writes near a thousand a second however little each write does; grouped, the sync is
//! paid once per group. SQLite takes one writer at a time anyway, so nothing is lost by
//! writing a group's jobs one after another.
//!
//! What a group is made of is its job type's ([`GroupWrite`]): survey entries read the
//! facts of the whole group at once ([`super::surveys::Entry`]). A job refused by its rules
//! has written nothing and the others stand; a database failure fails the whole group, and
//! nothing of it is written. A group that changed nothing is rolled back, the raise of the
//! data's version with it. Every writer hears back only after the group's commit, so an
//! acknowledged write is on disk, as it was when each write committed by itself.
use super::super::Db;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use sea_orm::{DatabaseTransaction, DbErr};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Jobs per group at most: a group holds the write lock while it runs.
const MAX_GROUP: usize = 64;
/// Jobs waiting at most; a writer beyond waits to be queued.
const QUEUE: usize = 1024;

/// A kind of write that is done in groups.
pub trait GroupWrite: Send + Sync + Sized + 'static {
    /// What a writer hears once the group is committed.
    type Out: Send + 'static;
    /// Writes the jobs in `txn`, in order: for each, its answer, or `None` to put it off to
    /// the next group (never the first job of a group, so every job is written in the end).
    fn write_group<'t>(txn: &'t DatabaseTransaction, jobs: &'t [Self]) -> BoxFuture<'t, Result<Vec<Option<Self::Out>>, DbErr>>;
    /// Whether an answer says the job changed the data. A group none of whose jobs changed
    /// anything (each refused, or sending what is stored) is rolled back, so the data's
    /// version stays and the figures kept for it stay too: nothing written, nothing changed.
    fn changed(out: &Self::Out) -> bool;
}

type Answer<J> = oneshot::Sender<Result<<J as GroupWrite>::Out, DbErr>>;

/// The queue of a database's grouped writes of one kind. The task that writes them starts
/// with the first job (inside the runtime) and ends when the last handle is dropped.
pub struct GroupCommit<J: GroupWrite> {
    queue: Arc<OnceLock<mpsc::Sender<(J, Answer<J>)>>>,
}

impl<J: GroupWrite> Default for GroupCommit<J> {
    fn default() -> Self {
        GroupCommit { queue: Default::default() }
    }
}

impl<J: GroupWrite> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        GroupCommit { queue: self.queue.clone() }
    }
}

impl<J: GroupWrite> GroupCommit<J> {
    /// Writes `job` in the next group and returns its answer once that group is committed;
    /// `Err` says that the group failed (or a job of it panicked), so nothing of it was written.
    pub async fn write(&self, db: &Db, job: J) -> Result<J::Out, DbErr> {
        let (answer, heard) = oneshot::channel();
        let queue = self.queue.get_or_init(|| start(db.clone()));
        let abandoned = || DbErr::Custom("the write was abandoned".into());
        queue.send((job, answer)).await.map_err(|_| abandoned())?;
        heard.await.unwrap_or_else(|_| Err(abandoned()))
    }
}

fn start<J: GroupWrite>(db: Db) -> mpsc::Sender<(J, Answer<J>)> {
    let (queue, mut arrivals) = mpsc::channel::<(J, Answer<J>)>(QUEUE);
    tokio::spawn(async move {
        // Jobs put off by the last group go first in the next.
        let mut waiting: VecDeque<(J, Answer<J>)> = VecDeque::new();
        loop {
            if waiting.is_empty() {
                match arrivals.recv().await {
                    Some(job) => waiting.push_back(job),
                    None => return,
                }
            }
            while waiting.len() < MAX_GROUP {
                match arrivals.try_recv() {
                    Ok(job) => waiting.push_back(job),
                    Err(_) => break,
                }
            }
            let group: Vec<(J, Answer<J>)> = waiting.drain(..waiting.len().min(MAX_GROUP)).collect();
            for put_off in run(&db, group).await.into_iter().rev() {
                waiting.push_front(put_off);
            }
        }
    });
    queue
}

/// Writes one group in one transaction, then answers its writers; returns the jobs put off.
async fn run<J: GroupWrite>(db: &Db, group: Vec<(J, Answer<J>)>) -> Vec<(J, Answer<J>)> {
    let (jobs, answers): (Vec<J>, Vec<Answer<J>>) = group.into_iter().unzip();
    let outcome = AssertUnwindSafe(async {
        // Where a group's time goes, for `RUST_LOG=app::ssr::writes::group=debug`.
        let started = std::time::Instant::now();
        let txn = super::begin(db).await?;
        let begun = started.elapsed();
        let verdicts = J::write_group(&txn, &jobs).await?;
        let written = started.elapsed();
        if verdicts.iter().flatten().any(J::changed) {
            txn.commit().await?;
        } else {
            txn.rollback().await?;
        }
        tracing::debug!(
            jobs = jobs.len(),
            begin_us = begun.as_micros() as u64,
            write_us = (written - begun).as_micros() as u64,
            commit_us = (started.elapsed() - written).as_micros() as u64,
            "group committed"
        );
        Ok::<_, DbErr>(verdicts)
    })
    .catch_unwind()
    .await;
    // A panic drops the transaction, which rolls the whole group back: its writers hear
    // that nothing was written.
    let outcome = outcome.unwrap_or_else(|_| Err(DbErr::Custom("a write of the group panicked".into())));
    let mut put_off = Vec::new();
    match outcome {
        Ok(mut verdicts) => {
            verdicts.resize_with(jobs.len(), || None);
            for (i, ((job, answer), verdict)) in jobs.into_iter().zip(answers).zip(verdicts).enumerate() {
                match verdict {
                    Some(out) => {
                        let _ = answer.send(Ok(out));
                    }
                    None if i > 0 => put_off.push((job, answer)),
                    // Put off as the first of its group it would wait for ever.
                    None => {
                        let _ = answer.send(Err(DbErr::Custom("a write put off as the first of its group".into())));
                    }
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, writes = answers.len(), "a group of writes was rolled back");
            for answer in answers {
                let _ = answer.send(Err(DbErr::Custom(format!("the group's commit failed: {e}"))));
            }
        }
    }
    put_off
}
