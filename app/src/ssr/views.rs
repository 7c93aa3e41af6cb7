//! Fills each figure page's data from the figure queries: a small fixed number of queries
//! per page, whatever the number of districts or communes. Chart downloads call the same.
use super::charts::{self, ChartError};
use super::figures::{self, QueryError};
use super::{writes, Db};
use crate::domain::access::{Account, Writer};
use crate::domain::reference::{AdoptionDraft, ModelDraft, UnitDraft};
use crate::domain::{text, Choice, CompletenessRow, EffectivenessRow, FigureFilter, FilterError, Period, TrendRow};
use crate::i18n::Lang;
use crate::views::{
    CompletenessData, DashboardData, ModelData, ReferenceForm, Refusal, Reporting, SearchHit, SearchKind, Site, SEARCH_LIMIT,
};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl From<DbErr> for ViewError {
    fn from(e: DbErr) -> Self {
        ViewError::Query(QueryError::Db(e))
    }
}

impl From<FilterError> for ViewError {
    fn from(e: FilterError) -> Self {
        ViewError::Query(QueryError::Filter(e))
    }
}

/// Today on the server, for the printed line under the filters.
fn today() -> String {
    date(chrono::Utc::now().date_naive())
}

fn reporting(rows: &[CompletenessRow]) -> Reporting {
    let (communes, reporting, rate) = CompletenessRow::total(rows);
    Reporting { communes, reporting, rate }
}

/// The province's trend over the span, and the district's when one is given: the lines of
/// the dashboard's trend chart, named in the reader's language.
pub async fn dashboard_trend(
    db: &Db,
    f: &FigureFilter,
    district: Option<&Choice>,
    lang: Lang,
) -> Result<Vec<(String, Vec<TrendRow>)>, DbErr> {
    let span = f.period.trend_span();
    let model = f.model.as_deref();
    let mut lines = Vec::new();
    let provinces = figures::provinces(db).await?;
    let chosen = match &f.province {
        Some(code) => provinces.iter().find(|p| &p.code == code),
        None => provinces.first(),
    };
    if figures::shows_country(f, &provinces) {
        lines.push((lang.texts().whole_country.to_string(), figures::country_trend(db, &span, model).await?));
    } else if let Some(p) = chosen {
        let name = format!("{} {}", lang.texts().province_prefix, p.name);
        lines.push((name, figures::trend(db, &p.code, &span, model).await?));
    }
    if let Some(d) = district {
        lines.push((d.name.clone(), figures::trend(db, &d.code, &span, model).await?));
    }
    Ok(lines)
}

/// The district of a URL among the choices; an unknown one is the user's mistake.
pub fn chosen_district(districts: &[Choice], code: Option<&str>) -> Result<Option<Choice>, FilterError> {
    match code {
        None => Ok(None),
        Some(c) => districts
            .iter()
            .find(|d| d.code == c)
            .cloned()
            .map(Some)
            .ok_or_else(|| FilterError::UnknownDistrict(c.to_string())),
    }
}

