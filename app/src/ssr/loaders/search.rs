//! The header's search.
use super::*;

/// Districts, communes (old and new) and models whose name holds every word of the query,
/// ignoring case and diacritics; at most [`SEARCH_LIMIT`], in Vietnamese order.
pub async fn search(db: &Db, query: &str) -> Result<Vec<SearchHit>, DbErr> {
    use crate::ssr::entities::{reform_model, unit};
    use sea_orm::EntityTrait;
    let q = text::fold(query);
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let units = unit::Entity::find().all(db).await?;
    let parent_name =
        |code: &Option<String>| code.as_ref().and_then(|c| units.iter().find(|u| &u.code == c)).map(|u| u.name.clone());
    let mut hits: Vec<SearchHit> = units
        .iter()
        .filter(|u| u.level != "province" && text::matches(&q, &u.name))
        .map(|u| SearchHit {
            kind: if u.level == "district" { SearchKind::District } else { SearchKind::Commune },
            code: u.code.clone(),
            name: u.name.clone(),
            parent: parent_name(&u.parent_code),
            current: u.valid_to.is_none(),
        })
        .collect();
    hits.extend(reform_model::Entity::find().all(db).await?.into_iter().filter(|m| text::matches(&q, &m.name)).map(
        |m| SearchHit { kind: SearchKind::Model, code: m.code, name: m.name, parent: None, current: true },
    ));
    text::sort_vietnamese(&mut hits, |h| &h.name);
    hits.truncate(SEARCH_LIMIT);
    Ok(hits)
}
