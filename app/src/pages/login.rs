//! `/login`: a plain form posting to `POST /login` (works without JavaScript); a failed
//! attempt comes back here with the name kept and one message for any wrong name or password.
use crate::i18n::use_lang;
use crate::page_data::{LoginData, LoginProblem};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub async fn login_page(next: Option<String>) -> Result<LoginData, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    let mut data = use_context::<LoginData>().unwrap_or_default();
    if data.next.is_empty() {
        data.next = next.unwrap_or_default();
    }
    data.account = account;
    Ok(data)
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let query = use_query_map();
    let page = Resource::new(move || query.get().get("next"), login_page);
    view! {
        <h1>{move || t().login_heading}</h1>
        {super::loaded(page, move |d: LoginData| {
            let problem = d.problem.clone();
            let message = move || problem.as_ref().map(|p| match p {
                LoginProblem::Wrong => t().login_wrong.to_string(),
                LoginProblem::Throttled(n) => t().login_throttled.replace("{n}", &n.to_string()),
                LoginProblem::Busy => t().login_busy.to_string(),
            });
            let invalid = d.problem.is_some().to_string();
            view! {
                {d.account.clone().map(|a| view! { <p class="notice">{move || t().signed_in_as}" "{a.display_name.clone()}</p> })}
                <form method="post" action="/login" class="entry-form login-form">
                    <input type="hidden" name="next" value=d.next.clone() />
                    {move || message().map(|m| view! { <p class="field-error" id="login-error" role="alert">{m}</p> })}
                    <label>
                        <span>{move || t().username}</span>
                        <input name="username" autocomplete="username" autocapitalize="none" required
                            value=d.username.clone() aria-invalid=invalid.clone() aria-describedby="login-error" />
                    </label>
                    <label>
                        <span>{move || t().password}</span>
                        <input name="password" type="password" autocomplete="current-password" required
                            aria-invalid=invalid aria-describedby="login-error" />
                    </label>
                    <button type="submit">{move || t().sign_in}</button>
                </form>
            }
        })}
    }
}
