//! `/edit/model` and `/edit/adoption`: officials record and edit models and which units run
//! them. Plain form posts (`POST /edit/model`, `POST /edit/adoption`, so they work without
//! JavaScript); a refused save comes back here with the values kept and each message next
//! to its field, in the reader's language.
use crate::domain::reference::{AdoptionDraft, ModelDraft, UnitDraft};
use crate::i18n::{fault_text, use_lang, Lang};
use crate::page_data::{ReferenceForm, Refusal};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub async fn model_form(code: Option<String>, saved: Option<String>) -> Result<ReferenceForm<ModelDraft>, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    let submission = use_context::<ReferenceForm<ModelDraft>>();
    crate::ssr::loaders::model_form(&db, account, code, saved.is_some(), submission).await.map_err(super::db_failed)
}

pub async fn adoption_form(
    id: Option<String>,
    unit_code: Option<String>,
    model_code: Option<String>,
    saved: Option<String>,
) -> Result<ReferenceForm<AdoptionDraft>, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    let submission = use_context::<ReferenceForm<AdoptionDraft>>();
    let preset = AdoptionDraft {
        unit_code: unit_code.unwrap_or_default(),
        model_code: model_code.unwrap_or_default(),
        ..Default::default()
    };
    let id = id.and_then(|i| i.trim().parse().ok());
    crate::ssr::loaders::adoption_form(&db, account, id, preset, saved.is_some(), submission)
        .await
        .map_err(super::db_failed)
}

pub async fn unit_form(code: Option<String>, saved: Option<String>) -> Result<ReferenceForm<UnitDraft>, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    let submission = use_context::<ReferenceForm<UnitDraft>>();
    crate::ssr::loaders::unit_form(&db, account, code, saved.is_some(), submission).await.map_err(super::db_failed)
}

/// The messages at one field, joined.
fn errors_at<D>(lang: Lang, form: &ReferenceForm<D>, column: &str) -> Option<String> {
    let ps: Vec<String> =
        form.problems.iter().filter(|(c, _)| c == column).map(|(c, f)| fault_text(lang, c, f)).collect();
    (!ps.is_empty()).then(|| ps.join(" "))
}

/// A labelled text field with its hint and its messages, tied together for screen readers.
fn text_field(column: &'static str, label: &'static str, hint: Option<&'static str>, value: String, error: Option<String>, readonly: bool) -> impl IntoView {
    let id = format!("f-{column}");
    let described = format!("h-{column} e-{column}");
    view! {
        <label for=id.clone()>
            <span>{label}</span>
            <input id=id.clone() name=column value=value autocomplete="off" readonly=readonly
                aria-invalid=error.is_some().to_string() aria-describedby=described />
            {hint.map(|h| view! { <span class="hint" id=format!("h-{column}")>{h}</span> })}
            {error.map(|e| view! { <span class="field-error" id=format!("e-{column}")>{e}</span> })}
        </label>
    }
}

/// A closed vocabulary as a select: (value, label) pairs, the current value chosen.
fn choice_field(column: &'static str, label: &'static str, options: Vec<(String, String)>, value: String, error: Option<String>) -> impl IntoView {
    let id = format!("f-{column}");
    view! {
        <label for=id.clone()>
            <span>{label}</span>
            <select id=id.clone() name=column aria-invalid=error.is_some().to_string() aria-describedby=format!("e-{column}")>
                {options.into_iter().map(|(v, l)| { let chosen = v == value; view! { <option value=v selected=chosen>{l}</option> } }).collect_view()}
            </select>
            {error.map(|e| view! { <span class="field-error" id=format!("e-{column}")>{e}</span> })}
        </label>
    }
}

