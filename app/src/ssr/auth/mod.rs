//! Sign-in: argon2id passwords, sessions and API tokens kept in the database as hashes,
//! failed attempts counted per account and per address. Everything that writes on behalf
//! of a person starts from the one guard ([`guard`]), and then asks `domain::access`.
pub mod guard;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

use super::entities::user;
use crate::domain::access::{Account, Role};
use base64::Engine as _;
use sha2::Digest as _;

/// Who the request is signed in as, looked up once per request (the page's header and its
/// body both ask); the server provides one to each page it renders.
#[derive(Clone, Default)]
pub struct RequestAccount(std::sync::Arc<tokio::sync::OnceCell<Option<Account>>>);

impl std::ops::Deref for RequestAccount {
    type Target = tokio::sync::OnceCell<Option<Account>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// 32 random bytes from the OS, base64url: the secret half of a session or an API token.
pub fn random_token() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, hex. A token has 256 random bits, so
/// a fast hash is enough (unlike a password, nothing can be guessed).
pub fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The account a user row stands for; `None` for a disabled user or an unknown role.
pub fn account_of(u: &user::Model) -> Option<Account> {
    if u.disabled {
        return None;
    }
    Some(Account {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.parse::<Role>().ok()?,
        unit_code: u.unit_code.clone(),
    })
}


#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// One answer for a wrong name and a wrong password.
    #[error("wrong username or password")]
    Wrong,
    #[error("too many failed attempts; try again in {0} minute(s)")]
    Throttled(i64),
    /// Too many sign-ins being checked at once: try again shortly.
    #[error("too many sign-ins at once")]
    Busy,
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Checks a name and password, the attempt counted first ([`throttle`]) so that no burst
/// gets more checks than the limits; on success a new session starts (a fresh token at
/// every sign-in) and its token is returned for the cookie.
pub async fn login(
    db: &super::Db,
    username: &str,
    password: &str,
    addr: &str,
) -> Result<(Account, String), LoginError> {
    let username = username.trim();
    if let Some(minutes) = throttle::attempt(db, username, addr).await? {
        tracing::warn!(user = %username.chars().take(64).collect::<String>(), %addr, "sign-in refused: too many attempts");
        return Err(LoginError::Throttled(minutes));
    }
    let found = if username.is_empty() || username.len() > 64 {
        None
    } else {
        super::writes::users::find(db, username).await?
    };
    let ok = match password::verify(password.to_string(), found.as_ref().map(|u| u.password_hash.clone())).await {
        Ok(ok) => ok,
        Err(_) => return Err(LoginError::Busy),
    };
    match found.as_ref().and_then(account_of) {
        Some(account) if ok => {
            throttle::succeeded(db, username, addr).await?;
            let token = session::create(db, account.id).await?;
            Ok((account, token))
        }
        _ => {
            tracing::info!(user = %username.chars().take(64).collect::<String>(), %addr, "sign-in failed");
            Err(LoginError::Wrong)
        }
    }
}

/// A password for a generated account: 20 characters of a random token.
pub fn random_password() -> String {
    random_token().chars().take(20).collect()
}
