//! `/`: the officials' dashboard: headline cards, adoption and satisfaction per district
//! (per commune after the 2025 reorganisation, per province for a whole country), the
//! trend, and the district × model matrix.
use super::filters::{checked_period, filters_usable_in, use_query_filters, FilterForm};
use super::{loaded, ChartFigure, FiguresTable, HeaderCell};
use crate::charts::{comparison_titles, percent_text, ChartName, MIN_RANKED_RESPONDENTS};
use crate::domain::{Comparison, FigureQuery, Listing, SortKey, TrendRow, UnitLevel};
use crate::i18n::{show_count, show_percent, use_lang};
use crate::page_data::DashboardData;
use leptos::prelude::*;

/// The dashboard's data for the query of its URL, kept under that query: a kept answer
/// costs the reading of the data's version and nothing more.
pub async fn dashboard_page(q: FigureQuery, lang: crate::i18n::Lang) -> Result<DashboardData, super::PageError> {
    let state = super::state()?;
    let db = &state.db;
    let q = q.normalised();
    state.figures.get(db, (q.clone(), lang), || crate::ssr::loaders::dashboard(db, &q, lang)).await.map_err(super::load_failed)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let page = Resource::new(
        move || (filters.get(), lang.get()),
        |(f, lang)| async move { dashboard_page(FigureQuery { period: checked_period(&f).ok().flatten(), ..f }, lang).await },
    );
    view! {
        <h1>{move || t().dashboard_heading}</h1>
        {loaded(page, move |d: DashboardData| {
            let f = filters.get_untracked();
            let valid = filters_usable_in(&f, &d.models, &d.provinces, &d.districts);
            let query = super::chart_query(&d.period, f.model.as_deref(), f.province.as_deref(), f.district.as_deref());
            let (period, today) = (d.period.clone(), d.today.clone());
            let model = f.model.clone();
            // A whole country offers no district until a province is chosen (unless the
            // address names one, known or not: the field then shows it or says why not).
            let country = d.comparison.level == UnitLevel::Province;
            let districts = (!country || f.district.is_some()).then(|| d.districts.clone());
            // After 2025 the trend's second line is a commune.
            let communes = d.comparison.level == UnitLevel::Commune;
            view! {
                <FilterForm action="/" period=d.period.clone() models=d.models.clone() districts=districts district_optional=true
                    communes=communes provinces=d.provinces.clone() />
                <super::PrintedFilters period=period model=model.unwrap_or_default() today=today />
                {valid.then(|| view! { <Dashboard d=d query=query /> })}
            }
        })}
    }
}

