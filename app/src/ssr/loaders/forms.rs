//! The reference forms (model, adoption, unit): the values to show and whether the reader may save.
use super::*;

/// The model form: the submission that came back, the stored model being edited, or an
/// empty one.
pub async fn model_form(
    db: &Db,
    account: Option<Account>,
    code: Option<String>,
    saved: bool,
    submission: Option<ReferenceForm<ModelDraft>>,
) -> Result<ReferenceForm<ModelDraft>, DbErr> {
    use crate::ssr::entities::reform_model;
    let form = coded_form::<reform_model::Entity, _>(db, code, saved, submission, writes::models::draft_of).await?;
    Ok(for_reader(form, account, Writer::may_edit_reference, Refusal::NotAllowed))
}

/// The adoption form: the submission that came back, the stored adoption `id`, or a new
/// one for the unit and model the link named.
pub async fn adoption_form(
    db: &Db,
    account: Option<Account>,
    id: Option<i64>,
    preset: AdoptionDraft,
    saved: bool,
    submission: Option<ReferenceForm<AdoptionDraft>>,
) -> Result<ReferenceForm<AdoptionDraft>, DbErr> {
    use crate::ssr::entities::{adoption, reform_model};
    use sea_orm::{EntityTrait, QueryOrder};
    let mut form = match (submission, id) {
        (Some(s), _) => s,
        (None, Some(id)) => {
            let form = stored_form(adoption::Entity::find_by_id(id).one(db).await?, writes::adoptions::draft_of, saved);
            ReferenceForm { id: form.revision.is_some().then_some(id), ..form }
        }
        (None, None) => ReferenceForm { values: preset, ..Default::default() },
    };
    form.models = reform_model::Entity::find()
        .order_by_asc(reform_model::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Choice { code: m.code, name: m.name })
        .collect();
    Ok(for_reader(form, account, Writer::may_edit_reference, Refusal::NotAllowed))
}

/// The unit form: the submission that came back, the stored unit being edited, or an empty one.
pub async fn unit_form(
    db: &Db,
    account: Option<Account>,
    code: Option<String>,
    saved: bool,
    submission: Option<ReferenceForm<UnitDraft>>,
) -> Result<ReferenceForm<UnitDraft>, DbErr> {
    use crate::ssr::entities::unit;
    let form = coded_form::<unit::Entity, _>(db, code, saved, submission, writes::units::draft_of).await?;
    Ok(for_reader(form, account, Writer::may_edit_units, Refusal::UnitsNotAllowed))
}

/// A form of a record keyed by its code: the submission that came back, the stored record
/// `code` being edited, or an empty one.
async fn coded_form<E, D>(
    db: &Db,
    code: Option<String>,
    saved: bool,
    submission: Option<ReferenceForm<D>>,
    draft_of: fn(&E::Model) -> D,
) -> Result<ReferenceForm<D>, DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: serde::Serialize,
    String: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
    D: Default,
{
    Ok(match (submission, code.filter(|c| !c.is_empty())) {
        (Some(s), _) => s,
        (None, Some(code)) => stored_form(E::find_by_id(code).one(db).await?, draft_of, saved),
        (None, None) => ReferenceForm::default(),
    })
}

/// A form filled from a stored row and its revision; "not found" when there is none.
fn stored_form<M: serde::Serialize, D: Default>(found: Option<M>, draft_of: fn(&M) -> D, saved: bool) -> ReferenceForm<D> {
    match found {
        Some(row) => ReferenceForm { values: draft_of(&row), revision: Some(writes::revision(&row)), saved, ..Default::default() },
        None => ReferenceForm { refusal: Some(Refusal::NotFound), ..Default::default() },
    }
}

/// The form for the signed-in reader: refused (`refusal`) when they may not make the write.
fn for_reader<D>(
    mut form: ReferenceForm<D>,
    account: Option<Account>,
    may: fn(&Writer) -> bool,
    refusal: Refusal,
) -> ReferenceForm<D> {
    let refused = account.as_ref().is_some_and(|a| !may(&Writer::Account(a.clone())));
    form.refusal = form.refusal.or(refused.then_some(refusal));
    form.account = account;
    form
}
