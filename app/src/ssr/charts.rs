//! The one home of chart rendering: a [`ChartSpec`] (the numbers and the words, already in
//! the reader's language) drawn with plotters to SVG for pages and downloads, or to a 2×
//! PNG with the bundled DejaVu Sans, which covers Vietnamese.
pub use crate::charts::{Bar, ChartBody, ChartSpec};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The font PNGs are drawn with (SVG text is drawn by the reader's browser).
static FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

// Okabe–Ito colours: told apart by colour-blind readers, and by lightness in greyscale print.
const BLUE: RGBColor = RGBColor(0, 114, 178);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// A line chart's lines in turn (the benchmark's charts have six): after blue and orange,
/// the rest of Okabe and Ito's palette, which stays apart for colour-blind readers.
const LINES: [RGBColor; 6] =
    [BLUE, ORANGE, RGBColor(0, 158, 115), RGBColor(213, 94, 0), RGBColor(86, 180, 233), RGBColor(204, 121, 167)];
const GREEN: RGBColor = RGBColor(0, 158, 115);
const VERMILION: RGBColor = RGBColor(213, 94, 0);
const DARK: RGBColor = RGBColor(33, 37, 41);
const GRID: RGBColor = RGBColor(222, 226, 230);
const MUTED: RGBColor = RGBColor(108, 117, 125);

const WIDTH: u32 = 760;
const ROW: i32 = 24;
const TOP: i32 = 16;
const AXIS: i32 = 34;
const LABEL_WIDTH: i32 = 210;
const VALUE_WIDTH: i32 = 170;
const FUNNEL_HEIGHT: u32 = 420;

/// Width and height in CSS pixels: bar charts grow a row per bar.
pub fn size(spec: &ChartSpec) -> (u32, u32) {
    let rows = match &spec.body {
        _ if spec.is_empty() => return (WIDTH, 60),
        ChartBody::Bars(rows) => rows.len() as i32,
        ChartBody::Intervals(rows) => rows.len() as i32 + 1,
        ChartBody::Lines { .. } => return (WIDTH, 300),
        ChartBody::Funnel { .. } => return (WIDTH, FUNNEL_HEIGHT),
    };
    (WIDTH, (TOP + rows * ROW + AXIS) as u32)
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("drawing: {0}")]
    Draw(String),
    #[error("png: {0}")]
    Png(#[from] png::EncodingError),
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the bundled chart font does not load");
        }
    });
}

/// The chart as an SVG element for a page or a download, titled for screen readers.
pub fn svg(spec: &ChartSpec) -> Result<String, ChartError> {
    register_font();
    let (w, h) = size(spec);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        draw(&root, spec, 1)?;
        root.present().map_err(draw_err)?;
    }
    // plotters opens with fixed width and height: make it scale with its container, and
    // give it a role and a title.
    let title = escape(&spec.title);
    let body = out.split_once('\n').map_or("", |(_, rest)| rest);
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-label=\"{title}\" class=\"chart\" preserveAspectRatio=\"xMinYMin meet\">\n<title>{title}</title>\n{body}"
    ))
}

/// The chart as a PNG at twice its CSS size, sharp in print and on phones.
pub fn png(spec: &ChartSpec) -> Result<Vec<u8>, ChartError> {
    register_font();
    let (w, h) = size(spec);
    let (w, h) = (w * 2, h * 2);
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root, spec, 2)?;
        root.present().map_err(draw_err)?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
    }
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;