/// The dashboard's data. An unknown `district` only loses the district's trend line: the
/// page's form says next to the field why.
pub async fn dashboard(db: &Db, f: &FigureFilter, district: Option<&str>, lang: Lang) -> Result<DashboardData, ViewError> {
    let models = figures::model_choices(db).await?;
    let provinces = figures::provinces(db).await?;
    let country = figures::shows_country(f, &provinces);
    let mut districts = figures::district_choices(db, f.province.as_deref()).await?;
    let district = chosen_district(&districts, district).unwrap_or(None);
    if country {
        // A country's 700 districts in the trend's menu were a third of the page (and again
        // in its hydration data); a province chosen offers its own. A district already in
        // the address stays offered, so its line and the form keep it.
        districts.retain(|d| district.as_ref().is_some_and(|c| c.code == d.code));
    }
    let completeness_and_matrix = async {
        let (completeness, cells) =
            futures_util::future::try_join(figures::completeness(db, f), figures::adoption_cells(db, f.period)).await?;
        // The matrix's rows: the districts (before 2025) or the province (after), with their
        // commune counts from the completeness rows, which count the same communes.
        let groups =
            completeness.iter().map(|r| (r.district_code.clone(), r.district_name.clone(), r.communes)).collect();
        let cell = |group: &str, model: &str| cells.get(&(group.to_string(), model.to_string())).copied().unwrap_or(0);
        let mut matrix = crate::domain::AdoptionMatrix::new(groups, models.clone(), cell);
        if country && !crate::domain::compares_communes(f.period) {
            let parent = figures::province_of(db, crate::domain::UnitLevel::District).await?;
            matrix = matrix.by_province(&provinces, |d| parent.get(d).cloned());
        }
        Ok::<_, DbErr>((completeness, matrix))
    };
    // Aggregates that need nothing of each other, each on a pooled connection of its own
    // (the completeness and the adoption cells too): at the national size each takes
    // 60–85 ms in SQLite, and the first request after a write waits for two cores to run
    // them, not for their sum on one.
    let (comparison, (completeness, matrix), trend, counts) = futures_util::future::try_join4(
        figures::comparison(db, f),
        completeness_and_matrix,
        dashboard_trend(db, f, district.as_ref(), lang),
        figures::home_counts(db),
    )
    .await?;
    Ok(DashboardData {
        period: f.period.to_string(),
        adoption_svg: charts::svg(&crate::charts::adoption_bars(&comparison, lang))?,
        satisfaction_svg: charts::svg(&crate::charts::satisfaction_intervals(&comparison, lang))?,
        trend_svg: charts::svg(&crate::charts::trend_lines(&trend, lang))?,
        total: comparison.total(),
        reporting: reporting(&completeness),
        models,
        provinces,
        districts,
        comparison,
        matrix,
        trend,
        counts,
        today: today(),
    })
}

pub async fn completeness(db: &Db, f: &FigureFilter) -> Result<CompletenessData, ViewError> {
    use super::entities::unit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = figures::completeness(db, f).await?;
    let missing: Vec<String> = rows.iter().flat_map(|r| r.missing.iter().cloned()).collect();
    // Bounded: a province has a few hundred communes.
    let names = unit::Entity::find()
        .filter(unit::Column::Code.is_in(missing))
        .all(db)
        .await?
        .into_iter()
        .map(|u| Choice { code: u.code, name: u.name })
        .collect();
    Ok(CompletenessData { period: f.period.to_string(), reporting: reporting(&rows), rows, names, today: today() })
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub async fn model(db: &Db, code: &str, lang: Lang) -> Result<Option<ModelData>, ViewError> {
    use super::entities::{adoption, reform_model, unit};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(m) = reform_model::Entity::find_by_id(code.to_string()).one(db).await? else { return Ok(None) };
    let adoptions = adoption::Entity::find().filter(adoption::Column::ModelCode.eq(code)).all(db).await?;
    let units = unit::Entity::find().all(db).await?;
    let name_of = |c: &str| units.iter().find(|u| u.code == c).map(|u| u.name.clone());
    let mut sites: Vec<Site> = adoptions
        .iter()
        .map(|a| Site {
            adoption_id: a.id,
            unit_name: name_of(&a.unit_code).unwrap_or_else(|| a.unit_code.clone()),
            parent_name: units
                .iter()
                .find(|u| u.code == a.unit_code)
                .and_then(|u| u.parent_code.as_deref())
                .and_then(name_of),
            unit_code: a.unit_code.clone(),
            stage: a.stage.clone(),
            steered_by: a.steered_by.clone(),
            started_on: date(a.started_on),
            ended_on: a.ended_on.map(date),
        })
        .collect();
    sites.sort_by(|a, b| {
        text::vietnamese_cmp(a.parent_name.as_deref().unwrap_or(""), b.parent_name.as_deref().unwrap_or(""))
            .then_with(|| text::vietnamese_cmp(&a.unit_name, &b.unit_name))
    });
    let choice = Choice { code: m.code.clone(), name: m.name.clone() };
    // One row per model asked for; an empty row should that ever not hold.
    let effectiveness = figures::effectiveness(db, std::slice::from_ref(&choice), None)
        .await?
        .pop()
        .unwrap_or_else(|| EffectivenessRow::new(m.code.clone(), m.name.clone(), Default::default()));
    let adoption_curve = adoption_curve(&adoptions, &units);
    let curve_svg = charts::svg(&crate::charts::adoption_curve(&adoption_curve, lang))?;
    Ok(Some(ModelData {
        code: m.code,
        name: m.name,
        category: m.category,
        description: m.description,
        launched_on: m.launched_on.map(date),
        sites,
        effectiveness,
        adoption_curve,
        curve_svg,
        may_edit: false,
        changes: reference_changes(db, code).await?,
    }))
}

/// Changes listed on a model's page.
const REFERENCE_CHANGES_LIMIT: u64 = 30;

/// The audit log's entries about a model and its adoptions, newest first, each as the
/// fields that changed.
async fn reference_changes(db: &Db, code: &str) -> Result<Vec<crate::views::ReferenceChange>, DbErr> {
    use super::entities::audit_log;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};
    // An adoption's key is `unit/model/started_on`; LIKE's `_` and `%` are checked exactly below.
    let entries = audit_log::Entity::find()
        .filter(
            Condition::any()
                .add(audit_log::Column::Entity.eq("reform_models").and(audit_log::Column::EntityKey.eq(code)))
                .add(audit_log::Column::Entity.eq("adoptions").and(audit_log::Column::EntityKey.like(format!("%/{code}/%")))),
        )
        .order_by_desc(audit_log::Column::Id)
        .limit(REFERENCE_CHANGES_LIMIT)
        .all(db)
        .await?;
    let object = |json: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
    };
    let shown = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    Ok(entries
        .into_iter()
        .filter(|e| e.entity == "reform_models" || e.entity_key.split('/').nth(1) == Some(code))
        .map(|e| {
            let (old, new) = (object(&e.old_value), object(&e.new_value));
            let fields = new
                .iter()
                .filter(|(k, v)| k.as_str() != "id" && old.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), shown(old.get(k)), shown(Some(v))))
                .collect();
            crate::views::ReferenceChange {
                at: local_time(e.at),
                actor: e.actor,
                action: e.action,
                key: e.entity_key,
                fields,
                reason: e.reason,
            }
        })
        .collect())
}

