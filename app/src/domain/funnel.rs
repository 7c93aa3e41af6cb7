//! The funnel of the contract ("Comparing many units: the funnel"): each compared unit's
//! satisfaction against its ballots, with control limits around the overall rate that
//! narrow as the ballots grow (Spiegelhalter's exact binomial limits, interpolated). A unit
//! outside the 99.8 % limits differs from the others by more than chance explains.
use super::figures::{satisfaction_rate, Counts, Percent};
use super::summary::Comparison;
use serde::{Deserialize, Serialize};

/// The API's and the CSV's columns, in the contract's order.
pub const FUNNEL_COLUMNS: [&str; 11] = [
    "unit_code",
    "unit_name",
    "respondents",
    "satisfied",
    "satisfaction_rate",
    "centre",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "flag",
];

/// Where a unit lies against the 99.8 % limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Below,
    Within,
    Above,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Below => "below",
            Flag::Within => "within",
            Flag::Above => "above",
        }
    }
}

/// The limits for `n` ballots, in percent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub lower_95: Percent,
    pub upper_95: Percent,
    pub lower_998: Percent,
    pub upper_998: Percent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub unit_code: String,
    pub unit_name: String,
    pub respondents: u64,
    pub satisfied: u64,
    pub satisfaction_rate: Percent,
    pub centre: Percent,
    #[serde(flatten)]
    pub limits: Limits,
    pub flag: Flag,
}

impl FunnelRow {
    /// The row as the CSV writes it, in [`FUNNEL_COLUMNS`]' order.
    pub fn csv_cells(&self) -> Vec<String> {
        let l = &self.limits;
        vec![
            self.unit_code.clone(),
            self.unit_name.clone(),
            self.respondents.to_string(),
            self.satisfied.to_string(),
            self.satisfaction_rate.to_2dp(),
            self.centre.to_2dp(),
            l.lower_95.to_2dp(),
            l.upper_95.to_2dp(),
            l.lower_998.to_2dp(),
            l.upper_998.to_2dp(),
            self.flag.as_str().to_string(),
        ]
    }
}

/// The funnel of a comparison's units: those with ballots, by unit code; `centre` is `None`
/// when no unit has any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    pub level: super::UnitLevel,
    pub centre: Option<Percent>,
    pub rows: Vec<FunnelRow>,
}

impl Funnel {
    /// The units flagged `flag`, furthest outside first: by how many times the distance
    /// from the centre to their 99.8 % limit their rate lies from the centre (a unit of
    /// few ballots needs to be further off to be as far outside), then by code.
    pub fn furthest(&self, flag: Flag) -> Vec<&FunnelRow> {
        let mut rows: Vec<&FunnelRow> = self.rows.iter().filter(|r| r.flag == flag && flag != Flag::Within).collect();
        let outside = |r: &FunnelRow| {
            let centre = r.centre.value();
            let limit = if flag == Flag::Below { r.limits.lower_998.value() } else { r.limits.upper_998.value() };
            (r.satisfaction_rate.value() - centre) / (limit - centre)
        };
        rows.sort_by(|a, b| outside(b).total_cmp(&outside(a)).then_with(|| a.unit_code.cmp(&b.unit_code)));
        rows
    }

    pub fn of(comparison: &Comparison) -> Funnel {
        let mut units: Vec<_> = comparison
            .rows
            .iter()
            .filter(|r| r.figures.respondents > 0)
            .map(|r| (r, Counts { respondents: r.figures.respondents, satisfied: r.figures.satisfied }))
            .collect();
        units.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        let total = units.iter().fold(Counts::default(), |sum, (_, c)| sum + *c);
        let Some(centre) = satisfaction_rate(total) else {
            return Funnel { level: comparison.level, centre: None, rows: Vec::new() };
        };
        let p0 = total.satisfied as f64 / total.respondents as f64;
        let rows = units
            .into_iter()
            .map(|(unit, counts)| {
                let limits = limits(counts.respondents, p0);
                let rate = satisfaction_rate(counts).expect("a unit with ballots");
                let value = rate.value();
                let flag = if value < limits.lower_998.value() {
                    Flag::Below
                } else if value > limits.upper_998.value() {
                    Flag::Above
                } else {
                    Flag::Within
                };
                FunnelRow {
                    unit_code: unit.code.clone(),
                    unit_name: unit.name.clone(),
                    respondents: counts.respondents,
                    satisfied: counts.satisfied,
                    satisfaction_rate: rate,
                    centre,
                    limits,
                    flag,
                }
            })
            .collect();
        Funnel { level: comparison.level, centre: Some(centre), rows }
    }
}