/// Draws at `s` device pixels per CSS pixel.
fn draw<DB: DrawingBackend>(root: &Area<DB>, spec: &ChartSpec, s: i32) -> Result<(), ChartError> {
    root.fill(&WHITE).map_err(draw_err)?;
    let text = |size: i32, color: &'static RGBColor, h: HPos| {
        TextStyle::from((FAMILY, f64::from(size * s)).into_font()).color(color).pos(Pos::new(h, VPos::Center))
    };
    if spec.is_empty() {
        root.draw(&Text::new(spec.no_data.clone(), (12 * s, 30 * s), text(14, &MUTED, HPos::Left))).map_err(draw_err)?;
        return Ok(());
    }
    let w = WIDTH as i32;
    match &spec.body {
        ChartBody::Bars(rows) => {
            let (x0, x1) = (LABEL_WIDTH, w - 70);
            let x = |v: f64| x0 + ((v.clamp(0.0, 100.0) / 100.0) * f64::from(x1 - x0)).round() as i32;
            let bottom = TOP + rows.len() as i32 * ROW;
            axis(root, s, x0, x1, TOP, bottom, (0.0, 100.0), &text)?;
            for (i, r) in rows.iter().enumerate() {
                let y = TOP + i as i32 * ROW;
                root.draw(&Text::new(r.label.clone(), ((x0 - 8) * s, (y + ROW / 2) * s), text(12, &DARK, HPos::Right)))
                    .map_err(draw_err)?;
                root.draw(&Rectangle::new([(x0 * s, (y + 4) * s), (x(r.value) * s, (y + ROW - 4) * s)], BLUE.filled()))
                    .map_err(draw_err)?;
                root.draw(&Text::new(r.text.clone(), ((x(r.value) + 6) * s, (y + ROW / 2) * s), text(12, &DARK, HPos::Left)))
                    .map_err(draw_err)?;
            }
        }
        ChartBody::Intervals(rows) => {
            let lowest = rows.iter().map(|r| r.low).fold(100.0, f64::min);
            let lo = ((lowest / 10.0).floor() * 10.0).clamp(0.0, 90.0);
            let (x0, x1) = (LABEL_WIDTH, w - VALUE_WIDTH);
            let x = |v: f64| x0 + (((v - lo) / (100.0 - lo)).clamp(0.0, 1.0) * f64::from(x1 - x0)).round() as i32;
            let bottom = TOP + rows.len() as i32 * ROW;
            axis(root, s, x0, x1, TOP, bottom, (lo, 100.0), &text)?;
            for (i, r) in rows.iter().enumerate() {
                let y = TOP + i as i32 * ROW + ROW / 2;
                let colour = if r.hollow { MUTED } else { BLUE };
                root.draw(&Text::new(r.label.clone(), ((x0 - 8) * s, y * s), text(12, &DARK, HPos::Right)))
                    .map_err(draw_err)?;
                let whisker = colour.stroke_width(s as u32 * 2);
                root.draw(&PathElement::new(vec![(x(r.low) * s, y * s), (x(r.high) * s, y * s)], whisker))
                    .map_err(draw_err)?;
                for end in [r.low, r.high] {
                    root.draw(&PathElement::new(vec![(x(end) * s, (y - 5) * s), (x(end) * s, (y + 5) * s)], whisker))
                        .map_err(draw_err)?;
                }
                // A hollow point (too few ballots to rank) is a white disc in a ring; a full one
                // a disc as large as the ring, drawn once (a national chart has 63).
                let centre = (x(r.rate) * s, y * s);
                if r.hollow {
                    root.draw(&Circle::new(centre, 5 * s, WHITE.filled())).map_err(draw_err)?;
                    root.draw(&Circle::new(centre, 5 * s, colour.stroke_width(s as u32 * 2))).map_err(draw_err)?;
                } else {
                    root.draw(&Circle::new(centre, 6 * s, colour.filled())).map_err(draw_err)?;
                }
                root.draw(&Text::new(r.text.clone(), ((x1 + 10) * s, y * s), text(12, &DARK, HPos::Left)))
                    .map_err(draw_err)?;
            }
            if rows.iter().any(|r| r.hollow) {
                let y = bottom + AXIS - 4;
                root.draw(&Circle::new((x0 * s, y * s), 5 * s, MUTED.stroke_width(s as u32 * 2))).map_err(draw_err)?;
                root.draw(&Text::new(spec.hollow_note.clone(), ((x0 + 10) * s, y * s), text(11, &DARK, HPos::Left)))
                    .map_err(draw_err)?;
            }
        }
        ChartBody::Lines { x_labels, series, counts } => {
            let values: Vec<f64> = series.iter().flat_map(|s| s.values.iter().flatten().copied()).collect();
            let ticks = if *counts {
                // From zero to a round number above the largest count.
                axis_ticks(0.0, values.iter().copied().fold(1.0, f64::max))
            } else {
                let lowest = values.iter().copied().fold(100.0, f64::min);
                axis_ticks(((lowest / 10.0).floor() * 10.0).clamp(0.0, 90.0), 100.0)
            };
            let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
            // The legend: two lines to a row above the plot, which starts below its last row.
            const LEGEND_ROW: i32 = 18;
            let legend_rows = (series.len() as i32 + 1) / 2;
            let (x0, x1, y0, y1) = (56, w - 24, TOP + 24 + (legend_rows - 1).max(0) * LEGEND_ROW, 300 - AXIS - 10);
            let n = x_labels.len().max(2) as i32 - 1;
            let px = |i: usize| x0 + (i as i32 * (x1 - x0)) / n.max(1);
            let py = |v: f64| y1 - (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * f64::from(y1 - y0)).round() as i32;
            value_grid(root, s, (x0, x1), &ticks, &py, &text)?;
            // Label every period when they fit, otherwise every k-th.
            let every = x_labels.len().div_ceil(12).max(1);
            for (i, l) in x_labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
                root.draw(&Text::new(l.clone(), (px(i) * s, (y1 + 16) * s), text(11, &MUTED, HPos::Center)))
                    .map_err(draw_err)?;
            }
            for (k, line) in series.iter().enumerate() {
                // Every other line dashed, so two neighbours differ in greyscale print too.
                let (colour, dashed) = (LINES[k % LINES.len()], k % 2 == 1);
                let mut run: Vec<(i32, i32)> = Vec::new();
                let points: Vec<Option<(i32, i32)>> =
                    line.values.iter().enumerate().map(|(i, v)| v.map(|v| (px(i) * s, py(v) * s))).collect();
                for p in points.iter().chain(std::iter::once(&None)) {
                    match p {
                        Some(p) => run.push(*p),
                        None => {
                            draw_line(root, &run, colour, dashed, s)?;
                            run.clear();
                        }
                    }
                }
                for p in points.iter().flatten() {
                    if dashed {
                        let r = 4 * s;
                        root.draw(&Rectangle::new([(p.0 - r, p.1 - r), (p.0 + r, p.1 + r)], colour.filled()))
                            .map_err(draw_err)?;
                    } else {
                        root.draw(&Circle::new(*p, 4 * s, colour.filled())).map_err(draw_err)?;
                    }
                }
                // Legend, top left.
                let (lx, ly) = (x0 + 8 + (k as i32 % 2) * 260, TOP + 4 + (k as i32 / 2) * LEGEND_ROW);
                draw_line(root, &[(lx * s, ly * s), ((lx + 28) * s, ly * s)], colour, dashed, s)?;
                root.draw(&Text::new(line.name.clone(), ((lx + 34) * s, ly * s), text(12, &DARK, HPos::Left)))
                    .map_err(draw_err)?;
            }
        }
        ChartBody::Funnel { centre, steps, points, x_title, legend } => {
            draw_funnel(root, s, *centre, steps, points, x_title, legend, &text)?;
        }
    }
    Ok(())
}

