//! A survey count as every write path receives it (an import row, the entry form, the
//! write API): the contract's rules, checked the same way for all of them, and the
//! warnings an entry gets when its figures look unlike the unit's own history.
//!
//! Pure: what the database knows (the unit's validity, the models, other periods, the
//! history) is handed in as [`SurveyFacts`].
use super::period::{DateSpan, Period};
use super::rules;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The fields as typed: every path hands over text, so that "not a number" reads the same
/// whether it came from a CSV cell, a form field or a JSON value. Serialized (and read from
/// a form) with the import's column names, the levels as five fields of their own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveyDraft {
    pub unit_code: String,
    /// Empty: the unit's service as a whole.
    pub model_code: String,
    pub period: String,
    pub respondents: String,
    pub satisfied: String,
    /// The optional SIPAS breakdown, in [`LEVEL_FIELDS`] order: all five or none.
    #[serde(flatten, with = "level_fields")]
    pub levels: [String; 5],
}

/// The five levels of a draft as the fields `very_satisfied` … `very_dissatisfied`.
mod level_fields {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Default, Serialize, Deserialize)]
    #[serde(default)]
    struct Levels {
        very_satisfied: String,
        fairly_satisfied: String,
        neutral: String,
        dissatisfied: String,
        very_dissatisfied: String,
    }

    pub fn serialize<S: Serializer>(levels: &[String; 5], s: S) -> Result<S::Ok, S::Error> {
        let [very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied] = levels.clone();
        Levels { very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[String; 5], D::Error> {
        let l = Levels::deserialize(d)?;
        Ok([l.very_satisfied, l.fairly_satisfied, l.neutral, l.dissatisfied, l.very_dissatisfied])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SurveyField {
    UnitCode,
    ModelCode,
    Period,
    Respondents,
    Satisfied,
    VerySatisfied,
    FairlySatisfied,
    Neutral,
    Dissatisfied,
    VeryDissatisfied,
}

pub const LEVEL_FIELDS: [SurveyField; 5] = [
    SurveyField::VerySatisfied,
    SurveyField::FairlySatisfied,
    SurveyField::Neutral,
    SurveyField::Dissatisfied,
    SurveyField::VeryDissatisfied,
];

impl SurveyField {
    /// The import's column name, which the form fields and the API's keys also use.
    pub fn column(self) -> &'static str {
        match self {
            SurveyField::UnitCode => "unit_code",
            SurveyField::ModelCode => "model_code",
            SurveyField::Period => "period",
            SurveyField::Respondents => "respondents",
            SurveyField::Satisfied => "satisfied",
            SurveyField::VerySatisfied => "very_satisfied",
            SurveyField::FairlySatisfied => "fairly_satisfied",
            SurveyField::Neutral => "neutral",
            SurveyField::Dissatisfied => "dissatisfied",
            SurveyField::VeryDissatisfied => "very_dissatisfied",
        }
    }
}

/// The five levels, very satisfied first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown(pub [i32; 5]);

/// A survey count that passed [`parse`]: well-formed and arithmetically consistent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub unit_code: String,
    pub model_code: Option<String>,
    pub period: Period,
    pub respondents: i32,
    pub satisfied: i32,
    pub breakdown: Option<Breakdown>,
}

impl Survey {
    /// The contract's key: (unit_code, model_code, period).
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.unit_code, self.model_code.as_deref().unwrap_or(""), self.period)
    }
}

/// What a stored survey count holds, shown beside the writer's values when someone else
/// saved a newer version in between.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub version: i32,
    pub respondents: i32,
    pub satisfied: i32,
    pub levels: Option<[i32; 5]>,
}

