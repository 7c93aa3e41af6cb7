//! What figure pages, downloads and the API are filtered by, the choices their forms offer,
//! and why a filter cannot be used.
use super::period::{Period, PeriodError};
use serde::{Deserialize, Serialize};

/// What a figure table is filtered by: a period, and optionally one model and one province.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FigureFilter {
    pub period: Period,
    pub model: Option<String>,
    pub province: Option<String>,
}

/// A figure request's query as asked for, by a page, a chart, a download or the API: blank
/// values are absent, others trimmed ([`FigureQuery::normalised`]). Normalised, it is the
/// key of the cached answer; the filter is checked against the data inside the computation,
/// so an answer already computed costs no query beyond the reading of the data's version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FigureQuery {
    pub period: Option<String>,
    pub model: Option<String>,
    pub province: Option<String>,
    pub district: Option<String>,
    pub commune: Option<String>,
    pub format: Option<String>,
    pub lang: Option<String>,
}

impl FigureQuery {
    /// Blank values as absent (an HTML form sends every field), others trimmed.
    pub fn normalised(self) -> Self {
        FigureQuery {
            period: given(&self.period),
            model: given(&self.model),
            province: given(&self.province),
            district: given(&self.district),
            commune: given(&self.commune),
            format: given(&self.format),
            lang: given(&self.lang),
        }
    }
}

/// A value of a request as asked: trimmed, and absent when blank.
pub fn given(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A code and a name, for a `<select>` or a list of links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub name: String,
}

/// Why a filter from a URL or the command line cannot be used; each names its field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("period: {0}")]
    Period(#[from] PeriodError),
    #[error("period: required: a year (2024), quarter (2024-Q2) or month (2024-05)")]
    PeriodRequired,
    #[error("model: unknown model `{0}`")]
    UnknownModel(String),
    #[error("province: unknown province `{0}`")]
    UnknownProvince(String),
    #[error("district: unknown district `{0}`")]
    UnknownDistrict(String),
    #[error("unit: unknown unit `{0}`")]
    UnknownUnit(String),
}

impl FilterError {
    /// The query parameter the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            FilterError::Period(_) | FilterError::PeriodRequired => "period",
            FilterError::UnknownModel(_) => "model",
            FilterError::UnknownProvince(_) => "province",
            FilterError::UnknownDistrict(_) => "district",
            FilterError::UnknownUnit(_) => "unit",
        }
    }

    /// The message without its field name.
    pub fn message(&self) -> String {
        let full = self.to_string();
        full.split_once(": ").map(|(_, m)| m.to_string()).unwrap_or(full)
    }
}

/// The first day of the new shape: from 1 July 2025 there are no districts, and the
/// dashboard compares the commune-level units directly under the province.
pub fn reorganised_on() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("a real date")
}

/// True when P begins on or after the reorganisation (so compares communes, not districts).
pub fn compares_communes(p: Period) -> bool {
    p.first_day() >= reorganised_on()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_normalised_so_that_equal_questions_share_an_answer() {
        let asked = FigureQuery {
            period: Some(" 2024 ".into()),
            model: Some("".into()),
            province: Some("  ".into()),
            district: Some("402".into()),
            ..Default::default()
        };
        let plain = FigureQuery { period: Some("2024".into()), district: Some("402".into()), ..Default::default() };
        assert_eq!(asked.normalised(), plain);
        assert_ne!(plain.clone().normalised(), FigureQuery { model: Some("CQTT".into()), ..plain });
    }

    #[test]
    fn the_comparison_level_follows_the_reorganisation() {
        assert!(!compares_communes("2025".parse().unwrap()), "2025 begins before July");
        assert!(!compares_communes("2025-Q2".parse().unwrap()));
        assert!(compares_communes("2025-Q3".parse().unwrap()));
        assert!(compares_communes("2025-07".parse().unwrap()));
        assert!(compares_communes("2026".parse().unwrap()));
        assert_eq!(FilterError::UnknownModel("X".into()).field(), "model");
        assert_eq!(FilterError::UnknownModel("X".into()).message(), "unknown model `X`");
    }
}
