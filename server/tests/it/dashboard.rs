//! The officials' figures beyond the district summary, end to end over HTTP on a hand-made
//! province that goes through the 2025 reorganisation (`fixtures/reorg`): effectiveness,
//! completeness, trends across mergers, the charts and their downloads, search, pages.
//!
//! The fixture: districts D1 (communes A, B, C) and D2 (E), valid until 2025-06-30; from
//! 2025-07-01 A + B form N1, C + E form N2, and N3 is new. Model M is adopted by A on
//! 2023-03-15, C on 2024-05-01 and N1 on 2025-07-01. Every count below is worked out by hand
//! from `fixtures/reorg/surveys.csv` (Wilson at z = 1.959964, rounded half away from zero).
use crate::common;
use common::{fixture, testid_text, Engine, TestApp};
use serde_json::json;

async fn reorg(engine: Engine) -> TestApp {
    TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("reorg")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await
}

async fn json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

on_both_engines!(effectiveness_before_after_and_difference_in_differences, |engine: Engine| async move {
    let app = reorg(engine).await;
    let (status, body) = json(&app, "/api/v1/figures/effectiveness").await;
    assert_eq!(status, 200);
    // Paired adopters: A (before 2022-03..2023-02: 100/80; after 2023-04..2024-03: 200/180)
    // and C (before 2023-05..2024-04: 10/6; after 2024-06..2025-05: 10/9). N1 has no ballot
    // of its own before its adoption. Before 86/110 = 78.18%, after 189/210 = 90.00%.
    // Comparison communes of A in D1: B (70/100 → 75/100) and C, which adopted after A's
    // after window (5/10 → 6/10); E is in another district. C's only candidate, B, has no
    // ballot in C's after window. Control 75/110 → 81/110: +5.45; did 11.82 − 5.45 = 6.36.
    assert_eq!(
        body,
        json!([
            {"model_code": "M", "model_name": "Ngày không viết", "adopters": 2,
             "before_respondents": 110, "before_satisfied": 86, "after_respondents": 210, "after_satisfied": 189,
             "before_rate": 78.18, "before_ci_low": 69.58, "before_ci_high": 84.88,
             "after_rate": 90.0, "after_ci_low": 85.2, "after_ci_high": 93.37,
             "change": 11.82, "change_ci_low": 3.58, "change_ci_high": 21.05,
             "control_communes": 2, "control_before_respondents": 110, "control_before_satisfied": 75,
             "control_after_respondents": 110, "control_after_satisfied": 81,
             "control_change": 5.45, "did": 6.36},
            {"model_code": "Q", "model_name": "Tra cứu bằng mã QR", "adopters": 0,
             "before_respondents": 0, "before_satisfied": 0, "after_respondents": 0, "after_satisfied": 0,
             "before_rate": null, "before_ci_low": null, "before_ci_high": null,
             "after_rate": null, "after_ci_low": null, "after_ci_high": null,
             "change": null, "change_ci_low": null, "change_ci_high": null,
             "control_communes": 0, "control_before_respondents": 0, "control_before_satisfied": 0,
             "control_after_respondents": 0, "control_after_satisfied": 0,
             "control_change": null, "did": null}
        ])
    );
    let (_, one) = json(&app, "/api/v1/figures/effectiveness?model=M&province=P").await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0], body[0]);
    let (status, err) = json(&app, "/api/v1/figures/effectiveness?model=ZZ").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("model")));

    // The model page shows the same figures and says what they are.
    let (status, html) = app.get_text("/models/M").await;
    assert_eq!(status, 200);
    assert_eq!(testid_text(&html, "change"), "11,82");
    assert_eq!(testid_text(&html, "did"), "6,36");
    assert!(html.contains("không phải bằng chứng"), "the association caveat");
});

on_both_engines!(completeness_per_district_and_after_the_reorganisation, |engine: Engine| async move {
    let app = reorg(engine).await;
    // 2025-Q2: D1's three communes reported (A and C in May, B in June); E did not.
    let (status, body) = json(&app, "/api/v1/figures/completeness?period=2025-Q2").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([
            {"district_code": "D1", "district_name": "Đông Sơn", "communes": 3, "reporting": 3, "reporting_rate": 100.0, "missing": []},
            {"district_code": "D2", "district_name": "Như Xuân", "communes": 1, "reporting": 0, "reporting_rate": 0.0, "missing": ["E"]}
        ])
    );
    // 2025-08: no districts; the province's new communes, only N1 reported.
    let (_, body) = json(&app, "/api/v1/figures/completeness?period=2025-08").await;
    assert_eq!(
        body,
        json!([{"district_code": "P", "district_name": "Tỉnh Thử", "communes": 3, "reporting": 1, "reporting_rate": 33.33, "missing": ["N2", "N3"]}])
    );
    // The year 2025 spans both shapes.
    let (_, body) = json(&app, "/api/v1/figures/completeness?period=2025").await;
    let rows: Vec<_> = body.as_array().unwrap().iter().map(|r| (r["district_code"].clone(), r["missing"].clone())).collect();
    assert_eq!(rows, [(json!("D1"), json!([])), (json!("D2"), json!(["E"])), (json!("P"), json!(["N3"]))]);
    let (status, err) = json(&app, "/api/v1/figures/completeness").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("period")));
    // The page lists the missing communes by name, for chasing them.
    let (_, html) = app.get_text("/completeness?period=2025-08").await;
    assert!(html.contains("Yên Cát, Xã Lặng"), "{html}");
    assert!(html.contains("1 / 3 (33,33%)"));
});

