//! A model's effectiveness as the contract defines it: satisfaction in the 12 months before
//! and after a commune adopted it, Newcombe's interval for the change, and the difference in
//! differences against communes of the same district that had not adopted it.
use super::figures::{satisfaction_rate, wilson_interval, Counts, Percent};
use super::period::{DateSpan, Period};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One survey of a commune's service as a whole (no model): its dates and its counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneralSurvey {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub counts: Counts,
}

/// What the computation needs of one commune, for one model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneHistory {
    pub code: String,
    /// The unit it hangs under: its comparison communes share it.
    pub parent: Option<String>,
    /// The earliest started_on of its adoptions of the model; none when it has none.
    pub adopted_on: Option<NaiveDate>,
    pub surveys: Vec<GeneralSurvey>,
}

/// The 12 calendar months before and after the month of `adopted_on` (that month itself
/// belongs to neither).
pub fn windows(adopted_on: NaiveDate) -> (DateSpan, DateSpan) {
    let month = Period::month_of(adopted_on);
    let (mut first_before, mut last_after) = (month, month);
    for _ in 0..12 {
        first_before = first_before.previous();
        last_after = last_after.next();
    }
    let before = DateSpan::new(Some(first_before.first_day()), Some(month.previous().last_day()));
    let after = DateSpan::new(Some(month.next().first_day()), Some(last_after.last_day()));
    (before, after)
}

/// The sum of the surveys whose period lies inside the window.
fn counts_within(surveys: &[GeneralSurvey], window: DateSpan) -> Counts {
    let inside = |s: &&GeneralSurvey| window.from.is_none_or(|f| f <= s.start) && window.to.is_none_or(|t| s.end <= t);
    surveys.iter().filter(inside).fold(Counts::default(), |sum, s| sum + s.counts)
}

/// Rate, interval and change of one before/after pair of sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    pub before: Counts,
    pub after: Counts,
}

impl BeforeAfter {
    /// after rate − before rate, in percentage points, from the exact counts.
    pub fn change(&self) -> Option<f64> {
        Some(satisfaction_rate(self.after)?.value() - satisfaction_rate(self.before)?.value())
    }

    /// Newcombe's hybrid score interval (method 10, 1998) for the change, built from the
    /// two Wilson intervals.
    pub fn change_interval(&self) -> Option<(f64, f64)> {
        let change = self.change()?;
        let (b, a) = (wilson_interval(self.before)?, wilson_interval(self.after)?);
        let (br, ar) = (satisfaction_rate(self.before)?.value(), satisfaction_rate(self.after)?.value());
        let low = change - ((ar - a.low.value()).powi(2) + (b.high.value() - br).powi(2)).sqrt();
        let high = change + ((a.high.value() - ar).powi(2) + (br - b.low.value()).powi(2)).sqrt();
        Some((low, high))
    }
}

/// The sums the contract's effectiveness row is made of.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EffectivenessCounts {
    /// Adopters with at least one ballot in both windows.
    pub adopters: u64,
    pub adopters_counts: BeforeAfter,
    /// (adopter, comparison commune) pairs.
    pub control_communes: u64,
    pub control_counts: BeforeAfter,
}

/// Sums the paired adopters and their comparison communes among `communes` (every commune
/// that may be an adopter or a comparison, with its surveys of the service as a whole).
pub fn effectiveness_counts(communes: &[CommuneHistory]) -> EffectivenessCounts {
    let mut out = EffectivenessCounts::default();
    for adopter in communes {
        let Some(adopted_on) = adopter.adopted_on else { continue };
        let (before, after) = windows(adopted_on);
        let own = BeforeAfter { before: counts_within(&adopter.surveys, before), after: counts_within(&adopter.surveys, after) };
        if own.before.respondents == 0 || own.after.respondents == 0 {
            continue;
        }
        out.adopters += 1;
        out.adopters_counts.before = out.adopters_counts.before + own.before;
        out.adopters_counts.after = out.adopters_counts.after + own.after;
        let after_end = after.to.expect("windows are closed");
        let comparisons = communes.iter().filter(|c| {
            c.code != adopter.code
                && c.parent.is_some()
                && c.parent == adopter.parent
                && c.adopted_on.is_none_or(|d| d > after_end)
        });
        for c in comparisons {
            let theirs = BeforeAfter { before: counts_within(&c.surveys, before), after: counts_within(&c.surveys, after) };
            if theirs.before.respondents > 0 && theirs.after.respondents > 0 {
                out.control_communes += 1;
                out.control_counts.before = out.control_counts.before + theirs.before;
                out.control_counts.after = out.control_counts.after + theirs.after;
            }
        }
    }
    out
}

