//! A compact binary form of a claims table, for moving a million claims between the Web
//! Worker and the page as one byte buffer (raw little-endian columns, no text formatting).
//!
//! Layout: `CFT1`, column count (u32), then per column its name, a kind byte and the data:
//! numbers as f64, dates as i32, text as its levels then one u32 code per row. Every length
//! is a little-endian u32; every read is bounds-checked, so damaged bytes are an error, not
//! a panic.

use thiserror::Error;

use super::table::{ClaimsTable, ColumnData, ColumnsView, TableError, MISSING_CODE};

const MAGIC: &[u8; 4] = b"CFT1";
const KIND_NUMERIC: u8 = 0;
const KIND_CATEGORICAL: u8 = 1;
const KIND_DATE: u8 = 2;

/// Why bytes could not be read back as a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableBytesError {
    /// The bytes do not start with the format tag.
    #[error("not a ClaimForest table buffer")]
    NotATable,
    /// The bytes end early or hold an impossible value.
    #[error("the table buffer is damaged at byte {offset}: {what}")]
    Damaged {
        /// Where reading stopped.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// The columns do not form a table.
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The table as bytes.
pub fn table_to_bytes(table: ColumnsView<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + table.n_rows() * table.columns().len() * 8);
    out.extend_from_slice(MAGIC);
    put_len(&mut out, table.columns().len());
    for column in table.columns() {
        put_text(&mut out, &column.name);
        match &column.data {
            ColumnData::Numeric { values } => {
                out.push(KIND_NUMERIC);
                put_len(&mut out, values.len());
                values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
            }
            ColumnData::Categorical { levels, codes } => {
                out.push(KIND_CATEGORICAL);
                put_len(&mut out, levels.len());
                levels.iter().for_each(|level| put_text(&mut out, level));
                put_len(&mut out, codes.len());
                codes.iter().for_each(|c| out.extend_from_slice(&c.to_le_bytes()));
            }
            ColumnData::Date { days } => {
                out.push(KIND_DATE);
                put_len(&mut out, days.len());
                days.iter().for_each(|d| out.extend_from_slice(&d.to_le_bytes()));
            }
        }
    }
    out
}

/// Reads bytes written by [`table_to_bytes`].
pub fn table_from_bytes(bytes: &[u8]) -> Result<ClaimsTable, TableBytesError> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err(TableBytesError::NotATable);
    }
    let mut reader = Reader { bytes, offset: 4 };
    let n_columns = reader.len()?;
    let mut table = ClaimsTable::new();
    for _ in 0..n_columns {
        let name = reader.text()?;
        let data = match reader.take(1)?.first().copied() {
            Some(KIND_NUMERIC) => {
                let n = reader.len()?;
                let raw = reader.take(n.checked_mul(8).ok_or(reader.damaged("length overflows"))?)?;
                ColumnData::Numeric { values: raw.chunks_exact(8).map(|c| f64::from_le_bytes(eight(c))).collect() }
            }
            Some(KIND_CATEGORICAL) => {
                let n_levels = reader.len()?;
                let levels = (0..n_levels).map(|_| reader.text()).collect::<Result<Vec<_>, _>>()?;
                let n = reader.len()?;
                let raw = reader.take(n.checked_mul(4).ok_or(reader.damaged("length overflows"))?)?;
                let codes: Vec<u32> = raw.chunks_exact(4).map(|c| u32::from_le_bytes(four(c))).collect();
                if codes.iter().any(|&code| code != MISSING_CODE && code as usize >= levels.len()) {
                    return Err(reader.damaged("a text code has no level"));
                }
                ColumnData::Categorical { levels, codes }
            }
            Some(KIND_DATE) => {
                let n = reader.len()?;
                let raw = reader.take(n.checked_mul(4).ok_or(reader.damaged("length overflows"))?)?;
                ColumnData::Date { days: raw.chunks_exact(4).map(|c| i32::from_le_bytes(four(c))).collect() }
            }
            _ => return Err(reader.damaged("unknown column kind")),
        };
        table.push_column(name, data)?;
    }
    if reader.offset != bytes.len() {
        return Err(reader.damaged("bytes after the last column"));
    }
    Ok(table)
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Tables are capped far below 4 G rows and columns; saturate rather than wrap.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn four(chunk: &[u8]) -> [u8; 4] {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(chunk);
    bytes
}

fn eight(chunk: &[u8]) -> [u8; 8] {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(chunk);
    bytes
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn damaged(&self, what: &'static str) -> TableBytesError {
        TableBytesError::Damaged { offset: self.offset, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], TableBytesError> {
        let end = self.offset.checked_add(n).ok_or(self.damaged("length overflows"))?;
        let slice = self.bytes.get(self.offset..end).ok_or(self.damaged("ends early"))?;
        self.offset = end;
        Ok(slice)
    }

    fn len(&mut self) -> Result<usize, TableBytesError> {
        Ok(u32::from_le_bytes(four(self.take(4)?)) as usize)
    }

    fn text(&mut self) -> Result<String, TableBytesError> {
        let n = self.len()?;
        let at = self.offset;
        let raw = self.take(n)?;
        String::from_utf8(raw.to_vec()).map_err(|_| TableBytesError::Damaged { offset: at, what: "text is not UTF-8" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::synth::{generate, Scenario, SynthOptions};

    #[test]
    fn every_column_kind_round_trips_bit_for_bit() {
        let options = SynthOptions { n_rows: 500, seed: 9, fraud_rate: 0.05 };
        for scenario in [Scenario::Denial, Scenario::Medical, Scenario::Pharmacy] {
            let table = generate(scenario, &options).unwrap();
            let bytes = table_to_bytes(table.view());
            let back = table_from_bytes(&bytes).unwrap();
            assert_eq!(table_to_bytes(back.view()), bytes, "{scenario:?}");
            assert_eq!(back.column_names(), table.column_names());
        }
    }

    #[test]
    fn damaged_bytes_are_errors_at_every_cut() {
        let table = generate(Scenario::Medical, &SynthOptions { n_rows: 100, seed: 1, fraud_rate: 0.05 }).unwrap();
        let bytes = table_to_bytes(table.view());
        assert_eq!(table_from_bytes(b"nope"), Err(TableBytesError::NotATable));
        for cut in (4..bytes.len()).step_by(97) {
            assert!(table_from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(matches!(table_from_bytes(&extra), Err(TableBytesError::Damaged { .. })));
        // A huge claimed length fails cleanly instead of allocating.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&1u32.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(table_from_bytes(&huge).is_err());
    }
}
