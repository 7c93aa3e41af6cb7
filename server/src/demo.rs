//! The Thanh Hóa demo province: CSV files in the import format, compiled into the binary
//! and loaded through the same import code as any province's own files.
use crate::sources::parse_csv;
use app::ssr::import::{self, ImportError, ImportOptions, ImportReport, ImportSet};
use app::ssr::Db;
use sea_orm::{DbErr, EntityTrait, PaginatorTrait};

const UNITS: &str = include_str!("../demo/units.csv");
const MODELS: &str = include_str!("../demo/models.csv");
const ADOPTIONS: &str = include_str!("../demo/adoptions.csv");
const SURVEYS: &str = include_str!("../demo/surveys.csv");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the bundled demo files do not import: {0:?}")]
    Invalid(Vec<String>),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

pub fn demo_set() -> ImportSet {
    let mut set = ImportSet::default();
    set.units = Some(parse_csv("units.csv", UNITS.as_bytes(), &mut set.problems));
    set.models = Some(parse_csv("models.csv", MODELS.as_bytes(), &mut set.problems));
    set.adoptions = Some(parse_csv("adoptions.csv", ADOPTIONS.as_bytes(), &mut set.problems));
    set.surveys = Some(parse_csv("surveys.csv", SURVEYS.as_bytes(), &mut set.problems).into());
    set
}

/// Loads the demo (again: rows already there as given are left alone).
pub async fn load(db: &Db) -> Result<ImportReport, DemoError> {
    import::import(db, demo_set(), ImportOptions::default(), "demo", &|_, _, _| {}).await.map_err(|e| match e {
        ImportError::Invalid(problems) => DemoError::Invalid(problems.iter().map(ToString::to_string).collect()),
        ImportError::Db(e) => DemoError::Db(e),
        ImportError::Refused(why) => DemoError::Invalid(vec![why]),
    })
}

/// Loads the demo only into a database with no units and no models.
pub async fn load_if_empty(db: &Db) -> Result<bool, DemoError> {
    use app::ssr::entities::{reform_model, unit};
    let empty = unit::Entity::find().count(db).await? == 0 && reform_model::Entity::find().count(db).await? == 0;
    if empty {
        load(db).await?;
    }
    Ok(empty)
}
