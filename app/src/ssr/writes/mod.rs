//! The one write path, one module per written concept: each validates with the pure rules
//! of `domain`, checks the version, writes and records the audit entry, all in the
//! transaction that [`begin`] opens. The importer, the entry form and the write API call it.
pub mod adoptions;
pub mod group;
pub mod models;
pub mod surveys;
pub mod units;
pub mod users;

use super::entities::audit_log;
use super::Db;
use crate::domain::reference::Faults;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, TransactionTrait};
use serde::Serialize;
use std::collections::HashMap;

/// Opens a write transaction and, as its first statement, raises the data version. On
/// SQLite that takes the write lock before anything is read, so what a write validates
/// against cannot change under it (a deferred transaction would read first and could then
/// fail to upgrade); on PostgreSQL the row lock queues writers one after another.
pub async fn begin(db: &Db) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    txn.execute_unprepared("UPDATE data_version SET version = version + 1 WHERE id = 1").await?;
    Ok(txn)
}

/// What a write did to one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deleted: u64,
}

impl Written {
    pub fn add(&mut self, other: Written) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.deleted += other.deleted;
    }
}

/// Who writes, and when: every audit entry of one write carries the same time.
#[derive(Clone)]
pub struct Audit {
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `import`, `import --update`, `entry`, `api`, `correction`, `delete`.
    pub action: &'static str,
    pub reason: Option<String>,
}

impl Audit {
    pub fn new(actor: String, action: &'static str, reason: Option<String>) -> Self {
        Audit { actor, at: chrono::Utc::now(), action, reason }
    }

    /// One change, with its old and new values as JSON objects (the table's columns).
    pub async fn record<T: Serialize>(
        &self,
        txn: &DatabaseTransaction,
        entity: &str,
        key: String,
        old: Option<&T>,
        new: Option<&T>,
        warnings: &[String],
    ) -> Result<(), DbErr> {
        audit_log::Entity::insert(self.entry(entity, key, old, new, warnings)).exec(txn).await.map(|_| ())
    }

    /// The audit row of one change, for [`Audit::record`] or to insert with others.
    pub fn entry<T: Serialize>(
        &self,
        entity: &str,
        key: String,
        old: Option<&T>,
        new: Option<&T>,
        warnings: &[String],
    ) -> audit_log::ActiveModel {
        let json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).unwrap_or_default());
        audit_log::ActiveModel {
            at: Set(self.at),
            actor: Set(self.actor.clone()),
            action: Set(self.action.into()),
            entity: Set(entity.into()),
            entity_key: Set(key),
            old_value: Set(json(old)),
            new_value: Set(json(new)),
            reason: Set(self.reason.clone()),
            warnings: Set((!warnings.is_empty()).then(|| serde_json::to_string(warnings).unwrap_or_default())),
            ..Default::default()
        }
    }
}

/// Called as a long write advances: (table, rows done, rows in all).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Rows per INSERT. On PostgreSQL small enough that one statement's message (~60 bytes a
/// survey row) fits in a single socket write: sqlx 0.9.0 no longer sets TCP_NODELAY
/// (github.com/transact-rs/sqlx issue 4335), so a message split over two writes waits
/// for the server's delayed ACK on every statement. SQLite, in process, gains from fewer
/// and larger statements.
pub(super) fn chunk_rows(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 128,
        _ => 500,
    }
}

pub async fn insert_chunked<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    table: &str,
    progress: Progress<'_>,
    insert: impl Fn(Vec<A>) -> sea_orm::InsertMany<A>,
) -> Result<u64, DbErr>
where
    A: sea_orm::ActiveModelTrait,
{
    let total = rows.len() as u64;
    let chunk_rows = chunk_rows(txn.get_database_backend());
    let mut done = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(chunk_rows).collect();
        let n = chunk.len() as u64;
        insert(chunk).exec_without_returning(txn).await?;
        done += n;
        progress(table, done, total);
    }
    Ok(total)
}

/// Today in Vietnam (UTC+7, no daylight saving): what "the current month" and "a period
/// that has not begun" mean for a commune's staff member, whatever the server's zone.
pub fn today() -> chrono::NaiveDate {
    crate::domain::period::vietnam_date(chrono::Utc::now())
}

