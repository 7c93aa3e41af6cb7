//! `/charts/{chart}.{svg,png,csv}`: each dashboard chart at a stable URL with the page's
//! filters, drawn from the same figures as the page, its CSV the table beside it.
use super::export::{figure_filter, given};
use app::domain::FigureQuery;
use super::{HeavySlots, HttpError};
use crate::formats::table_csv_of;
use app::charts::{self as specs, ChartName};
use app::domain::TREND_COLUMNS;
use app::i18n::Lang;
use app::ssr::{charts, figures, loaders, AppState};
use sea_orm::EntityTrait;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
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
    Extension(slots): Extension<HeavySlots>,
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
    let key = (name, ext.to_string(), q.clone().normalised(), lang);
    let (content_type, filename, body) =
        state.figures.get(&state.db, key, || async {
            let _slot = slots.take().await?;
            draw(&state, name, ext, &q, lang).await
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, filename)],
        body,
    )
        .into_response())
}

/// The chart as its content type, its `Content-Disposition` and its bytes.
async fn draw(
    state: &AppState,
    name: ChartName,
    ext: &str,
    q: &FigureQuery,
    lang: Lang,
) -> Result<(&'static str, String, axum::body::Bytes), HttpError> {
    let db = &state.db;
    // The unit and model charts show their whole history: no period.
    let (spec, csv, label) = match name {
        ChartName::CommuneHistory => {
            let code = given(&q.commune).ok_or_else(|| HttpError::bad("commune", "required: a commune code"))?;
            let found = app::ssr::entities::unit::Entity::find_by_id(code.clone()).one(db).await?;
            let Some(unit) = found.filter(|u| u.level == "commune") else {
                return Err(app::domain::FilterError::UnknownUnit(code).into());
            };
            let rows = loaders::commune_trend(db, &code).await?;
            let csv = table_csv_of(&TREND_COLUMNS, rows.iter().map(|r| r.csv_cells()))?;
            (specs::trend_lines(&[(unit.name, rows)], lang), csv, code)
        }
        ChartName::ModelAdoption => {
            let code = given(&q.model).ok_or_else(|| HttpError::bad("model", "required: a model code"))?;
            let curve =
                loaders::model_curve(db, &code).await?.ok_or(app::domain::FilterError::UnknownModel(code.clone()))?;
            let rows = curve.iter().map(|(y, pilot, scaled)| vec![y.to_string(), pilot.to_string(), scaled.to_string()]);
            let csv = table_csv_of(&["year", "pilot", "scaled"], rows)?;
            (specs::adoption_curve(&curve, lang), csv, code)
        }
        _ => {
            let filter = figure_filter(state, q).await?;
            let (spec, csv) = period_chart(state, name, &filter, q, lang).await?;
            (spec, csv, filter.period.to_string())
        }
    };
    let filename = format!("{}-{label}.{ext}", name.slug());
    let (content_type, body) = match ext {
        "svg" => ("image/svg+xml", charts::svg(&spec).map_err(|e| HttpError::Internal(e.to_string()))?.into_bytes()),
        "png" => ("image/png", charts::png(&spec).map_err(|e| HttpError::Internal(e.to_string()))?),
        _ => ("text/csv; charset=utf-8", csv),
    };
    Ok((content_type, format!("inline; filename=\"{filename}\""), body.into()))
}

/// The charts of a period: the dashboard's and the district page's.
async fn period_chart(
    state: &AppState,
    name: ChartName,
    filter: &app::domain::FigureFilter,
    q: &FigureQuery,
    lang: Lang,
) -> Result<(specs::ChartSpec, Vec<u8>), HttpError> {
    let db = &state.db;
    Ok(match name {
        ChartName::SatisfactionTrend => trend_chart(state, filter, q, lang).await?,
        ChartName::AdoptionByModel => {
            let matrix = adoption_matrix(db, filter).await?;
            let rows = matrix.by_model().into_iter().map(|(m, adopting, communes)| {
                let rate = app::domain::figures::adoption_rate(adopting, communes).map(|p| p.to_2dp()).unwrap_or_default();
                vec![m.code, m.name, communes.to_string(), adopting.to_string(), rate]
            });
            let csv = table_csv_of(&["model_code", "model_name", "communes", "communes_adopting", "adoption_rate"], rows)?;
            (specs::adoption_by_model(&matrix, lang), csv)
        }
        ChartName::ModelsPerCommune => {
            let distribution = loaders::models_distribution(db, filter).await?;
            let communes: u64 = distribution.iter().map(|d| d.1).sum();
            let rows = distribution.iter().map(|&(m, n)| {
                let share = app::domain::figures::adoption_rate(n, communes).map(|p| p.to_2dp()).unwrap_or_default();
                vec![m.to_string(), n.to_string(), share]
            });
            let csv = table_csv_of(&["models", "communes", "share"], rows)?;
            (specs::models_per_commune(&distribution, lang), csv)
        }
        ChartName::SatisfactionFunnel => {
            let funnel = figures::funnel(db, filter, given(&q.district).as_deref()).await?;
            let csv = table_csv_of(&app::domain::FUNNEL_COLUMNS, funnel.rows.iter().map(|r| r.csv_cells()))?;
            (specs::funnel_plot(&funnel, lang), csv)
        }
        _ => {
            let comparison = if matches!(name, ChartName::AdoptionByCommune | ChartName::SatisfactionByCommune) {
                let code = given(&q.district).ok_or_else(|| HttpError::bad("district", "required: a district code"))?;
                figures::check_commune_parent(db, &code).await?;
                loaders::commune_comparison(db, &code, filter).await?
            } else {
                figures::comparison(db, filter, &figures::provinces(db).await?).await?
            };
            let csv = table_csv_of(&comparison.columns(), comparison.rows.iter().map(|r| r.csv_cells().to_vec()))?;
            let spec = if matches!(name, ChartName::AdoptionByDistrict | ChartName::AdoptionByCommune) {
                specs::adoption_bars(&comparison, lang)
            } else {
                specs::satisfaction_intervals(&comparison, lang)
            };
            (spec, csv)
        }
    })
}

/// The dashboard's group × model matrix of adoption for the filter, as the page has it.
async fn adoption_matrix(
    db: &app::ssr::Db,
    filter: &app::domain::FigureFilter,
) -> Result<std::sync::Arc<app::domain::AdoptionMatrix>, HttpError> {
    let (models, provinces) = (figures::model_choices(db).await?, figures::provinces(db).await?);
    Ok(loaders::adoption_matrix(db, filter, &models, &provinces).await?)
}

/// The dashboard's trend: the province's line and the chosen district's, one CSV row per
/// line and period.
async fn trend_chart(
    state: &AppState,
    filter: &app::domain::FigureFilter,
    q: &FigureQuery,
    lang: Lang,
) -> Result<(specs::ChartSpec, Vec<u8>), HttpError> {
    let provinces = figures::provinces(&state.db).await?;
    let districts = figures::trend_choices(&state.db, filter, &provinces).await?;
    let district = loaders::chosen_district(&districts, given(&q.district).as_deref())?;
    let lines = loaders::dashboard_trend(&state.db, filter, &provinces, district.as_ref(), lang).await?;
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
