//! What each chart shows, built from the same rows as the table beside it and worded in
//! the reader's language. Drawing is the server's (`ssr::charts`); the CSV of a chart is
//! its table's.
use crate::domain::funnel::{binomial_limits, Flag, Funnel};
use crate::domain::{Comparison, Percent, TrendRow, UnitLevel};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Districts (or communes) with fewer ballots than this are drawn hollow and not ranked.
pub const MIN_RANKED_RESPONDENTS: u64 = 30;

/// A horizontal bar, 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The number written at the end of the bar, e.g. `43,75%`.
    pub text: String,
}

/// A rate with its 95% interval; `hollow` when too few ballots to rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntervalPoint {
    pub label: String,
    pub rate: f64,
    pub low: f64,
    pub high: f64,
    /// The rate and ballot count written beside the point.
    pub text: String,
    pub hollow: bool,
}

/// One line of a trend; `None` where a period has no ballots (the line breaks there).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A unit of a funnel: its rate against its ballots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelPoint {
    pub label: String,
    pub ballots: u64,
    pub rate: f64,
    /// Under 30 ballots: drawn as a ring.
    pub hollow: bool,
    /// Outside the 99.8 % limits: drawn in its own colour.
    pub flag: Flag,
    /// Named beside its point: the flagged units furthest outside, a few on each side.
    pub named: bool,
}

/// The limits at one number of ballots: `[lower_998, lower_95, upper_95, upper_998]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub ballots: f64,
    pub limits: [f64; 4],
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChartBody {
    /// Sorted horizontal bars on a 0–100 scale.
    Bars(Vec<Bar>),
    /// Points with error bars on a scale that fits the intervals.
    Intervals(Vec<IntervalPoint>),
    /// Lines over the periods named by `x_labels`: rates on a scale that fits them, or
    /// counts (`counts`) from zero.
    Lines { x_labels: Vec<String>, series: Vec<Series>, counts: bool },
    /// Rates against ballots (a logarithmic axis), the centre line and the limits drawn
    /// across the ballots' range; `legend` names the centre, the two limits and the rings.
    Funnel { centre: f64, steps: Vec<FunnelStep>, points: Vec<FunnelPoint>, x_title: String, legend: [String; 4] },
}

/// Everything a chart shows, in the reader's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartSpec {
    /// What the chart shows: the SVG's `<title>` and `aria-label`.
    pub title: String,
    /// Said instead of drawing an empty frame.
    pub no_data: String,
    /// The legend text for hollow points (intervals only).
    pub hollow_note: String,
    pub body: ChartBody,
}

impl ChartSpec {
    pub fn is_empty(&self) -> bool {
        match &self.body {
            ChartBody::Bars(rows) => rows.is_empty(),
            ChartBody::Intervals(rows) => rows.is_empty(),
            ChartBody::Lines { series, .. } => series.iter().all(|s| s.values.iter().all(Option::is_none)),
            ChartBody::Funnel { points, .. } => points.is_empty(),
        }
    }
}

/// The charts with a stable URL (`/charts/{name}.svg|png|csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChartName {
    AdoptionByDistrict,
    SatisfactionByDistrict,
    SatisfactionTrend,
    /// The communes of `district` (the district page).
    AdoptionByCommune,
    SatisfactionByCommune,
    /// One commune's satisfaction by quarter, following predecessors (`commune`).
    CommuneHistory,
    /// Units running one model at each year's end (`model`).
    ModelAdoption,
    /// The funnel of the compared units' satisfaction (or of `district`'s communes).
    SatisfactionFunnel,
    /// The share of communes running each model.
    AdoptionByModel,
    /// How many communes run no model, one, two…
    ModelsPerCommune,
}

