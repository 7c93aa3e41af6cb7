//! Test helpers: a fresh database per test on each engine, the real server on a random
//! port, and the real binary for CLI tests.
#![allow(dead_code)]
use app::ssr::{AppState, Db};
use server::config::Settings;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database that exists for one test only.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.path().display());
                TestDb { url, _dir: Some(dir) }
            }
            Engine::Postgres => {
                // Never skipped: without a server the test fails and says how to get one.
                let admin = std::env::var("TEST_DATABASE_URL").expect(
                    "TEST_DATABASE_URL is not set: run the tests with `make test` (it starts PostgreSQL), \
                     or point TEST_DATABASE_URL at a PostgreSQL server whose role may CREATE DATABASE",
                );
                let name = format!(
                    "rdtest_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
                );
                let db = sea_orm::Database::connect(&admin).await.expect("connect to TEST_DATABASE_URL");
                use sea_orm::ConnectionTrait;
                db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
                db.close().await.ok();
                let (base, _) = admin.rsplit_once('/').expect("a URL with a database name");
                TestDb { url: format!("{base}/{name}"), _dir: None }
            }
        }
    }

    pub async fn open(&self) -> Db {
        server::startup::open_database(&self.url).await.expect("open and migrate")
    }
}

/// `reformdash serve` as its own process on a port the OS picks.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
    /// Everything it printed to stderr so far (echoed to the test's stderr too).
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServerProcess {
    /// A line of the process's `/proc/PID/status`, in kB (`VmHWM` is the peak resident set).
    pub fn memory_kb(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line[field.len()..].trim_start_matches(':').split_whitespace().next()?.parse().ok()
    }
}

/// A failed assertion must not leave the server running (it would hold its database).
impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `reformdash serve` with `env` added to its environment and waits until it serves.
pub fn start_binary(url: &str, site: &Path, env: &[(&str, &str)]) -> ServerProcess {
    start_binary_at(Path::new(env!("CARGO_BIN_EXE_reformdash")), url, site, env)
}

/// [`start_binary`] with another build of the binary (the release one, for measured runs).
pub fn start_binary_at(binary: &Path, url: &str, site: &Path, env: &[(&str, &str)]) -> ServerProcess {
    use std::io::BufRead;
    let mut child = std::process::Command::new(binary)
        .args(["serve", "--addr", "127.0.0.1:0", "--site-root", site.to_str().unwrap()])
        .current_dir(workdir())
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (pipe, log) = (child.stderr.take().unwrap(), stderr.clone());
    // Read as it comes, so a chatty server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            eprintln!("server: {line}");
            log.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
        if let Some(rest) = line.strip_prefix("reformdash is serving ") {
            let base = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
            return ServerProcess { child, base, stderr };
        }
    }
}

