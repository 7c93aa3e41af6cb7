//! The foundation through real HTTP: start-up on an empty database loads the demo, pages
//! render server-side in Vietnamese or English, health, 404, compression, static assets.
use crate::common;
use common::{testid_text, Engine, TestApp};


on_both_engines!(first_start_loads_the_demo_and_the_home_page_counts_it, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    // One `lang`: a second one (the shell's beside leptos_meta's) would be ignored by browsers.
    assert!(html.contains("<html lang=\"vi\">"), "Vietnamese by default");
    assert!(html.contains("Tổng quan cải cách hành chính"));
    assert!(html.contains("Tỉnh Thanh Hóa"));
    // The demo province: 27 district-level units (counted on the pages of periods before
    // July 2025), 559 communes before 2025 and 166 after, the 8 models.
    assert!(!html.contains("data-testid=\"count-districts\""), "today's shape counts no districts");
    assert_eq!(testid_text(&app.get_text("/?period=2024").await.1, "count-districts"), "27");
    assert_eq!(testid_text(&html, "count-communes"), "725");
    assert_eq!(testid_text(&html, "count-models"), "8");
    assert_eq!(testid_text(&html, "count-adoptions"), "281");
    // Hydration needs the bundle's script tags on every page, under the bundle's digest.
    let dir = server::config::bundle_dir(app.site.path());
    assert!(html.contains(&format!("/{dir}/reformdash.js")), "{dir}");
    assert!(html.contains(&format!("/{dir}/reformdash_bg.wasm")));
    assert!(html.contains(&format!("href=\"/{dir}/reformdash.css\"")));
});

on_both_engines!(a_second_start_does_not_load_the_demo_twice, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let again = server::startup::prepare(&server::config::Settings {
        database_url: app.database.url.clone(),
        addr: app.addr,
        site_root: app.site.path().to_path_buf(),
        limits: Default::default(),
        demo: server::config::Demo::Load { passwords: app.site.path().join("demo-accounts.txt") },
    })
    .await
    .unwrap();
    let counts = app::ssr::figures::home_counts(&again.db).await.unwrap();
    assert_eq!((counts.districts, counts.models, counts.adoptions), (27, 8, 281));
});

on_both_engines!(health_checks_the_database, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = if engine == Engine::Sqlite { "sqlite" } else { "postgres" };
    assert_eq!(body["database"], expected);
    // With the database gone, health says so.
    app.db.clone().close().await.unwrap();
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 503);
});

on_both_engines!(language_switch_without_javascript, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let r = app
        .client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/dashboard?period=2024")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard?period=2024");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let html = app.client.get(app.url("/")).header("cookie", "lang=en").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Administrative-reform models"));
    assert!(html.contains("Tiếng Việt"), "the switch offers the way back");
    // Never a redirect off the site: browsers read `//host` and `/\\host` as another site.
    for back in ["//evil.example", "/\\evil.example", "https://evil.example", "/\r\nSet-Cookie: a=b"] {
        let r = app.client.post(app.url("/lang")).form(&[("lang", "vi"), ("back", back)]).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/", "{back:?}");
    }
});

on_both_engines!(responses_carry_security_headers, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    for path in ["/", "/api/v1/models", "/healthz", "/pkg/reformdash.css", "/no-such-page"] {
        let r = app.get(path).await;
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
    }
    // A page allows its own inline scripts (by their hashes: a visitor's page is kept and
    // the same for all; entry.rs has the signed-in pages' nonces), and the wasm.
    let r = app.get("/").await;
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    let scripts = common::inline_scripts(&html);
    assert!(!scripts.is_empty(), "the page has its hydration script");
    for script in scripts {
        assert!(csp.contains(&common::csp_hash(script)), "{csp} allows {script}");
    }
    assert!(!csp.contains("'nonce-") && !html.contains("nonce="), "no nonce shared by every visitor: {csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
});

on_both_engines!(limits_refuse_oversized_bodies_and_bound_queries, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let big = "x".repeat(server::http::BODY_LIMIT + 1);
    let r = app.client.post(app.url("/lang")).form(&[("lang", "en"), ("back", big.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.headers().get("set-cookie").is_none(), "nothing was done");
    if engine == Engine::Postgres {
        use sea_orm::{ConnectionTrait, Statement};
        let row = app
            .db
            .query_one_raw(Statement::from_string(sea_orm::DbBackend::Postgres, "SHOW statement_timeout"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<String>("", "statement_timeout").unwrap(), "30s");
    }
});

on_both_engines!(unknown_pages_are_404_in_the_readers_language, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let (status, html) = app.get_text("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Không tìm thấy trang"));
});