/// A rule a survey count breaks. `Display` is the English sentence the import and the API
/// report; `i18n::broken_rule` says it in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Broken {
    Required,
    /// A code breaking the contract's code rule; the sentence says which way.
    Code(String),
    NotANumber(String),
    TooFewRespondents(i64),
    Negative(i64),
    MoreThanRespondents { satisfied: i32, respondents: i32 },
    Period(String),
    PartialBreakdown,
    BreakdownTotal { total: i64, respondents: i32 },
    BreakdownSatisfied { total: i64, satisfied: i32 },
    FuturePeriod(Period),
    UnknownUnit(String),
    UnknownModel(String),
    UnitNotValid { unit: String, period: Period },
    /// `line` when the other survey is in the same batch, `None` when it is stored.
    Overlap { period: Period, other: Period, line: Option<u64> },
    /// The key is stored with other values (at `version`): an edit, not a new entry.
    Exists { key: String, version: i32 },
    /// The same key twice in one batch.
    Duplicate { key: String, line: u64 },
    /// A staff member's write for a unit that is not theirs.
    NotYourUnit(String),
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Broken::Required => write!(f, "a value is required"),
            Broken::Code(why) => write!(f, "{why}"),
            Broken::NotANumber(s) => write!(f, "`{s}` is not a whole number"),
            Broken::TooFewRespondents(n) => write!(f, "must be at least 1, got {n}"),
            Broken::Negative(n) => write!(f, "must not be negative, got {n}"),
            Broken::MoreThanRespondents { satisfied, respondents } => {
                write!(f, "{satisfied} is more than respondents ({respondents})")
            }
            Broken::Period(why) => write!(f, "{why}"),
            Broken::PartialBreakdown => write!(f, "give all five satisfaction levels or none"),
            Broken::BreakdownTotal { total, respondents } => {
                write!(f, "the five levels add up to {total}, not to respondents ({respondents})")
            }
            Broken::BreakdownSatisfied { total, satisfied } => {
                write!(f, "very_satisfied + fairly_satisfied = {total}, not satisfied ({satisfied})")
            }
            Broken::FuturePeriod(p) => write!(f, "{p} has not begun yet"),
            Broken::UnknownUnit(c) => write!(f, "unknown unit `{c}`"),
            Broken::UnknownModel(c) => write!(f, "unknown model `{c}`"),
            Broken::UnitNotValid { unit, period } => write!(f, "unit `{unit}` is not valid during {period}"),
            Broken::Overlap { period, other, line } => {
                let source = line.map_or("already in the database".to_string(), |l| format!("line {l}"));
                write!(f, "{period} overlaps {other} of the same unit and model ({source}): its ballots would count twice")
            }
            // How to replace them is the boundary's to say: the import's --update, the API's version.
            Broken::Exists { key, .. } => write!(f, "survey ({key}) already exists with other values"),
            Broken::Duplicate { key, line } => write!(f, "duplicate key ({key}) (first on line {line})"),
            Broken::NotYourUnit(c) => write!(f, "you may not enter figures for unit `{c}`"),
        }
    }
}

/// One broken rule, at a field.
pub type FieldProblem = (SurveyField, Broken);

/// Checks the form of a draft: codes, a survey period, whole numbers, the arithmetic.
/// Every problem is reported, each at its field.
pub fn parse(draft: &SurveyDraft) -> Result<Survey, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let unit_code = code(&draft.unit_code, true, SurveyField::UnitCode, &mut problems);
    let model_code = code(&draft.model_code, false, SurveyField::ModelCode, &mut problems);
    let period = match draft.period.trim() {
        "" => {
            problems.push((SurveyField::Period, Broken::Required));
            None
        }
        p => match Period::parse_survey(p) {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push((SurveyField::Period, Broken::Period(e.to_string())));
                None
            }
        },
    };
    let respondents = count(&draft.respondents, true, SurveyField::Respondents, &mut problems).filter(|&n| {
        let ok = n >= 1;
        if !ok {
            problems.push((SurveyField::Respondents, Broken::TooFewRespondents(n.into())));
        }
        ok
    });
    let satisfied = count(&draft.satisfied, true, SurveyField::Satisfied, &mut problems).filter(|&s| {
        let ok = s >= 0;
        if !ok {
            problems.push((SurveyField::Satisfied, Broken::Negative(s.into())));
        }
        ok
    });
    if let (Some(n), Some(s)) = (respondents, satisfied) {
        if s > n {
            problems.push((SurveyField::Satisfied, Broken::MoreThanRespondents { satisfied: s, respondents: n }));
        }
    }
    let breakdown = breakdown(draft, respondents, satisfied, &mut problems);
    match (unit_code, model_code, period, respondents, satisfied) {
        (Some(Some(unit_code)), Some(model_code), Some(period), Some(respondents), Some(satisfied))
            if problems.is_empty() =>
        {
            Ok(Survey { unit_code, model_code, period, respondents, satisfied, breakdown })
        }
        _ => Err(problems),
    }
}

