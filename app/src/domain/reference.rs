//! The province's reference data — units, models, adoptions — as every write path receives
//! it (an import row, an official's form): the contract's rules, checked the same way for
//! all of them. Pure: what the database knows is handed in ([`AdoptionFacts`]).
//!
//! Problems are reported per column, in the import's column names, which the forms' field
//! names also use; `Display` is the English sentence the import reports, and
//! `i18n::reference::fault_text` says it in the reader's language.
use super::rules;
use super::units::{AdoptionStage, SteeredBy, UnitLevel};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule a unit, model or adoption breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    Required,
    /// The contract's code rule; the sentence says which way it is broken.
    Code(String),
    TooLong { max: usize, got: usize },
    /// Text a spreadsheet would run as a formula; the sentence names the leading character.
    Formula(String),
    NotADate(String),
    /// `date` lies before `other`, the value of the column `column`.
    Before { date: NaiveDate, column: String, other: NaiveDate },
    /// A word outside one of the contract's closed vocabularies (level, stage, steered_by).
    Word(String),
    ParentRequired,
    /// A field of a stored record that may not change (a unit's level).
    Fixed,
    OwnParent,
    /// A unit under a parent of the wrong level (a district under a district…).
    Misplaced { level: UnitLevel, parent: String, parent_level: UnitLevel },
    UnknownUnit(String),
    UnknownModel(String),
    /// Adoptions are by a commune or a district, never by the province itself.
    ProvinceAdopts(String),
    /// The key is stored with other values: `what` names it (`model `FG``).
    Exists(String),
    /// A unit's validity that would leave out a period it has survey counts for (a
    /// survey's unit must be valid during its period).
    SurveysOutside(String),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Required => write!(f, "a value is required"),
            Fault::Code(why) | Fault::Formula(why) | Fault::Word(why) => write!(f, "{why}"),
            Fault::TooLong { max, got } => write!(f, "at most {max} characters, got {got}"),
            Fault::NotADate(s) => write!(f, "`{s}` is not a date of the form YYYY-MM-DD"),
            Fault::Before { date, column, other } => write!(f, "{date} is before {column} {other}"),
            Fault::ParentRequired => write!(f, "a value is required unless level is province"),
            Fault::Fixed => write!(f, "cannot change once saved"),
            Fault::OwnParent => write!(f, "a unit cannot be its own parent"),
            Fault::Misplaced { level, parent, parent_level } => {
                write!(f, "a {level} cannot sit under a {parent_level} (`{parent}`)")
            }
            Fault::UnknownUnit(c) => write!(f, "unknown unit `{c}`"),
            Fault::UnknownModel(c) => write!(f, "unknown model `{c}`"),
            Fault::ProvinceAdopts(c) => write!(f, "`{c}` is a province; adoptions are by a commune or a district"),
            Fault::Exists(what) => {
                write!(f, "{what} already exists with other values (import with --update to replace them)")
            }
            Fault::SurveysOutside(period) => write!(f, "the unit has survey counts for {period}, outside this validity"),
        }
    }
}

/// Every problem of one row: (column, fault), in column order.
pub type Faults = Vec<(String, Fault)>;

/// The fields of a model as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelDraft {
    pub code: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub launched_on: String,
}

/// A model that passed [`parse_model`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub code: String,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub launched_on: Option<NaiveDate>,
}

/// The fields of an adoption as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdoptionDraft {
    pub unit_code: String,
    pub model_code: String,
    pub started_on: String,
    pub ended_on: String,
    /// Empty: `pilot`.
    pub stage: String,
    /// Empty: not recorded.
    pub steered_by: String,
}

/// An adoption that passed [`parse_adoption`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionRecord {
    pub unit_code: String,
    pub model_code: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub stage: AdoptionStage,
    pub steered_by: Option<SteeredBy>,
}

impl AdoptionRecord {
    /// The contract's key, as the audit log names the row.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.unit_code, self.model_code, self.started_on)
    }
}

/// The fields of a unit as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitDraft {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: String,
    pub kind: String,
    pub valid_from: String,
    pub valid_to: String,
    pub successor_code: String,
}