/// The funnel: ballots on a logarithmic axis, the rate upwards; the centre line, the 95 %
/// limits dashed and the 99.8 % ones solid; a ring for a unit under 30 ballots; a unit
/// outside the 99.8 % limits in vermilion (below) or green (above), the furthest of them
/// named beside their points.
#[allow(clippy::too_many_arguments)]
fn draw_funnel<DB: DrawingBackend>(
    root: &Area<DB>,
    s: i32,
    centre: f64,
    steps: &[crate::charts::FunnelStep],
    points: &[crate::charts::FunnelPoint],
    x_title: &str,
    legend: &[String; 4],
    text: &impl Fn(i32, &'static RGBColor, HPos) -> TextStyle<'static>,
) -> Result<(), ChartError> {
    use crate::domain::Flag;
    let w = WIDTH as i32;
    let h = FUNNEL_HEIGHT as i32;
    let lowest = points.iter().map(|p| p.rate).chain(steps.iter().map(|st| st.limits[0])).fold(100.0, f64::min);
    let ticks = axis_ticks(((lowest / 10.0).floor() * 10.0).clamp(0.0, 90.0), 100.0);
    let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
    let (x0, x1, y0, y1) = (56, w - 24, TOP + 40, h - AXIS - 18);
    let fewest = steps.first().map_or(1.0, |st| st.ballots).max(1.0);
    let most = steps.last().map_or(10.0, |st| st.ballots).max(fewest * 1.5);
    // A little room either side, so the end points are not on the frame.
    let (ln_lo, ln_hi) = (fewest.ln() - 0.1, most.ln() + 0.1);
    let px = |n: f64| x0 + (((n.max(1.0).ln() - ln_lo) / (ln_hi - ln_lo)).clamp(0.0, 1.0) * f64::from(x1 - x0)).round() as i32;
    let py = |v: f64| y1 - (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * f64::from(y1 - y0)).round() as i32;
    value_grid(root, s, (x0, x1), &ticks, &py, text)?;
    for n in ballot_marks(fewest, most) {
        root.draw(&Text::new(format!("{n:.0}"), (px(n) * s, (y1 + 14) * s), text(11, &MUTED, HPos::Center)))
            .map_err(draw_err)?;
    }
    root.draw(&Text::new(x_title.to_string(), (((x0 + x1) / 2) * s, (y1 + 30) * s), text(12, &DARK, HPos::Center)))
        .map_err(draw_err)?;
    // The centre, then the limits: the 95 % pair dashed, the 99.8 % pair solid.
    let line = |k: usize| -> Vec<(i32, i32)> { steps.iter().map(|st| (px(st.ballots) * s, py(st.limits[k]) * s)).collect() };
    draw_line(root, &[(x0 * s, py(centre) * s), (x1 * s, py(centre) * s)], DARK, false, s)?;
    for k in [1, 2] {
        draw_line(root, &line(k), MUTED, true, s)?;
    }
    for k in [0, 3] {
        draw_line(root, &line(k), ORANGE, false, s)?;
    }
    for p in points {
        let colour = match p.flag {
            Flag::Below => VERMILION,
            Flag::Above => GREEN,
            Flag::Within => BLUE,
        };
        let at = (px(p.ballots as f64) * s, py(p.rate) * s);
        if p.hollow {
            root.draw(&Circle::new(at, 4 * s, colour.stroke_width(s as u32 * 2))).map_err(draw_err)?;
        } else {
            root.draw(&Circle::new(at, 4 * s, colour.filled())).map_err(draw_err)?;
        }
    }
    // The flagged units named beside their points, on whichever side has room, each moved
    // up or down off the names already written.
    let mut written: Vec<(i32, i32, i32)> = Vec::new(); // (left, right, y) in CSS pixels
    for p in points.iter().filter(|p| p.named) {
        let (x, y) = (px(p.ballots as f64), py(p.rate));
        let width = 7 * p.label.chars().count() as i32;
        let on_left = x > x1 - 160;
        let left = if on_left { x - 8 - width } else { x + 8 };
        let free = |y: i32| written.iter().all(|&(l, r, wy)| (wy - y).abs() >= 13 || r < left || l > left + width);
        let y = [0, 13, -13, 26, -26, 39, -39].into_iter().map(|dy| y + dy).find(|&y| free(y)).unwrap_or(y);
        written.push((left, left + width, y));
        let (anchor, side) = if on_left { (left + width, HPos::Right) } else { (left, HPos::Left) };
        root.draw(&Text::new(p.label.clone(), (anchor * s, y * s), text(11, &DARK, side))).map_err(draw_err)?;
    }
    // The legend, one row above the plot.
    let ly = TOP + 8;
    let mut lx = x0;
    for (k, label) in legend.iter().enumerate() {
        match k {
            0 => draw_line(root, &[(lx * s, ly * s), ((lx + 24) * s, ly * s)], DARK, false, s)?,
            1 => draw_line(root, &[(lx * s, ly * s), ((lx + 24) * s, ly * s)], MUTED, true, s)?,
            2 => draw_line(root, &[(lx * s, ly * s), ((lx + 24) * s, ly * s)], ORANGE, false, s)?,
            _ => {
                if !points.iter().any(|p| p.hollow) {
                    continue;
                }
                root.draw(&Circle::new(((lx + 12) * s, ly * s), 4 * s, BLUE.stroke_width(s as u32 * 2))).map_err(draw_err)?;
            }
        }
        root.draw(&Text::new(label.clone(), ((lx + 30) * s, ly * s), text(11, &DARK, HPos::Left))).map_err(draw_err)?;
        lx += 30 + 8 * label.chars().count() as i32 + 16;
    }
    Ok(())
}

/// The ballot counts marked along a funnel's axis: 1, 2 and 5 times the powers of ten
/// within its range, or finer steps when those give fewer than three marks.
fn ballot_marks(fewest: f64, most: f64) -> Vec<f64> {
    let steps: [&[f64]; 3] = [&[1.0, 2.0, 5.0], &[1.0, 2.0, 3.0, 5.0], &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]];
    let within = |multipliers: &[f64]| -> Vec<f64> {
        let mut marks = Vec::new();
        let mut power = 1.0;
        while power <= most * 1.1 {
            marks.extend(multipliers.iter().map(|m| m * power).filter(|n| *n >= fewest * 0.9 && *n <= most * 1.1));
            power *= 10.0;
        }
        marks
    };
    steps.iter().map(|m| within(m)).find(|marks| marks.len() >= 3).unwrap_or_else(|| within(steps[2]))
}

