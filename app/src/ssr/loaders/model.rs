//! A model's page: where it runs, its adoption curve, its effectiveness and its changes.
use super::*;

pub async fn model(db: &Db, code: &str, lang: Lang) -> Result<Option<ModelData>, LoadError> {
    use crate::ssr::entities::{adoption, reform_model, unit};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(m) = reform_model::Entity::find_by_id(code.to_string()).one(db).await? else { return Ok(None) };
    let adoptions = adoption::Entity::find().filter(adoption::Column::ModelCode.eq(code)).all(db).await?;
    let units = unit::Entity::find().all(db).await?;
    let name_of = |c: &str| units.iter().find(|u| u.code == c).map(|u| u.name.clone());
    let mut sites: Vec<Site> = adoptions
        .iter()
        .map(|a| Site {
            adoption_id: a.id,
            unit_name: name_of(&a.unit_code).unwrap_or_else(|| a.unit_code.clone()),
            parent_name: units
                .iter()
                .find(|u| u.code == a.unit_code)
                .and_then(|u| u.parent_code.as_deref())
                .and_then(name_of),
            unit_code: a.unit_code.clone(),
            stage: a.stage.clone(),
            steered_by: a.steered_by.clone(),
            started_on: date(a.started_on),
            ended_on: a.ended_on.map(date),
        })
        .collect();
    sites.sort_by(|a, b| {
        text::vietnamese_cmp(a.parent_name.as_deref().unwrap_or(""), b.parent_name.as_deref().unwrap_or(""))
            .then_with(|| text::vietnamese_cmp(&a.unit_name, &b.unit_name))
    });
    let choice = Choice { code: m.code.clone(), name: m.name.clone() };
    // One row per model asked for; an empty row should that ever not hold.
    let effectiveness = figures::effectiveness(db, std::slice::from_ref(&choice), None)
        .await?
        .pop()
        .unwrap_or_else(|| EffectivenessRow::new(m.code.clone(), m.name.clone(), Default::default()));
    let adoption_curve = adoption_curve(&adoptions, &units);
    let curve_svg = charts::svg(&crate::charts::adoption_curve(&adoption_curve, lang))?;
    Ok(Some(ModelData {
        code: m.code,
        name: m.name,
        category: m.category,
        description: m.description,
        launched_on: m.launched_on.map(date),
        sites,
        effectiveness,
        adoption_curve,
        curve_svg,
        may_edit: false,
        changes: reference_changes(db, code).await?,
    }))
}

/// Changes listed on a model's page.
const REFERENCE_CHANGES_LIMIT: u64 = 30;

/// The audit log's entries about a model and its adoptions, newest first, each as the
/// fields that changed.
async fn reference_changes(db: &Db, code: &str) -> Result<Vec<crate::page_data::ReferenceChange>, DbErr> {
    use crate::ssr::entities::audit_log;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};
    // An adoption's key is `unit/model/started_on`; LIKE's `_` and `%` are checked exactly below.
    let entries = audit_log::Entity::find()
        .filter(
            Condition::any()
                .add(audit_log::Column::Entity.eq("reform_models").and(audit_log::Column::EntityKey.eq(code)))
                .add(audit_log::Column::Entity.eq("adoptions").and(audit_log::Column::EntityKey.like(format!("%/{code}/%")))),
        )
        .order_by_desc(audit_log::Column::Id)
        .limit(REFERENCE_CHANGES_LIMIT)
        .all(db)
        .await?;
    let roles = roles_of(db, entries.iter().map(|e| e.actor.clone()).collect()).await?;
    let object = |json: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
    };
    let shown = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    Ok(entries
        .into_iter()
        .filter(|e| e.entity == "reform_models" || e.entity_key.split('/').nth(1) == Some(code))
        .map(|e| {
            let (old, new) = (object(&e.old_value), object(&e.new_value));
            let fields = new
                .iter()
                .filter(|(k, v)| k.as_str() != "id" && old.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), shown(old.get(k)), shown(Some(v))))
                .collect();
            crate::page_data::ReferenceChange {
                at: local_time(e.at),
                actor_role: roles.get(&e.actor).copied(),
                actor: e.actor,
                action: e.action,
                key: e.entity_key,
                fields,
                reason: e.reason,
            }
        })
        .collect())
}

/// Units running a model at the end of each year from its first start to its latest
/// start or end: (year, pilots, scaled). Only units that still exist that day count, or an
/// old commune's adoption would count again in its successor after the 2025 mergers.
fn adoption_curve(
    adoptions: &[crate::ssr::entities::adoption::Model],
    units: &[crate::ssr::entities::unit::Model],
) -> Vec<(i32, u64, u64)> {
    use chrono::Datelike;
    let first = adoptions.iter().map(|a| a.started_on.year()).min();
    let last = adoptions.iter().map(|a| a.ended_on.unwrap_or(a.started_on).year().max(a.started_on.year())).max();
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    let valid_to: std::collections::HashMap<&str, Option<chrono::NaiveDate>> =
        units.iter().map(|u| (u.code.as_str(), u.valid_to)).collect();
    (first..=last)
        .take(Period::MAX_SPAN)
        .map(|y| {
            let end = Period::Year(y).last_day();
            let exists = |code: &str| valid_to.get(code).is_some_and(|t| t.is_none_or(|t| t >= end));
            let running = adoptions
                .iter()
                .filter(|a| a.started_on <= end && a.ended_on.is_none_or(|e| e >= end) && exists(&a.unit_code));
            let (pilot, scaled) =
                running.fold((0, 0), |(p, s), a| if a.stage == "scaled" { (p, s + 1) } else { (p + 1, s) });
            (y, pilot, scaled)
        })
        .collect()
}

/// The model page's adoption curve alone, for its chart download; none for an unknown model.
pub async fn model_curve(db: &Db, code: &str) -> Result<Option<Vec<(i32, u64, u64)>>, DbErr> {
    use crate::ssr::entities::{adoption, reform_model, unit};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if reform_model::Entity::find_by_id(code.to_string()).one(db).await?.is_none() {
        return Ok(None);
    }
    let adoptions = adoption::Entity::find().filter(adoption::Column::ModelCode.eq(code)).all(db).await?;
    let units = unit::Entity::find().all(db).await?;
    Ok(Some(adoption_curve(&adoptions, &units)))
}