on_both_engines!(trends_follow_predecessors_across_the_merger, |engine: Engine| async move {
    let app = reorg(engine).await;
    // N1's months: A's May, B's June, then N1's own.
    let (status, body) = json(&app, "/api/v1/figures/trend?unit=N1&from=2025-05&to=2025-08").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([
            {"period": "2025-05", "respondents": 30, "satisfied": 27, "satisfaction_rate": 90.0, "ci_low": 74.38, "ci_high": 96.54},
            {"period": "2025-06", "respondents": 20, "satisfied": 19, "satisfaction_rate": 95.0, "ci_low": 76.39, "ci_high": 99.11},
            {"period": "2025-07", "respondents": 200, "satisfied": 180, "satisfaction_rate": 90.0, "ci_low": 85.06, "ci_high": 93.43},
            {"period": "2025-08", "respondents": 100, "satisfied": 95, "satisfaction_rate": 95.0, "ci_low": 88.82, "ci_high": 97.85}
        ])
    );
    // N2 by quarter: C's May (E reported nothing then), then N2's July.
    let (_, body) = json(&app, "/api/v1/figures/trend?unit=N2&from=2025-Q2&to=2025-Q3").await;
    let counts: Vec<_> = body.as_array().unwrap().iter().map(|r| (r["respondents"].clone(), r["satisfied"].clone())).collect();
    assert_eq!(counts, [(json!(10), json!(9)), (json!(50), json!(45))]);
    // A district sums its communes: 2023 = A 50 + 100 (+ 40 about M) + B 100.
    let (_, body) = json(&app, "/api/v1/figures/trend?unit=D1&from=2023&to=2023").await;
    assert_eq!(body[0], json!({"period": "2023", "respondents": 290, "satisfied": 253, "satisfaction_rate": 87.24, "ci_low": 82.91, "ci_high": 90.6}));
    // Only the model's surveys with a model filter.
    let (_, body) = json(&app, "/api/v1/figures/trend?unit=N1&from=2023-Q4&to=2023-Q4&model=M").await;
    assert_eq!((body[0]["respondents"].clone(), body[0]["satisfied"].clone()), (json!(40), json!(38)));
    // A month filter never counts a quarter; the province line sums everything.
    let (_, body) = json(&app, "/api/v1/figures/trend?unit=P&from=2023-10&to=2023-12").await;
    assert_eq!(body[2]["respondents"], json!(200), "B and E in December, not A's 2023-Q4");
    for (query, field) in [
        ("unit=N1&from=2025-05&to=2025-Q3", "to"),
        ("unit=N1&from=2025-08&to=2025-05", "to"),
        ("unit=N1&from=2025-13&to=2025-05", "from"),
        ("unit=ZZ&from=2025-05&to=2025-06", "unit"),
        ("from=2025-05&to=2025-06", "unit"),
        ("unit=N1&from=2000-01&to=2025-06", "to"),
    ] {
        let (status, err) = json(&app, &format!("/api/v1/figures/trend?{query}")).await;
        assert_eq!((status, err["field"].as_str()), (400, Some(field)), "{query}: {err}");
    }
    // The commune page: where it came from, and its history across the change.
    let (_, html) = app.get_text("/communes/N1").await;
    assert!(html.contains("href=\"/communes/A\""));
    assert!(html.contains("href=\"/communes/B\""));
    let (_, html) = app.get_text("/communes/A").await;
    assert!(html.contains("data-testid=\"successor\""));
    // A's own months without a report, 2025-06 among them (its last valid month).
    assert!(testid_text(&html, "missing-months").contains("2025-06"));
});

/// The `<text>` contents and the bars (blue rectangles) of an SVG, parsed as XML.
fn svg_parts(svg: &str) -> (Vec<String>, usize) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(root.attribute("aria-label").is_some_and(|l| !l.is_empty()));
    assert!(root.children().any(|n| n.tag_name().name() == "title"));
    let texts = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    let bars = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some("#0072B2"))
        .count();
    (texts, bars)
}

