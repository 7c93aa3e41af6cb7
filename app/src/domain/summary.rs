//! The rows of the figure tables that pages, exports, the API and the CLI all share.
use super::figures::Figures;
use serde::{Deserialize, Serialize};

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

/// The units a dashboard compares for a period: districts before 1 July 2025, the
/// commune-level units directly under the province after (there are no districts then).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `district` or `commune`: what the rows are, and what the CSV columns are called.
    pub level: super::UnitLevel,
    pub rows: Vec<ComparedUnit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedUnit {
    pub code: String,
    pub name: String,
    pub figures: Figures,
}

impl Comparison {
    /// The CSV header: the district summary's columns, or the same with `commune_` names.
    pub fn columns(&self) -> Vec<String> {
        let level = self.level.as_str();
        let mut cols = vec![format!("{level}_code"), format!("{level}_name")];
        cols.extend(DISTRICT_SUMMARY_COLUMNS[2..].iter().map(|c| c.to_string()));
        cols
    }

    /// The province's (or district's) total of the rows: the headline figures.
    pub fn total(&self) -> Figures {
        let (communes, adopting, counts) = self.rows.iter().fold((0, 0, super::Counts::default()), |(c, a, n), r| {
            let f = &r.figures;
            (c + f.communes, a + f.communes_adopting, n + super::Counts { respondents: f.respondents, satisfied: f.satisfied })
        });
        Figures::new(communes, adopting, counts)
    }
}

impl From<DistrictSummaryRow> for ComparedUnit {
    fn from(r: DistrictSummaryRow) -> Self {
        ComparedUnit { code: r.district_code, name: r.district_name, figures: r.figures }
    }
}

impl From<CommuneFiguresRow> for ComparedUnit {
    fn from(r: CommuneFiguresRow) -> Self {
        ComparedUnit { code: r.commune_code, name: r.commune_name, figures: r.figures }
    }
}

impl ComparedUnit {
    pub fn csv_cells(&self) -> [String; 10] {
        DistrictSummaryRow { district_code: self.code.clone(), district_name: self.name.clone(), figures: self.figures }
            .csv_cells()
    }
}

/// How many communes of each group (district, or the province after 2025) run each model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptionMatrix {
    pub models: Vec<super::Choice>,
    /// One row per compared group, with its commune count and one cell per model.
    pub rows: Vec<MatrixRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub code: String,
    pub name: String,
    pub communes: u64,
    /// communes_adopting per model, in the order of `models`.
    pub adopting: Vec<u64>,
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
