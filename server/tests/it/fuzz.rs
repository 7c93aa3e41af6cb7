//! The fuzzing slice that runs with the suite: random and mutated inputs for the CSV and
//! XLSX readers, and for the write API's and the entry form's decoders. Nothing may panic
//! or answer 5xx, and a refused write changes nothing. For a long run `PROPTEST_CASES` sets
//! the readers' case count, `FUZZ_BODIES` the mutated bodies per decoder and `FUZZ_SEED`
//! their sequence (`scripts/fuzz-long.sh` runs them all for minutes; the property
//! tests of the domain's parsers live beside them in `app`; `PROPTEST_CASES` there too).
use crate::common;
use common::{fixture, Engine, TestApp};
use proptest::prelude::*;

/// The suite's count, or the long run's from the environment.
fn count(variable: &str, suite: u32) -> u32 {
    std::env::var(variable).ok().and_then(|v| v.parse().ok()).unwrap_or(suite)
}

/// A valid surveys file to mutate.
fn valid_csv() -> Vec<u8> {
    std::fs::read(fixture("reorg").join("surveys.csv")).unwrap()
}

/// `bytes` with a few bytes replaced, dropped or inserted, at positions from `edits`.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, kind, value) in edits {
        if bytes.is_empty() {
            bytes.push(value);
            continue;
        }
        let at = at % bytes.len();
        match kind % 3 {
            0 => bytes[at] = value,
            1 => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, value),
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: count("PROPTEST_CASES", 256), ..ProptestConfig::default() })]

    #[test]
    fn the_csv_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut problems = Vec::new();
        let table = server::sources::parse_csv("surveys.csv", &bytes, &mut problems);
        // A line ends at LF, CRLF or a lone CR (old Mac spreadsheets). The 10-minute run
        // found `\x0e\r\x0e`: the reader gave its second line the number 1.
        let lone_crs = bytes.iter().enumerate().filter(|(i, b)| **b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
        let lines = (bytes.iter().filter(|b| **b == b'\n').count() + lone_crs) as u64 + 1;
        prop_assert!(table.rows.iter().all(|(line, _)| *line >= 2 && *line <= lines), "line numbers within the file");
    }

    #[test]
    fn the_csv_reader_takes_mutated_files(edits in edits()) {
        let bytes = mutate(valid_csv(), &edits);
        let mut problems = Vec::new();
        let table = server::sources::parse_csv("surveys.csv", &bytes, &mut problems);
        prop_assert!(table.rows.iter().all(|(_, cells)| cells.len() == table.header.len()));
    }
}

proptest! {
    // Each case writes and opens a workbook: fewer cases, the same kind of damage.
    #![proptest_config(ProptestConfig { cases: count("PROPTEST_CASES", 48), ..ProptestConfig::default() })]

    #[test]
    fn the_xlsx_reader_takes_mutated_workbooks(edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("surveys").unwrap();
        for (r, line) in String::from_utf8(valid_csv()).unwrap().lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        std::fs::write(&path, mutate(bytes, &edits)).unwrap();
        // An error is the right answer to a damaged file; a panic is not.
        let _ = server::sources::read(&path);
    }
}

/// A small xorshift generator: the mutations of the HTTP slice are the same on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn edits(&mut self) -> Vec<(usize, u8, u8)> {
        (0..1 + self.next() % 6).map(|_| (self.next() as usize, self.next() as u8, self.next() as u8)).collect()
    }
}

const PASSWORD: &str = "a long password for the fuzzing";

on_both_engines!(mutated_write_bodies_are_refused_or_written_whole, |engine: Engine| async move {
    let app = TestApp::spawn_with(engine, false, |db| async move {
        let set = server::sources::read(&fixture("reorg")).unwrap();
        app::ssr::import::import(&db, set, Default::default(), "test", &|_, _, _| {}).await.unwrap();
        let txn = app::ssr::writes::begin(&db).await.unwrap();
        let sam = app::ssr::writes::users::NewUser {
            username: "sam".into(),
            display_name: "Sam".into(),
            role: app::domain::access::Role::Staff,
            unit_code: Some("N1".into()),
            password: PASSWORD.into(),
        };
        app::ssr::writes::users::add(&txn, &app::domain::access::Writer::Command("test".into()), sam).await.unwrap();
        txn.commit().await.unwrap();
    })
    .await;
    // A staff member's token and session, so that every body gets as far as decoding and the rules.
    let user = app::ssr::writes::users::find(&app.db, "sam").await.unwrap().unwrap();
    let token = app::ssr::auth::token::create(&app.db, &user, "fuzz", "").await.unwrap();
    let origin = format!("http://{}", app.addr);
    let login = app.client.post(app.url("/login")).header("origin", &origin)
        .form(&[("username", "sam"), ("password", PASSWORD), ("next", "/survey")]).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let surveys = || async { app::ssr::tables::surveys_after(&app.db, None, 100_000).await.unwrap() };
    let before = surveys().await;
    let json = br#"[{"unit_code":"N1","period":"2026-10","respondents":100,"satisfied":90}]"#.to_vec();
    let form = b"unit_code=N1&model_code=&period=2026-09&respondents=100&satisfied=90&version=&reason=".to_vec();
    // The suite's sequence is fixed; a long run draws a new one per round (`FUZZ_SEED`).
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_2026_1201);
    let mut noise = Noise(seed);
    let mut accepted = 0;
    for _ in 0..count("FUZZ_BODIES", 100) {
        let body = mutate(json.clone(), &noise.edits());
        let r = app.client.post(app.url("/api/v1/surveys")).bearer_auth(&token).header("content-type", "application/json").body(body).send().await.unwrap();
        assert!(r.status().is_success() || r.status().is_client_error(), "the API answered {}", r.status());
        accepted += usize::from(r.status().is_success());
        let body = mutate(form.clone(), &noise.edits());
        let r = app.client.post(app.url("/survey")).header("origin", &origin).header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
        assert!(r.status().is_client_error() || r.status() == 303, "the form answered {}", r.status());
        accepted += usize::from(r.status() == 303);
    }
    // A mutation may still be a valid entry (a digit for a digit): that one is written whole, as one row.
    let after = surveys().await;
    let old: Vec<_> = after.iter().filter(|s| before.iter().any(|b| b.unit_code == s.unit_code && b.model_code == s.model_code && b.period == s.period)).collect();
    assert_eq!(old.len(), before.len(), "no stored row went missing");
    assert!(after.len() - before.len() <= accepted, "{} new rows for {accepted} accepted writes", after.len() - before.len());
    assert!(after.iter().all(|s| s.satisfied <= s.respondents && s.respondents >= 1), "every stored row keeps the rules");
});
