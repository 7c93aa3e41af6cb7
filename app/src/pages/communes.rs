//! `/communes`: the communes of one district with their own figures.
use super::filters::{checked_period, filters_usable, use_query_filters, Choice, FilterForm};
use super::{loaded, show_count, show_percent, FiguresTable, HeaderCell};
use crate::domain::CommuneFiguresRow;
use crate::i18n::use_lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommunesPageData {
    pub period: String,
    pub models: Vec<Choice>,
    pub districts: Vec<Choice>,
    pub rows: Vec<CommuneFiguresRow>,
}

#[server]
pub async fn communes_page(
    district: Option<String>,
    period: Option<String>,
    model: Option<String>,
) -> Result<CommunesPageData, ServerFnError> {
    use crate::ssr::figures;
    let db = super::db()?;
    let (models, filter) = super::page_filter(&db, period.as_deref(), model).await?;
    let districts = figures::district_choices(&db).await.map_err(super::db_failed)?;
    // Without a choice, show the first district rather than an empty page.
    let district = district.or_else(|| districts.first().map(|d| d.code.clone()));
    let rows = match district {
        Some(d) => figures::commune_figures(&db, &d, &filter).await.map_err(super::db_failed)?,
        None => Vec::new(),
    };
    Ok(CommunesPageData { period: filter.period.to_string(), models, districts, rows })
}

#[component]
pub fn CommunesPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let page = Resource::new(
        move || filters.get(),
        |f| async move { communes_page(f.district.clone(), checked_period(&f).ok().flatten(), f.model).await },
    );
    let header: Vec<HeaderCell> = vec![
        ("", |t| t.commune),
        ("", |t| t.adopting),
        ("num", |t| t.respondents),
        ("num", |t| t.satisfied),
        ("num", |t| t.satisfaction_rate),
    ];
    view! {
        <h1>{move || t().communes_heading}</h1>
        {loaded(page, move |p: CommunesPageData| {
            let valid = filters_usable(&filters.get_untracked(), &p.models, Some(&p.districts));
            let header = header.clone();
            view! {
                <FilterForm action="/communes" period=p.period models=p.models districts=p.districts />
                {valid.then(|| view! {
                    <FiguresTable testid="commune-figures" header=header>
                        {p.rows.into_iter().map(|r| {
                            let f = r.figures;
                            let name = match r.kind {
                                Some(kind) => format!("{kind} {}", r.commune_name),
                                None => r.commune_name,
                            };
                            view! {
                                <tr>
                                    <td>{name}</td>
                                    <td>{move || if f.communes_adopting > 0 { t().yes } else { t().no }}</td>
                                    <td class="num">{move || show_count(lang.get(), f.respondents)}</td>
                                    <td class="num">{move || show_count(lang.get(), f.satisfied)}</td>
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
