//! The rows of the figure tables that pages, exports, the API and the CLI all share.
use super::figures::Figures;
use super::period::Period;
use serde::{Deserialize, Serialize};

/// What a figure table is filtered by: a period, and optionally one model and one province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureFilter {
    pub period: Period,
    pub model: Option<String>,
    pub province: Option<String>,
}

/// One row of the district summary, in the contract's column order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictSummaryRow {
    pub district_code: String,
    pub district_name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The contract's column names, in order (CSV header, XLSX header, JSON keys).
pub const DISTRICT_SUMMARY_COLUMNS: [&str; 10] = [
    "district_code",
    "district_name",
    "communes",
    "communes_adopting",
    "adoption_rate",
    "respondents",
    "satisfied",
    "satisfaction_rate",
    "ci_low",
    "ci_high",
];

/// One commune of a district: `communes` is 1, `communes_adopting` 1 when it runs a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommuneFiguresRow {
    pub commune_code: String,
    pub commune_name: String,
    pub kind: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One model across a province: how many of its communes run it and how satisfied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFiguresRow {
    pub model_code: String,
    pub model_name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The headline counts of the home page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeCounts {
    pub districts: u64,
    pub communes: u64,
    pub models: u64,
    pub adoptions: u64,
    pub ballots: u64,
}

impl DistrictSummaryRow {
    /// The CSV cells in contract order: rates with two decimals, empty where undefined.
    pub fn csv_cells(&self) -> [String; 10] {
        let f = &self.figures;
        let pct = |p: Option<super::Percent>| p.map(|p| p.to_2dp()).unwrap_or_default();
        [
            self.district_code.clone(),
            self.district_name.clone(),
            f.communes.to_string(),
            f.communes_adopting.to_string(),
            pct(f.adoption_rate),
            f.respondents.to_string(),
            f.satisfied.to_string(),
            pct(f.satisfaction_rate),
            pct(f.ci_low),
            pct(f.ci_high),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Counts;

    #[test]
    fn json_keys_are_the_csv_columns_in_order() {
        let row = DistrictSummaryRow {
            district_code: "NX".into(),
            district_name: "Như Xuân".into(),
            figures: Figures::new(9, 2, Counts { respondents: 300, satisfied: 294 }),
        };
        let json = serde_json::to_string(&row).unwrap();
        let mut last = 0;
        for col in DISTRICT_SUMMARY_COLUMNS {
            let at = json.find(&format!("\"{col}\":")).unwrap_or_else(|| panic!("{col} missing"));
            assert!(at >= last, "{col} out of order");
            last = at;
        }
        assert_eq!(row.csv_cells()[4], "22.22");
        assert_eq!(row.csv_cells()[7], "98.00");
    }
}
