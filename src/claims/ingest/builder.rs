//! The streaming table builder: maps the header to the canonical schema, parses every cell
//! as its column's kind says (or infers the kind), rejects malformed rows with a reason,
//! and writes the schema report.

use crate::claims::features::plan_features;
use crate::claims::schema::{normalize_header, ValueKind};
use crate::claims::table::{
    format_day, format_number, CategoricalBuilder, ClaimsTable, ColumnData, SourceText, MISSING_DAY,
};
use crate::hashing::KeyedMap;

use super::budget::BudgetKind;
use super::discovery::{discover, profile_named, Discovery};
use super::report::{
    CellProblem, ColumnReport, ColumnType, MissingColumn, RejectedRow, SchemaReport, SourceFormat, LISTED_PROBLEMS,
};
use super::values::{is_missing, looks_like_identifier, parse_date, parse_number};
use super::{IngestError, IngestOptions, Ingested, RecordSink};

/// The widest header accepted.
pub(crate) const MAX_COLUMNS: usize = 4096;
/// After this many data rows, a file where most rows are rejected is refused at once
/// rather than read to the end.
const EARLY_REFUSAL_ROWS: usize = 1000;

/// Builds a [`ClaimsTable`] and its [`SchemaReport`] from streamed records.
pub(crate) struct TableBuilder {
    file: String,
    options: IngestOptions,
    columns: Vec<ColumnState>,
    profile_used: String,
    discovery: Option<Discovery>,
    have_header: bool,
    rows_seen: usize,
    rows_loaded: usize,
    rejected_count: usize,
    rejected: Vec<RejectedRow>,
    cell_problem_count: usize,
    cell_problems: Vec<CellProblem>,
    notes: Vec<String>,
    encoding: &'static str,
    delimiter: Option<u8>,
    /// Whether numbers may be written with decimal commas (`1.234,56`): text split by `;`,
    /// tab or `|`, where a comma cannot be the delimiter.
    decimal_commas_possible: bool,
}

impl TableBuilder {
    /// A builder for `file`; fails only on an unknown profile.
    pub(crate) fn new(file: &str, options: &IngestOptions) -> Result<Self, IngestError> {
        // Check the profile name before reading a byte.
        profile_named(&options.profile)?;
        Ok(Self {
            file: file.to_owned(),
            options: options.clone(),
            columns: Vec::new(),
            profile_used: options.profile.clone(),
            discovery: None,
            have_header: false,
            rows_seen: 0,
            rows_loaded: 0,
            rejected_count: 0,
            rejected: Vec::new(),
            cell_problem_count: 0,
            cell_problems: Vec::new(),
            notes: Vec::new(),
            encoding: "utf-8",
            delimiter: None,
            decimal_commas_possible: false,
        })
    }

