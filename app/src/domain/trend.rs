//! Trends across periods, following predecessors across the 2025 reorganisation: the unit
//! set is found by the database, the rows are made here.
use super::figures::{satisfaction_rate, wilson_interval, Counts, Percent};
use super::period::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One period of a trend, in the contract's column order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    pub period: Period,
    pub respondents: u64,
    pub satisfied: u64,
    pub satisfaction_rate: Option<Percent>,
    pub ci_low: Option<Percent>,
    pub ci_high: Option<Percent>,
}

pub const TREND_COLUMNS: [&str; 6] = ["period", "respondents", "satisfied", "satisfaction_rate", "ci_low", "ci_high"];

/// Summed counts of the surveys that share one survey period (its first and last day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodCounts {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub counts: Counts,
}

impl TrendRow {
    pub fn new(period: Period, counts: Counts) -> TrendRow {
        let interval = wilson_interval(counts);
        TrendRow {
            period,
            respondents: counts.respondents,
            satisfied: counts.satisfied,
            satisfaction_rate: satisfaction_rate(counts),
            ci_low: interval.map(|i| i.low),
            ci_high: interval.map(|i| i.high),
        }
    }

    /// One row per period of `span`; a survey period counts in the row whose period
    /// contains it (a quarter never in a month).
    pub fn rows(span: &[Period], groups: &[PeriodCounts]) -> Vec<TrendRow> {
        span.iter()
            .map(|p| {
                let (first, last) = (p.first_day(), p.last_day());
                let counts = groups
                    .iter()
                    .filter(|g| first <= g.start && g.end <= last)
                    .fold(Counts::default(), |sum, g| sum + g.counts);
                TrendRow::new(*p, counts)
            })
            .collect()
    }

    pub fn csv_cells(&self) -> Vec<String> {
        let pct = |p: Option<Percent>| p.map(|p| p.to_2dp()).unwrap_or_default();
        vec![
            self.period.to_string(),
            self.respondents.to_string(),
            self.satisfied.to_string(),
            pct(self.satisfaction_rate),
            pct(self.ci_low),
            pct(self.ci_high),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(period: &str, respondents: u64, satisfied: u64) -> PeriodCounts {
        let p: Period = period.parse().unwrap();
        PeriodCounts { start: p.first_day(), end: p.last_day(), counts: Counts { respondents, satisfied } }
    }

    #[test]
    fn a_survey_counts_in_the_row_that_contains_its_period() {
        let span = Period::span("2025-Q2".parse().unwrap(), "2025-Q3".parse().unwrap()).unwrap();
        let groups = [group("2025-04", 10, 9), group("2025-06", 10, 10), group("2025-Q3", 20, 18), group("2025-10", 5, 5)];
        let rows = TrendRow::rows(&span, &groups);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].respondents, rows[0].satisfied), (20, 19));
        assert_eq!(rows[0].satisfaction_rate.unwrap().to_2dp(), "95.00");
        assert_eq!((rows[1].respondents, rows[1].satisfied), (20, 18));
        let months = Period::span("2025-07".parse().unwrap(), "2025-08".parse().unwrap()).unwrap();
        let rows = TrendRow::rows(&months, &groups);
        assert_eq!(rows.iter().map(|r| r.respondents).sum::<u64>(), 0, "a quarter never counts in a month");
        assert_eq!(rows[0].csv_cells(), ["2025-07", "0", "0", "", "", ""]);
    }
}
