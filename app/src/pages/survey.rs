//! `/survey`: a staff member enters their unit's counts. The form posts to `POST /survey`
//! (so it works without JavaScript); a refused entry comes back here with the values kept
//! and each message next to its field. Once the wasm has loaded, the satisfaction rate
//! follows the figures as they are typed.
use crate::domain::survey::{SurveyField, LEVEL_FIELDS};
use crate::i18n::{broken_rule, field_label, use_lang, warning_text};
use crate::islands::{number_field, typed_rate, CountFields};
use crate::page_data::{RecentEntry, SurveyFormData};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub async fn survey_page(
    unit_code: Option<String>,
    model_code: Option<String>,
    period: Option<String>,
    saved: Option<String>,
) -> Result<SurveyFormData, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    let query = crate::ssr::loaders::SurveyQuery { unit_code, model_code, period, saved: saved.is_some() };
    crate::ssr::loaders::survey_form(&db, account, query, use_context::<crate::page_data::SurveySubmission>())
        .await
        .map_err(super::db_failed)
}

/// The link that opens an entry in the form.
pub fn edit_link(e: &RecentEntry) -> String {
    format!(
        "/survey?unit_code={}&model_code={}&period={}",
        super::encode(&e.unit_code),
        super::encode(e.model_code.as_deref().unwrap_or("")),
        super::encode(&e.period)
    )
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.get();
            (q.get("unit_code"), q.get("model_code"), q.get("period"), q.get("saved"))
        },
        |(u, m, p, s)| survey_page(u, m, p, s),
    );
    view! {
        <h1>{move || t().entry_heading}</h1>
        {super::loaded(page, move |d: SurveyFormData| {
            match d.account.clone() {
                None => view! {
                    <p>{move || t().login_needed}</p>
                    <p><a href="/login?next=/survey" class="button">{move || t().sign_in}</a></p>
                }.into_any(),
                Some(_) if d.units.is_empty() => view! { <p>{move || t().no_units}</p> }.into_any(),
                Some(_) => view! { <EntryForm d=d /> }.into_any(),
            }
        })}
    }
}

