//! A numeric column's values, each column stored in the narrowest form that keeps every value bit for bit.
//!
//! A million claims carry dozens of numeric columns. Most hold only values an `f32` stores
//! exactly (counts, flags, ages, days supplied), and money holds cents. So a column is kept
//! as `f32`s, as whole cents in an `i32`, or as the `f64`s it was given, whichever is the
//! narrowest form from which every value reads back with the same bits. Readers see `f64`s
//! either way; only the memory differs (half, for the compact forms).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A column's numbers; NaN is missing. Two are equal when they read back the same values
/// bit for bit, however each is held.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<f64>", into = "Vec<f64>")]
pub struct Numbers {
    storage: Storage,
}

/// How the numbers are held.
#[derive(Debug, Clone)]
enum Storage {
    /// Each value is exactly this `f32`; missing is `f32::NAN`.
    Single(Vec<f32>),
    /// Each value is this many hundredths; missing is [`MISSING_CENTS`].
    Cents(Vec<i32>),
    /// The values as given.
    Double(Vec<f64>),
}

/// The values as [`Numbers`] holds them, for writing them out as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stored<'a> {
    /// Each value is exactly this `f32`; NaN is missing.
    Singles(&'a [f32]),
    /// Each value is this many hundredths; `i32::MIN` is missing.
    Cents(&'a [i32]),
    /// The values as given.
    Doubles(&'a [f64]),
}

/// The cents of a missing value.
const MISSING_CENTS: i32 = i32::MIN;

impl Numbers {
    /// The values, held in the narrowest form that reads each of them back bit for bit.
    pub fn new(values: Vec<f64>) -> Self {
        let storage = if values.iter().all(|&value| read_single(single_of(value)).to_bits() == value.to_bits()) {
            Storage::Single(values.iter().map(|&value| single_of(value)).collect())
        } else if let Some(cents) = values.iter().map(|&value| cents_of(value)).collect::<Option<Vec<i32>>>() {
            Storage::Cents(cents)
        } else {
            Storage::Double(values)
        };
        Self { storage }
    }

    /// `f32`s as they are (a table buffer's compact column); NaN is missing.
    pub fn from_singles(values: Vec<f32>) -> Self {
        Self { storage: Storage::Single(values) }
    }

    /// Whole hundredths as they are (a table buffer's compact column); `i32::MIN` is missing.
    pub fn from_cents(cents: Vec<i32>) -> Self {
        Self { storage: Storage::Cents(cents) }
    }

    /// The values as they are held.
    pub fn stored(&self) -> Stored<'_> {
        match &self.storage {
            Storage::Single(values) => Stored::Singles(values),
            Storage::Cents(values) => Stored::Cents(values),
            Storage::Double(values) => Stored::Doubles(values),
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match &self.storage {
            Storage::Single(values) => values.len(),
            Storage::Cents(values) => values.len(),
            Storage::Double(values) => values.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row_idx`, or `None` past the end.
    pub fn get(&self, row_idx: usize) -> Option<f64> {
        match &self.storage {
            Storage::Single(values) => values.get(row_idx).map(|&value| read_single(value)),
            Storage::Cents(values) => values.get(row_idx).map(|&cents| read_cents(cents)),
            Storage::Double(values) => values.get(row_idx).copied(),
        }
    }

    /// Every value, in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = f64> + Clone + '_ {
        (0..self.len()).map(|row_idx| self.get(row_idx).unwrap_or(f64::NAN))
    }

    /// The values as `f64`s, written out.
    pub fn to_vec(&self) -> Vec<f64> {
        self.as_f64s().into_owned()
    }

    /// The values as `f64`s: borrowed when they are held so, else written out, matching
    /// the form once, not once per value (features read their inputs this way).
    pub fn as_f64s(&self) -> Cow<'_, [f64]> {
        match &self.storage {
            Storage::Double(values) => Cow::Borrowed(values),
            Storage::Single(values) => Cow::Owned(values.iter().map(|&value| read_single(value)).collect()),
            Storage::Cents(values) => Cow::Owned(values.iter().map(|&cents| read_cents(cents)).collect()),
        }
    }

    /// Appends the `f32` of the value at every row of `rows` (NaN past the end), matching
    /// the form once, not once per value: the encoder's hot loop.
    pub fn extend_f32s(&self, rows: impl Iterator<Item = usize>, out: &mut Vec<f32>) {
        match &self.storage {
            Storage::Single(values) => out.extend(rows.map(|row_idx| values.get(row_idx).copied().unwrap_or(f32::NAN))),
            Storage::Cents(values) => {
                out.extend(rows.map(|row_idx| values.get(row_idx).map_or(f32::NAN, |&cents| read_cents(cents) as f32)))
            }
            Storage::Double(values) => {
                out.extend(rows.map(|row_idx| values.get(row_idx).map_or(f32::NAN, |&value| value as f32)))
            }
        }
    }
}

impl PartialEq for Numbers {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl From<Vec<f64>> for Numbers {
    fn from(values: Vec<f64>) -> Self {
        Self::new(values)
    }
}

impl From<Numbers> for Vec<f64> {
    fn from(numbers: Numbers) -> Self {
        match numbers.storage {
            Storage::Double(values) => values,
            _ => numbers.to_vec(),
        }
    }
}

impl FromIterator<f64> for Numbers {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        Self::new(values.into_iter().collect())
    }
}

/// The `f32` stored for `value` (NaN for missing); exact only when [`read_single`] of it
/// has `value`'s bits.
fn single_of(value: f64) -> f32 {
    if value.is_nan() {
        f32::NAN
    } else {
        value as f32
    }
}

/// A stored `f32` as the value it stands for; every missing value reads as `f64::NAN`.
fn read_single(value: f32) -> f64 {
    if value.is_nan() {
        f64::NAN
    } else {
        f64::from(value)
    }
}

/// The whole hundredths that read back as `value` bit for bit, if there are any.
fn cents_of(value: f64) -> Option<i32> {
    if value.is_nan() {
        return (value.to_bits() == f64::NAN.to_bits()).then_some(MISSING_CENTS);
    }
    let hundredths = (value * 100.0).round();
    if !(f64::from(MISSING_CENTS + 1)..=f64::from(i32::MAX)).contains(&hundredths) {
        return None;
    }
    let cents = hundredths as i32;
    (read_cents(cents).to_bits() == value.to_bits()).then_some(cents)
}

/// Whole hundredths as the value they stand for (IEEE division rounds correctly, so
/// `1234 / 100` is the `f64` nearest 12.34, the one parsing "12.34" gives).
fn read_cents(cents: i32) -> f64 {
    if cents == MISSING_CENTS {
        f64::NAN
    } else {
        f64::from(cents) / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(numbers: &Numbers) -> Vec<u64> {
        numbers.iter().map(f64::to_bits).collect()
    }

    #[test]
    fn each_column_takes_the_narrowest_exact_form() {
        let counts = Numbers::new(vec![0.0, 1.0, -0.0, 16_777_216.0, 0.5, f64::NAN, 1e30_f32 as f64]);
        assert!(matches!(counts.stored(), Stored::Singles(_)));
        let money = Numbers::new(vec![12.34, 0.1, -99_999.99, f64::NAN, 20_000_000.0, 0.0]);
        assert!(matches!(money.stored(), Stored::Cents(_)));
        // A third of a cent, a value past i32's cents, and -0.0 with a cent value all need f64.
        for odd in [1.0 / 3.0, 30_000_000.01, -0.0] {
            let values = vec![12.34, odd];
            assert!(matches!(Numbers::new(values.clone()).stored(), Stored::Doubles(_)), "{odd}");
            assert_eq!(bits(&Numbers::new(values.clone())), values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        }
        assert!(matches!(Numbers::new(vec![]).stored(), Stored::Singles(_)));
    }

    #[test]
    fn every_value_reads_back_with_its_bits() {
        let mut rng = crate::rng::SeededRng::new(11);
        let columns: Vec<Vec<f64>> = vec![
            (0..2000).map(|_| rng.below(1_000_000) as f64 / 100.0).collect(),
            (0..2000).map(|_| rng.below(90) as f64).collect(),
            (0..2000).map(|_| f64::from_bits(rng.next_u64())).filter(|v| !v.is_nan()).collect(),
            (0..2000).map(|i| if i % 7 == 0 { f64::NAN } else { rng.below(5000) as f64 * 0.25 }).collect(),
        ];
        for values in columns {
            let numbers = Numbers::new(values.clone());
            assert_eq!(numbers.len(), values.len());
            for (row_idx, value) in values.iter().enumerate() {
                let read = numbers.get(row_idx).unwrap();
                assert!(read.to_bits() == value.to_bits() || read.is_nan() && value.is_nan());
            }
            let mut singles = Vec::new();
            numbers.extend_f32s([0, values.len() - 1, values.len()].into_iter(), &mut singles);
            assert_eq!(singles[0].to_bits(), (values[0] as f32).to_bits());
            assert!(singles[2].is_nan());
            assert_eq!(numbers.as_f64s().len(), values.len());
            assert_eq!(Vec::<f64>::from(numbers.clone()).len(), values.len());
        }
        // A NaN with another payload keeps it.
        let odd_nan = f64::from_bits(0xfff8_0000_0000_0001);
        let numbers = Numbers::new(vec![1.0, odd_nan]);
        assert!(matches!(numbers.stored(), Stored::Doubles(_)));
        assert_eq!(numbers.get(1).unwrap().to_bits(), odd_nan.to_bits());
        assert_eq!(numbers.get(2), None);
    }

    #[test]
    fn serde_sees_plain_numbers() {
        let numbers = Numbers::new(vec![1.5, 2.25]);
        let json = serde_json::to_string(&numbers).unwrap();
        assert_eq!(json, "[1.5,2.25]");
        assert_eq!(serde_json::from_str::<Numbers>(&json).unwrap(), numbers);
    }

    #[test]
    fn equal_values_are_equal_however_they_are_held() {
        let money = Numbers::new(vec![12.34, f64::NAN]);
        assert_eq!(money, Numbers::from_cents(vec![1234, i32::MIN]));
        assert_eq!(Numbers::new(vec![2.0, f64::NAN]), Numbers::from_cents(vec![200, i32::MIN]));
        assert_ne!(money, Numbers::new(vec![12.34, 0.0]));
        assert_ne!(money, Numbers::new(vec![12.34]));
    }
}
