//! Password hashing (argon2id, a salt per user) and the password policy.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 200;

/// The 10,000 passwords people use most, one a line: SecLists'
/// `Passwords/Common-Credentials/10-million-password-list-top-10000.txt` (Mark Burnett's
/// ten million passwords, as published by danielmiessler/SecLists), unchanged. Attackers
/// try these first, whatever the length rule says.
const COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_lowercase).collect())
}

/// Whether the password is one of the most common ones, or one of them with only digits,
/// punctuation or spaces around it (`Password2026!`), ignoring case.
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let decoration = |c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ';
    let core = lower.trim_matches(decoration);
    common().contains(&lower) || (!core.is_empty() && common().contains(core))
}

/// Why a password is refused, in words its user understands.
pub fn policy_problem(username: &str, password: &str) -> Option<&'static str> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Some("a password needs at least 10 characters");
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
        return Some("a password must not be one character repeated");
    }
    if is_common(password) {
        return Some(
            "this password is too common: it is one of the 10,000 passwords people use most (perhaps with digits or \
             symbols added), which attackers try first; choose another",
        );
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

    #[test]
    fn the_common_list_is_whole_and_refuses_common_passwords_and_their_decorations() {
        assert_eq!(COMMON.lines().count(), 10_000);
        assert!(common().len() > 9_900, "case-folded duplicates only");
        for refused in ["qwertyuiop", "1234567890", "password123", "Password2026!", "  iloveyou!!", "QWERTYUIOP"] {
            assert!(policy_problem("zhangsan", refused).is_some_and(|m| m.contains("too common")), "{refused}");
        }
        for kept in ["jinmao-road-2026", "password-for-jinmao", "金茂路安全检查2026", "2026-11-25 12:00"] {
            assert_eq!(policy_problem("zhangsan", kept), None, "{kept}");
        }
    }
}