/// A unit that passed [`parse_unit`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    pub kind: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub successor_code: Option<String>,
}

/// Collects one row's problems, column by column.
struct Row {
    faults: Faults,
}

impl Row {
    fn fault(&mut self, column: &str, fault: Fault) {
        self.faults.push((column.to_string(), fault));
    }

    /// `Some(None)` for an empty optional cell; `None` when it is missing or broke a rule.
    fn value(&mut self, column: &str, raw: &str, required: bool) -> Option<Option<String>> {
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                self.fault(column, Fault::Required);
                return None;
            }
            return Some(None);
        }
        Some(Some(raw.to_string()))
    }

    fn code(&mut self, column: &str, raw: &str, required: bool) -> Option<Option<String>> {
        let v = self.value(column, raw, required)?;
        if let Some(Err(why)) = v.as_deref().map(rules::check_code) {
            self.fault(column, Fault::Code(why));
            return None;
        }
        Some(v)
    }

    fn text(&mut self, column: &str, raw: &str, required: bool, max: usize) -> Option<Option<String>> {
        let v = self.value(column, raw, required)?;
        if let Some(Err(why)) = v.as_deref().map(|t| rules::check_text(t, max)) {
            let got = v.as_deref().map_or(0, |t| t.chars().count());
            self.fault(column, if got > max { Fault::TooLong { max, got } } else { Fault::Formula(why) });
            return None;
        }
        Some(v)
    }

    fn date(&mut self, column: &str, raw: &str, required: bool) -> Option<Option<NaiveDate>> {
        match self.value(column, raw, required)? {
            None => Some(None),
            Some(s) => match parse_date(&s) {
                Some(d) => Some(Some(d)),
                None => {
                    self.fault(column, Fault::NotADate(s));
                    None
                }
            },
        }
    }

    fn word<T: std::str::FromStr<Err = String>>(&mut self, column: &str, raw: &str) -> Option<Option<T>> {
        match self.value(column, raw, false)? {
            None => Some(None),
            Some(s) => match s.parse::<T>() {
                Ok(w) => Some(Some(w)),
                Err(why) => {
                    self.fault(column, Fault::Word(why));
                    None
                }
            },
        }
    }

    /// `later` may not lie before `earlier` (both given).
    fn order(&mut self, earlier: (&str, Option<Option<NaiveDate>>), later: (&str, Option<Option<NaiveDate>>)) {
        if let (Some(Some(first)), Some(Some(then))) = (earlier.1, later.1) {
            if then < first {
                self.fault(later.0, Fault::Before { date: then, column: earlier.0.to_string(), other: first });
            }
        }
    }

    fn done<T>(self, record: Option<T>) -> Result<T, Faults> {
        match record {
            Some(r) if self.faults.is_empty() => Ok(r),
            _ => Err(self.faults),
        }
    }
}

/// `YYYY-MM-DD` exactly: the contract's date form.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let well_formed = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| well_formed)
}

pub fn parse_model(d: &ModelDraft) -> Result<ModelRecord, Faults> {
    let mut row = Row { faults: Vec::new() };
    let code = row.code("code", &d.code, true);
    let name = row.text("name", &d.name, true, rules::TEXT_MAX);
    let category = row.text("category", &d.category, false, rules::TEXT_MAX);
    let description = row.text("description", &d.description, false, rules::DESCRIPTION_MAX);
    let launched_on = row.date("launched_on", &d.launched_on, false);
    let record = (|| {
        Some(ModelRecord { code: code??, name: name??, category: category?, description: description?, launched_on: launched_on? })
    })();
    row.done(record)
}

pub fn parse_adoption(d: &AdoptionDraft) -> Result<AdoptionRecord, Faults> {
    let mut row = Row { faults: Vec::new() };
    let unit_code = row.code("unit_code", &d.unit_code, true);
    let model_code = row.code("model_code", &d.model_code, true);
    let started_on = row.date("started_on", &d.started_on, true);
    let ended_on = row.date("ended_on", &d.ended_on, false);
    row.order(("started_on", started_on), ("ended_on", ended_on));
    let stage = row.word::<AdoptionStage>("stage", &d.stage);
    let steered_by = row.word::<SteeredBy>("steered_by", &d.steered_by);
    let record = (|| {
        Some(AdoptionRecord {
            unit_code: unit_code??,
            model_code: model_code??,
            started_on: started_on??,
            ended_on: ended_on?,
            stage: stage?.unwrap_or(AdoptionStage::Pilot),
            steered_by: steered_by?,
        })
    })();
    row.done(record)
}