/// The model form: the submission that came back, the stored model being edited, or an
/// empty one.
pub async fn model_form(
    db: &Db,
    account: Option<Account>,
    code: Option<String>,
    saved: bool,
    submission: Option<ReferenceForm<ModelDraft>>,
) -> Result<ReferenceForm<ModelDraft>, DbErr> {
    use super::entities::reform_model;
    use sea_orm::EntityTrait;
    let form = match (submission, code.filter(|c| !c.is_empty())) {
        (Some(s), _) => s,
        (None, Some(code)) => stored_form(reform_model::Entity::find_by_id(code).one(db).await?, writes::models::draft_of, saved),
        (None, None) => ReferenceForm::default(),
    };
    Ok(for_reader(form, account, Writer::may_edit_reference, Refusal::NotAllowed))
}

/// The adoption form: the submission that came back, the stored adoption `id`, or a new
/// one for the unit and model the link named.
pub async fn adoption_form(
    db: &Db,
    account: Option<Account>,
    id: Option<i64>,
    preset: AdoptionDraft,
    saved: bool,
    submission: Option<ReferenceForm<AdoptionDraft>>,
) -> Result<ReferenceForm<AdoptionDraft>, DbErr> {
    use super::entities::{adoption, reform_model};
    use sea_orm::{EntityTrait, QueryOrder};
    let mut form = match (submission, id) {
        (Some(s), _) => s,
        (None, Some(id)) => {
            let form = stored_form(adoption::Entity::find_by_id(id).one(db).await?, writes::adoptions::draft_of, saved);
            ReferenceForm { id: form.revision.is_some().then_some(id), ..form }
        }
        (None, None) => ReferenceForm { values: preset, ..Default::default() },
    };
    form.models = reform_model::Entity::find()
        .order_by_asc(reform_model::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Choice { code: m.code, name: m.name })
        .collect();
    Ok(for_reader(form, account, Writer::may_edit_reference, Refusal::NotAllowed))
}

