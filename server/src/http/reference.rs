//! The forms for reference data: `POST /edit/model`, `POST /edit/adoption`, `POST /edit/unit`. As with
//! survey entry, success redirects (303) to the model's page and a refusal renders the form
//! page again, with the values kept and the messages, through the page the GET shows.
use super::entry::page_with;
use app::ssr::auth::guard::AuthUser;
use super::HttpError;
use app::domain::access::{Account, Writer};
use app::domain::reference::{AdoptionDraft, ModelDraft, UnitDraft};
use app::ssr::writes::{self, adoptions, models, units, Audit, ReferenceWriteError};
use app::ssr::AppState;
use app::page_data::{ReferenceForm, Refusal};
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

/// A reference form as posted: its draft's fields, and what the form adds around them.
#[derive(Deserialize)]
struct Posted<D> {
    #[serde(flatten)]
    draft: D,
    /// The stored row being edited (adoptions, whose key can change).
    #[serde(default)]
    id: String,
    /// What the form was filled from; a save over a newer one is refused.
    #[serde(default)]
    revision: String,
    #[serde(default)]
    reason: String,
}

impl<D> Posted<D> {
    /// The revision edited from (none for a new record), the note on the change (optional,
    /// bounded like every text), who writes, and how the audit log records it.
    fn edit_by(&self, account: &Account) -> (Option<String>, String, Writer, Audit) {
        let revision = Some(self.revision.trim().to_string()).filter(|r| !r.is_empty());
        let reason: String = self.reason.trim().chars().take(500).collect();
        let audit = Audit::new(account.username.clone(), "edit", Some(reason.clone()).filter(|r| !r.is_empty()));
        (revision, reason, Writer::Account(account.clone()), audit)
    }
}

async fn save_model(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(f): Form<Posted<ModelDraft>>,
) -> Result<Response, HttpError> {
    let (revision, reason, writer, audit) = f.edit_by(&account);
    let draft = f.draft;
    let txn = writes::begin(&state.db).await?;
    let saved = models::save(&txn, &writer, &draft, revision.as_deref(), &audit).await;
    let to = format!("/models/{}", app::pages::encode(draft.code.trim()));
    let form = ReferenceForm { account: Some(account), values: draft, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/model", form, Refusal::NotAllowed).await
}

async fn save_adoption(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(f): Form<Posted<AdoptionDraft>>,
) -> Result<Response, HttpError> {
    let id = match f.id.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| HttpError::bad("id", "a whole number"))?),
    };
    let (revision, reason, writer, audit) = f.edit_by(&account);
    let draft = f.draft;
    let edited = id.map(|id| (id, revision.as_deref().unwrap_or("")));
    let txn = writes::begin(&state.db).await?;
    let saved = adoptions::save(&txn, &writer, &draft, edited, &audit).await;
    let to = format!("/models/{}", app::pages::encode(draft.model_code.trim()));
    let form = ReferenceForm { account: Some(account), values: draft, id, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/adoption", form, Refusal::NotAllowed).await
}

async fn save_unit(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(f): Form<Posted<UnitDraft>>,
) -> Result<Response, HttpError> {
    let (revision, reason, writer, audit) = f.edit_by(&account);
    let draft = f.draft;
    let txn = writes::begin(&state.db).await?;
    let saved = units::save(&txn, &writer, &draft, revision.as_deref(), &audit).await;
    let page = if draft.level.trim() == "district" { "districts" } else { "communes" };
    let to = format!("/{page}/{}", app::pages::encode(draft.code.trim()));
    let form = ReferenceForm { account: Some(account), values: draft, revision, reason, ..Default::default() };
    finish(state, headers, txn, saved, to, "/edit/unit", form, Refusal::UnitsNotAllowed).await
}
