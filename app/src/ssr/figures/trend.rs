//! A unit's trend over a span of periods, following predecessors across the 2025
//! reorganisation: the unit, every unit that merged into it (and into those), and for a
//! district or province the units under them.
use super::Sql;
use crate::domain::{Counts, Period, PeriodCounts, TrendRow};
use crate::ssr::Db;
use sea_orm::{DbErr, FromQueryResult};

#[derive(FromQueryResult)]
struct GroupRow {
    period_start: chrono::NaiveDate,
    period_end: chrono::NaiveDate,
    respondents: i64,
    satisfied: i64,
}

/// One row per period of `span` (see [`TrendRow::rows`]). Each survey belongs to one unit,
/// and the lineage is a set, so nothing is counted twice.
pub async fn trend(db: &Db, unit: &str, span: &[Period], model: Option<&str>) -> Result<Vec<TrendRow>, DbErr> {
    trend_in(db, Some(unit), span, model).await
}

/// The trend of the whole database: every unit hangs under a province, so this is the
/// provinces' lineages together (a country's, or the one province's of a province's
/// database), read from the period totals the database keeps, without walking them.
pub async fn country_trend(db: &Db, span: &[Period], model: Option<&str>) -> Result<Vec<TrendRow>, DbErr> {
    trend_in(db, None, span, model).await
}

async fn trend_in(db: &Db, unit: Option<&str>, span: &[Period], model: Option<&str>) -> Result<Vec<TrendRow>, DbErr> {
    let (Some(first), Some(last)) = (span.first(), span.last()) else { return Ok(Vec::new()) };
    let mut q = Sql::new(db.get_database_backend());
    if let Some(unit) = unit {
        q.push("WITH RECURSIVE lineage(code) AS (SELECT code FROM units WHERE code = ")
            .bind(unit.to_string())
            .push(" UNION SELECT u.code FROM units u JOIN lineage l ON u.successor_code = l.code OR u.parent_code = l.code) ");
    }
    q.push(
        "SELECT s.period_start AS period_start, s.period_end AS period_end, \
         CAST(SUM(s.respondents) AS BIGINT) AS respondents, CAST(SUM(s.satisfied) AS BIGINT) AS satisfied ",
    );
    // A lineage is a few units, read by their key; the whole database is its period totals.
    if unit.is_some() {
        q.push("FROM survey_counts s WHERE s.unit_code IN (SELECT code FROM lineage) AND ");
    } else {
        q.push("FROM period_totals s WHERE ");
    }
    super::push_survey_inside(&mut q, first.first_day(), last.last_day());
    if let Some(m) = model {
        q.push(" AND s.model_code = ").bind(m.to_string());
    }
    q.push(" GROUP BY s.period_start, s.period_end");
    let groups: Vec<PeriodCounts> = GroupRow::find_by_statement(q.build())
        .all(db)
        .await?
        .into_iter()
        .map(|g| PeriodCounts {
            start: g.period_start,
            end: g.period_end,
            counts: Counts {
                respondents: u64::try_from(g.respondents).unwrap_or(0),
                satisfied: u64::try_from(g.satisfied).unwrap_or(0),
            },
        })
        .collect();
    Ok(TrendRow::rows(span, &groups))
}