/// The 95 % and 99.8 % limits for `n` ballots around the overall proportion `p0`.
pub fn limits(n: u64, p0: f64) -> Limits {
    let [lower_998, lower_95, upper_95, upper_998] = binomial_limits(n, p0, [0.001, 0.025, 0.975, 0.999]);
    let at = Percent::from_points;
    Limits { lower_95: at(lower_95), upper_95: at(upper_95), lower_998: at(lower_998), upper_998: at(upper_998) }
}

/// The contract's interpolated binomial quantiles, in percent, for levels `qs` in ascending
/// order: with F the cumulative distribution of Binomial(n, p0), r the smallest integer
/// with F(r) ≥ q and α = (F(r) − q) ÷ (F(r) − F(r − 1)), a limit is (r − α) ÷ n × 100.
/// At p0 of 0 or 1 every limit is the centre.
///
/// One pass upward, with nothing kept: it starts where what lies below is too little to
/// move F at the smallest q in a double ([`first_counted`]), from that probability worked
/// out on its own ([`ln_probability`]), goes on by the ratio of neighbours and stops at the
/// last level. A country's provinces of millions of ballots each cost about 12σ of
/// multiplications each, not the 22σ a span around the mode, its total and a sweep took.
pub fn binomial_limits<const K: usize>(n: u64, p0: f64, qs: [f64; K]) -> [f64; K] {
    if n == 0 || p0 <= 0.0 || p0 >= 1.0 {
        return [p0.clamp(0.0, 1.0) * 100.0; K];
    }
    let odds = p0 / (1.0 - p0);
    let first = first_counted(n, p0);
    let mut probability = ln_probability(n, first, p0).exp();
    // Float dust may keep F(n) a hair under a q close to 1: such a limit stays at 100.
    let mut out = [100.0; K];
    let mut next = 0;
    // F(r − 1); what lies before `first` is below what a double holds.
    let mut below = 0.0;
    for r in first..=n {
        let at = below + probability;
        while next < K && at >= qs[next] {
            let alpha = (at - qs[next]) / (at - below);
            out[next] = (r as f64 - alpha) / n as f64 * 100.0;
            next += 1;
        }
        if next == K {
            break;
        }
        below = at;
        // The ratio is worked out apart from the running value, so that only a
        // multiplication waits for the previous one.
        probability *= (n - r) as f64 * odds / (r + 1) as f64;
    }
    out
}

/// One interpolated binomial quantile ([`binomial_limits`]).
pub fn binomial_limit(n: u64, p0: f64, q: f64) -> f64 {
    binomial_limits(n, p0, [q])[0]
}

/// Where the upward pass of [`binomial_limits`] begins. Bernstein's inequality bounds the
/// probability of lying more than t below the mean by exp(−t² ÷ 2(σ² + t/3)); the start is
/// where that bound is e⁻⁴⁵ (3·10⁻²⁰), a ten-thousandth of what the smallest level (0.001)
/// can tell apart in a double. A start whose own probability would not fit in a double
/// (e⁻⁷⁰⁰, far tails of a skewed binomial) moves up to the first that does: the
/// probabilities below it rise toward the mode, so together they are under n·e⁻⁷⁰⁰.
fn first_counted(n: u64, p: f64) -> u64 {
    const L: f64 = 45.0;
    let mean = n as f64 * p;
    let variance = mean * (1.0 - p);
    let t = L / 3.0 + (L * L / 9.0 + 2.0 * L * variance).sqrt();
    let mut first = (mean - t).floor().max(0.0) as u64;
    let fits = |k: u64| ln_probability(n, k, p) > -700.0;
    if !fits(first) {
        // The probabilities rise up to the mode, which always fits: the first that fits
        // lies between.
        let mut high = (((n + 1) as f64 * p).floor() as u64).min(n);
        while high - first > 1 {
            let middle = first + (high - first) / 2;
            if fits(middle) {
                high = middle;
            } else {
                first = middle;
            }
        }
        first = high;
    }
    first
}

