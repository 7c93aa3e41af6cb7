//! `/completeness?period=P`: per district, the reporting rate and the communes that have not
//! reported — the list an official prints to chase missing reports.
use super::filters::{checked_period, use_query_filters};
use super::{loaded, FiguresTable, HeaderCell};
use crate::charts::percent_text;
use crate::i18n::{show_count, show_percent, use_lang};
use crate::page_data::CompletenessData;
use leptos::prelude::*;
use leptos_router::components::Form;

/// The page for the period of its URL, kept under that query.
pub async fn completeness_page(period: Option<String>) -> Result<CompletenessData, super::PageError> {
    let state = super::state()?;
    let db = &state.db;
    let q = crate::domain::FigureQuery { period, ..Default::default() }.normalised();
    state.figures.get(db, q.clone(), || crate::ssr::loaders::completeness(db, &q)).await.map_err(super::load_failed)
}

#[component]
pub fn CompletenessPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let page = Resource::new(move || filters.get(), |f| async move { completeness_page(checked_period(&f).ok().flatten()).await });
    let bad_period = move || checked_period(&filters.get()).is_err();
    let header: Vec<HeaderCell> = vec![
        ("", |t| t.district),
        ("num", |t| t.communes),
        ("num", |t| t.reporting),
        ("num", |t| t.reporting_rate),
        ("", |t| t.missing),
    ];
    view! {
        <h1>{move || t().completeness_heading}</h1>
        {loaded(page, move |d: CompletenessData| {
            let header = header.clone();
            let names = d.names.clone();
            let name_of = move |code: &str| names.iter().find(|n| n.code == code).map_or(code.to_string(), |n| n.name.clone());
            let total = d.reporting;
            let (period, today) = (d.period.clone(), d.today.clone());
            view! {
                <Form method="GET" action="/completeness" attr:class="filters">
                    <label>
                        <span>{move || t().period}</span>
                        <input name="period" value=filters.get_untracked().period.unwrap_or(d.period.clone())
                            aria-invalid=move || bad_period().to_string() aria-describedby="period-error" />
                        <Show when=bad_period>
                            <span class="field-error" id="period-error" role="alert">{move || t().bad_period}</span>
                        </Show>
                    </label>
                    <button type="submit">{move || t().show}</button>
                </Form>
                <super::PrintedFilters period=period today=today />
                {(!bad_period()).then(|| view! {
                    <p class="summary" data-testid="completeness-total">
                        {move || format!("{}: {} / {} ({})", t().card_reporting, show_count(lang.get(), total.reporting), show_count(lang.get(), total.communes), total.rate.map(|p| percent_text(lang.get(), p)).unwrap_or_else(|| "—".into()))}
                    </p>
                    <FiguresTable testid="completeness" header=header>
                        {d.rows.into_iter().map(|r| {
                            let missing = r.missing.iter().map(|c| name_of(c)).collect::<Vec<_>>().join(", ");
                            view! {
                                <tr>
                                    <td>{r.district_name}</td>
                                    <td class="num">{move || show_count(lang.get(), r.communes)}</td>
                                    <td class="num">{move || show_count(lang.get(), r.reporting)}</td>
                                    <td class="num">{move || show_percent(lang.get(), r.reporting_rate)}</td>
                                    <td class="missing">{missing}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </FiguresTable>
                })}
            }
        })}
    }
}
