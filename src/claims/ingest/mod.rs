//! Reading claims files from bytes or a stream: one code path for uploads, the CLI and tests.
//!
//! A source is sniffed by its first bytes: gzip, zip (the first data file inside), xlsx (the
//! first sheet), or delimited text (`,` tab `;` `|`, UTF-8 with or without a BOM, else
//! Windows-1252). Records stream into a [`builder::TableBuilder`] that maps headers to the
//! canonical schema ([`discovery`]), parses each column as its kind says, and never holds
//! the file's text. Every failure is an [`IngestError`] that names the file, and the row
//! and column where it applies; rows that cannot be read are skipped and listed in the
//! [`SchemaReport`], and a file with too many of them is refused.

mod budget;
mod builder;
mod container;
mod delimited;
pub mod discovery;
mod error;
pub mod report;
pub mod values;
mod xlsx;

use std::io::{Read, Seek};

pub use budget::{BudgetKind, BudgetScope, IngestBudget};
pub use error::IngestError;
pub use report::SchemaReport;

use crate::claims::ClaimsTable;

/// How to read a file.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// The field separator of delimited text; `None` sniffs it among `,` tab `;` `|`.
    pub delimiter: Option<u8>,
    /// The vendor profile (see [`crate::claims::schema::VENDOR_PROFILES`]); `auto` detects it.
    pub profile: String,
    /// Whether to rename recognised headers to their canonical names. Off, every column
    /// keeps its header and only types are inferred.
    pub map_to_canonical: bool,
    /// The file is refused when more than this share of its data rows cannot be read...
    pub max_rejected_share: f64,
    /// ...and more than this many rows were rejected (a few bad rows never refuse a file).
    pub max_rejected_rows: usize,
    /// How many decompressed bytes, rows and cells the file may make the reader take
    /// (a browser tab's by default).
    pub budget: IngestBudget,
    /// The zip entry to read; `None` picks the one that looks like claims.
    pub entry: Option<String>,
    /// The workbook sheet to read; `None` reads the first worksheet.
    pub sheet: Option<String>,
    /// The user's own mappings, header as written = canonical column (`--map`): they win
    /// over every other match.
    pub mappings: Vec<(String, String)>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            profile: "auto".into(),
            map_to_canonical: true,
            max_rejected_share: 0.05,
            max_rejected_rows: 20,
            budget: IngestBudget::default(),
            entry: None,
            sheet: None,
            mappings: Vec::new(),
        }
    }
}

/// A file read into a table, with the report of how.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The claims, with recognised columns under canonical names.
    pub table: ClaimsTable,
    /// What was found, mapped, missed, typed and rejected.
    pub report: SchemaReport,
}

/// Reads a whole file held in memory (an upload, a test fixture).
pub fn read_bytes(bytes: &[u8], file: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    read_source(std::io::Cursor::new(bytes), file, options)
}

/// Reads a seekable source (an open file) as a stream: the text is never held whole, so a
/// 500 MB file needs memory for its table, not for its bytes.
pub fn read_source<R: Read + Seek>(source: R, file: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    let mut builder = builder::TableBuilder::new(file, options)?;
    let (format, other_parts) = container::read(source, file, options, &mut builder, &mut |stream, sink| {
        delimited::read_records(stream, file, options.delimiter, sink)
    })?;
    builder.finish(format, other_parts)
}

/// Where [`container`] and the format readers send what they read. Rows are 1-based as the
/// source shows them (file lines for text, sheet rows for xlsx).
pub(crate) trait RecordSink {
    /// The header record.
    fn header(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError>;
    /// One data record. A record whose width differs from the header's is rejected and
    /// reported by the sink, which returns an error only when the file must be refused.
    fn record(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError>;
    /// Notes how the text was decoded (for the report): "utf-8", "utf-8 with BOM",
    /// "windows-1252", or the delimiter used.
    fn note_text(&mut self, encoding: &'static str, delimiter: Option<u8>);
    /// The delimiter of delimited text, told before the header (a `;`, tab or `|` file may
    /// write decimal commas).
    fn delimiter_chosen(&mut self, _delimiter: u8) {}
}

#[cfg(test)]
mod tests;