/// What every reference form shows above its fields: sign-in, refusal, saved, problems,
/// the stored values after a conflict. `None` when the form itself should not be shown.
fn preamble<D: Clone + Send + Sync + 'static>(
    lang: Lang,
    form: &ReferenceForm<D>,
    next: &str,
    stored: impl Fn(&D) -> String,
) -> Result<AnyView, AnyView> {
    let t = lang.reference();
    if form.account.is_none() {
        let e = lang.entry();
        return Err(view! {
            <p>{e.login_needed}</p>
            <p><a href=format!("/login?next={}", super::encode(next)) class="button">{e.sign_in}</a></p>
        }
        .into_any());
    }
    match form.refusal {
        Some(Refusal::NotAllowed) => return Err(view! { <p class="error" role="alert">{t.not_allowed}</p> }.into_any()),
        Some(Refusal::UnitsNotAllowed) => {
            return Err(view! { <p class="error" role="alert">{t.units_not_allowed}</p> }.into_any())
        }
        Some(Refusal::NotFound) if form.conflict.is_none() => {
            return Err(view! { <p class="error" role="alert">{t.not_found}</p> }.into_any())
        }
        _ => {}
    }
    let problems = form.problems.clone();
    Ok(view! {
        {form.saved.then(|| view! { <p class="notice" role="status" data-testid="reference-saved">{t.saved}</p> })}
        {(!problems.is_empty()).then(|| view! {
            <div class="error-summary" role="alert" data-testid="reference-problems">
                <p>{lang.entry().problems_heading}</p>
                <ul>{problems.iter().map(|(c, f)| view! { <li><a href=format!("#f-{c}")>{c.clone()}</a>": "{fault_text(lang, c, f)}</li> }).collect_view()}</ul>
            </div>
        })}
        {form.conflict.as_ref().map(|c| view! {
            <div class="error-summary" role="alert" data-testid="reference-conflict">
                <p>{t.conflict}</p>
                <p><strong>{t.stored_values}": "</strong>{stored(c)}</p>
            </div>
        })}
    }
    .into_any())
}

#[component]
pub fn ModelEditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let page = Resource::new(move || (query.get().get("code"), query.get().get("saved")), |(c, s)| model_form(c, s));
    view! {
        {super::loaded(page, move |form: ReferenceForm<ModelDraft>| {
            let lang = lang.get();
            let t = lang.reference();
            let editing = form.revision.is_some();
            let heading = if editing { t.edit_model } else { t.new_model };
            let next = if editing { format!("/edit/model?code={}", super::encode(&form.values.code)) } else { "/edit/model".into() };
            let stored = |m: &ModelDraft| format!("{} · {} · {} · {}", m.name, m.category, m.launched_on, m.description);
            let body = match preamble(lang, &form, &next, stored) {
                Err(v) => v,
                Ok(top) => {
                    let v = form.values.clone();
                    let err = |c: &str| errors_at(lang, &form, c);
                    view! {
                        {top}
                        <form method="post" action="/edit/model" class="entry-form" novalidate data-testid="model-form">
                            {form.revision.clone().map(|r| view! { <input type="hidden" name="revision" value=r /> })}
                            {text_field("code", t.code, Some(t.code_hint), v.code.clone(), err("code"), editing)}
                            {text_field("name", t.name, None, v.name.clone(), err("name"), false)}
                            {text_field("category", t.category, None, v.category.clone(), err("category"), false)}
                            {text_field("launched_on", t.launched_on, Some(t.date_hint), v.launched_on.clone(), err("launched_on"), false)}
                            <label for="f-description">
                                <span>{t.description}</span>
                                <textarea id="f-description" name="description" rows="4" maxlength="5000"
                                    aria-invalid=err("description").is_some().to_string() aria-describedby="e-description">{v.description.clone()}</textarea>
                                {err("description").map(|e| view! { <span class="field-error" id="e-description">{e}</span> })}
                            </label>
                            {text_field("reason", t.reason, None, form.reason.clone(), None, false)}
                            <button type="submit" data-testid="reference-save">{t.save}</button>
                        </form>
                        {editing.then(|| view! { <p><a href=format!("/models/{}", super::encode(&v.code))>{v.name.clone()}</a></p> })}
                    }
                    .into_any()
                }
            };
            view! { <h1>{heading}</h1>{body} }
        })}
    }
}

