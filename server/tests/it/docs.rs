//! The documentation holds: every relative link of the README and `docs/` reaches a file
//! and, with `#anchor`, a heading of it; and every `curl` example of `docs/api.md` answers
//! as shown when run, in order, against the demo province on each engine.
//!
//! An example is a `sh` block holding one `curl` command (its status after `# ` when not
//! 200), followed by a `json` block: the answer must hold every key shown with the value
//! shown, and an array the elements shown in that order (others may stand between them).
//! `$TOKEN` is an API token of `demo-staff` (unit 38-001), made with the CLI.
use crate::common;
use common::{cli, stderr, stdout, Engine, TestApp};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn documents() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The lines outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    prose(text).into_iter().filter_map(|l| l.strip_prefix('#')).map(|h| slug(h.trim_start_matches('#'))).collect()
}

/// Every `](target)` of the prose, without `http(s)://` and `mailto:` ones.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            if !target.contains("://") && !target.starts_with("mailto:") {
                out.push(target.to_string());
            }
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_and_anchor_of_the_docs_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for target in links(&text) {
            checked += 1;
            let (file, anchor) = target.split_once('#').map_or((target.as_str(), None), |(f, a)| (f, Some(a)));
            let path = if file.is_empty() { doc.clone() } else { doc.parent().unwrap().join(file) };
            if !path.exists() {
                broken.push(format!("{}: {target}: no such file", doc.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                let linked = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&linked).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {target}: no such heading", doc.display()));
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} links found: is the parser still right?");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_is_a_first_screen() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 200, "README.md has {lines} lines: move the rest to docs/");
    assert!(readme.contains("make run") && readme.contains("make test"), "the two commands");
    assert!(!readme.contains("shared/guide"), "the README names files a clone does not have");
}

/// One example: the command's words, the status it expects, the answer shown.
#[derive(Debug)]
struct Example {
    words: Vec<String>,
    status: u16,
    answer: Value,
}

/// The words of a shell command line, with its single and double quotes taken off.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (_, c) => (word, any) = (word + &c.to_string(), true),
        }
    }
    assert!(quote.is_none(), "an unclosed quote in `{line}`");
    if any {
        words.push(word);
    }
    words
}

fn examples(api_md: &str) -> Vec<Example> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in api_md.lines() {
        match (&mut open, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => blocks.push(open.take().unwrap()),
            (Some((_, body)), None) => body.push_str(&(line.to_string() + "\n")),
            (None, None) => {}
        }
    }
    let mut out = Vec::new();
    for (i, (lang, body)) in blocks.iter().enumerate() {
        if lang != "sh" || !body.contains("curl ") {
            continue;
        }
        let command = body.replace("\\\n", " ");
        let lines: Vec<&str> = command.lines().filter(|l| l.trim_start().starts_with("curl ")).collect();
        assert_eq!(lines.len(), 1, "one curl per example:\n{body}");
        let (command, status) = match lines[0].rsplit_once(" # ") {
            Some((c, s)) => (c, s.trim().parse().unwrap_or_else(|_| panic!("`# {s}` is no status"))),
            None => (lines[0], 200),
        };
        let answer = match blocks.get(i + 1) {
            Some((lang, json)) if lang == "json" => {
                serde_json::from_str(json).unwrap_or_else(|e| panic!("the answer of `{command}` is no JSON: {e}"))
            }
            _ => panic!("`{command}` has no json block after it"),
        };
        out.push(Example { words: shell_words(command), status, answer });
    }
    out
}

/// Whether `actual` holds what `shown` shows: the keys shown with their values, the array
/// elements shown in their order.
fn holds(actual: &Value, shown: &Value) -> bool {
    match (actual, shown) {
        (Value::Object(a), Value::Object(s)) => s.iter().all(|(k, v)| a.get(k).is_some_and(|x| holds(x, v))),
        (Value::Array(a), Value::Array(s)) => {
            let mut rest = a.iter();
            s.iter().all(|want| rest.any(|x| holds(x, want)))
        }
        (Value::Number(a), Value::Number(s)) => a.as_f64() == s.as_f64(),
        _ => actual == shown,
    }
}

async fn run(app: &TestApp, example: &Example, token: &str) -> (u16, Value) {
    let mut words = example.words.iter().map(|w| w.replace("$TOKEN", token));
    assert_eq!(words.next().as_deref(), Some("curl"));
    let (mut method, mut url, mut headers, mut data) = (None, None, Vec::new(), None);
    while let Some(w) = words.next() {
        match w.as_str() {
            "-s" => {}
            "-X" => method = words.next(),
            "-H" => headers.push(words.next().expect("a header after -H")),
            "-d" => data = words.next(),
            w if w.starts_with("http://127.0.0.1:3000/") => url = Some(app.url(&w["http://127.0.0.1:3000".len()..])),
            other => panic!("the docs' examples use -s, -X, -H and -d; `{other}` is not understood here"),
        }
    }
    let method = method.unwrap_or_else(|| if data.is_some() { "POST".into() } else { "GET".into() });
    let mut request = app.client.request(method.parse().unwrap(), url.expect("a URL of the demo"));
    for h in headers {
        let (name, value) = h.split_once(':').expect("a header is `Name: value`");
        request = request.header(name.trim(), value.trim());
    }
    if let Some(body) = data {
        request = request.body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

on_both_engines!(every_curl_example_of_the_api_docs_answers_as_shown, |engine: Engine| async move {
    let app = TestApp::spawn_serve(engine).await;
    let made = cli(&app.database.url, &["token", "create", "docs", "--user", "demo-staff"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).split_whitespace().find(|w| w.starts_with("rdt_")).expect("a token").to_string();
    let api_md = std::fs::read_to_string(root().join("docs/api.md")).unwrap();
    let examples = examples(&api_md);
    assert!(examples.len() >= 8, "{} examples found in docs/api.md", examples.len());
    for example in &examples {
        let (status, answer) = run(&app, example, &token).await;
        let shown = example.words.join(" ");
        assert_eq!(status, example.status, "{shown}\nanswered {answer:#}");
        assert!(holds(&answer, &example.answer), "{shown}\nanswered {answer:#}\nnot as shown: {:#}", example.answer);
    }
});

#[test]
fn the_answer_check_can_fail() {
    let answer = serde_json::json!([{"a": 1, "b": 2}, {"a": 3}]);
    assert!(holds(&answer, &serde_json::json!([{"a": 3}])));
    assert!(holds(&answer, &serde_json::json!([{"b": 2}, {"a": 3}])));
    assert!(!holds(&answer, &serde_json::json!([{"a": 3}, {"a": 1}])), "order kept");
    assert!(!holds(&answer, &serde_json::json!([{"a": 2}])));
    assert!(!holds(&serde_json::json!({"a": 1}), &serde_json::json!({"c": 1})));
    assert_eq!(shell_words(r#"curl -H 'A: b c' -d '{"x": 1}' x"#), ["curl", "-H", "A: b c", "-d", r#"{"x": 1}"#, "x"]);
    assert_eq!(slug("The suite: `make bench`"), "the-suite-make-bench");
    assert_eq!(slug("2026-12-03, commit f384aeb"), "2026-12-03-commit-f384aeb");
}
