//! The figure queries: aggregates computed in the database, turned into rows by the one
//! definition in `domain::figures`. Identical on SQLite and PostgreSQL.
mod cache;
mod completeness;
mod effectiveness;
mod trend;

pub use cache::{data_version, structural, CacheKey, FigureCache, Versions};
pub use completeness::{completeness, groups as completeness_groups};
pub use effectiveness::effectiveness;
pub use trend::{country_trend, trend};

use super::sql::Sql;
use super::Db;
use crate::domain::{
    Choice, CommuneFiguresRow, Counts, DistrictSummaryRow, FigureFilter, FigureQuery, FilterError, Figures, HomeCounts,
    ModelFiguresRow, Period,
};
use sea_orm::{DbErr, FromQueryResult};
use std::collections::HashMap;

/// `alias` (a row of `units`) is valid during P: valid_from ≤ last day, valid_to ≥ first day.
pub(crate) fn push_valid_during(q: &mut Sql, alias: &str, p: Period) {
    q.push(&format!(" AND ({alias}.valid_from IS NULL OR {alias}.valid_from <= "))
        .bind(p.last_day())
        .push(&format!(") AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= "))
        .bind(p.first_day())
        .push(")");
}

/// The adoption row `a` is active in P: started_on ≤ last day, ended_on empty or ≥ first day.
pub(crate) fn push_adoption_active_in(q: &mut Sql, p: Period) {
    q.push(" AND a.started_on <= ")
        .bind(p.last_day())
        .push(" AND (a.ended_on IS NULL OR a.ended_on >= ")
        .bind(p.first_day())
        .push(")");
}

/// The unit `unit_expr` has an adoption active in P (of model M when given).
fn push_active_adoption(q: &mut Sql, unit_expr: &str, p: Period, model: Option<&str>) {
    q.push(&format!("EXISTS (SELECT 1 FROM adoptions a WHERE a.unit_code = {unit_expr}"));
    push_adoption_active_in(q, p);
    if let Some(m) = model {
        q.push(" AND a.model_code = ").bind(m.to_string());
    }
    q.push(")");
}

/// A survey `s` counts in P: its own period lies inside P (and is of model M when given).
pub(crate) fn push_survey_counts_in(q: &mut Sql, p: Period, model: Option<&str>) {
    q.push(" AND ");
    push_survey_inside(q, p.first_day(), p.last_day());
    if let Some(m) = model {
        q.push(" AND s.model_code = ").bind(m.to_string());
    }
}

/// The period sums `s` (`period_sums`, kept by the database with every write, model `''`
/// for a unit's service as a whole) are those of P: the surveys inside P. A survey's unit
/// is valid during its period, so every unit of a sum counted in P is valid during P, as
/// the figures require.
fn push_period_is(q: &mut Sql, p: Period) {
    q.push(" AND s.period_start = ").bind(p.first_day()).push(" AND s.period_end = ").bind(p.last_day());
}

/// The survey `s`'s own period lies inside [first, last]. `period_start <= last` follows
/// from the rest; said, it bounds the period index's range on both sides (without it SQLite
/// read from `first` to the table's end, or every row ending before `last`).
pub(crate) fn push_survey_inside(q: &mut Sql, first: chrono::NaiveDate, last: chrono::NaiveDate) {
    q.push("s.period_start >= ")
        .bind(first)
        .push(" AND s.period_start <= ")
        .bind(last)
        .push(" AND s.period_end <= ")
        .bind(last);
}

#[derive(FromQueryResult)]
struct AggregateRow {
    code: String,
    name: String,
    kind: Option<String>,
    communes: i64,
    communes_adopting: i64,
    respondents: i64,
    satisfied: i64,
}

impl AggregateRow {
    fn figures(&self) -> Figures {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Figures::new(
            n(self.communes),
            n(self.communes_adopting),
            Counts { respondents: n(self.respondents), satisfied: n(self.satisfied) },
        )
    }
}

