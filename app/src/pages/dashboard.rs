//! `/dashboard`: the district summary of the contract, for a period and optionally a model.
use super::filters::{checked_period, filters_usable, use_query_filters, Choice, FilterForm};
use super::{loaded, show_count, show_percent, FiguresTable, HeaderCell};
use crate::domain::DistrictSummaryRow;
use crate::i18n::use_lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SummaryPage {
    /// The period shown: the one asked for, or the latest year with survey counts.
    pub period: String,
    pub models: Vec<Choice>,
    pub rows: Vec<DistrictSummaryRow>,
}

#[server]
pub async fn district_summary_page(
    period: Option<String>,
    model: Option<String>,
) -> Result<SummaryPage, ServerFnError> {
    use crate::ssr::figures;
    let db = super::db()?;
    let (models, filter) = super::page_filter(&db, period.as_deref(), model).await?;
    let rows = figures::district_summary(&db, &filter).await.map_err(super::db_failed)?;
    Ok(SummaryPage { period: filter.period.to_string(), models, rows })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let filters = use_query_filters();
    let page = Resource::new(
        move || filters.get(),
        |f| async move { district_summary_page(checked_period(&f).ok().flatten(), f.model).await },
    );
    view! {
        <h1>{move || lang.get().texts().dashboard_heading}</h1>
        {loaded(page, move |p: SummaryPage| {
            // A filter that cannot be used is explained by the form; no table then.
            let valid = filters_usable(&filters.get_untracked(), &p.models, None);
            view! {
                <FilterForm action="/dashboard" period=p.period models=p.models />
                {valid.then(|| view! { <DistrictTable rows=p.rows /> })}
            }
        })}
    }
}

#[component]
fn DistrictTable(rows: Vec<DistrictSummaryRow>) -> impl IntoView {
    let lang = use_lang();
    let header: Vec<HeaderCell> = vec![
        ("", |t| t.district),
        ("num", |t| t.communes),
        ("num", |t| t.communes_adopting),
        ("num", |t| t.adoption_rate),
        ("num", |t| t.respondents),
        ("num", |t| t.satisfaction_rate),
        ("num", |t| t.ci_95),
    ];
    view! {
        <FiguresTable testid="district-summary" header=header>
            {rows.into_iter().map(|r| {
                let f = r.figures;
                let href = format!("/communes?district={}", r.district_code);
                view! {
                    <tr>
                        <td><a href=href>{r.district_name}</a></td>
                        <td class="num">{move || show_count(lang.get(), f.communes)}</td>
                        <td class="num">{move || show_count(lang.get(), f.communes_adopting)}</td>
                        <td class="num">{move || show_percent(lang.get(), f.adoption_rate)}</td>
                        <td class="num">{move || show_count(lang.get(), f.respondents)}</td>
                        <td class="num">{move || show_percent(lang.get(), f.satisfaction_rate)}</td>
                        <td class="num">{move || match (f.ci_low, f.ci_high) {
                            (Some(lo), Some(hi)) => format!("{} – {}", show_percent(lang.get(), Some(lo)), show_percent(lang.get(), Some(hi))),
                            _ => "—".to_string(),
                        }}</td>
                    </tr>
                }
            }).collect_view()}
        </FiguresTable>
    }
}
