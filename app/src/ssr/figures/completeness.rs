//! Reporting completeness for a period: per district (per province after 2025), the
//! communes valid during P and which of them have reported.
use super::{push_valid_during, Sql};
use crate::domain::{CommuneReports, CompletenessRow, FigureFilter};
use crate::ssr::Db;
use sea_orm::{DbErr, FromQueryResult};

#[derive(FromQueryResult)]
struct GroupRow {
    code: String,
    name: String,
}

#[derive(FromQueryResult)]
struct ReportRow {
    parent: String,
    /// The commune's code when it has not reported; empty for the reporting ones, counted.
    missing: Option<String>,
    communes: i64,
}

/// One row per district-level unit valid during P, and, for periods after the 2025
/// reorganisation, one for each province whose communes hang directly under it.
pub async fn completeness(db: &Db, f: &FigureFilter) -> Result<Vec<CompletenessRow>, DbErr> {
    let p = f.period;
    let backend = db.get_database_backend();
    // The communes valid during P, per parent: those with a survey inside P counted, the
    // others one row each. A row per commune cost a country's dashboard as much again as the
    // query itself, in passing rows from SQLite's thread.
    let mut q = Sql::new(backend);
    q.push(
        "SELECT parent, missing, CAST(COUNT(*) AS BIGINT) AS communes FROM (\
         SELECT c.parent_code AS parent, CASE WHEN EXISTS (SELECT 1 FROM survey_counts s \
         WHERE s.unit_code = c.code AND s.period_start >= ",
    )
    .bind(p.first_day())
    .push(" AND s.period_end <= ")
    .bind(p.last_day())
    .push(") THEN NULL ELSE c.code END AS missing FROM units c WHERE c.level = 'commune' AND c.parent_code IS NOT NULL");
    push_valid_during(&mut q, "c", p);
    if let Some(province) = &f.province {
        super::push_under_province(&mut q, "c.parent_code", province);
    }
    q.push(") communes GROUP BY parent, missing");
    let communes = ReportRow::find_by_statement(q.build()).all(db).await?;

    let mut q = Sql::new(backend);
    q.push("SELECT u.code AS code, u.name AS name FROM units u WHERE ((u.level = 'district'");
    push_valid_during(&mut q, "u", p);
    q.push(") OR (u.level = 'province' AND EXISTS (SELECT 1 FROM units c WHERE c.parent_code = u.code AND c.level = 'commune'");
    push_valid_during(&mut q, "c", p);
    q.push(")))");
    if let Some(province) = &f.province {
        q.push(" AND (u.code = ").bind(province.clone()).push(" OR u.parent_code = ").bind(province.clone()).push(")");
    }
    let mut groups = GroupRow::find_by_statement(q.build()).all(db).await?;
    groups.sort_by(|a, b| a.code.cmp(&b.code));
    let groups: Vec<(String, String)> = groups.into_iter().map(|g| (g.code, g.name)).collect();
    let reports = communes
        .into_iter()
        .map(|c| match c.missing {
            Some(commune_code) => CommuneReports::Missing { district_code: c.parent, commune_code },
            None => CommuneReports::Reported { district_code: c.parent, communes: u64::try_from(c.communes).unwrap_or(0) },
        })
        .collect();
    Ok(CompletenessRow::rows(&groups, reports))
}
