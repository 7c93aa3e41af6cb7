//! Adoptions — which unit runs which model since when: an import's rows ([`import`]) and
//! an official's form ([`save`]) are checked by the same pure rules
//! (`domain::reference::{parse_adoption, check_adoption}`) and audited alike.
use super::{revision, Audit, Edit, Progress, ReferenceWriteError, TableWrite, Written};
use crate::domain::access::Writer;
use crate::domain::reference::{self, AdoptionDraft, AdoptionFacts, AdoptionRecord, Fault};
use crate::ssr::entities::{adoption, reform_model, unit};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// The audit log's name for the table.
const ENTITY: &str = "adoptions";

/// The contract's key: (unit_code, model_code, started_on).
pub type Key = (String, String, NaiveDate);

pub fn key_of(r: &AdoptionRecord) -> Key {
    (r.unit_code.clone(), r.model_code.clone(), r.started_on)
}

pub fn same(old: &adoption::Model, r: &AdoptionRecord) -> bool {
    old.unit_code == r.unit_code
        && old.model_code == r.model_code
        && old.started_on == r.started_on
        && old.ended_on == r.ended_on
        && old.stage == r.stage.as_str()
        && old.steered_by.as_deref() == r.steered_by.map(|s| s.as_str())
}

fn values(r: &AdoptionRecord, id: Option<i64>) -> adoption::ActiveModel {
    adoption::ActiveModel {
        id: id.map_or(sea_orm::ActiveValue::NotSet, Set),
        unit_code: Set(r.unit_code.clone()),
        model_code: Set(r.model_code.clone()),
        started_on: Set(r.started_on),
        ended_on: Set(r.ended_on),
        stage: Set(r.stage.as_str().into()),
        steered_by: Set(r.steered_by.map(|s| s.as_str().into())),
    }
}

/// A stored adoption as the form shows it.
pub fn draft_of(a: &adoption::Model) -> AdoptionDraft {
    AdoptionDraft {
        unit_code: a.unit_code.clone(),
        model_code: a.model_code.clone(),
        started_on: a.started_on.to_string(),
        ended_on: a.ended_on.map(|d| d.to_string()).unwrap_or_default(),
        stage: a.stage.clone(),
        steered_by: a.steered_by.clone().unwrap_or_default(),
    }
}

/// The stored adoptions of the rows' units, by key. Looked up by unit in chunks and
/// streamed, so a run never loads the whole table.
pub async fn stored_of(
    txn: &DatabaseTransaction,
    rows: impl Iterator<Item = &AdoptionRecord>,
) -> Result<HashMap<Key, adoption::Model>, DbErr> {
    let codes: Vec<String> = rows.map(|r| r.unit_code.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let mut found = adoption::Entity::find().filter(adoption::Column::UnitCode.is_in(chunk.to_vec())).stream(txn).await?;
        while let Some(a) = found.try_next().await? {
            out.insert((a.unit_code.clone(), a.model_code.clone(), a.started_on), a);
        }
    }
    Ok(out)
}

/// An import's adoptions, already checked; `existing` is what the database holds.
pub async fn import(
    txn: &DatabaseTransaction,
    rows: &[AdoptionRecord],
    existing: &HashMap<Key, adoption::Model>,
    audit: &Audit,
    progress: Progress<'_>,
) -> Result<Written, DbErr> {
    let write = TableWrite {
        table: "adoptions",
        entity: ENTITY,
        existing,
        key: key_of,
        same,
        audit_key: AdoptionRecord::key,
        values: |r, old| values(r, old.map(|o| o.id)),
    };
    write.run(txn, rows, audit, progress).await
}

/// One adoption from a form: new when `edited` is `None`, otherwise the stored row `id`
/// as it was at `revision` (all its fields may change, the start date too).
pub async fn save(
    txn: &DatabaseTransaction,
    writer: &Writer,
    draft: &AdoptionDraft,
    edited: Option<(i64, &str)>,
    audit: &Audit,
) -> Result<(i64, Written), ReferenceWriteError<AdoptionDraft>> {
    if !writer.may_edit_reference() {
        return Err(ReferenceWriteError::Forbidden);
    }
    let record = reference::parse_adoption(draft).map_err(ReferenceWriteError::Invalid)?;
    let unit_level = unit::Entity::find_by_id(record.unit_code.clone()).one(txn).await?.and_then(|u| u.level.parse().ok());
    let model_known = reform_model::Entity::find_by_id(record.model_code.clone()).one(txn).await?.is_some();
    let faults = reference::check_adoption(&record, AdoptionFacts { unit_level, model_known });
    if !faults.is_empty() {
        return Err(ReferenceWriteError::Invalid(faults));
    }
    let stored = match edited {
        None => None,
        Some((id, rev)) => match adoption::Entity::find_by_id(id).one(txn).await? {
            None => return Err(ReferenceWriteError::NotFound),
            Some(old) if revision(&old) != rev => return Err(ReferenceWriteError::Conflict { stored: draft_of(&old), revision: revision(&old) }),
            Some(old) => Some(old),
        },
    };
    // Another row with the same key: an identical one makes a repeated "save" harmless.
    let twin = adoption::Entity::find()
        .filter(adoption::Column::UnitCode.eq(record.unit_code.clone()))
        .filter(adoption::Column::ModelCode.eq(record.model_code.clone()))
        .filter(adoption::Column::StartedOn.eq(record.started_on))
        .one(txn)
        .await?
        .filter(|t| stored.as_ref().is_none_or(|s| s.id != t.id));
    match (&stored, twin) {
        (None, Some(t)) if same(&t, &record) => return Ok((t.id, Edit::Unchanged.written())),
        (_, Some(_)) => {
            let what = format!("adoption ({}, {}, {})", record.unit_code, record.model_code, record.started_on);
            return Err(ReferenceWriteError::Invalid(vec![("started_on".into(), Fault::Exists(what))]));
        }
        (Some(old), None) if same(old, &record) => return Ok((old.id, Edit::Unchanged.written())),
        _ => {}
    }
    let new = match &stored {
        None => adoption::Entity::insert(values(&record, None)).exec_with_returning(txn).await?,
        Some(old) => adoption::Entity::update(values(&record, Some(old.id))).exec(txn).await?,
    };
    audit.record(txn, ENTITY, record.key(), stored.as_ref(), Some(&new), &[]).await?;
    Ok((new.id, if stored.is_some() { Edit::Update } else { Edit::Insert }.written()))
}