/// A solid line, or a dashed one (so the two lines differ in greyscale print too).
fn draw_line<DB: DrawingBackend>(
    root: &Area<DB>,
    points: &[(i32, i32)],
    colour: RGBColor,
    dashed: bool,
    s: i32,
) -> Result<(), ChartError> {
    if points.len() < 2 {
        return Ok(());
    }
    let style = colour.stroke_width(s as u32 * 2);
    if !dashed {
        return root.draw(&PathElement::new(points.to_vec(), style)).map_err(draw_err);
    }
    let (dash, gap) = (f64::from(8 * s), f64::from(5 * s));
    for seg in points.windows(2) {
        let (a, b) = (seg[0], seg[1]);
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = (dx * dx + dy * dy).sqrt();
        let mut t = 0.0;
        while t < len {
            let e = (t + dash).min(len);
            let at = |d: f64| ((f64::from(a.0) + dx * d / len) as i32, (f64::from(a.1) + dy * d / len) as i32);
            root.draw(&PathElement::new(vec![at(t), at(e)], style)).map_err(draw_err)?;
            t = e + gap;
        }
    }
    Ok(())
}

/// Horizontal grid lines at `ticks` with their values on the left, for the line charts and
/// the funnel (`py`: a value's height).
fn value_grid<DB: DrawingBackend>(
    root: &Area<DB>,
    s: i32,
    (x0, x1): (i32, i32),
    ticks: &[f64],
    py: &impl Fn(f64) -> i32,
    text: &impl Fn(i32, &'static RGBColor, HPos) -> TextStyle<'static>,
) -> Result<(), ChartError> {
    for &v in ticks {
        root.draw(&PathElement::new(vec![(x0 * s, py(v) * s), (x1 * s, py(v) * s)], GRID.stroke_width(s as u32)))
            .map_err(draw_err)?;
        root.draw(&Text::new(format!("{v:.0}"), ((x0 - 6) * s, py(v) * s), text(11, &MUTED, HPos::Right)))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Vertical grid lines with their values along the bottom, for the bar and interval charts.
fn axis<DB: DrawingBackend>(
    root: &Area<DB>,
    s: i32,
    x0: i32,
    x1: i32,
    top: i32,
    bottom: i32,
    (lo, hi): (f64, f64),
    text: &impl Fn(i32, &'static RGBColor, HPos) -> TextStyle<'static>,
) -> Result<(), ChartError> {
    // Round steps: 5 points on a narrow scale, 10 or 20 on a wide one.
    let step = if hi - lo <= 30.0 { 5.0 } else if hi - lo <= 60.0 { 10.0 } else { 20.0 };
    let ticks = ((hi - lo) / step).round() as i32;
    for k in 0..=ticks {
        let v = lo + step * f64::from(k);
        let x = x0 + ((v - lo) / (hi - lo) * f64::from(x1 - x0)).round() as i32;
        root.draw(&PathElement::new(vec![(x * s, top * s), (x * s, bottom * s)], GRID.stroke_width(s as u32)))
            .map_err(draw_err)?;
        root.draw(&Text::new(format!("{v:.0}"), (x * s, (bottom + 12) * s), text(11, &MUTED, HPos::Center)))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The values a line chart's axis marks, from `lo` to the first at or above `top`: at most
/// five steps of 1, 2 or 5 times a power of ten, and never less than 1, so that each mark
/// is a whole number its label (printed without decimals) gives exactly.
fn axis_ticks(lo: f64, top: f64) -> Vec<f64> {
    let span = (top - lo).max(1.0);
    let least = (span / 5.0).max(1.0);
    let power = 10f64.powf(least.log10().floor());
    let step = [1.0, 2.0, 5.0].into_iter().map(|m| m * power).find(|&t| t >= least).unwrap_or(10.0 * power);
    let steps = (span / step).ceil().max(1.0) as usize;
    (0..=steps).map(|k| lo + step * k as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> ChartSpec {
        ChartSpec {
            title: "Tỷ lệ áp dụng".into(),
            no_data: "Không có số liệu".into(),
            hollow_note: String::new(),
            body: ChartBody::Bars(vec![
                Bar { label: "Như Xuân".into(), value: 43.75, text: "43,75%".into() },
                Bar { label: "Đông Sơn <&>".into(), value: 5.0, text: "5%".into() },
            ]),
        }
    }

    #[test]
    fn svg_has_a_title_one_bar_per_row_and_escaped_labels() {
        let svg = svg(&bars()).unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains("<title>Tỷ lệ áp dụng</title>"));
        assert!(svg.contains("Như Xuân"));
        assert!(svg.contains("Đông Sơn &lt;&amp;&gt;"));
        assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 2, "{svg}");
    }

    #[test]
    fn png_is_twice_the_size_and_not_blank() {
        let bytes = png(&bars()).unwrap();
        let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = size(&bars());
        assert_eq!((info.width, info.height), (w * 2, h * 2));
        assert!(buf.chunks(3).any(|p| p == [0, 114, 178]), "a bar is drawn in blue");
        assert!(buf.chunks(3).filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).count() > 200, "text is drawn");
    }

    #[test]
    fn six_lines_have_six_colours_and_a_legend_of_three_rows() {
        let names = ["sqlite: dashboard", "sqlite: summary", "sqlite: district", "pg: dashboard", "pg: summary", "pg: district"];
        let series = names
            .iter()
            .enumerate()
            .map(|(k, n)| crate::charts::Series { name: n.to_string(), values: vec![Some(k as f64), Some(10.0 * k as f64)] })
            .collect();
        let spec = ChartSpec {
            title: "p99".into(),
            no_data: String::new(),
            hollow_note: String::new(),
            body: ChartBody::Lines { x_labels: vec!["10k".into(), "national".into()], series, counts: true },
        };
        let svg = svg(&spec).unwrap();
        for colour in ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7"] {
            assert!(svg.contains(&format!("stroke=\"{colour}\"")), "{colour} in {svg}");
        }
        // Each legend entry's text: two to a row, three rows, inside the chart's width.
        let mut rows = Vec::new();
        for name in names {
            let text = &svg[..svg.find(&format!("{name}\n")).unwrap_or_else(|| panic!("{name} in {svg}"))];
            let tag = &text[text.rfind("<text ").unwrap()..];
            let attr = |a: &str| -> i32 {
                let v = &tag[tag.find(&format!(" {a}=\"")).unwrap() + a.len() + 3..];
                v[..v.find('"').unwrap()].parse().unwrap()
            };
            assert!(attr("x") < 760 - 150, "{name}");
            rows.push(attr("y"));
        }
        assert_eq!(rows, [20, 20, 38, 38, 56, 56]);
    }

    #[test]
    fn axis_marks_are_whole_round_numbers_up_to_the_top() {
        // A p99 of 8.19 ms had been marked 0, 2, 4, 7, 9 (quarters of 9, rounded).
        assert_eq!(axis_ticks(0.0, 8.19), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(axis_ticks(0.0, 1234.0), [0.0, 500.0, 1000.0, 1500.0]);
        assert_eq!(axis_ticks(0.0, 3.0), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(axis_ticks(0.0, 1.0), [0.0, 1.0]);
        // Rates: from a multiple of ten to 100.
        assert_eq!(axis_ticks(90.0, 100.0), [90.0, 92.0, 94.0, 96.0, 98.0, 100.0]);
        assert_eq!(axis_ticks(70.0, 100.0), [70.0, 80.0, 90.0, 100.0]);
        assert_eq!(axis_ticks(0.0, 100.0), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    }

    #[test]
    fn an_interval_point_is_one_disc_or_a_ring_when_hollow() {
        let row = |label: &str, hollow: bool| crate::charts::IntervalPoint {
            label: label.into(),
            rate: 90.0,
            low: 85.0,
            high: 94.0,
            text: "90%".into(),
            hollow,
        };
        let spec = ChartSpec {
            title: "Hài lòng".into(),
            no_data: String::new(),
            hollow_note: "ít phiếu".into(),
            body: ChartBody::Intervals(vec![row("Đủ phiếu", false), row("Ít phiếu", true)]),
        };
        let svg = svg(&spec).unwrap();
        // The full point, the hollow point's disc and ring, and the note's ring.
        assert_eq!(svg.matches("<circle").count(), 4, "{svg}");
        assert_eq!(svg.matches("r=\"6\" opacity=\"1\" fill=\"#0072B2\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("fill=\"#FFFFFF\"").count() - 1, 1, "the background and the hollow disc: {svg}");
    }

    #[test]
    fn a_funnels_axis_has_at_least_three_round_marks() {
        assert_eq!(ballot_marks(30.0, 5000.0), [50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0]);
        assert_eq!(ballot_marks(62.0, 232.0), [60.0, 70.0, 80.0, 100.0, 150.0, 200.0]);
        assert_eq!(ballot_marks(40.0, 350.0), [50.0, 100.0, 200.0]);
    }

    #[test]
    fn an_empty_chart_says_so() {
        let mut spec = bars();
        spec.body = ChartBody::Bars(vec![]);
        let svg = svg(&spec).unwrap();
        assert!(svg.contains("Không có số liệu"));
        assert!(!svg.contains("#0072B2"));
    }
}
