//! `/communes`: the way in to the communes: every district (and the province, whose
//! communes hang directly under it after 2025). Old links with `?district=` go on to the
//! district's page.
use super::loaded;
use crate::domain::Choice;
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

pub async fn commune_groups() -> Result<(Vec<Choice>, Vec<Choice>), super::PageError> {
    let db = super::db()?;
    let districts = crate::ssr::figures::district_choices(&db, None).await.map_err(super::db_failed)?;
    // Today's provinces: one merged into another in 2025 has no communes of its own since.
    let today = crate::domain::Period::month_of(crate::ssr::writes::today());
    let provinces = crate::ssr::figures::provinces_during(&db, today).await.map_err(super::db_failed)?;
    Ok((provinces, districts))
}

#[component]
pub fn CommunesPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let query = use_query_map();
    let old_link = move || query.get().get("district").filter(|d| !d.is_empty());
    let groups = Resource::new(|| (), |_| commune_groups());
    // `<Redirect>` sets the location; on the server the status must say it is a redirect.
    if old_link().is_some() {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::PERMANENT_REDIRECT);
        }
    }
    view! {
        {move || old_link().map(|d| view! { <Redirect path=format!("/districts/{d}") /> })}
        <h1>{move || t().communes_heading}</h1>
        {loaded(groups, move |(provinces, districts): (Vec<Choice>, Vec<Choice>)| view! {
            <h2>{move || t().after_2025}</h2>
            <ul class="unit-list" data-testid="provinces">
                {provinces.into_iter().map(|p| view! { <li><a href=format!("/districts/{}", p.code)>{p.name}</a></li> }).collect_view()}
            </ul>
            <h2>{move || t().before_2025_districts}</h2>
            <ul class="unit-list columns" data-testid="districts">
                {districts.into_iter().map(|d| view! { <li><a href=format!("/districts/{}", d.code)>{d.name}</a></li> }).collect_view()}
            </ul>
        })}
    }
}
