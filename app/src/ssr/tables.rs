//! Reading the four contract tables whole, in a stable order, for raw exports and the API.
use super::entities::{adoption, reform_model, survey_count, unit};
use super::Db;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

pub async fn units(db: &Db, level: Option<&str>, parent: Option<&str>) -> Result<Vec<unit::Model>, DbErr> {
    let mut q = unit::Entity::find();
    if let Some(level) = level {
        q = q.filter(unit::Column::Level.eq(level));
    }
    if let Some(parent) = parent {
        q = q.filter(unit::Column::ParentCode.eq(parent));
    }
    let mut rows = q.all(db).await?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rows)
}

pub async fn models(db: &Db) -> Result<Vec<reform_model::Model>, DbErr> {
    let mut rows = reform_model::Entity::find().all(db).await?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rows)
}

pub async fn adoptions(db: &Db, model: Option<&str>, unit: Option<&str>) -> Result<Vec<adoption::Model>, DbErr> {
    let mut q = adoption::Entity::find();
    if let Some(model) = model {
        q = q.filter(adoption::Column::ModelCode.eq(model));
    }
    if let Some(unit) = unit {
        q = q.filter(adoption::Column::UnitCode.eq(unit));
    }
    let mut rows = q.order_by_asc(adoption::Column::Id).all(db).await?;
    rows.sort_by(|a, b| (&a.unit_code, &a.model_code, a.started_on).cmp(&(&b.unit_code, &b.model_code, b.started_on)));
    Ok(rows)
}

pub async fn surveys(db: &Db) -> Result<Vec<survey_count::Model>, DbErr> {
    let mut rows = survey_count::Entity::find().all(db).await?;
    rows.sort_by(|a, b| (&a.unit_code, &a.model_code, &a.period).cmp(&(&b.unit_code, &b.model_code, &b.period)));
    Ok(rows)
}
