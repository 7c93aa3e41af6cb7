//! The one error type of the HTTP layer and its conversion to a response.
use app::domain::FilterError;
use app::domain::survey::Broken;
use app::ssr::figures::QueryError;
use app::ssr::writes::surveys::SurveyWriteError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request is wrong; `field` names the parameter, `message` says why.
    #[error("{field}: {message}")]
    BadRequest { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// Signed in, but not allowed this write; `row` names the row refused.
    #[error("forbidden: {message}")]
    Forbidden { row: Option<u64>, message: String },
    /// Someone saved a newer version in between.
    #[error("conflict at row {row}")]
    Conflict { row: u64, stored: serde_json::Value },
    /// The version edited from is gone: someone deleted the row in between.
    #[error("{0}")]
    Deleted(String),
    /// Rows that break the contract's rules: each with its row, field and message.
    #[error("{} problem(s)", .0.len())]
    Unprocessable(Vec<serde_json::Value>),
    /// The request came from another site (a form or script elsewhere posting here).
    #[error("cross-site request refused")]
    CrossSite,
    /// The database did not get to the request in time (overload); nothing was written and
    /// the client may try again shortly.
    #[error("busy")]
    Busy,
    /// Our fault: logged with its cause, shown without it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl HttpError {
    pub fn bad(field: &'static str, message: impl Into<String>) -> Self {
        HttpError::BadRequest { field, message: message.into() }
    }
}

impl From<FilterError> for HttpError {
    fn from(e: FilterError) -> Self {
        HttpError::bad(e.field(), e.message())
    }
}

impl From<QueryError> for HttpError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Filter(e) => e.into(),
            QueryError::Db(e) => e.into(),
        }
    }
}

/// A refused survey write as the API answers it; its status is the error's own
/// (`SurveyWriteError::status`), as on the entry form.
impl From<SurveyWriteError> for HttpError {
    fn from(e: SurveyWriteError) -> Self {
        let problem = |row: Option<u64>, field: &str, message: String| json!({ "row": row, "field": field, "message": message });
        match e {
            SurveyWriteError::Invalid(problems) => HttpError::Unprocessable(
                problems
                    .iter()
                    .map(|p| match &p.broken {
                        // The stored row's version, which a program has no other way to read:
                        // sent back with the row, it replaces the stored values knowingly.
                        Broken::Exists { version, .. } => json!({
                            "row": p.line, "field": p.field.column(), "version": version,
                            "message": format!("{} (version {version}: send it as `version` to replace them)", p.broken),
                        }),
                        other => problem(Some(p.line), p.field.column(), other.to_string()),
                    })
                    .collect(),
            ),
            // A program cannot confirm a warning: the API keeps them, so this is only a guard.
            SurveyWriteError::Warned(warnings) => HttpError::Unprocessable(
                warnings.iter().map(|w| problem(Some(w.line), "", w.warning.to_string())).collect(),
            ),
            SurveyWriteError::ReasonRequired => HttpError::Unprocessable(vec![problem(
                None,
                "reason",
                "a correction of another unit's figures needs a reason".into(),
            )]),
            SurveyWriteError::Forbidden { line, unit } => {
                HttpError::Forbidden { row: Some(line), message: format!("not allowed to write for unit `{unit}`") }
            }
            SurveyWriteError::Conflict { line, stored } => {
                HttpError::Conflict { row: line, stored: serde_json::to_value(stored).unwrap_or(serde_json::Value::Null) }
            }
            e @ SurveyWriteError::NotFound(_) => HttpError::Deleted(e.to_string()),
            SurveyWriteError::Db(e) => e.into(),
        }
    }
}

impl From<sea_orm::DbErr> for HttpError {
    fn from(e: sea_orm::DbErr) -> Self {
        if app::ssr::db::overloaded(&e) {
            tracing::warn!(cause = %e, "database busy: answered 503");
            HttpError::Busy
        } else {
            HttpError::Internal(e.to_string())
        }
    }
}

impl From<crate::formats::FormatError> for HttpError {
    fn from(e: crate::formats::FormatError) -> Self {
        HttpError::Internal(e.to_string())
    }
}

impl From<crate::formats::TableExportError> for HttpError {
    fn from(e: crate::formats::TableExportError) -> Self {
        HttpError::Internal(e.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            HttpError::BadRequest { field, message } => {
                (StatusCode::BAD_REQUEST, serde_json::json!({ "error": message, "field": field }))
            }
            HttpError::NotFound => (StatusCode::NOT_FOUND, serde_json::json!({ "error": "not found" })),
            HttpError::Forbidden { row, message } => {
                (StatusCode::FORBIDDEN, serde_json::json!({ "error": message, "row": row }))
            }
            HttpError::Conflict { row, stored } => (
                StatusCode::CONFLICT,
                serde_json::json!({ "error": "the row was changed since the version given", "row": row, "stored": stored }),
            ),
            HttpError::Deleted(message) => (StatusCode::CONFLICT, serde_json::json!({ "error": message })),
            HttpError::Unprocessable(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({ "error": "nothing was written", "problems": problems }),
            ),
            HttpError::CrossSite => {
                (StatusCode::FORBIDDEN, serde_json::json!({ "error": "cross-site request refused" }))
            }
            HttpError::Busy => return app::ssr::db::busy_response(),
            HttpError::Internal(cause) => return app::ssr::db::internal_response(cause),
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overload_is_a_503_to_retry_and_other_database_errors_a_500() {
        let busy = HttpError::from(sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)).into_response();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.headers()[axum::http::header::RETRY_AFTER], "2");
        let broken = HttpError::from(sea_orm::DbErr::Custom("no such table".into())).into_response();
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_refused_survey_write_has_one_status_on_the_form_and_the_api() {
        use app::domain::survey::{Broken, Stored, SurveyField};
        use app::ssr::writes::surveys::RowProblem;
        let stored = Stored { version: 2, respondents: 10, satisfied: 9, levels: None };
        let refusals = || {
            vec![
                SurveyWriteError::Invalid(vec![RowProblem { line: 1, field: SurveyField::Period, broken: Broken::Required }]),
                SurveyWriteError::Forbidden { line: 1, unit: "N2".into() },
                SurveyWriteError::Conflict { line: 1, stored: stored.clone() },
                SurveyWriteError::ReasonRequired,
                SurveyWriteError::NotFound("N1, , 2026-11".into()),
                SurveyWriteError::Db(sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)),
                SurveyWriteError::Db(sea_orm::DbErr::Custom("no such table".into())),
            ]
        };
        let statuses: Vec<u16> = refusals().iter().map(|e| e.status().as_u16()).collect();
        assert_eq!(statuses, [422, 403, 409, 422, 409, 503, 500]);
        for e in refusals() {
            let status = e.status();
            assert_eq!(HttpError::from(e).into_response().status(), status);
        }
    }
}
