//! Sign-in attempts, counted in the database per account (`user:NAME`) and per address
//! (`addr:IP`) so that every server process sees them. Each attempt is counted before its
//! password is hashed, by one statement per subject that counts and answers at once: a
//! burst of attempts sent in parallel cannot all read the count before any of them
//! records it. Past the limit, sign-in is refused without hashing until the window has
//! passed. A successful sign-in clears the account's count and gives the address its
//! attempt back, so an office whose staff all sign in each morning is not slowed.
use crate::ssr::sql::Sql;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

pub const WINDOW: Duration = Duration::minutes(15);
/// Attempts per account within the window (a person mistyping gets five tries).
pub const PER_ACCOUNT: i32 = 5;
/// Failed attempts per address (a commune office shares one address among several staff).
pub const PER_ADDRESS: i32 = 30;
/// The longest name counted: a username's legal length. A longer one cannot be an
/// account's, and a name of any length must not become a key of any length.
const NAME_CHARS: usize = 64;

fn account(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase().chars().take(NAME_CHARS).collect::<String>())
}

fn address(addr: &str) -> String {
    format!("addr:{}", addr.chars().take(NAME_CHARS).collect::<String>())
}

#[derive(FromQueryResult)]
struct Counted {
    failures: i32,
    window_start: DateTime<Utc>,
}

/// Counts an attempt of `subject` and returns the count within the window and when the
/// window began: one statement, so concurrent attempts each see their own number.
async fn count(db: &impl ConnectionTrait, subject: String, now: DateTime<Utc>) -> Result<Counted, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("INSERT INTO login_failures (subject, failures, window_start) VALUES (")
        .bind(subject)
        .push(", 1, ")
        .bind(now)
        .push(
            ") ON CONFLICT (subject) DO UPDATE SET \
             failures = CASE WHEN login_failures.window_start <= ",
        )
        .bind(now - WINDOW)
        .push(" THEN 1 ELSE login_failures.failures + 1 END, window_start = CASE WHEN login_failures.window_start <= ")
        .bind(now - WINDOW)
        .push(" THEN excluded.window_start ELSE login_failures.window_start END RETURNING failures, window_start");
    Counted::find_by_statement(q.build()).one(db).await?.ok_or_else(|| DbErr::RecordNotFound("login_failures".into()))
}

/// Counts this attempt for the address, then the account; the minutes until sign-in is
/// allowed again when either is over its limit (then the password is not even checked).
/// An address over its limit counts no account: the names it sends make no rows. The
/// first attempt of an address's window also purges the windows that have passed, so the
/// table holds only what still counts.
pub async fn attempt(db: &impl ConnectionTrait, username: &str, addr: &str) -> Result<Option<i64>, DbErr> {
    let now = Utc::now();
    let wait = |c: &Counted| ((c.window_start + WINDOW - now).num_seconds() + 59).max(60) / 60;
    let by_address = count(db, address(addr), now).await?;
    if by_address.failures == 1 {
        purge(db).await?;
    }
    if by_address.failures > PER_ADDRESS {
        return Ok(Some(wait(&by_address)));
    }
    let by_account = count(db, account(username), now).await?;
    Ok((by_account.failures > PER_ACCOUNT).then(|| wait(&by_account)))
}

/// A successful sign-in: the account's count is cleared and the address's attempt given
/// back (the address counts failures only).
pub async fn succeeded(db: &impl ConnectionTrait, username: &str, addr: &str) -> Result<(), DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("DELETE FROM login_failures WHERE subject = ").bind(account(username));
    db.execute_raw(q.build()).await?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE login_failures SET failures = failures - 1 WHERE failures > 0 AND subject = ").bind(address(addr));
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// Rows whose window has passed: they count nothing any more.
pub async fn purge(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("DELETE FROM login_failures WHERE window_start <= ").bind(Utc::now() - WINDOW);
    Ok(db.execute_raw(q.build()).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_whatever_is_sent() {
        assert_eq!(account("  Sam "), "user:sam");
        assert_eq!(account(&"x".repeat(200_000)).len(), "user:".len() + NAME_CHARS);
        assert_eq!(address("127.0.0.1"), "addr:127.0.0.1");
    }
}
