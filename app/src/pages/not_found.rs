//! The page for any address the app does not know, answered with status 404.
use crate::i18n::use_lang;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <h1>{move || t().not_found_heading}</h1>
        <p>{move || t().not_found_body}</p>
        <p><a href="/">{move || t().back_home}</a></p>
    }
}