/// The unit form: the submission that came back, the stored unit being edited, or an empty one.
pub async fn unit_form(
    db: &Db,
    account: Option<Account>,
    code: Option<String>,
    saved: bool,
    submission: Option<ReferenceForm<UnitDraft>>,
) -> Result<ReferenceForm<UnitDraft>, DbErr> {
    use super::entities::unit;
    use sea_orm::EntityTrait;
    let form = match (submission, code.filter(|c| !c.is_empty())) {
        (Some(s), _) => s,
        (None, Some(code)) => stored_form(unit::Entity::find_by_id(code).one(db).await?, writes::units::draft_of, saved),
        (None, None) => ReferenceForm::default(),
    };
    Ok(for_reader(form, account, Writer::may_edit_units, Refusal::UnitsNotAllowed))
}

/// A form filled from a stored row and its revision; "not found" when there is none.
fn stored_form<M: serde::Serialize, D: Default>(found: Option<M>, draft_of: fn(&M) -> D, saved: bool) -> ReferenceForm<D> {
    match found {
        Some(row) => ReferenceForm { values: draft_of(&row), revision: Some(writes::revision(&row)), saved, ..Default::default() },
        None => ReferenceForm { refusal: Some(Refusal::NotFound), ..Default::default() },
    }
}

/// The form for the signed-in reader: refused (`refusal`) when they may not make the write.
fn for_reader<D>(
    mut form: ReferenceForm<D>,
    account: Option<Account>,
    may: fn(&Writer) -> bool,
    refusal: Refusal,
) -> ReferenceForm<D> {
    let refused = account.as_ref().is_some_and(|a| !may(&Writer::Account(a.clone())));
    form.refusal = form.refusal.or(refused.then_some(refusal));
    form.account = account;
    form
}

/// Units running a model at the end of each year from its first start to its latest
/// start or end: (year, pilots, scaled). Only units that still exist that day count, or an
/// old commune's adoption would count again in its successor after the 2025 mergers.
fn adoption_curve(
    adoptions: &[super::entities::adoption::Model],
    units: &[super::entities::unit::Model],
) -> Vec<(i32, u64, u64)> {
    use chrono::Datelike;
    let first = adoptions.iter().map(|a| a.started_on.year()).min();
    let last = adoptions.iter().map(|a| a.ended_on.unwrap_or(a.started_on).year().max(a.started_on.year())).max();
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    let valid_to: std::collections::HashMap<&str, Option<chrono::NaiveDate>> =
        units.iter().map(|u| (u.code.as_str(), u.valid_to)).collect();
    (first..=last)
        .take(Period::MAX_SPAN)
        .map(|y| {
            let end = Period::Year(y).last_day();
            let exists = |code: &str| valid_to.get(code).is_some_and(|t| t.is_none_or(|t| t >= end));
            let running = adoptions
                .iter()
                .filter(|a| a.started_on <= end && a.ended_on.is_none_or(|e| e >= end) && exists(&a.unit_code));
            let (pilot, scaled) =
                running.fold((0, 0), |(p, s), a| if a.stage == "scaled" { (p, s + 1) } else { (p + 1, s) });
            (y, pilot, scaled)
        })
        .collect()
}

/// The model page's adoption curve alone, for its chart download; none for an unknown model.
pub async fn model_curve(db: &Db, code: &str) -> Result<Option<Vec<(i32, u64, u64)>>, DbErr> {
    use super::entities::{adoption, reform_model, unit};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if reform_model::Entity::find_by_id(code.to_string()).one(db).await?.is_none() {
        return Ok(None);
    }
    let adoptions = adoption::Entity::find().filter(adoption::Column::ModelCode.eq(code)).all(db).await?;
    let units = unit::Entity::find().all(db).await?;
    Ok(Some(adoption_curve(&adoptions, &units)))
}

/// A commune's trend: the quarters of the last five years of data, following predecessors.
pub async fn commune_trend(db: &Db, code: &str) -> Result<Vec<TrendRow>, DbErr> {
    let (_, last) = figures::survey_bounds(db).await?;
    let span = match last {
        Some(last) => {
            let quarter = (chrono::Datelike::month(&last) as u8 - 1) / 3 + 1;
            Period::Quarter { year: chrono::Datelike::year(&last), quarter }.trend_span_of(20)
        }
        None => Vec::new(),
    };
    figures::trend(db, code, &span, None).await
}

