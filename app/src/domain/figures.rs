//! The figure definitions of `shared/guide/interchange.md`: every rate and interval that
//! reformdash shows, exports or serves is computed here and nowhere else.
use serde::{Deserialize, Serialize, Serializer};
use std::ops::Add;

/// z for a two-sided 95% interval, as the contract fixes it.
pub const Z_95: f64 = 1.959964;

/// A percentage. Keeps the unrounded value for charts and the value rounded to two
/// decimals (half away from zero) for tables and downloads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percent {
    value: f64,
    hundredths: i64,
}

impl Percent {
    /// `num ÷ den × 100`, rounded exactly in integers so that a tie such as 0.125% always
    /// becomes 0.13 whatever the float would have done.
    pub fn from_ratio(num: u64, den: u64) -> Option<Percent> {
        if den == 0 {
            return None;
        }
        let (num, den) = (u128::from(num), u128::from(den));
        let hundredths = ((num * 20_000 + den) / (2 * den)) as i64;
        Some(Percent { value: num as f64 * 100.0 / den as f64, hundredths })
    }

    fn from_value(value: f64) -> Percent {
        Percent { value, hundredths: (value * 100.0).round() as i64 }
    }

    /// A difference of two rates in percentage points (it may be negative), kept exact and
    /// rounded half away from zero when written.
    pub fn from_points(points: f64) -> Percent {
        Percent::from_value(points)
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    /// The two-decimal value that tables, CSV, XLSX and JSON carry.
    pub fn rounded(&self) -> f64 {
        self.hundredths as f64 / 100.0
    }

    /// `98.33`: two decimals, `.` as separator, whatever the UI language.
    pub fn to_2dp(&self) -> String {
        let sign = if self.hundredths < 0 { "-" } else { "" };
        let h = self.hundredths.abs();
        format!("{sign}{}.{:02}", h / 100, h % 100)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.rounded())
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Percent::from_value)
    }
}

/// Ballot counts: how many answered, how many were satisfied (satisfied + very satisfied).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub respondents: u64,
    pub satisfied: u64,
}

impl Add for Counts {
    type Output = Counts;
    fn add(self, o: Counts) -> Counts {
        Counts { respondents: self.respondents + o.respondents, satisfied: self.satisfied + o.satisfied }
    }
}

/// satisfied ÷ respondents × 100; none when nobody answered.
pub type SatisfactionRate = Option<Percent>;
/// communes_adopting ÷ communes × 100; none when there are no communes.
pub type AdoptionRate = Option<Percent>;

pub fn satisfaction_rate(c: Counts) -> SatisfactionRate {
    Percent::from_ratio(c.satisfied, c.respondents)
}

pub fn adoption_rate(communes_adopting: u64, communes: u64) -> AdoptionRate {
    Percent::from_ratio(communes_adopting, communes)
}

/// The Wilson score interval at 95% for `satisfied` out of `respondents`, in percent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WilsonInterval {
    pub low: Percent,
    pub high: Percent,
}

pub fn wilson_interval(c: Counts) -> Option<WilsonInterval> {
    if c.respondents == 0 {
        return None;
    }
    let n = c.respondents as f64;
    let p = c.satisfied as f64 / n;
    let z2 = Z_95 * Z_95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z_95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Clamp the float dust at the edges: at p = 0 or 1 one bound is exactly 0 or 100.
    let low = (centre - half).clamp(0.0, 1.0) * 100.0;
    let high = (centre + half).clamp(0.0, 1.0) * 100.0;
    Some(WilsonInterval { low: Percent::from_value(low), high: Percent::from_value(high) })
}

/// The figures of one row of any summary (a district, a commune, a model), computed from
/// the counts by the one definition above.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub communes: u64,
    pub communes_adopting: u64,
    pub adoption_rate: AdoptionRate,
    pub respondents: u64,
    pub satisfied: u64,
    pub satisfaction_rate: SatisfactionRate,
    pub ci_low: Option<Percent>,
    pub ci_high: Option<Percent>,
}

