//! A compact binary form of a claims table, for moving a million claims between the Web
//! Worker and the page as one byte buffer (raw little-endian columns, no text formatting).
//!
//! Layout: `CFT2`, column count (u32), then per column its name, its canonical alias (empty
//! if none), a kind byte and the data:
//! numbers as the table holds them (f64, f32, or whole cents as i32), dates as i32, text as
//! its levels then one u32 code per row. Every length
//! is a little-endian u32; every read is bounds-checked, so damaged bytes are an error, not
//! a panic.

use std::io::{Read, Write};

use thiserror::Error;

use super::numbers::{Numbers, Stored};
use super::table::{ClaimsTable, ColumnData, ColumnsView, Levels, TableError, MISSING_CODE};

const MAGIC: &[u8; 4] = b"CFT2";
const KIND_NUMERIC: u8 = 0;
const KIND_CATEGORICAL: u8 = 1;
const KIND_DATE: u8 = 2;
const KIND_SINGLES: u8 = 3;
const KIND_CENTS: u8 = 4;

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
    let mut out = Vec::with_capacity(table_byte_len(table));
    // Writing to a `Vec` cannot fail.
    let _ = write_table(table, &mut out);
    out
}

/// How many bytes [`write_table`] writes for `table`, so a caller can size its buffer
/// exactly before writing (the worker writes a million claims straight into a JavaScript
/// array, never holding them as one block in its own memory).
pub fn table_byte_len(table: ColumnsView<'_>) -> usize {
    const LEN: usize = 4;
    let n_rows = table.n_rows();
    let columns = table.columns().iter().map(|column| {
        let data = match &column.data {
            ColumnData::Numeric { values } => {
                let width = match values.stored() {
                    Stored::Singles(_) | Stored::Cents(_) => 4,
                    Stored::Doubles(_) => 8,
                };
                LEN + n_rows * width
            }
            ColumnData::Categorical { levels, .. } => {
                LEN + levels.iter().map(|level| LEN + level.len()).sum::<usize>() + LEN + n_rows * 4
            }
            ColumnData::Date { .. } => LEN + n_rows * 4,
        };
        LEN + column.name.len() + LEN + column.canonical.as_ref().map_or(0, String::len) + 1 + data
    });
    MAGIC.len() + LEN + columns.sum::<usize>()
}

/// Writes the table's bytes to `out`, a chunk of values at a time; the same bytes as
/// [`table_to_bytes`], [`table_byte_len`] of them.
pub fn write_table(table: ColumnsView<'_>, out: &mut impl Write) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(64);
    head.extend_from_slice(MAGIC);
    put_len(&mut head, table.columns().len());
    for column in table.columns() {
        put_text(&mut head, &column.name);
        put_text(&mut head, column.canonical.as_deref().unwrap_or(""));
        match &column.data {
            ColumnData::Numeric { values } => match values.stored() {
                Stored::Singles(singles) => {
                    head.push(KIND_SINGLES);
                    put_values(out, &mut head, singles, |v| v.to_le_bytes())?;
                }
                Stored::Cents(cents) => {
                    head.push(KIND_CENTS);
                    put_values(out, &mut head, cents, |c| c.to_le_bytes())?;
                }
                Stored::Doubles(doubles) => {
                    head.push(KIND_NUMERIC);
                    put_values(out, &mut head, doubles, |v| v.to_le_bytes())?;
                }
            },
            ColumnData::Categorical { levels, codes } => {
                head.push(KIND_CATEGORICAL);
                put_len(&mut head, levels.len());
                for level in levels.iter() {
                    put_text(&mut head, level);
                    if head.len() >= CHUNK_BYTES {
                        out.write_all(&head)?;
                        head.clear();
                    }
                }
                put_values(out, &mut head, codes, |c| c.to_le_bytes())?;
            }
            ColumnData::Date { days } => {
                head.push(KIND_DATE);
                put_values(out, &mut head, days, |d| d.to_le_bytes())?;
            }
        }
    }
    out.write_all(&head)
}