/// One row of the contract's effectiveness table, in its column order. Rates and changes
/// are rounded only when written (two decimals, half away from zero).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectivenessRow {
    pub model_code: String,
    pub model_name: String,
    pub adopters: u64,
    pub before_respondents: u64,
    pub before_satisfied: u64,
    pub after_respondents: u64,
    pub after_satisfied: u64,
    pub before_rate: Option<Percent>,
    pub before_ci_low: Option<Percent>,
    pub before_ci_high: Option<Percent>,
    pub after_rate: Option<Percent>,
    pub after_ci_low: Option<Percent>,
    pub after_ci_high: Option<Percent>,
    pub change: Option<Percent>,
    pub change_ci_low: Option<Percent>,
    pub change_ci_high: Option<Percent>,
    pub control_communes: u64,
    pub control_before_respondents: u64,
    pub control_before_satisfied: u64,
    pub control_after_respondents: u64,
    pub control_after_satisfied: u64,
    pub control_change: Option<Percent>,
    pub did: Option<Percent>,
}

/// The contract's column names, in order (CSV header, JSON keys).
pub const EFFECTIVENESS_COLUMNS: [&str; 23] = [
    "model_code",
    "model_name",
    "adopters",
    "before_respondents",
    "before_satisfied",
    "after_respondents",
    "after_satisfied",
    "before_rate",
    "before_ci_low",
    "before_ci_high",
    "after_rate",
    "after_ci_low",
    "after_ci_high",
    "change",
    "change_ci_low",
    "change_ci_high",
    "control_communes",
    "control_before_respondents",
    "control_before_satisfied",
    "control_after_respondents",
    "control_after_satisfied",
    "control_change",
    "did",
];

impl EffectivenessRow {
    pub fn new(model_code: String, model_name: String, c: EffectivenessCounts) -> EffectivenessRow {
        let a = c.adopters_counts;
        let (b_ci, a_ci) = (wilson_interval(a.before), wilson_interval(a.after));
        let interval = a.change_interval();
        let control_change = if c.control_communes > 0 { c.control_counts.change() } else { None };
        let change = a.change();
        EffectivenessRow {
            model_code,
            model_name,
            adopters: c.adopters,
            before_respondents: a.before.respondents,
            before_satisfied: a.before.satisfied,
            after_respondents: a.after.respondents,
            after_satisfied: a.after.satisfied,
            before_rate: satisfaction_rate(a.before),
            before_ci_low: b_ci.map(|i| i.low),
            before_ci_high: b_ci.map(|i| i.high),
            after_rate: satisfaction_rate(a.after),
            after_ci_low: a_ci.map(|i| i.low),
            after_ci_high: a_ci.map(|i| i.high),
            change: change.map(Percent::from_points),
            change_ci_low: interval.map(|i| Percent::from_points(i.0)),
            change_ci_high: interval.map(|i| Percent::from_points(i.1)),
            control_communes: c.control_communes,
            control_before_respondents: c.control_counts.before.respondents,
            control_before_satisfied: c.control_counts.before.satisfied,
            control_after_respondents: c.control_counts.after.respondents,
            control_after_satisfied: c.control_counts.after.satisfied,
            control_change: control_change.map(Percent::from_points),
            did: change.zip(control_change).map(|(ch, cc)| Percent::from_points(ch - cc)),
        }
    }

