//! The unified social credit code (统一社会信用代码), GB 32100-2015.

/// The 31 characters the code is written in; a character's value is its position.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Why a credit code is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCodeError {
    Length,
    Character,
    CheckCharacter,
}

impl CreditCodeError {
    pub fn message(&self) -> &'static str {
        match self {
            CreditCodeError::Length => "a unified social credit code has 18 characters",
            CreditCodeError::Character => {
                "a unified social credit code uses only digits and the capitals A-Y without I, O, S, V, Z"
            }
            CreditCodeError::CheckCharacter => "the check character of the unified social credit code does not match",
        }
    }
}

/// The check character for the first 17 characters of a code.
pub fn check_character(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize])
}

/// Checks length, alphabet and the check character.
pub fn validate(code: &str) -> Result<(), CreditCodeError> {
    let bytes = code.as_bytes();
    if code.chars().count() != 18 || bytes.len() != 18 {
        return Err(CreditCodeError::Length);
    }
    if bytes.iter().any(|c| value_of(*c).is_none()) {
        return Err(CreditCodeError::Character);
    }
    match check_character(&bytes[..17]) {
        Some(c) if c == bytes[17] => Ok(()),
        _ => Err(CreditCodeError::CheckCharacter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on public business licences.
        for code in ["91350100M000100Y43", "91110000802100433B", "911100001000079554"] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn refuses_a_changed_check_character() {
        assert_eq!(validate("91350100M000100Y44"), Err(CreditCodeError::CheckCharacter));
    }

    #[test]
    fn refuses_wrong_length_and_letters() {
        assert_eq!(validate("91350100M000100Y4"), Err(CreditCodeError::Length));
        assert_eq!(validate("91350100M000100I43"), Err(CreditCodeError::Character));
        assert_eq!(validate("91350100m000100y43"), Err(CreditCodeError::Character));
    }
}