#[component]
fn EntryForm(d: SurveyFormData) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let s = d.submission.clone();
    let v = s.values.clone();
    let problems = s.problems.clone();
    let error_of = move |field: SurveyField| -> Option<String> {
        let ps: Vec<String> =
            problems.iter().filter(|(f, _)| *f == field).map(|(_, b)| broken_rule(lang.get(), b)).collect();
        (!ps.is_empty()).then(|| ps.join(" "))
    };
    let exists = s.problems.iter().any(|(_, b)| matches!(b, crate::domain::survey::Broken::Exists { .. }));
    let existing_link = edit_link(&RecentEntry {
        unit_code: v.unit_code.clone(),
        model_code: Some(v.model_code.clone()).filter(|m| !m.is_empty()),
        period: v.period.clone(),
        respondents: 0,
        satisfied: 0,
    });
    let show_reason = d.needs_reason || !s.warnings.is_empty() || s.reason_missing;
    let levels_open = v.levels.iter().any(|l| !l.is_empty()) || LEVEL_FIELDS.iter().any(|f| error_of(*f).is_some());
    let field = {
        let error_of = error_of.clone();
        move |name: SurveyField, label: String, value: String| number_field(name, label, value, error_of(name), None)
    };
    let units = d.units.clone();
    let models = d.models.clone();
    let saved = d.saved.clone();
    let recent = d.recent.clone();
    let conflict = s.conflict.clone();
    let warnings = s.warnings.clone();
    let summary = s.problems.clone();
    let yours = (v.respondents.clone(), v.satisfied.clone());
    view! {
        {saved.map(|e| view! {
            <p class="notice" role="status" data-testid="entry-saved">
                {move || format!("{}: {} · {} · {} / {} · {}", t().saved, e.unit_code, e.period, e.respondents, e.satisfied,
                    typed_rate(lang.get(), &e.respondents.to_string(), &e.satisfied.to_string()))}
            </p>
        })}
        {(!summary.is_empty()).then(|| view! {
            <div class="error-summary" role="alert" data-testid="entry-problems">
                <p>{move || t().problems_heading}</p>
                <ul>
                    {summary.iter().map(|(f, b)| {
                        let (f, b) = (*f, b.clone());
                        view! { <li><a href=format!("#f-{}", f.column())>{move || field_label(lang.get(), f)}</a>": "{move || broken_rule(lang.get(), &b)}</li> }
                    }).collect_view()}
                </ul>
                {exists.then(|| view! { <p><a href=existing_link.clone()>{move || t().edit_existing}</a></p> })}
            </div>
        })}
        {conflict.map(|c| view! {
            <div class="error-summary" role="alert" data-testid="entry-conflict">
                <p><strong>{move || t().conflict_heading}</strong></p>
                <p>{move || t().conflict_body}</p>
                <dl class="versions">
                    <dt>{move || t().theirs}</dt><dd>{format!("{} / {}", c.respondents, c.satisfied)}</dd>
                    <dt>{move || t().yours}</dt><dd>{format!("{} / {}", yours.0, yours.1)}</dd>
                </dl>
            </div>
        })}
        {(!warnings.is_empty()).then(|| view! {
            <div class="warning-summary" role="alert" data-testid="entry-warnings">
                <p><strong>{move || t().warnings_heading}</strong></p>
                <ul>{warnings.iter().map(|w| { let w = w.clone(); view! { <li>{move || warning_text(lang.get(), &w)}</li> } }).collect_view()}</ul>
            </div>
        })}
        <form method="post" action="/survey" class="entry-form" novalidate data-testid="entry-form">
            {s.version.map(|ver| view! {
                <input type="hidden" name="version" value=ver.to_string() />
                <p class="notice">{move || format!("{} {ver} · ", t().editing)}<a href="/survey">{move || t().new_entry}</a></p>
            })}
            {if units.len() == 1 {
                let u = units[0].clone();
                view! {
                    <input type="hidden" name="unit_code" value=u.code.clone() />
                    <p class="unit-fixed"><span>{move || t().unit}": "</span><strong>{u.name.clone()}</strong></p>
                }.into_any()
            } else {
                let chosen = v.unit_code.clone();
                view! {
                    <label for="f-unit_code">
                        <span>{move || t().unit}</span>
                        <select id="f-unit_code" name="unit_code">
                            {units.iter().map(|u| view! { <option value=u.code.clone() selected=u.code == chosen>{u.name.clone()}</option> }).collect_view()}
                        </select>
                        {error_of(SurveyField::UnitCode).map(|e| view! { <span class="field-error">{e}</span> })}
                    </label>
                }.into_any()
            }}
            <label for="f-model_code">
                <span>{move || t().model}</span>
                <select id="f-model_code" name="model_code" aria-describedby="e-model_code">
                    <option value="" selected=v.model_code.is_empty()>{move || t().whole_service}</option>
                    {models.iter().map(|m| view! { <option value=m.code.clone() selected=m.code == v.model_code>{m.name.clone()}</option> }).collect_view()}
                </select>
                {error_of(SurveyField::ModelCode).map(|e| view! { <span class="field-error" id="e-model_code">{e}</span> })}
            </label>
            <label for="f-period">
                <span>{move || t().period}</span>
                <input id="f-period" name="period" value=v.period.clone() autocomplete="off" placeholder="2026-11"
                    aria-invalid=error_of(SurveyField::Period).is_some().to_string() aria-describedby="e-period h-period" />
                <span class="hint" id="h-period">{move || t().period_hint}</span>
                {error_of(SurveyField::Period).map(|e| view! { <span class="field-error" id="e-period">{e}</span> })}
            </label>
            <CountFields
                lang=lang.get_untracked()
                respondents=v.respondents.clone()
                satisfied=v.satisfied.clone()
                respondents_error=error_of(SurveyField::Respondents)
                satisfied_error=error_of(SurveyField::Satisfied)
            />
            <details open=levels_open>
                <summary>{move || t().breakdown}</summary>
                {LEVEL_FIELDS.iter().enumerate().map(|(i, f)| field.clone()(*f, t().levels[i].to_string(), v.levels[i].clone())).collect_view()}
            </details>
            {show_reason.then(|| view! {
                <label for="f-reason">
                    <span>{move || t().reason}</span>
                    <input id="f-reason" name="reason" value=s.reason.clone() maxlength="500"
                        aria-invalid=s.reason_missing.to_string() aria-describedby="h-reason e-reason" />
                    <span class="hint" id="h-reason">{move || t().reason_hint}</span>
                    {s.reason_missing.then(|| view! { <span class="field-error" id="e-reason">{move || t().reason_missing}</span> })}
                </label>
            })}
            {(!s.warnings.is_empty()).then(|| view! {
                <label class="check"><input type="checkbox" name="confirm" value="yes" />" "{move || t().keep_values}</label>
            })}
            <button type="submit" data-testid="entry-save">{move || t().save}</button>
        </form>
        {(d.needs_reason && s.version.is_some()).then(|| view! {
            <form method="post" action="/survey/delete" class="entry-form delete-form" data-testid="entry-delete">
                <input type="hidden" name="unit_code" value=v.unit_code.clone() />
                <input type="hidden" name="model_code" value=v.model_code.clone() />
                <input type="hidden" name="period" value=v.period.clone() />
                <input type="hidden" name="version" value=s.version.map(|n| n.to_string()).unwrap_or_default() />
                <label for="f-delete-reason">
                    <span>{move || t().reason}</span>
                    <input id="f-delete-reason" name="reason" maxlength="500" />
                </label>
                <button type="submit">{move || t().delete_entry}</button>
            </form>
        })}
        {(!recent.is_empty()).then(|| view! {
            <h2>{move || t().recent}</h2>
            <div class="table-wrap">
                <table class="figures" data-testid="entry-recent">
                    <tbody>
                        {recent.iter().map(|e| {
                            let link = edit_link(e);
                            let (n, sat) = (e.respondents, e.satisfied);
                            view! {
                                <tr>
                                    <td>{e.unit_code.clone()}</td>
                                    <td>{e.period.clone()}</td>
                                    <td>{e.model_code.clone().unwrap_or_default()}</td>
                                    <td class="num">{format!("{n} / {sat}")}</td>
                                    <td class="num">{move || typed_rate(lang.get(), &n.to_string(), &sat.to_string())}</td>
                                    <td><a href=link>{move || t().edit}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}
