//! Downloads: the district summary in three formats and the four raw tables as CSV.
use super::encoding::{Accepts, Kept};
use super::{HeavySlots, HttpError};
use crate::formats::{self, Format};
use app::domain::{FigureFilter, FigureQuery};
use app::ssr::{figures, AppState};
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/export/district-summary", get(district_summary_by_param)).route("/export/{file}", get(file))
}

pub(super) use app::domain::given;

/// `/export/district-summary?format=csv&…`: what the export page's plain form asks for.
async fn district_summary_by_param(
    State(state): State<AppState>,
    Extension(slots): Extension<HeavySlots>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let format =
        given(&q.format).unwrap_or_else(|| "csv".into()).parse::<Format>().map_err(|e| HttpError::bad("format", e))?;
    district_summary(&state, &slots, accepts, &q, format).await
}

/// `/export/district-summary.{csv,xlsx,json}` and `/export/{units,models,adoptions,surveys}.csv`.
async fn file(
    State(state): State<AppState>,
    Extension(slots): Extension<HeavySlots>,
    accepts: Accepts,
    Path(file): Path<String>,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let (stem, ext) = file.rsplit_once('.').ok_or(HttpError::NotFound)?;
    if stem == "district-summary" {
        let format = ext.parse::<Format>().map_err(|_| HttpError::NotFound)?;
        return district_summary(&state, &slots, accepts, &q, format).await;
    }
    if ext != "csv" {
        return Err(HttpError::NotFound);
    }
    if stem == "surveys" {
        // Streamed: the largest table never sits in memory whole.
        let body = slots.stream(axum::body::Body::from_stream(formats::surveys_csv_stream(state.db.clone()))).await?;
        return Ok(download(Format::Csv, "surveys.csv", body));
    }
    let _slot = slots.take().await?;
    let body = formats::table_csv(&state.db, stem).await?.ok_or(HttpError::NotFound)?;
    Ok(download(Format::Csv, &format!("{stem}.csv"), body))
}

/// The figure filter of a download or API request; the period is required there.
pub async fn figure_filter(state: &AppState, q: &FigureQuery) -> Result<FigureFilter, HttpError> {
    let period = given(&q.period).ok_or(app::domain::FilterError::PeriodRequired)?;
    Ok(figures::resolve_filter(&state.db, Some(&period), given(&q.model), given(&q.province)).await?)
}

/// Kept per version of the data as the bytes of the download (and each compressed coding,
/// once asked for).
async fn district_summary(
    state: &AppState,
    slots: &HeavySlots,
    accepts: Accepts,
    q: &FigureQuery,
    format: Format,
) -> Result<Response, HttpError> {
    // Kept under the query as asked: the filter is checked against the data inside the
    // computation, so a kept answer costs one reading of the data's version and nothing
    // more, and a filter that cannot be used is refused every time (errors are not kept).
    let key = (q.clone().normalised(), format);
    let (period, body) = state
        .figures
        .get(&state.db, key, || async {
            let _slot = slots.take().await?;
            let filter = figure_filter(state, q).await?;
            let rows = figures::district_summary(&state.db, &filter).await?;
            let body = Kept::new(formats::district_summary(&rows, format)?, format.content_type());
            Ok::<_, HttpError>((filter.period, body))
        })
        .await?;
    let filename = format!("district-summary-{period}.{}", format.extension());
    Ok(body.respond(accepts, download_headers(format, &filename)).await)
}

fn download(format: Format, filename: &str, body: impl IntoResponse) -> Response {
    (download_headers(format, filename), body).into_response()
}

fn download_headers(format: Format, filename: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, format.content_type().to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
    ]
}