#[component]
fn Dashboard(d: DashboardData, query: String) -> impl IntoView {
    // Unit pages take the period and model, not the trend's district.
    let filter_query = query.split('&').filter(|p| !p.starts_with("district=")).collect::<Vec<_>>().join("&");
    let lang = use_lang();
    let t = move || lang.get().texts();
    let total = d.total;
    let reporting = d.reporting;
    let communes_level = d.comparison.level == UnitLevel::Commune;
    let country = d.comparison.level == UnitLevel::Province;
    let level = d.comparison.level;
    let each_unit = d.comparison.draws_each_unit();
    let too_few: Vec<String> = d
        .comparison
        .rows
        .iter()
        .filter(|r| r.figures.respondents > 0 && r.figures.respondents < MIN_RANKED_RESPONDENTS)
        .map(|r| r.name.clone())
        .collect();
    let counts = d.counts;
    // The matrix's rows are provinces: a whole country's, or the one whose communes are compared.
    let by_province = country || communes_level;
    // The table's order and page, from the address.
    let address = leptos_router::hooks::use_query_map().get_untracked();
    let param = |k: &str| address.get(k);
    let listing = Listing::from_params(param("sort").as_deref(), param("dir").as_deref(), param("page").as_deref(), param("all").as_deref());
    view! {
        <section class="cards" aria-label=move || t().headline>
            <div class="card">
                <span class="card-value" data-testid="card-communes-running">{move || show_count(lang.get(), total.communes_adopting)}</span>
                <span class="card-label">{move || format!("{} ({} {})", t().card_communes_running, show_count(lang.get(), total.communes), t().of_communes)}</span>
            </div>
            <div class="card">
                <span class="card-value" data-testid="card-ballots">{move || show_count(lang.get(), total.respondents)}</span>
                <span class="card-label">{move || t().card_ballots}</span>
            </div>
            <div class="card">
                <span class="card-value" data-testid="card-satisfaction">{move || total.satisfaction_rate.map(|p| percent_text(lang.get(), p)).unwrap_or_else(|| "—".into())}</span>
                <span class="card-label">{move || match (total.ci_low, total.ci_high) {
                    (Some(lo), Some(hi)) => format!("{} ({} {} – {})", t().card_satisfaction, t().ci_95, show_percent(lang.get(), Some(lo)), show_percent(lang.get(), Some(hi))),
                    _ => t().card_satisfaction.to_string(),
                }}</span>
            </div>
            <div class="card">
                <span class="card-value" data-testid="card-reporting">{move || reporting.rate.map(|p| percent_text(lang.get(), p)).unwrap_or_else(|| "—".into())}</span>
                <span class="card-label">{move || format!("{} ({}/{})", t().card_reporting, show_count(lang.get(), reporting.reporting), show_count(lang.get(), reporting.communes))}</span>
            </div>
        </section>
        {communes_level.then(|| view! { <p class="note" data-testid="commune-level-note">{move || t().commune_level_note}</p> })}
        {country.then(|| view! { <p class="note" data-testid="country-note">{move || t().country_note}</p> })}
        <ChartFigure name=ChartName::SatisfactionFunnel title=t().chart_funnel svg=d.funnel_svg query=filter_query.clone() />
        <FunnelFlags funnel=d.funnel query=filter_query.clone() />
        {if !each_unit {
            // A bar per commune would be 0 or 100 % each, a bar per province one of dozens,
            // and the funnel above already compares their satisfaction: how far each model
            // has spread instead.
            view! {
                <ChartFigure name=ChartName::AdoptionByModel title=t().chart_adoption_models svg=d.models_svg query=query.clone() />
                <ChartFigure name=ChartName::ModelsPerCommune title=t().chart_models_per_commune svg=d.spread_svg query=query.clone() />
            }.into_any()
        } else {
            view! {
                <ChartFigure name=ChartName::AdoptionByDistrict title=comparison_titles(level, lang.get_untracked()).0 svg=d.adoption_svg query=query.clone() />
                <ChartFigure name=ChartName::SatisfactionByDistrict title=comparison_titles(level, lang.get_untracked()).1 svg=d.satisfaction_svg query=query.clone() />
            }.into_any()
        }}
        {(!too_few.is_empty()).then(|| view! {
            <p class="note" data-testid="too-few">{move || format!("{} ({} {}): {}", t().too_few_ballots, t().fewer_than, MIN_RANKED_RESPONDENTS, too_few.join(", "))}</p>
        })}
        <ComparisonTable comparison=d.comparison query=filter_query listing=(listing, format!("/?{query}")) />
        <ChartFigure name=ChartName::SatisfactionTrend title=t().chart_trend svg=d.trend_svg query=query />
        <TrendTable lines=d.trend />
        <MatrixTable matrix=d.matrix by_province=by_province folded=!each_unit />
        <p class="db-counts">
            {move || t().in_database}
            // Districts no longer exist in today's shape: not counted on its pages.
            {(!communes_level).then(|| view! {
                " "<span data-testid="count-districts">{move || show_count(lang.get(), counts.districts)}</span>" "{move || t().count_districts}" ·"
            })}
            " "<span data-testid="count-communes">{move || show_count(lang.get(), counts.communes)}</span>" "{move || t().count_communes}
            " · "<span data-testid="count-models">{move || show_count(lang.get(), counts.models)}</span>" "{move || t().count_models}
            " · "<span data-testid="count-adoptions">{move || show_count(lang.get(), counts.adoptions)}</span>" "{move || t().count_adoptions}
            " · "<span data-testid="count-ballots">{move || show_count(lang.get(), counts.ballots)}</span>" "{move || t().count_ballots}
        </p>
    }
}

