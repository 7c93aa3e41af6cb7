//! `/models/{code}`: one model — what it is, where it runs, how its adoption grew, and its
//! effectiveness as the contract defines it.
use super::{loaded, FiguresTable, HeaderCell};
use crate::i18n::{show_count, show_date, show_interval, show_percent, use_lang};
use crate::page_data::ModelData;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub async fn model_page(code: String, lang: String) -> Result<Option<ModelData>, super::PageError> {
    let lang = crate::i18n::Lang::from_code(&lang).unwrap_or_default();
    let state = super::state()?;
    let db = &state.db;
    let reader = super::signed_in(db).await?;
    let may_edit = reader.clone().is_some_and(|a| crate::domain::access::Writer::Account(a).may_edit_reference());
    let key = (code.clone(), lang);
    let mut model =
        state.figures.get(db, key, || crate::ssr::loaders::model(db, &code, lang)).await.map_err(super::load_failed)?;
    if let Some(m) = &mut model {
        m.may_edit = may_edit;
        if !reader.is_some_and(|a| a.sees_writers()) {
            m.changes.iter_mut().for_each(|c| c.actor.clear());
        }
    }
    Ok(model)
}

#[component]
pub fn ModelPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let page = Resource::new(
        move || (params.get().get("code").unwrap_or_default(), lang.get()),
        |(code, lang)| model_page(code, lang.code().to_string()),
    );
    view! {
        {loaded(page, move |m: Option<ModelData>| match m {
            None => view! { <super::not_found::NotFound /> }.into_any(),
            Some(m) => view! { <Model m=m /> }.into_any(),
        })}
    }
}

#[component]
fn Model(m: ModelData) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let e = m.effectiveness.clone();
    let mut sites_header: Vec<HeaderCell> = vec![
        ("", |t| t.unit),
        ("", |t| t.district),
        ("", |t| t.stage),
        ("", |t| t.since),
        ("", |t| t.steered_by),
    ];
    if m.may_edit {
        sites_header.push(("", |_| ""));
    }
    let launched = m.launched_on.clone();
    let r = move || lang.get().reference();
    let may_edit = m.may_edit;
    let code = super::encode(&m.code);
    let changes = m.changes.clone();
    view! {
        <h1>{m.name.clone()}</h1>
        {may_edit.then(|| view! {
            <p class="actions" data-testid="model-actions">
                <a href=format!("/edit/model?code={code}")>{move || r().edit_model}</a>" · "
                <a href=format!("/edit/adoption?model_code={code}")>{move || r().new_adoption}</a>
            </p>
        })}
        <p class="meta">
            {m.category.clone().map(|c| view! { <span>{move || t().category}": "{c.clone()}</span> })}
            {launched.map(|d| view! { " · "<span>{move || t().launched_on}": "{move || show_date(lang.get(), &d)}</span> })}
        </p>
        {m.description.clone().map(|d| view! { <p class="description">{d}</p> })}
        <h2>{move || t().effectiveness_heading}</h2>
        <p class="note">{move || t().effectiveness_note}</p>
        <div class="table-wrap">
            <table class="figures" data-testid="effectiveness">
                <thead><tr><th>{move || t().measure}</th><th class="num">{move || t().adopters}</th><th class="num">{move || t().respondents}</th><th class="num">{move || t().satisfaction_rate}</th><th class="num">{move || t().ci_95}</th></tr></thead>
                <tbody>
                    <tr>
                        <td>{move || t().before_adoption}</td>
                        <td class="num">{move || show_count(lang.get(), e.adopters)}</td>
                        <td class="num">{move || show_count(lang.get(), e.before_respondents)}</td>
                        <td class="num">{move || show_percent(lang.get(), e.before_rate)}</td>
                        <td class="num">{move || show_interval(lang.get(), e.before_ci_low, e.before_ci_high)}</td>
                    </tr>
                    <tr>
                        <td>{move || t().after_adoption}</td>
                        <td class="num">{move || show_count(lang.get(), e.adopters)}</td>
                        <td class="num">{move || show_count(lang.get(), e.after_respondents)}</td>
                        <td class="num">{move || show_percent(lang.get(), e.after_rate)}</td>
                        <td class="num">{move || show_interval(lang.get(), e.after_ci_low, e.after_ci_high)}</td>
                    </tr>
                    <tr>
                        <td>{move || t().change_points}</td>
                        <td></td><td></td>
                        <td class="num" data-testid="change">{move || show_percent(lang.get(), e.change)}</td>
                        <td class="num">{move || show_interval(lang.get(), e.change_ci_low, e.change_ci_high)}</td>
                    </tr>
                    <tr>
                        <td>{move || t().control_change}</td>
                        <td class="num">{move || show_count(lang.get(), e.control_communes)}</td>
                        <td class="num">{move || show_count(lang.get(), e.control_before_respondents + e.control_after_respondents)}</td>
                        <td class="num">{move || show_percent(lang.get(), e.control_change)}</td>
                        <td></td>
                    </tr>
                    <tr>
                        <td>{move || t().did}</td>
                        <td></td><td></td>
                        <td class="num" data-testid="did">{move || show_percent(lang.get(), e.did)}</td>
                        <td></td>
                    </tr>
                </tbody>
            </table>
        </div>
        <super::ChartFigure name=crate::charts::ChartName::ModelAdoption title=t().adoption_over_time svg=m.curve_svg.clone() query=format!("model={}", m.code) />
        <h2>{move || t().where_it_runs}</h2>
        <FiguresTable testid="sites" header=sites_header>
            {m.sites.into_iter().map(|s| {
                let started = s.started_on.clone();
                let scaled = s.stage == "scaled";
                let steered = s.steered_by.clone();
                let edit = format!("/edit/adoption?id={}", s.adoption_id);
                view! {
                    <tr>
                        <td><a href=format!("/communes/{}", s.unit_code)>{s.unit_name}</a></td>
                        <td>{s.parent_name.unwrap_or_default()}</td>
                        <td>{move || if scaled { t().stage_scaled } else { t().stage_pilot }}</td>
                        <td>{move || show_date(lang.get(), &started)}</td>
                        <td>{move || match steered.as_deref() { Some("province") => t().steered_province, Some("district") => t().steered_district, _ => "—" }}</td>
                        {may_edit.then(|| view! { <td><a href=edit.clone()>{move || r().edit}</a></td> })}
                    </tr>
                }
            }).collect_view()}
        </FiguresTable>
        {(!changes.is_empty()).then(|| view! {
            <h2>{move || r().changes_heading}</h2>
            <ul class="changes" data-testid="model-changes">
                {changes.into_iter().map(|c| {
                    let fields = c.fields.iter().map(|(f, old, new)| {
                        if old.is_empty() { format!("{f}: {new}") } else { format!("{f}: {old} → {new}") }
                    }).collect::<Vec<_>>().join("; ");
                    let reason = c.reason.map(|r| format!(" — {r}")).unwrap_or_default();
                    let who = crate::i18n::writer(lang.get_untracked(), &c.actor, c.actor_role);
                    view! { <li>{format!("{} · {who} · {} · {} · {fields}{reason}", c.at, c.action, c.key)}</li> }
                }).collect_view()}
            </ul>
        })}
    }
}
