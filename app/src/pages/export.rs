//! `/export`: a plain GET form that downloads the district summary in a chosen format.
use super::filters::Choice;
use super::loaded;
use crate::i18n::use_lang;
use leptos::prelude::*;

pub async fn export_choices() -> Result<(String, Vec<Choice>), super::PageError> {
    use crate::ssr::figures;
    let db = super::db()?;
    let models = figures::model_choices(&db).await.map_err(super::db_failed)?;
    let period = figures::resolve_period(&db, None).await.map_err(super::query_failed)?;
    Ok((period.to_string(), models))
}

#[component]
pub fn ExportPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let choices = Resource::new(|| (), |_| export_choices());
    view! {
        <h1>{move || t().export_heading}</h1>
        <p>{move || t().export_body}</p>
        // A native form: the browser downloads the file, with or without wasm.
        {loaded(choices, move |(period, models): (String, Vec<Choice>)| view! {
            <form method="get" action="/export/district-summary" class="filters">
                <label>
                    <span>{move || t().period}</span>
                    <input name="period" value=period required />
                </label>
                <label>
                    <span>{move || t().model}</span>
                    <select name="model">
                        <option value="">{move || t().all_models}</option>
                        {models.into_iter().map(|m| view! { <option value=m.code>{m.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || t().format}</span>
                    <select name="format">
                        <option value="csv">"CSV"</option>
                        <option value="xlsx">"XLSX"</option>
                        <option value="json">"JSON"</option>
                    </select>
                </label>
                <button type="submit">{move || t().download}</button>
            </form>
        })}
    }
}
