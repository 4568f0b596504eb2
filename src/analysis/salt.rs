//! Salts and keyed hashes for identifiers in downloads: 256-bit salts from the platform's
//! CSPRNG (`crypto.getRandomValues` in the browser), or one the user types so that exports
//! made on different days join; and full-length HMAC-SHA-256 of each identifier under it.
//!
//! A salt drawn from the clock can be enumerated (about 10⁸ candidates a day of exports), and
//! a 64-bit hash of a short member id can be brute-forced once the salt is known; a 256-bit
//! random key and 256-bit HMAC outputs leave neither road open.

use sha2::{Digest, Sha256};
use thiserror::Error;

/// Bytes in a drawn salt (256 bits), written as 64 hex characters.
pub const SALT_BYTES: usize = 32;
/// The shortest salt a user may type: 16 characters, so a typed salt is not a word.
pub const MIN_TYPED_SALT_CHARS: usize = 16;
/// The longest salt a user may type.
pub const MAX_TYPED_SALT_CHARS: usize = 256;

/// Why a salt could not be made or taken.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaltError {
    /// The platform has no random source (no browser or supported OS lacks one).
    #[error("this browser offers no secure random numbers, so no salt can be drawn; type a salt of your own")]
    NoRandomness,
    /// A typed salt is too short to resist guessing.
    #[error("a salt needs at least {MIN_TYPED_SALT_CHARS} characters (this one has {0}); longer and random is better")]
    TooShort(usize),
    /// A typed salt is longer than any salt needs to be.
    #[error("a salt may have at most {MAX_TYPED_SALT_CHARS} characters (this one has {0})")]
    TooLong(usize),
}

/// A fresh salt: 256 bits from the platform's CSPRNG, as 64 lower-case hex characters.
pub fn new_salt() -> Result<String, SaltError> {
    let mut bytes = [0u8; SALT_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| SaltError::NoRandomness)?;
    Ok(hex(&bytes))
}

/// A fresh seed for the "new seed" buttons: a random number below a billion (short enough
/// to read back and type), from the same CSPRNG. A seed is no secret; it is drawn here
/// because this is the one place that reads entropy, and the run it starts is reproduced by
/// typing it again. `None` when the platform has no random source.
pub fn new_seed() -> Option<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).ok()?;
    Some(u64::from_le_bytes(bytes) % 1_000_000_000)
}

/// A salt the user typed, trimmed, if it is long enough to keep its hashes from being
/// guessed and not absurdly long.
pub fn typed_salt(text: &str) -> Result<String, SaltError> {
    let salt = text.trim();
    match salt.chars().count() {
        n if n < MIN_TYPED_SALT_CHARS => Err(SaltError::TooShort(n)),
        n if n > MAX_TYPED_SALT_CHARS => Err(SaltError::TooLong(n)),
        _ => Ok(salt.to_owned()),
    }
}

/// HMAC-SHA-256 (RFC 2104) under one salt, with the key's inner and outer pads absorbed once,
/// so each identifier costs two SHA-256 compressions plus its own length.
#[derive(Clone)]
pub struct IdentifierHasher {
    inner: Sha256,
    outer: Sha256,
}

impl IdentifierHasher {
    /// The hasher keyed by the salt's UTF-8 bytes.
    pub fn new(salt: &str) -> Self {
        const BLOCK: usize = 64;
        let mut key = [0u8; BLOCK];
        if salt.len() > BLOCK {
            key[..32].copy_from_slice(&Sha256::digest(salt.as_bytes()));
        } else {
            key[..salt.len()].copy_from_slice(salt.as_bytes());
        }
        let pad = |byte: u8| key.map(|k| k ^ byte);
        let mut inner = Sha256::new();
        inner.update(pad(0x36));
        let mut outer = Sha256::new();
        outer.update(pad(0x5c));
        Self { inner, outer }
    }

    /// HMAC-SHA-256 of `value`, as 64 lower-case hex characters (the full 256 bits).
    pub fn hash(&self, value: &str) -> String {
        let mut inner = self.inner.clone();
        inner.update(value.as_bytes());
        let mut outer = self.outer.clone();
        outer.update(inner.finalize());
        hex(&outer.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_vectors() {
        // Test case 2: key "Jefe".
        assert_eq!(
            IdentifierHasher::new("Jefe").hash("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than a block is hashed first: 131 ASCII 'a's, checked against
        // Python's hmac.new(b"a" * 131, b"M1", hashlib.sha256).hexdigest().
        assert_eq!(
            IdentifierHasher::new(&"a".repeat(131)).hash("M1"),
            "4c48611ce1fe378a5788cca6a8cb8c293a3b4cdcaf60c4c0db6d8a52af0b0be9"
        );
    }

    #[test]
    fn drawn_salts_are_256_random_bits() {
        let (a, b) = (new_salt().unwrap(), new_salt().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn typed_salts_must_be_long_enough() {
        assert_eq!(typed_salt("  short  "), Err(SaltError::TooShort(5)));
        assert_eq!(typed_salt(" our-2026-claims-salt "), Ok("our-2026-claims-salt".into()));
        assert_eq!(typed_salt(&"x".repeat(300)), Err(SaltError::TooLong(300)));
        let hasher = IdentifierHasher::new("our-2026-claims-salt");
        assert_ne!(hasher.hash("M1"), hasher.hash("M2"));
        assert_eq!(hasher.hash("M1"), IdentifierHasher::new("our-2026-claims-salt").hash("M1"));
    }
}
