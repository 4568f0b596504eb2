//! Delimited text (CSV, TSV, `;` and `|`) to a [`ClaimsTable`], with RFC 4180 quoting.
//!
//! Two passes over the decoded text: the first checks the shape and decides each column's
//! type (numeric when every present cell is a number), the second fills the columns. Cells
//! like `NA`, `null` or empty are missing. A number with a leading zero (`007`, a zip code
//! or an NDC) keeps its column as text so identifiers are never mangled.

use std::borrow::Cow;

use super::IngestError;
use crate::claims::table::{CategoricalBuilder, ClaimsTable, ColumnData};

/// How to read a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DelimitedOptions {
    /// The field separator; `None` sniffs it from the header among `,` tab `;` `|`.
    pub delimiter: Option<u8>,
}

/// Reads `bytes` (named `file` in messages) into a table with one column per header field.
pub fn read_delimited(bytes: &[u8], file: &str, options: DelimitedOptions) -> Result<ClaimsTable, IngestError> {
    let text = decode(bytes, file)?;
    let delimiter = options.delimiter.map_or_else(|| sniff_delimiter(&text), char::from);
    let mut records = Records::new(&text, delimiter, file);
    let Some((_, header)) = records.next_record()? else {
        return Err(IngestError::Empty { file: file.to_owned() });
    };
    let names = header_names(&header, file)?;

    // Pass 1: shape and types.
    let mut kinds = vec![CellKind::Missing; names.len()];
    let mut n_rows = 0usize;
    while let Some((row, fields)) = records.next_record()? {
        if fields.len() != names.len() {
            return Err(IngestError::RaggedRow { file: file.into(), row, expected: names.len(), found: fields.len() });
        }
        for (kind, field) in kinds.iter_mut().zip(&fields) {
            *kind = kind.widen(classify(field));
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(IngestError::HeaderOnly { file: file.to_owned() });
    }

    // Pass 2: values.
    let mut builders: Vec<ColumnBuilder> = kinds
        .iter()
        .map(|kind| match kind {
            CellKind::Text => ColumnBuilder::Text(CategoricalBuilder::default()),
            CellKind::Missing | CellKind::Number => ColumnBuilder::Number(Vec::with_capacity(n_rows)),
        })
        .collect();
    let mut records = Records::new(&text, delimiter, file);
    records.next_record()?;
    while let Some((_, fields)) = records.next_record()? {
        for (builder, field) in builders.iter_mut().zip(&fields) {
            builder.push(field);
        }
    }
    let mut table = ClaimsTable::new();
    for (name, builder) in names.into_iter().zip(builders) {
        // Names are unique and lengths equal by construction; a failure here would be a bug,
        // reported rather than panicking.
        if let Err(error) = table.push_column(name, builder.finish()) {
            debug_assert!(false, "{error}");
        }
    }
    Ok(table)
}

/// UTF-8 (a BOM is dropped), else Latin-1; NUL bytes mean binary data.
fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<Cow<'a, str>, IngestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(offset) = bytes.iter().take(64 * 1024).position(|&b| b == 0) {
        return Err(IngestError::Binary { file: file.to_owned(), offset });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    }
}

/// The candidate separator seen most often in the first line outside quotes (comma on ties).
fn sniff_delimiter(text: &str) -> char {
    let mut counts = [0usize; 4];
    const CANDIDATES: [char; 4] = [',', '\t', ';', '|'];
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' | '\r' if !in_quotes => break,
            _ if !in_quotes => {
                if let Some(idx) = CANDIDATES.iter().position(|&d| d == c) {
                    counts[idx] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for idx in 1..CANDIDATES.len() {
        if counts[idx] > counts[best] {
            best = idx;
        }
    }
    CANDIDATES[best]
}

fn header_names(header: &[String], file: &str) -> Result<Vec<String>, IngestError> {
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(idx, name)| {
            let trimmed = name.trim();
            if trimmed.is_empty() {
                format!("column_{}", idx + 1)
            } else {
                trimmed.to_owned()
            }
        })
        .collect();
    for (second, name) in names.iter().enumerate() {
        if let Some(first) = names[..second].iter().position(|other| other == name) {
            return Err(IngestError::DuplicateHeader {
                file: file.to_owned(),
                name: name.clone(),
                first: first + 1,
                second: second + 1,
            });
        }
    }
    Ok(names)
}

/// What a column's cells allow, from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum CellKind {
    Missing,
    Number,
    Text,
}

