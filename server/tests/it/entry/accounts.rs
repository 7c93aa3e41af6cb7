//! Sign-in, sessions, cross-site requests, accounts and tokens from the command line and
//! the account pages, the demo's accounts.
use super::*;

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
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("demo-accounts.txt");
        let accounts = server::accounts::create_demo_accounts(&db, &file).await.unwrap();
        let roles: Vec<Role> = accounts.iter().map(|a| a.role).collect();
        assert_eq!(roles, [Role::Admin, Role::Official, Role::Staff]);
        let staff = accounts.iter().find(|a| a.username == "demo-staff").unwrap();
        let (account, _) = app::ssr::auth::login(&db, "demo-staff", &staff.password, "127.0.0.1").await.unwrap();
        assert_eq!(account.unit_code.as_deref(), Some("38-001"));
        assert!(std::fs::read_to_string(&file).unwrap().contains(&format!("password: {}\n", staff.password)));
        std::fs::remove_file(&file).unwrap();
        assert!(server::accounts::create_demo_accounts(&db, &file).await.unwrap().is_empty(), "created once, shown once");
        assert!(!file.exists(), "no new account, no file");
        passwords.push(staff.password.clone());
    }
    assert_ne!(passwords[0], passwords[1], "never a fixed password");
    assert!(passwords.iter().all(|p| p.len() >= 20));
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

/// `n` sign-ins sent at once, the `right`th with the real password; each one's status (0: a
/// connection refused past the cap per address, in the long runs' larger bursts).
async fn burst(app: &TestApp, n: usize, name: impl Fn(usize) -> String, right: usize) -> Vec<u16> {
    let sends = (0..n).map(|i| {
        let password = if i == right { PASSWORD } else { "a wrong password" };
        app.client.post(app.url("/login")).header("origin", origin(app)).form(&[("username", name(i)), ("password", password.into())]).send()
    });
    futures_util::future::join_all(sends).await.into_iter().map(common::status_or_refused).collect()
}