/// The units outside the funnel's 99.8 % limits, below and above, each linking to its page:
/// who differs from the rest by more than chance explains.
#[component]
pub fn FunnelFlags(
    funnel: crate::domain::Funnel,
    /// The page's filters, carried over to the unit pages the names link to.
    #[prop(into)]
    query: String,
) -> impl IntoView {
    use crate::domain::Flag;
    let lang = use_lang();
    let t = move || lang.get().texts();
    let level = funnel.level;
    let item = move |r: crate::domain::FunnelRow| {
        let href = unit_href(level, &r.unit_code, &query);
        let rate = r.satisfaction_rate;
        view! { <li><a href=href>{r.unit_name}</a>" "{move || format!("{} · {} {}", percent_text(lang.get(), rate), show_count(lang.get(), r.respondents), t().ballots_unit)}</li> }
    };
    // The furthest few on each side in view; the rest (a year of a country's provinces can
    // flag dozens) folded under a line that says how many.
    let named = move |flag: Flag, testid: &'static str| {
        let mut rows: Vec<_> = funnel.furthest(flag).into_iter().cloned().collect();
        if rows.is_empty() {
            return view! { <ul data-testid=testid><li class="none">{move || t().funnel_none}</li></ul> }.into_any();
        }
        let rest = rows.split_off(rows.len().min(FLAGS_SHOWN));
        let more = rest.len();
        let item = item.clone();
        view! {
            <ul data-testid=testid>{rows.into_iter().map(item.clone()).collect_view()}</ul>
            {(more > 0).then(|| view! {
                <details class="flags-more">
                    <summary>{move || t().more_units.replace("{n}", &show_count(lang.get(), more as u64))}</summary>
                    <ul>{rest.into_iter().map(item).collect_view()}</ul>
                </details>
            })}
        }
        .into_any()
    };
    let (below, above) = (named(Flag::Below, "funnel-below"), named(Flag::Above, "funnel-above"));
    view! {
        <div class="funnel-flags" data-testid="funnel-flags">
            <section><h3>{move || t().funnel_below}</h3>{below}</section>
            <section><h3>{move || t().funnel_above}</h3>{above}</section>
            <p class="hint">{move || t().funnel_explained.replace("{n}", &crate::charts::FUNNEL_NAMED.to_string())}</p>
        </div>
    }
}

/// Flagged units listed in view on each side of the funnel; the rest are folded.
pub const FLAGS_SHOWN: usize = 10;

/// The page of a compared unit, the page's filters carried over.
fn unit_href(level: UnitLevel, code: &str, query: &str) -> String {
    match level {
        // A province opens the dashboard on it.
        UnitLevel::Province => format!("/?{query}&province={}", super::encode(code)),
        UnitLevel::District => format!("/districts/{code}?{query}"),
        UnitLevel::Commune => format!("/communes/{code}"),
    }
}