/// The one final SELECT of every table of figures: for each row of `unit` (its code, name
/// and `kind`), its `communes` and communes adopting (`adopting` writes that expression),
/// and its ballots from the CTE `sv`, missing ones as 0, all as BIGINT on both engines.
fn push_aggregate_select(q: &mut Sql, (unit, kind, communes): (&str, &str, &str), adopting: impl FnOnce(&mut Sql), from: &str) {
    q.push(&format!(
        " SELECT {unit}.code AS code, {unit}.name AS name, {kind} AS kind, CAST({communes} AS BIGINT) AS communes, CAST("
    ));
    adopting(q);
    q.push(&format!(
        " AS BIGINT) AS communes_adopting, CAST(COALESCE(sv.respondents, 0) AS BIGINT) AS respondents, \
         CAST(COALESCE(sv.satisfied, 0) AS BIGINT) AS satisfied FROM {from}"
    ));
}

/// Rows come back in code order by bytes, the same on both engines (PostgreSQL's
/// collation would otherwise sort differently from SQLite's).
fn sorted(mut rows: Vec<AggregateRow>) -> Vec<AggregateRow> {
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows
}

/// The contract's district summary: one row per district valid during P, its communes and
/// adoption from the structure ([`district_shapes`]), its ballots from the period sums.
pub async fn district_summary(db: &Db, f: &FigureFilter) -> Result<Vec<DistrictSummaryRow>, DbErr> {
    let (shapes, ballots) =
        futures_util::future::try_join(district_shapes(db, f), ballots_by(db, f, Ballots::ByGroup, &["district", "commune"])).await?;
    Ok(shapes
        .iter()
        .map(|d| DistrictSummaryRow {
            figures: Figures::new(d.communes, d.adopting, ballots.get(&d.code).copied().unwrap_or_default()),
            district_code: d.code.clone(),
            district_name: d.name.clone(),
        })
        .collect())
}

/// What a group's figures count besides ballots: its communes valid during P and how many
/// of them run a model (the filter's model when given) in P.
#[derive(Clone, Debug)]
pub struct GroupShape {
    pub code: String,
    pub name: String,
    pub communes: u64,
    pub adopting: u64,
}

#[derive(FromQueryResult)]
struct ShapeRow {
    code: String,
    name: String,
    communes: i64,
    adopting: i64,
}

impl From<ShapeRow> for GroupShape {
    fn from(r: ShapeRow) -> Self {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        GroupShape { code: r.code, name: r.name, communes: n(r.communes), adopting: n(r.adopting) }
    }
}

/// Each district valid during P (of the filter's province), by code, with its shape. Kept
/// with the structure: a survey write does not change it.
pub async fn district_shapes(db: &Db, f: &FigureFilter) -> Result<std::sync::Arc<Vec<GroupShape>>, DbErr> {
    structural(("district_shapes", f.clone()), || async {
        let p = f.period;
        let mut q = Sql::new(db.get_database_backend());
        q.push("WITH d AS (SELECT u.code, u.name FROM units u WHERE u.level = 'district'");
        push_valid_during(&mut q, "u", p);
        if let Some(province) = &f.province {
            q.push(" AND u.parent_code = ").bind(province.clone());
        }
        q.push("), c AS (SELECT u.code, u.parent_code FROM units u JOIN d ON u.parent_code = d.code WHERE u.level = 'commune'");
        push_valid_during(&mut q, "u", p);
        q.push("), ca AS (SELECT c.parent_code AS district_code, COUNT(*) AS communes, SUM(CASE WHEN ");
        push_active_adoption(&mut q, "c.code", p, f.model.as_deref());
        q.push(
            " THEN 1 ELSE 0 END) AS adopting FROM c GROUP BY c.parent_code) \
             SELECT d.code AS code, d.name AS name, CAST(COALESCE(ca.communes, 0) AS BIGINT) AS communes, \
             CAST(COALESCE(ca.adopting, 0) AS BIGINT) AS adopting FROM d LEFT JOIN ca ON ca.district_code = d.code",
        );
        let mut rows: Vec<GroupShape> = ShapeRow::find_by_statement(q.build()).all(db).await?.into_iter().map(Into::into).collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(std::sync::Arc::new(rows))
    })
    .await
}