on_both_engines!(charts_download_as_svg_png_and_csv_from_the_same_figures, |engine: Engine| async move {
    let app = reorg(engine).await;
    // 2024: one bar per district; D1 runs M in A and C (2 of 3), D2 not at all.
    let r = app.get("/charts/adoption-by-district.svg?period=2024&model=M").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let (texts, bars) = svg_parts(&r.text().await.unwrap());
    assert_eq!(bars, 2);
    assert!(texts.contains(&"Đông Sơn".to_string()) && texts.contains(&"Như Xuân".to_string()), "{texts:?}");
    assert!(texts.contains(&"66,67%".to_string()), "{texts:?}");
    // The CSV is the table beside it: the district summary of the same filters.
    let (_, csv) = app.get_text("/charts/adoption-by-district.csv?period=2024&model=M").await;
    let (_, summary) = app.get_text("/export/district-summary.csv?period=2024&model=M").await;
    assert_eq!(csv, summary);
    let (_, csv) = app.get_text("/charts/satisfaction-by-district.csv?period=2024&model=M").await;
    assert_eq!(csv, summary);
    // After the reorganisation: the province's communes, hand-computed for 2025-Q3.
    let (_, csv) = app.get_text("/charts/satisfaction-by-district.csv?period=2025-Q3").await;
    assert_eq!(
        csv,
        "\u{feff}commune_code,commune_name,communes,communes_adopting,adoption_rate,respondents,satisfied,satisfaction_rate,ci_low,ci_high\n\
         N1,Đông Sơn,1,1,100.00,300,275,91.67,87.99,94.29\n\
         N2,Yên Cát,1,0,0.00,50,45,90.00,78.64,95.65\n\
         N3,Xã Lặng,1,0,0.00,0,0,,,\n"
    );
    let r = app.get("/charts/satisfaction-by-district.svg?period=2025-Q3&lang=en").await;
    let (texts, _) = svg_parts(&r.text().await.unwrap());
    assert!(texts.iter().any(|t| t == "91.67% · 300 ballots"), "{texts:?}");
    // June 2025 (still districts): D1's only ballots are B's 20, too few to rank: hollow.
    let r = app.get("/charts/satisfaction-by-district.svg?period=2025-06").await;
    let svg = r.text().await.unwrap();
    assert!(svg.contains("Điểm rỗng: dưới 30 phiếu"), "B's 20 ballots in June are too few to rank");
    // The trend: the province's line and a district's, one CSV row per line and period.
    let (_, csv) = app.get_text("/charts/satisfaction-trend.csv?period=2023&district=D1").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "\u{feff}unit,period,respondents,satisfied,satisfaction_rate,ci_low,ci_high");
    assert_eq!(lines.len(), 1 + 5 + 5);
    assert!(lines.contains(&"Đông Sơn,2023,290,253,87.24,82.91,90.60"), "{csv}");
    // PNG: twice the SVG's size, decodable, not blank.
    let r = app.get("/charts/adoption-by-district.png?period=2024&model=M").await;
    assert_eq!(r.headers()["content-type"], "image/png");
    let bytes = r.bytes().await.unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec())).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.width, 1520);
    assert!(pixels.chunks(3).any(|p| p == [0, 114, 178]), "bars drawn");
    // A chart with no data says so, in words.
    let r = app.get("/charts/satisfaction-by-district.svg?period=2019").await;
    let (texts, bars) = svg_parts(&r.text().await.unwrap());
    assert_eq!((bars, texts.len()), (0, 1));
    // Unknown charts, formats and filters.
    assert_eq!(app.get("/charts/nope.svg?period=2024").await.status(), 404);
    assert_eq!(app.get("/charts/adoption-by-district.gif?period=2024").await.status(), 404);
    let (status, err) = json(&app, "/charts/adoption-by-district.svg").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("period")));
    let (status, err) = json(&app, "/charts/satisfaction-trend.csv?period=2024&district=ZZ").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("district")));
    let (status, err) = json(&app, "/charts/adoption-by-commune.csv?period=2024").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("district")));
    let (_, csv) = app.get_text("/charts/adoption-by-commune.csv?period=2024&district=D1&model=M").await;
    assert_eq!(csv.lines().count(), 4, "D1's three communes: {csv}");
    // A commune's history needs no period: N1's quarters with A's and B's before it.
    let (status, csv) = app.get_text("/charts/commune-history.csv?commune=N1").await;
    assert_eq!(status, 200);
    assert!(csv.contains("\n2025-Q2,50,46,92.00,"), "A's May 30/27 + B's June 20/19: {csv}");
    assert!(csv.contains("\n2025-Q3,300,275,91.67,87.99,94.29\n"), "{csv}");
    let (status, err) = json(&app, "/charts/commune-history.svg?commune=D1").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("unit")));
    // The model's adoption: A from 2023, C from 2024 (scaled), in 2025 only N1 exists.
    let (_, csv) = app.get_text("/charts/model-adoption.csv?model=M").await;
    assert_eq!(csv, "\u{feff}year,pilot,scaled\n2023,1,0\n2024,1,1\n2025,0,1\n");
    let (status, err) = json(&app, "/charts/model-adoption.png?model=ZZ").await;
    assert_eq!((status, err["field"].as_str()), (400, Some("model")));
});

