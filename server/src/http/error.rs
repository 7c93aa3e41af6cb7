//! The one error type of the HTTP layer and its conversion to a response.
use app::domain::FilterError;
use app::ssr::figures::QueryError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request is wrong; `field` names the parameter, `message` says why.
    #[error("{field}: {message}")]
    BadRequest { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// No valid credentials (a missing, revoked or unknown API token).
    #[error("unauthorized")]
    Unauthorized,
    /// Signed in, but not allowed this write; `row` names the row refused.
    #[error("forbidden: {message}")]
    Forbidden { row: Option<u64>, message: String },
    /// Someone saved a newer version in between.
    #[error("conflict at row {row}")]
    Conflict { row: u64, stored: serde_json::Value },
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

impl From<sea_orm::DbErr> for HttpError {
    fn from(e: sea_orm::DbErr) -> Self {
        if overloaded(&e) {
            tracing::warn!(cause = %e, "database busy: answered 503");
            HttpError::Busy
        } else {
            HttpError::Internal(e.to_string())
        }
    }
}

/// The database did not get to this request in time: every pooled connection was busy for
/// the pool's whole wait, PostgreSQL cancelled a statement at `statement_timeout` or broke a
/// deadlock, or SQLite's lock stayed held past `busy_timeout`. The transaction rolled back,
/// so a retry is safe; under a burst of writers this is load, not a fault.
fn overloaded(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx, ConnAcquireErr, DbErr, RuntimeErr};
    let cause = match e {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(c)) | DbErr::Exec(RuntimeErr::SqlxError(c)) | DbErr::Query(RuntimeErr::SqlxError(c)) => c,
        _ => return false,
    };
    match cause.as_ref() {
        sqlx::Error::PoolTimedOut => true,
        // PostgreSQL: query_canceled, lock_not_available, deadlock_detected,
        // serialization_failure; SQLite: BUSY, LOCKED, BUSY_SNAPSHOT.
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("57014" | "55P03" | "40P01" | "40001" | "5" | "6" | "517")),
        _ => false,
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
            HttpError::Unauthorized => {
                let body = serde_json::json!({ "error": "a valid API token is required (Authorization: Bearer rdt_…)" });
                return (StatusCode::UNAUTHORIZED, [(axum::http::header::WWW_AUTHENTICATE, "Bearer")], Json(body))
                    .into_response();
            }
            HttpError::Forbidden { row, message } => {
                (StatusCode::FORBIDDEN, serde_json::json!({ "error": message, "row": row }))
            }
            HttpError::Conflict { row, stored } => (
                StatusCode::CONFLICT,
                serde_json::json!({ "error": "the row was changed since the version given", "row": row, "stored": stored }),
            ),
            HttpError::Unprocessable(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({ "error": "nothing was written", "problems": problems }),
            ),
            HttpError::CrossSite => {
                (StatusCode::FORBIDDEN, serde_json::json!({ "error": "cross-site request refused" }))
            }
            HttpError::Busy => {
                let body = serde_json::json!({ "error": "the server is busy; nothing was written, try again shortly" });
                return (StatusCode::SERVICE_UNAVAILABLE, [(axum::http::header::RETRY_AFTER, "2")], Json(body)).into_response();
            }
            HttpError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({ "error": "internal error" }))
            }
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
}