/// Each province's communes valid during P that hang directly under it (after the 2025
/// reorganisation), with how many run a model (the filter's model when given) in P, by
/// province code. Kept with the structure.
async fn province_commune_shapes(db: &Db, f: &FigureFilter) -> Result<std::sync::Arc<HashMap<String, GroupShape>>, DbErr> {
    structural(("province_commune_shapes", f.period, f.model.clone()), || async {
        let p = f.period;
        let mut q = Sql::new(db.get_database_backend());
        q.push("SELECT c.parent_code AS code, '' AS name, CAST(COUNT(*) AS BIGINT) AS communes, CAST(SUM(CASE WHEN ");
        push_active_adoption(&mut q, "c.code", p, f.model.as_deref());
        q.push(
            " THEN 1 ELSE 0 END) AS BIGINT) AS adopting FROM units c JOIN units pr ON pr.code = c.parent_code \
             AND pr.level = 'province' WHERE c.level = 'commune'",
        );
        push_valid_during(&mut q, "c", p);
        q.push(" GROUP BY c.parent_code");
        let rows = ShapeRow::find_by_statement(q.build()).all(db).await?;
        Ok(std::sync::Arc::new(rows.into_iter().map(GroupShape::from).map(|g| (g.code.clone(), g)).collect()))
    })
    .await
}

#[derive(FromQueryResult)]
struct BallotRow {
    code: String,
    respondents: i64,
    satisfied: i64,
}

/// What [`ballots_by`] sums by.
#[derive(Clone, Copy)]
enum Ballots {
    /// The survey sums' group: a commune's parent, a district's or province's own code.
    ByGroup,
    /// The model, `''` for the service as a whole.
    ByModel,
}

/// The ballots counted in P (about the filter's model when given, within its province when
/// given) by group or by model, from the units of `levels`: the period sums of P, a few
/// rows per group whatever the number of surveys.
async fn ballots_by(db: &Db, f: &FigureFilter, by: Ballots, levels: &[&str]) -> Result<HashMap<String, Counts>, DbErr> {
    let p = f.period;
    let mut q = Sql::new(db.get_database_backend());
    let column = match by {
        Ballots::ByGroup => "s.group_code",
        Ballots::ByModel => "s.model_code",
    };
    q.push(&format!(
        "SELECT {column} AS code, CAST(SUM(s.respondents) AS BIGINT) AS respondents, \
         CAST(SUM(s.satisfied) AS BIGINT) AS satisfied FROM period_sums s WHERE 1 = 1"
    ));
    push_period_is(&mut q, p);
    q.push(" AND s.unit_level IN (");
    for (i, level) in levels.iter().enumerate() {
        q.push(if i == 0 { "" } else { ", " }).bind(level.to_string());
    }
    q.push(")");
    if let Some(m) = &f.model {
        q.push(" AND s.model_code = ").bind(m.clone());
    }
    if let Some(province) = &f.province {
        push_under_province(&mut q, "s.group_code", province);
    }
    q.push(&format!(" GROUP BY {column}"));
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(BallotRow::find_by_statement(q.build())
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code, Counts { respondents: n(r.respondents), satisfied: n(r.satisfied) }))
        .collect())
}

