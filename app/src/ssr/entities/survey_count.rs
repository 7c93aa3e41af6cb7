//! The survey ballots of one unit (and optionally one model) in one month or quarter.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
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
    pub very_satisfied: Option<i32>,
    pub fairly_satisfied: Option<i32>,
    pub neutral: Option<i32>,
    pub dissatisfied: Option<i32>,
    pub very_dissatisfied: Option<i32>,
    /// Raised by every change; an edit must name the version it was made from.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
