//! The schema report: what a file held, how its headers mapped to the canonical schema,
//! what is missing and which features that skips, each column's type, and the rows that
//! were rejected and why. Serializable to JSON, and printable as text.

use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize};

use crate::claims::features::SkippedFeature;
use crate::tag_first::{self, TaggedEnum};

/// How many rejected rows and cell problems a report lists one by one (all are counted).
pub const LISTED_PROBLEMS: usize = 50;

/// What a source turned out to be: an object whose first field, `kind`, names the variant
/// (read in one pass, `crate::tag_first`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceFormat {
    /// Delimited text.
    Text,
    /// Gzip-compressed delimited text.
    Gzip,
    /// A zip archive; `entry` is the data file read from it.
    Zip {
        /// The entry's path inside the archive.
        entry: String,
    },
    /// An xlsx workbook; `sheet` is the worksheet read.
    Xlsx {
        /// The worksheet's name.
        sheet: String,
    },
}

impl TaggedEnum for SourceFormat {
    const TAG: &'static str = "kind";
    const VARIANTS: &'static [&'static str] = &["text", "gzip", "zip", "xlsx"];

    fn read_variant<'de, D: Deserializer<'de>>(kind: &str, fields: D) -> Option<Result<Self, D::Error>> {
        /// `Zip`'s fields after its kind.
        #[derive(Deserialize)]
        struct ZipFields {
            entry: String,
        }
        /// `Xlsx`'s fields after its kind.
        #[derive(Deserialize)]
        struct XlsxFields {
            sheet: String,
        }
        Some(match kind {
            "text" => tag_first::unit_variant(fields, SourceFormat::Text),
            "gzip" => tag_first::unit_variant(fields, SourceFormat::Gzip),
            "zip" => ZipFields::deserialize(fields).map(|f| SourceFormat::Zip { entry: f.entry }),
            "xlsx" => XlsxFields::deserialize(fields).map(|f| SourceFormat::Xlsx { sheet: f.sheet }),
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for SourceFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        tag_first::deserialize(deserializer)
    }
}

/// The type a column was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Numbers.
    Number,
    /// Text or codes.
    Text,
    /// Calendar dates.
    Date,
    /// Every cell was missing.
    Empty,
}

/// One column of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    /// The header as written in the file.
    pub header: String,
    /// 1-based position in the file.
    pub position: usize,
    /// The column's name in the table: canonical if recognised, else the header.
    pub name: String,
    /// The canonical column it was mapped to, if any.
    pub canonical: Option<String>,
    /// How it was matched: "canonical name", "profile gsk_iqvia", "synonym", or none.
    pub matched_by: Option<String>,
    /// The type it was read as.
    pub column_type: ColumnType,
    /// Missing cells.
    pub missing: usize,
    /// Cells that did not parse as the column's type (read as missing).
    pub unparsed: usize,
    /// A canonical column the header's words suggest without enough confidence to map it;
    /// `--map "header=canonical"` (or the page's choice) confirms it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<String>,
}

/// A canonical column the file does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingColumn {
    /// The canonical name.
    pub canonical: String,
    /// Its group (member, provider, pharmacy, ...).
    pub group: String,
}

/// A row that was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// 1-based row as the source shows it.
    pub row: usize,
    /// Why, as a sentence.
    pub reason: String,
}

/// A cell that did not parse as its column's type and was read as missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellProblem {
    /// 1-based row as the source shows it.
    pub row: usize,
    /// The column's header.
    pub column: String,
    /// The cell's text.
    pub value: String,
    /// What was expected.
    pub expected: ColumnType,
}

/// Everything a reader needs to trust (or fix) a loaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaReport {
    /// The file name.
    pub file: String,
    /// What the source was.
    pub format: SourceFormat,
    /// The container's other parts that could be read instead: a zip's other data files or a
    /// workbook's other sheets (`--entry`, `--sheet`, the page's chooser).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_parts: Vec<String>,
    /// How its text was decoded: "utf-8", "utf-8 with BOM", "windows-1252", or "xlsx".
    pub encoding: String,
    /// The field separator, for delimited text.
    pub delimiter: Option<String>,
    /// The vendor profile asked for.
    pub profile_requested: String,
    /// The vendor profile used (what `auto` detected).
    pub profile_used: String,
    /// Data rows seen (loaded plus rejected).
    pub rows_seen: usize,
    /// Rows in the table.
    pub rows_loaded: usize,
    /// Rows skipped.
    pub rows_rejected: usize,
    /// Every column of the file, in order.
    pub columns: Vec<ColumnReport>,
    /// Canonical columns the file lacks.
    pub missing: Vec<MissingColumn>,
    /// Headers that matched no canonical column; they are kept and may be features.
    pub extra_columns: Vec<String>,
    /// Features that cannot be built, and the columns they lack.
    pub skipped_features: Vec<SkippedFeature>,
    /// The first rejected rows (all are counted in `rows_rejected`).
    pub rejected_rows: Vec<RejectedRow>,
    /// Cells that did not parse, in total.
    pub cell_problem_count: usize,
    /// The first such cells.
    pub cell_problems: Vec<CellProblem>,
    /// Anything else worth knowing (renamed duplicate headers, ...).
    pub notes: Vec<String>,
}