/// ln P(X = k) for X ~ Binomial(n, p), in Loader's saddle-point form ("Fast and accurate
/// computation of binomial probabilities", 2000): Stirling's remainders and the deviance
/// kept apart from the large terms they would be lost in, so the result holds to a few
/// units in the last place at millions of trials, without factorials.
fn ln_probability(n: u64, k: u64, p: f64) -> f64 {
    let q = 1.0 - p;
    if k == 0 {
        return n as f64 * (-p).ln_1p();
    }
    if k == n {
        return n as f64 * p.ln();
    }
    let (nf, kf) = (n as f64, k as f64);
    let rest = nf - kf;
    stirling_remainder(n) - stirling_remainder(k) - stirling_remainder(n - k) - deviance(kf, nf * p) - deviance(rest, nf * q)
        + 0.5 * (nf / (std::f64::consts::TAU * kf * rest)).ln()
}

/// ln(n!) − ln(√(2πn) (n/e)ⁿ): summed exactly up to 15, by Stirling's series beyond
/// (five terms hold it to a double there).
fn stirling_remainder(n: u64) -> f64 {
    let x = n as f64;
    if n <= 15 {
        let ln_factorial: f64 = (2..=n).map(|i| (i as f64).ln()).sum();
        return ln_factorial - (x + 0.5) * x.ln() + x - 0.5 * std::f64::consts::TAU.ln();
    }
    let xx = x * x;
    (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * xx)) / xx) / xx) / xx) / x
}

