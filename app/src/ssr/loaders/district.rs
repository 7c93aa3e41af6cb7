//! A district's page (or the province's after 2025): its communes compared.
use super::*;

/// The page of district `code` for the page's query (its period and model, resolved here
/// once); none when there is no such district.
pub async fn district(
    db: &Db,
    code: &str,
    q: &FigureQuery,
    lang: Lang,
) -> Result<Option<crate::page_data::DistrictData>, LoadError> {
    use crate::ssr::entities::unit;
    use sea_orm::EntityTrait;
    let Some(u) = unit::Entity::find_by_id(code.to_string()).one(db).await?.filter(|u| u.level != "commune") else {
        return Ok(None);
    };
    let models = figures::model_choices(db).await?;
    let filter = figures::page_filter(db, &FigureQuery { province: None, ..q.clone() }, &models, &[]).await?;
    let f = &filter;
    let comparison = commune_comparison(db, code, f).await?;
    let funnel = crate::domain::Funnel::of(&comparison);
    let communes: Vec<Choice> =
        comparison.rows.iter().map(|r| Choice { code: r.code.clone(), name: r.name.clone() }).collect();
    let running = running_models(db, &communes, &models, f.period.last_day()).await?;
    Ok(Some(crate::page_data::DistrictData {
        code: u.code,
        name: u.name,
        kind: u.kind,
        valid_to: u.valid_to.map(date),
        period: f.period.to_string(),
        models,
        adoption_svg: charts::svg(&crate::charts::adoption_bars(&comparison, lang))?,
        satisfaction_svg: charts::svg(&crate::charts::satisfaction_intervals(&comparison, lang))?,
        funnel_svg: charts::svg(&crate::charts::funnel_plot(&funnel, lang))?,
        funnel,
        comparison,
        running,
        today: today(),
    }))
}
