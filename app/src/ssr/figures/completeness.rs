//! Reporting completeness for a period: per district (per province after 2025), the
//! communes valid during P and which of them have reported.
use super::{push_valid_during, structural, Sql};
use crate::domain::{CommuneReports, CompletenessRow, FigureFilter};
use crate::ssr::Db;
use sea_orm::{DbBackend, DbErr, FromQueryResult};
use std::sync::Arc;

#[derive(FromQueryResult)]
struct GroupRow {
    code: String,
    name: String,
}

#[derive(FromQueryResult)]
struct CommuneRow {
    parent: String,
    code: String,
}

#[derive(FromQueryResult)]
struct ReportedRow {
    codes: Option<String>,
}

/// The groups and communes completeness counts for P, kept with the structure: each
/// district-level unit valid during P and each province with communes directly under it
/// (by code, with its name), and each commune valid during P with its parent.
type Scope = Arc<(Vec<(String, String)>, Vec<(String, String)>)>;

async fn scope(db: &Db, f: &FigureFilter) -> Result<Scope, DbErr> {
    structural(("completeness_scope", f.period, f.province.clone()), || async {
        let p = f.period;
        let backend = db.get_database_backend();
        let mut q = Sql::new(backend);
        q.push("SELECT c.parent_code AS parent, c.code AS code FROM units c WHERE c.level = 'commune' AND c.parent_code IS NOT NULL");
        push_valid_during(&mut q, "c", p);
        if let Some(province) = &f.province {
            super::push_under_province(&mut q, "c.parent_code", province);
        }
        let communes = CommuneRow::find_by_statement(q.build()).all(db).await?;

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
        // By code, as the reported units come: [`completeness`] walks the two together.
        let mut communes = communes;
        communes.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Arc::new((
            groups.into_iter().map(|g| (g.code, g.name)).collect(),
            communes.into_iter().map(|c| (c.parent, c.code)).collect(),
        )))
    })
    .await
}

/// The groups completeness counts for P, each with its communes valid during P (code,
/// name, communes): the rows of the completeness without their reports, kept with the
/// structure. The matrix of adoption and the models' spread count over them.
pub async fn groups(db: &Db, f: &FigureFilter) -> Result<Arc<Vec<(String, String, u64)>>, DbErr> {
    structural(("completeness_groups", f.period, f.province.clone()), || async {
        let scope = scope(db, f).await?;
        let (groups, communes) = &*scope;
        let mut counted = std::collections::HashMap::<&str, u64>::new();
        for (parent, _) in communes {
            *counted.entry(parent).or_default() += 1;
        }
        Ok(Arc::new(
            groups.iter().map(|(code, name)| (code.clone(), name.clone(), counted.get(code.as_str()).copied().unwrap_or(0))).collect(),
        ))
    })
    .await
}

/// The units with a survey inside P, from the unit reports of P: one row, the codes joined
/// by commas (a code has none) in the order of their bytes (as Rust orders strings). A row
/// per commune cost a country's dashboard as much again as the query itself, in passing
/// rows from SQLite's thread.
async fn reported(db: &Db, f: &FigureFilter) -> Result<String, DbErr> {
    let backend = db.get_database_backend();
    let joined = if backend == DbBackend::Postgres {
        "string_agg(unit_code, ',' ORDER BY unit_code COLLATE \"C\")"
    } else {
        "group_concat(unit_code, ',' ORDER BY unit_code)"
    };
    let mut q = Sql::new(backend);
    q.push(&format!("SELECT {joined} AS codes FROM unit_reports WHERE period_start = "))
        .bind(f.period.first_day())
        .push(" AND period_end = ")
        .bind(f.period.last_day())
        .push(" AND reports > 0");
    let row = ReportedRow::find_by_statement(q.build()).one(db).await?;
    Ok(row.and_then(|r| r.codes).unwrap_or_default())
}

/// One row per district-level unit valid during P, and, for periods after the 2025
/// reorganisation, one for each province whose communes hang directly under it.
pub async fn completeness(db: &Db, f: &FigureFilter) -> Result<Vec<CompletenessRow>, DbErr> {
    let (scope, reported) = futures_util::future::try_join(scope(db, f), reported(db, f)).await?;
    let (groups, communes) = &*scope;
    // Both by code: one walk, no lookups. Reporting units that are no commune of the scope
    // (districts, other provinces' communes) are passed over.
    let mut reported = reported.split(',').peekable();
    let mut counted = std::collections::HashMap::<&str, u64>::new();
    let mut reports = Vec::new();
    for (parent, code) in communes {
        while reported.next_if(|r| *r < code.as_str()).is_some() {}
        if reported.next_if_eq(&code.as_str()).is_some() {
            *counted.entry(parent).or_default() += 1;
        } else {
            reports.push(CommuneReports::Missing { district_code: parent.clone(), commune_code: code.clone() });
        }
    }
    reports.extend(
        counted.into_iter().map(|(parent, communes)| CommuneReports::Reported { district_code: parent.to_string(), communes }),
    );
    Ok(CompletenessRow::rows(groups, reports))
}