/// x ln(x ÷ m) + m − x, by its series when x is near m (where the two large terms would
/// cancel to nothing).
fn deviance(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut sum = (x - m) * v;
        let mut term = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            term *= v2;
            let next = sum + term / (2 * j + 1) as f64;
            if next == sum {
                break;
            }
            sum = next;
        }
        return sum;
    }
    x * (x / m).ln() + m - x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::summary::tests::unit;
    use crate::domain::{ComparedUnit, UnitLevel};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn limits_match_a_hand_computed_binomial() {
        // Binomial(10, 0.5): F(0) = 1/1024, F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024,
        // F(8) = 1013/1024, F(9) = 1023/1024.
        // q = .025: r = 2, α = (56/1024 − .025) ÷ (45/1024) = 30.4/45 → (2 − α)/10.
        assert!(close(binomial_limit(10, 0.5, 0.025), (2.0 - 30.4 / 45.0) * 10.0));
        // q = .001: r = 1, α = (11 − 1.024)/10 → (1 − α)/10.
        assert!(close(binomial_limit(10, 0.5, 0.001), (1.0 - 9.976 / 10.0) * 10.0));
        // q = .975: r = 8, α = (1013 − 998.4)/45.
        assert!(close(binomial_limit(10, 0.5, 0.975), (8.0 - 14.6 / 45.0) * 10.0));
        // q = .999: r = 9, α = (1023 − 1022.976)/10.
        assert!(close(binomial_limit(10, 0.5, 0.999), (9.0 - 0.024 / 10.0) * 10.0));
        // At p0 = 0 or 1 every limit is the centre.
        assert_eq!(binomial_limit(50, 1.0, 0.001), 100.0);
        assert_eq!(binomial_limit(50, 0.0, 0.999), 0.0);
    }

    /// The limits over every k from 0 to n, summed in log space apart from the
    /// pass of `binomial_limits`.
    fn limits_over_everything(n: u64, p: f64, qs: [f64; 4]) -> [f64; 4] {
        let ln = |k: u64| (1..=k).map(|i| (i as f64).ln()).sum::<f64>();
        let (ln_n, lp, lq) = (ln(n), p.ln(), (1.0 - p).ln());
        let mut ln_k = 0.0;
        let mut ln_rest = ln_n;
        let mut pmf = Vec::new();
        for k in 0..=n {
            if k > 0 {
                ln_k += (k as f64).ln();
                ln_rest -= ((n - k + 1) as f64).ln();
            }
            pmf.push((ln_n - ln_k - ln_rest + k as f64 * lp + (n - k) as f64 * lq).exp());
        }
        let sum: f64 = pmf.iter().sum();
        let mut out = [100.0; 4];
        let (mut below, mut next) = (0.0, 0);
        for (r, v) in pmf.iter().enumerate() {
            let at = below + v / sum;
            while next < 4 && at >= qs[next] {
                out[next] = (r as f64 - (at - qs[next]) / (at - below)) / n as f64 * 100.0;
                next += 1;
            }
            below = at;
        }
        out
    }

    #[test]
    fn the_span_left_out_changes_no_limit() {
        let qs = [0.001, 0.025, 0.975, 0.999];
        for (n, p) in [(1, 0.5), (7, 0.97), (20, 0.95), (150, 0.02), (2_000, 0.85), (40_000, 0.999), (200_000, 0.6), (1_000_000, 0.87)] {
            let (kept, all) = (binomial_limits(n, p, qs), limits_over_everything(n, p, qs));
            for (a, b) in kept.iter().zip(all) {
                assert!((a - b).abs() < 1e-6, "n = {n}, p = {p}: {kept:?} against {all:?}");
            }
        }
    }

    #[test]
    fn a_probability_on_its_own_matches_the_factorials() {
        // ln C(n, k) + k ln p + (n − k) ln(1 − p), the factorials summed as logarithms.
        let direct = |n: u64, k: u64, p: f64| {
            let ln = |m: u64| (1..=m).map(|i| (i as f64).ln()).sum::<f64>();
            ln(n) - ln(k) - ln(n - k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
        };
        for (n, k, p) in [(1, 0, 0.5), (1, 1, 0.5), (10, 3, 0.5), (16, 15, 0.9), (40, 0, 0.2), (40, 40, 0.2), (3_000, 2_610, 0.87), (200_000, 119_000, 0.6)] {
            let (ours, theirs) = (ln_probability(n, k, p), direct(n, k, p));
            assert!((ours - theirs).abs() < 1e-9 * theirs.abs().max(1.0), "n = {n}, k = {k}, p = {p}: {ours} against {theirs}");
        }
        // Binomial(10, 0.5) at 5: 252/1024.
        assert!((ln_probability(10, 5, 0.5).exp() - 252.0 / 1024.0).abs() < 1e-15);
    }

    #[test]
    fn a_start_too_small_for_a_double_moves_up() {
        // 30 trials at 1 − 10⁻¹⁵: all 30 succeed but for ~3·10⁻¹⁴; P(X = 0) = 10⁻⁴⁵⁰ does
        // not fit in a double, and a pass begun there would find nothing. F(29) ≈ 3·10⁻¹⁴
        // < q, so r = 30 and α = (1 − q) ÷ (1 − F(29)) ≈ 1 − q.
        let p = 1.0 - 1e-15;
        assert!(ln_probability(30, 0, p) < -700.0);
        let q = 0.001;
        assert!((binomial_limit(30, p, q) - (30.0 - (1.0 - q)) / 30.0 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn large_counts_need_no_factorials_and_narrow_around_the_centre() {
        // A province's year nationally: hundreds of thousands of ballots.
        let n = 400_000;
        let (low, high) = (binomial_limit(n, 0.9, 0.001), binomial_limit(n, 0.9, 0.999));
        // The normal approximation: 90 ± 3.0902 × √(.09/400000) × 100 = 90 ± 0.1466.
        assert!((low - 89.8534).abs() < 0.002 && (high - 90.1466).abs() < 0.002, "{low} {high}");
        assert!(binomial_limit(100, 0.9, 0.001) < binomial_limit(1_000, 0.9, 0.001), "the funnel narrows");
    }

    fn compared(rows: Vec<ComparedUnit>) -> Comparison {
        Comparison { level: UnitLevel::Commune, rows }
    }

    #[test]
    fn units_are_flagged_against_the_998_limits() {
        // Centre: 900 of 1,000 ballots = 90 %. For 100 ballots at p0 = .9 the limits are
        // 79.1643 and 97.5821 % at 99.8 %, 83.2281 and 94.9619 % at 95 % (the contract's
        // sums, done apart in exact binomials): 79 % is below, 80 % within, 97 % within,
        // 98 % above. A unit with no ballots is left out.
        let funnel = Funnel::of(&compared(vec![
            unit("E just above", 1, 1, 100, 98),
            unit("A just below", 1, 1, 100, 79),
            unit("B just inside", 1, 1, 100, 80),
            unit("C inside at the top", 1, 1, 100, 97),
            unit("D the rest", 1, 1, 600, 546),
            unit("F none", 1, 1, 0, 0),
        ]));
        assert_eq!(funnel.centre.unwrap().to_2dp(), "90.00");
        let l = limits(100, 0.9);
        let cells = funnel.rows[0].csv_cells();
        assert_eq!(cells[5..10], ["90.00", "83.23", "94.96", "79.16", "97.58"], "{l:?}");
        let flags: Vec<(&str, Flag)> = funnel.rows.iter().map(|r| (r.unit_name.as_str(), r.flag)).collect();
        assert_eq!(
            flags,
            [
                ("A just below", Flag::Below),
                ("B just inside", Flag::Within),
                ("C inside at the top", Flag::Within),
                ("D the rest", Flag::Within),
                ("E just above", Flag::Above),
            ]
        );
        assert_eq!(funnel.rows[0].csv_cells()[10], "below");
        let names = |flag| funnel.furthest(flag).iter().map(|r| r.unit_name.clone()).collect::<Vec<_>>();
        assert_eq!(names(Flag::Below), ["A just below"]);
        assert_eq!(names(Flag::Above), ["E just above"]);
        assert!(names(Flag::Within).is_empty());
    }

    #[test]
    fn the_furthest_outside_are_measured_in_limit_widths() {
        // Centre 9,000 ÷ 10,000 = 90 %. 70 % of 100 ballots is 20 points off, its limit
        // 79.16 % 10.84 points off: 1.85 widths out. 85 % of 2,000 is 5 points off, its
        // limit about 87.93 % 2.07 points off: 2.42 widths out, the further of the two.
        let funnel = Funnel::of(&compared(vec![
            unit("A", 1, 1, 100, 70),
            unit("B", 1, 1, 2_000, 1_700),
            unit("C", 1, 1, 7_900, 7_230),
        ]));
        assert_eq!(funnel.centre.unwrap().to_2dp(), "90.00");
        let order: Vec<&str> = funnel.furthest(Flag::Below).iter().map(|r| r.unit_code.as_str()).collect();
        assert_eq!(order, ["B", "A"]);
    }

    #[test]
    fn a_unit_at_0_or_100_percent_is_compared_like_any_other() {
        let funnel = Funnel::of(&compared(vec![
            unit("A none satisfied", 1, 1, 40, 0),
            unit("B all satisfied", 1, 1, 40, 40),
            unit("C", 1, 1, 920, 860),
        ]));
        // Centre 900/1000. 0 % is far below. For 40 ballots the upper 99.8 % limit is
        // 99.8309 % (the interpolation keeps every upper limit under 100 % while p0 < 1), so
        // 100 % is above it.
        assert_eq!(funnel.rows[0].flag, Flag::Below);
        assert_eq!(funnel.rows[1].limits.upper_998.to_2dp(), "99.83");
        assert_eq!(funnel.rows[1].flag, Flag::Above);
    }

    #[test]
    fn nothing_to_compare_without_ballots() {
        let funnel = Funnel::of(&compared(vec![unit("A", 1, 1, 0, 0)]));
        assert_eq!((funnel.centre, funnel.rows.len()), (None, 0));
    }
}
