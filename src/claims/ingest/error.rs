//! [`IngestError`]: every reason a file cannot be read, as a sentence naming the file, and
//! the row and column where one applies.

use thiserror::Error;

use super::budget::BudgetKind;

/// Why a file could not be read into a table. Rows are 1-based as the source shows them
/// (file lines for text, where the header is line 1; sheet rows for xlsx); columns are the
/// header name where one is known.
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
    /// The bytes are not text, nor a format we read.
    #[error(
        "{file}: this does not look like a claims table (binary data near byte {offset}); \
         use CSV, TSV, .gz, .zip or .xlsx"
    )]
    Binary {
        /// The file name.
        file: String,
        /// Where the first binary byte is.
        offset: u64,
    },
    /// Text in an encoding we do not read.
    #[error("{file}: the text is {encoding}; save it as UTF-8 (or Windows-1252) and load that")]
    UnsupportedEncoding {
        /// The file name.
        file: String,
        /// The encoding found.
        encoding: String,
    },
    /// An old binary Excel workbook.
    #[error("{file}: this is a legacy Excel .xls workbook; save it as .xlsx or CSV and load that")]
    LegacyXls {
        /// The file name.
        file: String,
    },
    /// A gzip or zip stream is damaged or truncated.
    #[error("{file}: the compressed data is damaged or incomplete ({detail})")]
    Compressed {
        /// The file name.
        file: String,
        /// What the decompressor said.
        detail: String,
    },
    /// A zip archive without a data file.
    #[error("{file}: the zip archive holds no CSV, TSV or text file{}", found_list(.entries))]
    ZipWithoutData {
        /// The file name.
        file: String,
        /// The names of the entries it does hold (the first few).
        entries: Vec<String>,
    },
    /// The zip entry asked for is not in the archive.
    #[error("{file}: the zip archive has no entry '{entry}'{}", found_list(.entries))]
    ZipEntryNotFound {
        /// The file name.
        file: String,
        /// The entry asked for.
        entry: String,
        /// The entries it does hold (the first few).
        entries: Vec<String>,
    },
    /// The worksheet asked for is not in the workbook.
    #[error("{file}: the workbook has no worksheet '{sheet}'{}", found_list(.sheets))]
    SheetNotFound {
        /// The file name.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The worksheets it does hold.
        sheets: Vec<String>,
    },
    /// An xlsx workbook without a worksheet.
    #[error("{file}: the workbook has no worksheets")]
    XlsxWithoutSheets {
        /// The file name.
        file: String,
    },
    /// An xlsx workbook whose parts cannot be read.
    #[error("{file}: the workbook is damaged ({detail})")]
    XlsxDamaged {
        /// The file name.
        file: String,
        /// Which part failed and how.
        detail: String,
    },
    /// Reading the source failed.
    #[error("{file}: cannot read the file ({detail})")]
    Read {
        /// The file name.
        file: String,
        /// What the system said.
        detail: String,
    },
    /// A quoted field never ends.
    #[error("{file}, row {row}: a quoted field starts here and is never closed")]
    UnclosedQuote {
        /// The file name.
        file: String,
        /// 1-based line number where the field starts.
        row: usize,
    },
    /// One record is implausibly long (a missing line break, or not a table at all).
    #[error("{file}, row {row}: the row is longer than {limit_mb} MB; is this a claims table?")]
    RowTooLong {
        /// The file name.
        file: String,
        /// 1-based line number where the record starts.
        row: usize,
        /// The limit, in megabytes.
        limit_mb: usize,
    },
    /// The header has more columns than any claims file should.
    #[error("{file}, row {row}: the header has more than {limit} columns, the most ClaimForest reads")]
    TooManyColumns {
        /// The file name.
        file: String,
        /// 1-based row of the header.
        row: usize,
        /// Columns found (a delimited record stops counting at one past the limit).
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// The file goes past a budget (decompressed bytes, rows or cells) before memory runs out.
    #[error("{file}{}: the file holds more than {detail}", .row.map(|row| format!(", row {row}")).unwrap_or_default())]
    OverBudget {
        /// The file name.
        file: String,
        /// The row where the budget ran out, for rows and cells.
        row: Option<usize>,
        /// Which budget.
        kind: BudgetKind,
        /// The limit and how to raise it, as a phrase.
        detail: String,
    },
    /// Too many rows could not be read.
    #[error(
        "{file}: {rejected} of {seen} data rows could not be read, too many to trust the rest; \
         the first: {first}"
    )]
    TooManyRejected {
        /// The file name.
        file: String,
        /// Rows rejected.
        rejected: usize,
        /// Data rows seen.
        seen: usize,
        /// The first rejection, as a sentence naming its row.
        first: String,
    },
    /// A mapping names a canonical column that does not exist.
    #[error("--map: '{name}' is not a canonical column; the canonical columns are {known}")]
    UnknownCanonical {
        /// What was asked for.
        name: String,
        /// The canonical names, comma-separated.
        known: String,
    },
    /// A mapping names a header the file does not have.
    #[error("--map: the file has no header '{header}'")]
    MappedHeaderMissing {
        /// The header asked for.
        header: String,
    },
    /// The requested vendor profile does not exist.
    #[error("unknown profile '{name}'; known profiles: {known}")]
    UnknownProfile {
        /// What was asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
}

fn found_list(entries: &[String]) -> String {
    if entries.is_empty() {
        " (it is empty)".to_owned()
    } else {
        format!(" (found: {})", entries.join(", "))
    }
}
