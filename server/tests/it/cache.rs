//! The figure cache never serves a stale figure: random sequences of writes — survey counts
//! through the write API, deletions, adoptions and communes moved to another district
//! through the write paths the forms use — and after each one, every figure the server
//! answers (from its cache when it has one) equals the direct computation on the database,
//! and the survey sums the database keeps equal the survey counts summed afresh, on both
//! engines.
//!
//! `PROPTEST_CASES` (default 3 sequences of up to 8 writes) makes it longer.
use crate::common;
use app::domain::access::Writer;
use app::domain::reference::AdoptionDraft;
use app::domain::{FigureFilter, Period};
use app::ssr::{figures, writes};
use common::{Engine, TestApp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

#[derive(Clone, Debug)]
enum Step {
    /// A month's count of (unit, model) in 2016–2017, through `POST /api/v1/surveys`.
    Survey { unit: usize, model: Option<usize>, month: u32, respondents: i32, satisfied_per_mille: i32 },
    /// Deletes the n-th survey written so far (if any is left).
    Delete { nth: usize },
    /// An adoption of (unit, model) from a month of 2016–2017.
    Adopt { unit: usize, model: usize, month: u32 },
    /// The commune moves to the other of the two districts (an admin's unit form).
    Move { unit: usize },
}

fn step(units: usize, models: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..units, proptest::option::of(0..models), 0u32..24, 20i32..400, 0i32..=1000).prop_map(
            |(unit, model, month, respondents, satisfied_per_mille)| Step::Survey {
                unit,
                model,
                month,
                respondents,
                satisfied_per_mille
            }
        ),
        1 => (0usize..8).prop_map(|nth| Step::Delete { nth }),
        2 => (0..units, 0..models, 0u32..24).prop_map(|(unit, model, month)| Step::Adopt { unit, model, month }),
        1 => (0..units).prop_map(|unit| Step::Move { unit }),
    ]
}

fn month_text(month: u32) -> String {
    format!("{}-{:02}", 2016 + month / 12, month % 12 + 1)
}

/// The survey sums as kept, and as summed afresh from the survey counts and units: equal.
async fn check_survey_sums(app: &TestApp, after: &[Step]) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.db;
    // Each row as its key's texts, then its three counts.
    let read_keyed = |sql: &'static str, texts: usize| async move {
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
        rows.iter()
            .map(|r| {
                let key: Vec<String> = (0..texts).map(|i| r.try_get_by_index::<String>(i).unwrap()).collect();
                let counts: Vec<i64> = (texts..texts + 3).map(|i| r.try_get_by_index::<i64>(i).unwrap()).collect();
                (key, counts)
            })
            .collect::<Vec<_>>()
    };
    let read = |sql: &'static str| read_keyed(sql, 5);
    let kept = read(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), group_code, unit_level, model_code, \
         CAST(reports AS BIGINT), CAST(respondents AS BIGINT), CAST(satisfied AS BIGINT) FROM survey_sums \
         ORDER BY 1, 2, 3, 4, 5",
    )
    .await;
    let afresh = read(
        "SELECT CAST(s.period_start AS TEXT), CAST(s.period_end AS TEXT), \
         CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END AS g, u.level, \
         COALESCE(s.model_code, '') AS m, CAST(COUNT(*) AS BIGINT), CAST(SUM(s.respondents) AS BIGINT), \
         CAST(SUM(s.satisfied) AS BIGINT) FROM survey_counts s JOIN units u ON u.code = s.unit_code \
         GROUP BY s.period_start, s.period_end, g, u.level, m ORDER BY 1, 2, 3, 4, 5",
    )
    .await;
    assert!(!afresh.is_empty(), "the demo has survey counts");
    let only_kept: Vec<_> = kept.iter().filter(|r| !afresh.contains(r)).collect();
    let only_afresh: Vec<_> = afresh.iter().filter(|r| !kept.contains(r)).collect();
    assert!(only_kept.is_empty() && only_afresh.is_empty(), "survey sums after {after:?}: kept {only_kept:?}, afresh {only_afresh:?}");
    assert_eq!(kept.len(), afresh.len());
    // The period sums: the sums afresh, each added to every filter period containing its own.
    let kept_periods = read(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), group_code, unit_level, model_code, \
         CAST(reports AS BIGINT), CAST(respondents AS BIGINT), CAST(satisfied AS BIGINT) FROM period_sums \
         WHERE reports <> 0 ORDER BY 1, 2, 3, 4, 5",
    )
    .await;
    // Sorted here: PostgreSQL's collation orders text otherwise than by bytes.
    let sorted = |mut rows: Vec<(Vec<String>, Vec<i64>)>| {
        rows.sort();
        rows
    };
    assert_eq!(sorted(kept_periods), covered(&afresh), "period sums after {after:?}");
    // The unit reports: each unit's survey rows, in every period containing theirs.
    let kept_reports = read_keyed(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), unit_code, CAST(reports AS BIGINT), \
         CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM unit_reports WHERE reports <> 0 ORDER BY 1, 2, 3",
        3,
    )
    .await;
    let afresh_reports = read_keyed(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), unit_code, CAST(COUNT(*) AS BIGINT), \
         CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM survey_counts GROUP BY period_start, period_end, unit_code",
        3,
    )
    .await;
    assert_eq!(sorted(kept_reports), covered(&afresh_reports), "unit reports after {after:?}");
    // The period totals kept from the sums, and summed afresh from the counts: equal.
    let totals = |sql: &'static str| read_keyed(sql, 3);
    let kept = totals(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), model_code, CAST(reports AS BIGINT), \
         CAST(respondents AS BIGINT), CAST(satisfied AS BIGINT) FROM period_totals ORDER BY 1, 2, 3",
    )
    .await;
    let afresh = totals(
        "SELECT CAST(period_start AS TEXT), CAST(period_end AS TEXT), COALESCE(model_code, '') AS m, \
         CAST(COUNT(*) AS BIGINT), CAST(SUM(respondents) AS BIGINT), CAST(SUM(satisfied) AS BIGINT) \
         FROM survey_counts GROUP BY period_start, period_end, m ORDER BY 1, 2, 3",
    )
    .await;
    assert_eq!(kept, afresh, "period totals after {after:?}");
}

