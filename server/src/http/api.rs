//! `/api/v1`: read-only JSON for scripts: the contract's tables and the figures, with the
//! same filters and the same definitions as pages and downloads.
use super::encoding::{Accepts, Kept};
use super::export::{figure_filter, given};
use super::HttpError;
use app::domain::{FigureFilter, FigureQuery};
use app::ssr::figures::CacheKey;
use app::ssr::{entities, figures, tables, AppState};
use axum::{
    extract::{Query, State},
    http::header,
    response::Response,
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(units))
        .route("/models", get(models))
        .route("/adoptions", get(adoptions))
        .route("/figures/district-summary", get(district_summary))
        .route("/figures/communes", get(communes))
        .route("/figures/models", get(model_figures))
        .route("/figures/effectiveness", get(effectiveness))
        .route("/figures/completeness", get(completeness))
        .route("/figures/trend", get(trend))
        .route("/figures/funnel", get(funnel))
}

/// A list of figures as JSON, serialized once per version of the data: the cache keeps the
/// bytes (and each compressed coding, once asked for), so a request it answers costs
/// neither a copy of the rows, nor their encoding, nor their compression.
async fn cached_json<T, E, Fut>(
    s: &AppState,
    accepts: Accepts,
    key: impl CacheKey,
    compute: impl FnOnce() -> Fut,
) -> Result<Response, HttpError>
where
    T: Serialize,
    E: Into<HttpError>,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let body = s
        .figures
        .get(&s.db, key, || async {
            let rows = compute().await.map_err(Into::into)?;
            let json = serde_json::to_vec(&rows).map_err(|e| HttpError::Internal(format!("encoding JSON: {e}")))?;
            Ok::<_, HttpError>(Kept::new(json, "application/json"))
        })
        .await?;
    Ok(body.respond(accepts, [(header::CONTENT_TYPE, "application/json")]).await)
}

/// A list of figures for the request's filter (period, model, province), cached as JSON
/// under the endpoint and the query as asked: the filter is checked against the data inside
/// the computation, so an answer the cache holds costs nothing more, and a filter that
/// cannot be used is refused every time (errors are not kept).
async fn cached_figures<T, Fut>(
    s: &AppState,
    accepts: Accepts,
    q: &FigureQuery,
    endpoint: &'static str,
    compute: impl FnOnce(FigureFilter) -> Fut,
) -> Result<Response, HttpError>
where
    T: Serialize,
    Fut: std::future::Future<Output = Result<T, HttpError>>,
{
    cached_json(s, accepts, (endpoint, q.clone().normalised()), || async { compute(figure_filter(s, q).await?).await }).await
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A unit as the import format names its fields.
#[derive(Serialize)]
struct UnitJson {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    kind: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    successor_code: Option<String>,
}

impl From<entities::unit::Model> for UnitJson {
    fn from(u: entities::unit::Model) -> Self {
        UnitJson {
            code: u.code,
            name: u.name,
            level: u.level,
            parent_code: u.parent_code,
            kind: u.kind,
            valid_from: date(u.valid_from),
            valid_to: date(u.valid_to),
            successor_code: u.successor_code,
        }
    }
}

#[derive(Deserialize)]
struct UnitQuery {
    level: Option<String>,
    parent: Option<String>,
}

async fn units(State(s): State<AppState>, Query(q): Query<UnitQuery>) -> Result<Json<Vec<UnitJson>>, HttpError> {
    let level = given(&q.level);
    if let Some(l) = &level {
        l.parse::<app::domain::UnitLevel>().map_err(|e| HttpError::bad("level", e))?;
    }
    let rows = tables::units(&s.db, level.as_deref(), given(&q.parent).as_deref()).await?;
    Ok(Json(rows.into_iter().map(UnitJson::from).collect()))
}

#[derive(Serialize)]
struct ModelJson {
    code: String,
    name: String,
    category: Option<String>,
    description: Option<String>,
    launched_on: Option<String>,
}

async fn models(State(s): State<AppState>) -> Result<Json<Vec<ModelJson>>, HttpError> {
    let rows = tables::models(&s.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| ModelJson {
                code: m.code,
                name: m.name,
                category: m.category,
                description: m.description,
                launched_on: date(m.launched_on),
            })
            .collect(),
    ))
}

#[derive(Serialize)]
struct AdoptionJson {
    unit_code: String,
    model_code: String,
    started_on: String,
    ended_on: Option<String>,
    stage: String,
    steered_by: Option<String>,
}

