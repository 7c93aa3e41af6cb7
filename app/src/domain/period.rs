//! Reporting periods (`2024`, `2024-Q2`, `2024-05`) and the date spans they cover.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Vietnam's offset from UTC (no daylight saving): the calendar of every deadline, "today"
/// and "this month", whatever the server's zone.
pub const VIETNAM_UTC_OFFSET_HOURS: i64 = 7;

/// A moment as Vietnam reads it: `YYYY-MM-DD HH:MM`.
pub fn vietnam_time(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS)).format("%Y-%m-%d %H:%M").to_string()
}

/// The date in Vietnam at the instant `at`.
pub fn vietnam_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS)).date_naive()
}

/// A year, a quarter or a month: the grains surveys are counted in and figures filtered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i32),
    Quarter { year: i32, quarter: u8 },
    Month { year: i32, month: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("expected YYYY, YYYY-Qn or YYYY-MM, got `{0}`")]
    Format(String),
    #[error("quarter must be 1 to 4, got `{0}`")]
    Quarter(String),
    #[error("month must be 01 to 12, got `{0}`")]
    Month(String),
    #[error("a survey period is a month (YYYY-MM) or a quarter (YYYY-Qn), got `{0}`")]
    NotASurveyPeriod(String),
    #[error("`from` and `to` must both be years, quarters or months, got `{0}` and `{1}`")]
    MixedGrains(String, String),
    #[error("`from` ({0}) comes after `to` ({1})")]
    Reversed(String, String),
    #[error("a span covers at most {max} periods, got {0}", max = Period::MAX_SPAN)]
    SpanTooLong(usize),
}

/// An inclusive span of days. `None` ends mean "open" (always valid / still running).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateSpan {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateSpan {
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        Self { from, to }
    }

    /// True when the span shares at least one day with `period` (the contract's
    /// "valid during P" and "active in P": from ≤ last day and to ≥ first day).
    pub fn overlaps(&self, period: Period) -> bool {
        self.from.is_none_or(|f| f <= period.last_day()) && self.to.is_none_or(|t| t >= period.first_day())
    }
}

impl Period {
    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(y) | Period::Quarter { year: y, .. } | Period::Month { year: y, .. } => y,
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        let (y, m) = match *self {
            Period::Year(y) => (y, 1),
            Period::Quarter { year, quarter } => (year, u32::from(quarter) * 3 - 2),
            Period::Month { year, month } => (year, u32::from(month)),
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("validated period")
    }

