//! `/survey`: where commune staff will enter their counts once sign-in exists.
use crate::i18n::use_lang;
use leptos::prelude::*;

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <h1>{move || t().survey_heading}</h1>
        <p>{move || t().survey_body}</p>
    }
}
