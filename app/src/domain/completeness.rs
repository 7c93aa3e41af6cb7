//! Reporting completeness: which communes of each district have reported for a period.
use super::figures::Percent;
use serde::{Deserialize, Serialize};

/// One district's reporting for a period P, in the contract's column order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompletenessRow {
    pub district_code: String,
    pub district_name: String,
    /// Communes valid during P.
    pub communes: u64,
    /// Those with at least one survey (any model, or none) whose period lies inside P.
    pub reporting: u64,
    pub reporting_rate: Option<Percent>,
    /// The codes of the communes that have not reported, in code order.
    pub missing: Vec<String>,
}

pub const COMPLETENESS_COLUMNS: [&str; 6] =
    ["district_code", "district_name", "communes", "reporting", "reporting_rate", "missing"];

/// What completeness learns of a district's communes: a number of them that reported, or
/// one that did not. The database groups the reporting ones, so a whole country's 10,000
/// communes come as a row per district and one per missing commune.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommuneReports {
    Reported { district_code: String, communes: u64 },
    Missing { district_code: String, commune_code: String },
}

impl CompletenessRow {
    /// Builds each district's row from its communes' reports; districts without communes
    /// get a row with an empty rate. `districts` gives the rows' order.
    pub fn rows(districts: &[(String, String)], reports: Vec<CommuneReports>) -> Vec<CompletenessRow> {
        // (communes, reporting, missing) per district.
        let mut tally: std::collections::HashMap<String, (u64, u64, Vec<String>)> = std::collections::HashMap::new();
        for report in reports {
            match report {
                CommuneReports::Reported { district_code, communes } => {
                    let t = tally.entry(district_code).or_default();
                    t.0 += communes;
                    t.1 += communes;
                }
                CommuneReports::Missing { district_code, commune_code } => {
                    let t = tally.entry(district_code).or_default();
                    t.0 += 1;
                    t.2.push(commune_code);
                }
            }
        }
        districts
            .iter()
            .map(|(code, name)| {
                let (communes, reporting, mut missing) = tally.remove(code).unwrap_or_default();
                missing.sort();
                CompletenessRow {
                    district_code: code.clone(),
                    district_name: name.clone(),
                    communes,
                    reporting,
                    reporting_rate: Percent::from_ratio(reporting, communes),
                    missing,
                }
            })
            .collect()
    }

    /// The province's total over `rows`.
    pub fn total(rows: &[CompletenessRow]) -> (u64, u64, Option<Percent>) {
        let communes: u64 = rows.iter().map(|r| r.communes).sum();
        let reporting: u64 = rows.iter().map(|r| r.reporting).sum();
        (communes, reporting, Percent::from_ratio(reporting, communes))
    }

    /// CSV cells; the missing codes joined by spaces in one cell.
    pub fn csv_cells(&self) -> Vec<String> {
        vec![
            self.district_code.clone(),
            self.district_name.clone(),
            self.communes.to_string(),
            self.reporting.to_string(),
            self.reporting_rate.map(|p| p.to_2dp()).unwrap_or_default(),
            self.missing.join(" "),
        ]
    }
}

/// The months from `first` to `last` (both months), within the unit's validity, that no
/// survey of the unit covers (a quarterly survey covers its three months).
pub fn missing_months(
    validity: crate::domain::DateSpan,
    first: crate::domain::Period,
    last: crate::domain::Period,
    surveys: &[(chrono::NaiveDate, chrono::NaiveDate)],
) -> Vec<crate::domain::Period> {
    let Ok(months) = crate::domain::Period::span(first, last) else { return Vec::new() };
    months
        .into_iter()
        .filter(|m| validity.overlaps(*m))
        .filter(|m| !surveys.iter().any(|(s, e)| *s <= m.first_day() && m.last_day() <= *e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(d: &str, c: &str) -> CommuneReports {
        CommuneReports::Missing { district_code: d.into(), commune_code: c.into() }
    }

    fn reported(d: &str, communes: u64) -> CommuneReports {
        CommuneReports::Reported { district_code: d.into(), communes }
    }

    #[test]
    fn counts_reporting_communes_and_lists_the_missing_in_code_order() {
        let districts = vec![("D1".to_string(), "Như Xuân".to_string()), ("D2".into(), "Trống".into())];
        let communes = vec![missing("D1", "D1-03"), reported("D1", 1), missing("D1", "D1-02")];
        let rows = CompletenessRow::rows(&districts, communes);
        assert_eq!(rows[0].communes, 3);
        assert_eq!(rows[0].reporting, 1);
        assert_eq!(rows[0].reporting_rate.unwrap().to_2dp(), "33.33");
        assert_eq!(rows[0].missing, ["D1-02", "D1-03"]);
        assert_eq!(rows[1].reporting_rate, None);
        assert_eq!(rows[1].csv_cells(), ["D2", "Trống", "0", "0", "", ""]);
        let (communes, reporting, rate) = CompletenessRow::total(&rows);
        assert_eq!((communes, reporting, rate.unwrap().to_2dp()), (3, 1, "33.33".to_string()));
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(json["missing"], serde_json::json!(["D1-02", "D1-03"]));
        assert_eq!(json["reporting_rate"], serde_json::json!(33.33));
    }

    #[test]
    fn reports_of_one_district_add_up_and_other_districts_are_left_out() {
        let districts = vec![("D1".to_string(), "Một".to_string())];
        let reports = vec![reported("D1", 4), missing("D1", "C9"), reported("D1", 2), reported("D9", 7), missing("D9", "X")];
        let rows = CompletenessRow::rows(&districts, reports);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].communes, rows[0].reporting, rows[0].missing.clone()), (7, 6, vec!["C9".to_string()]));
        assert_eq!(rows[0].reporting_rate.unwrap().to_2dp(), "85.71");
    }

    #[test]
    fn missing_months_skip_covered_and_invalid_months() {
        use crate::domain::{DateSpan, Period};
        let p = |s: &str| s.parse::<Period>().unwrap();
        let q1 = p("2025-Q1");
        let may = p("2025-05");
        let surveys = [(q1.first_day(), q1.last_day()), (may.first_day(), may.last_day())];
        let valid = DateSpan::new(None, Some(chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()));
        let missing = missing_months(valid, p("2025-01"), p("2025-08"), &surveys);
        assert_eq!(missing.iter().map(ToString::to_string).collect::<Vec<_>>(), ["2025-04", "2025-06"]);
    }
}
