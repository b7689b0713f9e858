//! Two-step sign-in: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, 6 digits,
//! 30-second steps, as every authenticator app speaks) and recovery codes. Pure functions
//! of the secret and the time; storage and randomness are the caller's.

use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds a code is valid for.
pub const STEP_SECS: u64 = 30;
/// Bytes of a shared secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;
/// Letters of a recovery code (no 0/O, 1/l/I).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MfaError {
    #[error("两步验证密钥无效")]
    BadSecret,
}

fn totp(secret: &[u8]) -> Result<TOTP, MfaError> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, secret.to_vec()).map_err(|_| MfaError::BadSecret)
}

/// The base32 form of a secret (what an authenticator app is given).
pub fn encode_secret(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// The secret from its base32 form (spaces and case ignored).
pub fn decode_secret(text: &str) -> Result<Vec<u8>, MfaError> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    Secret::Encoded(clean).to_bytes().map_err(|_| MfaError::BadSecret).and_then(|b| if b.len() >= 16 { Ok(b) } else { Err(MfaError::BadSecret) })
}

/// The code for the step containing `unix` seconds.
pub fn code_at(secret: &[u8], unix: u64) -> Result<String, MfaError> {
    Ok(totp(secret)?.generate(unix))
}

/// The step (`unix / 30`) whose code `code` is, allowing one step of clock drift either
/// way, if any; the caller accepts it only if it is later than the last step used.
pub fn matching_step(secret: &[u8], code: &str, unix: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret).ok()?;
    let now = unix / STEP_SECS;
    [now.saturating_sub(1), now, now + 1].into_iter().find(|step| {
        let expected = t.generate(step * STEP_SECS);
        // Constant-time comparison of two 6-digit strings.
        expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

/// A recovery code from random bytes: ten letters/digits shown as `xxxxx-xxxxx`.
pub fn recovery_code(random: &[u8; 10]) -> String {
    let chars: Vec<char> = random.iter().map(|b| RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()] as char).collect();
    format!("{}-{}", chars[..5].iter().collect::<String>(), chars[5..].iter().collect::<String>())
}

/// A recovery code as typed, compared in this form: lower case, no spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Whether what was typed looks like a recovery code rather than a one-time code.
pub fn is_recovery_code(typed: &str) -> bool {
    normalise_recovery_code(typed).len() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (8-digit values; the
    /// 6-digit code is their last six digits).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, full) in [(59u64, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"), (2000000000, "69279037")] {
            assert_eq!(code_at(secret, t).expect("code"), full[2..], "t={t}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let secret = [7u8; SECRET_BYTES];
        let now = 1_800_000_000u64;
        let code = code_at(&secret, now).expect("code");
        assert_eq!(matching_step(&secret, &code, now), Some(now / STEP_SECS));
        assert_eq!(matching_step(&secret, &code, now + STEP_SECS), Some(now / STEP_SECS), "one step late is accepted");
        assert_eq!(matching_step(&secret, &code, now + 3 * STEP_SECS), None, "three steps late is not");
        assert_eq!(matching_step(&secret, &format!("{} {}", &code[..3], &code[3..]), now), Some(now / STEP_SECS), "spaces ignored");
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(&secret, bad, now), None, "{bad}");
        }
    }

    #[test]
    fn secrets_round_trip_through_base32() {
        let secret: Vec<u8> = (0..SECRET_BYTES as u8).collect();
        let text = encode_secret(&secret);
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)), "{text}");
        assert_eq!(decode_secret(&text.to_lowercase()).expect("decode"), secret);
        assert_eq!(decode_secret("not base32!"), Err(MfaError::BadSecret));
        assert_eq!(decode_secret("GEZDGNBV"), Err(MfaError::BadSecret), "too short");
    }

    #[test]
    fn recovery_codes() {
        let code = recovery_code(&[0, 1, 2, 3, 4, 250, 251, 252, 253, 254]);
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(is_recovery_code(&code.to_uppercase()));
        assert_eq!(normalise_recovery_code(" ABCDE-fghjk "), "abcdefghjk");
        assert!(!is_recovery_code("123456"));
    }
}
