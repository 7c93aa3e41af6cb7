//! One module per route, each with the server functions it calls beside it.
pub mod communes;
pub mod dashboard;
pub mod export;
pub mod filters;
pub mod home;
pub mod models;
pub mod not_found;
pub mod survey;

use crate::domain::Percent;
use crate::i18n::Lang;
use leptos::prelude::*;

/// A percentage for the screen: Vietnamese writes the decimal separator as a comma.
/// (Downloads always use `.`, as the contract says.)
pub fn show_percent(lang: Lang, p: Option<Percent>) -> String {
    match p {
        None => "—".to_string(),
        Some(p) if lang == Lang::Vi => p.to_2dp().replace('.', ","),
        Some(p) => p.to_2dp(),
    }
}

/// A whole number with the thousands separator of the language (1.234 / 1,234).
pub fn show_count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The server-side database handle for a server function.
#[cfg(feature = "ssr")]
pub fn db() -> Result<crate::ssr::Db, ServerFnError> {
    use_context::<crate::ssr::AppState>()
        .map(|s| s.db)
        .ok_or_else(|| ServerFnError::new("application state is missing"))
}

/// What every figure page starts from: the model list for its form, and the filter in force.
/// A model the list does not have is left out of the filter: the form says so next to the
/// field and the page shows no table.
#[cfg(feature = "ssr")]
pub async fn page_filter(
    db: &crate::ssr::Db,
    period: Option<&str>,
    model: Option<String>,
) -> Result<(Vec<filters::Choice>, crate::domain::FigureFilter), ServerFnError> {
    use crate::ssr::figures;
    let models = figures::model_choices(db).await.map_err(db_failed)?;
    let model = model.filter(|m| models.iter().any(|c| &c.code == m));
    let period = figures::resolve_period(db, period).await.map_err(figures::FilterError::into_server_error)?;
    Ok((models, crate::domain::FigureFilter { period, model, province: None }))
}

/// Logs the cause and hands the browser a sentence without internals.
#[cfg(feature = "ssr")]
pub fn db_failed(e: sea_orm::DbErr) -> ServerFnError {
    tracing::error!(error = %e, "database query failed");
    ServerFnError::new("database unavailable")
}

/// Shows a server function's result once it has loaded: a loading line before, and a
/// sentence instead of the content when it failed (the cause is in the server's log).
pub fn loaded<T, V>(
    resource: Resource<Result<T, ServerFnError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let lang = crate::i18n::use_lang();
    let t = move || lang.get().texts();
    view! {
        <Suspense fallback=move || view! { <p>{move || t().loading}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(_) => view! { <p class="error" role="alert">{move || t().load_failed}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A header cell: its CSS class and its label in the reader's language.
pub type HeaderCell = (&'static str, fn(&'static crate::i18n::Texts) -> &'static str);

/// A figures table: the header cells, then one row per item.
#[component]
pub fn FiguresTable(testid: &'static str, header: Vec<HeaderCell>, children: Children) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    view! {
        <div class="table-wrap">
            <table class="figures" data-testid=testid>
                <thead>
                    <tr>
                        {header.into_iter().map(|(class, label)| view! { <th class=class>{move || label(lang.get().texts())}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(show_count(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(show_count(Lang::En, 1_234), "1,234");
        assert_eq!(show_count(Lang::En, 999), "999");
        assert_eq!(show_percent(Lang::Vi, Percent::from_ratio(1, 3)), "33,33");
        assert_eq!(show_percent(Lang::En, Percent::from_ratio(1, 3)), "33.33");
        assert_eq!(show_percent(Lang::En, None), "—");
    }
}
