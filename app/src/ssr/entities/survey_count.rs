//! The survey ballots of one unit (and optionally one model) in one month or quarter.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_counts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_code: String,
    pub model_code: Option<String>,
    pub period: String,
    pub period_start: Date,
    pub period_end: Date,
    pub respondents: i32,
    pub satisfied: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
