//! Mixed traffic from many connections at once — pages, downloads, API reads and survey
//! writes through the write API — on both engines: no server error, and every write the
//! server acknowledged is stored with its values afterwards. This checks correctness under
//! concurrency, never speed (the timed runs are the bench scripts' business).
//!
//! `LOAD_CONNECTIONS` and `LOAD_SECONDS` (default 20 × 5) make it the long run.
mod common;
use app::domain::access::{Role, Writer};
use app::ssr::writes::{self, users};
use common::{Engine, TestApp};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// An official's API token (an official's writes carry a reason).
async fn official_token(app: &TestApp) -> String {
    let txn = writes::begin(&app.db).await.unwrap();
    let new = users::NewUser {
        username: "load".into(),
        display_name: "Load".into(),
        role: Role::Official,
        unit_code: None,
        password: "a long password for load".into(),
    };
    users::add(&txn, &Writer::Command("test".into()), new).await.unwrap();
    txn.commit().await.unwrap();
    let user = users::find(&app.db, "load").await.unwrap().unwrap();
    app::ssr::auth::token::create(&app.db, &user, "load").await.unwrap()
}

#[derive(Default)]
struct Tally {
    requests: u64,
    /// 503 answers: the database did not get to the request in time.
    busy: u64,
    server_errors: Vec<String>,
    /// (unit, period, respondents, satisfied) of every write answered 201.
    acknowledged: Vec<(String, String, i32, i32)>,
}

on_both_engines!(mixed_traffic_loses_no_acknowledged_write_and_never_fails, |engine: Engine| async move {
    let app = Arc::new(TestApp::spawn_serve(engine).await);
    let token = Arc::new(official_token(&app).await);
    // Communes that ended in the 2025 reorganisation: valid in 2015–2019, where the demo has
    // no counts, so each connection writes its own unit's months without overlapping any.
    let units: Vec<String> = app::ssr::tables::units(&app.db, Some("commune"), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.valid_to.is_some())
        .map(|u| u.code)
        .collect();
    let connections = setting("LOAD_CONNECTIONS", 20) as usize;
    assert!(units.len() >= connections, "one unit per connection");
    let until = Instant::now() + Duration::from_secs(setting("LOAD_SECONDS", 5));
    let reads = ["/", "/export/district-summary.csv?period=2024", "/api/v1/figures/models?period=2024-Q2", "/communes/402-01", "/models/CQTT"];
    let mut tasks = Vec::new();
    for (c, unit) in units.into_iter().take(connections).enumerate() {
        let (app, token) = (app.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut month = 0;
            let mut i = c;
            while Instant::now() < until {
                i += 1;
                let response = if i % 2 == 0 && month < 60 {
                    let period = format!("{}-{:02}", 2015 + month / 12, month % 12 + 1);
                    month += 1;
                    let (n, s) = (40 + (i % 50) as i32, 30 + (i % 10) as i32);
                    let body = serde_json::json!({
                        "rows": [{"unit_code": unit, "period": period, "respondents": n, "satisfied": s}],
                        "reason": "load test",
                    });
                    let r = app.client.post(app.url("/api/v1/surveys")).bearer_auth(token.as_str()).json(&body).send().await;
                    if let Ok(r) = &r {
                        if r.status() == 201 {
                            tally.acknowledged.push((unit.clone(), period, n, s));
                        }
                    }
                    r
                } else {
                    app.client.get(app.url(reads[i % reads.len()])).send().await
                };
                tally.requests += 1;
                match response {
                    // Overload, said as such: nothing written, the client retries later.
                    Ok(r) if r.status() == 503 => tally.busy += 1,
                    Ok(r) if r.status().is_server_error() => tally.server_errors.push(format!("{} {}", r.status(), r.url())),
                    Ok(r) => drop(r.bytes().await),
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
    }
    eprintln!("{engine:?}: {} requests, {} writes acknowledged, {} busy (503)", all.requests, all.acknowledged.len(), all.busy);
    assert!(all.server_errors.is_empty(), "{} of {} requests failed: {:?}", all.server_errors.len(), all.requests, &all.server_errors[..all.server_errors.len().min(5)]);
    assert!(!all.acknowledged.is_empty(), "some writes went through ({} requests)", all.requests);
    for (unit, period, n, s) in &all.acknowledged {
        let stored = writes::surveys::find(&app.db, unit, None, period).await.unwrap();
        let stored = stored.unwrap_or_else(|| panic!("acknowledged but missing: {unit} {period}"));
        assert_eq!((stored.respondents, stored.satisfied), (*n, *s), "{unit} {period}");
    }
});
