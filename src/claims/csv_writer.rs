//! The one CSV writer every output goes through (the CLI's files and the page's downloads):
//! the OWASP CSV-injection guard ([`csv_cell`]) on every header and cell, then RFC 4180
//! quoting by csv-core.

use std::io::{self, Write};
use std::sync::LazyLock;

use csv_core::{QuoteStyle, Terminator, WriterBuilder};

use super::ClaimsTable;

/// Writes `table` with a header row. Every header and cell goes through the formula guard
/// and RFC 4180 quoting ([`push_csv_cell`]), so nothing ClaimForest writes can run in a
/// spreadsheet.
pub fn write_csv(table: &ClaimsTable, out: &mut impl Write) -> io::Result<()> {
    let header: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    let mut line = String::new();
    push_csv_line(&mut line, header.iter().copied());
    out.write_all(line.as_bytes())?;
    for row_idx in 0..table.n_rows() {
        line.clear();
        push_csv_line(&mut line, table.columns().iter().map(|column| column.cell_text(row_idx)));
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Writes a header and `n_rows` lines whose fields `row_fields` fills (cleared before each
/// row); for numeric outputs such as SHAP values or encoded matrices. Headers and cells go
/// through the same guard as [`write_csv`].
pub fn write_rows<W: Write>(
    out: &mut W,
    header: &[String],
    n_rows: usize,
    mut row_fields: impl FnMut(usize, &mut Vec<String>),
) -> io::Result<()> {
    let mut line = String::new();
    push_csv_line(&mut line, header.iter());
    out.write_all(line.as_bytes())?;
    let mut fields = Vec::with_capacity(header.len());
    for row_idx in 0..n_rows {
        fields.clear();
        row_fields(row_idx, &mut fields);
        line.clear();
        push_csv_line(&mut line, fields.iter());
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends `cells` to `line` as one CSV line (each through [`push_csv_cell`]), ending in `\n`.
pub fn push_csv_line<S: AsRef<str>>(line: &mut String, cells: impl IntoIterator<Item = S>) {
    for (idx, cell) in cells.into_iter().enumerate() {
        if idx > 0 {
            line.push(',');
        }
        push_csv_cell(line, cell.as_ref());
    }
    line.push('\n');
}

/// Neutralises a cell a spreadsheet would run as a formula: a cell starting with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'`, unless it is a plain negative decimal
/// such as "-12.5", "-3" or "-.5" (kept, so amounts stay numbers; "+3" and "-1e5" are
/// neutralised). Then RFC 4180 quoting: a cell holding `,`, `"`, CR or LF is quoted, with its
/// quotes doubled (the `'` goes inside the quotes).
pub fn csv_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len() + 3);
    push_csv_cell(&mut cell, text);
    cell
}

/// csv-core's writer for our CSV: comma-separated, and a field quoted only when it holds a
/// comma, a quote, CR or LF (`QuoteStyle::Necessary`), its quotes doubled.
static RFC_4180: LazyLock<csv_core::Writer> = LazyLock::new(|| {
    WriterBuilder::new()
        .delimiter(b',')
        .quote(b'"')
        .double_quote(true)
        .quote_style(QuoteStyle::Necessary)
        .terminator(Terminator::Any(b'\n'))
        .build()
});

/// Appends `text` to `line` as one CSV cell (see [`csv_cell`]), so writers can reuse one line buffer.
///
/// csv-core decides whether the cell needs quotes and doubles its quotes; its record-level
/// writing is not used, as it would write `""` for a record of one empty cell where we
/// write an empty line.
pub fn push_csv_cell(line: &mut String, text: &str) {
    let needs_prefix = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_negative_number(text);
    // csv-core's rule for `QuoteStyle::Necessary` (`Writer::should_quote`): quoted when any
    // byte is special to the writer. Asked byte by byte, as `should_quote` would also bring
    // the `NonNumeric` style's number parsing into the wasm module.
    let writer = &*RFC_4180;
    if !text.bytes().any(|byte| writer.is_special_byte(byte)) {
        if needs_prefix {
            line.push('\'');
        }
        line.push_str(text);
        return;
    }
    line.push('"');
    if needs_prefix {
        line.push('\'');
    }
    // A doubled quote takes two bytes, so the quoted text takes at most twice the text's.
    let mut quoted = vec![0; 2 * text.len()];
    let (_, _, written) = csv_core::quote(
        text.as_bytes(),
        &mut quoted,
        writer.get_quote(),
        writer.get_escape(),
        writer.get_double_quote(),
    );
    // Only `"` bytes were added, each beside another, so the text is still UTF-8.
    line.push_str(&String::from_utf8_lossy(quoted.get(..written).unwrap_or(&[])));
    line.push('"');
}

/// "-12", "-12.5", "-.5" or "-12.": a minus, digits, at most one point, at least one digit.
fn is_plain_negative_number(text: &str) -> bool {
    let Some(unsigned) = text.strip_prefix('-') else { return false };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    all_digits(whole) && all_digits(fraction) && whole.len() + fraction.len() > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::{CategoricalBuilder, ColumnData};

    #[test]
    fn writes_header_rows_and_quotes_when_needed() {
        let mut text = CategoricalBuilder::default();
        for v in [Some("plain"), Some("a,b"), Some("say \"hi\""), None] {
            text.push(v);
        }
        let mut table = ClaimsTable::new();
        table.push_column("note", text.finish()).unwrap();
        table.push_column("amount", ColumnData::Numeric { values: vec![1.0, 2.5, f64::NAN, 4.0].into() }).unwrap();
        let mut out = Vec::new();
        write_csv(&table, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "note,amount\nplain,1\n\"a,b\",2.5\n\"say \"\"hi\"\"\",\n,4\n");
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let cases = [
            ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
            ("+3", "'+3"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("-1+2", "'-1+2"),
            ("-1e5", "'-1e5"),
            ("-", "'-"),
            ("-.", "'-."),
            ("-12.5", "-12.5"),
            ("-3", "-3"),
            ("-.5", "-.5"),
            ("12", "12"),
            ("", ""),
            ("plain text", "plain text"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("=1,2", "\"'=1,2\""),
            ("\rx", "\"'\rx\""),
        ];
        for (input, expected) in cases {
            assert_eq!(csv_cell(input), expected, "{input:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn no_written_cell_can_start_a_formula(
            cells in proptest::collection::vec("[=+@\\-\t\r\n\",' a-z0-9.]{0,8}", 1..12),
        ) {
            // A record of one empty cell is an empty line, which a reader skips.
            proptest::prop_assume!(cells != [""]);
            let header: Vec<String> = cells.iter().map(|cell| format!("{cell}h")).collect();
            let mut out = Vec::new();
            write_rows(&mut out, &header, 2, |_, fields| fields.extend(cells.iter().cloned())).unwrap();
            let text = String::from_utf8(out).unwrap();
            let records = crate::test_support::csv_records(&text);
            proptest::prop_assert_eq!(records.len(), 3);
            for (record, originals) in records.iter().zip([&header, &cells, &cells]) {
                proptest::prop_assert_eq!(record.len(), originals.len());
                for (written, original) in record.iter().zip(originals) {
                    let starts_formula = written.starts_with(['=', '+', '@', '\t', '\r'])
                        || (written.starts_with('-') && !is_plain_negative_number(written));
                    proptest::prop_assert!(!starts_formula, "{:?} was written as {:?}", original, written);
                    // The text survives: only a leading apostrophe may be added.
                    proptest::prop_assert!(written == original || written.strip_prefix('\'') == Some(original.as_str()));
                }
            }
        }
    }
}