#[derive(Deserialize)]
struct AdoptionQuery {
    model: Option<String>,
    unit: Option<String>,
}

async fn adoptions(
    State(s): State<AppState>,
    Query(q): Query<AdoptionQuery>,
) -> Result<Json<Vec<AdoptionJson>>, HttpError> {
    let rows = tables::adoptions(&s.db, given(&q.model).as_deref(), given(&q.unit).as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AdoptionJson {
                unit_code: a.unit_code,
                model_code: a.model_code,
                started_on: a.started_on.format("%Y-%m-%d").to_string(),
                ended_on: date(a.ended_on),
                stage: a.stage,
                steered_by: a.steered_by,
            })
            .collect(),
    ))
}

async fn district_summary(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let db = &s.db;
    cached_figures(&s, accepts, &q, "district summary", |f| async move { Ok(figures::district_summary(db, &f).await?) })
        .await
}

async fn communes(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let district = given(&q.district).ok_or_else(|| HttpError::bad("district", "required: a district code"))?;
    let db = &s.db;
    cached_figures(&s, accepts, &q, "commune figures", |f| async move {
        use sea_orm::EntityTrait;
        let found = entities::unit::Entity::find_by_id(district.clone()).one(db).await?;
        if found.is_none_or(|u| u.level != "district") {
            return Err(HttpError::bad("district", format!("unknown district `{district}`")));
        }
        Ok(figures::commune_figures(db, &district, &f).await?)
    })
    .await
}

/// The funnel's rows ([`app::domain::FunnelRow`]): the contract's columns, by unit code.
async fn funnel(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let db = &s.db;
    let district = given(&q.district);
    cached_figures(&s, accepts, &q, "funnel", |f| async move { Ok(figures::funnel(db, &f, district.as_deref()).await?.rows) })
        .await
}

async fn model_figures(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let db = &s.db;
    cached_figures(&s, accepts, &q, "model figures", |f| async move { Ok(figures::model_figures(db, &f).await?) }).await
}

async fn effectiveness(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let (model, province) = (given(&q.model), given(&q.province));
    let key = ("effectiveness", model.clone(), province.clone());
    cached_json(&s, accepts, key, || async {
        let mut models = figures::model_choices(&s.db).await?;
        if let Some(m) = model {
            models.retain(|c| c.code == m);
            if models.is_empty() {
                return Err(app::domain::FilterError::UnknownModel(m).into());
            }
        }
        if let Some(p) = &province {
            if !figures::provinces(&s.db).await?.iter().any(|c| &c.code == p) {
                return Err(app::domain::FilterError::UnknownProvince(p.clone()).into());
            }
        }
        Ok::<_, HttpError>(figures::effectiveness(&s.db, &models, province.as_deref()).await?)
    })
    .await
}

async fn completeness(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HttpError> {
    let db = &s.db;
    cached_figures(&s, accepts, &q, "completeness", |f| async move { Ok(figures::completeness(db, &f).await?) }).await
}

#[derive(Deserialize)]
struct TrendQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    model: Option<String>,
}

async fn trend(
    State(s): State<AppState>,
    accepts: Accepts,
    Query(q): Query<TrendQuery>,
) -> Result<Response, HttpError> {
    use app::domain::{FilterError, Period};
    use sea_orm::EntityTrait;
    let unit = given(&q.unit).ok_or_else(|| HttpError::bad("unit", "required: a unit code"))?;
    let period = |field: &'static str, v: &Option<String>| -> Result<Period, HttpError> {
        let v = given(v).ok_or_else(|| HttpError::bad(field, "required: a year, quarter or month"))?;
        v.parse::<Period>().map_err(|e| HttpError::bad(field, e.to_string()))
    };
    let (from, to) = (period("from", &q.from)?, period("to", &q.to)?);
    let span = Period::span(from, to).map_err(|e| HttpError::bad("to", e.to_string()))?;
    let model = given(&q.model);
    let key = ("trend", unit.clone(), from, to, model.clone());
    cached_json(&s, accepts, key, || async {
        if entities::unit::Entity::find_by_id(unit.clone()).one(&s.db).await?.is_none() {
            return Err(FilterError::UnknownUnit(unit.clone()).into());
        }
        if let Some(m) = &model {
            if !figures::model_choices(&s.db).await?.iter().any(|c| &c.code == m) {
                return Err(FilterError::UnknownModel(m.clone()).into());
            }
        }
        Ok::<_, HttpError>(figures::trend(&s.db, &unit, &span, model.as_deref()).await?)
    })
    .await
}