on_both_engines!(the_dashboard_shows_the_contracts_figures, |engine: Engine| async move {
    let app = reorg(engine).await;
    // 2024: D1 has 3 communes, 2 running M; ballots 2024 = A 100 + 10 + C 10 = 120.
    let (status, html) = app.get_text("/?period=2024&model=M").await;
    assert_eq!(status, 200);
    assert_eq!(testid_text(&html, "card-communes-running"), "2");
    // With the model filter only the model's surveys count: none in 2024.
    assert_eq!(testid_text(&html, "card-ballots"), "0");
    let (_, html) = app.get_text("/?period=2024").await;
    assert_eq!(testid_text(&html, "card-ballots"), "120");
    // 2 of 4 communes reported in 2024 (A and C).
    assert_eq!(testid_text(&html, "card-reporting"), "50,00%");
    for chart in ["adoption-by-district", "satisfaction-by-district", "satisfaction-trend"] {
        assert!(html.contains(&format!("data-testid=\"chart-{chart}\"")), "{chart}");
        assert!(html.contains(&format!("/charts/{chart}.png?period=2024")), "{chart} download link");
    }
    assert!(html.contains("<svg "), "charts inline");
    // The matrix: D1 runs M in 2 of its 3 communes.
    assert!(html.contains("data-testid=\"matrix\""));
    // After 2025: the province's communes, and the page says so.
    let (_, html) = app.get_text("/?period=2025-Q3").await;
    assert!(html.contains("data-testid=\"commune-level-note\""));
    assert_eq!(testid_text(&html, "card-satisfaction"), "91,43%", "320 of 350");
    // English numbers.
    let html = app.client.get(app.url("/?period=2025-Q3")).header("cookie", "lang=en").send().await.unwrap().text().await.unwrap();
    assert_eq!(testid_text(&html, "card-satisfaction"), "91.43%");
});

on_both_engines!(search_ignores_diacritics_and_case_old_and_new_units_alike, |engine: Engine| async move {
    let app = reorg(engine).await;
    let (status, html) = app.get_text("/search?q=dong+son").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/districts/D1\""), "the old district");
    assert!(html.contains("href=\"/communes/N1\""), "the new commune of the same name");
    let (_, html) = app.get_text("/search?q=DONG%20VAN").await;
    assert!(html.contains("href=\"/communes/A\""));
    let (_, html) = app.get_text("/search?q=ngay+khong").await;
    assert!(html.contains("href=\"/models/M\""));
    let (_, html) = app.get_text("/search?q=zzz").await;
    assert!(html.contains("data-testid=\"search-empty\""));
    let (_, html) = app.get_text(&format!("/search?q={}", "a".repeat(5000))).await;
    assert!(html.contains("data-testid=\"search-empty\""));
});

on_both_engines!(lists_follow_vietnamese_alphabetical_order, |engine: Engine| async move {
    let app = reorg(engine).await;
    let districts = app::ssr::figures::district_choices(&app.db, None).await.unwrap();
    let names: Vec<_> = districts.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Đông Sơn", "Như Xuân"], "đ after d, before n");
    let (_, html) = app.get_text("/communes").await;
    let (d, n) = (html.find("Đông Sơn").unwrap(), html.find("Như Xuân").unwrap());
    assert!(d < n);
});

/// A country of two provinces (`fixtures/country`): P1 Thanh Hóa with districts D1 (communes
/// A, B) and D2 (C), P2 Nghệ An with D3 (E, F); from 2025-07-01 N1, N2 under P1 and N3
/// under P2. M runs at A since 2023, E since 2024-03, N1 since 2025-07. Surveys of 2024:
/// A 90/100, B 40/50, C 10/20, E 180/200, and 10/10 on D3 itself; 2025-Q3: N1 95/100,
/// N3 30/40. Intervals by hand (Wilson, z = 1.959964): 140/170 → 75.93–87.35, 190/210 →
/// 85.75–93.75, 330/380 → 83.07–89.88, 95/100 → 88.82–97.85, 30/40 → 59.81–85.81.
async fn country(engine: Engine) -> TestApp {
    TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("country")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await
}

const PROVINCE_COLUMNS: &str =
    "\u{feff}province_code,province_name,communes,communes_adopting,adoption_rate,respondents,satisfied,satisfaction_rate,ci_low,ci_high\n";

