//! Seeded, portable pseudo-random numbers: `SeededRng`, a thin wrapper over `rand_xoshiro`'s
//! xoshiro256++ (seeded through its SplitMix64), sampled with `rand`.
//!
//! Every random step in ClaimForest takes a seed and draws from this generator, so a
//! seed reproduces a run bit for bit natively and in wasm. There is no entropy source
//! here on purpose: nothing may call `thread_rng` (`rand::rng`) or read the clock for
//! randomness, and `rand` is built without its OS-entropy features.
//!
//! No generator, mixing function or sampling method is written here: the bits come from
//! `rand_xoshiro`, ranges from `rand`'s uniform integers, floats from its `StandardUniform`,
//! coin flips from its `Bernoulli` and shuffles from its `SliceRandom`. What this module
//! decides is how they are called, so that a 64-bit native build and wasm32 draw the same
//! bits: integer ranges are always sampled as `u64` (never `usize`, whose sampler depends
//! on the pointer width), and a shuffle of fewer than 2^32 - 1 items (every slice on wasm32)
//! draws `u32`s on both.

use rand::distr::Bernoulli;
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// A small, fast, seedable generator: `rand_xoshiro::Xoshiro256PlusPlus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng(Xoshiro256PlusPlus);

impl SeededRng {
    /// Creates a generator whose whole sequence is fixed by `seed` (its state is four
    /// SplitMix64 outputs, as `SeedableRng::seed_from_u64` fills it).
    pub fn new(seed: u64) -> Self {
        Self(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// Derives the seed of sub-stream `stream_idx` (for example one tree) from a parent seed.
    ///
    /// Streams are independent of each other and of the order in which they are drawn,
    /// which is what lets trees train in any order, or in parallel, with identical results.
    /// The parent seed is mixed by SplitMix64, the stream index folded in, and the result
    /// mixed again; both steps are bijections, so one parent never derives the same seed
    /// for two streams.
    pub fn derive_seed(seed: u64, stream_idx: u64) -> u64 {
        let parent = SplitMix64::seed_from_u64(seed).next_u64();
        SplitMix64::seed_from_u64(parent ^ stream_idx).next_u64()
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform float in `[0, 1)` with 53 random bits (`rand`'s `StandardUniform`).
    pub fn next_f64(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// A uniform integer in `[0, bound)`; returns 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        match bound.checked_sub(1) {
            Some(max) => self.up_to(max),
            None => 0,
        }
    }

    /// A uniform index in `[0, len)`; returns 0 when `len` is 0.
    ///
    /// Sampled as a `u64`, so a 64-bit build and wasm32 draw the same index.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A uniform integer in the inclusive range `[low, high]`; `low` when `high <= low`.
    pub fn int_inclusive(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        // The offset from `low`, drawn through the one u64 sampler; `rand` samples an i64
        // range itself the same way, as a u64 offset.
        low.wrapping_add(self.up_to(high.wrapping_sub(low) as u64) as i64)
    }

    /// `true` with probability `p` (clamped to `[0, 1]`; `false` for NaN).
    pub fn chance(&mut self, p: f64) -> bool {
        match Bernoulli::new(p.clamp(0.0, 1.0)) {
            Ok(coin) => self.0.sample(coin),
            Err(_) => false,
        }
    }

    /// Shuffles `items` in place (`rand`'s `SliceRandom::shuffle`, a Fisher–Yates shuffle).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        items.shuffle(&mut self.0);
    }

    /// A uniform integer in `[0, max]`: every integer range goes through this one `u64`
    /// instance of `rand`'s uniform sampler.
    fn up_to(&mut self, max: u64) -> u64 {
        self.0.random_range(0..=max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bits_are_rand_xoshiro_seeded_from_a_u64() {
        // Reference output of xoshiro256++ seeded from 0 through SplitMix64: SplitMix64 from
        // seed 0 gives 0xE220A8397B1DCDAF first (Vigna's splitmix64.c).
        assert_eq!(SplitMix64::seed_from_u64(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut ours = SeededRng::new(42);
        let mut theirs = Xoshiro256PlusPlus::seed_from_u64(42);
        for _ in 0..16 {
            assert_eq!(ours.next_u64(), theirs.next_u64());
        }
    }

    #[test]
    fn same_seed_same_stream_and_different_seed_differs() {
        let draws = |seed| {
            let mut rng = SeededRng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SeededRng::new(1);
        let mut seen = [0usize; 7];
        for _ in 0..7_000 {
            let x = rng.below(7) as usize;
            seen[x] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800 && n < 1200), "{seen:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        assert_eq!(rng.index(0), 0);
        let _full_width = rng.below(u64::MAX);
    }

    #[test]
    fn int_inclusive_reaches_both_ends_and_handles_the_full_width() {
        let mut rng = SeededRng::new(2);
        let mut seen = [false; 5];
        for _ in 0..1_000 {
            let x = rng.int_inclusive(-2, 2);
            assert!((-2..=2).contains(&x));
            seen[(x + 2) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(rng.int_inclusive(5, 5), 5);
        assert_eq!(rng.int_inclusive(5, 4), 5);
        let _ = rng.int_inclusive(i64::MIN, i64::MAX);
        // The same draws as `rand`'s own i64 sampler (short of the full width, where `rand`
        // returns the raw bits and this the raw bits offset by `i64::MIN`).
        let (mut a, mut b) = (SeededRng::new(3), Xoshiro256PlusPlus::seed_from_u64(3));
        for (low, high) in [(18, 89), (-1_000_000, 7), (0, 1 << 40), (i64::MIN, i64::MAX - 1)] {
            assert_eq!(a.int_inclusive(low, high), b.random_range(low..=high));
        }
    }

    #[test]
    fn unit_floats_are_in_half_open_interval() {
        let mut rng = SeededRng::new(3);
        let mean =
            (0..10_000).map(|_| rng.next_f64()).inspect(|x| assert!((0.0..1.0).contains(x))).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02);
    }

    #[test]
    fn chance_follows_p_and_clamps() {
        let mut rng = SeededRng::new(4);
        let hits = (0..10_000).filter(|_| rng.chance(0.3)).count();
        assert!((2_800..3_200).contains(&hits), "{hits}");
        assert!((0..100).all(|_| !rng.chance(0.0) && !rng.chance(-1.0) && !rng.chance(f64::NAN)));
        assert!((0..100).all(|_| rng.chance(1.0) && rng.chance(2.0)));
    }

    #[test]
    fn shuffles_are_permutations() {
        let mut rng = SeededRng::new(5);
        let mut items: Vec<u32> = (0..1_000).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..1_000).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..1_000).collect::<Vec<_>>());
    }

    #[test]
    fn derived_seeds_are_distinct() {
        let seeds: std::collections::HashSet<u64> = (0..1000).map(|i| SeededRng::derive_seed(42, i)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_ne!(SeededRng::derive_seed(42, 0), SeededRng::derive_seed(43, 0));
    }
}