/// Each commune of `district` valid during P, with its own adoption and survey figures.
pub async fn commune_figures(db: &Db, district: &str, f: &FigureFilter) -> Result<Vec<CommuneFiguresRow>, DbErr> {
    let p = f.period;
    let model = f.model.as_deref();
    let mut q = Sql::new(db.get_database_backend());
    q.push("WITH c AS (SELECT u.code, u.name, u.kind FROM units u WHERE u.level = 'commune' AND u.parent_code = ")
        .bind(district.to_string());
    push_valid_during(&mut q, "u", p);
    q.push(
        "), sv AS (SELECT s.unit_code, SUM(s.respondents) AS respondents, SUM(s.satisfied) AS satisfied \
         FROM survey_counts s JOIN c ON c.code = s.unit_code WHERE 1 = 1",
    );
    push_survey_counts_in(&mut q, p, model);
    q.push(" GROUP BY s.unit_code)");
    push_aggregate_select(
        &mut q,
        ("c", "c.kind", "1"),
        |q| {
            q.push("CASE WHEN ");
            push_active_adoption(q, "c.code", p, model);
            q.push(" THEN 1 ELSE 0 END");
        },
        "c LEFT JOIN sv ON sv.unit_code = c.code",
    );
    let rows = AggregateRow::find_by_statement(q.build()).all(db).await?;
    Ok(sorted(rows)
        .into_iter()
        .map(|r| CommuneFiguresRow { figures: r.figures(), commune_code: r.code, commune_name: r.name, kind: r.kind })
        .collect())
}

/// Each model across the province (all provinces when none is given): the communes valid
/// during P, how many run the model, and the ballots about it from those communes and
/// their districts.
pub async fn model_figures(db: &Db, f: &FigureFilter) -> Result<Vec<ModelFiguresRow>, DbErr> {
    let (shapes, ballots) =
        futures_util::future::try_join(model_shapes(db, f), ballots_by(db, f, Ballots::ByModel, &["district", "commune"])).await?;
    Ok(shapes
        .iter()
        .map(|m| ModelFiguresRow {
            figures: Figures::new(m.communes, m.adopting, ballots.get(&m.code).copied().unwrap_or_default()),
            model_code: m.code.clone(),
            model_name: m.name.clone(),
        })
        .collect())
}

/// Each model (the filter's when given) with the communes in scope valid during P and how
/// many of them run it in P, by code. Kept with the structure.
async fn model_shapes(db: &Db, f: &FigureFilter) -> Result<std::sync::Arc<Vec<GroupShape>>, DbErr> {
    structural(("model_shapes", f.clone()), || async {
        let p = f.period;
        let mut q = Sql::new(db.get_database_backend());
        // Communes in scope: the province's (under one of its districts before 2025,
        // directly under it after).
        q.push("WITH c AS (SELECT u.code FROM units u LEFT JOIN units up ON up.code = u.parent_code WHERE u.level = 'commune'");
        if let Some(province) = &f.province {
            q.push(" AND (u.parent_code = ")
                .bind(province.clone())
                .push(" OR up.parent_code = ")
                .bind(province.clone())
                .push(")");
        }
        push_valid_during(&mut q, "u", p);
        q.push("), m AS (SELECT code, name FROM reform_models");
        if let Some(model) = &f.model {
            q.push(" WHERE code = ").bind(model.clone());
        }
        q.push("), ca AS (SELECT a.model_code, COUNT(DISTINCT a.unit_code) AS adopting FROM adoptions a JOIN c ON c.code = a.unit_code WHERE 1 = 1");
        push_adoption_active_in(&mut q, p);
        q.push(
            " GROUP BY a.model_code) SELECT m.code AS code, m.name AS name, CAST((SELECT COUNT(*) FROM c) AS BIGINT) AS communes, \
             CAST(COALESCE(ca.adopting, 0) AS BIGINT) AS adopting FROM m LEFT JOIN ca ON ca.model_code = m.code",
        );
        let mut rows: Vec<GroupShape> = ShapeRow::find_by_statement(q.build()).all(db).await?.into_iter().map(Into::into).collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(std::sync::Arc::new(rows))
    })
    .await
}

#[derive(FromQueryResult)]
struct CountsRow {
    districts: i64,
    communes: i64,
    models: i64,
    adoptions: i64,
}

#[derive(FromQueryResult)]
struct BallotsRow {
    ballots: i64,
}

