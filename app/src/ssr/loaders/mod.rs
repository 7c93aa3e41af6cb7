//! Each page's loader: fills the page's data from the figure queries and tables, a small
//! fixed number of queries per page whatever the number of districts or communes. Chart
//! downloads call the same loaders, so a chart and its page always agree.
mod account;
mod commune;
mod completeness;
mod dashboard;
mod district;
mod forms;
mod model;
mod search;
mod survey;

pub use account::{account_page, users_page};
pub use commune::commune;
pub use completeness::completeness;
pub use dashboard::{adoption_matrix, chosen_district, dashboard, dashboard_trend, models_distribution};
pub use district::district;
pub use forms::{adoption_form, model_form, unit_form};
pub use model::{model, model_curve};
pub use search::search;
pub use survey::{survey_form, SurveyQuery};

use crate::ssr::charts::{self, ChartError};
use crate::ssr::figures::{self, QueryError};
use crate::ssr::{writes, Db};
use crate::domain::access::{Account, Writer};
use crate::domain::reference::{AdoptionDraft, ModelDraft, UnitDraft};
use crate::domain::{text, Choice, CompletenessRow, EffectivenessRow, FigureFilter, FigureQuery, FilterError, Period, TrendRow};
use crate::i18n::Lang;
use crate::page_data::{
    CompletenessData, DashboardData, ModelData, ReferenceForm, Refusal, Reporting, SearchHit, SearchKind, Site, SEARCH_LIMIT,
};
use sea_orm::DbErr;


#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl From<DbErr> for LoadError {
    fn from(e: DbErr) -> Self {
        LoadError::Query(QueryError::Db(e))
    }
}

impl From<FilterError> for LoadError {
    fn from(e: FilterError) -> Self {
        LoadError::Query(QueryError::Filter(e))
    }
}

/// Today on the server, for the printed line under the filters.
fn today() -> String {
    date(crate::ssr::writes::today())
}

fn reporting(rows: &[CompletenessRow]) -> Reporting {
    let (communes, reporting, rate) = CompletenessRow::total(rows);
    Reporting { communes, reporting, rate }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The role of each of the accounts `names` (a page's changes: a few dozen at most).
async fn roles_of(db: &Db, names: Vec<String>) -> Result<std::collections::HashMap<String, crate::domain::access::Role>, DbErr> {
    use crate::ssr::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let users = user::Entity::find().filter(user::Column::Username.is_in(names)).all(db).await?;
    Ok(users.into_iter().filter_map(|u| Some((u.username, u.role.parse().ok()?))).collect())
}

use crate::domain::period::vietnam_time as local_time;

/// A commune's trend: the quarters of the last five years of data, following predecessors.
pub async fn commune_trend(db: &Db, code: &str) -> Result<Vec<TrendRow>, DbErr> {
    let (_, last) = figures::survey_bounds(db).await?;
    let span = match last {
        Some(last) => {
            let quarter = (chrono::Datelike::month(&last) as u8 - 1) / 3 + 1;
            Period::Quarter { year: chrono::Datelike::year(&last), quarter }.trend_span_of(20)
        }
        None => Vec::new(),
    };
    figures::trend(db, code, &span, None).await
}

/// The models each of `units` (code, name) runs on day `on`, in the units' order.
async fn running_models(
    db: &Db,
    units: &[Choice],
    models: &[Choice],
    on: chrono::NaiveDate,
) -> Result<Vec<crate::page_data::RunningModel>, DbErr> {
    use crate::ssr::entities::adoption;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let codes = units.iter().map(|u| u.code.clone());
    let rows = adoption::Entity::find().filter(adoption::Column::UnitCode.is_in(codes)).all(db).await?;
    let place = |code: &str| units.iter().position(|u| u.code == code).unwrap_or(usize::MAX);
    let mut out: Vec<crate::page_data::RunningModel> = rows
        .into_iter()
        .filter(|a| a.started_on <= on && a.ended_on.is_none_or(|e| e >= on))
        .map(|a| crate::page_data::RunningModel {
            model_name: models.iter().find(|m| m.code == a.model_code).map_or(a.model_code.clone(), |m| m.name.clone()),
            unit_name: units.iter().find(|u| u.code == a.unit_code).map_or(a.unit_code.clone(), |u| u.name.clone()),
            unit_code: a.unit_code,
            model_code: a.model_code,
            stage: a.stage,
            started_on: date(a.started_on),
            steered_by: a.steered_by,
        })
        .collect();
    out.sort_by(|a, b| (place(&a.unit_code), &a.model_code).cmp(&(place(&b.unit_code), &b.model_code)));
    Ok(out)
}

/// The communes of a district (or of the province after 2025) for a page or a chart.
pub async fn commune_comparison(db: &Db, parent: &str, f: &FigureFilter) -> Result<crate::domain::Comparison, DbErr> {
    let mut rows: Vec<crate::domain::ComparedUnit> =
        figures::commune_figures(db, parent, f).await?.into_iter().map(Into::into).collect();
    text::sort_vietnamese(&mut rows, |r| &r.name);
    Ok(crate::domain::Comparison { level: crate::domain::UnitLevel::Commune, rows })
}
