//! One module per route, each with the loader it calls beside it. Pages are rendered on the
//! server only (islands mode), so this module is not part of the wasm at all.
pub mod account;
pub mod commune;
pub mod communes;
pub mod completeness;
pub mod dashboard;
pub mod district;
pub mod export;
pub mod filters;
pub mod login;
pub mod model;
pub mod models;
pub mod not_found;
pub mod reference;
pub mod search;
pub mod survey;

use crate::i18n::show_date;
use leptos::prelude::*;

/// The query string of a chart's download links: the page's filters.
pub fn chart_query(period: &str, model: Option<&str>, province: Option<&str>, district: Option<&str>) -> String {
    let mut q = format!("period={}", encode(period));
    for (k, v) in [("model", model), ("province", province), ("district", district)] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            q.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    q
}

/// Percent-encodes all but the URL's unreserved characters.
pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A redirect target taken from a request: only a path on this site. Browsers read
/// `//host` and `/\host` as another site, and a control character could split the header.
pub fn same_site_path(back: &str) -> Option<&str> {
    let b = back.as_bytes();
    let path = b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/' | b'\\'));
    (path && !back.chars().any(|c| c.is_control() || c == '\\')).then_some(back)
}

/// What a printed page says under its heading: the filters in force and the day.
#[component]
pub fn PrintedFilters(period: String, #[prop(optional, into)] model: Option<String>, today: String) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let t = move || lang.get().texts();
    view! {
        <p class="print-only">
            {move || format!("{}: {}", t().period, period)}
            {model.clone().filter(|m| !m.is_empty()).map(|m| format!(" · {}: {m}", t().model))}
            {move || format!(" · {} {}", t().printed_on, show_date(lang.get(), &today))}
        </p>
    }
}

/// A chart drawn by the server, inline, with its download links.
#[component]
pub fn ChartFigure(
    name: crate::charts::ChartName,
    /// The chart's heading, shown above it (the SVG carries it as its title too).
    title: &'static str,
    svg: String,
    query: String,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let t = move || lang.get().texts();
    let slug = name.slug();
    let link = move |ext: &'static str| format!("/charts/{slug}.{ext}?{query}");
    view! {
        <figure class="chart" data-testid=format!("chart-{slug}")>
            <h2>{title}</h2>
            <div class="chart-svg" inner_html=svg></div>
            <figcaption class="downloads">
                {move || t().download_chart}
                " "<a href=link("svg") download>"SVG"</a>
                " · "<a href=link("png") download>"PNG"</a>
                " · "<a href=link("csv") download>"CSV"</a>
            </figcaption>
        </figure>
    }
}

/// "xã" → "Xã", for a heading.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// One model a unit runs: unit, model, stage, since, steered by.
#[component]
pub fn RunningRow(r: crate::page_data::RunningModel) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let t = move || lang.get().texts();
    let scaled = r.stage == "scaled";
    let steered = r.steered_by.clone();
    let started = r.started_on.clone();
    view! {
        <tr>
            <td><a href=format!("/communes/{}", r.unit_code)>{r.unit_name.clone()}</a></td>
            <td><a href=format!("/models/{}", r.model_code)>{r.model_name.clone()}</a></td>
            <td>{move || if scaled { t().stage_scaled } else { t().stage_pilot }}</td>
            <td>{move || show_date(lang.get(), &started)}</td>
            <td>{move || match steered.as_deref() { Some("province") => t().steered_province, Some("district") => t().steered_district, _ => "—" }}</td>
        </tr>
    }
}

/// Why a page's data could not be loaded. The reader is shown one sentence (`loaded`);
/// the cause of a fault of ours is logged where it is converted into one of these.
#[derive(Clone, Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PageError {
    #[error("application state is missing")]
    NoState,
    #[error("database unavailable")]
    Database,
    #[error("chart unavailable")]
    Chart,
    /// The reader's own mistake (a filter that cannot be used), said as it is.
    #[error("{0}")]
    Filter(String),
}

/// The server's state (database, figure cache) for a page loader.
pub fn state() -> Result<crate::ssr::AppState, PageError> {
    use_context::<crate::ssr::AppState>().ok_or(PageError::NoState)
}

/// The database handle for a page loader.
pub fn db() -> Result<crate::ssr::Db, PageError> {
    state().map(|s| s.db)
}

/// For a page loader: the user's mistake is said as it is, a database fault is logged.
pub fn query_failed(e: crate::ssr::figures::QueryError) -> PageError {
    match e {
        crate::ssr::figures::QueryError::Db(e) => db_failed(e),
        crate::ssr::figures::QueryError::Filter(e) => PageError::Filter(e.to_string()),
    }
}

/// For a page loader: the user's mistake as it is, our faults logged.
pub fn load_failed(e: crate::ssr::loaders::LoadError) -> PageError {
    match e {
        crate::ssr::loaders::LoadError::Query(e) => query_failed(e),
        crate::ssr::loaders::LoadError::Chart(e) => {
            tracing::error!(error = %e, "chart drawing failed");
            PageError::Chart
        }
    }
}

/// Logs the cause and hands the browser a sentence without internals.
pub fn db_failed(e: sea_orm::DbErr) -> PageError {
    tracing::error!(error = %e, "database query failed");
    PageError::Database
}

/// Shows a page loader's result once it has loaded: a loading line before, and a
/// sentence instead of the content when it failed (the cause is in the server's log).
pub fn loaded<T, V>(
    resource: Resource<Result<T, PageError>>,
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
                    let value = resource.await;
                    // When the data is there at once (the figure cache), Leptos may build
                    // this view on the server from a task whose owner no longer reaches
                    // `App`'s contexts; a chart then panicked for want of the language (seen
                    // once in ~10,000 pages under load). The language is handed down again.
                    provide_context(lang);
                    match value {
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
    #[test]
    fn redirects_stay_on_this_site() {
        use super::same_site_path as p;
        assert_eq!(p("/"), Some("/"));
        assert_eq!(p("/?period=2024&model=CQTT"), Some("/?period=2024&model=CQTT"));
        assert_eq!(p("/districts/402"), Some("/districts/402"));
        for bad in ["", "//evil.example", "/\\evil.example", "\\evil.example", "https://evil.example", "evil", "/a\\b", "/\r\nSet-Cookie: x=1", "/\tx"] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    use super::*;

    #[test]
    fn chart_links_carry_the_filters() {
        assert_eq!(chart_query("2024", Some("CQTT"), None, None), "period=2024&model=CQTT");
        assert_eq!(chart_query("2024-Q2", Some(""), None, Some("a b")), "period=2024-Q2&district=a%20b");
        assert_eq!(chart_query("2024", None, Some("38"), Some("380")), "period=2024&province=38&district=380");
    }
}

/// The account the request is signed in as. A page shown to a signed-in person is marked
/// `private, no-store`: a shared PC's browser or a proxy keeps no copy of it.
pub async fn signed_in(db: &crate::ssr::Db) -> Result<Option<crate::domain::access::Account>, PageError> {
    let Some(parts) = use_context::<axum::http::request::Parts>() else { return Ok(None) };
    let once = use_context::<crate::ssr::auth::RequestAccount>();
    let account = crate::ssr::auth::guard::request_account(db, &parts.headers, once.as_ref()).await.map_err(db_failed)?;
    if account.is_some() {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.insert_header(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, no-store"),
            );
        }
    }
    Ok(account)
}

/// The header's "signed in as … / sign out" or "sign in".
pub async fn current_account() -> Result<Option<crate::domain::access::Account>, PageError> {
    signed_in(&db()?).await
}
