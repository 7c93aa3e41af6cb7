//! Accounts: created, given a new password, disabled, each audited (never with the hash).
//! A new password or a disabled account ends the user's sessions in the same transaction.
use super::Audit;
use crate::domain::access::{Role, Writer};
use crate::domain::rules;
use crate::ssr::auth::{password, session};
use crate::ssr::entities::{unit, user};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("not allowed to manage users")]
    Forbidden,
    #[error("username: {0}")]
    Username(String),
    #[error("display name: {0}")]
    DisplayName(String),
    #[error("a user named `{0}` exists already")]
    Exists(String),
    #[error("no user named `{0}`")]
    Unknown(String),
    #[error("a staff member needs --unit (the unit whose figures they enter)")]
    UnitRequired,
    #[error("only staff are bound to a unit; an {0} reads and corrects every unit")]
    UnitNotAllowed(Role),
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("password: {0}")]
    Password(#[from] password::PasswordError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub password: String,
}

/// What the audit log keeps of a user.
#[derive(Serialize)]
struct Audited<'a> {
    username: &'a str,
    display_name: &'a str,
    role: &'a str,
    unit_code: Option<&'a str>,
    disabled: bool,
}

fn audited(u: &user::Model) -> Audited<'_> {
    Audited {
        username: &u.username,
        display_name: &u.display_name,
        role: &u.role,
        unit_code: u.unit_code.as_deref(),
        disabled: u.disabled,
    }
}

pub async fn add(txn: &DatabaseTransaction, writer: &Writer, new: NewUser) -> Result<user::Model, UserError> {
    if !writer.may_manage_users() {
        return Err(UserError::Forbidden);
    }
    let username = new.username.trim().to_lowercase();
    if username.is_empty() {
        return Err(UserError::Username("a value is required".into()));
    }
    rules::check_code(&username).map_err(UserError::Username)?;
    let display_name = match new.display_name.trim() {
        "" => username.clone(),
        d => d.to_string(),
    };
    rules::check_text(&display_name, rules::TEXT_MAX).map_err(UserError::DisplayName)?;
    match (new.role, &new.unit_code) {
        (Role::Staff, None) => return Err(UserError::UnitRequired),
        (Role::Staff, Some(code)) => {
            if unit::Entity::find_by_id(code.clone()).one(txn).await?.is_none() {
                return Err(UserError::UnknownUnit(code.clone()));
            }
        }
        (role, Some(_)) => return Err(UserError::UnitNotAllowed(role)),
        (_, None) => {}
    }
    if find(txn, &username).await?.is_some() {
        return Err(UserError::Exists(username));
    }
    let hash = password::hash(new.password).await?;
    let created = user::Entity::insert(user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name),
        password_hash: Set(hash),
        role: Set(new.role.as_str().into()),
        unit_code: Set(new.unit_code),
        disabled: Set(false),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    })
    .exec_with_returning(txn)
    .await?;
    Audit::new(writer.name(), "user add", None)
        .record(txn, "users", username, None, Some(&audited(&created)), &[])
        .await?;
    Ok(created)
}

/// Usernames are stored in lower case, so `Ana` and `ana` are one person.
pub async fn find(db: &impl sea_orm::ConnectionTrait, username: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Username.eq(username.trim().to_lowercase())).one(db).await
}

async fn existing(txn: &DatabaseTransaction, username: &str) -> Result<user::Model, UserError> {
    find(txn, username).await?.ok_or_else(|| UserError::Unknown(username.to_string()))
}

/// Sets a new password; the user's sessions end (they sign in again with it).
pub async fn set_password(
    txn: &DatabaseTransaction,
    writer: &Writer,
    username: &str,
    new_password: String,
) -> Result<(), UserError> {
    let u = existing(txn, username).await?;
    let own = matches!(writer, Writer::Account(a) if a.id == u.id);
    if !own && !writer.may_manage_users() {
        return Err(UserError::Forbidden);
    }
    let hash = password::hash(new_password).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, sea_orm::sea_query::Expr::value(hash))
        .filter(user::Column::Id.eq(u.id))
        .exec(txn)
        .await?;
    session::end_all(txn, u.id).await?;
    // A new password is often a reply to a leak: what the old one let anyone make goes too.
    crate::ssr::auth::token::revoke_all(txn, u.id).await?;
    Audit::new(writer.name(), "user passwd", None).record::<()>(txn, "users", u.username, None, None, &[]).await?;
    Ok(())
}

/// Disables (or enables again) an account; a disabled one's sessions and tokens stop working.
pub async fn set_disabled(
    txn: &DatabaseTransaction,
    writer: &Writer,
    username: &str,
    disabled: bool,
) -> Result<(), UserError> {
    if !writer.may_manage_users() {
        return Err(UserError::Forbidden);
    }
    let old = existing(txn, username).await?;
    user::Entity::update_many()
        .col_expr(user::Column::Disabled, sea_orm::sea_query::Expr::value(disabled))
        .filter(user::Column::Id.eq(old.id))
        .exec(txn)
        .await?;
    session::end_all(txn, old.id).await?;
    let new = user::Model { disabled, ..old.clone() };
    let action = if disabled { "user disable" } else { "user enable" };
    Audit::new(writer.name(), action, None)
        .record(txn, "users", old.username.clone(), Some(&audited(&old)), Some(&audited(&new)), &[])
        .await?;
    Ok(())
}

pub async fn list(db: &impl sea_orm::ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find().order_by_asc(user::Column::Username).all(db).await
}