/// The home page's headline counts: the units, models and adoptions kept with the
/// structure, the ballots from the period totals.
pub async fn home_counts(db: &Db) -> Result<HomeCounts, DbErr> {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let structure = structural("home_counts", || async {
        let mut q = Sql::new(db.get_database_backend());
        q.push(
            "SELECT \
             CAST((SELECT COUNT(*) FROM units WHERE level = 'district') AS BIGINT) AS districts, \
             CAST((SELECT COUNT(*) FROM units WHERE level = 'commune') AS BIGINT) AS communes, \
             CAST((SELECT COUNT(*) FROM reform_models) AS BIGINT) AS models, \
             CAST((SELECT COUNT(*) FROM adoptions) AS BIGINT) AS adoptions",
        );
        let row = CountsRow::find_by_statement(q.build()).one(db).await?;
        Ok::<_, DbErr>(row.map_or(HomeCounts::default(), |r| HomeCounts {
            districts: n(r.districts),
            communes: n(r.communes),
            models: n(r.models),
            adoptions: n(r.adoptions),
            ballots: 0,
        }))
    });
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT CAST(COALESCE(SUM(respondents), 0) AS BIGINT) AS ballots FROM period_totals");
    let ballots = BallotsRow::find_by_statement(q.build()).one(db);
    let (counts, ballots) = futures_util::future::try_join(structure, ballots).await?;
    Ok(HomeCounts { ballots: ballots.map_or(0, |b| n(b.ballots)), ..counts })
}

/// A filter that cannot be used, or a database that failed while checking it.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl From<crate::domain::PeriodError> for QueryError {
    fn from(e: crate::domain::PeriodError) -> Self {
        QueryError::Filter(FilterError::Period(e))
    }
}

/// The one check of a filter's parts against the database, for pages, downloads, API and
/// CLI alike; the period as in [`resolve_period`].
pub async fn resolve_filter(
    db: &Db,
    period: Option<&str>,
    model: Option<String>,
    province: Option<String>,
) -> Result<FigureFilter, QueryError> {
    use super::entities::{reform_model, unit};
    use sea_orm::EntityTrait;
    let period = resolve_period(db, period).await?;
    if let Some(m) = &model {
        if reform_model::Entity::find_by_id(m.clone()).one(db).await?.is_none() {
            return Err(FilterError::UnknownModel(m.clone()).into());
        }
    }
    if let Some(p) = &province {
        if unit::Entity::find_by_id(p.clone()).one(db).await?.filter(|u| u.level == "province").is_none() {
            return Err(FilterError::UnknownProvince(p.clone()).into());
        }
    }
    Ok(FigureFilter { period, model, province })
}

/// A page's filter from its query: the period as in [`resolve_period`], and the model and
/// province when the lists know them. An unknown one is left out rather than refused: the
/// page's form says so next to its field, and the page shows no table for it.
pub async fn page_filter(db: &Db, q: &FigureQuery, models: &[Choice], provinces: &[Choice]) -> Result<FigureFilter, QueryError> {
    let known = |given: &Option<String>, list: &[Choice]| given.clone().filter(|g| list.iter().any(|c| &c.code == g));
    Ok(FigureFilter {
        period: resolve_period(db, q.period.as_deref()).await?,
        model: known(&q.model, models),
        province: known(&q.province, provinces),
    })
}

/// The period asked for; without one, the latest year that has survey counts (the current
/// year when there are none).
pub async fn resolve_period(db: &Db, period: Option<&str>) -> Result<Period, QueryError> {
    Ok(match period {
        Some(p) => p.parse::<Period>()?,
        None => {
            Period::Year(latest_survey_year(db).await?.unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now())))
        }
    })
}

#[derive(FromQueryResult)]
struct LatestRow {
    latest: Option<chrono::NaiveDate>,
}

#[derive(FromQueryResult)]
struct BoundsRow {
    first: Option<chrono::NaiveDate>,
    last: Option<chrono::NaiveDate>,
}

/// The first day and the last day that any survey of the database covers.
pub async fn survey_bounds(db: &Db) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>), DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT MIN(period_start) AS first, MAX(period_end) AS last FROM survey_counts");
    let row = BoundsRow::find_by_statement(q.build()).one(db).await?;
    Ok(row.map_or((None, None), |r| (r.first, r.last)))
}

