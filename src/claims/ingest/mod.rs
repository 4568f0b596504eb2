//! Reading claims files from bytes: one code path for uploads, the CLI and tests.
//!
//! Today: delimited text (comma, tab, semicolon or pipe, sniffed from the header), UTF-8
//! with or without a BOM, falling back to Latin-1. Every failure is an [`IngestError`]
//! that names the file, and the row and column where it applies.

mod csv;

use thiserror::Error;

pub use csv::{read_delimited, DelimitedOptions};

/// Why a file could not be read into a table. Rows are 1-based file lines (the header is
/// line 1); columns are 1-based positions plus the header name where known.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum IngestError {
    /// The file has no bytes, or only blank lines.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file name.
        file: String,
    },
    /// A header and no data rows.
    #[error("{file}: the file has a header but no data rows")]
    HeaderOnly {
        /// The file name.
        file: String,
    },
    /// The bytes are not text.
    #[error("{file}: this does not look like a text table (binary data near byte {offset})")]
    Binary {
        /// The file name.
        file: String,
        /// Where the first binary byte is.
        offset: usize,
    },
    /// Two columns share a header.
    #[error("{file}, row 1: columns {first} and {second} are both named '{name}'")]
    DuplicateHeader {
        /// The file name.
        file: String,
        /// The repeated header.
        name: String,
        /// 1-based position of its first use.
        first: usize,
        /// 1-based position of the repeat.
        second: usize,
    },
    /// A row has a different number of fields than the header.
    #[error("{file}, row {row}: expected {expected} fields like the header, found {found}")]
    RaggedRow {
        /// The file name.
        file: String,
        /// 1-based line number.
        row: usize,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A quoted field never ends.
    #[error("{file}, row {row}: a quoted field starts here and is never closed")]
    UnclosedQuote {
        /// The file name.
        file: String,
        /// 1-based line number where the field starts.
        row: usize,
    },
}
