//! Mixed traffic from many connections at once — pages, downloads, API reads and survey
//! writes through the write API — against the real `reformdash serve` process, on both
//! engines: no server error, and every write the server acknowledged is stored with its
//! values afterwards. The suite checks correctness under concurrency, never speed; the
//! latencies and the server's peak memory are printed for the long, measured run.
//!
//! `LOAD_CONNECTIONS` and `LOAD_SECONDS` (default 20 × 5) make it the long run;
//! `LOAD_SERVER_BIN` serves with another build (`target/release/reformdash`).
use crate::common;
use common::{cli, Engine, TestDb};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::setting;

/// The kinds of request the run mixes, for the latency table.
const KINDS: [&str; 4] = ["page", "download", "api read", "write"];

#[derive(Default)]
struct Tally {
    requests: u64,
    /// 503 answers: the database did not get to the request in time.
    busy: u64,
    server_errors: Vec<String>,
    /// (unit, period, respondents, satisfied) of every write answered 201.
    acknowledged: Vec<(String, String, i32, i32)>,
    /// Time to the whole answer, per kind of request.
    latencies: [Vec<Duration>; 4],
}

/// The `q`-quantile of sorted durations, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(at).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

on_both_engines!(mixed_traffic_loses_no_acknowledged_write_and_never_fails, |engine: Engine| async move {
    let database = TestDb::new(engine).await;
    assert!(cli(&database.url, &["demo"]).status.success());
    let token = common::demo_official_token(&database.url, "load");
    let token = Arc::new(token);
    let db = server::startup::open_database(&database.url).await.unwrap();
    // Communes that ended in the 2025 reorganisation: valid in 2015–2019, where the demo has
    // no counts, so each connection writes its own unit's months without overlapping any.
    let units: Vec<String> = app::ssr::tables::units(&db, Some("commune"), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.valid_to.is_some())
        .map(|u| u.code)
        .collect();
    let site = tempfile::tempdir().unwrap();
    let server = match std::env::var("LOAD_SERVER_BIN") {
        Ok(bin) => common::start_binary_at(std::path::Path::new(&bin), &database.url, site.path(), &[]),
        Err(_) => common::start_binary(&database.url, site.path(), &[]),
    };
    let base = Arc::new(server.base.clone());
    let client = reqwest::Client::builder().pool_idle_timeout(server::startup::HEADER_READ_TIMEOUT / 2).build().unwrap();
    let connections = setting("LOAD_CONNECTIONS", 20) as usize;
    assert!(units.len() >= connections, "one unit per connection");
    let until = Instant::now() + Duration::from_secs(setting("LOAD_SECONDS", 5));
    let reads = [
        (0, "/"),
        (1, "/export/district-summary.csv?period=2024"),
        (2, "/api/v1/figures/models?period=2024-Q2"),
        (0, "/communes/402-01"),
        (0, "/models/CQTT"),
    ];
    let mut tasks = Vec::new();
    for (c, unit) in units.into_iter().take(connections).enumerate() {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut month = 0;
            let mut i = c;
            while Instant::now() < until {
                i += 1;
                let started = Instant::now();
                let (kind, response) = if i % 2 == 0 && month < 60 {
                    let period = format!("{}-{:02}", 2015 + month / 12, month % 12 + 1);
                    month += 1;
                    let (n, s) = (40 + (i % 50) as i32, 30 + (i % 10) as i32);
                    let body = serde_json::json!({
                        "rows": [{"unit_code": unit, "period": period, "respondents": n, "satisfied": s}],
                        "reason": "load test",
                    });
                    let r = client.post(format!("{base}/api/v1/surveys")).bearer_auth(token.as_str()).json(&body).send().await;
                    if let Ok(r) = &r {
                        if r.status() == 201 {
                            tally.acknowledged.push((unit.clone(), period, n, s));
                        }
                    }
                    (3, r)
                } else {
                    let (kind, path) = reads[i % reads.len()];
                    (kind, client.get(format!("{base}{path}")).send().await)
                };
                tally.requests += 1;
                match response {
                    // Overload, said as such: nothing written, the client retries later.
                    Ok(r) if r.status() == 503 => tally.busy += 1,
                    Ok(r) if r.status().is_server_error() => tally.server_errors.push(format!("{} {}", r.status(), r.url())),
                    Ok(r) => match r.bytes().await {
                        Ok(_) => tally.latencies[kind].push(started.elapsed()),
                        Err(e) => tally.server_errors.push(format!("body cut off: {e}")),
                    },
                    Err(e) => tally.server_errors.push(format!("transport: {e}")),
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        all.requests += t.requests;
        all.busy += t.busy;
        all.server_errors.extend(t.server_errors);
        all.acknowledged.extend(t.acknowledged);
        for (mine, theirs) in all.latencies.iter_mut().zip(t.latencies) {
            mine.extend(theirs);
        }
    }
    eprintln!("{engine:?}: {} requests, {} writes acknowledged, {} busy (503)", all.requests, all.acknowledged.len(), all.busy);
    for (kind, latencies) in KINDS.iter().zip(all.latencies.iter_mut()) {
        latencies.sort();
        eprintln!(
            "{engine:?}: {kind}: {} answered, p50 {:.0} ms, p99 {:.0} ms",
            latencies.len(),
            quantile_ms(latencies, 0.5),
            quantile_ms(latencies, 0.99)
        );
    }
    let kb = |field| server.memory_kb(field).map_or("?".into(), |kb| format!("{} MB", kb / 1024));
    eprintln!("{engine:?}: server memory: peak {} (VmHWM), now {} (VmRSS)", kb("VmHWM"), kb("VmRSS"));
    let log = server.stderr.lock().unwrap().clone();
    assert!(!log.contains("panicked"), "no panic in the server:\n{log}");
    assert!(all.server_errors.is_empty(), "{} of {} requests failed: {:?}", all.server_errors.len(), all.requests, &all.server_errors[..all.server_errors.len().min(5)]);
    assert!(!all.acknowledged.is_empty(), "some writes went through ({} requests)", all.requests);
    for (unit, period, n, s) in &all.acknowledged {
        let stored = app::ssr::writes::surveys::find(&db, unit, None, period).await.unwrap();
        let stored = stored.unwrap_or_else(|| panic!("acknowledged but missing: {unit} {period}"));
        assert_eq!((stored.respondents, stored.satisfied), (*n, *s), "{unit} {period}");
    }
});