async fn latest_survey_year(db: &Db) -> Result<Option<i32>, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT MAX(period_end) AS latest FROM survey_counts");
    let row = LatestRow::find_by_statement(q.build()).one(db).await?;
    Ok(row.and_then(|r| r.latest).map(|d| chrono::Datelike::year(&d)))
}

/// Every model, by code, for filter menus.
pub async fn model_choices(db: &Db) -> Result<Vec<Choice>, DbErr> {
    use super::entities::reform_model;
    use sea_orm::{EntityTrait, QueryOrder};
    structural("model_choices", || async {
        let models = reform_model::Entity::find().order_by_asc(reform_model::Column::Code).all(db).await?;
        Ok(models.into_iter().map(|m| Choice { code: m.code, name: m.name }).collect())
    })
    .await
}

/// Every district (of `province` when given), in Vietnamese alphabetical order, for filter menus.
pub async fn district_choices(db: &Db, province: Option<&str>) -> Result<Vec<Choice>, DbErr> {
    use super::entities::unit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    structural(("district_choices", province.map(str::to_string)), || async {
        let mut q = unit::Entity::find().filter(unit::Column::Level.eq("district"));
        if let Some(p) = province {
            q = q.filter(unit::Column::ParentCode.eq(p));
        }
        let districts = q.all(db).await?;
        let mut choices: Vec<Choice> = districts.into_iter().map(|u| Choice { code: u.code, name: u.name }).collect();
        crate::domain::text::sort_vietnamese(&mut choices, |c| &c.name);
        Ok(choices)
    })
    .await
}

/// The units the dashboard's trend may add a line for: the districts (of the chosen
/// province), or — when P compares the communes directly under one province — those
/// communes valid during P. A whole country offers none until a province is chosen (the
/// caller keeps one the address names).
pub async fn trend_choices(db: &Db, f: &FigureFilter, all_provinces: &[Choice]) -> Result<Vec<Choice>, DbErr> {
    use super::entities::unit;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
    if !crate::domain::compares_communes(f.period) || shows_country(f, all_provinces) {
        return district_choices(db, f.province.as_deref()).await;
    }
    let province = f.province.clone().or_else(|| all_provinces.first().map(|p| p.code.clone()));
    let (first, last) = (f.period.first_day(), f.period.last_day());
    structural(("trend_communes", province.clone(), f.period), || async {
        let communes = unit::Entity::find()
            .filter(unit::Column::Level.eq("commune"))
            .filter(unit::Column::ParentCode.eq(province))
            .filter(Condition::any().add(unit::Column::ValidFrom.is_null()).add(unit::Column::ValidFrom.lte(last)))
            .filter(Condition::any().add(unit::Column::ValidTo.is_null()).add(unit::Column::ValidTo.gte(first)))
            .all(db)
            .await?;
        let mut choices: Vec<Choice> = communes.into_iter().map(|u| Choice { code: u.code, name: u.name }).collect();
        crate::domain::text::sort_vietnamese(&mut choices, |c| &c.name);
        Ok(choices)
    })
    .await
}

/// The province units, by code: every one the database has known.
pub async fn provinces(db: &Db) -> Result<Vec<Choice>, DbErr> {
    provinces_in(db, None).await
}

/// The provinces valid during P, by code: those a whole country's figures for P compare
/// (63 before July 2025, 34 after: a merged province ends the day before).
pub async fn provinces_during(db: &Db, p: Period) -> Result<Vec<Choice>, DbErr> {
    provinces_in(db, Some(p)).await
}

async fn provinces_in(db: &Db, during: Option<Period>) -> Result<Vec<Choice>, DbErr> {
    use super::entities::unit;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
    structural(("provinces", during), || async {
        let mut q = unit::Entity::find().filter(unit::Column::Level.eq("province"));
        if let Some(p) = during {
            q = q
                .filter(Condition::any().add(unit::Column::ValidFrom.is_null()).add(unit::Column::ValidFrom.lte(p.last_day())))
                .filter(Condition::any().add(unit::Column::ValidTo.is_null()).add(unit::Column::ValidTo.gte(p.first_day())));
        }
        let rows = q.order_by_asc(unit::Column::Code).all(db).await?;
        Ok(rows.into_iter().map(|u| Choice { code: u.code, name: u.name }).collect())
    })
    .await
}

