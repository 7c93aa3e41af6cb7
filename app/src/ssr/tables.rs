//! Reading the four contract tables in a stable order, for raw exports and the API: the
//! small three whole, survey counts a page at a time.
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


/// Survey counts per page of a streamed export.
pub const SURVEY_PAGE: u64 = 2_000;

/// The contract's key of a survey count, in export order.
pub type SurveyKey = (String, String, String);

pub fn survey_key(s: &survey_count::Model) -> SurveyKey {
    (s.unit_code.clone(), s.model_code.clone().unwrap_or_default(), s.period.clone())
}

/// The next `limit` survey counts after `after`, in key order (unit, model, period; byte
/// order on both engines). A export walks the table page by page with this, so its memory
/// stays one page whatever the table's size.
pub async fn surveys_after(db: &Db, after: Option<&SurveyKey>, limit: u64) -> Result<Vec<survey_count::Model>, DbErr> {
    use sea_orm::DbBackend;
    let backend = db.get_database_backend();
    // PostgreSQL's default collation follows the locale; "C" is byte order, as SQLite's BINARY.
    let c = if backend == DbBackend::Postgres { " COLLATE \"C\"" } else { "" };
    let mut sql = super::sql::Sql::new(backend);
    sql.push("SELECT * FROM survey_counts");
    if let Some((unit, model, period)) = after {
        sql.push(&format!(" WHERE (unit_code{c}, COALESCE(model_code, ''){c}, period{c}) > ("));
        sql.bind(unit.clone()).push(", ").bind(model.clone()).push(", ").bind(period.clone()).push(")");
    }
    sql.push(&format!(" ORDER BY unit_code{c}, COALESCE(model_code, ''){c}, period{c} LIMIT "));
    sql.bind(limit as i64);
    survey_count::Entity::find().from_raw_sql(sql.build()).all(db).await
}
