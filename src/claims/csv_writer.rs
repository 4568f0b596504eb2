//! Writing a claims table as CSV (RFC 4180 quoting), for the CLI and downloads.

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

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
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
        table.push_column("amount", ColumnData::Numeric { values: vec![1.0, 2.5, f64::NAN, 4.0] }).unwrap();
        let mut out = Vec::new();
        write_csv(&table, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "note,amount\nplain,1\n\"a,b\",2.5\n\"say \"\"hi\"\"\",\n,4\n");
    }
}