on_both_engines!(a_whole_country_is_compared_by_province, |engine: Engine| async move {
    let app = country(engine).await;
    let (status, html) = app.get_text("/?period=2024").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"country-note\""));
    assert_eq!(testid_text(&html, "card-ballots"), "380");
    assert_eq!(testid_text(&html, "card-satisfaction"), "86,84%", "330 of 380");
    assert_eq!(testid_text(&html, "card-communes-running"), "2");
    // Each province's row opens the dashboard on it; no district is listed.
    assert!(html.contains("href=\"/?period=2024&amp;province=P2\"") || html.contains("href=\"/?period=2024&province=P2\""));
    assert!(!html.contains("/districts/D1"), "districts are one click further");
    assert!(html.contains(">Cả nước</option>"), "the province menu offers the whole country");
    // The trend's district menu waits for a province (a country has hundreds of districts);
    // a district the address names is still offered, with its trend line.
    assert!(!html.contains("name=\"district\""), "no district menu for a whole country");
    let (_, html) = app.get_text("/?period=2024&district=D3").await;
    assert!(html.contains(">Quế Phong</option>") && !html.contains(">Đông Sơn</option>"));
    assert!(html.contains("<td>Quế Phong</td>"), "D3's trend line");
    let (_, html) = app.get_text("/?period=2024&district=ZZ").await;
    assert!(html.contains("Không có huyện này; hãy chọn trong danh sách."));
    // The chart's table: the district summary's columns named for provinces, summed by hand.
    let (_, csv) = app.get_text("/charts/adoption-by-district.csv?period=2024").await;
    assert_eq!(
        csv,
        format!(
            "{PROVINCE_COLUMNS}P1,Thanh Hóa,3,1,33.33,170,140,82.35,75.93,87.35\nP2,Nghệ An,2,1,50.00,210,190,90.48,85.75,93.75\n"
        )
    );
    let (_, csv) = app.get_text("/charts/satisfaction-trend.csv?period=2024").await;
    assert!(csv.contains("\nCả nước,2024,380,330,86.84,83.07,89.88\n"), "{csv}");
    // After 2025: the provinces' communes, summed per province.
    let (_, csv) = app.get_text("/charts/satisfaction-by-district.csv?period=2025-Q3").await;
    assert_eq!(
        csv,
        format!("{PROVINCE_COLUMNS}P1,Thanh Hóa,2,1,50.00,100,95,95.00,88.82,97.85\nP2,Nghệ An,1,0,0.00,40,30,75.00,59.81,85.81\n")
    );
    // The contract's district summary is unchanged: one row per district.
    let (_, csv) = app.get_text("/export/district-summary.csv?period=2024").await;
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // English.
    let html = app.client.get(app.url("/?period=2024")).header("cookie", "lang=en").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Adoption rate by province (%)") && html.contains(">Whole country</option>"));
});

on_both_engines!(a_chosen_province_shows_its_districts_and_a_wrong_one_is_said, |engine: Engine| async move {
    let app = country(engine).await;
    let (status, html) = app.get_text("/?period=2024&province=P2").await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-testid=\"country-note\""));
    // D3: 1 of 2 communes; 180 + 10 of 210 ballots (the district's own survey counts).
    assert_eq!(testid_text(&html, "card-ballots"), "210");
    assert_eq!(testid_text(&html, "card-satisfaction"), "90,48%");
    assert!(html.contains("/districts/D3?period=2024"));
    assert!(!html.contains(">Đông Sơn</option>"), "only the province's districts to choose for the trend");
    let (_, csv) = app.get_text("/charts/adoption-by-district.csv?period=2024&province=P2").await;
    assert!(csv.starts_with("\u{feff}district_code,") && csv.contains("\nD3,Quế Phong,2,1,50.00,210,190,90.48,85.75,93.75\n"), "{csv}");
    let (_, csv) = app.get_text("/charts/satisfaction-trend.csv?period=2024&province=P2").await;
    assert!(csv.contains("\nTỉnh Nghệ An,2024,210,190,90.48,85.75,93.75\n"), "{csv}");
    // A province that does not exist: said next to the field, and no figures.
    let (status, html) = app.get_text("/?period=2024&province=ZZ").await;
    assert_eq!(status, 200);
    assert!(html.contains("Không có tỉnh này; hãy chọn trong danh sách."));
    assert!(!html.contains("data-testid=\"district-summary\""));
});

