//! Keyed hashing for tables built from untrusted input: SipHash-1-3 under a per-process key
//! drawn from the platform's CSPRNG (`crypto.getRandomValues` in the browser), so no file can
//! be crafted to make its values collide.
//!
//! Every hash table whose keys come from a file (the interner of text columns, number and
//! date keys of group-bys, header and rule-id sets) uses [`KeyedState`]. Results never
//! depend on the key: codes are given in order of first appearance and maps are only looked
//! up, never iterated into output. A fixed or unkeyed hash (FxHash, or std's `RandomState`
//! on wasm32-unknown-unknown, whose keys are constants there) lets 40,000 chosen ids take
//! seconds to load; a keyed one makes every file as fast as random ids.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// A `HashMap` whose hash is keyed per process.
pub type KeyedMap<K, V> = HashMap<K, V, KeyedState>;

/// A `HashSet` whose hash is keyed per process.
pub type KeyedSet<K> = HashSet<K, KeyedState>;

/// Builds [`KeyedHasher`]s under the process key ([`process_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyedState {
    key: (u64, u64),
}

impl KeyedState {
    /// Hashers under `key` (tests use fixed keys to show results do not depend on it).
    pub fn with_key(key: (u64, u64)) -> Self {
        Self { key }
    }

    /// The hash of `bytes`, as `Hasher::write` followed by `finish` gives it.
    #[inline]
    pub fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        let mut hasher = self.build_hasher();
        hasher.write(bytes);
        hasher.finish()
    }
}

impl Default for KeyedState {
    fn default() -> Self {
        Self { key: process_key() }
    }
}

impl BuildHasher for KeyedState {
    type Hasher = KeyedHasher;

    #[inline]
    fn build_hasher(&self) -> KeyedHasher {
        KeyedHasher::new(self.key)
    }
}

/// The process's hash key: 128 bits from the platform's CSPRNG, drawn once.
///
/// Should the platform have none (no browser lacks `crypto.getRandomValues`, no supported
/// native OS lacks a random source), the key falls back to addresses the allocator and the
/// stack hand out, which differ between runs on any system with address-space layout
/// randomisation. The key only spreads hash buckets; no output depends on it.
pub fn process_key() -> (u64, u64) {
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    *KEY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            let heap = Box::new(0u8);
            let stack = 0u8;
            let heap_address = &*heap as *const u8 as u64;
            let stack_address = &stack as *const u8 as u64;
            bytes[..8].copy_from_slice(&heap_address.to_le_bytes());
            bytes[8..].copy_from_slice(&stack_address.rotate_left(32).to_le_bytes());
        }
        let (low, high) = bytes.split_at(8);
        let word = |half: &[u8]| half.iter().rev().fold(0u64, |word, &byte| (word << 8) | u64::from(byte));
        (word(low), word(high))
    })
}

/// SipHash with one compression round per word and three finalisation rounds (SipHash-1-3,
/// the hash std's `HashMap` uses natively), under a 128-bit key.
#[derive(Debug, Clone)]
pub struct KeyedHasher {
    state: SipState,
    /// Bytes not yet compressed (fewer than 8), low byte first.
    tail: u64,
    n_tail: usize,
    length: usize,
}

impl KeyedHasher {
    fn new((k0, k1): (u64, u64)) -> Self {
        Self { state: SipState::new(k0, k1), tail: 0, n_tail: 0, length: 0 }
    }
}

impl Hasher for KeyedHasher {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        self.length = self.length.wrapping_add(bytes.len());
        if self.n_tail > 0 {
            let take = (8 - self.n_tail).min(bytes.len());
            self.tail |= load_le(&bytes[..take]) << (8 * self.n_tail);
            self.n_tail += take;
            bytes = &bytes[take..];
            if self.n_tail < 8 {
                return;
            }
            self.state.compress::<1>(self.tail);
            self.tail = 0;
            self.n_tail = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.state.compress::<1>(load_le(word));
        }
        let rest = words.remainder();
        self.tail = load_le(rest);
        self.n_tail = rest.len();
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.write(&[value]);
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.write(&value.to_le_bytes());
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.write(&value.to_le_bytes());
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.write(&(value as u64).to_le_bytes());
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.state.clone().finish::<1, 3>(self.tail, self.length)
    }
}