/// Districts, communes (old and new) and models whose name holds every word of the query,
/// ignoring case and diacritics; at most [`SEARCH_LIMIT`], in Vietnamese order.
pub async fn search(db: &Db, query: &str) -> Result<Vec<SearchHit>, DbErr> {
    use super::entities::{reform_model, unit};
    use sea_orm::EntityTrait;
    let q = text::fold(query);
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let units = unit::Entity::find().all(db).await?;
    let parent_name =
        |code: &Option<String>| code.as_ref().and_then(|c| units.iter().find(|u| &u.code == c)).map(|u| u.name.clone());
    let mut hits: Vec<SearchHit> = units
        .iter()
        .filter(|u| u.level != "province" && text::matches(&q, &u.name))
        .map(|u| SearchHit {
            kind: if u.level == "district" { SearchKind::District } else { SearchKind::Commune },
            code: u.code.clone(),
            name: u.name.clone(),
            parent: parent_name(&u.parent_code),
            current: u.valid_to.is_none(),
        })
        .collect();
    hits.extend(reform_model::Entity::find().all(db).await?.into_iter().filter(|m| text::matches(&q, &m.name)).map(
        |m| SearchHit { kind: SearchKind::Model, code: m.code, name: m.name, parent: None, current: true },
    ));
    text::sort_vietnamese(&mut hits, |h| &h.name);
    hits.truncate(SEARCH_LIMIT);
    Ok(hits)
}

/// The models each of `units` (code, name) runs on day `on`, in the units' order.
async fn running_models(
    db: &Db,
    units: &[Choice],
    on: chrono::NaiveDate,
) -> Result<Vec<crate::views::RunningModel>, DbErr> {
    use super::entities::{adoption, reform_model};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let models = reform_model::Entity::find().all(db).await?;
    let codes = units.iter().map(|u| u.code.clone());
    let rows = adoption::Entity::find().filter(adoption::Column::UnitCode.is_in(codes)).all(db).await?;
    let place = |code: &str| units.iter().position(|u| u.code == code).unwrap_or(usize::MAX);
    let mut out: Vec<crate::views::RunningModel> = rows
        .into_iter()
        .filter(|a| a.started_on <= on && a.ended_on.is_none_or(|e| e >= on))
        .map(|a| crate::views::RunningModel {
            model_name: models.iter().find(|m| m.code == a.model_code).map_or(a.model_code.clone(), |m| m.name.clone()),
            unit_name: units.iter().find(|u| u.code == a.unit_code).map_or(a.unit_code.clone(), |u| u.name.clone()),
            unit_code: a.unit_code,
            model_code: a.model_code,
            stage: a.stage,
            started_on: date(a.started_on),
            steered_by: a.steered_by,
        })
        .collect();
    out.sort_by(|a, b| (place(&a.unit_code), &a.model_code).cmp(&(place(&b.unit_code), &b.model_code)));
    Ok(out)
}

/// The communes of a district (or of the province after 2025) for a page or a chart.
pub async fn commune_comparison(db: &Db, parent: &str, f: &FigureFilter) -> Result<crate::domain::Comparison, DbErr> {
    let mut rows: Vec<crate::domain::ComparedUnit> =
        figures::commune_figures(db, parent, f).await?.into_iter().map(Into::into).collect();
    text::sort_vietnamese(&mut rows, |r| &r.name);
    Ok(crate::domain::Comparison { level: crate::domain::UnitLevel::Commune, rows })
}

