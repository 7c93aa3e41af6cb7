//! `/districts/{code}`: a district's communes, the models each runs (stage, since when,
//! steered by), and satisfaction with intervals, charted at commune level.
use super::filters::{checked_period, filters_usable, use_query_filters, FilterForm};
use super::{loaded, ChartFigure};
use crate::charts::ChartName;
use crate::domain::FigureQuery;
use crate::i18n::{show_date, use_lang};
use crate::page_data::DistrictData;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The district's page for the query of its URL, kept under the district and that query.
pub async fn district_page(code: String, q: FigureQuery, lang: crate::i18n::Lang) -> Result<Option<DistrictData>, super::PageError> {
    let state = super::state()?;
    let db = &state.db;
    let q = FigureQuery { district: None, province: None, ..q.normalised() };
    state
        .figures
        .get(db, (code.clone(), q.clone(), lang), || crate::ssr::loaders::district(db, &code, &q, lang))
        .await
        .map_err(super::load_failed)
}

#[component]
pub fn DistrictPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let filters = use_query_filters();
    let page = Resource::new(
        move || (params.get().get("code").unwrap_or_default(), filters.get(), lang.get()),
        |(code, f, lang)| async move {
            district_page(code, FigureQuery { period: checked_period(&f).ok().flatten(), ..f }, lang).await
        },
    );
    view! {
        {loaded(page, move |d: Option<DistrictData>| match d {
            None => view! { <super::not_found::NotFound /> }.into_any(),
            Some(d) => {
                let f = filters.get_untracked();
                let valid = filters_usable(&f, &d.models, None);
                let action = format!("/districts/{}", d.code);
                let query = format!("{}&district={}", super::chart_query(&d.period, f.model.as_deref(), None, None), d.code);
                view! { <District d=d action=action query=query valid=valid /> }.into_any()
            }
        })}
    }
}

#[component]
fn District(d: DistrictData, action: String, query: String, valid: bool) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let heading = match &d.kind {
        Some(kind) => format!("{} {}", super::capitalised(kind), d.name),
        None => d.name.clone(),
    };
    let valid_to = d.valid_to.clone();
    let running = d.running.clone();
    view! {
        <h1>{heading}</h1>
        {valid_to.map(|to| view! { <p class="note">{move || format!("{} {}", t().valid_until, show_date(lang.get(), &to))}</p> })}
        <FilterForm action=action period=d.period.clone() models=d.models.clone() />
        <super::PrintedFilters period=d.period.clone() today=d.today.clone() />
        {valid.then(|| view! {
            <ChartFigure name=ChartName::SatisfactionFunnel title=t().chart_funnel svg=d.funnel_svg query=query.clone() />
            <super::dashboard::FunnelFlags funnel=d.funnel query="" />
            <ChartFigure name=ChartName::AdoptionByCommune title=t().chart_adoption_communes svg=d.adoption_svg query=query.clone() />
            <ChartFigure name=ChartName::SatisfactionByCommune title=t().chart_satisfaction_communes svg=d.satisfaction_svg query=query />
            <super::dashboard::ComparisonTable comparison=d.comparison query="" />
            <h2>{move || t().models_running}</h2>
            <div class="table-wrap">
                <table class="figures" data-testid="running">
                    <thead><tr><th>{move || t().commune}</th><th>{move || t().model}</th><th>{move || t().stage}</th><th>{move || t().since}</th><th>{move || t().steered_by}</th></tr></thead>
                    <tbody>
                        {running.into_iter().map(|r| view! { <super::RunningRow r=r /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}
