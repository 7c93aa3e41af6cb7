//! Accounts and API tokens from the command line (`reformdash user …`, `reformdash token …`),
//! and the demo's accounts. Passwords come from a prompt without echo, or from standard
//! input when it is not a terminal — never from an argument, which `ps` and shell
//! histories would show.
use app::domain::access::{Role, Writer};
use app::ssr::auth::{random_password, token};
use app::ssr::writes::{self, users};
use app::ssr::Db;
use std::io::{BufRead, IsTerminal};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    User(#[from] users::UserError),
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Input(String),
    #[error("cannot write {path}: {error}")]
    File { path: String, error: std::io::Error },
}

/// The operator at the server's command line: allowed everything, named in the audit log.
pub fn operator() -> Writer {
    let who = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
    Writer::Command(who)
}

/// A new password: asked twice on a terminal, one line of standard input otherwise.
pub fn read_password() -> Result<String, AccountError> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").map_err(|e| AccountError::Input(e.to_string()))?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| AccountError::Input(e.to_string()))?;
        if first != again {
            return Err(AccountError::Input("the two passwords differ".into()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| AccountError::Input(e.to_string()))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn add(db: &Db, new: users::NewUser) -> Result<(), AccountError> {
    let txn = writes::begin(db).await?;
    users::add(&txn, &operator(), new).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_password(db: &Db, username: &str, password: String) -> Result<(), AccountError> {
    let txn = writes::begin(db).await?;
    users::set_password(&txn, &operator(), username, password).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_disabled(db: &Db, username: &str, disabled: bool) -> Result<(), AccountError> {
    let txn = writes::begin(db).await?;
    users::set_disabled(&txn, &operator(), username, disabled).await?;
    txn.commit().await?;
    Ok(())
}

/// `user list`: one line per user, tab-separated: name, role, unit, state, display name.
pub async fn list(db: &Db) -> Result<String, AccountError> {
    let mut out = String::new();
    for u in users::list(db).await? {
        let state = if u.disabled { "disabled" } else { "active" };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            u.username,
            u.role,
            u.unit_code.as_deref().unwrap_or("-"),
            state,
            u.display_name
        ));
    }
    Ok(out)
}

async fn owner(db: &Db, username: &str) -> Result<app::ssr::entities::user::Model, AccountError> {
    users::find(db, username).await?.ok_or_else(|| users::UserError::Unknown(username.to_string()).into())
}

/// `expiry`: blank, a last day (`2027-06-30`) or a number of days (`90d`).
pub async fn create_token(db: &Db, username: &str, name: &str, expiry: &str) -> Result<String, AccountError> {
    let user = owner(db, username).await?;
    Ok(token::create(db, &user, name, expiry).await?)
}

/// `token list`: one line per token not revoked, tab-separated: name, created, last used
/// (`-`: never), last day (`-`: none; `expired` after it when it has passed). Times are
/// Vietnam's.
pub async fn list_tokens(db: &Db, username: &str) -> Result<String, AccountError> {
    use app::domain::access::last_day_before;
    use app::domain::period::vietnam_time as time;
    let user = owner(db, username).await?;
    let now = chrono::Utc::now();
    let mut out = String::new();
    for t in token::list(db, user.id).await? {
        let last_day = match t.expires_at {
            None => "-".to_string(),
            Some(end) if end <= now => format!("{} expired", last_day_before(end)),
            Some(end) => last_day_before(end).to_string(),
        };
        let used = t.last_used_at.map_or("-".to_string(), time);
        out.push_str(&format!("{}\t{}\t{}\t{}\n", t.name, time(t.created_at), used, last_day));
    }
    Ok(out)
}

pub async fn revoke_token(db: &Db, username: &str, name: &str) -> Result<(), AccountError> {
    let user = owner(db, username).await?;
    Ok(token::revoke(db, user.id, name).await?)
}

/// One account per role for trying the demo, each with a fresh random password.
pub struct DemoAccount {
    pub username: &'static str,
    pub role: Role,
    pub unit_code: Option<&'static str>,
    pub password: String,
}

/// The demo's staff member works in the first post-2025 commune.
pub const DEMO_STAFF_UNIT: &str = "38-001";

/// Creates the demo accounts that do not exist yet, each with a fresh random password, and
/// writes those passwords to the file `passwords` (readable by its owner alone) before the
/// accounts are committed: no password is stored that the operator has no way to read.
/// Returns the new accounts (none: the file is left alone).
pub async fn create_demo_accounts(db: &Db, passwords: &std::path::Path) -> Result<Vec<DemoAccount>, AccountError> {
    let wanted = [
        ("demo-admin", Role::Admin, None, "Quản trị (demo)"),
        ("demo-official", Role::Official, None, "Cán bộ tỉnh (demo)"),
        ("demo-staff", Role::Staff, Some(DEMO_STAFF_UNIT), "Công chức xã (demo)"),
    ];
    let mut created = Vec::new();
    let txn = writes::begin(db).await?;
    for (username, role, unit_code, display_name) in wanted {
        if users::find(&txn, username).await?.is_some() {
            continue;
        }
        let password = random_password();
        let new = users::NewUser {
            username: username.into(),
            display_name: display_name.into(),
            role,
            unit_code: unit_code.map(str::to_string),
            password: password.clone(),
        };
        users::add(&txn, &Writer::Command("demo".into()), new).await?;
        created.push(DemoAccount { username, role, unit_code, password });
    }
    if !created.is_empty() {
        write_private(passwords, &describe(&created)).map_err(|error| AccountError::File { path: passwords.display().to_string(), error })?;
    }
    txn.commit().await?;
    Ok(created)
}

/// Writes `text` to a file only its owner may read (mode 0600). Written under another name
/// and renamed into place: an older file (another database's, perhaps readable by others)
/// is replaced whole, and two servers starting at once each leave a complete file.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut fresh = path.as_os_str().to_owned();
    fresh.push(format!(".{}.new", std::process::id()));
    let fresh = std::path::PathBuf::from(fresh);
    // A leftover of a crashed start could have another mode: made anew, never reused.
    let _ = std::fs::remove_file(&fresh);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&fresh).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&fresh, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&fresh);
            Err(e)
        }
    }
}

/// Names the passwords file on standard error, for the operator who started the server;
/// the passwords themselves stay in the file, out of any log.
pub fn announce(accounts: &[DemoAccount], passwords: &std::path::Path) {
    if !accounts.is_empty() {
        let names: Vec<&str> = accounts.iter().map(|a| a.username).collect();
        eprintln!(
            "demo accounts {} created; their passwords are in {} (readable by this user alone)",
            names.join(", "),
            passwords.display()
        );
    }
}

/// The demo accounts' lines of the passwords file.
fn describe(accounts: &[DemoAccount]) -> String {
    let mut out = String::new();
    if accounts.is_empty() {
        return out;
    }
    out.push_str("demo accounts (change their passwords on /account or with `reformdash user passwd NAME`):\n");
    for a in accounts {
        out.push_str(&format!(
            "  {:<14} {:<9} {:<7} password: {}\n",
            a.username,
            a.role.as_str(),
            a.unit_code.unwrap_or("-"),
            a.password
        ));
    }
    out
}