impl Figures {
    pub fn new(communes: u64, communes_adopting: u64, counts: Counts) -> Figures {
        let interval = wilson_interval(counts);
        Figures {
            communes,
            communes_adopting,
            adoption_rate: adoption_rate(communes_adopting, communes),
            respondents: counts.respondents,
            satisfied: counts.satisfied,
            satisfaction_rate: satisfaction_rate(counts),
            ci_low: interval.map(|i| i.low),
            ci_high: interval.map(|i| i.high),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn counts(respondents: u64, satisfied: u64) -> Counts {
        Counts { respondents, satisfied }
    }

    #[test]
    fn rates_round_half_away_from_zero_in_integers() {
        assert_eq!(satisfaction_rate(counts(200, 200)).unwrap().to_2dp(), "100.00");
        assert_eq!(satisfaction_rate(counts(300, 294)).unwrap().to_2dp(), "98.00");
        assert_eq!(satisfaction_rate(counts(3, 2)).unwrap().to_2dp(), "66.67");
        assert_eq!(satisfaction_rate(counts(800, 1)).unwrap().to_2dp(), "0.13"); // 0.125
        assert_eq!(satisfaction_rate(counts(20_000, 1)).unwrap().to_2dp(), "0.01"); // 0.005
        assert_eq!(adoption_rate(7, 9).unwrap().to_2dp(), "77.78");
        assert_eq!(adoption_rate(0, 5).unwrap().to_2dp(), "0.00");
        assert_eq!(adoption_rate(0, 0), None);
        assert_eq!(satisfaction_rate(counts(0, 0)), None);
    }

    #[test]
    fn wilson_matches_hand_computation() {
        // 196 of 200: p = .98, z² = 3.841459; centre = (.98 + .0096036)/1.0192073
        // = .970927; half = 1.923029 × sqrt(.000098 + .000024009) = .021242.
        let i = wilson_interval(counts(200, 196)).unwrap();
        assert_eq!((i.low.to_2dp(), i.high.to_2dp()), ("94.97".into(), "99.22".into()));
        // 200 of 200: low = 1/(1 + z²/n) = .981154; high is exactly 100.
        let i = wilson_interval(counts(200, 200)).unwrap();
        assert_eq!((i.low.to_2dp(), i.high.to_2dp()), ("98.12".into(), "100.00".into()));
        // 0 of 10: low 0, high = z²/n / (1 + z²/n) = .277528.
        let i = wilson_interval(counts(10, 0)).unwrap();
        assert_eq!((i.low.to_2dp(), i.high.to_2dp()), ("0.00".into(), "27.75".into()));
        // 1 of 2: symmetric around 50: half = .98 × sqrt(.125 + .240091)/(1 + 1.920729) ...
        let i = wilson_interval(counts(2, 1)).unwrap();
        assert_eq!((i.low.to_2dp(), i.high.to_2dp()), ("9.45".into(), "90.55".into()));
        assert_eq!(wilson_interval(counts(0, 0)), None);
    }

    #[test]
    fn figures_follow_the_contract() {
        let f = Figures::new(9, 7, counts(300, 294));
        assert_eq!(f.adoption_rate.unwrap().to_2dp(), "77.78");
        assert_eq!(f.satisfaction_rate.unwrap().to_2dp(), "98.00");
        assert!(f.ci_low.is_some() && f.ci_high.is_some());
        let empty = Figures::new(0, 0, Counts::default());
        assert_eq!((empty.adoption_rate, empty.satisfaction_rate, empty.ci_low), (None, None, None));
        let json = serde_json::to_value(f).unwrap();
        assert_eq!(json["satisfaction_rate"], serde_json::json!(98.0));
        assert_eq!(serde_json::to_value(empty).unwrap()["ci_low"], serde_json::Value::Null);
    }

    proptest! {
        #[test]
        fn interval_contains_the_rate_and_stays_in_bounds(n in 1u64..100_000, k in 0u64..100_000) {
            let c = counts(n, k % (n + 1));
            let rate = satisfaction_rate(c).unwrap().value();
            let i = wilson_interval(c).unwrap();
            prop_assert!(0.0 <= i.low.value() && i.high.value() <= 100.0);
            prop_assert!(i.low.value() <= rate + 1e-9 && rate <= i.high.value() + 1e-9);
            prop_assert!(i.low.rounded() <= i.high.rounded());
        }

        #[test]
        fn merging_disjoint_survey_sets_sums_counts(a in 1u64..10_000, sa in 0u64..10_000, b in 1u64..10_000, sb in 0u64..10_000) {
            let x = counts(a, sa % (a + 1));
            let y = counts(b, sb % (b + 1));
            let merged = x + y;
            prop_assert_eq!(merged.respondents, a + b);
            prop_assert_eq!(merged.satisfied, x.satisfied + y.satisfied);
            // The merged rate lies between the two parts' rates.
            let (rx, ry, rm) = (satisfaction_rate(x).unwrap().value(), satisfaction_rate(y).unwrap().value(), satisfaction_rate(merged).unwrap().value());
            prop_assert!(rx.min(ry) - 1e-9 <= rm && rm <= rx.max(ry) + 1e-9);
        }

        #[test]
        fn rounding_is_within_half_a_hundredth(num in 0u64..1_000_000, den in 1u64..1_000_000) {
            let p = Percent::from_ratio(num, den).unwrap();
            prop_assert!((p.rounded() - p.value()).abs() <= 0.005 + 1e-9);
        }
    }
}
