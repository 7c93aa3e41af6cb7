//! A commune's page: its models, survey history, missing months, lineage and changes.
use super::*;

/// The most survey lines a commune page lists (five years of monthly reports for ten models).
const HISTORY_LIMIT: u64 = 600;

pub async fn commune(db: &Db, code: &str, lang: Lang) -> Result<Option<crate::page_data::CommuneData>, LoadError> {
    use crate::ssr::entities::{survey_count, unit};
    use crate::domain::{completeness::missing_months, DateSpan, Percent};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let Some(u) = unit::Entity::find_by_id(code.to_string()).one(db).await?.filter(|u| u.level == "commune") else {
        return Ok(None);
    };
    let choice = |u: unit::Model| Choice { code: u.code, name: u.name };
    let parent = match &u.parent_code {
        Some(p) => unit::Entity::find_by_id(p.clone()).one(db).await?.map(choice),
        None => None,
    };
    let successor = match &u.successor_code {
        Some(s) => unit::Entity::find_by_id(s.clone()).one(db).await?.map(choice),
        None => None,
    };
    let mut predecessors: Vec<Choice> = unit::Entity::find()
        .filter(unit::Column::SuccessorCode.eq(code))
        .all(db)
        .await?
        .into_iter()
        .map(choice)
        .collect();
    text::sort_vietnamese(&mut predecessors, |c| &c.name);
    let surveys = survey_count::Entity::find()
        .filter(survey_count::Column::UnitCode.eq(code))
        .order_by_desc(survey_count::Column::PeriodStart)
        .limit(HISTORY_LIMIT)
        .all(db)
        .await?;
    let history = surveys
        .iter()
        .map(|s| {
            let (respondents, satisfied) = (u64::try_from(s.respondents).unwrap_or(0), u64::try_from(s.satisfied).unwrap_or(0));
            crate::page_data::SurveyLine {
                unit_code: s.unit_code.clone(),
                period: s.period.clone(),
                model_code: s.model_code.clone(),
                respondents,
                satisfied,
                satisfaction_rate: Percent::from_ratio(satisfied, respondents),
            }
        })
        .collect();
    // The data's range: from the first to the latest survey month of the whole database.
    let (first, last) = figures::survey_bounds(db).await?;
    let validity = DateSpan::new(u.valid_from, u.valid_to);
    let own: Vec<_> = surveys.iter().map(|s| (s.period_start, s.period_end)).collect();
    let missing = match (first, last) {
        (Some(first), Some(last)) => {
            let (first, last) = (Period::month_of(first), Period::month_of(last));
            // At most the last five years of months.
            let from = last.trend_span_of(60).first().copied().unwrap_or(first);
            let from = if from.first_day() < first.first_day() { first } else { from };
            missing_months(validity, from, last, &own).into_iter().map(|p| p.to_string()).collect()
        }
        _ => Vec::new(),
    };
    let trend = commune_trend(db, code).await?;
    // Today, or the last day of a unit that no longer exists.
    let today = chrono::Utc::now().date_naive();
    let running_on = u.valid_to.map_or(today, |t| t.min(today));
    let running = running_models(db, &[Choice { code: code.to_string(), name: u.name.clone() }], &figures::model_choices(db).await?, running_on).await?;
    let trend_svg = charts::svg(&crate::charts::trend_lines(&[(u.name.clone(), trend.clone())], lang))?;
    let changes = changes(db, code).await?;
    Ok(Some(crate::page_data::CommuneData {
        code: u.code,
        name: u.name,
        kind: u.kind,
        parent,
        valid_from: u.valid_from.map(date),
        valid_to: u.valid_to.map(date),
        successor,
        predecessors,
        running,
        history,
        missing_months: missing,
        trend,
        trend_svg,
        changes,
        may_edit: false,
    }))
}

/// Changes listed on a unit's page.
const CHANGES_LIMIT: u64 = 50;

/// The audit log's entries about a unit's survey counts, newest first.
async fn changes(db: &Db, code: &str) -> Result<Vec<crate::page_data::Change>, DbErr> {
    use crate::ssr::entities::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let prefix = format!("{code}/");
    // LIKE reads `_` and `%` in a code as wildcards; the exact prefix is checked below.
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("survey_counts"))
        .filter(audit_log::Column::EntityKey.like(format!("{prefix}%")))
        .order_by_desc(audit_log::Column::Id)
        .limit(CHANGES_LIMIT)
        .all(db)
        .await?;
    let roles = roles_of(db, entries.iter().map(|e| e.actor.clone()).collect()).await?;
    let counts = |json: &Option<String>| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(json.as_deref()?).ok()?;
        Some(format!("{} / {}", v.get("respondents")?, v.get("satisfied")?))
    };
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let rest = e.entity_key.strip_prefix(&prefix)?;
            let (model_code, period) = rest.split_once('/')?;
            Some(crate::page_data::Change {
                at: local_time(e.at),
                actor_role: roles.get(&e.actor).copied(),
                actor: e.actor.clone(),
                action: e.action.clone(),
                model_code: model_code.to_string(),
                period: period.to_string(),
                before: counts(&e.old_value),
                after: counts(&e.new_value),
                reason: e.reason.clone(),
            })
        })
        .collect())
}
