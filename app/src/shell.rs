//! The document and the app around the pages: the header, the routes. Rendered on the
//! server only; the browser hydrates just the islands (`islands.rs`).
use crate::i18n::{initial_lang, use_lang};
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    hooks::use_location,
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server only. It also sets the
/// page's Content-Security-Policy with the nonce Leptos gives its inline scripts.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    if let (Some(nonce), Some(resp)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
            resp.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    // The bundle's folder carries its digest (`server::config::bundle_dir`), so the CSS,
    // JS and wasm may be kept for a year: a new build is a new URL.
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    // The `lang` attribute comes from `App`'s `<Html>` (leptos_meta), in the reader's language.
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The name shown in the header: the province this installation serves.
pub const PROVINCE_NAME: &str = "Thanh Hóa";

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The app runs on the server only (islands: the browser hydrates just the `#[island]`s),
    // so the language is fixed for the page; a switch brings a new page.
    let lang = crate::i18n::PageLang(initial_lang());
    provide_context(lang);
    let current = lang.get_untracked();
    let t = move || lang.get().texts();

    view! {
        <Html {..} lang=current.code() />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="reformdash" />
        <Title text=current.texts().app_title />
        <Router>
            <header class="site-header">
                <div class="brand">
                    <a href="/" class="brand-name">"reformdash"</a>
                    <span class="province" data-testid="province">
                        {move || format!("{} {PROVINCE_NAME}", t().province_prefix)}
                    </span>
                </div>
                <nav class="main-nav">
                    <A href="/">{move || t().nav_dashboard}</A>
                    <A href="/models">{move || t().nav_models}</A>
                    <A href="/communes">{move || t().nav_communes}</A>
                    <A href="/completeness">{move || t().nav_completeness}</A>
                    <A href="/survey">{move || t().nav_survey}</A>
                    <A href="/export">{move || t().nav_export}</A>
                </nav>
                <SearchBox />
                <AccountBox />
                <LangSwitch />
            </header>
            <main class="content">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/models") view=pages::models::ModelsPage ssr=SsrMode::Async />
                    <Route path=path!("/models/:code") view=pages::model::ModelPage ssr=SsrMode::Async />
                    <Route path=path!("/completeness") view=pages::completeness::CompletenessPage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=pages::search::SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/communes") view=pages::communes::CommunesPage ssr=SsrMode::Async />
                    <Route path=path!("/communes/:code") view=pages::commune::CommunePage ssr=SsrMode::Async />
                    <Route path=path!("/districts/:code") view=pages::district::DistrictPage ssr=SsrMode::Async />
                    <Route path=path!("/survey") view=pages::survey::SurveyPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=pages::account::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/edit/model") view=pages::reference::ModelEditPage ssr=SsrMode::Async />
                    <Route path=path!("/edit/adoption") view=pages::reference::AdoptionEditPage ssr=SsrMode::Async />
                    <Route path=path!("/edit/unit") view=pages::reference::UnitEditPage ssr=SsrMode::Async />
                    <Route path=path!("/export") view=pages::export::ExportPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// The header's search: a plain GET form, so it works before (and without) the wasm.
#[component]
fn SearchBox() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <form method="get" action="/search" class="search-box" role="search">
            <label>
                <span class="visually-hidden">{move || t().search_label}</span>
                <input type="search" name="q" placeholder=move || t().search_placeholder maxlength="100" />
            </label>
            <button type="submit">{move || t().search_button}</button>
        </form>
    }
}

/// Who is signed in, with a sign-out button (a POST, so a link cannot sign anyone out),
/// or the way to sign in.
#[component]
fn AccountBox() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let account = Resource::new(|| (), |_| pages::current_account());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(a)) => view! {
                        <form method="post" action="/logout" class="account-box">
                            <span data-testid="signed-in">{move || t().signed_in_as}" "<a href="/account">{a.display_name.clone()}</a></span>
                            <button type="submit" data-testid="sign-out">{move || t().sign_out}</button>
                        </form>
                    }.into_any(),
                    _ => view! { <a href="/login" class="account-box" data-testid="sign-in">{move || t().sign_in}</a> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Switches between Vietnamese and English: a form posting to `/lang`, which sets the
/// cookie and sends the reader back to the page. With JavaScript, `nav.js` sends it in the
/// background and swaps in the page in the other language, without a reload.
#[component]
fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let back = move || {
        // The router's `search` comes without its `?`.
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    view! {
        <form method="post" action="/lang" class="lang-switch">
            <input type="hidden" name="lang" value=move || lang.get().other().code() />
            <input type="hidden" name="back" value=back />
            <button type="submit" data-testid="lang-switch">
                {move || lang.get().texts().switch_to_other}
            </button>
        </form>
    }
}
