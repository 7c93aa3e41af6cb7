//! `/charts/{chart}.{svg,png,csv}`: each dashboard chart at a stable URL with the page's
//! filters, drawn from the same figures as the page, its CSV the table beside it.
use super::export::{figure_filter, given, FigureQuery};
use super::HttpError;
use crate::formats::table_csv_of;
use app::charts::{self as specs, ChartName};
use app::domain::TREND_COLUMNS;
use app::i18n::Lang;
use app::ssr::{charts, figures, views, AppState};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/charts/{file}", get(chart))
}

/// The chart's words follow the reader's language cookie, or `?lang=` for an embed.
fn language(headers: &HeaderMap, q: &FigureQuery) -> Lang {
    given(&q.lang).and_then(|l| Lang::from_code(&l)).unwrap_or_else(|| {
        headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header).unwrap_or_default()
    })
}

async fn chart(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<FigureQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (stem, ext) = file.rsplit_once('.').ok_or(HttpError::NotFound)?;
    let name = ChartName::from_slug(stem).ok_or(HttpError::NotFound)?;
    if !matches!(ext, "svg" | "png" | "csv") {
        return Err(HttpError::NotFound);
    }
    let lang = language(&headers, &q);
    let filter = figure_filter(&state, &q).await?;
    let db = &state.db;
    let (spec, csv) = match name {
        ChartName::SatisfactionTrend => trend_chart(&state, &filter, &q, lang).await?,
        _ => {
            let comparison = if matches!(name, ChartName::AdoptionByCommune | ChartName::SatisfactionByCommune) {
                use sea_orm::EntityTrait;
                let code = given(&q.district).ok_or_else(|| HttpError::bad("district", "required: a district code"))?;
                let found = app::ssr::entities::unit::Entity::find_by_id(code.clone()).one(db).await?;
                if found.is_none_or(|u| u.level == "commune") {
                    return Err(app::domain::FilterError::UnknownDistrict(code).into());
                }
                views::commune_comparison(db, &code, &filter).await?
            } else {
                figures::comparison(db, &filter).await?
            };
            let csv = table_csv_of(&comparison.columns(), comparison.rows.iter().map(|r| r.csv_cells().to_vec()))?;
            let spec = if matches!(name, ChartName::AdoptionByDistrict | ChartName::AdoptionByCommune) {
                specs::adoption_bars(&comparison, lang)
            } else {
                specs::satisfaction_intervals(&comparison, lang)
            };
            (spec, csv)
        }
    };
    let filename = format!("{}-{}.{ext}", name.slug(), filter.period);
    let (content_type, body) = match ext {
        "svg" => ("image/svg+xml", charts::svg(&spec).map_err(|e| HttpError::Internal(e.to_string()))?.into_bytes()),
        "png" => ("image/png", charts::png(&spec).map_err(|e| HttpError::Internal(e.to_string()))?),
        _ => ("text/csv; charset=utf-8", csv),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
}

/// The dashboard's trend: the province's line and the chosen district's, one CSV row per
/// line and period.
async fn trend_chart(
    state: &AppState,
    filter: &app::domain::FigureFilter,
    q: &FigureQuery,
    lang: Lang,
) -> Result<(specs::ChartSpec, Vec<u8>), HttpError> {
    let districts = figures::district_choices(&state.db).await?;
    let district = views::chosen_district(&districts, given(&q.district).as_deref())?;
    let lines = views::dashboard_trend(&state.db, filter, district.as_ref(), lang).await?;
    let mut header = vec!["unit"];
    header.extend(TREND_COLUMNS);
    let rows = lines.iter().flat_map(|(unit, rows)| {
        rows.iter().map(move |r| {
            let mut cells = vec![unit.clone()];
            cells.extend(r.csv_cells());
            cells
        })
    });
    Ok((specs::trend_lines(&lines, lang), table_csv_of(&header, rows)?))
}