on_both_engines!(every_page_renders_on_the_server, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    for (path, text) in [
        ("/", "Tổng quan cải cách hành chính"),
        ("/?period=2024", "Tỷ lệ xã áp dụng mô hình theo huyện (%)"),
        ("/models", "Các mô hình"),
        ("/models/CQTT", "Hiệu quả của mô hình"),
        ("/communes", "Xã, phường, thị trấn theo huyện"),
        ("/districts/402?period=2024", "Như Xuân"),
        ("/communes/402-01", "Yên Cát"),
        ("/completeness?period=2026-10", "Tình hình báo cáo"),
        ("/search?q=nhu+xuan", "Như Xuân"),
        ("/survey", "Nhập phiếu khảo sát"),
        ("/export", "Xuất dữ liệu"),
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(text), "{path} lacks {text}");
        assert!(html.contains("<tbody") || !html.contains("<table"), "{path}: tables need tbody for hydration");
    }
    // The dashboard defaults to the latest year with surveys: 2026, after the
    // reorganisation, so it compares the 166 communes directly under the province (all of
    // them on one page when asked).
    let (_, html) = app.get_text("/?all=1").await;
    assert!(html.contains("value=\"2026\""));
    assert!(html.contains("data-testid=\"commune-level-note\""));
    let table = |html: &str| {
        let at = &html[html.find("data-testid=\"district-summary\"").unwrap()..];
        at[..at.find("</table>").unwrap()].to_string()
    };
    assert_eq!(table(&html).matches("<a href=\"/communes/38-").count(), 166);
    // Before it, the 27 districts, each linking to its page.
    let (_, html) = app.get_text("/?period=2024&all=1").await;
    assert!(!html.contains("data-testid=\"commune-level-note\""));
    assert_eq!(table(&html).matches("<a href=\"/districts/").count(), 27);
    // The funnel's lists beside its chart name the units the API flags, each linked.
    let funnel: serde_json::Value = app.get("/api/v1/figures/funnel?period=2024").await.json().await.unwrap();
    let flagged = funnel.as_array().unwrap().iter().filter(|r| r["flag"] != "within").count();
    let lists = &html[html.find("data-testid=\"funnel-flags\"").unwrap()..];
    let lists = &lists[..lists.find("</div>").unwrap()];
    assert_eq!(lists.matches("<a href=\"/districts/").count(), flagged);
    // A district's page has the funnel of its communes, the same as the API's for it.
    let (_, html) = app.get_text("/districts/402?period=2024").await;
    assert!(html.contains("/charts/satisfaction-funnel.svg?period=2024&amp;district=402"));
    let funnel: serde_json::Value = app.get("/api/v1/figures/funnel?period=2024&district=402").await.json().await.unwrap();
    let flagged = funnel.as_array().unwrap().iter().filter(|r| r["flag"] != "within").count();
    let lists = &html[html.find("data-testid=\"funnel-flags\"").unwrap()..];
    let lists = &lists[..lists.find("</div>").unwrap()];
    assert_eq!(lists.matches("<a href=\"/communes/402-").count(), flagged);
    assert!(funnel.as_array().unwrap().len() > 1, "the district's communes compared");
    // After 2025 the province's own page compares its communes; its funnel downloads too.
    let (status, _) = app.get_text("/charts/satisfaction-funnel.csv?period=2026-11&district=38").await;
    assert_eq!(status, 200);
    // A bad period is explained next to the field.
    let (status, html) = app.get_text("/?period=2024-13").await;
    assert_eq!(status, 200);
    assert!(html.contains("Kỳ phải có dạng 2024, 2024-Q2 hoặc 2024-05."));
    assert!(!html.contains("data-testid=\"district-summary\""), "no table for a bad period");
    // So are a model and a district that do not exist (a stale or hand-edited link).
    let (_, html) = app.get_text("/?period=2024&model=XX").await;
    assert!(html.contains("Không có mô hình này; hãy chọn trong danh sách."));
    assert!(!html.contains("data-testid=\"district-summary\""));
    let (_, html) = app.get_text("/?period=2024&district=ZZ").await;
    assert!(html.contains("Không có huyện này; hãy chọn trong danh sách."));
    let (status, _) = app.get_text("/districts/ZZ").await;
    assert_eq!(status, 404);
    let (status, _) = app.get_text("/models/ZZ").await;
    assert_eq!(status, 404);
    let (_, html) = app.get_text("/districts/402?period=2023-Q4&model=CQTT").await;
    assert!(html.contains("data-testid=\"district-summary\""));
    assert!(html.contains("Yên Cát"));
});