impl SchemaReport {
    /// What the source was, as a phrase: "zip archive, entry 'data/claims.tsv' (other entries:
    /// data/providers.csv)".
    pub fn describe_source(&self) -> String {
        match &self.format {
            SourceFormat::Text => "delimited text".to_owned(),
            SourceFormat::Gzip => "gzip-compressed text".to_owned(),
            SourceFormat::Zip { entry } => {
                format!("zip archive, entry '{entry}'{}", also_there("entries", &self.other_parts))
            }
            SourceFormat::Xlsx { sheet } => {
                format!("xlsx workbook, sheet '{sheet}'{}", also_there("sheets", &self.other_parts))
            }
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .map(|compact| crate::json_text::pretty(&compact))
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    }

    /// The report as readable text, for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let flag = match &self.format {
            _ if self.other_parts.is_empty() => "",
            SourceFormat::Zip { .. } => " (choose another with --entry)",
            SourceFormat::Xlsx { .. } => " (choose another with --sheet)",
            SourceFormat::Text | SourceFormat::Gzip => "",
        };
        let format = format!("{}{flag}", self.describe_source());
        let delimiter = self.delimiter.as_deref().map(|d| format!(", delimiter {d}")).unwrap_or_default();
        let _ = writeln!(out, "{}: {format}, {}{delimiter}", self.file, self.encoding);
        let _ = writeln!(out, "profile: {} (requested {})", self.profile_used, self.profile_requested);
        let _ = writeln!(
            out,
            "rows: {} loaded, {} rejected, of {} data rows",
            self.rows_loaded, self.rows_rejected, self.rows_seen
        );
        let mapped = self.columns.iter().filter(|c| c.canonical.is_some()).count();
        let _ =
            writeln!(out, "\ncolumns ({} in the file, {mapped} mapped to the canonical schema):", self.columns.len());
        for column in &self.columns {
            let target = match (&column.canonical, &column.matched_by) {
                (Some(canonical), _) if *canonical == column.name => "(canonical)".to_owned(),
                // The header stays the name; the canonical name is a second one it answers to.
                (Some(canonical), Some(how)) => format!("(also {canonical}, by {how})"),
                (Some(canonical), None) => format!("(also {canonical})"),
                _ => match &column.suggested {
                    Some(suggested) => {
                        format!("(kept as is; perhaps {suggested}: --map \"{}={suggested}\" to use it)", column.header)
                    }
                    None => "(kept as is)".to_owned(),
                },
            };
            let mut problems = String::new();
            if column.missing > 0 {
                let _ = write!(problems, ", {} missing", column.missing);
            }
            if column.unparsed > 0 {
                let _ = write!(problems, ", {} unreadable", column.unparsed);
            }
            let kind = format!("{:?}", column.column_type).to_ascii_lowercase();
            let _ = writeln!(out, "  {:>3}. {} {target}: {kind}{problems}", column.position, column.header);
        }
        if !self.missing.is_empty() {
            let names: Vec<String> = self.missing.iter().map(|m| format!("{} ({})", m.canonical, m.group)).collect();
            let _ = writeln!(out, "\nmissing canonical columns ({}): {}", self.missing.len(), names.join(", "));
        }
        if !self.skipped_features.is_empty() {
            let _ = writeln!(out, "\nskipped features ({}):", self.skipped_features.len());
            for skipped in &self.skipped_features {
                let _ = writeln!(out, "  {}: needs {}", skipped.feature, skipped.missing.join(", "));
            }
        }
        if self.rows_rejected > 0 {
            let _ = writeln!(out, "\nrejected rows ({}):", self.rows_rejected);
            for rejected in &self.rejected_rows {
                let _ = writeln!(out, "  row {}: {}", rejected.row, rejected.reason);
            }
            if self.rows_rejected > self.rejected_rows.len() {
                let _ = writeln!(out, "  ... and {} more", self.rows_rejected - self.rejected_rows.len());
            }
        }
        if self.cell_problem_count > 0 {
            let _ = writeln!(out, "\nunreadable cells, read as missing ({}):", self.cell_problem_count);
            for cell in &self.cell_problems {
                let expected = format!("{:?}", cell.expected).to_ascii_lowercase();
                let _ =
                    writeln!(out, "  row {}, column {}: '{}' is not a {expected}", cell.row, cell.column, cell.value);
            }
            if self.cell_problem_count > self.cell_problems.len() {
                let _ = writeln!(out, "  ... and {} more", self.cell_problem_count - self.cell_problems.len());
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "\nnote: {note}");
        }
        out
    }
}

/// " (other entries: a, b)", or nothing when there are none.
fn also_there(what: &str, others: &[String]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!(" (other {what}: {})", others.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_formats_read_back_from_the_json_they_write() {
        let formats = vec![
            SourceFormat::Text,
            SourceFormat::Gzip,
            SourceFormat::Zip { entry: "data/claims.csv".into() },
            SourceFormat::Xlsx { sheet: "Claims".into() },
        ];
        let json = serde_json::to_string(&formats).unwrap();
        assert!(json.starts_with(r#"[{"kind":"text"},{"kind":"gzip"},{"kind":"zip","entry":"#), "{json}");
        assert_eq!(serde_json::from_str::<Vec<SourceFormat>>(&json).unwrap(), formats);
    }
}
