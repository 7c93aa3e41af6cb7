//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes), run on
//! tokio's blocking threads so that a sign-in never stalls the async workers, and at most
//! [`HASHES_AT_ONCE`] at a time: each takes its 19 MiB and a thread, and a burst of
//! sign-ins must not take the server's memory (tokio would start up to 512 such threads).
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;

/// Hashes computed at once at most (the machine has two cores; each hash holds 19 MiB).
pub const HASHES_AT_ONCE: usize = 4;

/// How long a hash waits for its turn before the request is told to try again.
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `work` (a hash or a check) on a blocking thread once a turn is free, with a work
/// memory of its own; `Busy` when no turn came in time. The memories are kept and handed
/// from turn to turn: allocated afresh on whichever thread ran it, each 19 MiB stayed with
/// that thread's allocator arena, and a burst of sign-ins grew the server by hundreds of MB
/// that it never gave back.
async fn hashing<T: Send + 'static>(work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Result<T, PasswordError> {
    static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHES_AT_ONCE);
    static MEMORIES: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());
    let _turn = tokio::time::timeout(TURN_WAIT, TURNS.acquire())
        .await
        .map_err(|_| PasswordError::Busy)?
        .map_err(|_| PasswordError::Busy)?;
    let mut memory = MEMORIES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop().unwrap_or_default();
    let (out, memory) = tokio::task::spawn_blocking(move || {
        let out = work(&mut memory);
        (out, memory)
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))?;
    MEMORIES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(memory);
    Ok(out)
}

/// Whether `password` hashes to the PHC string `stored`, worked out in `memory` (grown to
/// what the stored parameters need, and kept). The comparison takes constant time.
fn matches(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash), hash.salt, hash.hash)
    else {
        return false;
    };
    let Ok(version) = hash.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks]).is_ok()
        && Output::new(&out).is_ok_and(|o| o == expected)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("a password has at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// Every turn to hash stayed taken while the request waited: try again shortly.
    #[error("too many sign-ins at once; try again shortly")]
    Busy,
}

pub async fn hash(password: String) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    hashing(move |_| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await?
    .map_err(PasswordError::Hash)
}

/// A hash of a password no one knows: verified against when the name is unknown, so
/// that a wrong name takes as long as a wrong password.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(super::random_token().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// True when `password` matches `stored` (or, with no stored hash, after the same work).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    hashing(move |memory| {
        let known = stored.is_some();
        let ok = matches(password.as_bytes(), stored.as_deref().unwrap_or_else(|| decoy()), memory);
        ok && known
    })
    .await
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = super::hash("correct horse battery".into()).await.unwrap();
        let b = super::hash("correct horse battery".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$") && a != b, "salted: {a} {b}");
        assert_eq!(super::verify("correct horse battery".into(), Some(a.clone())).await, Ok(true));
        assert_eq!(super::verify("wrong horse battery".into(), Some(a)).await, Ok(false));
        assert_eq!(super::verify("anything at all".into(), None).await, Ok(false));
        assert_eq!(super::hash("short".into()).await, Err(super::PasswordError::TooShort));
    }

    #[test]
    fn the_check_agrees_with_argon2s_own_whatever_the_stored_parameters() {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        use argon2::{Algorithm, Argon2, Params, Version};
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let stored = argon.hash_password("mật khẩu thử".as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string();
        let mut memory = Vec::new();
        assert!(super::matches("mật khẩu thử".as_bytes(), &stored, &mut memory));
        assert!(!super::matches(b"mat khau thu", &stored, &mut memory));
        assert_eq!(memory.len(), 8192, "grown to what the stored parameters need, and kept");
        assert!(!super::matches(b"anything", "not a hash", &mut memory));
    }
}