/// Writes what `head` holds, then `values`' length and the values, a chunk at a time;
/// `head` is left empty for what follows.
fn put_values<T: Copy, const WIDTH: usize>(
    out: &mut impl Write,
    head: &mut Vec<u8>,
    values: &[T],
    bytes_of: impl Fn(T) -> [u8; WIDTH],
) -> std::io::Result<()> {
    put_len(head, values.len());
    for chunk in values.chunks(CHUNK_BYTES / WIDTH) {
        chunk.iter().for_each(|&value| head.extend_from_slice(&bytes_of(value)));
        out.write_all(head)?;
        head.clear();
    }
    out.write_all(head)?;
    head.clear();
    Ok(())
}

/// Reads bytes written by [`table_to_bytes`].
pub fn table_from_bytes(bytes: &[u8]) -> Result<ClaimsTable, TableBytesError> {
    read_sized_table(bytes, bytes.len())
}

/// [`table_from_bytes`] from a stream, a little at a time: the bytes are never held whole
/// beside the table they make.
pub fn read_table(input: impl Read) -> Result<ClaimsTable, TableBytesError> {
    read_from(Reader { input, offset: 0, chunk: Vec::new(), total: None })
}

/// [`read_table`] from a stream of `total` bytes (the page reads a million claims straight
/// from the buffer the worker posted). Knowing the total, each column's values go into a
/// buffer of exactly their number, where a stream of unknown length grows its buffers as
/// values arrive (a damaged length could otherwise ask for memory the bytes cannot fill).
pub fn read_sized_table(input: impl Read, total: usize) -> Result<ClaimsTable, TableBytesError> {
    read_from(Reader { input, offset: 0, chunk: Vec::new(), total: Some(total) })
}