/// Rows keyed by their own period (first and last day, then the rest of the key) added up
/// under every filter period that contains it: itself, its quarter, its year — worked out
/// here with the calendar, apart from the database's triggers.
fn covered(rows: &[(Vec<String>, Vec<i64>)]) -> Vec<(Vec<String>, Vec<i64>)> {
    use chrono::{Datelike, NaiveDate};
    let mut sums = std::collections::BTreeMap::<Vec<String>, Vec<i64>>::new();
    for (key, counts) in rows {
        let day = |i: usize| NaiveDate::parse_from_str(&key[i], "%Y-%m-%d").unwrap();
        let (start, end) = (day(0), day(1));
        let quarter = Period::Quarter { year: start.year(), quarter: u8::try_from(start.month0() / 3 + 1).unwrap() };
        let mut periods = vec![(start, end)];
        for p in [quarter, Period::Year(start.year())] {
            let cover = (p.first_day(), p.last_day());
            if cover != (start, end) && end <= cover.1 {
                periods.push(cover);
            }
        }
        for (first, last) in periods {
            let mut k = vec![first.to_string(), last.to_string()];
            k.extend(key[2..].iter().cloned());
            let sum = sums.entry(k).or_insert_with(|| vec![0; counts.len()]);
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
    }
    sums.into_iter().collect()
}

/// Each figure the API answers, with the direct computation it must equal.
async fn check_every_figure(app: &TestApp, district: &str, model: &str, after: &[Step]) {
    let filter = |p: &str, m: Option<&str>| FigureFilter {
        period: p.parse::<Period>().unwrap(),
        model: m.map(str::to_string),
        province: None,
    };
    let db = &app.db;
    let mut cases: Vec<(String, serde_json::Value)> = Vec::new();
    for (period, m) in [("2016", None), ("2016-Q2", None), ("2017", Some(model)), ("2016-03", Some(model))] {
        let f = filter(period, m);
        let query = format!("period={period}{}", m.map(|m| format!("&model={m}")).unwrap_or_default());
        let direct = figures::district_summary(db, &f).await.unwrap();
        cases.push((format!("/api/v1/figures/district-summary?{query}"), serde_json::to_value(direct).unwrap()));
        let direct = figures::model_figures(db, &f).await.unwrap();
        cases.push((format!("/api/v1/figures/models?{query}"), serde_json::to_value(direct).unwrap()));
        let direct = figures::commune_figures(db, district, &f).await.unwrap();
        cases.push((
            format!("/api/v1/figures/communes?{query}&district={district}"),
            serde_json::to_value(direct).unwrap(),
        ));
        let direct = figures::completeness(db, &f).await.unwrap();
        cases.push((format!("/api/v1/figures/completeness?{query}"), serde_json::to_value(direct).unwrap()));
    }
    let span = Period::span("2016-01".parse().unwrap(), "2017-12".parse().unwrap()).unwrap();
    let direct = figures::trend(db, district, &span, None).await.unwrap();
    cases.push((
        format!("/api/v1/figures/trend?unit={district}&from=2016-01&to=2017-12"),
        serde_json::to_value(direct).unwrap(),
    ));
    // The dashboard's province line (read from the period totals) against the province's
    // lineage walked unit by unit.
    let year = "2017".parse::<Period>().unwrap();
    let lineage = figures::trend(db, "38", &year.trend_span(), None).await.unwrap();
    let chart = app.get("/charts/satisfaction-trend.csv?period=2017").await.text().await.unwrap();
    let line: Vec<String> = chart.lines().filter(|l| l.starts_with("Tỉnh Thanh Hóa,")).map(str::to_string).collect();
    let direct: Vec<String> = lineage.iter().map(|r| format!("Tỉnh Thanh Hóa,{}", r.csv_cells().join(","))).collect();
    assert_eq!(line, direct, "the province's trend after {after:?}");
    let csv = app.get("/export/district-summary.csv?period=2016").await.bytes().await.unwrap();
    let rows = figures::district_summary(db, &filter("2016", None)).await.unwrap();
    let direct = server::formats::district_summary(&rows, server::formats::Format::Csv).unwrap();
    assert_eq!(csv.as_ref(), direct.as_slice(), "district summary CSV after {after:?}");
    for (path, direct) in cases {
        let served: serde_json::Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(served, direct, "{path} after {after:?}");
    }
}

async fn apply(
    app: &TestApp,
    token: &str,
    writer: &Writer,
    districts: &[String; 2],
    units: &[String],
    models: &[String],
    written: &mut Vec<(String, Option<String>, String)>,
    s: &Step,
) {
    match s {
        Step::Survey { unit, model, month, respondents, satisfied_per_mille } => {
            let period = month_text(*month);
            let model = model.map(|m| models[m].clone());
            let mut row = serde_json::json!({"unit_code": units[*unit], "model_code": model.clone().unwrap_or_default(),
                "period": period, "respondents": respondents, "satisfied": respondents * satisfied_per_mille / 1000});
            // A key the sequence (or an earlier one on this database) already wrote is edited
            // with its stored version, as a client would: without it, other values are refused.
            if let Some(stored) = writes::surveys::find(&app.db, &units[*unit], model.as_deref(), &period).await.unwrap() {
                row["version"] = stored.version.into();
            }
            let body = serde_json::json!({ "rows": [row], "reason": "cache test" });
            let r = app.client.post(app.url("/api/v1/surveys")).bearer_auth(token).json(&body).send().await.unwrap();
            assert!([200, 201].contains(&r.status().as_u16()), "{s:?}: {}", r.text().await.unwrap());
            written.push((units[*unit].clone(), model, period));
        }
        Step::Delete { nth } => {
            if written.is_empty() {
                return;
            }
            let (unit, model, period) = written.remove(nth % written.len());
            let txn = writes::begin(&app.db).await.unwrap();
            let Some(stored) = writes::surveys::find(&txn, &unit, model.as_deref(), &period).await.unwrap() else {
                return; // the same key written twice: already deleted
            };
            let audit = writes::Audit::new("demo-official".into(), "delete", Some("cache test".into()));
            writes::surveys::delete(&txn, writer, (&unit, model.as_deref(), &period), stored.version, &audit)
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        Step::Adopt { unit, model, month } => {
            let draft = AdoptionDraft {
                unit_code: units[*unit].clone(),
                model_code: models[*model].clone(),
                started_on: format!("{}-01", month_text(*month)),
                ..Default::default()
            };
            let txn = writes::begin(&app.db).await.unwrap();
            let audit = writes::Audit::new("demo-official".into(), "entry", None);
            // A second adoption of the same start is refused, and nothing is written.
            if writes::adoptions::save(&txn, writer, &draft, None, &audit).await.is_ok() {
                txn.commit().await.unwrap();
            }
        }
        Step::Move { unit } => {
            use sea_orm::EntityTrait;
            let stored = app::ssr::entities::unit::Entity::find_by_id(units[*unit].clone()).one(&app.db).await.unwrap();
            let stored = stored.expect("a demo commune");
            let mut draft = writes::units::draft_of(&stored);
            let other = districts.iter().find(|d| Some(*d) != stored.parent_code.as_ref()).unwrap();
            draft.parent_code = other.clone();
            let txn = writes::begin(&app.db).await.unwrap();
            let admin = Writer::Command("cache test".into());
            let audit = writes::Audit::new("cache test".into(), "entry", None);
            writes::units::save(&txn, &admin, &draft, Some(&writes::revision(&stored)), &audit).await.unwrap();
            txn.commit().await.unwrap();
        }
    }
}

on_both_engines!(every_figure_equals_the_direct_computation_after_each_write, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let token = common::demo_official_token(&app.database.url, "cache");
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(axum::http::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    let account = app::ssr::auth::guard::request_account(&app.db, &headers, None).await.unwrap().expect("the demo official");
    let writer = Writer::Account(account);
    // Communes of one district that ended in the 2025 reorganisation: valid in 2016–2017,
    // when the demo has no counts yet, so every write moves a figure.
    let communes: Vec<_> = app::ssr::tables::units(&app.db, Some("commune"), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.valid_to.is_some() && u.parent_code.is_some())
        .collect();
    let district = communes[0].parent_code.clone().unwrap();
    let mut units: Vec<String> =
        communes.iter().filter(|u| u.parent_code.as_ref() == Some(&district)).take(3).map(|u| u.code.clone()).collect();
    let elsewhere: Vec<_> = communes.iter().filter(|u| u.parent_code.as_ref() != Some(&district)).take(2).collect();
    units.extend(elsewhere.iter().map(|u| u.code.clone()));
    let districts = [district.clone(), elsewhere[0].parent_code.clone().unwrap()];
    let models: Vec<String> =
        figures::model_choices(&app.db).await.unwrap().into_iter().take(3).map(|c| c.code).collect();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let mut runner = TestRunner::default();
    let sequence = proptest::collection::vec(step(units.len(), models.len()), 1..=8);
    for _ in 0..cases {
        let steps = sequence.new_tree(&mut runner).unwrap().current();
        // Before the first write: the figures are computed and kept.
        check_every_figure(&app, &district, &models[0], &[]).await;
        check_survey_sums(&app, &[]).await;
        let mut written = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            apply(&app, &token, &writer, &districts, &units, &models, &mut written, s).await;
            check_every_figure(&app, &district, &models[0], &steps[..=i]).await;
            check_survey_sums(&app, &steps[..=i]).await;
        }
    }
});

/// A new count of March 2016 for the demo's first commune of before the reorganisation,
/// through the write API: a write that changes the 2016 figures.
async fn write_a_2016_count(app: &TestApp, token: &str) {
    let commune = app::ssr::tables::units(&app.db, Some("commune"), None)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.valid_to.is_some())
        .unwrap();
    let body_json = serde_json::json!({ "rows": [{"unit_code": commune.code, "model_code": "", "period": "2016-03",
        "respondents": 50, "satisfied": 45}], "reason": "cache test" });
    let r = app.client.post(app.url("/api/v1/surveys")).bearer_auth(token).json(&body_json).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

on_both_engines!(a_returning_browser_downloads_the_page_again_only_when_it_changed, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let token = common::demo_official_token(&app.database.url, "etag");
    let page = "/?period=2016";
    let first = app.get(page).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].clone();
    assert!(etag.to_str().unwrap().starts_with("W/\""), "{etag:?}");
    assert_eq!(first.headers()["cache-control"], "private, no-cache");
    let body = first.text().await.unwrap();
    let revalidate = || app.client.get(app.url(page)).header("if-none-match", etag.clone()).send();

    let again = revalidate().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.bytes().await.unwrap().is_empty(), "nothing downloaded");
    // Another tag, or another page, is answered in full.
    let other = app.client.get(app.url(page)).header("if-none-match", "W/\"other\"").send().await.unwrap();
    assert_eq!(other.status(), 200);
    let english = app.client.get(app.url(page)).header("if-none-match", etag.clone()).header("cookie", "lang=en").send();
    assert_eq!(english.await.unwrap().status(), 200, "the English page is another page");

    // A count in 2016 changes the page: the same tag now gets the new page, with a new tag.
    write_a_2016_count(&app, &token).await;
    let changed = revalidate().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag);
    assert_ne!(changed.text().await.unwrap(), body);
});