on_both_engines!(old_links_redirect_to_the_new_pages, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let r = app.get("/dashboard?period=2024&model=CQTT").await;
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], "/?period=2024&model=CQTT");
    let r = app.get("/dashboard").await;
    assert_eq!(r.headers()["location"], "/");
    let r = app.get("/communes?district=402&period=2024").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"], "/districts/402");
});

on_both_engines!(responses_are_compressed_and_assets_revalidated, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |_| async {}).await;
    let r = app.client.get(app.url("/")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = app.get("/pkg/reformdash.css").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r.headers().contains_key("last-modified"));
    // What pages link: the same file under the bundle's digest, kept for a year.
    let (_, html) = app.get_text("/").await;
    let at = html.find("/pkg/").unwrap();
    let css = &html[at..at + html[at..].find('"').unwrap()];
    assert!(css.ends_with("/reformdash.css") && css.len() == "/pkg/0123456789abcdef/reformdash.css".len(), "{css}");
    let r = app.get(css).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.text().await.unwrap(), "body{}");
    // The build's gzipped copy goes to a browser that takes gzip, as it is; others get the file.
    let gzipped = {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(b"body{margin:0}").unwrap();
        gz.finish().unwrap()
    };
    std::fs::write(app.site.path().join("pkg/reformdash.css.gz"), &gzipped).unwrap();
    let r = app.client.get(app.url(css)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.bytes().await.unwrap(), gzipped);
    let r = app.client.get(app.url(css)).header("accept-encoding", "identity").send().await.unwrap();
    assert!(!r.headers().contains_key("content-encoding"));
    assert_eq!(r.text().await.unwrap(), "body{}");
    // Another build is another name; an unknown digest is not found.
    std::fs::write(app.site.path().join("pkg/reformdash.css"), "body{color:red}").unwrap();
    assert_ne!(server::config::bundle_dir(app.site.path()), css["/".len()..css.len() - "/reformdash.css".len()]);
    assert_eq!(app.get("/pkg/ffffffffffffffff/reformdash.css").await.status(), 404);
    // A JS snippet the bundle's JS imports (nav.js) is part of the build too; the gzipped
    // copies follow from the files and leave the digest alone.
    let pkg = app.site.path().join("pkg");
    let before = server::config::bundle_dir(app.site.path());
    std::fs::write(pkg.join("reformdash.css.gz"), b"other bytes").unwrap();
    assert_eq!(server::config::bundle_dir(app.site.path()), before);
    std::fs::create_dir_all(pkg.join("snippets/app-0/src")).unwrap();
    std::fs::write(pkg.join("snippets/app-0/src/nav.js"), "export function startNavigation() {}").unwrap();
    let with_snippet = server::config::bundle_dir(app.site.path());
    assert_ne!(with_snippet, before);
    std::fs::write(pkg.join("snippets/app-0/src/nav.js"), "export function startNavigation() { }").unwrap();
    assert_ne!(server::config::bundle_dir(app.site.path()), with_snippet);
});

#[test]
fn cli_help_names_every_subcommand() {
    let out = common::cli("sqlite::memory:", &["--help"]);
    let text = common::stdout(&out);
    for sub in ["serve", "migrate", "demo", "import", "export"] {
        assert!(text.contains(sub), "--help lacks {sub}: {text}");
    }
}

