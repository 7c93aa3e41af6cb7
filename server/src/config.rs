//! Configuration from flags and the environment, with defaults that work on a fresh machine.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The embedded default: a SQLite file under `data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/reformdash.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
/// The wasm bundle's base name (`pkg/reformdash.js`, `pkg/reformdash_bg.wasm`).
pub const OUTPUT_NAME: &str = "reformdash";
/// The bundle's folder in the site.
pub const PKG_DIR: &str = "pkg";

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub addr: SocketAddr,
    /// Where the built site lives: `pkg/` (wasm, js, css) and the public assets.
    pub site_root: PathBuf,
    pub limits: Limits,
    pub demo: Demo,
}

/// What `serve` puts into an empty database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Demo {
    /// Nothing (`serve --no-demo`): a production database starts empty, its first admin made
    /// with `reformdash user add`.
    Off,
    /// The demo province and one account per role, their passwords written to this file
    /// (mode 0600), never to the output a service manager logs.
    Load { passwords: PathBuf },
}

/// Where the demo accounts' passwords go: beside a SQLite file (`data/reformdash.db` →
/// `data/reformdash-demo-accounts.txt`), else `data/demo-accounts.txt`.
pub fn demo_passwords_file(database_url: &str) -> PathBuf {
    match sqlite_file(database_url) {
        Some(file) => {
            let stem = file.file_stem().map_or("reformdash".into(), |s| s.to_string_lossy().into_owned());
            file.with_file_name(format!("{stem}-demo-accounts.txt"))
        }
        None => PathBuf::from("data/demo-accounts.txt"),
    }
}

/// The limits an operator may want to change (`reformdash serve --help`); the others are
/// constants next to what they bound (`http::BODY_LIMIT`, `startup::HEADER_READ_TIMEOUT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request still unanswered after this gets 408 (a stuck query, a client that stalls
    /// its body).
    pub request_timeout: Duration,
    /// Downloads and charts (the heavy requests) computed or streamed at once; more wait
    /// their turn, within the request timeout. An answer the figure cache holds takes none.
    pub heavy_concurrency: usize,
    /// A connection whose writes make no progress for this long (a client that stopped
    /// reading) is closed, and what its response held (a heavy slot) let go
    /// (`stalled::SendTimeout`).
    pub send_timeout: Duration,
    /// Connections held at once, in all and per address (`connections`).
    pub connections: crate::connections::ConnectionCaps,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(30),
            heavy_concurrency: 4,
            send_timeout: Duration::from_secs(15),
            // Under the 1,024 descriptors a process gets by default, with room for the
            // database's and the site's files; an office of many desks behind one address
            // stays far below the share of one.
            connections: crate::connections::ConnectionCaps { total: 960, per_address: 256 },
        }
    }
}

impl Settings {
    pub fn leptos_options(&self) -> leptos::config::LeptosOptions {
        leptos::config::LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(self.site_root.to_string_lossy().to_string())
            .site_pkg_dir(bundle_dir(&self.site_root))
            .site_addr(self.addr)
            .env(leptos::config::Env::PROD)
            .build()
    }
}

/// The URL folder of the bundle: `pkg/` and a digest of every file in it (the JS, wasm and
/// CSS, and the JS snippets the wasm's JS imports). Pages name their assets under it, and
/// the server answers it with a year-long, immutable cache lifetime: a returning phone
/// downloads nothing, and a new build has new URLs.
pub fn bundle_dir(site_root: &std::path::Path) -> String {
    use sha2::Digest as _;
    let pkg = site_root.join(PKG_DIR);
    let mut files = Vec::new();
    list_files(&pkg, &mut files);
    // The gzipped copies follow from the files; a stable order gives a stable digest.
    files.retain(|f| f.extension().is_none_or(|e| e != "gz"));
    files.sort();
    let mut digest = sha2::Sha256::new();
    for file in files {
        if let Ok(bytes) = std::fs::read(&file) {
            digest.update(file.strip_prefix(&pkg).unwrap_or(&file).to_string_lossy().as_bytes());
            digest.update((bytes.len() as u64).to_le_bytes());
            digest.update(&bytes);
        }
    }
    let hex: String = digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{PKG_DIR}/{hex}")
}

fn list_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The file of a `sqlite:` URL (`None`: another engine, or an in-memory database).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Makes sure the folder of a `sqlite://` file exists, so that first start just works.
pub fn prepare_sqlite_dir(url: &str) -> std::io::Result<()> {
    match sqlite_file(url).as_deref().and_then(std::path::Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn creates_the_folder_of_a_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/db.sqlite?mode=rwc", dir.path().display());
        super::prepare_sqlite_dir(&url).unwrap();
        assert!(dir.path().join("nested").is_dir());
        super::prepare_sqlite_dir("postgres://x@localhost/db").unwrap();
        super::prepare_sqlite_dir("sqlite::memory:").unwrap();
    }

    #[test]
    fn demo_passwords_go_beside_a_sqlite_file() {
        use std::path::Path;
        let file = |url| super::demo_passwords_file(url);
        assert_eq!(file("sqlite://data/reformdash.db"), Path::new("data/reformdash-demo-accounts.txt"));
        assert_eq!(file("sqlite:///srv/rd/main.sqlite?mode=rwc"), Path::new("/srv/rd/main-demo-accounts.txt"));
        assert_eq!(file("sqlite::memory:"), Path::new("data/demo-accounts.txt"));
        assert_eq!(file("postgres://rd:pw@db/reformdash"), Path::new("data/demo-accounts.txt"));
    }
}