    /// The table and its report, or the reason the file is refused.
    pub(crate) fn finish(mut self, format: SourceFormat, other_parts: Vec<String>) -> Result<Ingested, IngestError> {
        let file = self.file.clone();
        if !self.have_header {
            return Err(IngestError::Empty { file });
        }
        if self.rows_seen == 0 {
            return Err(IngestError::HeaderOnly { file });
        }
        if self.too_many_rejected() || self.rows_loaded == 0 {
            return Err(self.refusal());
        }
        let mut table = ClaimsTable::new();
        let mut column_reports = Vec::with_capacity(self.columns.len());
        let matches = self.discovery.as_ref().map(|d| d.matches.as_slice()).unwrap_or(&[]);
        for (position, mut column) in self.columns.into_iter().enumerate() {
            let matched = matches.get(position);
            column_reports.push(ColumnReport {
                header: column.header.clone(),
                position: position + 1,
                name: column.name.clone(),
                canonical: matched.and_then(|m| m.canonical).map(|c| c.name.to_owned()),
                matched_by: matched.and_then(|m| m.matched_by.clone()),
                column_type: column.values.column_type(),
                missing: column.missing,
                unparsed: column.unparsed,
                suggested: matched.and_then(|m| m.suggested).map(|c| c.name.to_owned()),
            });
            let name = column.name.clone();
            let alias = matched.and_then(|m| m.canonical).map(|c| c.name.to_owned());
            let source = column.source();
            table
                .push_aliased_column(name, alias, column.values.finish(self.rows_loaded))
                .map_err(|error| IngestError::Read { file: file.clone(), detail: format!("internal: {error}") })?;
            table.set_source(position, source);
        }
        // A numbered family (Dx 1..12) also gives each claim's count of filled members.
        for family in self.discovery.as_ref().map(|d| d.families.as_slice()).unwrap_or(&[]) {
            for &position in &family.members {
                table.set_family(position, family.canonical);
            }
            let count_name = format!("{}_count", family.canonical);
            if table.column(&count_name).is_some() {
                continue;
            }
            let counts: Vec<f64> = (0..self.rows_loaded)
                .map(|row| {
                    let filled =
                        |position: &usize| table.columns().get(*position).is_some_and(|c| !c.data.is_missing(row));
                    family.members.iter().filter(|position| filled(position)).count() as f64
                })
                .collect();
            let headers: Vec<&str> = family
                .members
                .iter()
                .filter_map(|&position| column_reports.get(position))
                .map(|c| c.header.as_str())
                .collect();
            self.notes.push(format!(
                "{} ({} columns) are one family of {}: {} counts the filled ones on each claim",
                headers.join(", "),
                headers.len(),
                family.canonical,
                count_name
            ));
            table
                .push_column(count_name, ColumnData::Numeric { values: counts.into() })
                .map_err(|error| IngestError::Read { file: file.clone(), detail: format!("internal: {error}") })?;
        }
        let missing = self
            .discovery
            .as_ref()
            .map(|d| {
                d.missing()
                    .into_iter()
                    .map(|c| MissingColumn {
                        canonical: c.name.to_owned(),
                        group: format!("{:?}", c.group).to_ascii_lowercase(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let extra_columns = column_reports.iter().filter(|c| c.canonical.is_none()).map(|c| c.header.clone()).collect();
        let skipped_features = plan_features(&table.known_names()).skipped;
        let report = SchemaReport {
            file,
            format,
            other_parts,
            encoding: self.encoding.to_owned(),
            delimiter: self.delimiter.map(describe_delimiter),
            profile_requested: self.options.profile.clone(),
            profile_used: self.profile_used,
            rows_seen: self.rows_seen,
            rows_loaded: self.rows_loaded,
            rows_rejected: self.rejected_count,
            columns: column_reports,
            missing,
            extra_columns,
            skipped_features,
            rejected_rows: self.rejected,
            cell_problem_count: self.cell_problem_count,
            cell_problems: self.cell_problems,
            notes: self.notes,
        };
        Ok(Ingested { table, report })
    }

    fn too_many_rejected(&self) -> bool {
        self.rejected_count > self.options.max_rejected_rows
            && self.rejected_count as f64 > self.options.max_rejected_share * self.rows_seen as f64
    }

    fn refusal(&self) -> IngestError {
        let first = self
            .rejected
            .first()
            .map_or_else(|| "no row could be read".to_owned(), |r| format!("row {}: {}", r.row, r.reason));
        IngestError::TooManyRejected {
            file: self.file.clone(),
            rejected: self.rejected_count,
            seen: self.rows_seen,
            first,
        }
    }

    fn over_budget(&self, row: usize, kind: BudgetKind) -> IngestError {
        IngestError::OverBudget {
            file: self.file.clone(),
            row: Some(row),
            kind,
            detail: self.options.budget.describe(kind),
        }
    }

    fn reject(&mut self, row: usize, reason: String) {
        self.rejected_count += 1;
        if self.rejected.len() < LISTED_PROBLEMS {
            self.rejected.push(RejectedRow { row, reason });
        }
    }

    fn column_names(&mut self, fields: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(fields.len());
        let mut unique_names = UniqueNames::default();
        for (idx, field) in fields.iter().enumerate() {
            let trimmed = field.trim();
            let base = if trimmed.is_empty() { format!("column_{}", idx + 1) } else { trimmed.to_owned() };
            let unique = unique_names.take(&base);
            if unique != base {
                self.notes.push(format!("column {} repeats the header '{base}'; it is read as '{unique}'", idx + 1));
            }
            names.push(unique);
        }
        names
    }
}

impl RecordSink for TableBuilder {
    fn header(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
        if fields.len() > MAX_COLUMNS {
            return Err(IngestError::TooManyColumns {
                file: self.file.clone(),
                row,
                found: fields.len(),
                limit: MAX_COLUMNS,
            });
        }
        let headers = self.column_names(fields);
        let discovery = if self.options.map_to_canonical {
            let discovery = discover(&headers, &self.options.profile, &self.options.mappings)?;
            self.profile_used = discovery.profile_used.to_owned();
            Some(discovery)
        } else {
            self.profile_used = "none (headers kept)".to_owned();
            None
        };
        for (idx, header) in headers.iter().enumerate() {
            let canonical = discovery.as_ref().and_then(|d| d.matches.get(idx)).and_then(|m| m.canonical);
            // The header stays the column's name (headers are unique by now); the canonical
            // name becomes its alias when the table is built.
            let name = header.clone();
            let hint = canonical.map(|c| c.kind);
            let style =
                if self.decimal_commas_possible { NumberStyle::Undecided(Vec::new()) } else { NumberStyle::Dot };
            self.columns.push(ColumnState::new(header.clone(), name, hint, style));
        }
        self.discovery = discovery;
        self.have_header = true;
        Ok(())
    }

    fn record(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
        if fields.iter().all(|field| field.trim().is_empty()) {
            return Ok(());
        }
        self.rows_seen += 1;
        let budget = &self.options.budget;
        if self.rows_seen > budget.max_rows {
            return Err(self.over_budget(row, BudgetKind::Rows));
        }
        if (self.rows_loaded as u64 + 1).saturating_mul(self.columns.len() as u64) > budget.max_cells {
            return Err(self.over_budget(row, BudgetKind::Cells));
        }
        if fields.len() != self.columns.len() {
            let reason = format!("expected {} fields like the header, found {}", self.columns.len(), fields.len());
            self.reject(row, reason);
            if self.rows_seen >= EARLY_REFUSAL_ROWS && self.rejected_count * 2 > self.rows_seen {
                return Err(self.refusal());
            }
            return Ok(());
        }
        for (column, field) in self.columns.iter_mut().zip(fields) {
            let trimmed = field.trim();
            let problem = column.push(trimmed, self.rows_loaded);
            column.keep_source(field, trimmed, self.rows_loaded);
            if let Some(expected) = problem {
                self.cell_problem_count += 1;
                if self.cell_problems.len() < LISTED_PROBLEMS {
                    self.cell_problems.push(CellProblem {
                        row,
                        column: column.header.clone(),
                        value: trimmed.chars().take(80).collect(),
                        expected,
                    });
                }
            }
            if let Some(note) = column.conversion_note.take() {
                self.notes.push(format!("row {row}: {note}"));
            }
        }
        self.rows_loaded += 1;
        Ok(())
    }

    fn note_text(&mut self, encoding: &'static str, delimiter: Option<u8>) {
        self.encoding = encoding;
        self.delimiter = delimiter;
    }

    fn delimiter_chosen(&mut self, delimiter: u8) {
        self.decimal_commas_possible = delimiter != b',';
    }
}

/// Names made unique as they are taken: `base`, or `base_2`, `base_3`, ... whichever is
/// free. Linear however the names repeat: each name taken maps to the next suffix to try
/// for it as a base, which only moves forward (so 4,096 copies of one header cost 4,096
/// insertions, not 4,096² comparisons).
#[derive(Default)]
struct UniqueNames {
    next_suffix: KeyedMap<String, usize>,
}

impl UniqueNames {
    fn take(&mut self, base: &str) -> String {
        let Some(next) = self.next_suffix.get_mut(base) else {
            self.next_suffix.insert(base.to_owned(), 2);
            return base.to_owned();
        };
        let mut candidate = format!("{base}_{next}");
        *next += 1;
        while self.next_suffix.contains_key(&candidate) {
            let Some(next) = self.next_suffix.get_mut(base) else { break };
            candidate = format!("{base}_{next}");
            *next += 1;
        }
        self.next_suffix.insert(candidate.clone(), 2);
        candidate
    }
}

/// "1.234,56" as "1,234.56": points and commas trade places.
fn swap_separators(cell: &str) -> String {
    cell.chars()
        .map(|c| match c {
            '.' => ',',
            ',' => '.',
            other => other,
        })
        .collect()
}

fn describe_delimiter(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_owned(),
        b',' => "comma".to_owned(),
        b';' => "semicolon".to_owned(),
        b'|' => "pipe".to_owned(),
        other => format!("'{}'", char::from(other)),
    }
}

/// One column being filled.
struct ColumnState {
    header: String,
    name: String,
    hint: Option<ValueKind>,
    /// An unmapped column whose header says "date" also reads compact dates (20240315).
    date_named: bool,
    values: Values,
    missing: usize,
    unparsed: usize,
    /// Set when an inferred column had to widen to text; the builder moves it to the notes.
    conversion_note: Option<String>,
    /// How the column writes its decimals.
    style: NumberStyle,
    /// Rows whose cell would not be written back as the file wrote it, with that text.
    source_rows: Vec<u32>,
    source_texts: CategoricalBuilder,
}

/// How a column writes decimals. In a file that may use decimal commas, a column stays
/// undecided until a cell reads one way only (`1.234,56` or `12,5`: commas; `12.5` or
/// `1,234.5`: points); cells that read both ways but differently (`1.234`) are kept in the
/// point reading with their comma reading beside them, and corrected if the column turns out
/// to write commas. So the whole column agrees, whatever order its cells come in.
enum NumberStyle {
    /// Decimal points (and commas between thousands).
    Dot,
    /// Decimal commas (and points between thousands).
    Comma,
    /// Not known yet: the rows whose comma reading differs, with that reading.
    Undecided(Vec<(usize, f64)>),
}

/// Whether `raw` is exactly how [`format_number`] writes the number it reads as: an
/// optional minus, a whole part without leading zeros, and a fraction without trailing
/// zeros, at most 15 significant digits (so the shortest round trip gives the same digits).
/// With `point_is_decimal` false (a file that may write decimal commas), a point is never
/// plain, since the column's reading may still change.
fn plain_number(raw: &str, point_is_decimal: bool) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, fraction) = match digits.split_once('.') {
        Some(_) if !point_is_decimal => return false,
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let whole_ok = whole == "0" || (!whole.is_empty() && !whole.starts_with('0'));
    let fraction_ok = fraction.is_none_or(|f| !f.is_empty() && !f.ends_with('0'));
    let all_digits = whole.bytes().chain(fraction.unwrap_or("").bytes()).all(|b| b.is_ascii_digit());
    let significant = whole.trim_start_matches('0').len() + fraction.map_or(0, str::len);
    let negative_zero = raw.starts_with('-') && whole == "0" && fraction.is_none();
    whole_ok && fraction_ok && all_digits && significant <= 15 && !negative_zero
}

/// Whether `raw` is `day` as [`format_day`] writes it (`2025-03-15`), checked without
/// writing it.
fn is_iso_day(raw: &str, day: i32) -> bool {
    let bytes = raw.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    let (year, month, date) = crate::claims::table::civil_from_days(day);
    number(0..4).and_then(|y| i32::try_from(y).ok()) == Some(year)
        && number(5..7) == Some(month)
        && number(8..10) == Some(date)
}

/// A column's values so far.
enum Values {
    /// Every cell so far was missing (this many).
    Undecided(usize),
    Number(Vec<f64>),
    Date(Vec<i32>),
    Text(CategoricalBuilder),
}

impl ColumnState {
    fn new(header: String, name: String, hint: Option<ValueKind>, style: NumberStyle) -> Self {
        let values = match hint {
            Some(ValueKind::Number) => Values::Number(Vec::new()),
            Some(ValueKind::Date) => Values::Date(Vec::new()),
            Some(ValueKind::Text) => Values::Text(CategoricalBuilder::default()),
            None => Values::Undecided(0),
        };
        let date_named = normalize_header(&header).split(' ').any(|word| matches!(word, "DATE" | "DT" | "DOB"));
        Self {
            header,
            name,
            hint,
            date_named,
            values,
            missing: 0,
            unparsed: 0,
            conversion_note: None,
            style,
            source_rows: Vec::new(),
            source_texts: CategoricalBuilder::default(),
        }
    }

    /// Keeps `raw` (the cell as written, before trimming) when the value just pushed would be
    /// written back otherwise: a US date, `$1,234.50`, `1.50`, `?`, a padded text, a cell that
    /// did not parse. Plain cells (most of a file) cost one scan and nothing kept.
    fn keep_source(&mut self, raw: &str, trimmed: &str, row_idx: usize) {
        if raw.is_empty() {
            return; // missing, and written back empty
        }
        let exact = if is_missing(trimmed) {
            raw.is_empty()
        } else {
            match &self.values {
                Values::Undecided(_) => raw.is_empty(),
                Values::Text(_) => raw.len() == trimmed.len(),
                Values::Number(values) => {
                    values.last().is_some_and(|v| !v.is_nan())
                        && plain_number(raw, matches!(self.style, NumberStyle::Dot))
                }
                Values::Date(days) => days.last().is_some_and(|&day| day != MISSING_DAY && is_iso_day(raw, day)),
            }
        };
        if !exact {
            if let Ok(row) = u32::try_from(row_idx) {
                self.source_rows.push(row);
                self.source_texts.push(Some(raw));
            }
        }
    }

    /// The kept source texts, for the table.
    fn source(&mut self) -> Option<SourceText> {
        let texts = std::mem::take(&mut self.source_texts).finish();
        SourceText::from_rows(std::mem::take(&mut self.source_rows), texts)
    }

    /// Adds one trimmed cell; returns the expected type when the cell did not parse as it.
    /// `row_idx` is the 0-based index of the row in the table.
    fn push(&mut self, cell: &str, row_idx: usize) -> Option<ColumnType> {
        if is_missing(cell) {
            self.missing += 1;
            self.values.push_missing();
            return None;
        }
        let problem = match (&mut self.values, self.hint) {
            (Values::Text(builder), _) => {
                builder.push(Some(cell));
                None
            }
            (Values::Number(_), Some(_)) => match self.read_number(cell, row_idx) {
                Some(value) => {
                    if let Values::Number(values) = &mut self.values {
                        values.push(value);
                    }
                    None
                }
                None => {
                    if let Values::Number(values) = &mut self.values {
                        values.push(f64::NAN);
                    }
                    Some(ColumnType::Number)
                }
            },
            (Values::Date(days), Some(_)) => match parse_date(cell, true) {
                Some(day) => {
                    days.push(day);
                    None
                }
                None => {
                    days.push(MISSING_DAY);
                    Some(ColumnType::Date)
                }
            },
            _ => {
                self.infer(cell, row_idx);
                None
            }
        };
        if problem.is_some() {
            self.unparsed += 1;
        }
        problem
    }

    /// Adds a cell to a column whose type is being inferred, widening it to text if needed.
    fn infer(&mut self, cell: &str, row_idx: usize) {
        let number = if looks_like_identifier(cell) { None } else { self.read_number(cell, row_idx) };
        let date_named = self.date_named;
        let day = || parse_date(cell, date_named);
        match &mut self.values {
            Values::Undecided(n_missing) => {
                let n_missing = *n_missing;
                self.values = if let Some(day) = day().filter(|_| number.is_none() || date_named) {
                    let mut days = vec![MISSING_DAY; n_missing];
                    days.push(day);
                    Values::Date(days)
                } else if let Some(value) = number {
                    let mut values = vec![f64::NAN; n_missing];
                    values.push(value);
                    Values::Number(values)
                } else {
                    let mut builder = CategoricalBuilder::default();
                    (0..n_missing).for_each(|_| builder.push(None));
                    builder.push(Some(cell));
                    Values::Text(builder)
                };
            }
            Values::Number(values) => match number {
                Some(value) => values.push(value),
                None => self.widen_to_text(cell, row_idx, "numbers"),
            },
            Values::Date(days) => match day() {
                Some(day) => days.push(day),
                None => self.widen_to_text(cell, row_idx, "dates"),
            },
            Values::Text(builder) => builder.push(Some(cell)),
        }
    }

    /// The cell as a number in the column's decimal style, deciding the style when the cell
    /// reads one way only (see [`NumberStyle`]).
    fn read_number(&mut self, cell: &str, row_idx: usize) -> Option<f64> {
        match &mut self.style {
            NumberStyle::Dot => parse_number(cell),
            NumberStyle::Comma => parse_number(&swap_separators(cell)),
            // Without a point or a comma both readings agree: no need to try the other.
            NumberStyle::Undecided(_) if !cell.contains(['.', ',']) => parse_number(cell),
            NumberStyle::Undecided(differing) => match (parse_number(cell), parse_number(&swap_separators(cell))) {
                (Some(point), Some(comma)) if point.to_bits() != comma.to_bits() => {
                    differing.push((row_idx, comma));
                    Some(point)
                }
                (Some(point), Some(_)) => Some(point),
                (Some(point), None) => {
                    self.style = NumberStyle::Dot;
                    Some(point)
                }
                (None, Some(comma)) => {
                    let differing = std::mem::take(differing);
                    if let Values::Number(values) = &mut self.values {
                        for (row, value) in differing {
                            if let Some(slot) = values.get_mut(row) {
                                *slot = value;
                            }
                        }
                    }
                    self.style = NumberStyle::Comma;
                    self.conversion_note = Some(format!(
                        "column '{}' writes decimal commas (as '{}'), so its numbers are read that way",
                        self.header,
                        cell.chars().take(40).collect::<String>()
                    ));
                    Some(comma)
                }
                (None, None) => None,
            },
        }
    }

    fn widen_to_text(&mut self, cell: &str, row_idx: usize, was: &str) {
        let mut builder = CategoricalBuilder::default();
        match &self.values {
            Values::Number(values) => {
                values.iter().for_each(|v| builder.push((!v.is_nan()).then(|| format_number(*v)).as_deref()))
            }
            Values::Date(days) => {
                days.iter().for_each(|&d| builder.push((d != MISSING_DAY).then(|| format_day(d)).as_deref()))
            }
            Values::Undecided(_) | Values::Text(_) => {}
        }
        builder.push(Some(cell));
        self.values = Values::Text(builder);
        let shown: String = cell.chars().take(40).collect();
        self.conversion_note = Some(format!(
            "column '{}' held {was} until '{shown}' (data row {}), so it is read as text",
            self.header,
            row_idx + 1
        ));
    }
}

impl Values {
    fn push_missing(&mut self) {
        match self {
            Values::Undecided(n) => *n += 1,
            Values::Number(values) => values.push(f64::NAN),
            Values::Date(days) => days.push(MISSING_DAY),
            Values::Text(builder) => builder.push(None),
        }
    }

    fn column_type(&self) -> ColumnType {
        match self {
            Values::Undecided(_) => ColumnType::Empty,
            Values::Number(_) => ColumnType::Number,
            Values::Date(_) => ColumnType::Date,
            Values::Text(_) => ColumnType::Text,
        }
    }

    fn finish(self, n_rows: usize) -> ColumnData {
        match self {
            Values::Undecided(_) => ColumnData::Numeric { values: vec![f64::NAN; n_rows].into() },
            Values::Number(values) => ColumnData::Numeric { values: values.into() },
            Values::Date(days) => ColumnData::Date { days },
            Values::Text(builder) => builder.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_get_the_next_free_suffix() {
        let mut names = UniqueNames::default();
        let taken: Vec<String> = ["a", "a_2", "a", "a", "b", "a_3"].iter().map(|base| names.take(base)).collect();
        assert_eq!(taken, ["a", "a_2", "a_3", "a_4", "b", "a_3_2"]);
        // One header 4,096 times: every name distinct, in order.
        let mut names = UniqueNames::default();
        let taken: Vec<String> = (0..4096).map(|_| names.take("x")).collect();
        assert_eq!(taken[0], "x");
        assert_eq!(taken[4095], "x_4096");
        assert_eq!(taken.iter().collect::<std::collections::BTreeSet<_>>().len(), 4096);
    }
}
