//! `/search?q=`: districts, communes and models by name, ignoring diacritics and case.
use super::loaded;
use crate::i18n::use_lang;
use crate::page_data::{SearchHit, SearchKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub async fn search_units(q: String) -> Result<Vec<SearchHit>, super::PageError> {
    // Bounded input: a name is never this long.
    let q: String = q.chars().take(100).collect();
    crate::ssr::loaders::search(&super::db()?, &q).await.map_err(super::db_failed)
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let query = use_query_map();
    let q = Memo::new(move |_| query.get().get("q").unwrap_or_default());
    let hits = Resource::new(move || q.get(), search_units);
    view! {
        <h1>{move || t().search_heading}</h1>
        {loaded(hits, move |hits: Vec<SearchHit>| {
            if hits.is_empty() {
                return view! { <p data-testid="search-empty">{move || t().search_nothing}</p> }.into_any();
            }
            view! {
                <ul class="search-hits" data-testid="search-hits">
                    {hits.into_iter().map(|h| {
                        let kind = h.kind;
                        let current = h.current;
                        let parent = h.parent.clone();
                        view! {
                            <li>
                                <a href=h.href()>{h.name.clone()}</a>
                                " "<span class="hit-kind">{move || match kind {
                                    SearchKind::District => t().district,
                                    SearchKind::Commune => t().commune,
                                    SearchKind::Model => t().model,
                                }}</span>
                                {parent.map(|p| view! { " · "<span>{p}</span> })}
                                {(!current).then(|| view! { " · "<span class="hit-old">{move || t().before_2025}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
    }
}