/// The table beside the district charts: the contract's district summary (or the same
/// figures per commune after 2025), each unit linking to its page. On the dashboard it is
/// sorted and paged by the address (`listing`, with the page's own link to add it to).
#[component]
pub fn ComparisonTable(
    comparison: Comparison,
    /// The page's filters, carried over to the unit pages the rows link to.
    #[prop(into)]
    query: String,
    /// The order and page, and the page's address they are added to; none: every row, in
    /// the order given.
    #[prop(optional)]
    listing: Option<(Listing, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let level = comparison.level;
    let mut rows = comparison.rows;
    let total = rows.len();
    if let Some((l, _)) = &listing {
        l.sort(&mut rows);
        let window = l.window(total);
        rows = rows.drain(window).collect();
    }
    let name_label: fn(&'static crate::i18n::Texts) -> &'static str = match level {
        UnitLevel::Province => |t| t.province,
        UnitLevel::District => |t| t.district,
        UnitLevel::Commune => |t| t.commune,
    };
    let columns: [(&'static str, fn(&'static crate::i18n::Texts) -> &'static str, Option<SortKey>); 7] = [
        ("", name_label, Some(SortKey::Name)),
        ("num", |t| t.communes, None),
        ("num", |t| t.communes_adopting, None),
        ("num", |t| t.adoption_rate, None),
        ("num", |t| t.respondents, Some(SortKey::Ballots)),
        ("num", |t| t.satisfaction_rate, Some(SortKey::Rate)),
        ("num", |t| t.ci_95, Some(SortKey::Interval)),
    ];
    let header = columns
        .into_iter()
        .map(|(class, label, key)| match (key, &listing) {
            (Some(key), Some((l, base))) => {
                let sorted = (l.key == key).then(|| if l.descending { "descending" } else { "ascending" });
                let mark = sorted.map(|d| if d == "descending" { " ▼" } else { " ▲" }).unwrap_or("");
                let all = if l.all { "&all=1" } else { "" };
                let href = format!("{base}&{}{all}", l.by(key).order_params());
                view! { <th class=class aria-sort=sorted><a href=href>{move || label(lang.get().texts())}{mark}</a></th> }.into_any()
            }
            _ => view! { <th class=class>{move || label(lang.get().texts())}</th> }.into_any(),
        })
        .collect_view();
    let pager = listing.filter(|_| Listing::pages(total) > 1).map(|(l, base)| {
        let order = l.order_params();
        let current = if l.all { 0 } else { l.page.min(Listing::pages(total)) };
        let pages = (1..=Listing::pages(total))
            .map(|k| {
                let href = format!("{base}&{order}&page={k}");
                let here = (k == current).then_some("page");
                view! { <a href=href aria-current=here>{k}</a> }
            })
            .collect_view();
        let toggle = if l.all {
            view! { <a href=format!("{base}&{order}")>{move || t().show_by_page}</a> }.into_any()
        } else {
            view! { <a href=format!("{base}&{order}&all=1") data-testid="show-all">{move || t().show_all}</a> }.into_any()
        };
        view! {
            <nav class="pager" aria-label=move || t().pages_label data-testid="pager">
                <span>{move || t().pages_label}</span>" "{pages}" · "{toggle}
            </nav>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="figures" data-testid="district-summary">
                <thead><tr>{header}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let f = r.figures;
                        let href = unit_href(level, &r.code, &query);
                        view! {
                            <tr>
                                <td><a href=href>{r.name}</a></td>
                                <td class="num">{move || show_count(lang.get(), f.communes)}</td>
                                <td class="num">{move || show_count(lang.get(), f.communes_adopting)}</td>
                                <td class="num">{move || show_percent(lang.get(), f.adoption_rate)}</td>
                                <td class="num">{move || show_count(lang.get(), f.respondents)}</td>
                                <td class="num">{move || show_percent(lang.get(), f.satisfaction_rate)}</td>
                                <td class="num">{move || crate::i18n::show_interval(lang.get(), f.ci_low, f.ci_high)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
}

#[component]
fn TrendTable(lines: Vec<(String, Vec<TrendRow>)>) -> impl IntoView {
    let lang = use_lang();
    let header: Vec<HeaderCell> = vec![
        ("", |t| t.unit),
        ("", |t| t.period_short),
        ("num", |t| t.respondents),
        ("num", |t| t.satisfaction_rate),
        ("num", |t| t.ci_95),
    ];
    view! {
        <FiguresTable testid="trend" header=header>
            {lines.into_iter().flat_map(|(name, rows)| rows.into_iter().map(move |r| (name.clone(), r))).map(|(name, r)| {
                view! {
                    <tr>
                        <td>{name}</td>
                        <td>{r.period.to_string()}</td>
                        <td class="num">{move || show_count(lang.get(), r.respondents)}</td>
                        <td class="num">{move || show_percent(lang.get(), r.satisfaction_rate)}</td>
                        <td class="num">{move || crate::i18n::show_interval(lang.get(), r.ci_low, r.ci_high)}</td>
                    </tr>
                }
            }).collect_view()}
        </FiguresTable>
    }
}

/// District × model: exact numbers in the cells, shaded by the adoption rate.
#[component]
fn MatrixTable(
    matrix: crate::domain::AdoptionMatrix,
    /// The rows are provinces (a whole country shown, or the province whose communes are
    /// compared after 2025).
    by_province: bool,
    /// Folded under a summary line when it has more rows than a short table: a country's
    /// 63 provinces would make the page a third taller (open it to read it).
    folded: bool,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let models = matrix.models.clone();
    let rows = matrix.rows.len();
    let folded = folded && rows > crate::domain::SHORT_TABLE;
    let table = view! {
        <div class="table-wrap">
            <table class="figures matrix" data-testid="matrix">
                <thead>
                    <tr>
                        <th>{move || if by_province { t().province } else { t().district }}</th>
                        <th class="num">{move || t().communes}</th>
                        {models.into_iter().map(|m| view! { <th class="num" title=m.name.clone()>{m.code}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {matrix.rows.into_iter().map(|r| {
                        let communes = r.communes;
                        view! {
                            <tr>
                                <td>{r.name}</td>
                                <td class="num">{move || show_count(lang.get(), communes)}</td>
                                {r.adopting.into_iter().map(|n| {
                                    // Five shades, so print and colour-blind readers see steps too.
                                    let shade = if communes == 0 || n == 0 { 0 } else { 1 + (n * 4 / communes).min(3) };
                                    view! { <td class=format!("num shade-{shade}")>{n}</td> }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    };
    view! {
        <h2>{move || if by_province { t().matrix_heading_models } else { t().matrix_heading }}</h2>
        {if folded {
            view! {
                <details class="matrix-fold" data-testid="matrix-fold">
                    <summary>{move || format!("{} ({} {})", t().show_table, show_count(lang.get(), rows as u64), t().rows_word)}</summary>
                    {table}
                </details>
            }.into_any()
        } else {
            table.into_any()
        }}
    }
}
