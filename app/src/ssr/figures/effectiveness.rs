//! Effectiveness of each model: three queries (communes, their first adoption of each
//! model, their surveys of the service as a whole), then the contract's computation.
use super::Sql;
use crate::domain::{effectiveness::effectiveness_counts, Choice, CommuneHistory, Counts, EffectivenessRow, GeneralSurvey};
use crate::ssr::Db;
use chrono::NaiveDate;
use sea_orm::{DbErr, FromQueryResult};
use std::collections::HashMap;

#[derive(FromQueryResult)]
struct CommuneRow {
    code: String,
    parent_code: Option<String>,
}

#[derive(FromQueryResult)]
struct FirstAdoption {
    unit_code: String,
    model_code: String,
    first_started: NaiveDate,
}

#[derive(FromQueryResult)]
struct SurveyRow {
    unit_code: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    respondents: i32,
    satisfied: i32,
}

/// One row per model of `models`, for the communes of `province` when given.
pub async fn effectiveness(db: &Db, models: &[Choice], province: Option<&str>) -> Result<Vec<EffectivenessRow>, DbErr> {
    let backend = db.get_database_backend();
    let scope = |q: &mut Sql, alias: &str| {
        if let Some(p) = province {
            super::push_under_province(q, &format!("{alias}.parent_code"), p);
        }
    };
    let mut q = Sql::new(backend);
    q.push("SELECT c.code AS code, c.parent_code AS parent_code FROM units c WHERE c.level = 'commune'");
    scope(&mut q, "c");
    let communes = CommuneRow::find_by_statement(q.build()).all(db).await?;

    let mut q = Sql::new(backend);
    q.push(
        "SELECT a.unit_code AS unit_code, a.model_code AS model_code, MIN(a.started_on) AS first_started \
         FROM adoptions a JOIN units c ON c.code = a.unit_code WHERE c.level = 'commune'",
    );
    scope(&mut q, "c");
    q.push(" GROUP BY a.unit_code, a.model_code");
    let adopted_on: HashMap<(String, String), NaiveDate> = FirstAdoption::find_by_statement(q.build())
        .all(db)
        .await?
        .into_iter()
        .map(|a| ((a.unit_code, a.model_code), a.first_started))
        .collect();

    let mut q = Sql::new(backend);
    q.push(
        "SELECT s.unit_code AS unit_code, s.period_start AS period_start, s.period_end AS period_end, \
         s.respondents AS respondents, s.satisfied AS satisfied \
         FROM survey_counts s JOIN units c ON c.code = s.unit_code WHERE s.model_code IS NULL AND c.level = 'commune'",
    );
    scope(&mut q, "c");
    let mut surveys: HashMap<String, Vec<GeneralSurvey>> = HashMap::new();
    for s in SurveyRow::find_by_statement(q.build()).all(db).await? {
        let counts = Counts {
            respondents: u64::try_from(s.respondents).unwrap_or(0),
            satisfied: u64::try_from(s.satisfied).unwrap_or(0),
        };
        surveys.entry(s.unit_code).or_default().push(GeneralSurvey { start: s.period_start, end: s.period_end, counts });
    }

    let mut histories: Vec<CommuneHistory> = communes
        .into_iter()
        .map(|c| CommuneHistory {
            surveys: surveys.remove(&c.code).unwrap_or_default(),
            code: c.code,
            parent: c.parent_code,
            adopted_on: None,
        })
        .collect();
    Ok(models
        .iter()
        .map(|m| {
            for h in &mut histories {
                h.adopted_on = adopted_on.get(&(h.code.clone(), m.code.clone())).copied();
            }
            EffectivenessRow::new(m.code.clone(), m.name.clone(), effectiveness_counts(&histories))
        })
        .collect())
}