    /// The CSV cells in contract order: two decimals, empty where undefined.
    pub fn csv_cells(&self) -> Vec<String> {
        let pct = |p: Option<Percent>| p.map(|p| p.to_2dp()).unwrap_or_default();
        vec![
            self.model_code.clone(),
            self.model_name.clone(),
            self.adopters.to_string(),
            self.before_respondents.to_string(),
            self.before_satisfied.to_string(),
            self.after_respondents.to_string(),
            self.after_satisfied.to_string(),
            pct(self.before_rate),
            pct(self.before_ci_low),
            pct(self.before_ci_high),
            pct(self.after_rate),
            pct(self.after_ci_low),
            pct(self.after_ci_high),
            pct(self.change),
            pct(self.change_ci_low),
            pct(self.change_ci_high),
            self.control_communes.to_string(),
            self.control_before_respondents.to_string(),
            self.control_before_satisfied.to_string(),
            self.control_after_respondents.to_string(),
            self.control_after_satisfied.to_string(),
            pct(self.control_change),
            pct(self.did),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn month(y: i32, m: u32, respondents: u64, satisfied: u64) -> GeneralSurvey {
        let start = d(y, m, 1);
        let end = Period::Month { year: y, month: m as u8 }.last_day();
        GeneralSurvey { start, end, counts: Counts { respondents, satisfied } }
    }

    fn commune(code: &str, parent: &str, adopted_on: Option<NaiveDate>, surveys: Vec<GeneralSurvey>) -> CommuneHistory {
        CommuneHistory { code: code.into(), parent: Some(parent.into()), adopted_on, surveys }
    }

    #[test]
    fn windows_are_the_twelve_months_either_side_of_the_adoption_month() {
        let (before, after) = windows(d(2023, 3, 15));
        assert_eq!((before.from, before.to), (Some(d(2022, 3, 1)), Some(d(2023, 2, 28))));
        assert_eq!((after.from, after.to), (Some(d(2023, 4, 1)), Some(d(2024, 3, 31))));
    }

    #[test]
    fn hand_computed_before_after_and_difference_in_differences() {
        // A adopts on 2023-03-15: before 80 of 100 (2022-06), after 180 of 200 (2023-09 and
        // 2024-03); the adoption month's survey (2023-03) and 2024-04 lie in neither window.
        // B (same district, never adopts) is A's comparison: 70/100 before, 75/100 after.
        // C adopts after A's after window ends (2024-05) and so also compares; it has no
        // after-window ballot of its own and is no paired adopter. D is in another district.
        let communes = vec![
            commune(
                "A",
                "D1",
                Some(d(2023, 3, 15)),
                vec![month(2022, 6, 100, 80), month(2023, 3, 50, 50), month(2023, 9, 100, 90), month(2024, 3, 100, 90), month(2024, 4, 10, 0)],
            ),
            commune("B", "D1", None, vec![month(2022, 5, 100, 70), month(2023, 12, 100, 75)]),
            commune("C", "D1", Some(d(2024, 5, 1)), vec![month(2022, 4, 10, 5), month(2024, 2, 10, 6)]),
            commune("D", "D2", None, vec![month(2022, 5, 100, 10), month(2023, 12, 100, 20)]),
            // A quarter that straddles the window's start counts nowhere.
            commune(
                "E",
                "D2",
                Some(d(2023, 3, 2)),
                vec![GeneralSurvey { start: d(2022, 1, 1), end: d(2022, 3, 31), counts: Counts { respondents: 5, satisfied: 5 } }, month(2023, 5, 5, 5)],
            ),
        ];
        let c = effectiveness_counts(&communes);
        assert_eq!(c.adopters, 1);
        assert_eq!(c.adopters_counts.before, Counts { respondents: 100, satisfied: 80 });
        assert_eq!(c.adopters_counts.after, Counts { respondents: 200, satisfied: 180 });
        assert_eq!(c.control_communes, 2);
        assert_eq!(c.control_counts.before, Counts { respondents: 110, satisfied: 75 });
        assert_eq!(c.control_counts.after, Counts { respondents: 110, satisfied: 81 });

        let row = EffectivenessRow::new("M".into(), "Model".into(), c);
        let cells = row.csv_cells();
        // Wilson (z = 1.959964): before 80 of 100 → [71.1171, 86.6633]; after 180 of 200 →
        // [85.0594, 93.4330].
        assert_eq!(&cells[7..13], ["80.00", "71.12", "86.66", "90.00", "85.06", "93.43"]);
        // change 10 points; Newcombe: 10 − √(4.9406² + 6.6633²) = 1.7049,
        // 10 + √(3.4330² + 8.8829²) = 19.5232.
        assert_eq!(&cells[13..16], ["10.00", "1.70", "19.52"]);
        // control: 81/110 − 75/110 = 5.4545…; did = 10 − 5.4545 = 4.5454…
        assert_eq!(&cells[21..23], ["5.45", "4.55"]);
        assert_eq!(cells.len(), EFFECTIVENESS_COLUMNS.len());
    }

    #[test]
    fn empty_when_no_adopter_is_paired_or_no_comparison_exists() {
        let alone = vec![commune("A", "D1", Some(d(2023, 3, 15)), vec![month(2022, 6, 100, 80), month(2023, 9, 100, 90)])];
        let row = EffectivenessRow::new("M".into(), "M".into(), effectiveness_counts(&alone));
        assert_eq!((row.adopters, row.control_communes), (1, 0));
        assert!(row.change.is_some());
        assert_eq!((row.control_change, row.did), (None, None));

        let unpaired = vec![commune("A", "D1", Some(d(2023, 3, 15)), vec![month(2022, 6, 100, 80)])];
        let row = EffectivenessRow::new("M".into(), "M".into(), effectiveness_counts(&unpaired));
        assert_eq!(row.adopters, 0);
        assert_eq!((row.before_rate, row.change, row.change_ci_low, row.did), (None, None, None, None));
        assert_eq!(row.csv_cells()[7], "");
    }

    #[test]
    fn a_fall_gives_a_negative_change_with_its_interval_around_it() {
        let ba = BeforeAfter {
            before: Counts { respondents: 200, satisfied: 196 },
            after: Counts { respondents: 200, satisfied: 180 },
        };
        let change = ba.change().unwrap();
        let (low, high) = ba.change_interval().unwrap();
        assert!((change + 8.0).abs() < 1e-9);
        assert!(low < change && change < high && high < 0.0, "{low} {change} {high}");
        assert_eq!(Percent::from_points(change).to_2dp(), "-8.00");
    }
}
