//! `POST /api/v1/surveys`: the write API for the provinces' one-stop-desk software. One
//! row (an object) or many (an array, or `{"rows": [...], "reason": "..."}`), keyed by the
//! import's column names, all or nothing, through the same write path as the entry form.
//! 401 without a valid token, 403 outside the token owner's units, 409 when a `version`
//! given is no longer the stored one, 422 naming each row and field that breaks a rule (and
//! the stored `version` of a row that exists with other values).
use super::HttpError;
use app::domain::access::Writer;
use app::domain::survey::{SurveyDraft, LEVEL_FIELDS};
use app::ssr::auth::guard::AuthUser;
use app::ssr::import::SURVEY_COLUMNS;
use app::ssr::writes::{surveys, Audit};
use app::ssr::AppState;
use axum::{body::Bytes, extract::State, http::StatusCode, response::IntoResponse, routing::post, Json, Router};
use serde_json::{json, Map, Value};

/// Rows one request may carry (the body limit allows about this many too).
pub const MAX_ROWS: usize = 5_000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/surveys", post(write_surveys))
}

async fn write_surveys(State(state): State<AppState>, AuthUser(account): AuthUser, body: Bytes) -> Result<impl IntoResponse, HttpError> {
    let (rows, reason) = rows_of(&body)?;
    let writer = Writer::Account(account.clone());
    let audit = Audit::new(account.username.clone(), if writer.corrects() { "api correction" } else { "api" }, reason);
    // A program cannot answer a question: warnings are kept, reported and audited.
    let saved = surveys::save_entry(&state.writes, &state.db, writer, rows, true, audit)
        .await
        .inspect_err(|e| e.log_refusal(&account.username))?;
    let warnings: Vec<Value> =
        saved.warnings.iter().map(|w| json!({ "row": w.line, "message": w.warning.to_string() })).collect();
    let w = saved.written;
    let status = if w.inserted > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({ "inserted": w.inserted, "updated": w.updated, "unchanged": w.unchanged, "warnings": warnings }))))
}

fn problem(row: Option<u64>, field: Option<&str>, message: String) -> Value {
    json!({ "row": row, "field": field, "message": message })
}

/// The rows of the body as drafts (every value as text, like a CSV cell), and the reason.
fn rows_of(body: &[u8]) -> Result<(Vec<surveys::SurveyWrite>, Option<String>), HttpError> {
    let bad = |m: String| HttpError::Unprocessable(vec![problem(None, None, m)]);
    let value: Value = serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let (rows, reason) = match value {
        Value::Array(rows) => (rows, None),
        Value::Object(mut o) if o.contains_key("rows") => {
            let reason = match o.remove("reason") {
                None | Some(Value::Null) => None,
                Some(Value::String(r)) => Some(r.trim().chars().take(500).collect::<String>()).filter(|r| !r.is_empty()),
                Some(_) => return Err(bad("`reason` must be a string".into())),
            };
            if let Some(k) = o.keys().find(|k| *k != "rows") {
                return Err(bad(format!("unknown key `{k}` (expected rows and reason)")));
            }
            match o.remove("rows") {
                Some(Value::Array(rows)) => (rows, reason),
                _ => return Err(bad("`rows` must be an array of objects".into())),
            }
        }
        o @ Value::Object(_) => (vec![o], None),
        _ => return Err(bad("send an object (one row), an array of them, or {\"rows\": [...]}".into())),
    };
    if rows.is_empty() {
        return Err(bad("no rows".into()));
    }
    if rows.len() > MAX_ROWS {
        return Err(bad(format!("at most {MAX_ROWS} rows per request, got {}", rows.len())));
    }
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let line = i as u64 + 1;
        let Value::Object(fields) = row else {
            problems.push(problem(Some(line), None, "a row is an object".into()));
            continue;
        };
        match draft_of(line, &fields) {
            Ok(w) => out.push(w),
            Err(ps) => problems.extend(ps),
        }
    }
    if !problems.is_empty() {
        return Err(HttpError::Unprocessable(problems));
    }
    Ok((out, reason))
}

fn draft_of(line: u64, fields: &Map<String, Value>) -> Result<surveys::SurveyWrite, Vec<Value>> {
    let mut problems = Vec::new();
    for k in fields.keys() {
        if k != "version" && !SURVEY_COLUMNS.contains(&k.as_str()) {
            problems.push(problem(Some(line), Some(k), format!("unknown field (expected some of: {}, version)", SURVEY_COLUMNS.join(", "))));
        }
    }
    let mut text = |k: &str| -> String {
        match fields.get(k) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                problems.push(problem(Some(line), Some(k), "must be a string or a number".into()));
                String::new()
            }
        }
    };
    let draft = SurveyDraft {
        unit_code: text("unit_code"),
        model_code: text("model_code"),
        period: text("period"),
        respondents: text("respondents"),
        satisfied: text("satisfied"),
        levels: LEVEL_FIELDS.map(|f| text(f.column())),
    };
    let version = match text("version").trim() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(problem(Some(line), Some("version"), format!("`{v}` is not a whole number")));
                None
            }
        },
    };
    if problems.is_empty() {
        Ok(surveys::SurveyWrite { line, draft, version })
    } else {
        Err(problems)
    }
}
