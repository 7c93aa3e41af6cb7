//! The forms that write: sign-in, sign-out and survey entry. Each is a plain HTML form
//! post (so it works without JavaScript): success redirects (303) to a page that shows
//! the result; a refusal renders the form page again with the values kept and the
//! messages, through the same Leptos page the GET shows.
use super::HttpError;
use app::domain::access::Writer;
use app::domain::survey::{Broken, SurveyDraft, SurveyField};
use app::ssr::auth::{self, guard::AuthUser, session, LoginError};
use app::ssr::writes::{self, surveys, surveys::SurveyWriteError, Audit};
use app::ssr::AppState;
use app::page_data::{LoginData, LoginProblem, SurveySubmission};
use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, Request, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/survey", post(enter_survey))
        .route("/survey/delete", post(delete_survey))
}

/// Renders the Leptos page at `path` for this request, with `outcome` in its context
/// (what the form's page shows next to the fields), and answers with `status`.
pub(super) async fn page_with<T: Clone + Send + Sync + 'static>(
    state: AppState,
    headers: HeaderMap,
    path: &str,
    outcome: T,
    status: StatusCode,
) -> Response {
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            leptos::prelude::provide_context(context_state.clone());
            leptos::prelude::provide_context(outcome.clone());
        },
        move || app::shell(options.clone()),
    );
    let mut request = Request::builder().uri(path).body(Body::empty()).expect("a valid path");
    *request.headers_mut() = headers;
    let mut response = render(request).await;
    *response.status_mut() = status;
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    response
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, HttpError> {
    let next = app::pages::same_site_path(&form.next).filter(|p| !p.starts_with("/login")).unwrap_or("/survey").to_string();
    match auth::login(&state.db, &form.username, &form.password, &peer.ip().to_string()).await {
        Ok((account, token)) => {
            tracing::info!(user = %account.username, "signed in");
            // A session the browser already had is ended: each sign-in gets a new token.
            if let Some(old) = session::token_in(&headers) {
                session::end(&state.db, &old).await.map_err(HttpError::from)?;
            }
            let cookie = session::cookie(&token, session::over_https(&headers));
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
        }
        Err(LoginError::Db(e)) => Err(HttpError::from(e)),
        Err(e) => {
            let (problem, status, retry_after) = match e {
                LoginError::Throttled(minutes) => {
                    (LoginProblem::Throttled(minutes), StatusCode::TOO_MANY_REQUESTS, Some(minutes * 60))
                }
                LoginError::Busy => (LoginProblem::Busy, StatusCode::SERVICE_UNAVAILABLE, Some(2)),
                _ => (LoginProblem::Wrong, StatusCode::UNAUTHORIZED, None),
            };
            let data = LoginData { username: form.username.chars().take(64).collect(), next, problem: Some(problem), account: None };
            let mut page = page_with(state, headers, "/login", data, status).await;
            if let Some(seconds) = retry_after {
                page.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            }
            Ok(page)
        }
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, HttpError> {
    if let Some(token) = session::token_in(&headers) {
        session::end(&state.db, &token).await.map_err(HttpError::from)?;
    }
    Ok(([(header::SET_COOKIE, session::cleared_cookie(session::over_https(&headers)))], Redirect::to("/")).into_response())
}

/// The entry form: the draft's fields, and what the form adds around them; absent ones are
/// empty.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SurveyForm {
    #[serde(flatten)]
    draft: SurveyDraft,
    version: String,
    reason: String,
    confirm: String,
}

async fn enter_survey(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<SurveyForm>,
) -> Result<Response, HttpError> {
    let draft = form.draft;
    let version = form.version.trim().parse::<i32>().ok();
    let reason = form.reason.trim().chars().take(500).collect::<String>();
    let confirmed = !form.confirm.is_empty();
    let mut submission = SurveySubmission { values: draft.clone(), version, reason: reason.clone(), ..Default::default() };
    // Keeping values despite a warning is audited with its reason, so it needs one.
    if confirmed && reason.is_empty() {
        submission.reason_missing = true;
    }
    let writer = Writer::Account(account.clone());
    let audit = Audit::new(
        account.username.clone(),
        if writer.corrects() { "correction" } else { "entry" },
        Some(reason.clone()).filter(|r| !r.is_empty()),
    );
    let row = surveys::SurveyWrite { line: 1, draft: draft.clone(), version };
    let confirmed = confirmed && !reason.is_empty();
    match surveys::save_entry(&state.writes, &state.db, writer, vec![row], confirmed, audit).await {
        Ok(_) => {
            let to = format!(
                "/survey?saved=1&unit_code={}&model_code={}&period={}",
                app::pages::encode(draft.unit_code.trim()),
                app::pages::encode(draft.model_code.trim()),
                app::pages::encode(draft.period.trim())
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            e.log_refusal(&account.username);
            let status = refused(&mut submission, e)?;
            Ok(page_with(state, headers, "/survey", submission, status).await)
        }
    }
}

/// What a refused survey write shows on the entry form, next to the fields, and its status.
fn refused(submission: &mut SurveySubmission, e: SurveyWriteError) -> Result<StatusCode, HttpError> {
    let status = e.status();
    match e {
        SurveyWriteError::Invalid(problems) => submission.problems = problems.into_iter().map(|p| (p.field, p.broken)).collect(),
        SurveyWriteError::Forbidden { unit, .. } => submission.problems = vec![(SurveyField::UnitCode, Broken::NotYourUnit(unit))],
        SurveyWriteError::Conflict { stored, .. } => {
            // The form shows the stored values beside the writer's, and edits from the new version.
            submission.version = Some(stored.version);
            submission.conflict = Some(stored);
        }
        SurveyWriteError::Warned(warnings) => submission.warnings = warnings.into_iter().map(|w| w.warning).collect(),
        SurveyWriteError::ReasonRequired => submission.reason_missing = true,
        // Edited from a version that was deleted meanwhile: it is a new entry now.
        SurveyWriteError::NotFound(_) => submission.version = None,
        SurveyWriteError::Db(e) => return Err(e.into()),
    }
    Ok(status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeleteForm {
    unit_code: String,
    model_code: String,
    period: String,
    version: String,
    reason: String,
}

/// An official deletes an entry, with a reason; the values stay in the audit log.
async fn delete_survey(
    State(state): State<AppState>,
    AuthUser(account): AuthUser,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Result<Response, HttpError> {
    let writer = Writer::Account(account.clone());
    let reason = form.reason.trim().chars().take(500).collect::<String>();
    let model = Some(form.model_code.trim()).filter(|m| !m.is_empty());
    let version = form.version.trim().parse::<i32>().map_err(|_| HttpError::bad("version", "a whole number"))?;
    let audit = Audit::new(account.username.clone(), "delete", Some(reason.clone()).filter(|r| !r.is_empty()));
    let txn = writes::begin(&state.db).await?;
    let key = (form.unit_code.trim(), model, form.period.trim());
    let mut submission = SurveySubmission {
        values: SurveyDraft {
            unit_code: form.unit_code.clone(),
            model_code: form.model_code.clone(),
            period: form.period.clone(),
            ..Default::default()
        },
        version: Some(version),
        reason: reason.clone(),
        ..Default::default()
    };
    match surveys::delete(&txn, &writer, key, version, &audit).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(Redirect::to(&format!("/communes/{}", app::pages::encode(form.unit_code.trim()))).into_response())
        }
        Err(e) => {
            drop(txn);
            e.log_refusal(&account.username);
            let status = refused(&mut submission, e)?;
            Ok(page_with(state, headers, "/survey", submission, status).await)
        }
    }
}
