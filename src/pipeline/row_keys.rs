//! Content keys of a table's rows: rows with equal cells in the chosen columns get equal
//! keys, whatever order the file lists them in, so splits and samples can follow the
//! contents instead of the positions.

use crate::claims::table::{MISSING_CODE, MISSING_DAY};
use crate::claims::{ClaimsTable, ColumnData};

/// One 64-bit key per row of `rows`, from the cells of `columns` (looked up as the table
/// answers to names; a name it does not know adds nothing) and, when given, each row's
/// class (`classes` is indexed by table row). Text is keyed by its bytes, numbers by their
/// value as the forests read it, an f32 (every missing value alike), dates by their day.
///
/// Keying the f32, not the f64, keeps the key of a derived feature that sums over a group
/// (a provider's mean, a member's total) from changing with the order the sum ran in, which
/// moves only the last bits of the f64.
pub fn row_content_keys(table: &ClaimsTable, columns: &[String], classes: Option<&[u32]>, rows: &[usize]) -> Vec<u64> {
    let mut keys = vec![0x243f_6a88_85a3_08d3u64; rows.len()];
    for column in columns.iter().filter_map(|name| table.column(name)) {
        match &column.data {
            ColumnData::Numeric { values } => {
                for (key, &row) in keys.iter_mut().zip(rows) {
                    let value = values.get(row).unwrap_or(f64::NAN);
                    *key = mix(*key, number_bits(value));
                }
            }
            ColumnData::Categorical { levels, codes } => {
                let level_keys: Vec<u64> = levels.iter().map(|text| text_key(text.as_bytes())).collect();
                for (key, &row) in keys.iter_mut().zip(rows) {
                    let code = codes.get(row).copied().unwrap_or(MISSING_CODE);
                    *key = mix(*key, level_keys.get(code as usize).copied().unwrap_or(MISSING_KEY));
                }
            }
            ColumnData::Date { days } => {
                for (key, &row) in keys.iter_mut().zip(rows) {
                    let day = days.get(row).copied().unwrap_or(MISSING_DAY);
                    *key = mix(*key, if day == MISSING_DAY { MISSING_KEY } else { day as u64 });
                }
            }
        }
    }
    if let Some(classes) = classes {
        for (key, &row) in keys.iter_mut().zip(rows) {
            *key = mix(*key, u64::from(classes.get(row).copied().unwrap_or(u32::MAX)));
        }
    }
    keys.iter_mut().for_each(|key| *key = finish(*key));
    keys
}

/// The key of a missing cell, in any column.
const MISSING_KEY: u64 = 0x9e37_79b9_7f4a_7c15;

fn number_bits(value: f64) -> u64 {
    let value = value as f32;
    if value.is_nan() {
        MISSING_KEY
    } else if value == 0.0 {
        0 // -0.0 and 0.0 are one value
    } else {
        u64::from(value.to_bits())
    }
}

/// FNV-1a over the bytes: stable across runs and machines (a key decides a sample, so it
/// may not depend on a per-process hash key).
fn text_key(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    finish(hash ^ bytes.len() as u64)
}

fn mix(key: u64, value: u64) -> u64 {
    (key ^ finish(value)).wrapping_mul(0xbf58_476d_1ce4_e5b9).rotate_left(31)
}

/// SplitMix64's finaliser.
fn finish(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::CategoricalBuilder;
    use crate::claims::Numbers;

    fn table(texts: &[Option<&str>], numbers: &[f64]) -> ClaimsTable {
        let mut builder = CategoricalBuilder::default();
        texts.iter().for_each(|text| builder.push(*text));
        let mut table = ClaimsTable::new();
        table.push_column("kind", builder.finish()).unwrap();
        table.push_column("amount", ColumnData::Numeric { values: Numbers::new(numbers.to_vec()) }).unwrap();
        table
    }

    #[test]
    fn equal_cells_give_equal_keys_in_any_order() {
        let columns = ["kind".to_owned(), "amount".to_owned()];
        let first = table(&[Some("a"), Some("b"), None, Some("a")], &[1.0, 2.0, f64::NAN, 1.0]);
        // The same rows in another order: "b" is now interned first.
        let second = table(&[Some("b"), Some("a"), Some("a"), None], &[2.0, 1.0, 1.0, f64::NAN]);
        let keys =
            |table: &ClaimsTable, classes: Option<&[u32]>| row_content_keys(table, &columns, classes, &[0, 1, 2, 3]);
        let (a, b) = (keys(&first, None), keys(&second, None));
        assert_eq!(a[0], a[3]);
        assert_eq!((a[0], a[1], a[2]), (b[1], b[0], b[3]));
        assert!(a[0] != a[1] && a[1] != a[2] && a[0] != a[2]);
        // The class is part of the content.
        let with_classes = keys(&first, Some(&[0, 0, 0, 1]));
        assert_ne!(with_classes[0], with_classes[3]);
        // A name the table does not know adds nothing; -0 and 0 are one value.
        assert_eq!(
            row_content_keys(&first, &["nope".to_owned()], None, &[0, 1]),
            vec![finish(0x243f_6a88_85a3_08d3); 2]
        );
        let zeros = table(&[None, None], &[0.0, -0.0]);
        let zero_keys = row_content_keys(&zeros, &columns, None, &[0, 1]);
        assert_eq!(zero_keys[0], zero_keys[1]);
    }
}