fn read_from<R: Read>(mut reader: Reader<R>) -> Result<ClaimsTable, TableBytesError> {
    let mut magic = [0; 4];
    if reader.fill(&mut magic).is_err() || &magic != MAGIC {
        return Err(TableBytesError::NotATable);
    }
    let n_columns = reader.len()?;
    let mut table = ClaimsTable::new();
    for _ in 0..n_columns {
        let name = reader.text()?;
        let canonical = Some(reader.text()?).filter(|alias| !alias.is_empty());
        let mut kind = [0; 1];
        reader.fill(&mut kind)?;
        let data = match kind[0] {
            KIND_NUMERIC => {
                let n = reader.len()?;
                ColumnData::Numeric { values: Numbers::new(reader.values(n, f64::from_le_bytes)?) }
            }
            KIND_SINGLES => {
                let n = reader.len()?;
                ColumnData::Numeric { values: Numbers::from_singles(reader.values(n, f32::from_le_bytes)?) }
            }
            KIND_CENTS => {
                let n = reader.len()?;
                ColumnData::Numeric { values: Numbers::from_cents(reader.values(n, i32::from_le_bytes)?) }
            }
            KIND_CATEGORICAL => {
                let n_levels = reader.len()?;
                let mut levels = Levels::new();
                for _ in 0..n_levels {
                    levels.push(&reader.text()?);
                }
                let n = reader.len()?;
                let codes: Vec<u32> = reader.values(n, u32::from_le_bytes)?;
                if codes.iter().any(|&code| code != MISSING_CODE && code as usize >= levels.len()) {
                    return Err(reader.damaged("a text code has no level"));
                }
                ColumnData::Categorical { levels, codes }
            }
            KIND_DATE => {
                let n = reader.len()?;
                ColumnData::Date { days: reader.values(n, i32::from_le_bytes)? }
            }
            _ => return Err(reader.damaged("unknown column kind")),
        };
        table.push_aliased_column(name, canonical, data)?;
    }
    if reader.fill(&mut [0; 1]).is_ok() {
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

/// Values are read this many bytes at a time.
const CHUNK_BYTES: usize = 64 * 1024;

struct Reader<R> {
    input: R,
    offset: usize,
    chunk: Vec<u8>,
    /// The stream's length, when known.
    total: Option<usize>,
}

impl<R: Read> Reader<R> {
    fn damaged(&self, what: &'static str) -> TableBytesError {
        TableBytesError::Damaged { offset: self.offset, what }
    }

    /// Fills `out` from the input, or says where it ended.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), TableBytesError> {
        self.input.read_exact(out).map_err(|_| self.damaged("ends early"))?;
        self.offset += out.len();
        Ok(())
    }

    fn len(&mut self) -> Result<usize, TableBytesError> {
        let mut bytes = [0; 4];
        self.fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes) as usize)
    }

    fn text(&mut self) -> Result<String, TableBytesError> {
        let n = self.len()?;
        let at = self.offset;
        // Read through `take`, so a damaged length cannot ask for more memory than the
        // bytes that are there.
        let mut raw = Vec::new();
        let read = (&mut self.input).take(n as u64).read_to_end(&mut raw).map_err(|_| self.damaged("ends early"))?;
        self.offset += read;
        if read != n {
            return Err(self.damaged("ends early"));
        }
        String::from_utf8(raw).map_err(|_| TableBytesError::Damaged { offset: at, what: "text is not UTF-8" })
    }

    /// `n` values of `WIDTH` bytes each, read a chunk at a time.
    fn values<T, const WIDTH: usize>(
        &mut self,
        n: usize,
        value_of: impl Fn([u8; WIDTH]) -> T,
    ) -> Result<Vec<T>, TableBytesError> {
        let n_bytes = n.checked_mul(WIDTH).ok_or(self.damaged("length overflows"))?;
        let fits = self.total.is_some_and(|total| n_bytes <= total.saturating_sub(self.offset));
        let mut chunk = std::mem::take(&mut self.chunk);
        let mut values = Vec::with_capacity(if fits { n } else { n.min(CHUNK_BYTES) });
        while values.len() < n {
            let count = (n - values.len()).min(CHUNK_BYTES / WIDTH);
            chunk.resize(count * WIDTH, 0);
            self.fill(&mut chunk)?;
            values.extend(chunk.chunks_exact(WIDTH).map(|raw| {
                let mut bytes = [0; WIDTH];
                bytes.copy_from_slice(raw);
                value_of(bytes)
            }));
        }
        self.chunk = chunk;
        Ok(values)
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
    fn a_stream_read_a_few_bytes_at_a_time_makes_the_same_table() {
        /// Hands out at most 7 bytes per read, as a slow stream might.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = out.len().min(7).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let table = generate(Scenario::Pharmacy, &SynthOptions { n_rows: 20_000, seed: 3, fraud_rate: 0.05 }).unwrap();
        let bytes = table_to_bytes(table.view());
        let back = read_table(Trickle(&bytes)).unwrap();
        assert!(table_to_bytes(back.view()) == bytes);
        for cut in [5, bytes.len() / 3, bytes.len() - 1] {
            assert!(matches!(read_table(Trickle(&bytes[..cut])), Err(TableBytesError::Damaged { .. })), "cut {cut}");
        }
    }

    #[test]
    fn the_length_is_known_before_writing_and_a_slow_writer_gets_the_same_bytes() {
        let options = SynthOptions { n_rows: 40_000, seed: 2, fraud_rate: 0.05 };
        let medical = generate(Scenario::Medical, &options).unwrap();
        // With its features, the table holds every kind of column and every numeric form.
        let (with_features, _) = crate::claims::features::add_features(&medical).unwrap();
        for table in [with_features, generate(Scenario::Pharmacy, &options).unwrap(), ClaimsTable::new()] {
            let bytes = table_to_bytes(table.view());
            assert_eq!(table_byte_len(table.view()), bytes.len());
            let mut sip = crate::test_support::TrickleWriter(Vec::new());
            write_table(table.view(), &mut sip).unwrap();
            assert!(sip.0 == bytes);
        }
    }

    #[test]
    fn a_small_table_has_the_documented_layout() {
        let mut table = ClaimsTable::new();
        table.push_column("d", ColumnData::Date { days: vec![1, -2] }).unwrap();
        let levels = Levels::from(vec!["ab".to_string()]);
        table
            .push_aliased_column(
                "c",
                Some("code".into()),
                ColumnData::Categorical { levels, codes: vec![0, MISSING_CODE] },
            )
            .unwrap();
        table.push_column("x", ColumnData::Numeric { values: Numbers::new(vec![0.5, 0.1]) }).unwrap();
        let mut expected = b"CFT2".to_vec();
        let mut put = |bytes: &[u8]| expected.extend_from_slice(bytes);
        put(&3u32.to_le_bytes());
        put(&1u32.to_le_bytes());
        put(b"d");
        put(&0u32.to_le_bytes());
        put(&[KIND_DATE]);
        put(&2u32.to_le_bytes());
        put(&1i32.to_le_bytes());
        put(&(-2i32).to_le_bytes());
        put(&1u32.to_le_bytes());
        put(b"c");
        put(&4u32.to_le_bytes());
        put(b"code");
        put(&[KIND_CATEGORICAL]);
        put(&1u32.to_le_bytes());
        put(&2u32.to_le_bytes());
        put(b"ab");
        put(&2u32.to_le_bytes());
        put(&0u32.to_le_bytes());
        put(&MISSING_CODE.to_le_bytes());
        put(&1u32.to_le_bytes());
        put(b"x");
        put(&0u32.to_le_bytes());
        // 0.5 and 0.1 are whole cents.
        put(&[KIND_CENTS]);
        put(&2u32.to_le_bytes());
        put(&50i32.to_le_bytes());
        put(&10i32.to_le_bytes());
        assert_eq!(table_to_bytes(table.view()), expected);
        assert_eq!(table_byte_len(table.view()), expected.len());
        let back = table_from_bytes(&expected).unwrap();
        assert_eq!(back.column("code").map(|c| c.name.as_str()), Some("c"));
    }

    #[test]
    fn a_stream_of_known_length_reads_the_same_table_and_the_same_errors() {
        let table = generate(Scenario::Medical, &SynthOptions { n_rows: 3_000, seed: 5, fraud_rate: 0.05 }).unwrap();
        let bytes = table_to_bytes(table.view());
        let back = read_sized_table(&bytes[..], bytes.len()).unwrap();
        assert!(table_to_bytes(back.view()) == bytes);
        for cut in (4..bytes.len()).step_by(1013) {
            assert!(read_sized_table(&bytes[..cut], cut).is_err(), "cut at {cut}");
        }
        // A damaged length beyond the bytes that are there reserves nothing for it.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&1u32.to_le_bytes());
        huge.extend_from_slice(&0u32.to_le_bytes());
        huge.push(KIND_DATE);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(read_sized_table(&huge[..], huge.len()), Err(TableBytesError::Damaged { .. })));
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

    #[test]
    fn numbers_travel_in_the_form_the_table_holds() {
        let table = generate(Scenario::Medical, &SynthOptions { n_rows: 2000, seed: 4, fraud_rate: 0.05 }).unwrap();
        let (with_features, _) = crate::claims::features::add_features(&table).unwrap();
        let forms = |table: &ClaimsTable| -> Vec<u8> {
            table
                .view()
                .columns()
                .iter()
                .filter_map(|column| match &column.data {
                    ColumnData::Numeric { values } => Some(match values.stored() {
                        Stored::Singles(_) => KIND_SINGLES,
                        Stored::Cents(_) => KIND_CENTS,
                        Stored::Doubles(_) => KIND_NUMERIC,
                    }),
                    _ => None,
                })
                .collect()
        };
        // The medical claims and their features use all three forms.
        let held = forms(&with_features);
        assert!([KIND_SINGLES, KIND_CENTS, KIND_NUMERIC].iter().all(|kind| held.contains(kind)), "{held:?}");
        let bytes = table_to_bytes(with_features.view());
        let back = table_from_bytes(&bytes).unwrap();
        assert_eq!(forms(&back), held);
        assert_eq!(back, with_features);
        // Each compact column is four bytes a row, not eight.
        let all_doubles: usize = held.len() * 2000 * 8;
        let compact = held.iter().map(|&kind| if kind == KIND_NUMERIC { 8 } else { 4 }).sum::<usize>() * 2000;
        assert!(compact < all_doubles);
        let numeric_bytes = bytes.len() - table_to_bytes(without_numbers(&with_features).view()).len();
        assert!(numeric_bytes < compact + held.len() * 64, "{numeric_bytes} against {compact}");
    }

    fn without_numbers(table: &ClaimsTable) -> ClaimsTable {
        let mut kept = ClaimsTable::new();
        for column in table.view().columns() {
            if !matches!(column.data, ColumnData::Numeric { .. }) {
                kept.push_column(column.name.clone(), column.data.clone()).unwrap();
            }
        }
        kept
    }
}
