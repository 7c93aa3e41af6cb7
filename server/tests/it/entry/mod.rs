//! Writes end to end over HTTP on both engines, a module per concern: survey entry (the
//! form with JavaScript off, the write API with tokens), accounts and sessions, the
//! reference forms, and the pages kept for visitors after a write. Here: the accounts and
//! helpers they share.
//!
//! On `fixtures/reorg`: N1 and N2 are communes from 2025-07-01 (N1 runs model M; N1 has
//! general counts for 2025-07 (200/180) and 2025-08). Accounts: `ana` admin, `olga`
//! official, `sam` staff of N1, `tina` staff of N2.
mod accounts;
mod page_cache;
mod reference;
mod surveys;

use crate::common;
use app::domain::access::Role;
use app::ssr::entities::{audit_log, session, survey_count};
use app::ssr::writes::{self, users};
use common::{fixture, Engine, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

const PASSWORD: &str = "mật khẩu thử 2026";

async fn app_with_accounts(engine: Engine) -> TestApp {
    TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("reorg")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
        let txn = writes::begin(&db).await.unwrap();
        for (name, role, unit) in
            [("ana", Role::Admin, None), ("olga", Role::Official, None), ("sam", Role::Staff, Some("N1")), ("tina", Role::Staff, Some("N2"))]
        {
            let new = users::NewUser {
                username: name.into(),
                display_name: format!("{name} (thử)"),
                role,
                unit_code: unit.map(str::to_string),
                password: PASSWORD.into(),
            };
            users::add(&txn, &app::domain::access::Writer::Command("test".into()), new).await.unwrap();
        }
        txn.commit().await.unwrap();
    })
    .await
}

fn origin(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

/// Signs in through the form; returns the `Cookie:` value.
async fn login(app: &TestApp, name: &str) -> String {
    let r = app
        .client
        .post(app.url("/login"))
        .header("origin", origin(app))
        .form(&[("username", name), ("password", PASSWORD), ("next", "/survey")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in of {name}");
    assert_eq!(r.headers()["location"], "/survey");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    cookie.split(';').next().unwrap().to_string()
}

async fn post_form(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url("/survey"))
        .header("origin", origin(app))
        .header("cookie", cookie)
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// A new API token of the user, named `desk-N`.
async fn token_of(app: &TestApp, name: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let user = users::find(&app.db, name).await.unwrap().unwrap();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    app::ssr::auth::token::create(&app.db, &user, &format!("desk-{n}"), "").await.unwrap()
}

/// The text of the element marked `data-testid`, up to the next closing tag of its kind.
fn section<'a>(html: &'a str, testid: &str) -> &'a str {
    let at = html.find(&format!("data-testid=\"{testid}\"")).unwrap_or_else(|| panic!("no {testid} in the page"));
    let end = html[at..].find("</div>").or_else(|| html[at..].find("</p>")).map_or(html.len(), |e| at + e);
    &html[at..end]
}

async fn post_api(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = app.client.post(app.url("/api/v1/surveys")).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every survey count, in key order: what "nothing changed" is checked against.
async fn surveys(app: &TestApp) -> Vec<(String, Option<String>, String, i32, i32, i32)> {
    let mut rows: Vec<_> = survey_count::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.unit_code, s.model_code, s.period, s.respondents, s.satisfied, s.version))
        .collect();
    rows.sort();
    rows
}

async fn stored(app: &TestApp, unit: &str, period: &str) -> Option<survey_count::Model> {
    app::ssr::writes::surveys::find(&app.db, unit, None, period).await.unwrap()
}

fn entry<'a>(unit: &'a str, period: &'a str, n: &'a str, s: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("unit_code", unit), ("model_code", ""), ("period", period), ("respondents", n), ("satisfied", s)]
}

async fn post_to(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(path)).header("origin", origin(app)).header("cookie", cookie).form(fields).send().await.unwrap()
}

async fn data_version(db: &app::ssr::Db) -> i64 {
    app::ssr::entities::data_version::Entity::find().one(db).await.unwrap().unwrap().version
}