on_both_engines!(a_parallel_burst_of_sign_ins_gets_no_more_checks_than_the_limits, |engine: Engine| async move {
    use app::ssr::auth::throttle::{PER_ACCOUNT, PER_ADDRESS};
    let app = app_with_accounts(engine).await;
    // One account: the real password as the 45th of 60 sent at once (or of more, in the
    // long runs). Each attempt is counted before its password is checked, so at most the
    // account's limit are checked (answered 401, or 303 for the real one should it arrive
    // among them); the rest wait (429). A right password clears the account's count — the
    // person signing in during an attack is not locked out — so after it the limit's
    // guesses are counted again: at most the limit before it and the limit after.
    let n = common::setting("HOSTILE_BURST", 60) as usize;
    let statuses = burst(&app, n, |_| "sam".into(), n * 3 / 4).await;
    let checked = statuses.iter().filter(|s| matches!(s, 401 | 303)).count();
    let signed_in = statuses.contains(&303);
    let limit = if signed_in { 2 * PER_ACCOUNT as usize } else { PER_ACCOUNT as usize };
    assert!(checked <= limit, "{checked} checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| matches!(s, 429 | 0)).count(), n - checked, "{statuses:?}");
    // One address, many names: at most the address's limit of them are checked.
    let statuses = burst(&app, n + 20, |i| format!("guess{i}"), usize::MAX).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= PER_ADDRESS as usize, "{checked} checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| matches!(s, 429 | 0)).count(), n + 20 - checked, "{statuses:?}");
    // The address over its limit made no row for the names it sent.
    let rows = app::ssr::entities::login_failure::Entity::find().count(&app.db).await.unwrap();
    assert!(rows <= 2 + PER_ADDRESS as u64, "{rows} throttle rows");
});

on_both_engines!(behind_https_the_session_cookie_is_a_host_cookie_and_browsers_are_told_to_stay, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let https = |r: reqwest::RequestBuilder| r.header("origin", origin(&app)).header("x-forwarded-proto", "https");
    let r = https(app.client.post(app.url("/login"))).form(&[("username", "sam"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-rd_session=") && set.contains("; Path=/;") && set.ends_with("; Secure"), "{set}");
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    let cookie = set.split(';').next().unwrap().to_string();
    let page = https(app.client.get(app.url("/survey"))).header("cookie", &cookie).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("data-testid=\"signed-in\""), "the __Host- cookie signs in");
    let out = https(app.client.post(app.url("/logout"))).header("cookie", &cookie).send().await.unwrap();
    assert!(out.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-rd_session=; "));
    // Over plain HTTP neither: browsers ignore HSTS there, and a Secure cookie would not come back.
    let plain = app.client.get(app.url("/")).send().await.unwrap();
    assert!(plain.headers().get("strict-transport-security").is_none());
});

on_both_engines!(a_new_password_ends_the_api_tokens_too, |engine: Engine| async move {
    let app = app_with_accounts(engine).await;
    let token = token_of(&app, "sam").await;
    let row = json!({"unit_code": "N1", "period": "2026-10", "respondents": 100, "satisfied": 90});
    assert_eq!(post_api(&app, Some(&token), row.clone()).await.0, 201);
    let txn = writes::begin(&app.db).await.unwrap();
    users::set_password(&txn, &app::domain::access::Writer::Command("test".into()), "sam", "một mật khẩu mới 2026".into())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(post_api(&app, Some(&token), row).await.0, 401, "the token went with the old password");
    let live = app::ssr::auth::token::list(&app.db, users::find(&app.db, "sam").await.unwrap().unwrap().id).await.unwrap();
    assert!(live.is_empty(), "and the account page lists none");
});

on_both_engines!(the_account_pages_password_check_is_counted_like_a_sign_in, |engine: Engine| async move {
    use app::ssr::auth::throttle::PER_ACCOUNT;
    let app = app_with_accounts(engine).await;
    let cookie = login(&app, "sam").await;
    let guess = [("current", "not the password"), ("password", "một mật khẩu mới 2026"), ("again", "một mật khẩu mới 2026")];
    let mut statuses = Vec::new();
    for _ in 0..PER_ACCOUNT + 2 {
        statuses.push(post_to(&app, "/account/password", &cookie, &guess).await.status().as_u16());
    }
    let mut want = vec![422; PER_ACCOUNT as usize];
    want.extend([429, 429]);
    assert_eq!(statuses, want, "a stolen session is no way to guess the password");
});

on_both_engines!(a_token_ends_after_its_last_day, |engine: Engine| async move {
    use app::ssr::entities::api_token;
    use sea_orm::{sea_query::Expr, QueryFilter as _};
    let app = app_with_accounts(engine).await;
    let url = &app.database.url;
    let today = app::domain::period::vietnam_date(chrono::Utc::now());
    let row = |period: &str| json!({"unit_code": "N1", "period": period, "respondents": 10, "satisfied": 9});
    // From the command line: a last day or a number of days; a past day or nonsense refused.
    let created = common::cli(url, &["token", "create", "desk-a", "--user", "sam", "--expires", &today.to_string()]);
    assert!(created.status.success(), "{}", common::stderr(&created));
    let desk_a = common::stdout(&created).trim().to_string();
    let created = common::cli(url, &["token", "create", "desk-b", "--user", "sam", "--expires", "30d"]);
    assert!(created.status.success(), "{}", common::stderr(&created));
    for (expires, message) in [
        ("2020-01-01", "error: the last day `2020-01-01` has passed"),
        ("soon", "error: an expiry is a date (YYYY-MM-DD) or a number of days (90d), got `soon`"),
        ("9999d", "error: a token lives at most 3653 days"),
    ] {
        let refused = common::cli(url, &["token", "create", "desk-c", "--user", "sam", "--expires", expires]);
        assert!(!refused.status.success());
        assert!(common::stderr(&refused).starts_with(message), "{expires}: {}", common::stderr(&refused));
    }
    let listed = common::stdout(&common::cli(url, &["token", "list", "--user", "sam"]));
    let in_30 = (today + chrono::Duration::days(30)).to_string();
    assert!(listed.contains(&format!("\t{today}\n")) && listed.contains(&format!("\t{in_30}\n")), "{listed}");
    assert!(!listed.contains("desk-c"), "a refused token was not made: {listed}");
    // Its last day still works.
    assert_eq!(post_api(&app, Some(&desk_a), row("2026-09")).await.0, 201);
    // A day later (the moment moved back rather than the clock forward) it is refused, and
    // listed as expired — on the command line and the owner's page.
    api_token::Entity::update_many()
        .col_expr(api_token::Column::ExpiresAt, Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))))
        .filter(api_token::Column::Name.eq("desk-a"))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(post_api(&app, Some(&desk_a), row("2026-08")).await.0, 401, "an expired token signs nothing");
    let listed = common::stdout(&common::cli(url, &["token", "list", "--user", "sam"]));
    assert!(listed.lines().any(|l| l.starts_with("desk-a\t") && l.ends_with(" expired")), "{listed}");
    let sam = login(&app, "sam").await;
    let html = app.client.get(app.url("/account")).header("cookie", &sam).send().await.unwrap().text().await.unwrap();
    let tokens = section(&html, "tokens");
    assert!(tokens.contains("đã hết hạn") && tokens.contains(&in_30), "{tokens}");
    // On the page: a last day in the past is told next to the field, nothing is made.
    let r = post_to(&app, "/account/tokens", &sam, &[("name", "desk-d"), ("expires", "2020-01-01")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Ngày hết hạn 2020-01-01 đã qua."));
    let r = post_to(&app, "/account/tokens", &sam, &[("name", "desk-d"), ("expires", &in_30)]).await;
    assert_eq!(r.status(), 201);
    let stored = api_token::Entity::find().filter(api_token::Column::Name.eq("desk-d")).one(&app.db).await.unwrap().unwrap();
    assert_eq!(stored.expires_at, Some(app::domain::access::after_last_day(today + chrono::Duration::days(30))));
});