impl CellKind {
    fn widen(self, cell: CellKind) -> CellKind {
        self.max(cell)
    }
}

fn is_missing(cell: &str) -> bool {
    const MISSING: [&str; 6] = ["na", "n/a", "nan", "null", "none", "?"];
    cell.is_empty() || MISSING.iter().any(|token| cell.eq_ignore_ascii_case(token))
}

fn classify(field: &str) -> CellKind {
    let cell = field.trim();
    if is_missing(cell) {
        CellKind::Missing
    } else if parse_number(cell).is_some() {
        CellKind::Number
    } else {
        CellKind::Text
    }
}

/// A plain decimal number; a leading zero before another digit (`007`) is an identifier.
fn parse_number(cell: &str) -> Option<f64> {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let bytes = digits.as_bytes();
    if bytes.len() > 1 && bytes[0] == b'0' && bytes[1].is_ascii_digit() {
        return None;
    }
    if !bytes.first().is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}

enum ColumnBuilder {
    Number(Vec<f64>),
    Text(CategoricalBuilder),
}

impl ColumnBuilder {
    fn push(&mut self, field: &str) {
        let cell = field.trim();
        match self {
            ColumnBuilder::Number(values) => {
                values.push(if is_missing(cell) { f64::NAN } else { parse_number(cell).unwrap_or(f64::NAN) })
            }
            ColumnBuilder::Text(builder) => builder.push((!is_missing(cell)).then_some(cell)),
        }
    }

    fn finish(self) -> ColumnData {
        match self {
            ColumnBuilder::Number(values) => ColumnData::Numeric { values },
            ColumnBuilder::Text(builder) => builder.finish(),
        }
    }
}

