//! Password hashing (argon2id, a salt per user) and the password policy.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 200;

/// Why a password is refused.
pub fn policy_problem(username: &str, password: &str) -> Option<&'static str> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Some("a password has at least 10 characters");
    }
    if len > MAX_LENGTH {
        return Some("a password has at most 200 characters");
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && (lower.contains(&user) || user.contains(&lower)) {
        return Some("a password must not contain the username");
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Some("a password must not repeat one character");
    }
    None
}

/// A random password of 20 letters and digits (the first admin's, when none is given).
pub fn random() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The PHC string of an argon2id hash with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification, so an unknown username answers as slowly as a
/// wrong password.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_salts_differ() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong horse battery", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(policy_problem("zhang", "short").is_some());
        assert!(policy_problem("zhangsan", "my-zhangsan-pw").is_some());
        assert!(policy_problem("zhangsan", "aaaaaaaaaaaa").is_some());
        assert!(policy_problem("zhangsan", "金茂路安全检查2026").is_none());
    }
}