impl ChartName {
    pub const ALL: [ChartName; 10] = [
        ChartName::AdoptionByDistrict,
        ChartName::SatisfactionByDistrict,
        ChartName::SatisfactionTrend,
        ChartName::AdoptionByCommune,
        ChartName::SatisfactionByCommune,
        ChartName::CommuneHistory,
        ChartName::ModelAdoption,
        ChartName::SatisfactionFunnel,
        ChartName::AdoptionByModel,
        ChartName::ModelsPerCommune,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ChartName::AdoptionByDistrict => "adoption-by-district",
            ChartName::SatisfactionByDistrict => "satisfaction-by-district",
            ChartName::SatisfactionTrend => "satisfaction-trend",
            ChartName::AdoptionByCommune => "adoption-by-commune",
            ChartName::SatisfactionByCommune => "satisfaction-by-commune",
            ChartName::CommuneHistory => "commune-history",
            ChartName::ModelAdoption => "model-adoption",
            ChartName::SatisfactionFunnel => "satisfaction-funnel",
            ChartName::AdoptionByModel => "adoption-by-model",
            ChartName::ModelsPerCommune => "models-per-commune",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ChartName> {
        ChartName::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

/// A rate as the page writes it: `98,50%` in Vietnamese, `98.50%` in English.
pub fn percent_text(lang: Lang, p: Percent) -> String {
    let s = p.to_2dp();
    match lang {
        Lang::Vi => format!("{}%", s.replace('.', ",")),
        Lang::En => format!("{s}%"),
    }
}

/// The titles of the adoption and the satisfaction chart of a comparison of `level` units.
pub fn comparison_titles(level: UnitLevel, lang: Lang) -> (&'static str, &'static str) {
    let t = lang.texts();
    match level {
        UnitLevel::Province => (t.chart_adoption_provinces, t.chart_satisfaction_provinces),
        UnitLevel::District => (t.chart_adoption_districts, t.chart_satisfaction_districts),
        UnitLevel::Commune => (t.chart_adoption_communes, t.chart_satisfaction_communes),
    }
}

/// Adoption rate per compared unit, highest first (ties in Vietnamese name order).
pub fn adoption_bars(c: &Comparison, lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let mut rows: Vec<(&str, Percent)> =
        c.rows.iter().filter_map(|r| r.figures.adoption_rate.map(|p| (r.name.as_str(), p))).collect();
    rows.sort_by(|a, b| {
        b.1.rounded().total_cmp(&a.1.rounded()).then_with(|| crate::domain::text::vietnamese_cmp(a.0, b.0))
    });
    ChartSpec {
        title: comparison_titles(c.level, lang).0.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: String::new(),
        body: ChartBody::Bars(
            rows.into_iter()
                .map(|(name, p)| Bar { label: name.to_string(), value: p.value(), text: percent_text(lang, p) })
                .collect(),
        ),
    }
}

/// The share of communes running each model, highest first: after 2025 a commune either
/// runs a model or not, and a bar per commune (each 0 or 100 %) said nothing.
pub fn adoption_by_model(matrix: &crate::domain::AdoptionMatrix, lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let mut bars: Vec<(String, Percent, u64, u64)> = matrix
        .by_model()
        .into_iter()
        .filter_map(|(m, adopting, communes)| crate::domain::figures::adoption_rate(adopting, communes).map(|p| (m.name, p, adopting, communes)))
        .collect();
    bars.sort_by(|a, b| b.1.rounded().total_cmp(&a.1.rounded()).then_with(|| crate::domain::text::vietnamese_cmp(&a.0, &b.0)));
    ChartSpec {
        title: t.chart_adoption_models.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: String::new(),
        body: ChartBody::Bars(
            bars.into_iter()
                .map(|(name, p, adopting, communes)| Bar {
                    label: name,
                    value: p.value(),
                    text: format!("{} · {}/{}", percent_text(lang, p), crate::i18n::show_count(lang, adopting), crate::i18n::show_count(lang, communes)),
                })
                .collect(),
        ),
    }
}

/// How many communes run no model, one, two…: a bar per number of models, its share of the
/// communes (`distribution`: (models, communes), from none up).
pub fn models_per_commune(distribution: &[(u64, u64)], lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let communes: u64 = distribution.iter().map(|d| d.1).sum();
    ChartSpec {
        title: t.chart_models_per_commune.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: String::new(),
        body: ChartBody::Bars(
            distribution
                .iter()
                .filter_map(|&(models, n)| {
                    let share = crate::domain::figures::adoption_rate(n, communes)?;
                    Some(Bar {
                        label: t.models_count.replace("{n}", &models.to_string()),
                        value: share.value(),
                        text: format!("{} · {} {}", percent_text(lang, share), crate::i18n::show_count(lang, n), t.communes_unit),
                    })
                })
                .collect(),
        ),
    }
}

/// Satisfaction per compared unit with its interval: ranked when it has enough ballots,
/// then the hollow ones with too few, by name.
pub fn satisfaction_intervals(c: &Comparison, lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let mut ranked = Vec::new();
    let mut few = Vec::new();
    for r in &c.rows {
        let f = &r.figures;
        let (Some(rate), Some(low), Some(high)) = (f.satisfaction_rate, f.ci_low, f.ci_high) else { continue };
        let hollow = f.respondents < MIN_RANKED_RESPONDENTS;
        let point = IntervalPoint {
            label: r.name.clone(),
            rate: rate.value(),
            low: low.value(),
            high: high.value(),
            text: format!("{} · {} {}", percent_text(lang, rate), crate::i18n::show_count(lang, f.respondents), t.ballots_unit),
            hollow,
        };
        if hollow { few.push(point) } else { ranked.push(point) }
    }
    ranked.sort_by(|a, b| {
        b.rate.total_cmp(&a.rate).then_with(|| crate::domain::text::vietnamese_cmp(&a.label, &b.label))
    });
    crate::domain::text::sort_vietnamese(&mut few, |p| &p.label);
    ranked.extend(few);
    ChartSpec {
        title: comparison_titles(c.level, lang).1.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: t.too_few_ballots_note.to_string(),
        body: ChartBody::Intervals(ranked),
    }
}

/// Satisfaction over the periods of a span, one line per named trend (rows of equal spans).
pub fn trend_lines(lines: &[(String, Vec<TrendRow>)], lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let x_labels = lines.first().map(|(_, rows)| rows.iter().map(|r| r.period.to_string()).collect()).unwrap_or_default();
    ChartSpec {
        title: t.chart_trend.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: String::new(),
        body: ChartBody::Lines {
            x_labels,
            series: lines
                .iter()
                .map(|(name, rows)| Series {
                    name: name.clone(),
                    values: rows.iter().map(|r| r.satisfaction_rate.map(|p| p.value())).collect(),
                })
                .collect(),
            counts: false,
        },
    }
}

/// How many units run a model at the end of each year, as pilots and scaled out, and all.
pub fn adoption_curve(years: &[(i32, u64, u64)], lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let line = |name: &str, f: &dyn Fn(&(i32, u64, u64)) -> u64| Series {
        name: name.to_string(),
        values: years.iter().map(|y| Some(f(y) as f64)).collect(),
    };
    ChartSpec {
        title: t.chart_adoption_curve.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: String::new(),
        body: ChartBody::Lines {
            x_labels: years.iter().map(|y| y.0.to_string()).collect(),
            series: vec![line(t.sites_all, &|y| y.1 + y.2), line(t.stage_scaled, &|y| y.2)],
            counts: true,
        },
    }
}

/// How many ballot counts the limits are drawn at, evenly on the logarithmic axis.
const FUNNEL_STEPS: usize = 64;

/// How many flagged units a funnel names on each side: the furthest outside. A year of a
/// province's counts can put half its communes outside the limits; the page lists them all.
pub const FUNNEL_NAMED: usize = 8;

/// The funnel: every unit with ballots, the centre, and the limits from the fewest ballots
/// to the most (at whole numbers of ballots: the limits are a binomial's).
pub fn funnel_plot(funnel: &Funnel, lang: Lang) -> ChartSpec {
    let t = lang.texts();
    let named: Vec<&str> = [Flag::Below, Flag::Above]
        .into_iter()
        .flat_map(|flag| funnel.furthest(flag).into_iter().take(FUNNEL_NAMED).map(|r| r.unit_code.as_str()))
        .collect();
    let points: Vec<FunnelPoint> = funnel
        .rows
        .iter()
        .map(|r| FunnelPoint {
            label: r.unit_name.clone(),
            ballots: r.respondents,
            rate: r.satisfaction_rate.value(),
            hollow: r.respondents < MIN_RANKED_RESPONDENTS,
            flag: r.flag,
            named: named.contains(&r.unit_code.as_str()),
        })
        .collect();
    let centre = funnel.centre.map_or(0.0, |c| c.value());
    let (fewest, most) = points.iter().fold((u64::MAX, 0), |(lo, hi), p| (lo.min(p.ballots), hi.max(p.ballots)));
    let mut steps: Vec<FunnelStep> = Vec::new();
    if !points.is_empty() {
        let (lo, hi) = ((fewest as f64).ln(), (most.max(fewest + 1) as f64).ln());
        for k in 0..=FUNNEL_STEPS {
            let n = (lo + (hi - lo) * k as f64 / FUNNEL_STEPS as f64).exp().round().max(1.0) as u64;
            if steps.last().is_some_and(|s| s.ballots == n as f64) {
                continue;
            }
            let limits = binomial_limits(n, centre / 100.0, [0.001, 0.025, 0.975, 0.999]);
            steps.push(FunnelStep { ballots: n as f64, limits });
        }
    }
    ChartSpec {
        title: t.chart_funnel.to_string(),
        no_data: t.chart_no_data.to_string(),
        hollow_note: t.funnel_hollow_note.to_string(),
        body: ChartBody::Funnel {
            centre,
            steps,
            points,
            x_title: t.funnel_ballots.to_string(),
            legend: [
                format!("{} {}", t.funnel_centre, funnel.centre.map(|c| percent_text(lang, c)).unwrap_or_default()),
                t.funnel_limit_95.to_string(),
                t.funnel_limit_998.to_string(),
                t.funnel_hollow_note.to_string(),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::summary::tests::unit;

    #[test]
    fn bars_are_sorted_and_intervals_rank_only_enough_ballots() {
        let c = Comparison {
            level: UnitLevel::District,
            rows: vec![
                unit("Yên Định", 10, 1, 100, 90),
                unit("Đông Sơn", 10, 5, 29, 29),
                unit("Bá Thước", 10, 5, 200, 196),
                unit("Trống", 0, 0, 0, 0),
            ],
        };
        let ChartBody::Bars(bars) = adoption_bars(&c, Lang::Vi).body else { panic!() };
        let labels: Vec<_> = bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["Bá Thước", "Đông Sơn", "Yên Định"], "no bar without communes");
        assert_eq!(bars[0].text, "50,00%");
        let ChartBody::Intervals(points) = satisfaction_intervals(&c, Lang::En).body else { panic!() };
        let labels: Vec<_> = points.iter().map(|p| (p.label.as_str(), p.hollow)).collect();
        assert_eq!(labels, [("Bá Thước", false), ("Yên Định", false), ("Đông Sơn", true)]);
        assert_eq!(points[0].text, "98.00% · 200 ballots");
    }

    #[test]
    fn the_spread_of_models_is_a_bar_per_number_of_models() {
        let ChartBody::Bars(bars) = models_per_commune(&[(0, 60), (1, 90), (2, 0), (3, 16)], Lang::Vi).body else {
            panic!()
        };
        let shown: Vec<(&str, &str)> = bars.iter().map(|b| (b.label.as_str(), b.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("0 mô hình", "36,14% · 60 xã"),
                ("1 mô hình", "54,22% · 90 xã"),
                ("2 mô hình", "0,00% · 0 xã"),
                ("3 mô hình", "9,64% · 16 xã")
            ],
            "in order of the count, none missing"
        );
    }
}
