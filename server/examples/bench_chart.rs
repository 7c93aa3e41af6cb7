//! The benchmark suite's charts against data size, per engine and measure, drawn by the
//! app's own chart code (plotters): the p99 latency of answers served under 16
//! connections, and the time of each figure's first answer (computed from the database).
//! `scripts/bench.sh` runs it:
//!     cargo run -p server --example bench_chart -- results.tsv latency.svg first-answer.svg
use app::charts::{ChartBody, ChartSpec, Series};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, tsv, latency, first] = args.as_slice() else {
        eprintln!("usage: bench_chart RESULTS.tsv LATENCY.svg FIRST-ANSWER.svg");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(tsv).unwrap_or_else(|e| panic!("{tsv}: {e}"));
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    let mut sizes: Vec<&str> = Vec::new();
    for r in &rows {
        if !sizes.contains(&r[0]) {
            sizes.push(r[0]);
        }
    }
    let wanted = ["dashboard (HTML)", "summary API, year", "district page (HTML)"];
    // Columns: size, engine, measure, connections, req/s, p50 ms, p99 ms, note.
    let chart = |title: &str, suffix: &str, connections: &str, column: usize, out: &str| {
        let mut series = Vec::new();
        for engine in ["sqlite", "postgres"] {
            for measure in wanted {
                let name = format!("{measure}{suffix}");
                let values: Vec<Option<f64>> = sizes
                    .iter()
                    .map(|size| {
                        rows.iter()
                            .find(|r| r[0] == *size && r[1] == engine && r[2] == name && r[3] == connections)
                            .and_then(|r| r[column].parse().ok())
                    })
                    .collect();
                if values.iter().any(Option::is_some) {
                    series.push(Series { name: format!("{engine}: {measure}"), values });
                }
            }
        }
        let spec = ChartSpec {
            title: title.into(),
            no_data: "no results".into(),
            hollow_note: String::new(),
            body: ChartBody::Lines { x_labels: sizes.iter().map(|s| s.to_string()).collect(), series, counts: true },
        };
        let drawn = app::ssr::charts::svg(&spec).unwrap_or_else(|e| panic!("drawing: {e}"));
        std::fs::write(out, drawn).unwrap_or_else(|e| panic!("{out}: {e}"));
    };
    chart("p99 latency (ms) under 16 connections, by survey rows", "", "16", 6, latency);
    chart("first answer (ms, computed from the database), by survey rows", ": first answer", "1", 5, first);
}
