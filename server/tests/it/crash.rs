//! Crashes: the server killed with SIGKILL while a client streams survey writes, again and
//! again, loses none of the writes it acknowledged and half-writes none (SQLite's
//! `PRAGMA integrity_check` stays `ok`); an import killed halfway leaves nothing of itself.
//! On both engines, with the real binary.
//!
//! `CRASH_ROUNDS` (default 4) makes it the long run (the hardening issue's 50).
use crate::common;
use common::{cli, start_binary, stdout, Engine, TestDb};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Communes that ended in 2025, valid in 2010–2019 where the demo has no counts.
async fn old_communes(url: &str) -> Vec<String> {
    let db = server::startup::open_database(url).await.unwrap();
    let units = app::ssr::tables::units(&db, Some("commune"), None).await.unwrap();
    units.into_iter().filter(|u| u.valid_to.is_some()).map(|u| u.code).collect()
}

on_both_engines!(killed_mid_write_the_server_keeps_every_acknowledged_write, |engine: Engine| async move {
    let database = TestDb::new(engine).await;
    let site = tempfile::tempdir().unwrap();
    assert!(cli(&database.url, &["demo"]).status.success());
    let token = common::demo_official_token(&database.url, "crash-desk");
    let units = old_communes(&database.url).await;
    let rounds: u64 = std::env::var("CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    let mut n = 0usize;
    for round in 0..rounds {
        let mut server = start_binary(&database.url, site.path(), &[]);
        let base = server.base.clone();
        // Writes stream until the kill cuts them off; the kill lands at a different moment each round.
        let kill_after = Duration::from_millis(300 + 137 * (round % 7));
        let started = std::time::Instant::now();
        let mut killed = false;
        loop {
            if !killed && started.elapsed() >= kill_after {
                server.child.kill().unwrap();
                killed = true;
            }
            let (unit, period) = (&units[n % units.len()], format!("{}-{:02}", 2010 + (n / units.len()) / 12, (n / units.len()) % 12 + 1));
            n += 1;
            let (respondents, satisfied) = (20 + (n % 300) as i32, 10 + (n % 10) as i32);
            let body = serde_json::json!({
                "rows": [{"unit_code": unit, "period": period, "respondents": respondents, "satisfied": satisfied}],
                "reason": "crash test",
            });
            match client.post(format!("{base}/api/v1/surveys")).bearer_auth(&token).json(&body).send().await {
                Ok(r) if r.status() == 201 => acknowledged.push((unit.clone(), period, respondents, satisfied)),
                Ok(r) => panic!("round {round}: {} for {unit} {period}", r.status()),
                Err(_) if killed => break,
                Err(e) => panic!("round {round}: before the kill: {e}"),
            }
        }
        server.child.wait().unwrap();
    }
    eprintln!("{engine:?}: {rounds} kills, {} writes acknowledged", acknowledged.len());
    assert!(acknowledged.len() as u64 > rounds, "writes went through in every round: {}", acknowledged.len());
    let db = server::startup::open_database(&database.url).await.unwrap();
    if engine == Engine::Sqlite {
        use sea_orm::{ConnectionTrait, Statement};
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check")).await.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "ok");
    }
    for (unit, period, respondents, satisfied) in &acknowledged {
        let stored = app::ssr::writes::surveys::find(&db, unit, None, period).await.unwrap();
        let stored = stored.unwrap_or_else(|| panic!("acknowledged, then lost in a crash: {unit} {period}"));
        assert_eq!((stored.respondents, stored.satisfied), (*respondents, *satisfied), "{unit} {period}");
    }
});

on_both_engines!(an_import_killed_halfway_leaves_nothing_of_itself, |engine: Engine| async move {
    let database = TestDb::new(engine).await;
    assert!(cli(&database.url, &["demo"]).status.success());
    let units = old_communes(&database.url).await;
    let dir = tempfile::tempdir().unwrap();
    // Large enough that the import is still running when it is killed (checked below).
    let mut csv = String::from("unit_code,model_code,period,respondents,satisfied\n");
    for unit in &units {
        for m in 0..120 {
            csv.push_str(&format!("{unit},,{}-{:02},100,90\n", 2010 + m / 12, m % 12 + 1));
        }
    }
    let file = dir.path().join("surveys.csv");
    std::fs::write(&file, csv).unwrap();
    let before = stdout(&cli(&database.url, &["export", "table", "surveys"]));
    let mut import = Command::new(env!("CARGO_BIN_EXE_reformdash"))
        .args(["import", dir.path().to_str().unwrap()])
        .env("DATABASE_URL", &database.url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(import.try_wait().unwrap().is_none(), "the import was still running when killed");
    import.kill().unwrap();
    import.wait().unwrap();
    assert_eq!(stdout(&cli(&database.url, &["export", "table", "surveys"])), before, "nothing of the import is visible");
});