on_both_engines!(cached_figures_go_out_compressed_as_asked_and_follow_writes, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let token = common::demo_official_token(&app.database.url, "codings");
    let get = |path: &'static str, coding: &'static str| app.client.get(app.url(path)).header("accept-encoding", coding).send();
    let gunzip = |b: &[u8]| {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(b), &mut out).unwrap();
        out
    };
    let unbrotli = |b: &[u8]| {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &b[..], &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    for path in ["/api/v1/figures/district-summary?period=2016", "/export/district-summary.csv?period=2016"] {
        let plain = get(path, "identity").await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.text().await.unwrap();
        assert!(plain.contains("respondents"), "{path}: {plain}");
        let gz = get(path, "gzip, deflate").await.unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip", "{path}");
        assert!(gz.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().contains("accept-encoding")));
        assert_eq!(gunzip(&gz.bytes().await.unwrap()), plain, "{path}");
        let br = get(path, "gzip, deflate, br").await.unwrap();
        assert_eq!(br.headers()["content-encoding"], "br", "{path}");
        assert_eq!(unbrotli(&br.bytes().await.unwrap()), plain, "{path}");
    }
    // A spreadsheet is a zip already: it goes out as it is, whatever the client takes.
    let xlsx = get("/export/district-summary.xlsx?period=2016", "gzip, deflate, br").await.unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.headers().get("content-encoding").is_none());
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"), "a zip");
    // After a write the compressed answer is the new one.
    let path = "/api/v1/figures/district-summary?period=2016";
    let before = app.get_text(path).await.1;
    write_a_2016_count(&app, &token).await;
    let after = app.get_text(path).await.1;
    assert_ne!(after, before);
    assert_eq!(gunzip(&get(path, "gzip").await.unwrap().bytes().await.unwrap()), after);
    assert_eq!(unbrotli(&get(path, "br").await.unwrap().bytes().await.unwrap()), after);
});

