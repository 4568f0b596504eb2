//! Sampling helpers shared by the generators: heavy-tailed weights, weighted choice,
//! normal draws, NPI-like identifiers and compact categorical columns.

use std::collections::HashSet;

use crate::claims::table::{ColumnData, MISSING_CODE};
use crate::rng::SeededRng;

/// A standard normal draw (Marsaglia's polar method, one value per call).
///
/// Uses [`portable_ln`] and `sqrt` only, so native and wasm builds draw the same bits.
pub fn standard_normal(rng: &mut SeededRng) -> f64 {
    loop {
        let u = 2.0 * rng.next_f64() - 1.0;
        let v = 2.0 * rng.next_f64() - 1.0;
        let radius_squared = u * u + v * v;
        if radius_squared > 0.0 && radius_squared < 1.0 {
            return u * (-2.0 * portable_ln(radius_squared) / radius_squared).sqrt();
        }
    }
}

/// A multiplicative factor whose log is normal with standard deviation `sigma` (median 1).
pub fn log_normal_factor(rng: &mut SeededRng, sigma: f64) -> f64 {
    portable_exp(sigma * standard_normal(rng))
}

/// A Pareto draw with minimum 1 and tail index `shape`, capped at `cap`.
pub fn pareto_weight(rng: &mut SeededRng, shape: f64, cap: f64) -> f64 {
    let survival = 1.0 - rng.next_f64(); // in (0, 1]
    portable_exp(-portable_ln(survival) / shape).min(cap)
}

/// 2^54, to lift subnormals into the normal range.
const TWO_POW_54: f64 = 18_014_398_509_481_984.0;
/// ln 2 split in two, so `k * LN2_HIGH` is exact for the exponents used here.
const LN2_HIGH: f64 = 6.931_471_803_691_238e-1;
const LN2_LOW: f64 = 1.908_214_929_270_587_7e-10;

/// The natural logarithm from basic arithmetic only, so every platform gets the same bits
/// (platform `ln` may differ in the last bit). Accurate to about 1e-15 relative;
/// `-inf` for 0, NaN for negative or NaN input.
pub fn portable_ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    // Normalise subnormals, then split x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
    let (x, exponent_bias) = if x < f64::MIN_POSITIVE { (x * TWO_POW_54, 54) } else { (x, 0) };
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023 - exponent_bias;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa *= 0.5;
        exponent += 1;
    }
    // ln(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172.
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for k in (0..12).rev() {
        series = series * s2 + 1.0 / f64::from(2 * k + 1);
    }
    let e = exponent as f64;
    e * LN2_HIGH + (2.0 * s * series + e * LN2_LOW)
}

/// The exponential from basic arithmetic only, so every platform gets the same bits.
/// Accurate to about 1e-15 relative; saturates to 0 and infinity outside about ±708.
pub fn portable_exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    // x = k ln 2 + r with |r| <= ln(2) / 2; exp(x) = 2^k exp(r).
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HIGH) - k * LN2_LOW;
    let mut series = 1.0;
    for n in (1..=14).rev() {
        series = 1.0 + series * r / f64::from(n);
    }
    series * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// A uniform draw in `[low, high)`.
pub fn uniform(rng: &mut SeededRng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.next_f64()
}

/// Rounds money to whole cents.
pub fn round_cents(amount: f64) -> f64 {
    // Adding +0.0 turns a -0.0 into +0.0, so a zero has one bit pattern on every target.
    (amount * 100.0).round() / 100.0 + 0.0
}

/// `amount`, or +0.0 when it is not positive. Unlike `f64::max`, which may return either
/// zero when given -0.0 and +0.0 (x86 and wasm disagree), this is the same on every target.
pub fn non_negative(amount: f64) -> f64 {
    if amount > 0.0 {
        amount
    } else {
        0.0
    }
}

/// Picks one item of `options` with probability proportional to its weight; `None` if
/// there is nothing with a positive weight.
pub fn pick_weighted<T: Copy>(rng: &mut SeededRng, options: &[(T, f64)]) -> Option<T> {
    let total: f64 = options.iter().map(|&(_, weight)| weight.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    let mut remaining = rng.next_f64() * total;
    let mut last_positive = None;
    for &(item, weight) in options {
        if weight <= 0.0 {
            continue;
        }
        if remaining < weight {
            return Some(item);
        }
        remaining -= weight;
        last_positive = Some(item);
    }
    last_positive
}

/// Draws indices in proportion to fixed weights: cumulative sums and a binary search.
#[derive(Debug, Clone, Default)]
pub struct WeightedIndex {
    cumulative: Vec<f64>,
}

impl WeightedIndex {
    /// A sampler over `weights` (negative weights count as zero).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|weight| {
                total += weight.max(0.0);
                total
            })
            .collect();
        Self { cumulative }
    }

    /// One index, or `None` when every weight is zero.
    pub fn sample(&self, rng: &mut SeededRng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let target = rng.next_f64() * total;
        let idx = self.cumulative.partition_point(|&c| c <= target);
        Some(idx.min(self.cumulative.len() - 1))
    }
}