/// `Some(None)` for an empty optional code; `None` (reported) when it breaks a rule.
fn code(raw: &str, required: bool, field: SurveyField, problems: &mut Vec<FieldProblem>) -> Option<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            problems.push((field, Broken::Required));
            return None;
        }
        return Some(None);
    }
    match rules::check_code(raw) {
        Ok(()) => Some(Some(raw.to_string())),
        Err(why) => {
            problems.push((field, Broken::Code(why)));
            None
        }
    }
}

/// A whole number; `None` (reported) when missing or malformed. Negative values pass here
/// so that the caller can say "negative" rather than "not a number".
fn count(raw: &str, required: bool, field: SurveyField, problems: &mut Vec<FieldProblem>) -> Option<i32> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            problems.push((field, Broken::Required));
        }
        return None;
    }
    match raw.parse::<i32>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.push((field, Broken::NotANumber(raw.to_string())));
            None
        }
    }
}

fn breakdown(
    draft: &SurveyDraft,
    respondents: Option<i32>,
    satisfied: Option<i32>,
    problems: &mut Vec<FieldProblem>,
) -> Option<Breakdown> {
    let given = draft.levels.iter().filter(|l| !l.trim().is_empty()).count();
    if given == 0 {
        return None;
    }
    if given < 5 {
        for (field, raw) in LEVEL_FIELDS.iter().zip(&draft.levels) {
            if raw.trim().is_empty() {
                problems.push((*field, Broken::PartialBreakdown));
            }
        }
        return None;
    }
    let mut levels = [0i32; 5];
    let mut ok = true;
    for (i, (field, raw)) in LEVEL_FIELDS.iter().zip(&draft.levels).enumerate() {
        match count(raw, true, *field, problems) {
            Some(n) if n < 0 => {
                problems.push((*field, Broken::Negative(n.into())));
                ok = false;
            }
            Some(n) => levels[i] = n,
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let total: i64 = levels.iter().map(|&n| i64::from(n)).sum();
    if let Some(n) = respondents {
        if total != i64::from(n) {
            problems.push((SurveyField::VeryDissatisfied, Broken::BreakdownTotal { total, respondents: n }));
        }
    }
    let top = i64::from(levels[0]) + i64::from(levels[1]);
    if let Some(s) = satisfied {
        if top != i64::from(s) {
            problems.push((SurveyField::FairlySatisfied, Broken::BreakdownSatisfied { total: top, satisfied: s }));
        }
    }
    Some(Breakdown(levels))
}

/// What the database knows about a survey's unit and model, for [`check_facts`].
#[derive(Clone, Debug, Default)]
pub struct SurveyFacts {
    /// `None`: no such unit.
    pub unit_validity: Option<DateSpan>,
    pub model_known: bool,
    /// The periods of the unit's other surveys of the same model (stored, or earlier in
    /// the batch with their line).
    pub other_periods: Vec<(Period, Option<u64>)>,
}

/// The rules that need the database's facts. `today`: when given, a period that has not
/// begun is refused (entry and the API; an import of history is not held to the clock).
pub fn check_facts(survey: &Survey, facts: &SurveyFacts, today: Option<NaiveDate>) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    match facts.unit_validity {
        None => problems.push((SurveyField::UnitCode, Broken::UnknownUnit(survey.unit_code.clone()))),
        Some(validity) if !validity.overlaps(survey.period) => problems.push((
            SurveyField::Period,
            Broken::UnitNotValid { unit: survey.unit_code.clone(), period: survey.period },
        )),
        Some(_) => {}
    }
    if let Some(m) = &survey.model_code {
        if !facts.model_known {
            problems.push((SurveyField::ModelCode, Broken::UnknownModel(m.clone())));
        }
    }
    if let Some(today) = today {
        if survey.period.first_day() > today {
            problems.push((SurveyField::Period, Broken::FuturePeriod(survey.period)));
        }
    }
    if let Some((other, line)) = facts.other_periods.iter().find(|(p, _)| rules::periods_overlap(survey.period, *p)) {
        problems.push((SurveyField::Period, Broken::Overlap { period: survey.period, other: *other, line: *line }));
    }
    problems
}

/// Something that may be right but deserves a second look: saved only when the writer
/// confirms, and then kept in the audit log with their reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Warning {
    /// The unit has no adoption of the model active in the period.
    ModelNotRun(String),
    /// The rate lies outside the unit's own mean ± 3 standard deviations.
    UnusualRate { rate: f64, mean: f64, sd: f64 },
    /// Ten times (or more) the unit's usual number of respondents.
    UnusualRespondents { respondents: i32, usual: i32 },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ModelNotRun(m) => write!(f, "the unit does not run model `{m}` in this period"),
            Warning::UnusualRate { rate, mean, sd } => write!(
                f,
                "a satisfaction rate of {rate:.1}% is far from this unit's usual {mean:.1}% (± {:.1} points is three standard deviations)",
                3.0 * sd
            ),
            Warning::UnusualRespondents { respondents, usual } => {
                write!(f, "{respondents} respondents is ten times this unit's usual {usual} or more")
            }
        }
    }
}