/// The province of each unit of `level` (a district's parent; after 2025 a commune's), by code.
pub async fn province_of(db: &Db, level: crate::domain::UnitLevel) -> Result<std::sync::Arc<HashMap<String, String>>, DbErr> {
    use super::entities::unit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    structural(("province_of", level.as_str()), || async {
        let rows: Vec<(String, Option<String>)> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Code)
            .column(unit::Column::ParentCode)
            .filter(unit::Column::Level.eq(level.as_str()))
            .into_tuple()
            .all(db)
            .await?;
        Ok(std::sync::Arc::new(rows.into_iter().filter_map(|(code, parent)| Some((code, parent?))).collect()))
    })
    .await
}

/// True when the figures are of a whole country (a database of several provinces, none
/// chosen): the dashboard then compares provinces, not the country's 700 districts.
pub fn shows_country(f: &FigureFilter, provinces: &[Choice]) -> bool {
    f.province.is_none() && provinces.len() > 1
}

/// What the dashboard compares for P (see [`crate::domain::Comparison`]); for a whole
/// country, its provinces valid during P (their districts', or after 2025 communes',
/// totals). `all_provinces` is [`provinces`], read once by the caller's computation.
pub async fn comparison(db: &Db, f: &FigureFilter, all_provinces: &[Choice]) -> Result<crate::domain::Comparison, DbErr> {
    use crate::domain::{compares_communes, Comparison, UnitLevel};
    let country = shows_country(f, all_provinces);
    let compared = if country { provinces_during(db, f.period).await? } else { Vec::new() };
    if !compares_communes(f.period) {
        let rows = district_summary(db, f).await?;
        let districts = Comparison { level: UnitLevel::District, rows: rows.into_iter().map(Into::into).collect() };
        if country {
            let parent = province_of(db, UnitLevel::District).await?;
            return Ok(districts.by_province(&compared, |d| parent.get(d).cloned()));
        }
        return Ok(districts);
    }
    if country {
        // Each province's totals of its communes ([`Comparison::by_province`] of the
        // communes' rows, summed where they are kept): its communes and their adoption from
        // the structure, its communes' ballots from the period sums of P.
        let (shapes, ballots) =
            futures_util::future::try_join(province_commune_shapes(db, f), ballots_by(db, f, Ballots::ByGroup, &["commune"])).await?;
        let rows = compared
            .into_iter()
            .map(|p| {
                let (communes, adopting) = shapes.get(&p.code).map_or((0, 0), |s| (s.communes, s.adopting));
                let counts = ballots.get(&p.code).copied().unwrap_or_default();
                crate::domain::ComparedUnit { figures: Figures::new(communes, adopting, counts), code: p.code, name: p.name }
            })
            .collect();
        return Ok(Comparison { level: UnitLevel::Province, rows });
    }
    let in_scope = all_provinces.iter().filter(|c| f.province.as_ref().is_none_or(|p| &c.code == p));
    let mut communes = Comparison { level: UnitLevel::Commune, rows: Vec::new() };
    for province in in_scope {
        communes.rows.extend(commune_figures(db, &province.code, f).await?.into_iter().map(Into::into));
    }
    Ok(communes)
}

/// The funnel of P ([`crate::domain::Funnel`]): what the dashboard compares (see
/// [`comparison`]), or the communes of `district` when one is given.
pub async fn funnel(db: &Db, f: &FigureFilter, district: Option<&str>) -> Result<crate::domain::Funnel, QueryError> {
    use crate::domain::{Comparison, Funnel, UnitLevel};
    let compared = match district {
        Some(code) => {
            check_commune_parent(db, code).await?;
            let rows = commune_figures(db, code, f).await?.into_iter().map(Into::into).collect();
            Comparison { level: UnitLevel::Commune, rows }
        }
        None => comparison(db, f, &provinces(db).await?).await?,
    };
    Ok(Funnel::of(&compared))
}

