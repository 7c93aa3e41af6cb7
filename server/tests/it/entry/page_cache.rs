//! Pages kept for visitors follow every write, their language and sign-in.
use super::*;

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
    assert_eq!(common::testid_text(&after, "change-who"), "Cán bộ xã", "the kept page went with the write");
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
