//! Writing a claims table as CSV (RFC 4180 quoting), for the CLI and downloads, and the
//! OWASP CSV-injection guard ([`csv_cell`]) every download's cells go through.

use std::io::{self, Write};

use super::ClaimsTable;

/// Writes `table` with a header row; fields holding a comma, quote or newline are quoted.
pub fn write_csv(table: &ClaimsTable, out: &mut impl Write) -> io::Result<()> {
    let header: Vec<String> = table.columns().iter().map(|c| quote(&c.name)).collect();
    writeln!(out, "{}", header.join(","))?;
    let mut line = String::new();
    for row_idx in 0..table.n_rows() {
        line.clear();
        for (column_idx, column) in table.columns().iter().enumerate() {
            if column_idx > 0 {
                line.push(',');
            }
            line.push_str(&quote(&column.data.display(row_idx)));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes a quoted header and `n_rows` lines whose fields `row_fields` fills (cleared before
/// each row); for numeric outputs such as SHAP values or encoded matrices.
pub fn write_rows<W: Write>(
    out: &mut W,
    header: &[String],
    n_rows: usize,
    mut row_fields: impl FnMut(usize, &mut Vec<String>),
) -> io::Result<()> {
    let quoted: Vec<String> = header.iter().map(|name| quote(name)).collect();
    writeln!(out, "{}", quoted.join(","))?;
    let mut fields = Vec::with_capacity(header.len());
    for row_idx in 0..n_rows {
        fields.clear();
        row_fields(row_idx, &mut fields);
        let quoted: Vec<String> = fields.iter().map(|field| quote(field)).collect();
        writeln!(out, "{}", quoted.join(","))?;
    }
    Ok(())
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

/// Appends `text` to `line` as one CSV cell (see [`csv_cell`]), so writers can reuse one line buffer.
pub fn push_csv_cell(line: &mut String, text: &str) {
    let needs_prefix = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_negative_number(text);
    let needs_quotes = text.contains([',', '"', '\r', '\n']);
    if needs_quotes {
        line.push('"');
    }
    if needs_prefix {
        line.push('\'');
    }
    if needs_quotes {
        for ch in text.chars() {
            if ch == '"' {
                line.push('"');
            }
            line.push(ch);
        }
        line.push('"');
    } else {
        line.push_str(text);
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
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
}
