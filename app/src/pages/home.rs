//! `/`: what the database holds, at a glance.
use super::{loaded, show_count};
use crate::i18n::use_lang;
use leptos::prelude::*;

#[server]
pub async fn fetch_home_counts() -> Result<crate::domain::HomeCounts, ServerFnError> {
    crate::ssr::figures::home_counts(&super::db()?).await.map_err(super::db_failed)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let counts = Resource::new(|| (), |_| fetch_home_counts());
    let card = move |label: fn(&'static crate::i18n::Texts) -> &'static str, value: u64, id: &'static str| {
        view! {
            <div class="card">
                <span class="card-value" data-testid=id>{move || show_count(lang.get(), value)}</span>
                <span class="card-label">{move || label(t())}</span>
            </div>
        }
    };
    view! {
        <h1>{move || t().home_heading}</h1>
        <p class="intro">{move || t().home_intro}</p>
        {loaded(counts, move |c: crate::domain::HomeCounts| view! {
            <section class="cards">
                {card(|t| t.count_districts, c.districts, "count-districts")}
                {card(|t| t.count_communes, c.communes, "count-communes")}
                {card(|t| t.count_models, c.models, "count-models")}
                {card(|t| t.count_adoptions, c.adoptions, "count-adoptions")}
                {card(|t| t.count_ballots, c.ballots, "count-ballots")}
            </section>
        })}
    }
}