#[component]
pub fn AdoptionEditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.get();
            (q.get("id"), q.get("unit_code"), q.get("model_code"), q.get("saved"))
        },
        |(i, u, m, s)| adoption_form(i, u, m, s),
    );
    view! {
        {super::loaded(page, move |form: ReferenceForm<AdoptionDraft>| {
            let lang = lang.get();
            let t = lang.reference();
            let heading = if form.id.is_some() { t.edit_adoption } else { t.new_adoption };
            let next = match form.id {
                Some(id) => format!("/edit/adoption?id={id}"),
                None => format!("/edit/adoption?model_code={}", super::encode(&form.values.model_code)),
            };
            let stored = |a: &AdoptionDraft| {
                format!("{} · {} · {} → {} · {} · {}", a.unit_code, a.model_code, a.started_on, a.ended_on, a.stage, a.steered_by)
            };
            let body = match preamble(lang, &form, &next, stored) {
                Err(v) => v,
                Ok(top) => {
                    let v = form.values.clone();
                    let err = |c: &str| errors_at(lang, &form, c);
                    let models: Vec<(String, String)> = form.models.iter().map(|m| (m.code.clone(), m.name.clone())).collect();
                    let stages = vec![("pilot".to_string(), t.pilot.to_string()), ("scaled".into(), t.scaled.into())];
                    let steering = vec![
                        (String::new(), t.not_recorded.to_string()),
                        ("province".into(), t.province.into()),
                        ("district".into(), t.district.into()),
                    ];
                    let stage = if v.stage.is_empty() { "pilot".to_string() } else { v.stage.clone() };
                    view! {
                        {top}
                        <form method="post" action="/edit/adoption" class="entry-form" novalidate data-testid="adoption-form">
                            {form.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
                            {form.revision.clone().map(|r| view! { <input type="hidden" name="revision" value=r /> })}
                            {text_field("unit_code", t.unit_code, Some(t.unit_code_hint), v.unit_code.clone(), err("unit_code"), false)}
                            {choice_field("model_code", t.model, models, v.model_code.clone(), err("model_code"))}
                            {text_field("started_on", t.started_on, Some(t.date_hint), v.started_on.clone(), err("started_on"), false)}
                            {text_field("ended_on", t.ended_on, None, v.ended_on.clone(), err("ended_on"), false)}
                            {choice_field("stage", t.stage, stages, stage, err("stage"))}
                            {choice_field("steered_by", t.steered_by, steering, v.steered_by.clone(), err("steered_by"))}
                            {text_field("reason", t.reason, None, form.reason.clone(), None, false)}
                            <button type="submit" data-testid="reference-save">{t.save}</button>
                        </form>
                        {(!v.model_code.is_empty()).then(|| view! { <p><a href=format!("/models/{}", super::encode(&v.model_code))>{v.model_code.clone()}</a></p> })}
                    }
                    .into_any()
                }
            };
            view! { <h1>{heading}</h1>{body} }
        })}
    }
}

#[component]
pub fn UnitEditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let page = Resource::new(move || (query.get().get("code"), query.get().get("saved")), |(c, s)| unit_form(c, s));
    view! {
        {super::loaded(page, move |form: ReferenceForm<UnitDraft>| {
            let lang = lang.get();
            let t = lang.reference();
            let editing = form.revision.is_some();
            let heading = if editing { t.edit_unit } else { t.new_unit };
            let next = if editing { format!("/edit/unit?code={}", super::encode(&form.values.code)) } else { "/edit/unit".into() };
            let stored = |u: &UnitDraft| {
                format!("{} · {} · {} · {} → {} · {}", u.name, u.level, u.parent_code, u.valid_from, u.valid_to, u.successor_code)
            };
            let body = match preamble(lang, &form, &next, stored) {
                Err(v) => v,
                Ok(top) => {
                    let v = form.values.clone();
                    let err = |c: &str| errors_at(lang, &form, c);
                    let levels = vec![
                        ("commune".to_string(), t.commune.to_string()),
                        ("district".into(), t.district.into()),
                        ("province".into(), t.province.into()),
                    ];
                    let level = if v.level.is_empty() { "commune".to_string() } else { v.level.clone() };
                    view! {
                        {top}
                        <form method="post" action="/edit/unit" class="entry-form" novalidate data-testid="unit-form">
                            {form.revision.clone().map(|r| view! { <input type="hidden" name="revision" value=r /> })}
                            {text_field("code", t.code, Some(t.code_hint), v.code.clone(), err("code"), editing)}
                            {text_field("name", t.name, None, v.name.clone(), err("name"), false)}
                            {choice_field("level", t.level, levels, level, err("level"))}
                            {text_field("parent_code", t.parent_code, None, v.parent_code.clone(), err("parent_code"), false)}
                            {text_field("kind", t.kind, Some(t.kind_hint), v.kind.clone(), err("kind"), false)}
                            {text_field("valid_from", t.valid_from, Some(t.date_hint), v.valid_from.clone(), err("valid_from"), false)}
                            {text_field("valid_to", t.valid_to, None, v.valid_to.clone(), err("valid_to"), false)}
                            {text_field("successor_code", t.successor_code, Some(t.successor_hint), v.successor_code.clone(), err("successor_code"), false)}
                            {text_field("reason", t.reason, None, form.reason.clone(), None, false)}
                            <button type="submit" data-testid="reference-save">{t.save}</button>
                        </form>
                        {editing.then(|| view! { <p><a href=format!("/communes/{}", super::encode(&v.code))>{v.name.clone()}</a></p> })}
                    }
                    .into_any()
                }
            };
            view! { <h1>{heading}</h1>{body} }
        })}
    }
}