    pub fn last_day(&self) -> NaiveDate {
        let (y, last_month) = match *self {
            Period::Year(y) => (y, 12),
            Period::Quarter { year, quarter } => (year, u32::from(quarter) * 3),
            Period::Month { year, month } => (year, u32::from(month)),
        };
        let next = if last_month == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, last_month + 1, 1)
        };
        next.expect("validated period").pred_opt().expect("not the first day of time")
    }

    /// True when every day of `inner` lies in `self`: a quarterly survey counts in its
    /// year and its quarter, never in a month.
    pub fn contains(&self, inner: Period) -> bool {
        self.first_day() <= inner.first_day() && inner.last_day() <= self.last_day()
    }

    /// The period of the same grain that follows this one.
    pub fn next(&self) -> Period {
        match *self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Quarter { year, quarter: 4 } => Period::Quarter { year: year + 1, quarter: 1 },
            Period::Quarter { year, quarter } => Period::Quarter { year, quarter: quarter + 1 },
            Period::Month { year, month: 12 } => Period::Month { year: year + 1, month: 1 },
            Period::Month { year, month } => Period::Month { year, month: month + 1 },
        }
    }

    /// The period of the same grain that precedes this one.
    pub fn previous(&self) -> Period {
        match *self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Quarter { year, quarter: 1 } => Period::Quarter { year: year - 1, quarter: 4 },
            Period::Quarter { year, quarter } => Period::Quarter { year, quarter: quarter - 1 },
            Period::Month { year, month: 1 } => Period::Month { year: year - 1, month: 12 },
            Period::Month { year, month } => Period::Month { year, month: month - 1 },
        }
    }

    fn same_grain(&self, other: &Period) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// The longest span a trend may ask for: 20 years of months.
    pub const MAX_SPAN: usize = 240;

    /// Every period from `from` to `to` at their common grain, both included.
    pub fn span(from: Period, to: Period) -> Result<Vec<Period>, PeriodError> {
        if !from.same_grain(&to) {
            return Err(PeriodError::MixedGrains(from.to_string(), to.to_string()));
        }
        if from.first_day() > to.first_day() {
            return Err(PeriodError::Reversed(from.to_string(), to.to_string()));
        }
        let mut out = vec![from];
        while *out.last().expect("not empty") != to {
            if out.len() == Self::MAX_SPAN {
                let mut n = out.len();
                let mut p = *out.last().expect("not empty");
                while p != to {
                    p = p.next();
                    n += 1;
                }
                return Err(PeriodError::SpanTooLong(n));
            }
            out.push(out.last().expect("not empty").next());
        }
        Ok(out)
    }

    /// The span a dashboard trend shows up to this period: five years, eight quarters or
    /// twelve months.
    pub fn trend_span(&self) -> Vec<Period> {
        let count = match self {
            Period::Year(_) => 5,
            Period::Quarter { .. } => 8,
            Period::Month { .. } => 12,
        };
        self.trend_span_of(count)
    }

    /// The `count` periods of this grain ending with this one (at most [`Self::MAX_SPAN`]).
    pub fn trend_span_of(&self, count: usize) -> Vec<Period> {
        let count = count.clamp(1, Self::MAX_SPAN);
        let mut out = vec![*self];
        while out.len() < count {
            let first = out[0].previous();
            out.insert(0, first);
        }
        out
    }

    /// The month a date falls in.
    pub fn month_of(date: NaiveDate) -> Period {
        use chrono::Datelike;
        Period::Month { year: date.year(), month: date.month() as u8 }
    }

    /// Surveys are counted per month or per quarter, never per year.
    pub fn parse_survey(s: &str) -> Result<Period, PeriodError> {
        match s.parse()? {
            Period::Year(_) => Err(PeriodError::NotASurveyPeriod(s.to_string())),
            p => Ok(p),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim();
        let format_err = || PeriodError::Format(raw.to_string());
        let year_of = |y: &str| -> Result<i32, PeriodError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| format_err())
            } else {
                Err(format_err())
            }
        };
        match s.split_once('-') {
            None => Ok(Period::Year(year_of(s)?)),
            Some((y, rest)) => {
                let year = year_of(y)?;
                if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                    match q {
                        "1" | "2" | "3" | "4" => Ok(Period::Quarter { year, quarter: q.parse().unwrap_or(1) }),
                        _ => Err(PeriodError::Quarter(raw.to_string())),
                    }
                } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                    let month: u8 = rest.parse().map_err(|_| format_err())?;
                    if (1..=12).contains(&month) {
                        Ok(Period::Month { year, month })
                    } else {
                        Err(PeriodError::Month(raw.to_string()))
                    }
                } else {
                    Err(format_err())
                }
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_the_three_grains() {
        assert_eq!("2024".parse(), Ok(Period::Year(2024)));
        assert_eq!("2024-Q2".parse(), Ok(Period::Quarter { year: 2024, quarter: 2 }));
        assert_eq!("2024-05".parse(), Ok(Period::Month { year: 2024, month: 5 }));
    }

    #[test]
    fn rejects_malformed_periods() {
        assert!(matches!("24".parse::<Period>(), Err(PeriodError::Format(_))));
        assert!(matches!("2024-Q5".parse::<Period>(), Err(PeriodError::Quarter(_))));
        assert!(matches!("2024-13".parse::<Period>(), Err(PeriodError::Month(_))));
        assert!(matches!("2024-00".parse::<Period>(), Err(PeriodError::Month(_))));
        assert!(matches!("2024-5".parse::<Period>(), Err(PeriodError::Format(_))));
        assert!(matches!("2024/05".parse::<Period>(), Err(PeriodError::Format(_))));
        assert!(matches!("".parse::<Period>(), Err(PeriodError::Format(_))));
        assert!(matches!(Period::parse_survey("2024"), Err(PeriodError::NotASurveyPeriod(_))));
    }

    #[test]
    fn first_and_last_days() {
        let q1 = Period::Quarter { year: 2024, quarter: 1 };
        assert_eq!((q1.first_day(), q1.last_day()), (d(2024, 1, 1), d(2024, 3, 31)));
        let feb_leap = Period::Month { year: 2024, month: 2 };
        assert_eq!(feb_leap.last_day(), d(2024, 2, 29));
        let feb = Period::Month { year: 2023, month: 2 };
        assert_eq!(feb.last_day(), d(2023, 2, 28));
        let dec = Period::Month { year: 2024, month: 12 };
        assert_eq!(dec.last_day(), d(2024, 12, 31));
        assert_eq!(Period::Year(2025).last_day(), d(2025, 12, 31));
        let q4 = Period::Quarter { year: 2024, quarter: 4 };
        assert_eq!((q4.first_day(), q4.last_day()), (d(2024, 10, 1), d(2024, 12, 31)));
    }

    #[test]
    fn quarter_counts_in_year_and_quarter_never_in_a_month() {
        let q2 = Period::Quarter { year: 2024, quarter: 2 };
        assert!(Period::Year(2024).contains(q2));
        assert!(q2.contains(q2));
        assert!(!Period::Month { year: 2024, month: 5 }.contains(q2));
        assert!(!Period::Year(2023).contains(q2));
        assert!(q2.contains(Period::Month { year: 2024, month: 6 }));
        assert!(!q2.contains(Period::Month { year: 2024, month: 7 }));
    }

    #[test]
    fn span_overlap_is_inclusive_at_both_ends() {
        let may = Period::Month { year: 2024, month: 5 };
        assert!(DateSpan::new(None, None).overlaps(may));
        assert!(DateSpan::new(Some(d(2024, 5, 31)), None).overlaps(may));
        assert!(!DateSpan::new(Some(d(2024, 6, 1)), None).overlaps(may));
        assert!(DateSpan::new(None, Some(d(2024, 5, 1))).overlaps(may));
        assert!(!DateSpan::new(None, Some(d(2024, 4, 30))).overlaps(may));
        assert!(DateSpan::new(Some(d(2024, 5, 10)), Some(d(2024, 5, 12))).overlaps(may));
    }

    #[test]
    fn spans_step_at_their_grain() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        let names = |v: Vec<Period>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(names(Period::span(p("2024-11"), p("2025-02")).unwrap()), ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(names(Period::span(p("2024-Q4"), p("2025-Q1")).unwrap()), ["2024-Q4", "2025-Q1"]);
        assert_eq!(names(Period::span(p("2023"), p("2023")).unwrap()), ["2023"]);
        assert_eq!(Period::span(p("2024"), p("2024-Q1")), Err(PeriodError::MixedGrains("2024".into(), "2024-Q1".into())));
        assert_eq!(Period::span(p("2025-01"), p("2024-12")), Err(PeriodError::Reversed("2025-01".into(), "2024-12".into())));
        assert_eq!(Period::span(p("2000-01"), p("2024-12")), Err(PeriodError::SpanTooLong(300)));
        assert_eq!(Period::span(p("2005-01"), p("2024-12")).unwrap().len(), 240);
        assert_eq!(names(p("2025-Q2").trend_span()).first().map(String::as_str), Some("2023-Q3"));
        assert_eq!(names(p("2024").trend_span()), ["2020", "2021", "2022", "2023", "2024"]);
        assert_eq!(p("2025-01").previous(), p("2024-12"));
        assert_eq!(Period::month_of(d(2024, 2, 29)), p("2024-02"));
    }

    fn any_period() -> impl Strategy<Value = Period> {
        prop_oneof![
            (1900i32..2100).prop_map(Period::Year),
            (1900i32..2100, 1u8..=4).prop_map(|(year, quarter)| Period::Quarter { year, quarter }),
            (1900i32..2100, 1u8..=12).prop_map(|(year, month)| Period::Month { year, month }),
        ]
    }

    proptest! {
        /// Any text, typed or fuzzed: a period that prints back as given (up to case), or a refusal.
        #[test]
        fn any_text_is_a_period_or_refused(s in "\\PC{0,12}|[0-9]{4}(-[0-9QqHh]{1,3})?") {
            if let Ok(p) = s.parse::<Period>() {
                prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
            }
            if let Ok(p) = Period::parse_survey(&s) {
                let survey_kind = matches!(p, Period::Month { .. } | Period::Quarter { .. });
                prop_assert!(survey_kind, "a survey period is a month or a quarter");
            }
        }

        #[test]
        fn display_round_trips(p in any_period()) {
            prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
        }

        #[test]
        fn next_and_previous_are_inverse_and_adjacent(p in any_period()) {
            prop_assert_eq!(p.next().previous(), p);
            prop_assert_eq!(p.last_day().succ_opt().unwrap(), p.next().first_day());
        }

        #[test]
        fn every_period_contains_itself_and_lies_in_its_year(p in any_period()) {
            prop_assert!(p.contains(p));
            prop_assert!(Period::Year(p.year()).contains(p));
            prop_assert!(p.first_day() <= p.last_day());
        }
    }
}
