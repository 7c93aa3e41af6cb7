//! The forms for reference data: `POST /edit/model`, `POST /edit/adoption`, `POST /edit/unit`. As with
//! survey entry, success redirects (303) to the model's page and a refusal renders the form
//! page again, with the values kept and the messages, through the page the GET shows.
use super::entry::{page_with, SignedIn};
use super::HttpError;
use app::domain::access::{Account, Writer};
use app::domain::reference::{AdoptionDraft, ModelDraft, UnitDraft};
use app::ssr::writes::{self, adoptions, models, units, Audit, ReferenceWriteError};
use app::ssr::AppState;
use app::views::{ReferenceForm, Refusal};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/edit/model", post(save_model))
        .route("/edit/adoption", post(save_adoption))
        .route("/edit/unit", post(save_unit))
}

/// The audit's note on a change: optional, bounded like every text.
fn reason_of(raw: &str) -> String {
    raw.trim().chars().take(500).collect()
}

/// Who writes, and how the audit log records it.
fn editor(account: &Account, reason: &str) -> (Writer, Audit) {
    let audit = Audit::new(account.username.clone(), "edit", Some(reason.to_string()).filter(|r| !r.is_empty()));
    (Writer::Account(account.clone()), audit)
}

/// Commits an accepted save and redirects (303) to `to`; a refused one renders the form page
/// at `page` again with the writer's values (`form`) and what was wrong. `forbidden` is
/// what the page says to someone without the right.
#[allow(clippy::too_many_arguments)]
async fn finish<D, T>(
    state: AppState,
    headers: HeaderMap,
    txn: sea_orm::DatabaseTransaction,
    saved: Result<T, ReferenceWriteError<D>>,
    to: String,
    page: &str,
    mut form: ReferenceForm<D>,
    forbidden: Refusal,
) -> Result<Response, HttpError>
where
    D: Clone + Send + Sync + 'static,
{
    let error = match saved {
        Ok(_) => {
            txn.commit().await?;
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    drop(txn);
    if matches!(error, ReferenceWriteError::Forbidden) {
        let user = form.account.as_ref().map(|a| a.username.clone()).unwrap_or_default();
        tracing::warn!(%user, page, "reference edit refused: not allowed");
    }
    let status = refused(&mut form, error, forbidden)?;
    Ok(page_with(state, headers, page, form, status).await)
}

/// What a refused save shows, and with which status.
fn refused<D>(form: &mut ReferenceForm<D>, error: ReferenceWriteError<D>, forbidden: Refusal) -> Result<StatusCode, HttpError> {
    Ok(match error {
        ReferenceWriteError::Invalid(faults) => {
            form.problems = faults;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ReferenceWriteError::Forbidden => {
            form.refusal = Some(forbidden);
            StatusCode::FORBIDDEN
        }
        ReferenceWriteError::Conflict { stored, revision } => {
            // The form edits from what is stored now.
            form.conflict = Some(stored);
            form.revision = Some(revision);
            StatusCode::CONFLICT
        }
        ReferenceWriteError::NotFound => {
            form.refusal = Some(Refusal::NotFound);
            StatusCode::NOT_FOUND
        }
        ReferenceWriteError::Db(e) => return Err(e.into()),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ModelForm {
    code: String,
    name: String,
    category: String,
    description: String,
    launched_on: String,
    revision: String,
    reason: String,
}

async fn save_model(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    headers: HeaderMap,
    Form(f): Form<ModelForm>,
) -> Result<Response, HttpError> {
    let draft = ModelDraft { code: f.code, name: f.name, category: f.category, description: f.description, launched_on: f.launched_on };
    let revision = Some(f.revision.trim().to_string()).filter(|r| !r.is_empty());
    let reason = reason_of(&f.reason);
    let (writer, audit) = editor(&account, &reason);
    let txn = writes::begin(&state.db).await?;
    let saved = models::save(&txn, &writer, &draft, revision.as_deref(), &audit).await;
    let to = format!("/models/{}", app::pages::encode(draft.code.trim()));
    let form = ReferenceForm { account: Some(account), values: draft, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/model", form, Refusal::NotAllowed).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AdoptionForm {
    id: String,
    unit_code: String,
    model_code: String,
    started_on: String,
    ended_on: String,
    stage: String,
    steered_by: String,
    revision: String,
    reason: String,
}

async fn save_adoption(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    headers: HeaderMap,
    Form(f): Form<AdoptionForm>,
) -> Result<Response, HttpError> {
    let draft = AdoptionDraft {
        unit_code: f.unit_code,
        model_code: f.model_code,
        started_on: f.started_on,
        ended_on: f.ended_on,
        stage: f.stage,
        steered_by: f.steered_by,
    };
    let id = match f.id.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| HttpError::bad("id", "a whole number"))?),
    };
    let revision = f.revision.trim().to_string();
    let edited = id.map(|id| (id, revision.as_str()));
    let reason = reason_of(&f.reason);
    let (writer, audit) = editor(&account, &reason);
    let txn = writes::begin(&state.db).await?;
    let saved = adoptions::save(&txn, &writer, &draft, edited, &audit).await;
    let to = format!("/models/{}", app::pages::encode(draft.model_code.trim()));
    let revision = Some(revision).filter(|r| !r.is_empty());
    let form = ReferenceForm { account: Some(account), values: draft, id, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/adoption", form, Refusal::NotAllowed).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitForm {
    code: String,
    name: String,
    level: String,
    parent_code: String,
    kind: String,
    valid_from: String,
    valid_to: String,
    successor_code: String,
    revision: String,
    reason: String,
}

async fn save_unit(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    headers: HeaderMap,
    Form(f): Form<UnitForm>,
) -> Result<Response, HttpError> {
    let draft = UnitDraft {
        code: f.code,
        name: f.name,
        level: f.level,
        parent_code: f.parent_code,
        kind: f.kind,
        valid_from: f.valid_from,
        valid_to: f.valid_to,
        successor_code: f.successor_code,
    };
    let revision = Some(f.revision.trim().to_string()).filter(|r| !r.is_empty());
    let reason = reason_of(&f.reason);
    let (writer, audit) = editor(&account, &reason);
    let txn = writes::begin(&state.db).await?;
    let saved = units::save(&txn, &writer, &draft, revision.as_deref(), &audit).await;
    let page = if draft.level.trim() == "district" { "districts" } else { "communes" };
    let to = format!("/{page}/{}", app::pages::encode(draft.code.trim()));
    let form = ReferenceForm { account: Some(account), values: draft, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/unit", form, Refusal::UnitsNotAllowed).await
}