pub fn parse_unit(d: &UnitDraft) -> Result<UnitRecord, Faults> {
    let mut row = Row { faults: Vec::new() };
    let code = row.code("code", &d.code, true);
    let name = row.text("name", &d.name, true, rules::TEXT_MAX);
    let level = match row.value("level", &d.level, true) {
        Some(_) => row.word::<UnitLevel>("level", &d.level).flatten(),
        None => None,
    };
    let parent_code = row.code("parent_code", &d.parent_code, false);
    let kind = row.text("kind", &d.kind, false, rules::TEXT_MAX);
    let successor_code = row.code("successor_code", &d.successor_code, false);
    if level.is_some_and(|l| l != UnitLevel::Province) && parent_code == Some(None) {
        row.fault("parent_code", Fault::ParentRequired);
    }
    let valid_from = row.date("valid_from", &d.valid_from, false);
    let valid_to = row.date("valid_to", &d.valid_to, false);
    row.order(("valid_from", valid_from), ("valid_to", valid_to));
    let record = (|| {
        Some(UnitRecord {
            code: code??,
            name: name??,
            level: level?,
            parent_code: parent_code?,
            kind: kind?,
            valid_from: valid_from?,
            valid_to: valid_to?,
            successor_code: successor_code?,
        })
    })();
    row.done(record)
}

/// The rules of a unit that need the tree: its parent exists and sits one level up (a
/// commune under a district or, after 2025, the province), its successor exists.
/// `level_of` gives the level of any unit the write can see (stored, or in the same import).
pub fn check_unit(u: &UnitRecord, level_of: impl Fn(&str) -> Option<UnitLevel>) -> Faults {
    let mut faults = Vec::new();
    if let Some(parent) = &u.parent_code {
        match level_of(parent) {
            None => faults.push(("parent_code".to_string(), Fault::UnknownUnit(parent.clone()))),
            Some(_) if parent == &u.code => faults.push(("parent_code".to_string(), Fault::OwnParent)),
            Some(parent_level) => {
                let fits = match u.level {
                    UnitLevel::Province => false,
                    UnitLevel::District => parent_level == UnitLevel::Province,
                    UnitLevel::Commune => parent_level != UnitLevel::Commune,
                };
                if !fits {
                    let misplaced = Fault::Misplaced { level: u.level, parent: parent.clone(), parent_level };
                    faults.push(("parent_code".to_string(), misplaced));
                }
            }
        }
    }
    if let Some(s) = &u.successor_code {
        if level_of(s).is_none() {
            faults.push(("successor_code".to_string(), Fault::UnknownUnit(s.clone())));
        }
    }
    faults
}

/// What the database (and the rest of an import) knows about an adoption's unit and model.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdoptionFacts {
    /// `None`: no such unit.
    pub unit_level: Option<UnitLevel>,
    pub model_known: bool,
}