on_both_engines!(a_kept_dashboard_answer_reads_only_the_data_version, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |db| async move {
        server::demo::load(&db).await.unwrap();
    }).await;
    let (status, first) = app.get_text("/?period=2024&model=CQTT").await;
    assert_eq!(status, 200);
    let ballots = common::testid_text(&first, "card-ballots").to_string();
    // The same question asked otherwise (blank fields, spaces): another address, so the
    // page is rendered again, from the dashboard's figures kept under the normalised query.
    app.record_statements();
    let (status, again) = app.get_text("/?period=%202024&model=CQTT&province=&district=").await;
    let statements = app.recorded_statements();
    assert_eq!(status, 200);
    assert_eq!(common::testid_text(&again, "card-ballots"), ballots, "the same figures");
    assert!(!statements.is_empty(), "the data's version is read: a write would be seen");
    assert!(
        statements.iter().all(|s| s.contains("FROM data_version")),
        "a kept answer runs no query but the data version's:\n{statements:#?}"
    );
    // A write is seen at once: the next answer computes afresh. A write of surveys alone
    // leaves the structure: its ballots are read again, its communes and adoptions are not.
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared("UPDATE data_version SET version = version + 1").await.unwrap();
    app.record_statements();
    assert_eq!(app.get_text("/?period=2024&model=CQTT&district=").await.0, 200);
    let statements = app.recorded_statements();
    assert!(statements.iter().any(|s| s.contains("period_sums")), "computed afresh after a write:\n{statements:#?}");
    assert!(
        !statements.iter().any(|s| s.contains("adoptions") || s.contains("FROM units")),
        "the structure is kept across a survey write:\n{statements:#?}"
    );
    // A change of the structure (any row of units, adoptions or models) is seen at once too.
    app.db.execute_unprepared("UPDATE reform_models SET name = name || ' (2)' WHERE code = 'CQTT'").await.unwrap();
    app.db.execute_unprepared("UPDATE data_version SET version = version + 1").await.unwrap();
    app.record_statements();
    let (status, page) = app.get_text("/?period=2024&model=CQTT&district=").await;
    assert_eq!(status, 200);
    assert!(app.recorded_statements().iter().any(|s| s.contains("adoptions")), "the structure read again");
    assert!(page.contains(" (2)"), "the model's new name");
});