/// Up to 8 bytes as a little-endian word.
#[inline]
fn load_le(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = bytes.len().min(8);
    word[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(word)
}

/// SipHash's four words of state.
#[derive(Debug, Clone)]
struct SipState {
    v0: u64,
    v1: u64,
    v2: u64,
    v3: u64,
}

impl SipState {
    fn new(k0: u64, k1: u64) -> Self {
        Self {
            v0: k0 ^ 0x736f_6d65_7073_6575,
            v1: k1 ^ 0x646f_7261_6e64_6f6d,
            v2: k0 ^ 0x6c79_6765_6e65_7261,
            v3: k1 ^ 0x7465_6462_7974_6573,
        }
    }

    #[inline(always)]
    fn round(&mut self) {
        self.v0 = self.v0.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(13) ^ self.v0;
        self.v0 = self.v0.rotate_left(32);
        self.v2 = self.v2.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(16) ^ self.v2;
        self.v0 = self.v0.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(21) ^ self.v0;
        self.v2 = self.v2.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(17) ^ self.v2;
        self.v2 = self.v2.rotate_left(32);
    }

    #[inline(always)]
    fn compress<const C: usize>(&mut self, word: u64) {
        self.v3 ^= word;
        for _ in 0..C {
            self.round();
        }
        self.v0 ^= word;
    }

    #[inline(always)]
    fn finish<const C: usize, const D: usize>(mut self, tail: u64, length: usize) -> u64 {
        self.compress::<C>(((length as u64 & 0xff) << 56) | tail);
        self.v2 ^= 0xff;
        for _ in 0..D {
            self.round();
        }
        self.v0 ^ self.v1 ^ self.v2 ^ self.v3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SipHash-2-4 by the same code, for the reference's test vectors.
    fn siphash_2_4(key: (u64, u64), bytes: &[u8]) -> u64 {
        let mut state = SipState::new(key.0, key.1);
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            state.compress::<2>(load_le(word));
        }
        state.finish::<2, 4>(load_le(words.remainder()), bytes.len())
    }

    #[test]
    fn the_rounds_match_the_siphash_reference_vectors() {
        // From the SipHash paper's reference implementation: key 00 01 .. 0f, message 00 01 .. (n-1).
        let key = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        let message: Vec<u8> = (0..64).collect();
        assert_eq!(siphash_2_4(key, &message[..0]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash_2_4(key, &message[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(siphash_2_4(key, &message[..8]), 0x93f5_f579_9a93_2462);
        assert_eq!(siphash_2_4(key, &message[..15]), 0xa129_ca61_49be_45e5);
        assert_eq!(siphash_2_4(key, &message[..63]), 0x958a_324c_eb06_4572);
    }

    #[test]
    fn pieces_hash_as_the_whole() {
        let state = KeyedState::with_key((3, 5));
        let text = b"a claim id of some length, 41 bytes long";
        for split in 0..text.len() {
            let mut hasher = state.build_hasher();
            hasher.write(&text[..split]);
            hasher.write(&text[split..]);
            assert_eq!(hasher.finish(), state.hash_bytes(text), "split at {split}");
        }
    }

    #[test]
    fn keys_change_every_hash() {
        let (a, b) = (KeyedState::with_key((1, 2)), KeyedState::with_key((1, 3)));
        let differ = (0..1000u32).filter(|n| a.hash_one(n) != b.hash_one(n)).count();
        assert_eq!(differ, 1000);
        // The process key is drawn once and is not all zeros.
        assert_eq!(process_key(), process_key());
        assert_ne!(process_key(), (0, 0));
        assert_ne!(KeyedState::default().hash_one("x"), KeyedState::default().hash_one("y"));
    }
}