/// The rules of an adoption that need the database's facts.
pub fn check_adoption(a: &AdoptionRecord, facts: AdoptionFacts) -> Faults {
    let mut faults = Vec::new();
    match facts.unit_level {
        None => faults.push(("unit_code".to_string(), Fault::UnknownUnit(a.unit_code.clone()))),
        Some(UnitLevel::Province) => faults.push(("unit_code".to_string(), Fault::ProvinceAdopts(a.unit_code.clone()))),
        Some(_) => {}
    }
    if !facts.model_known {
        faults.push(("model_code".to_string(), Fault::UnknownModel(a.model_code.clone())));
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(code: &str, name: &str, launched_on: &str) -> ModelDraft {
        ModelDraft { code: code.into(), name: name.into(), launched_on: launched_on.into(), ..Default::default() }
    }

    fn columns(faults: &Faults) -> Vec<&str> {
        faults.iter().map(|(c, _)| c.as_str()).collect()
    }

    #[test]
    fn a_model_is_a_code_a_name_and_optional_texts() {
        let m = parse_model(&ModelDraft {
            code: " NKV ".into(),
            name: "Ngày không viết".into(),
            category: "".into(),
            description: "Thứ Năm hằng tuần".into(),
            launched_on: "2023-08-01".into(),
        })
        .unwrap();
        assert_eq!(m.code, "NKV", "cells are trimmed");
        assert_eq!(m.category, None);
        assert_eq!(m.description.as_deref(), Some("Thứ Năm hằng tuần"));
        assert_eq!(m.launched_on, NaiveDate::from_ymd_opt(2023, 8, 1));
    }

    #[test]
    fn every_broken_model_rule_is_reported_at_its_column() {
        let faults = parse_model(&model("N K", "=HYPERLINK(\"http://x.example\")", "2023-8-1")).unwrap_err();
        assert_eq!(columns(&faults), ["code", "name", "launched_on"]);
        assert_eq!(faults[1].1.to_string(), "must not begin with `=`: a spreadsheet would run it as a formula");
        assert_eq!(faults[2].1.to_string(), "`2023-8-1` is not a date of the form YYYY-MM-DD");
        let faults = parse_model(&model("", "", "")).unwrap_err();
        assert_eq!(faults, [("code".into(), Fault::Required), ("name".into(), Fault::Required)]);
        let long = ModelDraft { description: "ă".repeat(5001), ..model("A", "B", "") };
        assert_eq!(parse_model(&long).unwrap_err(), [("description".into(), Fault::TooLong { max: 5000, got: 5001 })]);
        assert_eq!(parse_model(&model("A", "B", "2023-02-30")).unwrap_err()[0].0, "launched_on", "no 30 February");
    }

    fn adoption(started: &str, ended: &str, stage: &str, steer: &str) -> AdoptionDraft {
        AdoptionDraft {
            unit_code: "402-01".into(),
            model_code: "NKV".into(),
            started_on: started.into(),
            ended_on: ended.into(),
            stage: stage.into(),
            steered_by: steer.into(),
        }
    }

    #[test]
    fn an_adoption_defaults_to_a_pilot_and_ends_after_it_starts() {
        let a = parse_adoption(&adoption("2024-03-01", "", "", "")).unwrap();
        assert_eq!((a.stage, a.steered_by, a.ended_on), (AdoptionStage::Pilot, None, None));
        assert_eq!(a.key(), "402-01/NKV/2024-03-01");
        let a = parse_adoption(&adoption("2024-03-01", "2024-03-01", "scaled", "district")).unwrap();
        assert_eq!((a.stage, a.steered_by), (AdoptionStage::Scaled, Some(SteeredBy::District)));
        let faults = parse_adoption(&adoption("2024-03-01", "2024-02-29", "rolled out", "commune")).unwrap_err();
        assert_eq!(columns(&faults), ["ended_on", "stage", "steered_by"]);
        assert_eq!(faults[0].1.to_string(), "2024-02-29 is before started_on 2024-03-01");
        assert_eq!(faults[1].1.to_string(), "must be one of pilot | scaled, got `rolled out`");
        assert_eq!(parse_adoption(&adoption("", "", "", "")).unwrap_err(), [("started_on".into(), Fault::Required)]);
    }

    #[test]
    fn adoption_facts() {
        let a = parse_adoption(&adoption("2024-03-01", "", "", "")).unwrap();
        let known = AdoptionFacts { unit_level: Some(UnitLevel::Commune), model_known: true };
        assert!(check_adoption(&a, known).is_empty());
        assert!(check_adoption(&a, AdoptionFacts { unit_level: Some(UnitLevel::District), ..known }).is_empty());
        let f = check_adoption(&a, AdoptionFacts { unit_level: Some(UnitLevel::Province), model_known: false });
        assert_eq!(columns(&f), ["unit_code", "model_code"]);
        assert_eq!(f[0].1.to_string(), "`402-01` is a province; adoptions are by a commune or a district");
        assert_eq!(f[1].1.to_string(), "unknown model `NKV`");
        assert_eq!(check_adoption(&a, AdoptionFacts::default())[0].1, Fault::UnknownUnit("402-01".into()));
    }

    #[test]
    fn units_need_a_parent_below_the_province() {
        let draft = UnitDraft { code: "402-01".into(), name: "Xã A".into(), level: "commune".into(), ..Default::default() };
        assert_eq!(parse_unit(&draft).unwrap_err(), [("parent_code".into(), Fault::ParentRequired)]);
        let province = UnitDraft { level: "province".into(), ..draft.clone() };
        assert_eq!(parse_unit(&province).unwrap().parent_code, None);
        let bad = UnitDraft { level: "xã".into(), valid_from: "2025-07-01".into(), valid_to: "2025-06-30".into(), ..draft };
        let faults = parse_unit(&bad).unwrap_err();
        assert_eq!(columns(&faults), ["level", "valid_to"]);
        assert_eq!(faults[1].1.to_string(), "2025-06-30 is before valid_from 2025-07-01");
        assert_eq!(parse_unit(&UnitDraft::default()).unwrap_err().len(), 3, "code, name and level are required");
    }

    proptest::proptest! {
        /// Any text in any field, typed or fuzzed: a record that keeps the rules, or faults.
        #[test]
        fn any_draft_is_a_record_that_keeps_the_rules_or_faults(
            cells in proptest::collection::vec("\\PC{0,40}|[A-Za-z0-9.-]{1,8}|[0-9]{4}-[0-9]{2}-[0-9]{2}", 8)
        ) {
            let c = |i: usize| cells[i].clone();
            let model = ModelDraft { code: c(0), name: c(1), category: c(2), description: c(3), launched_on: c(4) };
            if let Ok(m) = parse_model(&model) {
                proptest::prop_assert!(rules::check_code(&m.code).is_ok() && rules::check_text(&m.name, rules::TEXT_MAX).is_ok());
            }
            let adoption = AdoptionDraft { unit_code: c(0), model_code: c(1), started_on: c(2), ended_on: c(3), stage: c(4), steered_by: c(5) };
            if let Ok(a) = parse_adoption(&adoption) {
                proptest::prop_assert!(a.ended_on.is_none_or(|e| e >= a.started_on));
            }
            let unit = UnitDraft { code: c(0), name: c(1), level: c(2), parent_code: c(3), kind: c(4), valid_from: c(5), valid_to: c(6), successor_code: c(7) };
            if let Ok(u) = parse_unit(&unit) {
                proptest::prop_assert!(u.level == UnitLevel::Province || u.parent_code.is_some());
            }
        }
    }

    #[test]
    fn units_sit_one_level_under_their_parent() {
        let tree = |code: &str| match code {
            "P" => Some(UnitLevel::Province),
            "D1" => Some(UnitLevel::District),
            "A" | "N1" => Some(UnitLevel::Commune),
            _ => None,
        };
        let unit = |code: &str, level: UnitLevel, parent: &str, successor: Option<&str>| UnitRecord {
            code: code.into(),
            name: "X".into(),
            level,
            parent_code: Some(parent.into()),
            kind: None,
            valid_from: None,
            valid_to: None,
            successor_code: successor.map(str::to_string),
        };
        assert!(check_unit(&unit("A", UnitLevel::Commune, "D1", Some("N1")), tree).is_empty());
        assert!(check_unit(&unit("N1", UnitLevel::Commune, "P", None), tree).is_empty(), "after 2025, under the province");
        let f = check_unit(&unit("D2", UnitLevel::District, "D1", Some("N9")), tree);
        assert_eq!(f[0].1.to_string(), "a district cannot sit under a district (`D1`)");
        assert_eq!(f[1], ("successor_code".into(), Fault::UnknownUnit("N9".into())));
        assert_eq!(check_unit(&unit("A", UnitLevel::Commune, "A", None), tree)[0].1, Fault::OwnParent);
        assert_eq!(check_unit(&unit("B", UnitLevel::Commune, "Z", None), tree)[0].1, Fault::UnknownUnit("Z".into()));
    }
}