/// The real server, serving on 127.0.0.1 at a port the OS picked.
fn test_request_timeout() -> std::time::Duration {
    let secs = std::env::var("TEST_REQUEST_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    std::time::Duration::from_secs(secs)
}

/// The SQL statements the server's pool ran while recording (`None`: not recording).
type Statements = std::sync::Arc<std::sync::Mutex<Option<Vec<String>>>>;

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub db: Db,
    statements: Statements,
    pub database: TestDb,
    pub client: reqwest::Client,
    pub site: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// Starts the server the way `reformdash serve` does (which loads the demo when empty).
    pub async fn spawn_serve(engine: Engine) -> TestApp {
        Self::spawn_with(engine, true, |_| async {}).await
    }

    /// Starts the server on a database prepared by `load`, without the demo.
    pub async fn spawn_with<F, Fut>(engine: Engine, with_demo: bool, load: F) -> TestApp
    where
        F: FnOnce(Db) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let database = TestDb::new(engine).await;
        let site = tempfile::tempdir().expect("site dir");
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/reformdash.css"), "body{}").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let settings = Settings {
            database_url: database.url.clone(),
            addr,
            site_root: site.path().to_path_buf(),
            // A test binary runs its tests' servers side by side on two cores, a debug build
            // at that: a request may wait longer than production's 30 s without anything
            // being wrong. The timeout itself is tested with its own setting (hardening.rs).
            // `TEST_REQUEST_TIMEOUT` (seconds) shortens it when hunting a request that hangs.
            limits: server::config::Limits { request_timeout: test_request_timeout(), ..Default::default() },
            demo: server::config::Demo::Load { passwords: site.path().join("demo-accounts.txt") },
        };
        let mut db = database.open().await;
        // Every statement of this pool and its clones, the server's own, while recording.
        let statements = Statements::default();
        let seen = statements.clone();
        db.set_metric_callback(move |info| {
            if let Some(list) = seen.lock().unwrap().as_mut() {
                list.push(info.statement.sql.clone());
            }
        });
        load(db.clone()).await;
        let state = if with_demo {
            server::startup::prepare(&settings).await.expect("prepare")
        } else {
            AppState::new(db.clone(), settings.leptos_options())
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let limits = settings.limits;
        tokio::spawn(server::startup::serve(listener, server::startup::router(state, &limits), limits, async {
            let _ = rx.await;
        }));
        // Idle connections are dropped before the server closes them (HEADER_READ_TIMEOUT),
        // as a well-behaved client does, so no request races a closing connection.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(server::startup::HEADER_READ_TIMEOUT / 2)
            .build()
            .unwrap();
        TestApp { addr, db, statements, database, client, site, shutdown: Some(tx) }
    }

    /// Starts recording the statements the server's pool runs (on a server from
    /// [`TestApp::spawn_with`]; `spawn_serve` opens a pool of its own).
    pub fn record_statements(&self) {
        *self.statements.lock().unwrap() = Some(Vec::new());
    }

    /// The statements run since [`TestApp::record_statements`]; recording stops.
    pub fn recorded_statements(&self) -> Vec<String> {
        self.statements.lock().unwrap().take().unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn expected(name: &str) -> String {
    std::fs::read_to_string(fixture("expected").join(name)).expect("expected file")
}

/// A test's size from the environment: the suite runs the default, the long runs
/// (`scripts/fuzz-long.sh`, the load run) a larger one.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A response's status, or 0 for a connection the server refused past its connection caps
/// (`server::connections`): it answers and closes before reading the request, which an
/// HTTP client reports as an error, not as the 429 or 503 it was sent. A burst larger than
/// the cap per address (the long runs) meets those.
pub fn status_or_refused(answer: reqwest::Result<reqwest::Response>) -> u16 {
    match answer {
        Ok(r) => r.status().as_u16(),
        Err(e) if e.is_request() => 0,
        Err(e) => panic!("{e}"),
    }
}

/// The working directory of the binaries the tests start: what they write relative to it
/// (the demo's passwords file of a PostgreSQL database, `data/demo-accounts.txt`) stays out
/// of the source tree.
pub fn workdir() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// Runs the real `reformdash` binary against `url`.
pub fn cli(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reformdash"))
        .args(args)
        .current_dir(workdir())
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run reformdash")
}

/// A new API token of the demo's official (loaded with `reformdash demo`), by the CLI.
pub fn demo_official_token(url: &str, name: &str) -> String {
    let created = cli(url, &["token", "create", name, "--user", "demo-official"]);
    assert!(created.status.success(), "{}", stderr(&created));
    stdout(&created).split_whitespace().find(|w| w.starts_with("rdt_")).expect("a token").to_string()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Declares a test once and runs it on SQLite and on PostgreSQL.
macro_rules! on_both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(common::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)(common::Engine::Postgres).await
            }
        }
    };
}

/// The text of the element carrying `data-testid="{id}"`.
pub fn testid_text<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("data-testid=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {id} in page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    &rest[start..start + end]
}

/// The text of each inline `<script>` of a page (those without `src`).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    html.split("<script")
        .skip(1)
        .filter_map(|s| {
            let (tag, rest) = s.split_once('>')?;
            (!tag.contains("src=")).then(|| rest.split("</script").next().unwrap_or(""))
        })
        .collect()
}

/// The CSP source that allows exactly this script text.
pub fn csp_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes())))
}