/// `code` is a unit whose communes a page compares: a district, or a province (its
/// communes directly under it after 2025, as `/districts/{province}` shows them).
pub async fn check_commune_parent(db: &Db, code: &str) -> Result<(), QueryError> {
    use sea_orm::EntityTrait;
    let found = super::entities::unit::Entity::find_by_id(code.to_string()).one(db).await?;
    if found.is_none_or(|u| u.level == crate::domain::UnitLevel::Commune.as_str()) {
        return Err(FilterError::UnknownDistrict(code.to_string()).into());
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct MatrixCell {
    parent: String,
    model_code: String,
    adopting: i64,
}

/// The cells of the district × model matrix of adoption for P: for each (parent, model),
/// how many communes valid during P under that parent have an adoption of the model active
/// in P. One query whatever the number of districts and models; the rows come from the
/// completeness of P, which counts the same communes (`AdoptionMatrix::new`).
pub async fn adoption_cells(db: &Db, p: Period) -> Result<std::sync::Arc<HashMap<(String, String), u64>>, DbErr> {
    structural(("adoption_cells", p), || async { adoption_cells_afresh(db, p).await.map(std::sync::Arc::new) }).await
}

async fn adoption_cells_afresh(db: &Db, p: Period) -> Result<HashMap<(String, String), u64>, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT c.parent_code AS parent, a.model_code AS model_code, CAST(COUNT(DISTINCT c.code) AS BIGINT) AS adopting \
         FROM units c JOIN adoptions a ON a.unit_code = c.code WHERE c.level = 'commune'",
    );
    push_valid_during(&mut q, "c", p);
    push_adoption_active_in(&mut q, p);
    q.push(" GROUP BY c.parent_code, a.model_code");
    Ok(MatrixCell::find_by_statement(q.build())
        .all(db)
        .await?
        .into_iter()
        .map(|c| ((c.parent, c.model_code), u64::try_from(c.adopting).unwrap_or(0)))
        .collect())
}

#[derive(FromQueryResult)]
struct ModelsCount {
    parent: String,
    models: i64,
    communes: i64,
}

/// How many models the communes valid during P run: for each (parent, number of models
/// with an adoption active in P), how many communes — none included.
pub async fn models_per_commune(db: &Db, p: Period) -> Result<std::sync::Arc<Vec<(String, u64, u64)>>, DbErr> {
    structural(("models_per_commune", p), || async { models_per_commune_afresh(db, p).await.map(std::sync::Arc::new) }).await
}

async fn models_per_commune_afresh(db: &Db, p: Period) -> Result<Vec<(String, u64, u64)>, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT parent, CAST(models AS BIGINT) AS models, CAST(COUNT(*) AS BIGINT) AS communes FROM \
         (SELECT c.parent_code AS parent, COUNT(DISTINCT a.model_code) AS models \
          FROM units c LEFT JOIN adoptions a ON a.unit_code = c.code",
    );
    push_adoption_active_in(&mut q, p);
    q.push(" WHERE c.level = 'commune'");
    push_valid_during(&mut q, "c", p);
    q.push(" GROUP BY c.code, c.parent_code) per_commune GROUP BY parent, models ORDER BY parent, models");
    Ok(ModelsCount::find_by_statement(q.build())
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.parent, u64::try_from(r.models).unwrap_or(0), u64::try_from(r.communes).unwrap_or(0)))
        .collect())
}

/// Scope of "the communes of province C": their parent (`parent`, a column) is one of its
/// districts, or the province itself. A commune's survey sums are kept under its parent,
/// so the same scope picks them by `group_code`.
pub(crate) fn push_under_province(q: &mut Sql, parent: &str, province: &str) {
    q.push(&format!(" AND ({parent} = "))
        .bind(province.to_string())
        .push(&format!(" OR {parent} IN (SELECT code FROM units WHERE level = 'district' AND parent_code = "))
        .bind(province.to_string())
        .push("))");
}
