//! `/models`: every reform model with how widely it runs and how satisfied citizens are.
use super::filters::{checked_period, filters_usable, use_query_filters, Choice, FilterForm};
use super::{loaded, FiguresTable, HeaderCell};
use crate::domain::ModelFiguresRow;
use crate::i18n::{show_count, show_percent, use_lang};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelsPageData {
    pub period: String,
    pub models: Vec<Choice>,
    pub rows: Vec<ModelFiguresRow>,
}

pub async fn models_page(period: Option<String>, model: Option<String>) -> Result<ModelsPageData, super::PageError> {
    use crate::ssr::figures;
    let state = super::state()?;
    let db = &state.db;
    let q = crate::domain::FigureQuery { period, model, ..Default::default() }.normalised();
    let page = state.figures.get(db, q.clone(), || async {
        let models = figures::model_choices(db).await?;
        let filter = figures::page_filter(db, &q, &models, &[]).await?;
        let rows = figures::model_figures(db, &filter).await?;
        Ok::<_, figures::QueryError>(ModelsPageData { period: filter.period.to_string(), models, rows })
    });
    page.await.map_err(super::query_failed)
}

#[component]
pub fn ModelsPage() -> impl IntoView {
    let lang = use_lang();
    let filters = use_query_filters();
    let page = Resource::new(
        move || filters.get(),
        |f| async move { models_page(checked_period(&f).ok().flatten(), f.model).await },
    );
    let header: Vec<HeaderCell> = vec![
        ("", |t| t.model),
        ("num", |t| t.sites),
        ("num", |t| t.adoption_rate),
        ("num", |t| t.respondents),
        ("num", |t| t.satisfaction_rate),
    ];
    view! {
        <h1>{move || lang.get().texts().models_heading}</h1>
        {loaded(page, move |p: ModelsPageData| {
            let valid = filters_usable(&filters.get_untracked(), &p.models, None);
            let header = header.clone();
            view! {
                <FilterForm action="/models" period=p.period models=p.models />
                {valid.then(|| view! {
                    <FiguresTable testid="model-figures" header=header>
                        {p.rows.into_iter().map(|r| {
                            let f = r.figures;
                            view! {
                                <tr>
                                    <td><a href=format!("/models/{}", r.model_code)>{r.model_name}</a></td>
                                    <td class="num">{move || show_count(lang.get(), f.communes_adopting)}</td>
                                    <td class="num">{move || show_percent(lang.get(), f.adoption_rate)}</td>
                                    <td class="num">{move || show_count(lang.get(), f.respondents)}</td>
                                    <td class="num">{move || show_percent(lang.get(), f.satisfaction_rate)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </FiguresTable>
                })}
            }
        })}
    }
}
