//! `/account`: a signed-in person changes their password and manages their API tokens;
//! `/admin/users`: an admin adds, disables and enables accounts. Plain form posts, like
//! every write; the server checks who may do what.
use crate::i18n::{account_problem, use_lang, user_problem};
use crate::page_data::{AccountData, AccountProblem, UsersData};
use leptos::prelude::*;

pub async fn account_page() -> Result<AccountData, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    crate::ssr::loaders::account_page(&db, account, use_context::<crate::page_data::AccountOutcome>())
        .await
        .map_err(super::db_failed)
}

pub async fn users_page() -> Result<UsersData, super::PageError> {
    let db = super::db()?;
    let account = super::signed_in(&db).await?;
    crate::ssr::loaders::users_page(&db, account, use_context::<crate::page_data::UsersOutcome>())
        .await
        .map_err(super::db_failed)
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let page = Resource::new(|| (), |_| account_page());
    // After a password change the form redirects here with `?password=changed`.
    let query = leptos_router::hooks::use_query_map();
    let changed = move || query.get().get("password").as_deref() == Some("changed");
    view! {
        <h1>{move || t().account_heading}</h1>
        <Show when=changed><p class="notice" role="status" data-testid="password-changed">{move || t().password_changed}</p></Show>
        {super::loaded(page, move |d: AccountData| {
            let Some(a) = d.account.clone() else {
                return view! { <p><a href="/login?next=/account" class="button">{move || t().sign_in}</a></p> }.into_any();
            };
            let o = d.outcome.clone();
            let problem = o.problem.clone();
            let password_problem = problem.clone().filter(|p| matches!(p, AccountProblem::WrongPassword | AccountProblem::Throttled(_) | AccountProblem::PasswordTooShort | AccountProblem::PasswordsDiffer));
            let token_problem = problem.clone().filter(|p| matches!(p, AccountProblem::TokenName | AccountProblem::TokenExists(_)));
            let expiry_problem = problem.filter(|p| matches!(p, AccountProblem::TokenExpiry(_)));
            let role = a.role.as_str();
            view! {
                <p data-testid="account-who">{format!("{} · {} · {}", a.display_name, role, a.unit_code.clone().unwrap_or_else(|| "—".into()))}</p>
                {(a.role == crate::domain::access::Role::Admin).then(|| view! { <p><a href="/admin/users">{move || t().users_heading}</a></p> })}
                <h2>{move || t().change_password}</h2>
                <form method="post" action="/account/password" class="entry-form">
                    {password_problem.map(|p| view! { <p class="field-error" id="e-password" role="alert">{move || account_problem(lang.get(), &p)}</p> })}
                    <label><span>{move || t().current_password}</span><input name="current" type="password" autocomplete="current-password" aria-describedby="e-password" /></label>
                    <label><span>{move || t().new_password}</span><input name="password" type="password" autocomplete="new-password" minlength="10" aria-describedby="e-password" /></label>
                    <label><span>{move || t().again}</span><input name="again" type="password" autocomplete="new-password" aria-describedby="e-password" /></label>
                    <button type="submit">{move || t().change_password}</button>
                </form>
                <h2>{move || t().tokens_heading}</h2>
                <p class="hint">{move || t().tokens_intro}</p>
                {o.new_token.clone().map(|(name, token)| view! {
                    <div class="notice" role="status">
                        <p>{move || t().new_token_note}" "<strong>{name.clone()}</strong></p>
                        <p><code data-testid="new-token">{token}</code></p>
                    </div>
                })}
                {o.revoked.clone().map(|name| view! { <p class="notice" role="status">{move || t().revoked}" «"{name.clone()}"»"</p> })}
                {if d.tokens.is_empty() {
                    view! { <p>{move || t().no_tokens}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="figures" data-testid="tokens">
                            <thead><tr><th>{move || t().token_name}</th><th>{move || t().created}</th><th>{move || t().last_used}</th><th>{move || t().token_last_day}</th><th></th></tr></thead>
                            <tbody>{d.tokens.iter().map(|tok| view! {
                                <tr>
                                    <td>{tok.name.clone()}</td><td>{tok.created.clone()}</td><td>{tok.last_used.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{match (tok.last_day.clone(), tok.expired) {
                                        (None, _) => view! { <span>{move || t().token_never_ends}</span> }.into_any(),
                                        (Some(day), false) => view! { <span>{day}</span> }.into_any(),
                                        (Some(day), true) => view! { <span class="expired">{day}" ("{move || t().token_expired}")"</span> }.into_any(),
                                    }}</td>
                                    <td><form method="post" action="/account/tokens/revoke"><input type="hidden" name="name" value=tok.name.clone() /><button type="submit">{move || t().revoke}</button></form></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }}
                <form method="post" action="/account/tokens" class="entry-form">
                    {token_problem.map(|p| view! { <p class="field-error" id="e-token" role="alert">{move || account_problem(lang.get(), &p)}</p> })}
                    <label><span>{move || t().token_name}</span><input name="name" maxlength="64" aria-describedby="e-token" /></label>
                    {expiry_problem.map(|p| view! { <p class="field-error" id="e-expires" role="alert">{move || account_problem(lang.get(), &p)}</p> })}
                    <label><span>{move || t().token_last_day}</span><input name="expires" type="date" aria-describedby="e-expires h-expires" /></label>
                    <p class="hint" id="h-expires">{move || t().token_expiry_hint}</p>
                    <button type="submit">{move || t().create_token}</button>
                </form>
            }.into_any()
        })}
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().entry();
    let page = Resource::new(|| (), |_| users_page());
    view! {
        <h1>{move || t().users_heading}</h1>
        {super::loaded(page, move |d: UsersData| {
            if d.account.is_none() {
                return view! { <p><a href="/login?next=/admin/users" class="button">{move || t().sign_in}</a></p> }.into_any();
            }
            if d.users.is_empty() {
                return view! { <p role="alert">{move || t().users_forbidden}</p> }.into_any();
            }
            let o = d.outcome.clone();
            let problem = o.problem.clone().map(|p| user_problem(lang.get_untracked(), &p));
            let error_at = move |field: &str| problem.clone().filter(|(f, _)| *f == field).map(|(_, m)| view! { <span class="field-error">{m}</span> });
            view! {
                {o.done.clone().map(|m| view! { <p class="notice" role="status">{m}</p> })}
                <div class="table-wrap"><table class="figures" data-testid="users">
                    <thead><tr><th>{move || t().username}</th><th>{move || t().display_name}</th><th>{move || t().role}</th><th>{move || t().unit}</th><th></th></tr></thead>
                    <tbody>{d.users.iter().map(|u| {
                        let next = if u.disabled { "false" } else { "true" };
                        let label = u.disabled;
                        view! {
                            <tr>
                                <td>{u.username.clone()}</td><td>{u.display_name.clone()}</td><td>{u.role.clone()}</td><td>{u.unit_code.clone().unwrap_or_default()}</td>
                                <td><form method="post" action="/admin/users/disabled">
                                    <input type="hidden" name="username" value=u.username.clone() />
                                    <input type="hidden" name="disabled" value=next />
                                    <span>{move || if label { t().disabled } else { t().active }}" "</span>
                                    <button type="submit">{move || if label { t().enable } else { t().disable }}</button>
                                </form></td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table></div>
                <h2>{move || t().add_user}</h2>
                <form method="post" action="/admin/users" class="entry-form" novalidate>
                    <label><span>{move || t().username}</span><input name="username" value=o.username.clone() autocapitalize="none" />{error_at("username")}</label>
                    <label><span>{move || t().display_name}</span><input name="display_name" value=o.display_name.clone() />{error_at("display_name")}</label>
                    <label><span>{move || t().role}</span>
                        <select name="role">
                            {["staff", "official", "admin"].into_iter().map(|r| view! { <option value=r selected=o.role == r>{r}</option> }).collect_view()}
                        </select>{error_at("role")}
                    </label>
                    <label><span>{move || t().unit_code}</span><input name="unit_code" value=o.unit_code.clone() />{error_at("unit_code")}</label>
                    <label><span>{move || t().new_password}</span><input name="password" type="password" autocomplete="new-password" />{error_at("password")}</label>
                    <button type="submit">{move || t().add_user}</button>
                </form>
            }.into_any()
        })}
    }
}