// A generated country of three provinces merged into two on 1 July 2025 (one absorbed by
// another, which keeps its code): compared three before and two after, and the merged
// province's trend and the country's run across the change, each quarter summed here from
// the generated files themselves.
on_both_engines!(a_country_merges_provinces_and_its_trends_run_across, |engine: Engine| async move {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("set");
    let shape = ["--provinces", "3", "--provinces-after", "2", "--districts", "6", "--communes", "60"];
    let mut args = vec!["generate", "--out", out.to_str().unwrap(), "--models", "2", "--years", "2", "--seed", "5"];
    args.extend(shape);
    let run = common::cli("sqlite::memory:", &args);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let read = |file: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(out.join(file)).unwrap().records().map(Result::unwrap).collect()
    };
    // units.csv: code, name, level, parent_code, kind, valid_from, valid_to, successor_code
    let units = read("units.csv");
    let absorbed: Vec<&csv::StringRecord> = units.iter().filter(|u| &u[2] == "province" && !u[7].is_empty()).collect();
    assert_eq!(absorbed.len(), 1, "one province merged into another");
    let (gone, into) = (absorbed[0][0].to_string(), absorbed[0][7].to_string());
    assert_eq!(&absorbed[0][6], "2025-06-30");
    let kept = units.iter().find(|u| &u[2] == "province" && u[0] != *gone && u[0] != *into).unwrap()[0].to_string();
    let parent: std::collections::HashMap<String, String> =
        units.iter().map(|u| (u[0].to_string(), u[3].to_string())).collect();
    let province_after = |code: &str| {
        let mut code = code.to_string();
        while !parent[&code].is_empty() {
            code = parent[&code].clone();
        }
        if code == gone { into.clone() } else { code }
    };
    // The communes of July 2025 on hang under the provinces that go on, the merged one's
    // from both provinces' old communes.
    let new_parents: std::collections::HashSet<String> =
        units.iter().filter(|u| &u[5] == "2025-07-01").map(|u| u[3].to_string()).collect();
    assert_eq!(new_parents, [into.clone(), kept.clone()].into());
    assert!(units.iter().any(|u| &u[2] == "commune" && province_after(&u[0]) == into && parent[&u[3]] == gone));

    let set = out.clone();
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&set).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await;
    // Compared: three provinces before the merger, the two that go on after.
    let codes = |csv: &str| csv.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect::<Vec<_>>();
    let (_, before) = app.get_text("/charts/satisfaction-by-district.csv?period=2024").await;
    assert_eq!(codes(&before), ["T01", "T02", "T03"]);
    let mut after = vec![into.clone(), kept.clone()];
    after.sort();
    let (_, csv) = app.get_text("/charts/satisfaction-by-district.csv?period=2025-Q3").await;
    assert_eq!(codes(&csv), after);
    let (_, funnel) = json(&app, "/api/v1/figures/funnel?period=2025-Q3").await;
    let rows: Vec<&str> = funnel.as_array().unwrap().iter().map(|r| r["unit_code"].as_str().unwrap()).collect();
    assert_eq!(rows, after);
    let (_, html) = app.get_text("/?period=2025-Q3").await;
    assert!(!html.contains(&format!("<option value=\"{gone}\"")), "the form offers today's provinces");
    let (_, html) = app.get_text("/?period=2024").await;
    assert!(html.contains(&format!("<option value=\"{gone}\"")), "and the old ones for history");

    // Each quarter by hand: every survey of the lineage, in the quarter containing its period.
    let span = app::domain::Period::span("2024-Q1".parse().unwrap(), "2025-Q4".parse().unwrap()).unwrap();
    let mut by_hand: std::collections::HashMap<String, Vec<u64>> = Default::default();
    for s in read("surveys.csv") {
        let period: app::domain::Period = s[2].parse().unwrap();
        let at = span.iter().position(|q| q.first_day() <= period.first_day() && period.last_day() <= q.last_day());
        let sums = by_hand.entry(province_after(&s[0])).or_insert_with(|| vec![0; span.len()]);
        sums[at.expect("every survey in 2024–2025")] += s[3].parse::<u64>().unwrap();
    }
    let merged = respondents_by_quarter(&app, &into).await;
    assert_eq!(merged, by_hand[&into], "{into} and {gone} before, {into} after");
    assert!(merged.iter().all(|&n| n > 0), "no gap at the merger: {merged:?}");
    assert_eq!(respondents_by_quarter(&app, &kept).await, by_hand[&kept]);
    // The country's: both provinces that go on, nothing twice.
    let (_, country) = app.get_text("/charts/satisfaction-trend.csv?period=2025-Q4").await;
    for (i, quarter) in span.iter().enumerate() {
        let whole = by_hand[&into][i] + by_hand[&kept][i];
        assert!(country.contains(&format!("\nCả nước,{quarter},{whole},")), "{quarter}: {whole} ballots in {country}");
    }
});