/// Fewer earlier reports than this and no rate looks unusual: the history says too little.
pub const MIN_HISTORY: usize = 6;

/// Compares an entry with the unit's earlier reports of the same model, given as
/// (respondents, satisfied).
pub fn unusual(survey: &Survey, history: &[(i32, i32)]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if history.len() < MIN_HISTORY {
        return warnings;
    }
    let rates: Vec<f64> = history.iter().map(|&(n, s)| f64::from(s) / f64::from(n) * 100.0).collect();
    let mean = rates.iter().sum::<f64>() / rates.len() as f64;
    let sd = (rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (rates.len() - 1) as f64).sqrt();
    let rate = f64::from(survey.satisfied) / f64::from(survey.respondents) * 100.0;
    // A perfectly steady history (sd 0) would flag any change at all; a point of slack.
    if (rate - mean).abs() > 3.0 * sd.max(1.0 / 3.0) {
        warnings.push(Warning::UnusualRate { rate, mean, sd });
    }
    let mut sizes: Vec<i32> = history.iter().map(|&(n, _)| n).collect();
    sizes.sort_unstable();
    let usual = sizes[sizes.len() / 2];
    if i64::from(survey.respondents) >= 10 * i64::from(usual) {
        warnings.push(Warning::UnusualRespondents { respondents: survey.respondents, usual });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_and_writes_the_levels_as_fields_of_their_own() {
        let draft: SurveyDraft = serde_json::from_value(serde_json::json!({
            "unit_code": "N1", "period": "2026-11", "respondents": "10", "satisfied": "9",
            "very_satisfied": "5", "fairly_satisfied": "4", "neutral": "1", "dissatisfied": "0", "very_dissatisfied": "0"
        }))
        .unwrap();
        assert_eq!(draft.levels, ["5", "4", "1", "0", "0"].map(String::from));
        assert_eq!((draft.model_code.as_str(), draft.respondents.as_str()), ("", "10"), "absent fields are empty");
        let back = serde_json::to_value(&draft).unwrap();
        assert_eq!((back["neutral"].as_str(), back.get("levels")), (Some("1"), None));
        assert_eq!(serde_json::from_value::<SurveyDraft>(back).unwrap(), draft);
    }

    fn draft(period: &str, n: &str, s: &str) -> SurveyDraft {
        SurveyDraft {
            unit_code: "38-001".into(),
            period: period.into(),
            respondents: n.into(),
            satisfied: s.into(),
            ..Default::default()
        }
    }

    fn problems(d: &SurveyDraft) -> Vec<(&'static str, String)> {
        parse(d).err().unwrap_or_default().into_iter().map(|(f, b)| (f.column(), b.to_string())).collect()
    }

    #[test]
    fn a_plain_count_parses() {
        let s = parse(&draft("2026-11", "120", "111")).unwrap();
        assert_eq!(s.period, "2026-11".parse().unwrap());
        assert_eq!((s.respondents, s.satisfied, &s.model_code, s.breakdown), (120, 111, &None, None));
        assert_eq!(s.key(), "38-001//2026-11");
    }

    #[test]
    fn each_field_says_what_is_wrong() {
        assert_eq!(problems(&draft("2026-11", "abc", "1")), [("respondents", "`abc` is not a whole number".into())]);
        assert_eq!(problems(&draft("2026-11", "0", "0")), [("respondents", "must be at least 1, got 0".into())]);
        assert_eq!(problems(&draft("2026-11", "10", "-1")), [("satisfied", "must not be negative, got -1".into())]);
        assert_eq!(problems(&draft("2026-11", "10", "11")), [("satisfied", "11 is more than respondents (10)".into())]);
        assert_eq!(problems(&draft("", "", "")).len(), 3);
        assert_eq!(
            problems(&draft("2026", "10", "1")),
            [("period", "a survey period is a month (YYYY-MM) or a quarter (YYYY-Qn), got `2026`".into())]
        );
        let mut d = draft("2026-11", "10", "1");
        d.unit_code = "x'; DROP TABLE units;--".into();
        assert_eq!(problems(&d)[0].0, "unit_code");
        d.unit_code = String::new();
        assert_eq!(problems(&d), [("unit_code", "a value is required".into())]);
    }

    #[test]
    fn the_breakdown_is_all_or_nothing_and_adds_up() {
        let mut d = draft("2026-11", "10", "8");
        d.levels = ["5".into(), "3".into(), "1".into(), "1".into(), "0".into()];
        assert_eq!(parse(&d).unwrap().breakdown, Some(Breakdown([5, 3, 1, 1, 0])));
        d.levels[4] = String::new();
        assert_eq!(problems(&d), [("very_dissatisfied", "give all five satisfaction levels or none".into())]);
        d.levels[4] = "1".into();
        assert_eq!(
            problems(&d),
            [("very_dissatisfied", "the five levels add up to 11, not to respondents (10)".into())]
        );
        d.levels = ["4".into(), "3".into(), "2".into(), "1".into(), "0".into()];
        assert_eq!(problems(&d), [("fairly_satisfied", "very_satisfied + fairly_satisfied = 7, not satisfied (8)".into())]);
        d.levels[3] = "-1".into();
        assert!(problems(&d).contains(&("dissatisfied", "must not be negative, got -1".into())));
    }

    #[test]
    fn facts_decide_unit_model_future_and_overlap() {
        let s = parse(&draft("2026-11", "10", "9")).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let valid = SurveyFacts { unit_validity: Some(DateSpan::new(d(2025, 7, 1), None)), ..Default::default() };
        assert!(check_facts(&s, &valid, d(2026, 11, 1)).is_empty(), "the current month may be entered");
        let msgs = |f: &SurveyFacts, today| -> Vec<String> {
            check_facts(&s, f, today).into_iter().map(|(_, b)| b.to_string()).collect()
        };
        assert_eq!(msgs(&valid, d(2026, 10, 31)), ["2026-11 has not begun yet"]);
        assert_eq!(msgs(&SurveyFacts::default(), None), ["unknown unit `38-001`"]);
        let old = SurveyFacts { unit_validity: Some(DateSpan::new(None, d(2025, 6, 30))), ..Default::default() };
        assert_eq!(msgs(&old, None), ["unit `38-001` is not valid during 2026-11"]);
        let overlapping = SurveyFacts { other_periods: vec![("2026-Q4".parse().unwrap(), None)], ..valid.clone() };
        assert_eq!(
            msgs(&overlapping, None),
            ["2026-11 overlaps 2026-Q4 of the same unit and model (already in the database): its ballots would count twice"]
        );
        let mut with_model = s.clone();
        with_model.model_code = Some("CQTT".into());
        assert_eq!(check_facts(&with_model, &valid, None)[0].1, Broken::UnknownModel("CQTT".into()));
    }

    #[test]
    fn unusual_rates_and_sizes_warn_once_history_says_enough() {
        let s = |n, sat| Survey {
            unit_code: "C".into(),
            model_code: None,
            period: "2026-11".parse().unwrap(),
            respondents: n,
            satisfied: sat,
            breakdown: None,
        };
        let history = [(100, 90), (100, 92), (100, 88), (100, 91), (100, 89), (100, 90)];
        assert!(unusual(&s(100, 90), &history).is_empty());
        assert!(unusual(&s(100, 40), &history[..5]).is_empty(), "five reports are too few to judge");
        // mean 90, sd 1.41: 40 % is far outside 90 ± 4.2.
        assert!(matches!(unusual(&s(100, 40), &history)[..], [Warning::UnusualRate { .. }]));
        assert!(unusual(&s(100, 86), &history).is_empty(), "86 % is within three standard deviations");
        assert_eq!(
            unusual(&s(1000, 900), &history),
            [Warning::UnusualRespondents { respondents: 1000, usual: 100 }]
        );
        let steady = [(50, 50); 6];
        assert!(unusual(&s(50, 50), &steady).is_empty());
        assert!(!unusual(&s(50, 45), &steady).is_empty(), "a steady 100 % then 90 % is worth a look");
    }
}