/// Why a unit, model or adoption was not written. `S` is what is stored, shown beside the
/// writer's values when someone else changed the row in between.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceWriteError<S> {
    #[error("{} problem(s); nothing was written", .0.len())]
    Invalid(Faults),
    #[error("only officials and admins edit reference data")]
    Forbidden,
    /// Someone changed it in between: what is stored now, and its revision to edit from.
    #[error("someone changed it in the meantime")]
    Conflict { stored: S, revision: String },
    #[error("it no longer exists")]
    NotFound,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// What a form's save of a keyed record (a model, a unit) comes to against the stored row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    Insert,
    Update,
    /// The form holds what is stored: nothing to write.
    Unchanged,
}

impl Edit {
    /// Decides it, or refuses: an edit of a row that is gone, an edit made from an older
    /// revision (with what is stored now), a new record whose key is taken (`exists`, at
    /// the `code` field).
    pub(crate) fn of<M: Serialize, S>(
        stored: Option<&M>,
        edited_from: Option<&str>,
        same: impl Fn(&M) -> bool,
        draft_of: impl Fn(&M) -> S,
        exists: impl FnOnce() -> crate::domain::reference::Fault,
    ) -> Result<Edit, ReferenceWriteError<S>> {
        match (stored, edited_from) {
            (None, Some(_)) => Err(ReferenceWriteError::NotFound),
            (None, None) => Ok(Edit::Insert),
            (Some(old), Some(rev)) if revision(old) != rev => {
                Err(ReferenceWriteError::Conflict { stored: draft_of(old), revision: revision(old) })
            }
            (Some(old), _) if same(old) => Ok(Edit::Unchanged),
            (Some(_), None) => Err(ReferenceWriteError::Invalid(vec![("code".into(), exists())])),
            (Some(_), Some(_)) => Ok(Edit::Update),
        }
    }

    /// What it did to the table.
    pub(crate) fn written(self) -> Written {
        match self {
            Edit::Insert => Written { inserted: 1, ..Default::default() },
            Edit::Update => Written { updated: 1, ..Default::default() },
            Edit::Unchanged => Written { unchanged: 1, ..Default::default() },
        }
    }
}

/// A stored row's revision: the start of the SHA-256 of its JSON. A form carries the
/// revision it was filled from; a save over any other is refused, never merged. Reference
/// rows change rarely, so this needs no version column and changes no export.
pub fn revision<T: Serialize>(row: &T) -> String {
    use sha2::Digest as _;
    let json = serde_json::to_vec(row).unwrap_or_default();
    sha2::Sha256::digest(&json).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// How an import writes one table: rows new to the database are inserted in chunks, rows
/// whose key exists with other values are updated one by one with their old values kept in
/// the audit log, identical rows are left alone.
pub(crate) struct TableWrite<'a, R, K, M, A> {
    pub table: &'static str,
    pub entity: &'static str,
    pub existing: &'a HashMap<K, M>,
    pub key: fn(&R) -> K,
    pub same: fn(&M, &R) -> bool,
    /// The audit log's key, e.g. `402-01/NKV/2024-03-01`.
    pub audit_key: fn(&R) -> String,
    /// The values to write; with the old row when it is an update.
    pub values: fn(&R, Option<&M>) -> A,
}

impl<R, K, M, A> TableWrite<'_, R, K, M, A>
where
    K: std::hash::Hash + Eq,
    M: Serialize + sea_orm::IntoActiveModel<A>,
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    A::Entity: EntityTrait<Model = M>,
{
    pub async fn run(&self, txn: &DatabaseTransaction, rows: &[R], audit: &Audit, progress: Progress<'_>) -> Result<Written, DbErr> {
        let mut rep = Written::default();
        let mut fresh = Vec::new();
        let mut changed = Vec::new();
        for r in rows {
            match self.existing.get(&(self.key)(r)) {
                None => fresh.push((self.values)(r, None)),
                Some(old) if (self.same)(old, r) => rep.unchanged += 1,
                Some(old) => changed.push((old, r)),
            }
        }
        // New rows first (in the given order), so that a changed row may point at one.
        rep.inserted = insert_chunked(txn, fresh, self.table, progress, |chunk| A::Entity::insert_many(chunk)).await?;
        for (old, r) in changed {
            let new = A::Entity::update((self.values)(r, Some(old))).exec(txn).await?;
            audit.record(txn, self.entity, (self.audit_key)(r), Some(old), Some(&new), &[]).await?;
            rep.updated += 1;
        }
        Ok(rep)
    }
}