on_both_engines!(cli_migrate_creates_the_schema_and_adds_no_demo, |engine: Engine| async move {
    let database = common::TestDb::new(engine).await;
    let out = common::cli(&database.url, &["migrate"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(common::stdout(&out), "database schema is up to date\n");
    let db = database.open().await;
    let counts = app::ssr::figures::home_counts(&db).await.unwrap();
    assert_eq!(counts, app::domain::HomeCounts::default());
    // `demo` is the explicit way to load it.
    let out = common::cli(&database.url, &["demo"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(app::ssr::figures::home_counts(&db).await.unwrap().districts, 27);
});

on_both_engines!(generate_writes_a_set_that_imports_whole_and_is_the_same_for_a_seed, |engine: Engine| async move {
    let dir = tempfile::tempdir().unwrap();
    let generate = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let shape = ["--provinces", "2", "--districts", "5", "--communes", "100", "--models", "3", "--years", "2"];
        let mut args = vec!["generate", "--out", out.to_str().unwrap(), "--seed", seed];
        args.extend(shape);
        let run = common::cli("sqlite::memory:", &args);
        assert!(run.status.success(), "{}", common::stderr(&run));
        (out, common::stdout(&run))
    };
    let (a, said) = generate("a", "9");
    let (b, _) = generate("b", "9");
    let (c, _) = generate("c", "10");
    for file in ["units.csv", "models.csv", "adoptions.csv", "surveys.csv"] {
        assert_eq!(std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap(), "{file} for one seed");
    }
    assert_ne!(std::fs::read(a.join("surveys.csv")).unwrap(), std::fs::read(c.join("surveys.csv")).unwrap());
    // "N units, 3 models, A adoptions, S surveys written to …"
    let n: Vec<u64> = said.split(|ch: char| !ch.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect();
    let (units, adoptions, surveys) = (n[0], n[2], n[3]);
    assert_eq!(n[1], 3, "{said}");

    // The contract's rules hold for every row: the import takes it all.
    let database = common::TestDb::new(engine).await;
    let run = common::cli(&database.url, &["import", a.to_str().unwrap()]);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let db = database.open().await;
    let counts = app::ssr::figures::home_counts(&db).await.unwrap();
    assert_eq!((counts.districts, counts.adoptions), (5, adoptions));
    assert_eq!(2 + counts.districts + counts.communes, units);
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(app::ssr::entities::survey_count::Entity::find().count(&db).await.unwrap(), surveys);
    // The export walks the table page by page in key order and gives back every row as generated.
    assert!(surveys > app::ssr::tables::SURVEY_PAGE, "{surveys} rows cross a page");
    let exported = common::stdout(&common::cli(&database.url, &["export", "table", "surveys"]));
    let rows = |text: &str| text.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    let (mut generated, exported) = (rows(&std::fs::read_to_string(a.join("surveys.csv")).unwrap()), rows(&exported));
    let key = |line: &String| {
        let cells: Vec<&str> = line.splitn(4, ',').collect();
        (cells[0].to_string(), cells[1].to_string(), cells[2].to_string())
    };
    assert!(exported.windows(2).all(|w| key(&w[0]) < key(&w[1])), "in key order");
    generated.sort_by_key(key);
    assert_eq!(exported.len(), generated.len());
    // The generator writes no breakdown: the export's five level cells are empty.
    let differs = exported.iter().zip(&generated).find(|(e, g)| **e != format!("{g},,,,,"));
    assert_eq!(differs, None, "exported, generated");
    let filter = |p: &str| app::domain::FigureFilter { period: p.parse().unwrap(), model: None, province: None };
    let rows = app::ssr::figures::district_summary(&db, &filter("2024")).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows.iter().map(|r| r.figures.communes).sum::<u64>(), 100, "every old commune valid in 2024");
    for r in &rows {
        assert!(r.figures.respondents > 0, "every district reported in 2024");
        let rate = r.figures.satisfied as f64 / r.figures.respondents as f64;
        assert!((0.5..=1.0).contains(&rate), "{}: {rate}", r.district_code);
    }
    // After the merger the new communes carry their predecessors' history.
    let merged = app::ssr::tables::units(&db, Some("commune"), None).await.unwrap();
    let new = merged.iter().find(|u| u.valid_from.is_some()).expect("merged communes");
    assert_eq!(new.parent_code.as_deref(), Some("T01"));
    assert!(merged.iter().any(|u| u.successor_code.as_ref() == Some(&new.code)));
    let span = app::domain::Period::span("2024-Q1".parse().unwrap(), "2025-Q4".parse().unwrap()).unwrap();
    let trend = app::ssr::figures::trend(&db, &new.code, &span, None).await.unwrap();
    assert!(trend[..4].iter().any(|r| r.respondents > 0), "2024 from the predecessors: {trend:?}");
    assert!(trend[6..].iter().any(|r| r.respondents > 0), "2025-H2 of the new commune: {trend:?}");

    // A shape that cannot be is said precisely, and nothing is written.
    let out = dir.path().join("bad");
    let run = common::cli("sqlite::memory:", &["generate", "--out", out.to_str().unwrap(), "--districts", "5", "--communes", "3"]);
    assert!(!run.status.success());
    assert!(common::stderr(&run).contains("a commune per district"), "{}", common::stderr(&run));
    assert!(!out.exists());
});

#[test]
fn cli_reports_an_unreachable_database_precisely() {
    let out = common::cli("postgres://nobody:wrong@127.0.0.1:1/none", &["migrate"]);
    assert!(!out.status.success());
    assert!(common::stderr(&out).starts_with("error: database:"), "{}", common::stderr(&out));
}

#[test]
fn serve_prints_its_address_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/app.db", dir.path().display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reformdash"))
        .args(["serve", "--addr", "127.0.0.1:0", "--site-root", dir.path().to_str().unwrap()])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Standard output (what a service manager logs) has the address and nothing else.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    assert!(out.read_line(&mut line).unwrap() > 0);
    assert!(line.starts_with("reformdash is serving http://127.0.0.1:"), "{line}");
    // The SQLite file and its folder were created on first start, and the demo accounts'
    // passwords went to a file beside it that only this user may read.
    assert!(dir.path().join("nested/app.db").exists());
    let file = dir.path().join("nested/app-demo-accounts.txt");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let passwords = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = passwords.lines().filter(|l| l.contains("password: ")).collect();
    assert_eq!(lines.len(), 3, "one account per role: {passwords}");
    assert!(["demo-admin", "demo-official", "demo-staff"].iter().all(|u| lines.iter().any(|l| l.contains(u))));
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit after SIGTERM: {exit:?}");
    let (mut rest, mut errors) = (String::new(), String::new());
    out.read_to_string(&mut rest).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut errors).unwrap();
    // Standard error names the file; no password is on either stream.
    assert!(errors.contains(&format!("their passwords are in {}", file.display())), "{errors}");
    let secret = |l: &&str| l.split("password: ").nth(1).unwrap().trim().to_string();
    for password in lines.iter().map(secret) {
        assert!(!rest.contains(&password) && !errors.contains(&password), "a password in the output");
    }
    // The demo was written; the server closed its connections on the way out, so the last
    // one checkpointed the write-ahead log and removed it.
    assert!(!dir.path().join("nested/app.db-wal").exists(), "the write-ahead log left behind");
}

