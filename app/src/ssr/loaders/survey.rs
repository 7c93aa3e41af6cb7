//! The entry form: the units the account may write for and the values to show.
use super::*;

/// What `/survey?…` asks for: the key of an entry to edit, or the one just saved.
#[derive(Clone, Debug, Default)]
pub struct SurveyQuery {
    pub unit_code: Option<String>,
    pub model_code: Option<String>,
    pub period: Option<String>,
    pub saved: bool,
}

/// Entries listed under the form.
const RECENT_LIMIT: u64 = 12;

/// The entry form: the units the account may write for, the models, and the values to
/// show — the submission that came back, the stored entry being edited, or a new one for
/// the current month.
pub async fn survey_form(
    db: &Db,
    account: Option<crate::domain::access::Account>,
    query: SurveyQuery,
    submission: Option<crate::page_data::SurveySubmission>,
) -> Result<crate::page_data::SurveyFormData, DbErr> {
    use crate::ssr::entities::{survey_count, unit};
    use crate::ssr::writes::surveys;
    use crate::domain::access::{Role, UnitPlace};
    use crate::domain::survey::SurveyDraft;
    use crate::page_data::{SurveyFormData, SurveySubmission};
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let Some(account) = account else {
        return Ok(SurveyFormData {
            account: None,
            units: vec![],
            models: vec![],
            submission: SurveySubmission::default(),
            needs_reason: false,
            saved: None,
            recent: vec![],
        });
    };
    let today = crate::ssr::writes::today();
    let writer = Writer::Account(account.clone());
    // Staff: their unit and (a district's staff) its communes valid today. Officials reach
    // any unit through an edit link; the list offers today's.
    let valid_today = Condition::all()
        .add(Condition::any().add(unit::Column::ValidFrom.is_null()).add(unit::Column::ValidFrom.lte(today)))
        .add(Condition::any().add(unit::Column::ValidTo.is_null()).add(unit::Column::ValidTo.gte(today)));
    let mut q = unit::Entity::find().filter(valid_today).filter(unit::Column::Level.ne("province"));
    if account.role == Role::Staff {
        let own = account.unit_code.clone().unwrap_or_default();
        q = q.filter(Condition::any().add(unit::Column::Code.eq(own.clone())).add(unit::Column::ParentCode.eq(own)));
    }
    let mut found = q.all(db).await?;
    if let Some(asked) = &query.unit_code {
        if !found.iter().any(|u| &u.code == asked) {
            if let Some(u) = unit::Entity::find_by_id(asked.clone()).one(db).await? {
                found.push(u);
            }
        }
    }
    found.retain(|u| writer.may_write_survey(UnitPlace { code: &u.code, parent_code: u.parent_code.as_deref() }));
    let mut units: Vec<Choice> = found.into_iter().map(|u| Choice { code: u.code, name: u.name }).collect();
    text::sort_vietnamese(&mut units, |c| &c.name);
    if let Some(own) = &account.unit_code {
        // The staff member's own unit first: the usual case is one tap.
        if let Some(i) = units.iter().position(|u| &u.code == own) {
            let u = units.remove(i);
            units.insert(0, u);
        }
    }
    let models = figures::model_choices(db).await?;

    let chosen_unit = query.unit_code.clone().filter(|c| units.iter().any(|u| &u.code == c));
    let model = query.model_code.clone().filter(|m| !m.is_empty());
    let stored = match (&chosen_unit, &query.period) {
        (Some(u), Some(p)) => surveys::find(db, u, model.as_deref(), p).await?,
        _ => None,
    };
    let saved = stored.as_ref().filter(|_| query.saved).map(recent_entry);
    let submission = match submission {
        Some(s) => s,
        // After a save: a fresh form for the next entry, same unit and period.
        None if saved.is_some() => SurveySubmission {
            values: SurveyDraft {
                unit_code: chosen_unit.clone().unwrap_or_default(),
                period: query.period.clone().unwrap_or_default(),
                ..Default::default()
            },
            ..Default::default()
        },
        None => match &stored {
            Some(s) => SurveySubmission {
                values: SurveyDraft {
                    unit_code: s.unit_code.clone(),
                    model_code: s.model_code.clone().unwrap_or_default(),
                    period: s.period.clone(),
                    respondents: s.respondents.to_string(),
                    satisfied: s.satisfied.to_string(),
                    levels: [s.very_satisfied, s.fairly_satisfied, s.neutral, s.dissatisfied, s.very_dissatisfied]
                        .map(|v| v.map(|n| n.to_string()).unwrap_or_default()),
                },
                version: Some(s.version),
                ..Default::default()
            },
            None => SurveySubmission {
                values: SurveyDraft {
                    unit_code: chosen_unit.clone().or_else(|| units.first().map(|u| u.code.clone())).unwrap_or_default(),
                    model_code: model.clone().unwrap_or_default(),
                    period: query.period.clone().unwrap_or_else(|| Period::month_of(today).to_string()),
                    ..Default::default()
                },
                ..Default::default()
            },
        },
    };
    let codes: Vec<String> = units.iter().map(|u| u.code.clone()).take(50).collect();
    let recent = survey_count::Entity::find()
        .filter(survey_count::Column::UnitCode.is_in(codes))
        .order_by_desc(survey_count::Column::PeriodStart)
        .order_by_asc(survey_count::Column::UnitCode)
        .limit(RECENT_LIMIT)
        .all(db)
        .await?
        .iter()
        .map(recent_entry)
        .collect();
    Ok(SurveyFormData { needs_reason: writer.corrects(), account: Some(account), units, models, submission, saved, recent })
}

fn recent_entry(s: &crate::ssr::entities::survey_count::Model) -> crate::page_data::RecentEntry {
    crate::page_data::RecentEntry {
        unit_code: s.unit_code.clone(),
        model_code: s.model_code.clone(),
        period: s.period.clone(),
        respondents: s.respondents,
        satisfied: s.satisfied,
    }
}
