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
    /// True when each unit gets its own bar and interval: a province's districts, or a few
    /// provinces. Many units — a province's 166 communes, a country's 34 or 63 provinces —
    /// are compared by the funnel alone, and adoption is shown per model; a commune's
    /// adoption is 0 or 100 % anyway.
    pub fn draws_each_unit(&self) -> bool {
        self.level != super::UnitLevel::Commune && self.rows.len() <= super::SHORT_TABLE
    }

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

    /// The rows summed per province, for a database of several provinces shown whole: each
    /// province's figures are the totals of its rows ([`Comparison::total`]'s definition,
    /// so the provinces add up to the headline). `province_of` gives a row's province;
    /// every province of `provinces` gets a row, in that order, even with nothing under it.
    pub fn by_province(&self, provinces: &[super::Choice], province_of: impl Fn(&str) -> Option<String>) -> Comparison {
        let mut groups: Vec<Comparison> =
            provinces.iter().map(|_| Comparison { level: self.level, rows: Vec::new() }).collect();
        for row in &self.rows {
            let at = province_of(&row.code).and_then(|p| provinces.iter().position(|c| c.code == p));
            if let Some(at) = at {
                groups[at].rows.push(row.clone());
            }
        }
        let rows = provinces
            .iter()
            .zip(groups)
            .map(|(p, g)| ComparedUnit { code: p.code.clone(), name: p.name.clone(), figures: g.total() })
            .collect();
        Comparison { level: super::UnitLevel::Province, rows }
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

impl AdoptionMatrix {
    /// Each model with the communes running it and the communes, over every row: how far
    /// each model has spread.
    pub fn by_model(&self) -> Vec<(super::Choice, u64, u64)> {
        let communes: u64 = self.rows.iter().map(|r| r.communes).sum();
        self.models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), self.rows.iter().map(|r| r.adopting.get(i).copied().unwrap_or(0)).sum(), communes))
            .collect()
    }

    /// The matrix of `groups` (code, name, communes valid during P) × `models`, where
    /// `adopting(group, model)` counts the group's communes running the model in P.
    pub fn new(
        groups: Vec<(String, String, u64)>,
        models: Vec<super::Choice>,
        adopting: impl Fn(&str, &str) -> u64,
    ) -> AdoptionMatrix {
        let rows = groups
            .into_iter()
            .map(|(code, name, communes)| {
                let adopting = models.iter().map(|m| adopting(&code, &m.code)).collect();
                MatrixRow { code, name, communes, adopting }
            })
            .collect();
        AdoptionMatrix { models, rows }
    }

    /// The rows summed per province (see [`Comparison::by_province`]): a commune lies in
    /// one district, so the districts' counts of communes add up to the province's.
    pub fn by_province(&self, provinces: &[super::Choice], province_of: impl Fn(&str) -> Option<String>) -> AdoptionMatrix {
        let mut rows: Vec<MatrixRow> = provinces
            .iter()
            .map(|p| MatrixRow {
                code: p.code.clone(),
                name: p.name.clone(),
                communes: 0,
                adopting: vec![0; self.models.len()],
            })
            .collect();
        for row in &self.rows {
            let at = province_of(&row.code).and_then(|p| provinces.iter().position(|c| c.code == p));
            if let Some(total) = at.map(|at| &mut rows[at]) {
                total.communes += row.communes;
                for (sum, n) in total.adopting.iter_mut().zip(&row.adopting) {
                    *sum += n;
                }
            }
        }
        AdoptionMatrix { models: self.models.clone(), rows }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{Choice, Counts, UnitLevel};

    /// A compared unit named by its code, for the tests of what is built from comparisons.
    pub(crate) fn unit(code: &str, communes: u64, adopting: u64, respondents: u64, satisfied: u64) -> ComparedUnit {
        ComparedUnit {
            code: code.into(),
            name: code.into(),
            figures: Figures::new(communes, adopting, Counts { respondents, satisfied }),
        }
    }

    #[test]
    fn a_matrix_has_a_cell_per_group_and_model_in_the_models_order() {
        let models = vec![Choice { code: "M2".into(), name: "Hai".into() }, Choice { code: "M1".into(), name: "Một".into() }];
        let groups = vec![("D1".into(), "Huyện 1".into(), 3), ("D2".into(), "Huyện 2".into(), 0)];
        let m = AdoptionMatrix::new(groups, models, |group, model| match (group, model) {
            ("D1", "M1") => 2,
            ("D1", "M2") => 1,
            _ => 0,
        });
        assert_eq!(m.models.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["M2", "M1"]);
        assert_eq!(m.rows[0], MatrixRow { code: "D1".into(), name: "Huyện 1".into(), communes: 3, adopting: vec![1, 2] });
        assert_eq!(m.rows[1].adopting, vec![0, 0]);
    }

    #[test]
    fn provinces_sum_their_districts_and_add_up_to_the_headline() {
        let districts = Comparison {
            level: UnitLevel::District,
            rows: vec![unit("D1", 2, 1, 150, 130), unit("D2", 1, 0, 20, 10), unit("D3", 2, 1, 210, 190)],
        };
        let provinces = [
            Choice { code: "P1".into(), name: "Một".into() },
            Choice { code: "P2".into(), name: "Hai".into() },
            Choice { code: "P3".into(), name: "Ba".into() },
        ];
        let of = |d: &str| Some(if d == "D3" { "P2" } else { "P1" }.to_string());
        let c = districts.by_province(&provinces, of);
        assert_eq!(c.level, UnitLevel::Province);
        assert_eq!(c.columns()[0], "province_code");
        let cells: Vec<_> = c.rows.iter().map(|r| r.csv_cells()[..8].join(",")).collect();
        // P1: 1 of 3 communes, 140 of 170 ballots; P2: 1 of 2, 190 of 210; P3: nothing.
        assert_eq!(cells, ["P1,Một,3,1,33.33,170,140,82.35", "P2,Hai,2,1,50.00,210,190,90.48", "P3,Ba,0,0,,0,0,"]);
        assert_eq!(c.total(), districts.total());
    }

    #[test]
    fn the_matrix_sums_its_districts_per_province() {
        let models = vec![Choice { code: "M".into(), name: "M".into() }, Choice { code: "Q".into(), name: "Q".into() }];
        let row = |code: &str, name: &str, communes, adopting: Vec<u64>| MatrixRow {
            code: code.into(),
            name: name.into(),
            communes,
            adopting,
        };
        let rows = vec![row("D1", "D1", 2, vec![1, 0]), row("D2", "D2", 1, vec![1, 1]), row("D3", "D3", 2, vec![0, 2])];
        let m = AdoptionMatrix { models, rows };
        let provinces = [Choice { code: "P1".into(), name: "Một".into() }, Choice { code: "P2".into(), name: "Hai".into() }];
        let p = m.by_province(&provinces, |d| Some(if d == "D3" { "P2" } else { "P1" }.to_string()));
        assert_eq!(p.rows, vec![row("P1", "Một", 3, vec![2, 1]), row("P2", "Hai", 2, vec![0, 2])]);
    }

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