/// `serve --no-demo` (or `REFORMDASH_NO_DEMO`): an empty production database stays empty,
/// with no account anyone could sign in with until the operator makes the first admin.
#[tokio::test]
async fn serve_without_the_demo_starts_an_empty_database_empty() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/prod.db", dir.path().display());
    let server = common::start_binary(&url, dir.path(), &[("REFORMDASH_NO_DEMO", "1")]);
    let health = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(health.status(), 200, "it serves");
    drop(server);
    assert_eq!(common::stdout(&common::cli(&url, &["user", "list"])), "", "no accounts");
    assert_eq!(common::stdout(&common::cli(&url, &["export", "table", "units"])).lines().count(), 1, "no units");
    assert!(!dir.path().join("prod-demo-accounts.txt").exists());
}

/// SQLite: a command closes its connections before the process ends, so the last one
/// checkpoints and removes the write-ahead log (an import's is as large as the database;
/// a process exiting with its connections open left it for the next one to read through).
#[test]
fn a_command_leaves_no_write_ahead_log_behind() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/app.db", dir.path().display());
    let out = common::cli(&url, &["demo"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::stdout(&out).starts_with("demo province loaded"));
    assert!(std::fs::metadata(dir.path().join("app.db")).unwrap().len() > 100_000, "the demo is in the file itself");
    assert!(!dir.path().join("app.db-wal").exists(), "the write-ahead log left behind");
}

#[test]
fn pages_load_their_data_without_server_functions() {
    // Pages render on the server only (islands): a server function would only add a
    // `/api/<function>` route that nothing in the browser calls.
    let routes: Vec<_> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
    assert!(routes.is_empty(), "{routes:?}");
}
