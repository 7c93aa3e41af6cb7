//! Reading the four contract tables in a stable order, for raw exports and the API: the
//! small three whole, survey counts a page at a time.
use super::entities::{adoption, reform_model, unit};
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

/// One survey count as the import reads it and an export writes it: the file's columns
/// (`import::SURVEY_COLUMNS`), in that order, nothing the database keeps besides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SurveyLine {
    pub unit_code: String,
    pub model_code: Option<String>,
    pub period: String,
    pub respondents: i32,
    pub satisfied: i32,
    /// The five-level breakdown, in `survey::LEVEL_FIELDS`' order, when given.
    pub levels: [Option<i32>; 5],
}

impl SurveyLine {
    pub fn key(&self) -> SurveyKey {
        (self.unit_code.clone(), self.model_code.clone().unwrap_or_default(), self.period.clone())
    }
}

/// The next `limit` survey counts after `after`, in key order (unit, model, period; byte
/// order on both engines). An export walks the table page by page with this, so its memory
/// stays one page whatever the table's size.
///
/// A page comes back as one JSON array built by the database, not as `limit` rows: sqlx
/// hands each SQLite row from its worker thread to the reading task on its own, and with
/// sea-orm's decoding by column name that was most of a large export's time (measured in
/// docs/benchmarks.md).
pub async fn surveys_after(db: &Db, after: Option<&SurveyKey>, limit: u64) -> Result<Vec<SurveyLine>, DbErr> {
    use sea_orm::{DbBackend, FromQueryResult};
    #[derive(FromQueryResult)]
    struct Page {
        page: Option<String>,
    }
    let backend = db.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    // PostgreSQL's default collation follows the locale; "C" is byte order, as SQLite's BINARY.
    let c = if postgres { " COLLATE \"C\"" } else { "" };
    let order = format!("unit_code{c}, COALESCE(model_code, ''){c}, period{c}");
    let (array, collect, text) =
        if postgres { ("json_build_array", "json_agg", "::text") } else { ("json_array", "json_group_array", "") };
    let line = format!(
        "{array}(unit_code, model_code, period, respondents, satisfied, \
         {array}(very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied))"
    );
    let mut sql = super::sql::Sql::new(backend);
    sql.push(&format!("SELECT {collect}({line} ORDER BY {order}){text} AS page FROM (SELECT * FROM survey_counts"));
    if let Some((unit, model, period)) = after {
        sql.push(&format!(" WHERE ({order}) > ("));
        sql.bind(unit.clone()).push(", ").bind(model.clone()).push(", ").bind(period.clone()).push(")");
    }
    sql.push(&format!(" ORDER BY {order} LIMIT "));
    sql.bind(limit as i64);
    sql.push(") s");
    // No rows: PostgreSQL's aggregate is NULL, SQLite's `[]`.
    match Page::find_by_statement(sql.build()).one(db).await?.and_then(|p| p.page) {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json).map_err(|e| DbErr::Custom(format!("a page of survey counts: {e}"))),
    }
}
