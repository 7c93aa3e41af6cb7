//! Reporting periods (`2024`, `2024-Q2`, `2024-05`) and the date spans they cover.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

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

    fn any_period() -> impl Strategy<Value = Period> {
        prop_oneof![
            (1900i32..2100).prop_map(Period::Year),
            (1900i32..2100, 1u8..=4).prop_map(|(year, quarter)| Period::Quarter { year, quarter }),
            (1900i32..2100, 1u8..=12).prop_map(|(year, month)| Period::Month { year, month }),
        ]
    }

    proptest! {
        #[test]
        fn display_round_trips(p in any_period()) {
            prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
        }

        #[test]
        fn every_period_contains_itself_and_lies_in_its_year(p in any_period()) {
            prop_assert!(p.contains(p));
            prop_assert!(Period::Year(p.year()).contains(p));
            prop_assert!(p.first_day() <= p.last_day());
        }
    }
}
