//! The parts of pages that run in the browser: the only code the wasm holds besides
//! `nav.js`. Everything else is rendered on the server (`pages/`), and an island gets what
//! it needs, the reader's language included, as props.
use crate::domain::survey::SurveyField;
use crate::i18n::Lang;
use leptos::prelude::*;

/// `satisfied ÷ respondents` as the form shows it while typing, `—` until both make sense.
pub(crate) fn typed_rate(lang: Lang, respondents: &str, satisfied: &str) -> String {
    match (respondents.trim().parse::<u64>(), satisfied.trim().parse::<u64>()) {
        (Ok(n), Ok(s)) if n > 0 && s <= n => {
            crate::i18n::show_percent(lang, crate::domain::Percent::from_ratio(s, n)) + " %"
        }
        _ => "—".into(),
    }
}

/// The entry's two counts and the rate they make. It is the form's one island: once the
/// wasm has loaded, the rate follows the figures as they are typed.
#[island]
pub fn CountFields(
    lang: Lang,
    respondents: String,
    satisfied: String,
    respondents_error: Option<String>,
    satisfied_error: Option<String>,
) -> impl IntoView {
    let t = lang.entry();
    let typed_respondents = RwSignal::new(respondents.clone());
    let typed_satisfied = RwSignal::new(satisfied.clone());
    view! {
        {number_field(SurveyField::Respondents, t.respondents.to_string(), respondents, respondents_error, Some(typed_respondents))}
        {number_field(SurveyField::Satisfied, t.satisfied.to_string(), satisfied, satisfied_error, Some(typed_satisfied))}
        <p class="rate-now" aria-live="polite" data-testid="rate-now">
            {t.rate_now}" "<output>{move || typed_rate(lang, &typed_respondents.get(), &typed_satisfied.get())}</output>
        </p>
    }
}

/// A count's field, with its error (if any) next to it; `typed` follows what is typed.
pub(crate) fn number_field(
    name: SurveyField,
    label: String,
    value: String,
    error: Option<String>,
    typed: Option<RwSignal<String>>,
) -> impl IntoView {
    let id = format!("f-{}", name.column());
    let label_for = id.clone();
    let err_id = format!("e-{}", name.column());
    let invalid = error.is_some().to_string();
    view! {
        <label for=label_for>
            <span>{label}</span>
            <input id=id name=name.column() type="text" inputmode="numeric" pattern="[0-9]*" autocomplete="off"
                value=value aria-invalid=invalid aria-describedby=err_id.clone()
                on:input=move |ev| if let Some(typed) = typed { typed.set(event_target_value(&ev)) } />
            {error.map(|e| view! { <span class="field-error" id=err_id>{e}</span> })}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_rate_shows_only_counts_that_make_sense() {
        assert_eq!(typed_rate(Lang::Vi, "96", "88"), "91,67 %");
        assert_eq!(typed_rate(Lang::En, " 96 ", "88"), "91.67 %");
        assert_eq!(typed_rate(Lang::Vi, "96", "97"), "—", "more satisfied than ballots");
        assert_eq!(typed_rate(Lang::Vi, "0", "0"), "—", "no ballots");
        assert_eq!(typed_rate(Lang::Vi, "9x", "8"), "—");
        assert_eq!(typed_rate(Lang::Vi, "", ""), "—");
    }
}
