//! Failed sign-ins, counted in the database per account (`user:NAME`) and per address
//! (`addr:IP`) so that every server process sees them. Past the limit, sign-in is refused
//! without even checking the password until the window has passed.
use crate::ssr::entities::login_failure;
use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

pub const WINDOW: Duration = Duration::minutes(15);
/// Failures per account within the window (a person mistyping gets five tries).
pub const PER_ACCOUNT: i32 = 5;
/// Failures per address (a commune office shares one address among several staff).
pub const PER_ADDRESS: i32 = 30;

pub fn subjects(username: &str, addr: &str) -> [(String, i32); 2] {
    [(format!("user:{}", username.to_lowercase()), PER_ACCOUNT), (format!("addr:{addr}"), PER_ADDRESS)]
}

/// Minutes until sign-in is allowed again, when a subject is over its limit.
pub async fn blocked(db: &impl ConnectionTrait, username: &str, addr: &str) -> Result<Option<i64>, DbErr> {
    let now = Utc::now();
    for (subject, limit) in subjects(username, addr) {
        if let Some(f) = login_failure::Entity::find_by_id(subject).one(db).await? {
            let until = f.window_start + WINDOW;
            if f.failures >= limit && until > now {
                return Ok(Some(((until - now).num_seconds() + 59) / 60));
            }
        }
    }
    Ok(None)
}

pub async fn failed(db: &impl ConnectionTrait, username: &str, addr: &str) -> Result<(), DbErr> {
    let now = Utc::now();
    for (subject, _) in subjects(username, addr) {
        let row = match login_failure::Entity::find_by_id(subject.clone()).one(db).await? {
            Some(f) if f.window_start + WINDOW > now => login_failure::ActiveModel {
                subject: Set(subject),
                failures: Set(f.failures + 1),
                window_start: Set(f.window_start),
            },
            _ => login_failure::ActiveModel { subject: Set(subject), failures: Set(1), window_start: Set(now) },
        };
        login_failure::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(login_failure::Column::Subject)
                    .update_columns([login_failure::Column::Failures, login_failure::Column::WindowStart])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A successful sign-in clears the account's count (not the address's).
pub async fn succeeded(db: &impl ConnectionTrait, username: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_by_id(format!("user:{}", username.to_lowercase())).exec(db).await.map(|_| ())
}