// Two `serve` processes behind one database, each with its own figure cache: a write
// acknowledged by one is in the very next answer of the other, whichever cached the figure
// before — the page, the API and a download, one round in each direction.
on_both_engines!(a_write_through_one_server_is_read_through_another, |engine: Engine| async move {
    let database = common::TestDb::new(engine).await;
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    assert!(common::cli(&database.url, &["demo"]).status.success());
    let token = common::demo_official_token(&database.url, "two-servers");
    let servers = [
        common::start_binary(&database.url, site.path(), &[]),
        common::start_binary(&database.url, site.path(), &[]),
    ];
    let client = reqwest::Client::new();
    let get = |base: &str, path: &str| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    // What each answer says of 38-001's ballots in November 2025.
    let trend = "/api/v1/figures/trend?unit=38-001&from=2025-11&to=2025-11";
    let ballots_in_trend = |json: String| -> u64 {
        let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
        rows[0]["respondents"].as_u64().unwrap()
    };
    let csv_path = "/charts/satisfaction-funnel.csv?period=2025-11";
    let ballots_in_csv = |csv: String| -> u64 {
        let row = csv.lines().find(|l| l.starts_with("38-001,")).unwrap_or_else(|| panic!("38-001's row in {csv}"));
        row.split(',').nth(2).unwrap().parse().unwrap()
    };
    let page = "/?period=2025-11";
    let card = |html: String| common::testid_text(&html, "card-ballots").replace('.', "");
    let mut expected = None;
    for (round, (writer, reader)) in [(0, 1), (1, 0), (0, 1)].into_iter().enumerate() {
        let (w, r) = (&servers[writer].base, &servers[reader].base);
        // Both servers have the figures cached before the write.
        let before = ballots_in_trend(get(r, trend).await);
        assert_eq!(before, ballots_in_trend(get(w, trend).await));
        if let Some(e) = expected {
            assert_eq!(before, e, "round {round}: what the last round wrote");
        }
        let (csv_before, card_before) = (ballots_in_csv(get(r, csv_path).await), card(get(r, page).await));
        let added = 10 + round as u64;
        // The first round adds the row; the next correct it, naming the version they replace.
        let mut row = serde_json::json!({"unit_code": "38-001", "model_code": "NKV", "period": "2025-11",
            "respondents": added, "satisfied": added});
        if round > 0 {
            row["version"] = round.into();
        }
        let body = serde_json::json!({ "rows": [row], "reason": "two servers" });
        let wrote = client.post(format!("{w}/api/v1/surveys")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert!(wrote.status().is_success(), "round {round}: {}", wrote.text().await.unwrap());
        let change = if round == 0 { added } else { 1 };
        let after = ballots_in_trend(get(r, trend).await);
        assert_eq!(after, before + change, "round {round}: the other server's API");
        assert_eq!(ballots_in_csv(get(r, csv_path).await), csv_before + change, "round {round}: its download");
        let card_after = card(get(r, page).await);
        assert_ne!(card_after, card_before, "round {round}: its page");
        expected = Some(after);
    }
    for server in &servers {
        assert!(!server.stderr.lock().unwrap().contains("panicked"));
    }
});
