//! The completeness page: who has reported for a period, and who has not, by name.
use super::*;

/// The page for the query's period (resolved here once: the latest year with counts when
/// none is given), the whole database's units.
pub async fn completeness(db: &Db, q: &FigureQuery) -> Result<CompletenessData, LoadError> {
    use crate::ssr::entities::unit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let f = &FigureFilter { period: figures::resolve_period(db, q.period.as_deref()).await?, model: None, province: None };
    let rows = figures::completeness(db, f).await?;
    let missing: Vec<String> = rows.iter().flat_map(|r| r.missing.iter().cloned()).collect();
    // Bounded: a province has a few hundred communes.
    let names = unit::Entity::find()
        .filter(unit::Column::Code.is_in(missing))
        .all(db)
        .await?
        .into_iter()
        .map(|u| Choice { code: u.code, name: u.name })
        .collect();
    Ok(CompletenessData { period: f.period.to_string(), reporting: reporting(&rows), rows, names, today: today() })
}