// Many provinces are compared the way many communes are: 40 provinces before July 2025
// (more than a short table) get the funnel, adoption per model and the models' spread, with
// the matrix and the flagged units beyond the first ten folded; the 22 they became get a
// bar and an interval each.
on_both_engines!(many_provinces_are_compared_by_the_funnel_and_per_model, |engine: Engine| async move {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("set");
    let run = common::cli(
        "sqlite::memory:",
        &["generate", "--out", out.to_str().unwrap(), "--provinces", "40", "--districts", "40", "--communes", "80", "--models", "3", "--years", "1"],
    );
    assert!(run.status.success(), "{}", common::stderr(&run));
    let set = out.clone();
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&set).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await;
    let (status, html) = app.get_text("/?period=2025-05").await;
    assert_eq!(status, 200);
    for shown in ["chart-satisfaction-funnel", "chart-adoption-by-model", "chart-models-per-commune", "matrix-fold"] {
        assert!(html.contains(&format!("data-testid=\"{shown}\"")), "{shown} for 40 provinces");
    }
    assert!(!html.contains("data-testid=\"chart-adoption-by-district\""), "no bar per province");
    assert!(html.contains("Xem bảng (40 dòng)"), "the folded matrix says its size");
    // The models' spread counts every commune of May 2025 (their parents are districts,
    // the matrix's rows provinces).
    let (_, csv) = app.get_text("/charts/models-per-commune.csv?period=2025-05").await;
    let communes: u64 = csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(communes, 80, "{csv}");
    // The flagged provinces: the ten furthest on each side in view, the rest folded and counted.
    let (_, funnel) = json(&app, "/api/v1/figures/funnel?period=2025").await;
    let (_, html) = app.get_text("/?period=2025").await;
    let mut folded = 0;
    for (flag, testid) in [("below", "funnel-below"), ("above", "funnel-above")] {
        let flagged = funnel.as_array().unwrap().iter().filter(|r| r["flag"] == flag).count();
        let list = &html[html.find(&format!("data-testid=\"{testid}\"")).unwrap()..];
        let shown = list[..list.find("</ul>").unwrap()].matches("<li>").count();
        assert_eq!(shown, flagged.min(10), "{flag}: {flagged} flagged");
        if flagged > 10 {
            folded += 1;
            assert!(list.contains(&format!("Xem thêm {} đơn vị", flagged - 10)), "{flag}: the rest folded");
        }
    }
    assert!(folded > 0, "a year of 40 provinces flags more than ten on a side: {funnel}");
    let (_, html) = app.get_text("/?period=2025-12").await;
    assert!(html.contains("data-testid=\"chart-adoption-by-district\"") && !html.contains("matrix-fold"), "22 provinces each drawn");
});

