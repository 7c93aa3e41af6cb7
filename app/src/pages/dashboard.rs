//! `/dashboard`: the district summary of the contract, for a period and optionally a model.
use super::filters::{checked_period, use_query_filters, Choice, FilterForm};
use super::{show_count, show_percent, LoadError};
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
pub async fn district_summary_page(period: Option<String>, model: Option<String>) -> Result<SummaryPage, ServerFnError> {
    use crate::ssr::figures;
    let db = super::db()?;
    let filter = figures::resolve_filter(&db, period.as_deref(), model, None).await.map_err(figures::FilterError::into_server_error)?;
    let rows = figures::district_summary(&db, &filter).await.map_err(super::db_failed)?;
    let models = figures::model_choices(&db).await.map_err(super::db_failed)?;
    Ok(SummaryPage { period: filter.period.to_string(), models, rows })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let page = Resource::new(
        move || filters.get(),
        |f| async move {
            match checked_period(&f) {
                Err(()) => district_summary_page(None, f.model).await,
                Ok(period) => district_summary_page(period, f.model).await,
            }
        },
    );
    view! {
        <h1>{move || t().dashboard_heading}</h1>
        <Suspense fallback=move || view! { <p>{move || t().loading}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <FilterForm action="/dashboard" period=p.period.clone() models=p.models.clone() />
                        <DistrictTable rows=p.rows />
                    }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DistrictTable(rows: Vec<DistrictSummaryRow>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    if rows.is_empty() {
        return view! { <p>{move || t().nothing_yet}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="figures" data-testid="district-summary">
                <thead>
                    <tr>
                        <th>{move || t().district}</th>
                        <th class="num">{move || t().communes}</th>
                        <th class="num">{move || t().communes_adopting}</th>
                        <th class="num">{move || t().adoption_rate}</th>
                        <th class="num">{move || t().respondents}</th>
                        <th class="num">{move || t().satisfaction_rate}</th>
                        <th class="num">{move || t().ci_95}</th>
                    </tr>
                </thead>
                <tbody>
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
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
