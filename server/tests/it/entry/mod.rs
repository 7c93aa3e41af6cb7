//! Entry by commune staff, end to end over HTTP on both engines: sign-in, the survey form
//! (JavaScript off: plain form posts), the write API with tokens, every rule's message,
//! who may write what, lost-update protection, sessions and cross-site requests.
//!
//! On `fixtures/reorg`: N1 and N2 are communes from 2025-07-01 (N1 runs model M; N1 has
//! general counts for 2025-07 (200/180) and 2025-08). Accounts: `ana` admin, `olga`
//! official, `sam` staff of N1, `tina` staff of N2.
mod common;
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
    app::ssr::auth::token::create(&app.db, &user, &format!("desk-{n}")).await.unwrap()
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

on_both_engines!(staff_enter_counts_and_the_figures_change, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let cookie = login(&app, "sam").await;
    let r = app.client.get(app.url("/survey")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-store", "a signed-in page is not kept");
    let html = r.text().await.unwrap();
    assert!(html.contains("sam (thử)"), "the header names who is signed in");
    assert!(html.contains(r#"name="unit_code" value="N1""#), "a commune's staff member enters for their commune only");
    assert!(html.contains(r#"name="period" value="2026-"#), "the period defaults to the current month");

    let trend = "/api/v1/figures/trend?unit=N1&from=2026-11&to=2026-11";
    let before: Value = app.get(trend).await.json().await.unwrap();
    assert_eq!(before[0]["respondents"], 0);

    let r = post_form(&app, &cookie, &entry("N1", "2026-11", "120", "111")).await;
    assert_eq!(r.status(), 303);
    let saved = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(saved, "/survey?saved=1&unit_code=N1&model_code=&period=2026-11");
    let html = app.client.get(app.url(&saved)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    let saved = section(&html, "entry-saved");
    assert!(saved.contains("N1") && saved.contains("120 / 111"), "the saved entry is confirmed: {saved}");

    let after: Value = app.get(trend).await.json().await.unwrap();
    assert_eq!((after[0]["respondents"].clone(), after[0]["satisfied"].clone()), (json!(120), json!(111)));
    assert_eq!(after[0]["satisfaction_rate"], 92.5);

    let row = stored(&app, "N1", "2026-11").await.unwrap();
    assert_eq!((row.respondents, row.satisfied, row.version), (120, 111, 1));
    let log = audit_log::Entity::find().filter(audit_log::Column::EntityKey.eq("N1//2026-11")).all(&app.db).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].actor.as_str(), log[0].action.as_str()), ("sam", "entry"));
    let new: Value = serde_json::from_str(log[0].new_value.as_deref().unwrap()).unwrap();
    assert_eq!((new["respondents"].clone(), new["satisfied"].clone()), (json!(120), json!(111)));
    assert!(log[0].old_value.is_none());

    // Editing shows the stored values and its version, and saving raises the version.
    let html = app
        .client
        .get(app.url("/survey?unit_code=N1&model_code=&period=2026-11"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="version" value="1""#) && html.contains(r#"value="120""#), "{html}");
    let mut edit = entry("N1", "2026-11", "130", "111");
    edit.push(("version", "1"));
    assert_eq!(post_form(&app, &cookie, &edit).await.status(), 303);
    let row = stored(&app, "N1", "2026-11").await.unwrap();
    assert_eq!((row.respondents, row.version), (130, 2));

    // The commune page shows who changed what, from what to what.
    let (status, html) = app.get_text("/communes/N1").await;
    assert_eq!(status, 200);
    let history = common::testid_text(&html, "change-who");
    assert!(history.contains("sam"), "{history}");
    assert!(html.contains("120 / 111 → 130 / 111"), "{html}");
});

/// (fields, field, the Vietnamese message on the form, the English one of the API)
fn rule_cases() -> Vec<(Vec<(&'static str, &'static str)>, &'static str, &'static str, &'static str)> {
    let with = |extra: &[(&'static str, &'static str)], base: Vec<(&'static str, &'static str)>| {
        let mut v: Vec<_> = base.into_iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).collect();
        v.extend_from_slice(extra);
        v
    };
    let base = || entry("N1", "2026-10", "100", "90");
    let levels = |l: [&'static str; 5]| -> Vec<(&'static str, &'static str)> {
        vec![
            ("very_satisfied", l[0]),
            ("fairly_satisfied", l[1]),
            ("neutral", l[2]),
            ("dissatisfied", l[3]),
            ("very_dissatisfied", l[4]),
        ]
    };
    vec![
        (with(&[("respondents", "mười")], base()), "respondents", "«mười» không phải là một số nguyên.", "`mười` is not a whole number"),
        (with(&[("respondents", "0")], base()), "respondents", "Số phiếu phải từ 1 trở lên (đang là 0).", "must be at least 1, got 0"),
        (with(&[("satisfied", "-1")], base()), "satisfied", "Không được là số âm (đang là -1).", "must not be negative, got -1"),
        (with(&[("satisfied", "101")], base()), "satisfied", "Số phiếu hài lòng (101) lớn hơn số phiếu thu về (100).", "101 is more than respondents (100)"),
        (with(&levels(["50", "40", "5", "5", "1"]), base()), "very_dissatisfied", "Năm mức độ cộng lại được 101, khác số phiếu thu về (100).", "the five levels add up to 101, not to respondents (100)"),
        (with(&levels(["50", "40", "5", "5", ""]), base()), "very_dissatisfied", "Nhập đủ cả năm mức độ, hoặc để trống cả năm.", "give all five satisfaction levels or none"),
        (with(&levels(["50", "30", "10", "5", "5"]), base()), "fairly_satisfied", "Rất hài lòng + hài lòng = 80, khác số phiếu hài lòng (90).", "very_satisfied + fairly_satisfied = 80, not satisfied (90)"),
        (with(&[("period", "2099-01")], base()), "period", "Kỳ 2099-01 chưa bắt đầu.", "2099-01 has not begun yet"),
        (with(&[("period", "2026")], base()), "period", "Kỳ là một tháng (2026-11) hoặc một quý (2026-Q4).", "a survey period is a month (YYYY-MM) or a quarter (YYYY-Qn), got `2026`"),
        (with(&[("period", "2025-05")], base()), "period", "Đơn vị «N1» không tồn tại trong kỳ 2025-05.", "unit `N1` is not valid during 2025-05"),
        (with(&[("period", "2025-Q3")], base()), "period", "Kỳ 2025-Q3 trùng thời gian với kỳ", "2025-Q3 overlaps 2025-0"),
        (with(&[("model_code", "ZZ")], base()), "model_code", "Không có mô hình «ZZ».", "unknown model `ZZ`"),
        (with(&[("period", "2025-07"), ("respondents", "201")], base()), "period", "Đã có bản ghi cho đơn vị, mô hình và kỳ này với số liệu khác.", "survey (N1, , 2025-07) already exists"),
    ]
}

on_both_engines!(every_rule_is_refused_with_its_message_and_nothing_is_written, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let cookie = login(&app, "sam").await;
    let token = token_of(&app, "sam").await;
    let before = surveys(&app).await;
    for (fields, field, vi, en) in rule_cases() {
        let r = post_form(&app, &cookie, &fields).await;
        assert_eq!(r.status(), 422, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("id=\"e-{field}\"")) || field == "model_code", "{field} marked: {fields:?}");
        assert!(html.contains(vi), "{vi} in the form for {fields:?}");
        // The values typed are kept.
        let respondents = fields.iter().find(|(k, _)| *k == "respondents").unwrap().1;
        assert!(html.contains(&format!("value=\"{respondents}\"")), "values kept for {fields:?}");

        let body: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        let (status, answer) = post_api(&app, Some(&token), Value::Object(body)).await;
        assert_eq!(status, 422, "{fields:?}: {answer}");
        let p = &answer["problems"][0];
        assert_eq!((p["row"].clone(), p["field"].clone()), (json!(1), json!(field)), "{answer}");
        assert!(p["message"].as_str().unwrap().contains(en), "{en} in {answer}");
        assert_eq!(surveys(&app).await, before, "nothing written for {fields:?}");
    }
    // A model the unit does not run: a warning, saved only when kept with a reason.
    let q = {
        let mut f = entry("N1", "2026-10", "100", "90");
        f[1] = ("model_code", "Q");
        f
    };
    let html = post_form(&app, &cookie, &q).await.text().await.unwrap();
    assert!(html.contains("Đơn vị không áp dụng mô hình «Q» trong kỳ này."), "{html}");
    assert_eq!(surveys(&app).await, before);
    let mut keep = q.clone();
    keep.push(("confirm", "yes"));
    let r = post_form(&app, &cookie, &keep).await;
    assert_eq!(r.status(), 422, "keeping a warned value needs a reason");
    assert!(r.text().await.unwrap().contains("Vui lòng ghi lý do."));
    keep.push(("reason", "Xã thử nghiệm mô hình Q trước khi đăng ký"));
    assert_eq!(post_form(&app, &cookie, &keep).await.status(), 303);
    let log = audit_log::Entity::find().filter(audit_log::Column::EntityKey.eq("N1/Q/2026-10")).one(&app.db).await.unwrap().unwrap();
    assert_eq!(log.reason.as_deref(), Some("Xã thử nghiệm mô hình Q trước khi đăng ký"));
    assert!(log.warnings.as_deref().unwrap().contains("does not run model `Q`"), "{:?}", log.warnings);

    // A batch is all or nothing: one bad row and the good one is not written either.
    let (status, answer) = post_api(
        &app,
        Some(&token),
        json!([
            {"unit_code": "N1", "period": "2026-09", "respondents": 50, "satisfied": 45},
            {"unit_code": "N1", "period": "2026-08", "respondents": 50, "satisfied": 51, "colour": "red"}
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(answer["problems"][0], json!({"row": 2, "field": "colour", "message": "unknown field (expected some of: unit_code, model_code, period, respondents, satisfied, very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied, version)"}));
    assert!(stored(&app, "N1", "2026-09").await.is_none());
    let (status, answer) = post_api(
        &app,
        Some(&token),
        json!([
            {"unit_code": "N1", "period": "2026-09", "respondents": 50, "satisfied": 45},
            {"unit_code": "N1", "period": "2026-08", "respondents": "50", "satisfied": "41",
             "very_satisfied": 20, "fairly_satisfied": 21, "neutral": 5, "dissatisfied": 3, "very_dissatisfied": 1}
        ]),
    )
    .await;
    assert_eq!((status, answer["inserted"].clone()), (201, json!(2)), "{answer}");
    let with_levels = stored(&app, "N1", "2026-08").await.unwrap();
    assert_eq!((with_levels.very_satisfied, with_levels.very_dissatisfied), (Some(20), Some(1)));
    // The same rows again change nothing.
    let (status, answer) =
        post_api(&app, Some(&token), json!({"unit_code": "N1", "period": "2026-09", "respondents": 50, "satisfied": 45})).await;
    assert_eq!((status, answer["unchanged"].clone()), (200, json!(1)));
});

on_both_engines!(who_may_write_what, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    struct Case {
        who: Option<&'static str>,
        unit: &'static str,
        reason: &'static str,
        form: u16,
        api: u16,
    }
    let cases = [
        Case { who: None, unit: "N1", reason: "", form: 303, api: 401 },
        Case { who: Some("sam"), unit: "N2", reason: "", form: 403, api: 403 },
        Case { who: Some("tina"), unit: "N1", reason: "", form: 403, api: 403 },
        Case { who: Some("olga"), unit: "N1", reason: "", form: 422, api: 422 },
        Case { who: Some("sam"), unit: "N1", reason: "", form: 303, api: 201 },
        Case { who: Some("olga"), unit: "N2", reason: "Sửa theo biên bản kiểm tra", form: 303, api: 201 },
        Case { who: Some("ana"), unit: "N3", reason: "Nhập hộ xã mới", form: 303, api: 201 },
    ];
    for c in cases {
        let unit = c.unit;
        let mut fields = entry(c.unit, "2026-10", "80", "70");
        if !c.reason.is_empty() {
            fields.push(("reason", c.reason));
        }
        let before = surveys(&app).await;
        let cookie = match c.who {
            Some(who) => login(&app, who).await,
            None => String::new(),
        };
        let r = post_form(&app, &cookie, &fields).await;
        assert_eq!(r.status().as_u16(), c.form, "form: {:?} for {unit}", c.who);
        if c.form == 303 && c.who.is_none() {
            assert_eq!(r.headers()["location"], "/login?next=/survey", "no session: sign in first");
        }
        let written = c.form == 303 && c.who.is_some();
        assert_eq!(stored(&app, c.unit, "2026-10").await.is_some(), written, "form by {:?} for {unit}", c.who);
        if written {
            survey_count::Entity::delete_many().filter(survey_count::Column::Period.eq("2026-10")).exec(&app.db).await.unwrap();
        }
        assert_eq!(surveys(&app).await, before, "only the allowed write changed anything");

        let token = match c.who {
            Some(who) => Some(token_of(&app, who).await),
            None => None,
        };
        let mut body = json!({"unit_code": c.unit, "period": "2026-10", "respondents": 80, "satisfied": 70});
        if !c.reason.is_empty() {
            body = json!({"rows": [body], "reason": c.reason});
        }
        let (status, answer) = post_api(&app, token.as_deref(), body).await;
        assert_eq!(status, c.api, "API: {:?} for {unit}: {answer}", c.who);
        assert_eq!(stored(&app, c.unit, "2026-10").await.is_some(), c.api == 201, "API by {:?} for {unit}", c.who);
        survey_count::Entity::delete_many().filter(survey_count::Column::Period.eq("2026-10")).exec(&app.db).await.unwrap();
    }
    // A revoked or made-up token is no token.
    let (status, _) = post_api(&app, Some("rdt_madeup"), json!({"unit_code": "N1"})).await;
    assert_eq!(status, 401);
});

on_both_engines!(two_editors_of_one_entry_exactly_one_wins, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let (sam, olga) = (login(&app, "sam").await, login(&app, "olga").await);
    assert_eq!(post_form(&app, &sam, &entry("N1", "2026-11", "100", "90")).await.status(), 303);
    // Both open version 1; sam saves first.
    let mut sams = entry("N1", "2026-11", "100", "95");
    sams.push(("version", "1"));
    let mut olgas = entry("N1", "2026-11", "100", "80");
    olgas.extend([("version", "1"), ("reason", "Theo biên bản")]);
    assert_eq!(post_form(&app, &sam, &sams).await.status(), 303);
    let r = post_form(&app, &olga, &olgas).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    let conflict = section(&html, "entry-conflict");
    assert!(conflict.contains("100 / 95") && conflict.contains("100 / 80"), "both values shown: {conflict}");
    assert!(html.contains(r#"name="version" value="2""#), "a second save starts from the new version");
    let row = stored(&app, "N1", "2026-11").await.unwrap();
    assert_eq!((row.satisfied, row.version), (95, 2), "sam's save stands");
    // The API refuses an old version the same way.
    let token = token_of(&app, "olga").await;
    let (status, answer) = post_api(
        &app,
        Some(&token),
        json!({"rows": [{"unit_code": "N1", "period": "2026-11", "respondents": 100, "satisfied": 80, "version": 1}], "reason": "x"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(answer["stored"]["satisfied"], 95);
    assert_eq!(stored(&app, "N1", "2026-11").await.unwrap().satisfied, 95);
    // Without a version, the refusal names the stored one; sent back, it replaces the row.
    let mut rows = json!({"rows": [{"unit_code": "N1", "period": "2026-11", "respondents": 100, "satisfied": 80}], "reason": "x"});
    let (status, answer) = post_api(&app, Some(&token), rows.clone()).await;
    assert_eq!(status, 422);
    let problem = &answer["problems"][0];
    assert_eq!((problem["field"].as_str(), problem["version"].as_i64()), (Some("period"), Some(2)), "{answer}");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("already exists") && message.contains("`version`") && !message.contains("--update"), "{message}");
    rows["rows"][0]["version"] = 2.into();
    let (status, answer) = post_api(&app, Some(&token), rows).await;
    assert_eq!((status, answer["updated"].as_i64()), (200, Some(1)), "{answer}");
    let row = stored(&app, "N1", "2026-11").await.unwrap();
    assert_eq!((row.satisfied, row.version), (80, 3));
});

on_both_engines!(sessions_sign_in_and_cross_site_requests, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let cookie = login(&app, "sam").await;
    let fields = entry("N1", "2026-11", "100", "90");
    // Another site's form, with the victim's cookie: refused, nothing written.
    for (name, value) in [("origin", "http://evil.example"), ("sec-fetch-site", "cross-site")] {
        let r = app.client.post(app.url("/survey")).header(name, value).header("cookie", &cookie).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 403, "{name}: {value}");
    }
    let r = app.client.post(app.url("/logout")).header("origin", "http://evil.example").header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 403, "not even a sign-out from elsewhere");
    assert!(stored(&app, "N1", "2026-11").await.is_none());

    // A forged cookie signs no one in.
    let r = post_form(&app, "rd_session=forged", &fields).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/login?next=/survey"));

    // An expired one neither: idle for longer than the idle limit.
    {
        use app::ssr::entities::session;
        use sea_orm::{sea_query::Expr, EntityTrait};
        let idle_since = chrono::Utc::now() - app::ssr::auth::session::IDLE - chrono::Duration::minutes(1);
        session::Entity::update_many().col_expr(session::Column::LastSeenAt, Expr::value(idle_since)).exec(&app.db).await.unwrap();
    }
    let r = post_form(&app, &cookie, &fields).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/login?next=/survey"), "expired");
    assert!(stored(&app, "N1", "2026-11").await.is_none());

    // Wrong name and wrong password get the same answer; the name typed is kept.
    for (name, password) in [("sam", "wrong password"), ("nobody", PASSWORD)] {
        let r = app.client.post(app.url("/login")).header("origin", origin(&app)).form(&[("username", name), ("password", password)]).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("set-cookie").is_none());
        let html = r.text().await.unwrap();
        assert!(html.contains("Sai tên đăng nhập hoặc mật khẩu.") && html.contains(&format!("value=\"{name}\"")), "{html}");
    }

    // A new sign-in from the same browser replaces its session.
    let r = app.client.post(app.url("/login")).header("origin", origin(&app)).header("cookie", &cookie)
        .form(&[("username", "sam"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let rotated = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(rotated, cookie);
    assert_eq!(post_form(&app, &cookie, &fields).await.headers()["location"], "/login?next=/survey", "the old token is gone");

    // Idle too long: signed out (and the session row removed).
    let token = rotated.trim_start_matches("rd_session=");
    let hash = app::ssr::auth::token_hash(token);
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(3)))
        .filter(session::Column::TokenHash.eq(hash.clone()))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(post_form(&app, &rotated, &fields).await.headers()["location"], "/login?next=/survey");
    assert_eq!(session::Entity::find_by_id(hash).count(&app.db).await.unwrap(), 0);

    // Sign-out is a POST that ends the session.
    let cookie = login(&app, "sam").await;
    let r = app.client.post(app.url("/logout")).header("origin", origin(&app)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(post_form(&app, &cookie, &fields).await.headers()["location"], "/login?next=/survey");

    // A new password and a disabled account end every session (and tokens stop working).
    let cookie = login(&app, "sam").await;
    let api = token_of(&app, "sam").await;
    let txn = writes::begin(&app.db).await.unwrap();
    users::set_password(&txn, &app::domain::access::Writer::Command("test".into()), "sam", "another long password".into()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(post_form(&app, &cookie, &fields).await.headers()["location"], "/login?next=/survey");
    let txn = writes::begin(&app.db).await.unwrap();
    users::set_disabled(&txn, &app::domain::access::Writer::Command("test".into()), "sam", true).await.unwrap();
    txn.commit().await.unwrap();
    let (status, _) = post_api(&app, Some(&api), json!({"unit_code": "N1", "period": "2026-11", "respondents": 1, "satisfied": 1})).await;
    assert_eq!(status, 401, "a disabled user's token is refused");
    let r = app.client.post(app.url("/login")).header("origin", origin(&app)).form(&[("username", "sam"), ("password", "another long password")]).send().await.unwrap();
    assert_eq!(r.status(), 401, "a disabled user cannot sign in");
    assert!(stored(&app, "N1", "2026-11").await.is_none());

    // Five failures for one account, and even the right password waits.
    for _ in 0..4 {
        let r = app.client.post(app.url("/login")).header("origin", origin(&app)).form(&[("username", "tina"), ("password", "nope nope nope")]).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = app.client.post(app.url("/login")).header("origin", origin(&app)).form(&[("username", "TINA"), ("password", "nope nope nope")]).send().await.unwrap();
    assert_eq!(r.status(), 401, "the fifth failure (names are case-insensitive)");
    let r = app.client.post(app.url("/login")).header("origin", origin(&app)).form(&[("username", "tina"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Đăng nhập sai quá nhiều lần."));
});

on_both_engines!(accounts_and_tokens_from_the_command_line, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reformdash"))
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (ok, out, err) = run(&["user", "add", "Quang", "--role", "staff", "--unit", "N2", "--display-name", "Lê Quang"], "một mật khẩu dài\n");
    assert!(ok, "{err}");
    assert_eq!(out, "user quang added (staff)\n");
    let (_, out, _) = run(&["user", "list"], "");
    assert!(out.contains("quang\tstaff\tN2\tactive\tLê Quang\n"), "{out}");
    for (args, message) in [
        (vec!["user", "add", "x1", "--role", "staff"], "error: a staff member needs --unit"),
        (vec!["user", "add", "x2", "--role", "staff", "--unit", "NOPE"], "error: unknown unit `NOPE`"),
        (vec!["user", "add", "x3", "--role", "official", "--unit", "N1"], "error: only staff are bound to a unit"),
        (vec!["user", "add", "quang", "--role", "official"], "error: a user named `quang` exists already"),
        (vec!["user", "add", "x 4", "--role", "official"], "error: username: ` ` may not be in a code"),
    ] {
        let (ok, _, err) = run(&args, "một mật khẩu dài\n");
        assert!(!ok && err.starts_with(message), "{args:?}: {err}");
    }
    let (ok, _, err) = run(&["user", "add", "x5", "--role", "official"], "short\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");

    let (ok, token, err) = run(&["token", "create", "one-stop desk", "--user", "quang"], "");
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    assert!(token.starts_with("rdt_") && token.len() > 40);
    let (status, _) = post_api(&app, Some(&token), json!({"unit_code": "N2", "period": "2026-11", "respondents": 10, "satisfied": 9})).await;
    assert_eq!(status, 201);
    let (ok, _, _) = run(&["token", "revoke", "one-stop desk", "--user", "quang"], "");
    assert!(ok);
    let (status, _) = post_api(&app, Some(&token), json!({"unit_code": "N2", "period": "2026-10", "respondents": 10, "satisfied": 9})).await;
    assert_eq!(status, 401);

    let (ok, _, _) = run(&["user", "disable", "quang"], "");
    assert!(ok);
    let (_, out, _) = run(&["user", "list"], "");
    assert!(out.contains("quang\tstaff\tN2\tdisabled\t"), "{out}");
    // Nothing of a password reaches the audit log.
    let log = audit_log::Entity::find().filter(audit_log::Column::Entity.eq("users")).all(&app.db).await.unwrap();
    assert!(!log.is_empty() && log.iter().all(|e| !format!("{e:?}").contains("argon2")), "{log:?}");
});

async fn post_to(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(path)).header("origin", origin(app)).header("cookie", cookie).form(fields).send().await.unwrap()
}

on_both_engines!(own_tokens_and_password_and_the_admins_user_list, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let sam = login(&app, "sam").await;
    // A token made on the page is shown once, works, and stops working when revoked.
    let r = post_to(&app, "/account/tokens", &sam, &[("name", "một cửa")]).await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let at = html.find("data-testid=\"new-token\">").expect("the new token is shown") + "data-testid=\"new-token\">".len();
    let token = html[at..at + html[at..].find('<').unwrap()].to_string();
    assert!(token.starts_with("rdt_"), "{token}");
    let row = json!({"unit_code": "N1", "period": "2026-11", "respondents": 10, "satisfied": 9});
    assert_eq!(post_api(&app, Some(&token), row.clone()).await.0, 201);
    let html = app.client.get(app.url("/account")).header("cookie", &sam).send().await.unwrap().text().await.unwrap();
    assert!(section(&html, "tokens").contains("một cửa") && !html.contains(&token), "listed, never shown again");
    let r = post_to(&app, "/account/tokens", &sam, &[("name", "=HYPERLINK(1)")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Tên mã từ 1 đến 64 ký tự"));
    assert_eq!(post_to(&app, "/account/tokens/revoke", &sam, &[("name", "một cửa")]).await.status(), 200);
    assert_eq!(post_api(&app, Some(&token), row).await.0, 401);

    // A new password: the current one must be right; other sessions end, this one stays.
    let other = login(&app, "sam").await;
    for (current, new, again, message) in [
        ("wrong wrong wrong", "a brand new password", "a brand new password", "Mật khẩu hiện tại không đúng."),
        (PASSWORD, "a brand new password", "a different password", "Hai lần nhập mật khẩu mới không giống nhau."),
        (PASSWORD, "short", "short", "Mật khẩu cần ít nhất 10 ký tự."),
    ] {
        let r = post_to(&app, "/account/password", &sam, &[("current", current), ("password", new), ("again", again)]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    let r = post_to(&app, "/account/password", &sam, &[("current", PASSWORD), ("password", "a brand new password"), ("again", "a brand new password")]).await;
    assert_eq!(r.status(), 303);
    let fresh = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = |c: String| {
        let app = &app;
        async move { app.client.get(app.url("/account")).header("cookie", c).send().await.unwrap().text().await.unwrap() }
    };
    assert!(page(fresh.clone()).await.contains("data-testid=\"account-who\""), "this browser stays signed in");
    assert!(!page(other).await.contains("data-testid=\"account-who\""), "the other session ended");

    // Users: only an admin.
    let sam = fresh;
    let r = post_to(&app, "/admin/users", &sam, &[("username", "lan"), ("role", "admin"), ("password", "long enough password")]).await;
    assert_eq!(r.status(), 403, "a staff member cannot make an admin");
    assert!(users::find(&app.db, "lan").await.unwrap().is_none());
    let ana = login(&app, "ana").await;
    let r = post_to(&app, "/admin/users", &ana, &[("username", "lan"), ("display_name", "Trần Lan"), ("role", "staff"), ("unit_code", "ZZ"), ("password", "long enough password")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Không có đơn vị «ZZ».") && html.contains("value=\"Trần Lan\""), "message and values kept");
    let r = post_to(&app, "/admin/users", &ana, &[("username", "lan"), ("display_name", "Trần Lan"), ("role", "staff"), ("unit_code", "N3"), ("password", "long enough password")]).await;
    assert_eq!(r.status(), 201);
    assert!(section(&r.text().await.unwrap(), "users").contains("Trần Lan"));
    let r = post_to(&app, "/admin/users/disabled", &ana, &[("username", "lan"), ("disabled", "true")]).await;
    assert_eq!(r.status(), 200);
    assert!(users::find(&app.db, "lan").await.unwrap().unwrap().disabled);
    let r = post_to(&app, "/admin/users/disabled", &sam, &[("username", "ana"), ("disabled", "true")]).await;
    assert_eq!(r.status(), 403);
    assert!(!users::find(&app.db, "ana").await.unwrap().unwrap().disabled, "nothing changed");
});

on_both_engines!(demo_accounts_get_fresh_random_passwords, |engine: Engine| async move {
    let mut passwords = Vec::new();
    for _ in 0..2 {
        let database = common::TestDb::new(engine).await;
        let db = database.open().await;
        server::demo::load(&db).await.unwrap();
        let accounts = server::accounts::create_demo_accounts(&db).await.unwrap();
        let roles: Vec<Role> = accounts.iter().map(|a| a.role).collect();
        assert_eq!(roles, [Role::Admin, Role::Official, Role::Staff]);
        let staff = accounts.iter().find(|a| a.username == "demo-staff").unwrap();
        let (account, _) = app::ssr::auth::login(&db, "demo-staff", &staff.password, "127.0.0.1").await.unwrap();
        assert_eq!(account.unit_code.as_deref(), Some("38-001"));
        assert!(server::accounts::create_demo_accounts(&db).await.unwrap().is_empty(), "created once, shown once");
        passwords.push(staff.password.clone());
    }
    assert_ne!(passwords[0], passwords[1], "never a fixed password");
    assert!(passwords.iter().all(|p| p.len() >= 20));
});

on_both_engines!(officials_delete_an_entry_with_a_reason_staff_cannot, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let (sam, olga) = (login(&app, "sam").await, login(&app, "olga").await);
    assert_eq!(post_form(&app, &sam, &entry("N1", "2026-11", "100", "90")).await.status(), 303);
    let delete = |version: &'static str, reason: &'static str| {
        vec![("unit_code", "N1"), ("model_code", ""), ("period", "2026-11"), ("version", version), ("reason", reason)]
    };
    assert_eq!(post_to(&app, "/survey/delete", &sam, &delete("1", "nhập nhầm")).await.status(), 403);
    let r = post_to(&app, "/survey/delete", &olga, &delete("1", "")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Vui lòng ghi lý do."));
    assert_eq!(post_to(&app, "/survey/delete", &olga, &delete("2", "nhập nhầm")).await.status(), 409, "a stale version");
    assert!(stored(&app, "N1", "2026-11").await.is_some(), "nothing deleted so far");
    let r = post_to(&app, "/survey/delete", &olga, &delete("1", "Xã nhập nhầm kỳ")).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/communes/N1"));
    assert!(stored(&app, "N1", "2026-11").await.is_none());
    let log = audit_log::Entity::find().filter(audit_log::Column::Action.eq("delete")).one(&app.db).await.unwrap().unwrap();
    assert_eq!((log.actor.as_str(), log.reason.as_deref()), ("olga", Some("Xã nhập nhầm kỳ")));
    assert!(log.new_value.is_none() && log.old_value.as_deref().unwrap().contains("\"respondents\":100"));
    let (_, html) = app.get_text("/communes/N1").await;
    assert!(html.contains("100 / 90 → —"), "the deletion is in the history");
    let trend: Value = app.get("/api/v1/figures/trend?unit=N1&from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(trend[0]["respondents"], 0, "the figures no longer count it");
});

on_both_engines!(hostile_input_gets_a_refusal_and_changes_nothing, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let before = surveys(&app).await;
    let token = token_of(&app, "sam").await;
    // A body over the 1 MiB limit.
    let huge = format!("[{}]", vec![r#"{"unit_code":"N1","period":"2026-11","respondents":1,"satisfied":1}"#; 20_000].join(","));
    let r = app.client.post(app.url("/api/v1/surveys")).bearer_auth(&token).header("content-type", "application/json").body(huge).send().await.unwrap();
    assert_eq!(r.status(), 413);
    // SQL and HTML in every field of the form and the API.
    let sam = login(&app, "sam").await;
    let evil = "N1'; DROP TABLE survey_counts;--";
    let r = post_form(&app, &sam, &[("unit_code", evil), ("model_code", "<script>alert(1)</script>"), ("period", "2026-11' OR '1'='1"), ("respondents", "1; DELETE FROM users"), ("satisfied", "<b>1</b>")]).await;
    assert!(matches!(r.status().as_u16(), 403 | 422), "{}", r.status());
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>") && !html.contains("<b>1</b>"), "typed text is escaped");
    let (status, _) = post_api(&app, Some(&token), json!({"unit_code": evil, "period": "2026-11", "respondents": "1 OR 1=1", "satisfied": 1})).await;
    assert!(matches!(status, 403 | 422));
    let (status, html) = app.get_text("/search?q=%27%20OR%201%3D1--%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)</script>"));
    let (status, _) = app.get_text("/api/v1/figures/trend?unit=N1%27%20OR%201%3D1--&from=2026-11&to=2026-11").await;
    assert!(status < 500, "a bad parameter is the client's error, not ours: {status}");
    // A cookie that is no session, however long.
    let r = post_form(&app, &format!("rd_session={}", "A".repeat(5_000)), &entry("N1", "2026-11", "1", "1")).await;
    assert_eq!(r.headers()["location"], "/login?next=/survey");
    assert_eq!(surveys(&app).await, before, "nothing changed");
    assert_eq!(users::list(&app.db).await.unwrap().len(), 4, "the users are all there");
});

/// The hidden `revision` of a reference form: what an edit is saved against.
fn revision_in(html: &str) -> String {
    let at = html.find(r#"name="revision" value=""#).expect("the form carries its revision") + r#"name="revision" value=""#.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn models_table(app: &TestApp) -> Vec<app::ssr::entities::reform_model::Model> {
    app::ssr::tables::models(&app.db).await.unwrap()
}

on_both_engines!(officials_record_and_edit_models_with_the_import_rules_and_history, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let before = models_table(&app).await;
    let new = |code: &'static str, name: &'static str, launched: &'static str| {
        vec![("code", code), ("name", name), ("category", "Chuyển đổi số"), ("launched_on", launched), ("description", "")]
    };
    // Nobody signed in: sent to sign in, back to the form afterwards.
    let r = app.client.post(app.url("/edit/model")).header("origin", origin(&app)).form(&new("QR2", "Mã QR", "")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/login?next=/edit/model"));
    // Staff do not edit models, whatever the page shows them.
    let sam = login(&app, "sam").await;
    let r = post_to(&app, "/edit/model", &sam, &new("QR2", "Mã QR", "")).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Chỉ cán bộ tỉnh và quản trị viên"));
    // The import's rules, with the messages next to the fields and the values kept.
    let olga = login(&app, "olga").await;
    let r = post_to(&app, "/edit/model", &olga, &new("QR 2", "=HYPERLINK(\"http://x.example/?\"&B2,\"Xem\")", "2026-13-01")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="e-code""#) && html.contains("Mã chỉ gồm chữ cái không dấu"), "{html}");
    assert!(html.contains("bảng tính sẽ coi đó là công thức"));
    assert!(html.contains("«2026-13-01» không phải ngày"));
    assert!(html.contains(r#"value="QR 2""#), "the typed values are kept");
    let r = app.client.post(app.url("/edit/model")).header("origin", origin(&app)).header("cookie", format!("{olga}; lang=en"))
        .form(&new("QR2", "+Mã QR", "")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("Must not begin with `+`: a spreadsheet would run it as a formula."));
    assert_eq!(models_table(&app).await, before, "nothing was written");

    // A new model; its page and the export have it; the same code again is refused.
    let r = post_to(&app, "/edit/model", &olga, &new("QR2", "Mã QR thủ tục", "2026-02-01")).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/models/QR2"));
    let (status, page) = app.get_text("/models/QR2").await;
    assert!(status == 200 && page.contains("Mã QR thủ tục"));
    assert!(!page.contains("/edit/model?code=QR2"), "the public sees no edit link");
    let (_, csv) = app.get_text("/export/models.csv").await;
    assert!(csv.contains("QR2,Mã QR thủ tục,Chuyển đổi số,,2026-02-01"), "{csv}");
    let r = post_to(&app, "/edit/model", &olga, &new("QR2", "Tên khác", "")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Đã có mô hình với mã này"));

    // Two officials edit the same model: the second save, made from the older revision, is refused.
    let html = app.client.get(app.url("/edit/model?code=QR2")).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    let revision = revision_in(&html);
    let ana = login(&app, "ana").await;
    let mut edit = new("QR2", "Tra cứu thủ tục bằng mã QR", "2026-02-01");
    edit.push(("revision", &revision));
    edit.push(("reason", "tên chính thức"));
    assert_eq!(post_to(&app, "/edit/model", &ana, &edit).await.status(), 303);
    let mut late = new("QR2", "Mã QR (olga)", "2026-02-01");
    late.push(("revision", &revision));
    let r = post_to(&app, "/edit/model", &olga, &late).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(section(&html, "reference-conflict").contains("Tra cứu thủ tục bằng mã QR"), "the stored values are shown");
    assert_ne!(revision_in(&html), revision, "the form now edits from the stored revision");
    let stored = models_table(&app).await.into_iter().find(|m| m.code == "QR2").unwrap();
    assert_eq!(stored.name, "Tra cứu thủ tục bằng mã QR", "never overwritten");

    // The history: who, what changed, why — on the model's page, for an official.
    let page = app.client.get(app.url("/models/QR2")).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/edit/model?code=QR2"), "an official sees the edit link");
    let changes = &page[page.find("data-testid=\"model-changes\"").expect("the changes are listed")..];
    assert!(changes.contains("ana · edit · QR2 · name: Mã QR thủ tục → Tra cứu thủ tục bằng mã QR — tên chính thức"), "{changes}");
    let log = audit_log::Entity::find().filter(audit_log::Column::Entity.eq("reform_models")).all(&app.db).await.unwrap();
    assert_eq!(log.len(), 2, "one entry per accepted save");
    let new_value: Value = serde_json::from_str(log[1].new_value.as_deref().unwrap()).unwrap();
    assert_eq!(new_value["name"], "Tra cứu thủ tục bằng mã QR", "real JSON");
});

on_both_engines!(officials_record_adoptions_and_the_adoption_figures_follow, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let adopting = || async {
        let rows: Value = app.get("/api/v1/figures/models?period=2026-Q3").await.json().await.unwrap();
        rows.as_array().unwrap().iter().find(|r| r["model_code"] == "Q").unwrap()["communes_adopting"].as_u64().unwrap()
    };
    assert_eq!(adopting().await, 0);
    let adoptions = || async { app::ssr::tables::adoptions(&app.db, None, None).await.unwrap() };
    let before = adoptions().await;
    let olga = login(&app, "olga").await;
    let adoption = |unit: &'static str, model: &'static str, started: &'static str, ended: &'static str, stage: &'static str| {
        vec![("unit_code", unit), ("model_code", model), ("started_on", started), ("ended_on", ended), ("stage", stage), ("steered_by", "province")]
    };
    for (fields, message) in [
        (adoption("P", "Q", "2026-01-01", "", "pilot"), "«P» là cấp tỉnh"),
        (adoption("N9", "Q", "2026-01-01", "", "pilot"), "Không có đơn vị «N9»"),
        (adoption("N2", "ZZ", "2026-01-01", "", "pilot"), "Không có mô hình «ZZ»"),
        (adoption("N2", "Q", "2026-01-01", "2025-12-31", "pilot"), "Ngày 2025-12-31 sớm hơn ngày bắt đầu 2026-01-01"),
        (adoption("N2", "Q", "2026-01-01", "", "rolled-out"), "Giai đoạn là thí điểm"),
        (adoption("N2", "Q", "1/1/2026", "", "pilot"), "«1/1/2026» không phải ngày"),
    ] {
        let r = post_to(&app, "/edit/adoption", &olga, &fields).await;
        assert_eq!(r.status(), 422, "{message}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    let tina = login(&app, "tina").await;
    assert_eq!(post_to(&app, "/edit/adoption", &tina, &adoption("N2", "Q", "2026-01-01", "", "pilot")).await.status(), 403);
    assert_eq!(adoptions().await, before, "nothing was written");

    let r = post_to(&app, "/edit/adoption", &olga, &adoption("N2", "Q", "2026-01-01", "", "pilot")).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/models/Q"));
    assert_eq!(adopting().await, 1, "the adoption counts in the figures");
    let r = post_to(&app, "/edit/adoption", &olga, &adoption("N2", "Q", "2026-01-01", "", "scaled")).await;
    assert_eq!(r.status(), 422, "the same key again is an edit, not a new adoption");
    assert!(r.text().await.unwrap().contains("đã áp dụng mô hình từ ngày này"));

    // Edit from the model page's link: scaled out; a stale revision is refused.
    let page = app.client.get(app.url("/models/Q")).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    let at = page.find("/edit/adoption?id=").expect("an edit link per unit") + "/edit/adoption?id=".len();
    let id = page[at..at + page[at..].find('"').unwrap()].to_string();
    let html = app.client.get(app.url(&format!("/edit/adoption?id={id}"))).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"value="N2""#) && html.contains(r#"value="2026-01-01""#), "the form shows the stored values");
    let revision = revision_in(&html);
    let mut edit = adoption("N2", "Q", "2026-01-01", "", "scaled");
    edit.extend([("id", id.as_str()), ("revision", revision.as_str())]);
    assert_eq!(post_to(&app, "/edit/adoption", &olga, &edit).await.status(), 303);
    let mut stale = adoption("N2", "Q", "2026-01-01", "2026-06-30", "pilot");
    stale.extend([("id", id.as_str()), ("revision", revision.as_str())]);
    let r = post_to(&app, "/edit/adoption", &olga, &stale).await;
    assert_eq!(r.status(), 409);
    let stored = adoptions().await.into_iter().find(|a| a.unit_code == "N2" && a.model_code == "Q").unwrap();
    assert_eq!((stored.stage.as_str(), stored.ended_on), ("scaled", None), "never overwritten");
    let page = app.client.get(app.url("/models/Q")).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("olga · edit · N2/Q/2026-01-01 · stage: pilot → scaled"), "the change is in the history");
    // A form posted from another site changes nothing.
    let r = app.client.post(app.url("/edit/adoption")).header("origin", "http://evil.example").header("cookie", &olga)
        .form(&adoption("N1", "Q", "2026-01-01", "", "pilot")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(adoptions().await.len(), before.len() + 1);
});

on_both_engines!(admins_edit_the_units_officials_cannot, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let units = || async { app::ssr::tables::units(&app.db, None, None).await.unwrap() };
    let before = units().await;
    let unit = |code: &'static str, level: &'static str, parent: &'static str, from: &'static str, successor: &'static str| {
        vec![("code", code), ("name", "Phường Mới"), ("level", level), ("parent_code", parent), ("kind", "phường"),
             ("valid_from", from), ("valid_to", ""), ("successor_code", successor)]
    };
    let olga = login(&app, "olga").await;
    let r = post_to(&app, "/edit/unit", &olga, &unit("N4", "commune", "P", "2025-07-01", "")).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Chỉ quản trị viên được sửa danh mục đơn vị."));
    let ana = login(&app, "ana").await;
    for (fields, message) in [
        (unit("N4", "commune", "", "2025-07-01", ""), "Đơn vị dưới cấp tỉnh cần có đơn vị cấp trên."),
        (unit("N4", "commune", "N1", "2025-07-01", ""), "Một xã không thể trực thuộc một xã («N1»)."),
        (unit("N4", "district", "D1", "2025-07-01", ""), "Một huyện không thể trực thuộc một huyện («D1»)."),
        (unit("N4", "commune", "P", "2025-07-01", "N9"), "Không có đơn vị «N9»."),
        (unit("N4", "commune", "P", "1.7.2025", ""), "«1.7.2025» không phải ngày"),
        (unit("N1", "commune", "P", "2025-07-01", ""), "Đã có đơn vị với mã này"),
    ] {
        let r = post_to(&app, "/edit/unit", &ana, &fields).await;
        assert_eq!(r.status(), 422, "{message}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    assert_eq!(units().await, before, "nothing was written");
    let r = post_to(&app, "/edit/unit", &ana, &unit("N4", "commune", "P", "2025-07-01", "")).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/communes/N4"));
    let page = app.client.get(app.url("/communes/N4")).header("cookie", &ana).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Phường Mới") && page.contains("/edit/unit?code=N4"), "an admin sees the edit link");
    // A merger recorded on the form: N3 ends and N4 takes it over; the level stays.
    let html = app.client.get(app.url("/edit/unit?code=N3")).header("cookie", &ana).send().await.unwrap().text().await.unwrap();
    let revision = revision_in(&html);
    let merge = vec![("code", "N3"), ("name", "Xã Lặng"), ("level", "commune"), ("parent_code", "P"), ("kind", "xã"),
                     ("valid_from", "2025-07-01"), ("valid_to", "2026-06-30"), ("successor_code", "N4"), ("revision", &revision)];
    let mut as_district = merge.clone();
    as_district[2] = ("level", "district");
    let r = post_to(&app, "/edit/unit", &ana, &as_district).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Không đổi được sau khi đã lưu."));
    assert_eq!(post_to(&app, "/edit/unit", &ana, &merge).await.status(), 303);
    assert_eq!(post_to(&app, "/edit/unit", &ana, &merge).await.status(), 409, "the revision is stale now");
    let n3 = units().await.into_iter().find(|u| u.code == "N3").unwrap();
    assert_eq!((n3.valid_to.map(|d| d.to_string()), n3.successor_code.as_deref()), (Some("2026-06-30".into()), Some("N4")));
    let (_, page) = app.get_text("/communes/N3").await;
    assert!(section(&page, "successor").contains("Phường Mới"), "the page shows the merger");
    let log = audit_log::Entity::find().filter(audit_log::Column::Entity.eq("units")).order_by_asc(audit_log::Column::Id).all(&app.db).await.unwrap();
    let entries: Vec<_> = log.iter().map(|e| (e.entity_key.as_str(), e.old_value.is_some())).collect();
    assert_eq!(entries, [("N4", false), ("N3", true)], "the new unit, then the merger with N3's old values");
});

on_both_engines!(a_unit_stays_valid_during_every_period_it_has_counts_for, |engine: Engine| async move {
    // N1 has counts for 2025-07 and 2025-08 (the fixture's surveys).
    let app = app_with_accounts(engine).await;
    let units = || async { app::ssr::tables::units(&app.db, None, None).await.unwrap() };
    let before = units().await;
    let ana = login(&app, "ana").await;
    let html = app.client.get(app.url("/edit/unit?code=N1")).header("cookie", &ana).send().await.unwrap().text().await.unwrap();
    let revision = revision_in(&html);
    let n1 = |from: &'static str, to: &'static str| {
        vec![("code", "N1"), ("name", "Đông Sơn"), ("level", "commune"), ("parent_code", "P"), ("kind", "xã"),
             ("valid_from", from), ("valid_to", to), ("successor_code", ""), ("revision", revision.as_str())]
    };
    let r = post_to(&app, "/edit/unit", &ana, &n1("2025-08-01", "")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    let message = "Đơn vị đã có số liệu khảo sát kỳ 2025-07, nằm ngoài thời gian hiệu lực này.";
    assert!(html.contains(r#"id="e-valid_from""#) && html.contains(message), "{html}");
    let r = app.client.post(app.url("/edit/unit")).header("origin", origin(&app)).header("cookie", format!("{ana}; lang=en"))
        .form(&n1("2025-07-01", "2025-07-31")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="e-valid_to""#), "{html}");
    assert!(html.contains("The unit has survey counts for 2025-08, outside this validity."), "{html}");
    // The same rule for an import that updates the unit: every row named, nothing written.
    let mut set = app::ssr::import::ImportSet::default();
    let csv = "code,name,level,parent_code,kind,valid_from,valid_to,successor_code\nN1,Đông Sơn,commune,P,xã,2025-07-01,2025-07-31,\n";
    set.units = Some(server::sources::parse_csv("units.csv", csv.as_bytes(), &mut set.problems));
    let opts = app::ssr::import::ImportOptions { update: true };
    let refused = match app::ssr::import::import(&app.db, set, opts, "test", &|_, _, _| {}).await {
        Err(app::ssr::import::ImportError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(refused.contains("units.csv:2: valid_to: the unit has survey counts for 2025-08, outside this validity"), "{refused}");
    assert_eq!(units().await, before, "nothing was written");
    // A validity that still holds every count is saved.
    assert_eq!(post_to(&app, "/edit/unit", &ana, &n1("2025-07-01", "2025-08-31")).await.status(), 303);
});

on_both_engines!(the_reference_forms_authorization_matrix, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let snapshot = || async {
        (
            app::ssr::tables::units(&app.db, None, None).await.unwrap(),
            models_table(&app).await,
            app::ssr::tables::adoptions(&app.db, None, None).await.unwrap(),
        )
    };
    let model = vec![("code", "MX"), ("name", "Mô hình thử"), ("category", ""), ("launched_on", ""), ("description", "")];
    let adoption = vec![("unit_code", "N3"), ("model_code", "M"), ("started_on", "2026-01-01"), ("ended_on", ""), ("stage", "pilot"), ("steered_by", "")];
    let unit = vec![("code", "N5"), ("name", "Xã Thử"), ("level", "commune"), ("parent_code", "P"), ("kind", "xã"), ("valid_from", "2025-07-01"), ("valid_to", ""), ("successor_code", "")];
    let forms = [("/edit/model", &model), ("/edit/adoption", &adoption), ("/edit/unit", &unit)];
    // Who may save which form: 303 to the result; the rest are refused with nothing written.
    let cookies = [("public", String::new()), ("sam", login(&app, "sam").await), ("olga", login(&app, "olga").await)];
    for (who, cookie) in &cookies {
        for (path, fields) in &forms {
            let before = snapshot().await;
            let r = post_to(&app, path, cookie, fields).await;
            let status = r.status().as_u16();
            let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
            let allowed = *who == "olga" && *path != "/edit/unit";
            match (*who, allowed) {
                ("public", _) => assert_eq!((status, location.as_str()), (303, format!("/login?next={path}").as_str()), "{who} {path}"),
                (_, false) => assert_eq!(status, 403, "{who} {path}"),
                (_, true) => assert_eq!(status, 303, "{who} {path}"),
            }
            if !allowed {
                assert_eq!(snapshot().await, before, "{who} {path}: nothing changed");
            }
        }
    }
    let ana = login(&app, "ana").await;
    let mut adoption_n2 = adoption.clone();
    adoption_n2[0] = ("unit_code", "N2");
    for (path, fields) in [("/edit/unit", &unit), ("/edit/adoption", &adoption_n2)] {
        assert_eq!(post_to(&app, path, &ana, fields).await.status(), 303, "an admin may do all an official may, and units");
    }
    let (units, models, adoptions) = snapshot().await;
    assert!(units.iter().any(|u| u.code == "N5") && models.iter().any(|m| m.code == "MX"));
    assert_eq!(adoptions.iter().filter(|a| a.started_on.to_string() == "2026-01-01").count(), 2);
});

on_both_engines!(writes_at_once_share_commits_and_a_refused_one_leaves_the_others, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let (sam, tina) = (token_of(&app, "sam").await, token_of(&app, "tina").await);
    let before = surveys(&app).await;
    let months: Vec<String> =
        (2025..=2026).flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}"))).filter(|p| ("2025-07"..="2026-11").contains(&p.as_str())).collect();
    // (token, row, status it must get): 48 good writes among 12 refused ones, all at once,
    // so that many share a group's transaction with a refused one.
    let mut writes: Vec<(&str, Value, u16)> = Vec::new();
    for (i, p) in months.iter().enumerate() {
        let n = 100 + i as i64;
        writes.push((&sam, json!({"unit_code": "N1", "model_code": "M", "period": p, "respondents": n, "satisfied": n - 7}), 201));
        if p.as_str() >= "2025-09" {
            writes.push((&sam, json!({"unit_code": "N1", "period": p, "respondents": n, "satisfied": n - 3}), 201));
        }
        if p.as_str() >= "2025-08" {
            writes.push((&tina, json!({"unit_code": "N2", "period": p, "respondents": n + 1, "satisfied": n - 1}), 201));
        }
        if i % 4 == 0 {
            writes.push((&sam, json!({"unit_code": "N2", "period": p, "respondents": 10, "satisfied": 5}), 403));
            writes.push((&tina, json!({"unit_code": "N2", "model_code": "M", "period": p, "respondents": 10, "satisfied": 11}), 422));
            writes.push((&sam, json!({"unit_code": "N1", "period": "2025-07", "respondents": 10, "satisfied": 5}), 422));
        }
    }
    assert_eq!(writes.iter().filter(|w| w.2 == 201).count(), 48);
    let first_version = data_version(&app.db).await;
    let answers = futures_util::future::join_all(writes.iter().map(|(token, row, _)| post_api(&app, Some(token), row.clone()))).await;
    for ((_, row, want), (status, body)) in writes.iter().zip(&answers) {
        assert_eq!(status, want, "{row} got {body}");
    }
    // Exactly the acknowledged rows were added, with their values, each with its audit entry.
    let mut want = before.clone();
    for (_, row, status) in writes.iter().filter(|w| w.2 == 201) {
        let model = row["model_code"].as_str().map(str::to_string);
        let (n, s) = (row["respondents"].as_i64().unwrap() as i32, row["satisfied"].as_i64().unwrap() as i32);
        assert_eq!(*status, 201);
        want.push((row["unit_code"].as_str().unwrap().to_string(), model, row["period"].as_str().unwrap().to_string(), n, s, 1));
    }
    want.sort();
    assert_eq!(surveys(&app).await, want);
    let audited = audit_log::Entity::find().filter(audit_log::Column::Action.eq("api")).count(&app.db).await.unwrap();
    assert_eq!(audited, 48);
    let raised = data_version(&app.db).await - first_version;
    assert!((1..=60).contains(&raised), "the data version rose once per group: {raised}");
    eprintln!("60 writes at once went in {raised} transaction(s)");
});

on_both_engines!(entries_at_once_on_one_unit_and_model_are_checked_against_each_other, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let sam = token_of(&app, "sam").await;
    let before = surveys(&app).await;
    // A group reads the stored rows once for all its entries: entries on the same unit and
    // model must still see each other. All at once, for each quarter of 2026 up to the third:
    // a month and the quarter holding it (they overlap), and one key twice with other values.
    let mut writes = Vec::new();
    for q in 1..=3 {
        let month = format!("2026-{:02}", q * 3 - 2);
        writes.push(json!({"unit_code": "N1", "model_code": "M", "period": month, "respondents": 50, "satisfied": 40}));
        writes.push(json!({"unit_code": "N1", "model_code": "M", "period": format!("2026-Q{q}"), "respondents": 150, "satisfied": 120}));
        let other = format!("2026-{:02}", q * 3 - 1);
        writes.push(json!({"unit_code": "N1", "period": other, "respondents": 60, "satisfied": 50}));
        writes.push(json!({"unit_code": "N1", "period": other, "respondents": 61, "satisfied": 51}));
    }
    let answers = futures_util::future::join_all(writes.iter().map(|row| post_api(&app, Some(&sam), row.clone()))).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    // Of each pair, exactly one is written and the other refused for the one written.
    let mut want = before;
    for (pair, answers) in writes.chunks(2).zip(answers.chunks(2)) {
        let (kept, refused) = match (answers[0].0, answers[1].0) {
            (201, 422) => (&pair[0], &answers[1].1),
            (422, 201) => (&pair[1], &answers[0].1),
            other => panic!("{pair:?} got {other:?}: {statuses:?}"),
        };
        let message = refused["problems"][0]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("overlaps") || message.contains("already exists"), "{message}");
        let model = kept["model_code"].as_str().map(str::to_string);
        let (n, s) = (kept["respondents"].as_i64().unwrap() as i32, kept["satisfied"].as_i64().unwrap() as i32);
        want.push(("N1".to_string(), model, kept["period"].as_str().unwrap().to_string(), n, s, 1));
    }
    want.sort();
    assert_eq!(surveys(&app).await, want);
});

async fn data_version(db: &app::ssr::Db) -> i64 {
    app::ssr::entities::data_version::Entity::find().one(db).await.unwrap().unwrap().version
}

/// A page as a visitor gets it: its CSP header and its body.
async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (String, String) {
    let mut r = app.client.get(app.url(path));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    (csp, r.text().await.unwrap())
}

fn nonce_of(html: &str) -> String {
    html.split("nonce=\"").nth(1).and_then(|r| r.split('"').next()).expect("an inline script with a nonce").to_string()
}

on_both_engines!(pages_kept_for_visitors_follow_every_write_their_language_and_sign_in, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    // Twice the same page, the second from the cache: the same bytes and policy, which
    // allows the page's inline scripts by their hashes and hands out no nonce.
    let (csp_a, a) = page(&app, "/communes/N1", None).await;
    let (csp_b, b) = page(&app, "/communes/N1", None).await;
    assert_eq!((&csp_a, &a), (&csp_b, &b));
    assert!(!csp_a.contains("'nonce-") && !a.contains("nonce="), "{csp_a}");
    let scripts = common::inline_scripts(&a);
    assert!(!scripts.is_empty());
    for script in scripts {
        assert!(csp_a.contains(&common::csp_hash(script)), "{csp_a} allows {script}");
    }
    assert!(b.contains("data-testid=\"change-history-empty\"") && b.contains("Được thành lập từ:"));
    // Compressed once, sent as it is to a browser that takes gzip.
    let r = app.client.get(app.url("/communes/N1")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["vary"], "accept-encoding, cookie", "a kept page differs by language (a cookie)");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&r.bytes().await.unwrap()[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, a);
    // Brotli, the smaller, to a browser that takes it (over HTTPS, browsers all do).
    let r = app.client.get(app.url("/communes/N1")).header("accept-encoding", "gzip, deflate, br").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    let brotlied = r.bytes().await.unwrap();
    let mut unbrotlied = Vec::new();
    brotli::BrotliDecompress(&mut &brotlied[..], &mut unbrotlied).unwrap();
    assert_eq!(String::from_utf8(unbrotlied).unwrap(), a);
    let r = app.client.get(app.url("/communes/N1")).header("accept-encoding", "gzip;q=0, br;q=0").send().await.unwrap();
    assert!(r.headers().get("content-encoding").is_none(), "both refused");
    assert_eq!(r.text().await.unwrap(), a);
    // Another language is another page.
    let (_, en) = page(&app, "/communes/N1", Some("lang=en")).await;
    assert!(en.contains("Formed from:") && !en.contains("Được thành lập từ:"));
    // A write shows at once, to the next visitor.
    let sam = token_of(&app, "sam").await;
    let (status, _) = post_api(&app, Some(&sam), json!({"unit_code": "N1", "period": "2026-10", "respondents": 100, "satisfied": 90})).await;
    assert_eq!(status, 201);
    let (_, after) = page(&app, "/communes/N1", None).await;
    assert_eq!(common::testid_text(&after, "change-who"), "sam", "the kept page went with the write");
    // Signed in, the page is the account's own (its name in the header), and the visitors'
    // kept page does not carry it.
    let cookie = login(&app, "sam").await;
    let (csp_mine, mine) = page(&app, "/communes/N1", Some(&cookie)).await;
    assert!(mine.contains("sam (thử)"), "{mine}");
    // Rendered for this answer alone: its scripts carry the nonce of its policy.
    let nonce = nonce_of(&mine);
    assert!(csp_mine.contains(&format!("'nonce-{nonce}'")), "{csp_mine}");
    let (_, visitor) = page(&app, "/communes/N1", None).await;
    assert!(!visitor.contains("sam (thử)") && !visitor.contains("data-testid=\"signed-in\""));
});

on_both_engines!(a_tokens_use_is_recorded_when_requests_arrive_together, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let token = token_of(&app, "sam").await;
    let user = users::find(&app.db, "sam").await.unwrap().unwrap();
    let last_used = || async {
        let tokens = app::ssr::auth::token::list(&app.db, user.id).await.unwrap();
        tokens.into_iter().find(|t| t.name.starts_with("desk-")).unwrap().last_used_at
    };
    assert_eq!(last_used().await, None);
    // Eight requests at once all read the token unused; its use is written once, and each
    // request is answered (an empty batch: refused, after authentication).
    let answers = futures_util::future::join_all((0..8).map(|_| post_api(&app, Some(&token), json!({"rows": []})))).await;
    assert!(answers.iter().all(|(status, _)| *status == 422), "{answers:?}");
    let first = last_used().await.expect("the token's use is recorded");
    // Within the minute, further use leaves it as it is.
    post_api(&app, Some(&token), json!({"rows": []})).await;
    assert_eq!(last_used().await, Some(first));
});
