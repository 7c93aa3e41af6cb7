//! Survey entry through the form and the write API: every rule's message, who may write
//! what, lost updates, deletions, hostile input, and writes that arrive together.
use super::*;

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

    // The commune page shows who changed what (to the public, by role), from what to what.
    let (status, html) = app.get_text("/communes/N1").await;
    assert_eq!(status, 200);
    let history = common::testid_text(&html, "change-who");
    assert_eq!(history, "Cán bộ xã");
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
    // The public sees who by role, never by sign-in name; an official sees the name.
    assert_eq!(common::testid_text(&html, "change-who"), "Cán bộ tỉnh");
    assert!(!html.contains("olga") && !html.contains(">sam<"), "no sign-in name for the public");
    let signed_in = app.client.get(app.url("/communes/N1")).header("cookie", &olga).send().await.unwrap().text().await.unwrap();
    assert_eq!(common::testid_text(&signed_in, "change-who"), "olga");
    let staff = app.client.get(app.url("/communes/N1")).header("cookie", &sam).send().await.unwrap().text().await.unwrap();
    assert_eq!(common::testid_text(&staff, "change-who"), "Cán bộ tỉnh", "staff see roles too");
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

on_both_engines!(a_refused_write_leaves_the_data_version_and_the_figures_kept, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let (sam, olga, ana) = (login(&app, "sam").await, login(&app, "olga").await, login(&app, "ana").await);
    let token = token_of(&app, "sam").await;
    assert_eq!(post_form(&app, &sam, &entry("N1", "2026-10", "100", "90")).await.status(), 303);
    let before = (data_version(&app.db).await, surveys(&app).await);
    let row = |unit: &str, n: u32, s: u32| json!({"unit_code": unit, "period": "2026-10", "respondents": n, "satisfied": s});
    let refusals: Vec<(&str, u16)> = vec![
        ("form: a rule broken", post_form(&app, &sam, &entry("N1", "2026-09", "10", "11")).await.status().as_u16()),
        ("form: another unit", post_form(&app, &sam, &entry("N2", "2026-09", "10", "9")).await.status().as_u16()),
        ("form: stored with other values", post_form(&app, &sam, &entry("N1", "2026-10", "100", "80")).await.status().as_u16()),
        ("API: a rule broken", post_api(&app, Some(&token), row("N1", 10, 11)).await.0),
        ("API: another unit", post_api(&app, Some(&token), row("N2", 10, 9)).await.0),
        ("API: a stale version", post_api(&app, Some(&token), json!({"unit_code": "N1", "period": "2026-10", "respondents": 100, "satisfied": 80, "version": 7})).await.0),
        ("API: the stored values again", post_api(&app, Some(&token), row("N1", 100, 90)).await.0),
        (
            "deletion by staff",
            post_to(&app, "/survey/delete", &sam, &[("unit_code", "N1"), ("period", "2026-10"), ("version", "1"), ("reason", "x")])
                .await
                .status()
                .as_u16(),
        ),
        ("model form: a rule broken", post_to(&app, "/edit/model", &olga, &[("code", "=X"), ("name", "Y")]).await.status().as_u16()),
        (
            "account form: a user already there",
            post_to(
                &app,
                "/admin/users",
                &ana,
                &[("username", "sam"), ("display_name", "x"), ("role", "staff"), ("unit_code", "N1"), ("password", PASSWORD)],
            )
            .await
            .status()
            .as_u16(),
        ),
    ];
    assert_eq!(
        refusals.iter().map(|(_, status)| *status).collect::<Vec<_>>(),
        [422, 403, 422, 422, 403, 409, 200, 403, 422, 422],
        "{refusals:?}"
    );
    // An import with a broken row: refused whole, by the command line.
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("surveys.csv"), "unit_code,period,respondents,satisfied\nN1,2026-09,10,11\n").unwrap();
    let import = common::cli(&app.database.url, &["import", files.path().to_str().unwrap()]);
    assert!(!import.status.success(), "{}", common::stderr(&import));
    assert_eq!((data_version(&app.db).await, surveys(&app).await), before, "nothing written, nothing changed");
});
