//! The GET filter form shared by the figure pages: it keeps filters in the URL, so it
//! works without JavaScript and every view can be bookmarked or sent to a colleague.
use crate::domain::{FigureQuery, Period, PeriodError};
use crate::i18n::{use_lang, Texts};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

pub use crate::domain::Choice;

/// The figure filters of the page's URL: the same typed query the charts, downloads and API
/// read, blank values absent.
pub fn use_query_filters() -> Memo<FigureQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        FigureQuery {
            period: get("period"),
            model: get("model"),
            district: get("district"),
            province: get("province"),
            ..Default::default()
        }
    })
}

/// The URL's period, normalised; an error when it does not parse (the form shows why).
pub fn checked_period(f: &FigureQuery) -> Result<Option<String>, PeriodError> {
    f.period.as_deref().map(|p| p.parse::<Period>().map(|p| p.to_string())).transpose()
}

/// A code from the URL that is not among the choices (a hand-edited or stale link).
pub fn unknown_choice(code: &Option<String>, choices: &[Choice]) -> bool {
    code.as_ref().is_some_and(|c| !choices.iter().any(|choice| &choice.code == c))
}

/// True when every filter in the URL can be used: the page shows its table only then, and
/// the form says next to the field what is wrong otherwise.
pub fn filters_usable(f: &FigureQuery, models: &[Choice], districts: Option<&[Choice]>) -> bool {
    checked_period(f).is_ok()
        && !unknown_choice(&f.model, models)
        && !districts.is_some_and(|d| unknown_choice(&f.district, d))
}

/// [`filters_usable`] for a page that also offers a province.
pub fn filters_usable_in(f: &FigureQuery, models: &[Choice], provinces: &[Choice], districts: &[Choice]) -> bool {
    filters_usable(f, models, Some(districts)) && !unknown_choice(&f.province, provinces)
}

#[component]
pub fn FilterForm(
    #[prop(into)] action: String,
    /// The period in force (the URL's, or the default the server chose).
    period: String,
    models: Vec<Choice>,
    #[prop(optional_no_strip)] districts: Option<Vec<Choice>>,
    /// The district may be left unchosen ("all").
    #[prop(optional)]
    district_optional: bool,
    /// The choices are communes (the trend's second line after 2025): worded so.
    #[prop(optional)]
    communes: bool,
    /// The provinces: offered when the database holds several (unchosen is the whole
    /// country), or when the URL names one that is not among them.
    #[prop(optional)]
    provinces: Vec<Choice>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let bad_period = move || checked_period(&filters.get()).is_err();
    let shown_period = move || filters.get().period.unwrap_or_else(|| period.clone());
    let offer_provinces = provinces.len() > 1 || unknown_choice(&filters.get_untracked().province, &provinces);
    view! {
        <Form method="GET" action=action attr:class="filters">
            {offer_provinces.then(|| view! {
                <ChoiceSelect name="province" label=|t| t.choose_province filters=filters field=|f| f.province.clone()
                    choices=provinces none=Some((|t: &'static Texts| t.whole_country) as Words) unknown=|t| t.unknown_province />
            })}
            {districts.map(|districts| {
                let (label, none, unknown): (Words, Words, Words) = if communes {
                    (|t| t.choose_commune, |t| t.no_commune, |t| t.unknown_commune)
                } else {
                    (|t| t.choose_district, |t| t.no_district, |t| t.unknown_district)
                };
                view! {
                    <ChoiceSelect name="district" label=label filters=filters field=|f| f.district.clone()
                        choices=districts none=district_optional.then_some(none) unknown=unknown />
                }
            })}
            <label>
                <span>{move || t().period}</span>
                <input
                    name="period"
                    value=shown_period
                    inputmode="text"
                    placeholder="2024, 2024-Q2, 2024-05"
                    aria-invalid=move || bad_period().to_string()
                    aria-describedby="period-error"
                />
                <Show when=bad_period>
                    <span class="field-error" id="period-error" role="alert">{move || t().bad_period}</span>
                </Show>
            </label>
            <ChoiceSelect name="model" label=|t| t.model filters=filters field=|f| f.model.clone()
                choices=models none=Some((|t: &'static Texts| t.all_models) as Words) unknown=|t| t.unknown_model />
            <button type="submit">{move || t().show}</button>
        </Form>
    }
}

/// Words of the UI, picked from the reader's language.
type Words = fn(&'static Texts) -> &'static str;

/// One menu of the filter form: the URL's code selected, an option for none when none may
/// be chosen, and the message next to it when the URL names a code that is not offered.
#[component]
fn ChoiceSelect(
    name: &'static str,
    label: Words,
    filters: Memo<FigureQuery>,
    /// This menu's code in the URL.
    field: fn(&FigureQuery) -> Option<String>,
    choices: Vec<Choice>,
    /// The option for none ("all models", "whole country").
    none: Option<Words>,
    unknown: Words,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let selected = move || field(&filters.get()).unwrap_or_default();
    let codes = choices.clone();
    let bad = move || unknown_choice(&field(&filters.get()), &codes);
    view! {
        <label>
            <span>{move || label(t())}</span>
            <select name=name>
                {none.map(|none| view! { <option value="" selected=move || selected().is_empty()>{move || none(t())}</option> })}
                {choices.into_iter().map(|c| {
                    let code = c.code.clone();
                    view! { <option value=c.code selected=move || selected() == code>{c.name}</option> }
                }).collect_view()}
            </select>
            <Show when=bad>
                <span class="field-error" role="alert">{move || unknown(t())}</span>
            </Show>
        </label>
    }
}