/// Splits text into records of fields, tracking 1-based line numbers.
struct Records<'a> {
    text: &'a str,
    position: usize,
    line: usize,
    delimiter: char,
    file: &'a str,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: char, file: &'a str) -> Self {
        Self { text, position: 0, line: 1, delimiter, file }
    }

    /// The next non-blank record and the line it starts on; `None` at the end.
    fn next_record(&mut self) -> Result<Option<(usize, Vec<String>)>, IngestError> {
        loop {
            if self.position >= self.text.len() {
                return Ok(None);
            }
            let start_line = self.line;
            let fields = self.read_fields()?;
            let blank = fields.len() == 1 && fields[0].trim().is_empty();
            if !blank {
                return Ok(Some((start_line, fields)));
            }
        }
    }

    fn read_fields(&mut self) -> Result<Vec<String>, IngestError> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut quote_start_line = self.line;
        let mut chars = self.text[self.position..].char_indices().peekable();
        let mut consumed = self.text.len() - self.position;
        while let Some((_, c)) = chars.next() {
            if in_quotes {
                match c {
                    '"' if chars.peek().is_some_and(|&(_, next)| next == '"') => {
                        field.push('"');
                        chars.next();
                    }
                    '"' => in_quotes = false,
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() => {
                    field.clear();
                    in_quotes = true;
                    quote_start_line = self.line;
                }
                '\r' | '\n' => {
                    if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                        chars.next();
                    }
                    self.line += 1;
                    consumed = chars.peek().map_or(self.text.len() - self.position, |&(next, _)| next);
                    fields.push(std::mem::take(&mut field));
                    self.position += consumed;
                    return Ok(fields);
                }
                _ if c == self.delimiter => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        if in_quotes {
            return Err(IngestError::UnclosedQuote { file: self.file.to_owned(), row: quote_start_line });
        }
        fields.push(field);
        self.position += consumed;
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ClaimsTable, IngestError> {
        read_delimited(text.as_bytes(), "claims.csv", DelimitedOptions::default())
    }

    #[test]
    fn reads_types_quotes_and_missing_values() {
        let table = read(
            "id,amount,provider,zip\r\n\
             1,10.5,\"Smith, J\",02139\r\n\
             2,NA,\"say \"\"hi\"\"\",10001\r\n\
             3,7,,\n",
        )
        .unwrap();
        assert_eq!(table.n_rows(), 3);
        assert_eq!(table.column("amount").unwrap().data.display(0), "10.5");
        assert!(matches!(&table.column("amount").unwrap().data, ColumnData::Numeric { values } if values[1].is_nan()));
        assert_eq!(table.column("provider").unwrap().data.display(0), "Smith, J");
        assert_eq!(table.column("provider").unwrap().data.display(1), "say \"hi\"");
        assert_eq!(table.column("provider").unwrap().data.display(2), "");
        assert!(matches!(table.column("zip").unwrap().data, ColumnData::Categorical { .. }), "leading zeros keep text");
        assert_eq!(table.column("zip").unwrap().data.display(0), "02139");
    }

    #[test]
    fn sniffs_delimiters_and_handles_bom_and_latin1() {
        for (text, delimiter) in [("a;b\n1;2\n", ';'), ("a\tb\n1\t2\n", '\t'), ("a|b\n1|2\n", '|')] {
            assert_eq!(sniff_delimiter(text), delimiter);
            let table = read(text).unwrap();
            assert_eq!(table.column_names(), vec!["a", "b"]);
        }
        let table = read_delimited(b"\xEF\xBB\xBFname,x\nJos\xC3\xA9,1\n", "f", DelimitedOptions::default()).unwrap();
        assert_eq!(table.column_names()[0], "name");
        assert_eq!(table.column("name").unwrap().data.display(0), "José");
        let table = read_delimited(b"name,x\nJos\xE9,1\n", "f", DelimitedOptions::default()).unwrap();
        assert_eq!(table.column("name").unwrap().data.display(0), "José");
    }

    #[test]
    fn multiline_quoted_fields_keep_line_numbers_right() {
        let err = read("a,b\n1,\"two\nlines\"\n3\n").unwrap_err();
        assert_eq!(err, IngestError::RaggedRow { file: "claims.csv".into(), row: 4, expected: 2, found: 1 });
    }

    #[test]
    fn bad_inputs_are_named_errors() {
        assert_eq!(read("").unwrap_err(), IngestError::Empty { file: "claims.csv".into() });
        assert_eq!(read("\n\n").unwrap_err(), IngestError::Empty { file: "claims.csv".into() });
        assert_eq!(read("a,b\n").unwrap_err(), IngestError::HeaderOnly { file: "claims.csv".into() });
        assert!(matches!(read("a,a\n1,2\n").unwrap_err(), IngestError::DuplicateHeader { first: 1, second: 2, .. }));
        assert!(matches!(read("a\n\"open\n").unwrap_err(), IngestError::UnclosedQuote { row: 2, .. }));
        let binary = read_delimited(b"PK\x03\x04\x00\x00", "x.zip", DelimitedOptions::default()).unwrap_err();
        assert!(matches!(binary, IngestError::Binary { offset: 4, .. }));
        assert!(binary.to_string().starts_with("x.zip:"));
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("-0.5"), Some(-0.5));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("0"), Some(0.0));
        assert_eq!(parse_number("007"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1,234"), None);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod no_panics {
        use super::*;

        proptest::proptest! {
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
                let _ = read_delimited(&bytes, "fuzz.csv", DelimitedOptions::default());
            }

            #[test]
            fn never_panics_on_csv_like_text(text in "[a-c0-9,;\"\\n\\r\\t| .-]{0,200}") {
                if let Ok(table) = read(&text) {
                    proptest::prop_assert!(table.n_rows() > 0);
                }
            }
        }
    }
}
