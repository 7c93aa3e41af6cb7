//! Reform models: an import's rows ([`import`]) and an official's form ([`save`]) are
//! checked by the same pure rules (`domain::reference::parse_model`) and audited alike.
use super::{Audit, Edit, Progress, ReferenceWriteError, TableWrite, Written};
use crate::domain::access::Writer;
use crate::domain::reference::{self, Fault, ModelDraft, ModelRecord};
use crate::ssr::entities::reform_model;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait};
use std::collections::HashMap;

/// The audit log's name for the table.
const ENTITY: &str = "reform_models";

pub fn same(old: &reform_model::Model, r: &ModelRecord) -> bool {
    old.name == r.name && old.category == r.category && old.description == r.description && old.launched_on == r.launched_on
}

fn values(r: &ModelRecord) -> reform_model::ActiveModel {
    reform_model::ActiveModel {
        code: Set(r.code.clone()),
        name: Set(r.name.clone()),
        category: Set(r.category.clone()),
        description: Set(r.description.clone()),
        launched_on: Set(r.launched_on),
    }
}

/// A stored model as the form shows it.
pub fn draft_of(m: &reform_model::Model) -> ModelDraft {
    ModelDraft {
        code: m.code.clone(),
        name: m.name.clone(),
        category: m.category.clone().unwrap_or_default(),
        description: m.description.clone().unwrap_or_default(),
        launched_on: m.launched_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// An import's models, already checked; `existing` is what the database holds.
pub async fn import(
    txn: &DatabaseTransaction,
    rows: &[ModelRecord],
    existing: &HashMap<String, reform_model::Model>,
    audit: &Audit,
    progress: Progress<'_>,
) -> Result<Written, DbErr> {
    let write = TableWrite {
        table: "models",
        entity: ENTITY,
        existing,
        key: |r: &ModelRecord| r.code.clone(),
        same,
        audit_key: |r| r.code.clone(),
        values: |r, _| values(r),
    };
    write.run(txn, rows, audit, progress).await
}

/// One model from a form: new when `edited_from` is `None`, otherwise an edit of the
/// stored revision the form was filled from (the code is the key and stays).
pub async fn save(
    txn: &DatabaseTransaction,
    writer: &Writer,
    draft: &ModelDraft,
    edited_from: Option<&str>,
    audit: &Audit,
) -> Result<Written, ReferenceWriteError<ModelDraft>> {
    if !writer.may_edit_reference() {
        return Err(ReferenceWriteError::Forbidden);
    }
    let record = reference::parse_model(draft).map_err(ReferenceWriteError::Invalid)?;
    let stored = reform_model::Entity::find_by_id(record.code.clone()).one(txn).await?;
    let exists = || Fault::Exists(format!("model `{}`", record.code));
    let edit = Edit::of(stored.as_ref(), edited_from, |old| same(old, &record), draft_of, exists)?;
    let new = match edit {
        Edit::Unchanged => return Ok(edit.written()),
        Edit::Insert => reform_model::Entity::insert(values(&record)).exec_with_returning(txn).await?,
        Edit::Update => reform_model::Entity::update(values(&record)).exec(txn).await?,
    };
    audit.record(txn, ENTITY, record.code.clone(), stored.as_ref(), Some(&new), &[]).await?;
    Ok(edit.written())
}