/// A unit's ballots in each quarter of 2024–2025, from the trend API.
async fn respondents_by_quarter(app: &TestApp, unit: &str) -> Vec<u64> {
    let (status, body) = json(app, &format!("/api/v1/figures/trend?unit={unit}&from=2024-Q1&to=2025-Q4")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().iter().map(|r| r["respondents"].as_u64().unwrap()).collect()
}

async fn html_has(app: &TestApp, path: &str, text: &str) -> bool {
    app.get_text(path).await.1.contains(text)
}

/// The dashboard table's rows: each unit's name and satisfaction rate (`None`: no ballot).
fn table_rows(html: &str) -> Vec<(String, Option<f64>)> {
    let table = &html[html.find("data-testid=\"district-summary\"").expect("the table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("<td").skip(1).map(|c| &c[c.find('>').unwrap() + 1..]).collect();
            let text = |c: &str| {
                let mut out = String::new();
                let mut inside = false;
                for ch in c.chars() {
                    match ch {
                        '<' => inside = true,
                        '>' => inside = false,
                        _ if !inside => out.push(ch),
                        _ => {}
                    }
                }
                out.split("</").next().unwrap_or("").trim().to_string()
            };
            let name = text(cells[0]);
            let rate = text(cells[5]).trim_end_matches('%').replace(',', ".").parse().ok();
            (name, rate)
        })
        .collect()
}

// Today's shape on the demo: 166 communes directly under the province. The table shows 25
// rows a page, sorted by the address's parameters, with every page and "show all" as
// plain links (no JavaScript); the adoption chart is one bar per model, not per commune.
on_both_engines!(the_commune_table_sorts_and_pages_without_javascript, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let (status, html) = app.get_text("/?period=2026-11").await;
    assert_eq!(status, 200);
    assert_eq!(table_rows(&html).len(), 25);
    let pager = &html[html.find("data-testid=\"pager\"").expect("a pager")..];
    let pager = &pager[..pager.find("</nav>").unwrap()];
    for k in 1..=7 {
        assert!(pager.contains(&format!("&amp;page={k}\"")), "page {k} in {pager}");
    }
    assert!(!pager.contains("page=8"));
    assert!(pager.contains("aria-current=\"page\">1<"), "the first page is the current one");
    assert!(html.contains("data-testid=\"chart-adoption-by-model\""));
    assert!(!html.contains("data-testid=\"chart-adoption-by-district\""), "no bar per commune");
    // Lowest rate first, pages 1 and 2 in one order; page 7 holds the last 16.
    let page = |n: usize| {
        let app = &app;
        async move { table_rows(&app.get_text(&format!("/?period=2026-11&sort=rate&dir=asc&page={n}")).await.1) }
    };
    let (first, second, last) = (page(1).await, page(2).await, page(7).await);
    assert_eq!((first.len(), second.len(), last.len()), (25, 25, 16));
    let rates: Vec<f64> = first.iter().chain(&second).map(|r| r.1.expect("rated")).collect();
    assert!(rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    let names: std::collections::HashSet<&String> = first.iter().chain(&second).chain(&last).map(|r| &r.0).collect();
    assert_eq!(names.len(), 66, "no row twice");
    // The rate's heading turns the order around; "show all" shows the 166.
    let (_, html) = app.get_text("/?period=2026-11&sort=rate&dir=asc").await;
    assert!(html.contains("sort=rate&amp;dir=desc"), "the heading links to the other direction");
    assert!(html.contains("aria-sort=\"ascending\""));
    let (_, html) = app.get_text("/?period=2026-11&sort=name&all=1").await;
    let all = table_rows(&html);
    assert_eq!(all.len(), 166);
    let mut by_name: Vec<String> = all.iter().map(|r| r.0.clone()).collect();
    app::domain::text::sort_vietnamese(&mut by_name, |n| n.as_str());
    assert_eq!(by_name, all.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), "Vietnamese order");
    // The model chart's CSV: one row per model, its communes those of the province.
    let csv = app.get("/charts/adoption-by-model.csv?period=2026-11").await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["model_code", "model_name", "communes", "communes_adopting", "adoption_rate"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8, "eight models");
    assert!(rows.iter().all(|r| &r[2] == "166"), "{csv}");
    let cqtt = rows.iter().find(|r| &r[0] == "CQTT").unwrap();
    let (adopting, rate): (f64, f64) = (cqtt[3].parse().unwrap(), cqtt[4].parse().unwrap());
    assert_eq!(rate, (adopting * 10_000.0 / 166.0).round() / 100.0, "adopting ÷ communes");
    // How many models each commune runs: every one of the 166 counted once, and the models
    // they run add up to the per-model counts above.
    let by_model: u64 = rows.iter().map(|r| r[3].parse::<u64>().unwrap()).sum();
    let csv = app.get("/charts/models-per-commune.csv?period=2026-11").await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["models", "communes", "share"]);
    let spread: Vec<(u64, u64)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap())).collect();
    assert_eq!(spread.iter().map(|s| s.1).sum::<u64>(), 166);
    assert_eq!(spread.iter().map(|s| s.0 * s.1).sum::<u64>(), by_model);
    assert_eq!(spread.iter().map(|s| s.0).collect::<Vec<_>>(), (0..spread.len() as u64).collect::<Vec<_>>());
    assert!(html_has(&app, "/?period=2026-11", "data-testid=\"chart-models-per-commune\"").await);
});

/// The words a reader sees on a page: its text outside tags, scripts and styles.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag = &rest[open..];
        // A script's or a style's body is not text either.
        let skip_to = ["<script", "<style"].iter().find(|t| tag.starts_with(*t)).map(|t| format!("</{}", &t[1..]));
        rest = match skip_to {
            Some(close) => tag.find(&close).map_or("", |end| &tag[end..]),
            None => tag.find('>').map_or("", |end| &tag[end + 1..]),
        };
    }
    text.push_str(rest);
    text
}

// Today's shape has no districts: the November 2026 dashboard says none of the word in
// either language — its form, headings, notes, charts and counts — while 2024's does.
on_both_engines!(todays_dashboard_has_no_district_words, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    for (lang, words) in [("vi", ["huyện", "Huyện"]), ("en", ["district", "District"])] {
        let page = |path: &'static str| {
            let app = &app;
            async move {
                let r = app.client.get(app.url(path)).header("cookie", format!("lang={lang}")).send().await.unwrap();
                visible_text(&r.text().await.unwrap())
            }
        };
        let today = page("/?period=2026-11").await;
        for word in words {
            assert!(!today.contains(word), "{lang}: «{word}» in {}", &today[today.find(word).unwrap().saturating_sub(80)..]);
        }
        assert!(page("/?period=2024").await.contains(words[1]), "{lang}: 2024 is by district");
    }
    // The trend's second line is a commune, chosen in the form, following its predecessors.
    let (_, html) = app.get_text("/?period=2026-11&district=38-001").await;
    assert!(html.contains("Chọn xã, phường"));
    let csv = app.get("/charts/satisfaction-trend.csv?period=2026-11&district=38-001").await.text().await.unwrap();
    let units: std::collections::BTreeSet<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(units.len(), 2, "the province's line and the commune's: {units:?}");
    let (_, html) = app.get_text("/?period=2026-11&district=402").await;
    assert!(html.contains("Không có xã, phường này; hãy chọn trong danh sách."), "a district is no choice today");
});