/// Draws indices in proportion to fixed weights in constant time (Vose's alias method):
/// one uniform index and one coin per draw, whatever the number of weights.
#[derive(Debug, Clone, Default)]
pub struct AliasTable {
    /// Chance of keeping the drawn index rather than taking its alias.
    keep: Vec<f64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// A sampler over `weights` (negative or NaN weights count as zero).
    pub fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let clean: Vec<f64> = weights.iter().map(|&w| if w > 0.0 { w } else { 0.0 }).collect();
        let total: f64 = clean.iter().sum();
        if n == 0 || total <= 0.0 {
            return Self::default();
        }
        let mut scaled: Vec<f64> = clean.iter().map(|w| w * n as f64 / total).collect();
        let mut keep = vec![1.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            keep[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Self { keep, alias }
    }

    /// One index, or `None` when every weight is zero.
    pub fn sample(&self, rng: &mut SeededRng) -> Option<usize> {
        if self.keep.is_empty() {
            return None;
        }
        let idx = rng.index(self.keep.len());
        let keep = self.keep.get(idx).copied().unwrap_or(1.0);
        if rng.next_f64() < keep {
            Some(idx)
        } else {
            self.alias.get(idx).map(|&a| a as usize)
        }
    }
}

/// `count` distinct 10-digit NPI-like identifiers: a leading 1 or 2, eight digits and a
/// Luhn check digit computed as the NPI standard does (with the 80840 prefix).
pub fn npi_like_ids(rng: &mut SeededRng, count: usize) -> Vec<String> {
    let mut seen = HashSet::with_capacity(count);
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let body = rng.int_inclusive(100_000_000, 299_999_999) as u64;
        if seen.insert(body) {
            ids.push(format!("{body}{}", npi_check_digit(body)));
        }
    }
    ids
}

/// `count` distinct numbers with `digits` digits (no leading zero), as text.
pub fn distinct_numeric_ids(rng: &mut SeededRng, count: usize, digits: u32) -> Vec<String> {
    let low = 10_i64.pow(digits.saturating_sub(1));
    let high = 10_i64.pow(digits) - 1;
    let mut seen = HashSet::with_capacity(count);
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let number = rng.int_inclusive(low, high);
        if seen.insert(number) {
            ids.push(number.to_string());
        }
    }
    ids
}

/// `prefix` followed by `number`, zero-padded to at least `width` digits ("M0000042").
pub fn padded_id(prefix: &str, number: usize, width: usize) -> String {
    let mut digits = [b'0'; 20];
    let mut rest = number;
    let mut n_digits = 0;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        n_digits += 1;
        if rest == 0 {
            break;
        }
    }
    let n_digits = n_digits.max(width).min(digits.len());
    let mut id = String::with_capacity(prefix.len() + n_digits);
    id.push_str(prefix);
    id.extend(digits.iter().skip(digits.len() - n_digits).map(|&b| char::from(b)));
    id
}

fn npi_check_digit(body: u64) -> u64 {
    // Luhn over the nine digits, doubling from the rightmost; the 80840 prefix adds 24.
    let mut sum = 24;
    let mut rest = body;
    let mut double = true;
    while rest > 0 {
        let mut digit = rest % 10;
        if double {
            digit *= 2;
            if digit > 9 {
                digit -= 9;
            }
        }
        sum += digit;
        double = !double;
        rest /= 10;
    }
    (10 - sum % 10) % 10
}