pub async fn district(
    db: &Db,
    code: &str,
    f: &FigureFilter,
    lang: Lang,
) -> Result<Option<crate::views::DistrictData>, ViewError> {
    use super::entities::unit;
    use sea_orm::EntityTrait;
    let Some(u) = unit::Entity::find_by_id(code.to_string()).one(db).await?.filter(|u| u.level != "commune") else {
        return Ok(None);
    };
    let comparison = commune_comparison(db, code, f).await?;
    let communes: Vec<Choice> =
        comparison.rows.iter().map(|r| Choice { code: r.code.clone(), name: r.name.clone() }).collect();
    let running = running_models(db, &communes, f.period.last_day()).await?;
    Ok(Some(crate::views::DistrictData {
        code: u.code,
        name: u.name,
        kind: u.kind,
        valid_to: u.valid_to.map(date),
        period: f.period.to_string(),
        models: figures::model_choices(db).await?,
        adoption_svg: charts::svg(&crate::charts::adoption_bars(&comparison, lang))?,
        satisfaction_svg: charts::svg(&crate::charts::satisfaction_intervals(&comparison, lang))?,
        comparison,
        running,
        today: today(),
    }))
}

/// The most survey lines a commune page lists (five years of monthly reports for ten models).
const HISTORY_LIMIT: u64 = 600;

pub async fn commune(db: &Db, code: &str, lang: Lang) -> Result<Option<crate::views::CommuneData>, ViewError> {
    use super::entities::{survey_count, unit};
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
            crate::views::SurveyLine {
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
    let running = running_models(db, &[Choice { code: code.to_string(), name: u.name.clone() }], running_on).await?;
    let trend_svg = charts::svg(&crate::charts::trend_lines(&[(u.name.clone(), trend.clone())], lang))?;
    let changes = changes(db, code).await?;
    Ok(Some(crate::views::CommuneData {
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
async fn changes(db: &Db, code: &str) -> Result<Vec<crate::views::Change>, DbErr> {
    use super::entities::audit_log;
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
    let counts = |json: &Option<String>| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(json.as_deref()?).ok()?;
        Some(format!("{} / {}", v.get("respondents")?, v.get("satisfied")?))
    };
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let rest = e.entity_key.strip_prefix(&prefix)?;
            let (model_code, period) = rest.split_once('/')?;
            Some(crate::views::Change {
                at: local_time(e.at),
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
    submission: Option<crate::views::SurveySubmission>,
) -> Result<crate::views::SurveyFormData, DbErr> {
    use super::entities::{survey_count, unit};
    use super::writes::surveys;
    use crate::domain::access::{Role, UnitPlace};
    use crate::domain::survey::SurveyDraft;
    use crate::views::{SurveyFormData, SurveySubmission};
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
    let today = super::writes::today();
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

fn recent_entry(s: &super::entities::survey_count::Model) -> crate::views::RecentEntry {
    crate::views::RecentEntry {
        unit_code: s.unit_code.clone(),
        model_code: s.model_code.clone(),
        period: s.period.clone(),
        respondents: s.respondents,
        satisfied: s.satisfied,
    }
}

/// A moment as Vietnam reads it (UTC+7): `YYYY-MM-DD HH:MM`.
fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(7)).format("%Y-%m-%d %H:%M").to_string()
}

/// `/account`: the person's live tokens, with what a posted form came back with.
pub async fn account_page(
    db: &Db,
    account: Option<crate::domain::access::Account>,
    outcome: Option<crate::views::AccountOutcome>,
) -> Result<crate::views::AccountData, DbErr> {
    let Some(account) = account else { return Ok(crate::views::AccountData::default()) };
    let tokens = super::auth::token::list(db, account.id)
        .await?
        .into_iter()
        .map(|t| crate::views::TokenLine {
            name: t.name,
            created: local_time(t.created_at),
            last_used: t.last_used_at.map(local_time),
        })
        .collect();
    Ok(crate::views::AccountData { account: Some(account), tokens, outcome: outcome.unwrap_or_default() })
}

/// `/admin/users`: every account for an admin; nothing for anyone else.
pub async fn users_page(
    db: &Db,
    account: Option<crate::domain::access::Account>,
    outcome: Option<crate::views::UsersOutcome>,
) -> Result<crate::views::UsersData, DbErr> {
    let allowed = account.clone().is_some_and(|a| Writer::Account(a).may_manage_users());
    let users = if allowed {
        super::writes::users::list(db)
            .await?
            .into_iter()
            .map(|u| crate::views::UserLine {
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                unit_code: u.unit_code,
                disabled: u.disabled,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(crate::views::UsersData { account, users, outcome: outcome.unwrap_or_default() })
}
