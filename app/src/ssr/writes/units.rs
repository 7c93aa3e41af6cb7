//! Units of the administrative tree: an import's rows ([`import`]) and an admin's form
//! ([`save`]) are checked by the same pure rules (`domain::reference::{parse_unit,
//! check_unit}`) and audited alike.
use super::{Audit, Edit, Progress, ReferenceWriteError, TableWrite, Written};
use crate::domain::access::Writer;
use crate::domain::reference::{self, Fault, UnitDraft, UnitRecord};
use crate::domain::UnitLevel;
use crate::ssr::entities::unit;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The audit log's name for the table.
const ENTITY: &str = "units";

fn values(r: &UnitRecord) -> unit::ActiveModel {
    unit::ActiveModel {
        code: Set(r.code.clone()),
        name: Set(r.name.clone()),
        level: Set(r.level.as_str().into()),
        parent_code: Set(r.parent_code.clone()),
        kind: Set(r.kind.clone()),
        valid_from: Set(r.valid_from),
        valid_to: Set(r.valid_to),
        successor_code: Set(r.successor_code.clone()),
    }
}

/// A stored unit as the form shows it.
pub fn draft_of(u: &unit::Model) -> UnitDraft {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    UnitDraft {
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level.clone(),
        parent_code: text(&u.parent_code),
        kind: text(&u.kind),
        valid_from: date(u.valid_from),
        valid_to: date(u.valid_to),
        successor_code: text(&u.successor_code),
    }
}

/// One unit from an admin's form: new when `edited_from` is `None`, otherwise an edit of
/// the stored revision the form was filled from (the code is the key and stays).
pub async fn save(
    txn: &DatabaseTransaction,
    writer: &Writer,
    draft: &UnitDraft,
    edited_from: Option<&str>,
    audit: &Audit,
) -> Result<Written, ReferenceWriteError<UnitDraft>> {
    if !writer.may_edit_units() {
        return Err(ReferenceWriteError::Forbidden);
    }
    let record = reference::parse_unit(draft).map_err(ReferenceWriteError::Invalid)?;
    let named: Vec<String> = record.parent_code.iter().chain(&record.successor_code).cloned().collect();
    let levels: HashMap<String, String> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Code)
        .column(unit::Column::Level)
        .filter(unit::Column::Code.is_in(named))
        .into_tuple::<(String, String)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    // The unit itself is known: naming it as its own parent is that mistake, not an unknown unit.
    let mut faults = reference::check_unit(&record, |c| {
        if c == record.code { Some(record.level) } else { levels.get(c).and_then(|l| l.parse().ok()) }
    });
    let stored = unit::Entity::find_by_id(record.code.clone()).one(txn).await?;
    // Its children were placed under it for its level: that stays.
    if stored.as_ref().is_some_and(|old| old.level != record.level.as_str()) {
        faults.push(("level".into(), Fault::Fixed));
    }
    if let Some(old) = &stored {
        faults.extend(surveys_outside(txn, old, &record).await?);
    }
    if !faults.is_empty() {
        return Err(ReferenceWriteError::Invalid(faults));
    }
    let exists = || Fault::Exists(format!("unit `{}`", record.code));
    let edit = Edit::of(stored.as_ref(), edited_from, |old| same(old, &record), draft_of, exists)?;
    let new = match edit {
        Edit::Unchanged => return Ok(edit.written()),
        Edit::Insert => unit::Entity::insert(values(&record)).exec_with_returning(txn).await?,
        Edit::Update => unit::Entity::update(values(&record)).exec(txn).await?,
    };
    audit.record(txn, ENTITY, record.code.clone(), stored.as_ref(), Some(&new), &[]).await?;
    Ok(edit.written())
}

/// A survey's unit must be valid during the survey's period, whenever either is written:
/// a stored unit's new validity may not leave out a period it has survey counts for (the
/// figures count a unit's surveys only while it is valid, and the survey sums rely on it).
/// The first such period before `valid_from` and the first after `valid_to`, by field.
pub async fn surveys_outside(
    txn: &DatabaseTransaction,
    old: &unit::Model,
    new: &UnitRecord,
) -> Result<reference::Faults, DbErr> {
    use crate::ssr::entities::survey_count::{Column, Entity};
    use sea_orm::QueryOrder;
    let mut faults = Vec::new();
    let first_outside = |bound: sea_orm::Condition| {
        Entity::find()
            .select_only()
            .column(Column::Period)
            .filter(Column::UnitCode.eq(old.code.clone()))
            .filter(bound)
            .order_by_asc(Column::PeriodStart)
            .into_tuple::<String>()
            .one(txn)
    };
    if let Some(from) = new.valid_from.filter(|_| new.valid_from != old.valid_from) {
        if let Some(period) = first_outside(sea_orm::Condition::all().add(Column::PeriodEnd.lt(from))).await? {
            faults.push(("valid_from".to_string(), Fault::SurveysOutside(period)));
        }
    }
    if let Some(to) = new.valid_to.filter(|_| new.valid_to != old.valid_to) {
        if let Some(period) = first_outside(sea_orm::Condition::all().add(Column::PeriodStart.gt(to))).await? {
            faults.push(("valid_to".to_string(), Fault::SurveysOutside(period)));
        }
    }
    Ok(faults)
}

pub fn same(old: &unit::Model, r: &UnitRecord) -> bool {
    old.name == r.name
        && old.level == r.level.as_str()
        && old.parent_code == r.parent_code
        && old.kind == r.kind
        && old.valid_from == r.valid_from
        && old.valid_to == r.valid_to
        && old.successor_code == r.successor_code
}

/// Units in level order, so that a parent is always written before its child. Successors
/// may point anywhere in the file, so they are set once every unit exists.
pub async fn import(
    txn: &DatabaseTransaction,
    rows: &[UnitRecord],
    existing: &HashMap<String, unit::Model>,
    audit: &Audit,
    progress: Progress<'_>,
) -> Result<Written, DbErr> {
    let mut ordered = rows.to_vec();
    ordered.sort_by_key(|r| match r.level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune => 2,
    });
    let write = TableWrite {
        table: "units",
        entity: ENTITY,
        existing,
        key: |r: &UnitRecord| r.code.clone(),
        same,
        audit_key: |r| r.code.clone(),
        // The successor as it stands: set below, once every unit of the file exists.
        values: |r, old| unit::ActiveModel { successor_code: Set(old.and_then(|o| o.successor_code.clone())), ..values(r) },
    };
    let rep = write.run(txn, &ordered, audit, progress).await?;
    for r in rows {
        // What the row holds now: nothing for a new unit, the old successor otherwise.
        let now = existing.get(&r.code).and_then(|old| old.successor_code.clone());
        if now != r.successor_code {
            unit::Entity::update_many()
                .col_expr(unit::Column::SuccessorCode, sea_orm::sea_query::Expr::value(r.successor_code.clone()))
                .filter(unit::Column::Code.eq(r.code.clone()))
                .exec(txn)
                .await?;
        }
    }
    Ok(rep)
}
