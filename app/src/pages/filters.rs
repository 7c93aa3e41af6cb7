//! The GET filter form shared by the figure pages: it keeps filters in the URL, so it
//! works without JavaScript and every view can be bookmarked or sent to a colleague.
use crate::domain::{Period, PeriodError};
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

pub use crate::domain::Choice;

/// The filters as the URL gives them; empty strings mean "not given".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryFilters {
    pub period: Option<String>,
    pub model: Option<String>,
    pub district: Option<String>,
    pub province: Option<String>,
}

pub fn use_query_filters() -> Memo<QueryFilters> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        QueryFilters { period: get("period"), model: get("model"), district: get("district"), province: get("province") }
    })
}

/// The URL's period, normalised; an error when it does not parse (the form shows why).
pub fn checked_period(f: &QueryFilters) -> Result<Option<String>, PeriodError> {
    f.period.as_deref().map(|p| p.parse::<Period>().map(|p| p.to_string())).transpose()
}

/// A code from the URL that is not among the choices (a hand-edited or stale link).
pub fn unknown_choice(code: &Option<String>, choices: &[Choice]) -> bool {
    code.as_ref().is_some_and(|c| !choices.iter().any(|choice| &choice.code == c))
}

/// True when every filter in the URL can be used: the page shows its table only then, and
/// the form says next to the field what is wrong otherwise.
pub fn filters_usable(f: &QueryFilters, models: &[Choice], districts: Option<&[Choice]>) -> bool {
    checked_period(f).is_ok()
        && !unknown_choice(&f.model, models)
        && !districts.is_some_and(|d| unknown_choice(&f.district, d))
}

/// [`filters_usable`] for a page that also offers a province.
pub fn filters_usable_in(f: &QueryFilters, models: &[Choice], provinces: &[Choice], districts: &[Choice]) -> bool {
    filters_usable(f, models, Some(districts)) && !unknown_choice(&f.province, provinces)
}

#[component]
pub fn FilterForm(
    #[prop(into)] action: String,
    /// The period in force (the URL's, or the default the server chose).
    period: String,
    models: Vec<Choice>,
    #[prop(optional)] districts: Option<Vec<Choice>>,
    /// The district may be left unchosen ("all").
    #[prop(optional)]
    district_optional: bool,
    /// The provinces: offered when the database holds several (unchosen is the whole
    /// country), or when the URL names one that is not among them.
    #[prop(optional)]
    provinces: Vec<Choice>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let filters = use_query_filters();
    let bad_period = move || checked_period(&filters.get()).is_err();
    let selected_model = move || filters.get().model.unwrap_or_default();
    let selected_district = move || filters.get().district.unwrap_or_default();
    let shown_period = move || filters.get().period.unwrap_or_else(|| period.clone());
    let model_codes = models.clone();
    let bad_model = move || unknown_choice(&filters.get().model, &model_codes);
    let district_codes = districts.clone().unwrap_or_default();
    let has_districts = districts.is_some();
    let bad_district = move || has_districts && unknown_choice(&filters.get().district, &district_codes);
    let selected_province = move || filters.get().province.unwrap_or_default();
    let province_codes = provinces.clone();
    let bad_province = move || unknown_choice(&filters.get().province, &province_codes);
    let offer_provinces = provinces.len() > 1 || unknown_choice(&filters.get_untracked().province, &provinces);
    view! {
        <Form method="GET" action=action attr:class="filters">
            {offer_provinces.then(|| view! {
                <label>
                    <span>{move || t().choose_province}</span>
                    <select name="province">
                        <option value="" selected=move || selected_province().is_empty()>{move || t().whole_country}</option>
                        {provinces.into_iter().map(|p| {
                            let code = p.code.clone();
                            view! { <option value=p.code selected=move || selected_province() == code>{p.name}</option> }
                        }).collect_view()}
                    </select>
                    <Show when=bad_province.clone()>
                        <span class="field-error" role="alert">{move || t().unknown_province}</span>
                    </Show>
                </label>
            })}
            {districts.map(|districts| view! {
                <label>
                    <span>{move || t().choose_district}</span>
                    <select name="district">
                        {district_optional.then(|| view! { <option value="" selected=move || selected_district().is_empty()>{move || t().no_district}</option> })}
                        {districts.into_iter().map(|d| {
                            let code = d.code.clone();
                            view! { <option value=d.code selected=move || selected_district() == code>{d.name}</option> }
                        }).collect_view()}
                    </select>
                    <Show when=bad_district.clone()>
                        <span class="field-error" role="alert">{move || t().unknown_district}</span>
                    </Show>
                </label>
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
            <label>
                <span>{move || t().model}</span>
                <select name="model">
                    <option value="" selected=move || selected_model().is_empty()>{move || t().all_models}</option>
                    {models.into_iter().map(|m| {
                        let code = m.code.clone();
                        view! { <option value=m.code selected=move || selected_model() == code>{m.name}</option> }
                    }).collect_view()}
                </select>
                <Show when=bad_model.clone()>
                    <span class="field-error" role="alert">{move || t().unknown_model}</span>
                </Show>
            </label>
            <button type="submit">{move || t().show}</button>
        </Form>
    }
}
