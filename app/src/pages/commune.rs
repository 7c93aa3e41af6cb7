//! `/communes/{code}`: one commune-level unit: the models it runs, its survey history (a
//! chart and a table), the months it did not report, and its place in the 2025 reorganisation.
use super::loaded;
use crate::i18n::{show_count, show_date, show_percent, use_lang};
use crate::page_data::CommuneData;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub async fn commune_page(code: String, lang: String) -> Result<Option<CommuneData>, super::PageError> {
    let lang = crate::i18n::Lang::from_code(&lang).unwrap_or_default();
    let state = super::state()?;
    let db = &state.db;
    let reader = super::signed_in(db).await?;
    let may_edit = reader.clone().is_some_and(|a| crate::domain::access::Writer::Account(a).may_edit_units());
    let key = (code.clone(), lang);
    let mut commune = state
        .figures
        .get(db, key, || crate::ssr::loaders::commune(db, &code, lang))
        .await
        .map_err(super::load_failed)?;
    if let Some(c) = &mut commune {
        c.may_edit = may_edit;
        if !reader.is_some_and(|a| a.sees_writers()) {
            c.changes.iter_mut().for_each(|ch| ch.actor.clear());
        }
    }
    Ok(commune)
}

#[component]
pub fn CommunePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let page = Resource::new(
        move || (params.get().get("code").unwrap_or_default(), lang.get()),
        |(code, lang)| commune_page(code, lang.code().to_string()),
    );
    view! {
        {loaded(page, move |c: Option<CommuneData>| match c {
            None => view! { <super::not_found::NotFound /> }.into_any(),
            Some(c) => view! { <Commune c=c /> }.into_any(),
        })}
    }
}

#[component]
fn Commune(c: CommuneData) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let heading = match &c.kind {
        Some(kind) => format!("{} {}", super::capitalised(kind), c.name),
        None => c.name.clone(),
    };
    let parent = c.parent.clone();
    let successor = c.successor.clone();
    let predecessors = c.predecessors.clone();
    let missing = c.missing_months.clone();
    let (valid_from, valid_to) = (c.valid_from.clone(), c.valid_to.clone());
    let edit = c.may_edit.then(|| format!("/edit/unit?code={}", super::encode(&c.code)));
    view! {
        <h1>{heading}</h1>
        {edit.map(|href| view! { <p class="actions"><a href=href>{move || lang.get().reference().edit_unit}</a></p> })}
        <p class="meta">
            {parent.map(|p| {
                let href = format!("/districts/{}", p.code);
                view! { <span>{move || t().belongs_to}" "<a href=href>{p.name.clone()}</a></span> }
            })}
            {valid_from.map(|d| view! { " · "<span>{move || format!("{} {}", t().valid_from, show_date(lang.get(), &d))}</span> })}
            {valid_to.map(|d| view! { " · "<span>{move || format!("{} {}", t().valid_until, show_date(lang.get(), &d))}</span> })}
        </p>
        {successor.map(|s| view! {
            <p data-testid="successor">{move || t().merged_into}" "<a href=format!("/communes/{}", s.code)>{s.name.clone()}</a></p>
        })}
        {(!predecessors.is_empty()).then(|| view! {
            <p data-testid="predecessors">{move || t().formed_from}" "
                {predecessors.into_iter().enumerate().map(|(i, p)| view! {
                    {(i > 0).then_some(", ")}<a href=format!("/communes/{}", p.code)>{p.name}</a>
                }).collect_view()}
            </p>
        })}
        <h2>{move || t().models_running}</h2>
        {if c.running.is_empty() {
            view! { <p>{move || t().runs_no_model}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="figures" data-testid="running">
                        <thead><tr><th>{move || t().commune}</th><th>{move || t().model}</th><th>{move || t().stage}</th><th>{move || t().since}</th><th>{move || t().steered_by}</th></tr></thead>
                        <tbody>{c.running.into_iter().map(|r| view! { <super::RunningRow r=r /> }).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <super::ChartFigure name=crate::charts::ChartName::CommuneHistory title=t().survey_history svg=c.trend_svg query=format!("commune={}", c.code) />
        <div class="table-wrap">
            <table class="figures" data-testid="history">
                <thead><tr><th>{move || t().period_short}</th><th>{move || t().model}</th><th class="num">{move || t().respondents}</th><th class="num">{move || t().satisfied}</th><th class="num">{move || t().satisfaction_rate}</th></tr></thead>
                <tbody>
                    {c.history.into_iter().map(|s| view! {
                        <tr>
                            <td>{s.period}</td>
                            <td>{s.model_code.unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{move || show_count(lang.get(), s.respondents)}</td>
                            <td class="num">{move || show_count(lang.get(), s.satisfied)}</td>
                            <td class="num">{move || show_percent(lang.get(), s.satisfaction_rate)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{move || lang.get().entry().history_heading}</h2>
        {if c.changes.is_empty() {
            view! { <p data-testid="change-history-empty">{move || lang.get().entry().history_empty}</p> }.into_any()
        } else {
            let e = move || lang.get().entry();
            view! {
                <div class="table-wrap">
                    <table class="figures" data-testid="change-history">
                        <thead><tr><th>{move || e().history_when}</th><th>{move || e().history_who}</th><th>{move || e().history_what}</th><th>{move || e().history_from}" → "{move || e().history_to}</th><th>{move || e().history_reason}</th></tr></thead>
                        <tbody>
                            {c.changes.into_iter().map(|ch| view! {
                                <tr>
                                    <td>{ch.at}</td>
                                    <td data-testid="change-who">{crate::i18n::writer(lang.get_untracked(), &ch.actor, ch.actor_role)}</td>
                                    <td>{ch.period}" "{ch.model_code}" ("{ch.action}")"</td>
                                    <td>{format!("{} → {}", ch.before.unwrap_or_else(|| "—".into()), ch.after.unwrap_or_else(|| "—".into()))}</td>
                                    <td>{ch.reason.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <h2>{move || t().not_reported_months}</h2>
        <p data-testid="missing-months">{if missing.is_empty() { view! { {move || t().none_missing} }.into_any() } else { view! { {missing.join(", ")} }.into_any() }}</p>
    }
}