/// A categorical column from per-row codes into `level_text`, keeping only the levels
/// that occur, in order of first appearance (as `CategoricalBuilder` would).
pub fn compact_categorical(codes: &[u32], n_levels: usize, level_text: impl Fn(usize) -> String) -> ColumnData {
    let mut remap = vec![MISSING_CODE; n_levels];
    let mut levels = Vec::new();
    let mut compact = Vec::with_capacity(codes.len());
    for &code in codes {
        let slot = remap.get_mut(code as usize);
        let new_code = match slot {
            None => MISSING_CODE,
            Some(slot) if *slot != MISSING_CODE => *slot,
            Some(slot) => {
                *slot = levels.len() as u32;
                levels.push(level_text(code as usize));
                *slot
            }
        };
        compact.push(new_code);
    }
    ColumnData::Categorical { levels: levels.into(), codes: compact }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_have_one_sign_on_every_target() {
        assert_eq!(round_cents(-0.001).to_bits(), 0.0f64.to_bits());
        assert_eq!(non_negative(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(non_negative(-3.0), 0.0);
        assert_eq!(non_negative(2.5), 2.5);
    }

    #[test]
    fn portable_math_matches_the_platform() {
        for x in [1e-300, 1e-20, 0.001, 0.1, 0.5, 0.7, 1.0, 1.5, 2.0, 10.0, 12_345.678, 1e200] {
            let (ours, std) = (portable_ln(x), x.ln());
            assert!((ours - std).abs() <= 1e-14 * std.abs().max(1.0), "ln({x}): {ours} vs {std}");
        }
        for x in [-700.0, -30.0, -1.0, -0.1, 0.0, 1e-9, 0.3, 1.0, 2.5, 40.0, 700.0] {
            let (ours, std) = (portable_exp(x), x.exp());
            assert!((ours - std).abs() <= 1e-14 * std, "exp({x}): {ours} vs {std}");
        }
        assert_eq!(portable_ln(0.0), f64::NEG_INFINITY);
        assert!(portable_ln(-1.0).is_nan());
        assert_eq!(portable_exp(1_000.0), f64::INFINITY);
        assert_eq!(portable_exp(-1_000.0), 0.0);
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = SeededRng::new(4);
        let draws: Vec<f64> = (0..40_000).map(|_| standard_normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / 40_000.0;
        let variance = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / 40_000.0;
        assert!(mean.abs() < 0.02 && (variance - 1.0).abs() < 0.03, "{mean} {variance}");
    }

    #[test]
    fn npi_check_digit_matches_the_published_example() {
        // CMS's worked example: 123456789 has check digit 3.
        assert_eq!(npi_check_digit(123_456_789), 3);
        let mut rng = SeededRng::new(1);
        let ids = npi_like_ids(&mut rng, 50);
        assert!(ids.iter().all(|id| id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit())));
    }

    #[test]
    fn padded_ids_have_their_width() {
        assert_eq!(padded_id("M", 42, 7), "M0000042");
        assert_eq!(padded_id("RX", 12_345_678, 7), "RX12345678");
        assert_eq!(padded_id("", 0, 1), "0");
        assert_eq!(padded_id("X", usize::MAX, 3), format!("X{}", usize::MAX));
    }

    #[test]
    fn weighted_index_follows_the_weights_and_never_panics() {
        let mut rng = SeededRng::new(2);
        assert_eq!(WeightedIndex::new([]).sample(&mut rng), None);
        assert_eq!(WeightedIndex::new([0.0, 0.0]).sample(&mut rng), None);
        let sampler = WeightedIndex::new([1.0, 0.0, 3.0]);
        let mut counts = [0; 3];
        for _ in 0..8_000 {
            counts[sampler.sample(&mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((counts[2] as f64 / 8_000.0 - 0.75).abs() < 0.03, "{counts:?}");
        assert_eq!(pick_weighted::<u8>(&mut rng, &[]), None);
        assert_eq!(pick_weighted(&mut rng, &[(7, 0.0), (9, 2.0)]), Some(9));
    }

    #[test]
    fn alias_table_follows_the_weights() {
        let mut rng = SeededRng::new(3);
        assert_eq!(AliasTable::new(&[]).sample(&mut rng), None);
        assert_eq!(AliasTable::new(&[0.0, -1.0]).sample(&mut rng), None);
        let table = AliasTable::new(&[1.0, 0.0, 2.0, 5.0]);
        let mut counts = [0.0; 4];
        for _ in 0..40_000 {
            counts[table.sample(&mut rng).unwrap()] += 1.0 / 40_000.0;
        }
        assert_eq!(counts[1], 0.0);
        for (share, expected) in counts.iter().zip([0.125_f64, 0.0, 0.25, 0.625]) {
            assert!((share - expected).abs() < 0.01, "{counts:?}");
        }
    }

    #[test]
    fn compact_categorical_keeps_used_levels_in_first_seen_order() {
        let data = compact_categorical(&[2, 0, 2, MISSING_CODE], 4, |i| format!("L{i}"));
        assert_eq!(
            data,
            ColumnData::Categorical { levels: ["L2", "L0"].into_iter().collect(), codes: vec![0, 1, 0, MISSING_CODE] }
        );
    }
}
