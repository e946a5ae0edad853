//! Argon2id hashing, run on the blocking pool so logins never stall the async runtime.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(format!("task: {e}")))?
}

/// True when `password` matches `stored`; a malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password: compared against when the e-mail is unknown, so a
/// failed login takes the same time whether or not the account exists.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4hI+J2Dn5Cx0/1Ii6TS5OXmfyh3XR+6jdhXdnh2NYwc";

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_reject() {
        let stored = super::hash("correct horse battery".into())
            .await
            .expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery".into(), stored.clone()).await);
        assert!(!super::verify("wrong horse battery".into(), stored).await);
        assert!(!super::verify("x".into(), "not a hash".into()).await);
        assert!(!super::verify("x".into(), super::DUMMY_HASH.into()).await);
    }
}
