//! The in-memory claims table: named columns, numeric (read as f64, NaN = missing; stored
//! compactly by [`Numbers`]), categorical, or dates (days since 1970-01-01).
//!
//! Categorical columns are interned: each distinct text is stored once and rows hold a
//! `u32` code, so a million claims with a handful of provider types stay small.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::hashing::KeyedState;

pub use super::levels::Levels;
pub use super::numbers::Numbers;

/// The code of a missing categorical value.
pub const MISSING_CODE: u32 = u32::MAX;

/// The day number of a missing date.
pub const MISSING_DAY: i32 = i32::MIN;

/// One column of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnData {
    /// Numbers; `NaN` is missing.
    Numeric {
        /// The numbers.
        values: Numbers,
    },
    /// Interned text: `levels[code]` is the value; `MISSING_CODE` is missing.
    Categorical {
        /// The distinct texts, in code order.
        levels: Levels,
        /// One code per row.
        codes: Vec<u32>,
    },
    /// Calendar dates as days since 1970-01-01; `MISSING_DAY` is missing.
    Date {
        /// One day number per row.
        days: Vec<i32>,
    },
}

impl ColumnData {
    /// Number of rows in this column.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric { values } => values.len(),
            ColumnData::Categorical { codes, .. } => codes.len(),
            ColumnData::Date { days } => days.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row_idx` as display text; empty for missing.
    pub fn display(&self, row_idx: usize) -> String {
        match self {
            ColumnData::Numeric { values } => values.get(row_idx).map_or(String::new(), format_number),
            ColumnData::Categorical { levels, codes } => {
                codes.get(row_idx).and_then(|&code| levels.get(code as usize)).map(str::to_owned).unwrap_or_default()
            }
            ColumnData::Date { days } => days.get(row_idx).map_or(String::new(), |&day| format_day(day)),
        }
    }

    /// Whether the value at `row_idx` is missing (or the row is past the end).
    pub fn is_missing(&self, row_idx: usize) -> bool {
        match self {
            ColumnData::Numeric { values } => values.get(row_idx).is_none_or(f64::is_nan),
            ColumnData::Categorical { codes, .. } => codes.get(row_idx).is_none_or(|&code| code == MISSING_CODE),
            ColumnData::Date { days } => days.get(row_idx).is_none_or(|&day| day == MISSING_DAY),
        }
    }

    /// The value at `row_idx` as a number: numeric values as they are, dates as their day
    /// number, text as NaN. Missing is NaN.
    pub fn number(&self, row_idx: usize) -> f64 {
        match self {
            ColumnData::Numeric { values } => values.get(row_idx).unwrap_or(f64::NAN),
            ColumnData::Date { days } => match days.get(row_idx) {
                Some(&day) if day != MISSING_DAY => f64::from(day),
                _ => f64::NAN,
            },
            ColumnData::Categorical { .. } => f64::NAN,
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The header, as it appears in files and the UI.
    pub name: String,
    /// The canonical column this header maps to (`procedure_code` for `service_code`), when
    /// it maps to one and is not already spelled that way: a second name the column answers
    /// to, so built-in rules and derived features find their inputs in the user's layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    /// The values.
    pub data: ColumnData,
    /// The cells as the file wrote them, where writing the value back would differ
    /// (`03/15/2025`, `$1,234.50`, `?`); downloads write these, so a file comes back as it was.
    #[serde(skip)]
    pub source: Option<SourceText>,
    /// The numbered family this column belongs to (`diagnosis_code` for `Dx 1..12`), whose
    /// members a rule reads together with `any`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

/// A column's cells as written in its file, kept only where [`ColumnData::display`] would
/// write something else: sorted rows, each with an interned text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceText {
    rows: Vec<u32>,
    texts: Levels,
    codes: Vec<u32>,
}

impl SourceText {
    /// Source texts from `(row, text)` pairs in increasing row order; `None` if there are none.
    pub fn from_rows(rows: Vec<u32>, texts: ColumnData) -> Option<Self> {
        match texts {
            ColumnData::Categorical { levels, codes } if !rows.is_empty() && codes.len() == rows.len() => {
                Some(Self { rows, texts: levels, codes })
            }
            _ => None,
        }
    }

    /// The text the file wrote at `row_idx`, if it differs from the value's display.
    pub fn get(&self, row_idx: usize) -> Option<&str> {
        let idx = self.rows.binary_search(&u32::try_from(row_idx).ok()?).ok()?;
        self.texts.get(*self.codes.get(idx)? as usize)
    }

    /// How many cells differ from their display.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether every cell is written as displayed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Column {
    /// The cell at `row_idx` as the file wrote it, or as [`ColumnData::display`] writes it
    /// when the column has no source text there (derived columns, generated claims).
    pub fn cell_text(&self, row_idx: usize) -> std::borrow::Cow<'_, str> {
        match self.source.as_ref().and_then(|source| source.get(row_idx)) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(self.data.display(row_idx)),
        }
    }

    /// The name the schema knows this column by: its canonical name if it has one, else its
    /// header.
    pub fn schema_name(&self) -> &str {
        self.canonical.as_deref().unwrap_or(&self.name)
    }
}

/// A table of claims: equally long, uniquely named columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClaimsTable {
    n_rows: usize,
    columns: Vec<Column>,
}

/// Why a column could not be added to a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    /// The column's length differs from the table's.
    #[error("column '{name}' has {actual} rows, but the table has {expected}")]
    LengthMismatch {
        /// The column name.
        name: String,
        /// The length or count required.
        expected: usize,
        /// The length or count found.
        actual: usize,
    },
    /// A column of that name exists already.
    #[error("the table already has a column named '{name}'")]
    DuplicateName {
        /// The column name.
        name: String,
    },
}

impl ClaimsTable {
    /// An empty table with no columns.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a column; the first column fixes the row count.
    pub fn push_column(&mut self, name: impl Into<String>, data: ColumnData) -> Result<(), TableError> {
        self.push_aliased_column(name, None, data)
    }

    /// Adds a column that also answers to its canonical name (see [`Column::canonical`]).
    /// An alias equal to the name, or already held by another column, is dropped: a name
    /// finds one column.
    pub fn push_aliased_column(
        &mut self,
        name: impl Into<String>,
        canonical: Option<String>,
        data: ColumnData,
    ) -> Result<(), TableError> {
        let name = name.into();
        if self.columns.iter().any(|c| c.name == name) {
            return Err(TableError::DuplicateName { name });
        }
        if !self.columns.is_empty() && data.len() != self.n_rows {
            return Err(TableError::LengthMismatch { name, expected: self.n_rows, actual: data.len() });
        }
        let canonical = canonical.filter(|alias| {
            *alias != name && !self.columns.iter().any(|c| c.name == *alias || c.canonical.as_ref() == Some(alias))
        });
        self.n_rows = data.len();
        self.columns.push(Column { name, canonical, data, source: None, family: None });
        Ok(())
    }

    /// Marks column `column_idx` as a member of the numbered family `family`.
    pub fn set_family(&mut self, column_idx: usize, family: &str) {
        if let Some(column) = self.columns.get_mut(column_idx) {
            column.family = Some(family.to_owned());
        }
    }

    /// The columns read together with `name` by a rule's `any`: every member of its numbered
    /// family (`any diagnosis_code` reads `Dx 1` to `Dx 12`), or the column alone.
    pub fn family_of(&self, name: &str) -> Vec<&Column> {
        let Some(column) = self.column(name) else { return Vec::new() };
        match &column.family {
            Some(family) => self.columns.iter().filter(|c| c.family.as_ref() == Some(family)).collect(),
            None => vec![column],
        }
    }

    /// Keeps the file's own text of column `column_idx`'s cells (see [`Column::source`]).
    pub fn set_source(&mut self, column_idx: usize, source: Option<SourceText>) {
        if let Some(column) = self.columns.get_mut(column_idx) {
            column.source = source;
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// All columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`, if any: by its header first, then by its canonical name,
    /// so `service_code` and `procedure_code` both find a file's `service_code`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .or_else(|| self.columns.iter().find(|c| c.canonical.as_deref() == Some(name)))
    }

    /// Every name a column answers to: each header, then each canonical alias. Derived
    /// features and rule packs plan against this list.
    pub fn known_names(&self) -> Vec<&str> {
        let headers = self.columns.iter().map(|c| c.name.as_str());
        headers.chain(self.columns.iter().filter_map(|c| c.canonical.as_deref())).collect()
    }

    /// Column names, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Every column, borrowed.
    pub fn view(&self) -> ColumnsView<'_> {
        ColumnsView { n_rows: self.n_rows, columns: &self.columns }
    }

    /// The first `n` columns (all of them if there are fewer), borrowed: the claims as read
    /// when derived features were appended after them.
    pub fn leading_columns(&self, n: usize) -> ColumnsView<'_> {
        ColumnsView { n_rows: self.n_rows, columns: &self.columns[..n.min(self.columns.len())] }
    }

    /// Keeps only the first `n` columns (all of them if there are fewer).
    pub fn truncate_columns(&mut self, n: usize) {
        self.columns.truncate(n);
        self.columns.shrink_to_fit();
    }
}

/// Some of a table's columns, borrowed, with the table's row count.
#[derive(Debug, Clone, Copy)]
pub struct ColumnsView<'a> {
    n_rows: usize,
    columns: &'a [Column],
}

impl<'a> ColumnsView<'a> {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The columns, in order.
    pub fn columns(&self) -> &'a [Column] {
        self.columns
    }
}

/// Interns text values into a categorical column, in order of first appearance.
///
/// The index is an open-addressing table of codes that compares against `levels` itself,
/// so each distinct text is stored once (a million distinct claim ids cost one `String`
/// each, not two).
#[derive(Debug, Default)]
pub struct CategoricalBuilder {
    levels: Levels,
    /// The hash of each level, so growing the table never rehashes text.
    level_hashes: Vec<u64>,
    /// By hash slot: the hash's high 32 bits and the code, or `EMPTY_SLOT`. Length is zero
    /// or a power of two.
    slots: Vec<u64>,
    codes: Vec<u32>,
    /// The keyed hash ([`crate::hashing`]): a file cannot choose texts that collide. Codes
    /// follow first appearance, so the table is the same under any key.
    hash_state: KeyedState,
}

impl CategoricalBuilder {
    /// A builder whose first levels are `levels`, in that order (handy for fixed vocabularies).
    pub fn with_levels(levels: &[&str]) -> Self {
        let mut builder = Self::default();
        for level in levels {
            builder.intern(level);
        }
        builder
    }

    /// An empty builder hashing under `hash_state` (tests show the key changes nothing).
    pub fn with_hash_state(hash_state: KeyedState) -> Self {
        Self { hash_state, ..Self::default() }
    }

    /// Appends one value; `None` is missing.
    pub fn push(&mut self, value: Option<&str>) {
        let code = value.map_or(MISSING_CODE, |v| self.intern(v));
        self.codes.push(code);
    }

    /// Finishes the column.
    pub fn finish(mut self) -> ColumnData {
        self.levels.shrink_to_fit();
        self.codes.shrink_to_fit();
        ColumnData::Categorical { levels: self.levels, codes: self.codes }
    }

    fn intern(&mut self, value: &str) -> u32 {
        // Claim lines come in runs (one member's lines, one provider's day): try the last
        // level first.
        if let Some(last) = self.levels.last() {
            if last == value {
                return (self.levels.len() - 1) as u32;
            }
        }
        if self.levels.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let hash = self.hash_state.hash_bytes(value.as_bytes());
        let tag = hash >> 32;
        let mask = self.slots.len() - 1;
        let mut slot = (hash as usize) & mask;
        loop {
            let Some(&entry) = self.slots.get(slot) else { return MISSING_CODE };
            if entry == EMPTY_SLOT {
                break;
            }
            // The slot holds the hash's high half and the code; only a matching tag costs a
            // look at the text.
            if entry >> 32 == tag {
                let code = (entry & u64::from(u32::MAX)) as u32;
                if self.levels.get(code as usize).is_some_and(|level| level == value) {
                    return code;
                }
            }
            slot = (slot + 1) & mask;
        }
        let code = self.levels.len() as u32;
        if let Some(empty) = self.slots.get_mut(slot) {
            *empty = (tag << 32) | u64::from(code);
        }
        self.levels.push(value);
        self.level_hashes.push(hash);
        code
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(16);
        let mask = capacity - 1;
        let mut slots = vec![EMPTY_SLOT; capacity];
        for (code, &hash) in self.level_hashes.iter().enumerate() {
            let mut slot = (hash as usize) & mask;
            while slots[slot] != EMPTY_SLOT {
                slot = (slot + 1) & mask;
            }
            slots[slot] = ((hash >> 32) << 32) | code as u64;
        }
        self.slots = slots;
    }
}

/// An empty interner slot (no code is `u32::MAX`: that is `MISSING_CODE`).
const EMPTY_SLOT: u64 = u64::MAX;

/// Formats a whole count with thousands separators, as "1,000".
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Formats `value` with at most `digits` significant digits and no trailing zeros, in plain
/// decimal notation: `0.000020161290322580645` with 6 is `0.0000201613`. Empty for NaN.
pub fn format_significant(value: f64, digits: usize) -> String {
    if !value.is_finite() || value == 0.0 {
        return format_number(value);
    }
    // The decimal exponent of the leading digit, found without a logarithm.
    let mut exponent: i32 = 0;
    let mut magnitude = value.abs();
    while magnitude >= 10.0 && exponent < 400 {
        magnitude /= 10.0;
        exponent += 1;
    }
    while magnitude < 1.0 && exponent > -400 {
        magnitude *= 10.0;
        exponent -= 1;
    }
    let decimals = (digits as i32 - 1 - exponent).clamp(0, 30) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Formats a number without a trailing ".0" for whole values; empty for NaN.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Formats a day number as an ISO date (`2024-03-15`); empty for `MISSING_DAY`.
pub fn format_day(day: i32) -> String {
    if day == MISSING_DAY {
        return String::new();
    }
    let (year, month, day_of_month) = civil_from_days(day);
    format!("{year:04}-{month:02}-{day_of_month:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` if it does not exist
/// (month 13, February 30th, ...). Years outside 1..=9999 are refused.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year as i32;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// The day of the week of a day number: 0 = Monday ... 6 = Sunday.
pub fn weekday(days: i32) -> u32 {
    // 1970-01-01 was a Thursday (3).
    (i64::from(days) + 3).rem_euclid(7) as u32
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_agree_and_names_be_unique() {
        let mut table = ClaimsTable::new();
        table.push_column("a", ColumnData::Numeric { values: vec![1.0, 2.5].into() }).unwrap();
        let err = table.push_column("b", ColumnData::Numeric { values: vec![1.0].into() }).unwrap_err();
        assert_eq!(err, TableError::LengthMismatch { name: "b".into(), expected: 2, actual: 1 });
        let err = table.push_column("a", ColumnData::Numeric { values: vec![1.0, 2.0].into() }).unwrap_err();
        assert_eq!(err, TableError::DuplicateName { name: "a".into() });
        assert_eq!(table.column("a").unwrap().data.display(1), "2.5");
        assert_eq!(table.column("a").unwrap().data.display(0), "1");
    }

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2024, 13, 1), None);
        assert_eq!(days_from_civil(0, 1, 1), None);
        for day in [-719_162, -1, 0, 1, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), Some(day), "{day}");
        }
        assert_eq!(format_day(19_782), "2024-02-29");
        assert_eq!(format_day(MISSING_DAY), "");
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        assert_eq!(weekday(days_from_civil(2026, 11, 21).unwrap()), 5, "2026-11-21 is a Saturday");
        let dates = ColumnData::Date { days: vec![19_782, MISSING_DAY] };
        assert_eq!(dates.display(0), "2024-02-29");
        assert_eq!(dates.number(0), 19_782.0);
        assert!(dates.number(1).is_nan());
    }

    #[test]
    fn categorical_builder_interns_in_first_seen_order() {
        let mut builder = CategoricalBuilder::with_levels(&["x"]);
        for v in [Some("y"), Some("x"), None, Some("y")] {
            builder.push(v);
        }
        let data = builder.finish();
        assert_eq!(
            data,
            ColumnData::Categorical { levels: ["x", "y"].into_iter().collect(), codes: vec![1, 0, MISSING_CODE, 1] }
        );
        assert_eq!(data.display(2), "");
        assert_eq!(data.display(0), "y");
    }

    #[test]
    fn significant_digits_are_the_ones_that_matter() {
        assert_eq!(format_significant(0.000020161290322580645, 6), "0.0000201613");
        assert_eq!(format_significant(0.5, 6), "0.5");
        assert_eq!(format_significant(0.123456789, 6), "0.123457");
        assert_eq!(format_significant(1234567.0, 6), "1234567");
        assert_eq!(format_significant(-0.987654321, 3), "-0.988");
        assert_eq!(format_significant(1.0, 6), "1");
        assert_eq!(format_significant(0.0, 6), "0");
        assert_eq!(format_significant(f64::NAN, 6), "");
    }

    #[test]
    fn interning_does_not_depend_on_the_hash_key() {
        // Enough distinct values to grow the table many times, with repeats out of order.
        let values: Vec<String> = (0..20_000u32).map(|i| format!("id-{}", (i * 7919) % 5_003)).collect();
        let build = |key| {
            let mut builder = CategoricalBuilder::with_hash_state(KeyedState::with_key(key));
            for value in &values {
                builder.push(Some(value));
            }
            builder.finish()
        };
        let reference = build((0, 0));
        for key in [(1, 2), (u64::MAX, 7), crate::hashing::process_key()] {
            assert_eq!(build(key), reference);
        }
        let ColumnData::Categorical { levels, codes } = reference else { panic!("categorical") };
        assert_eq!(levels.len(), 5_003);
        assert_eq!(levels.get(codes[19_999] as usize), Some(values[19_999].as_str()));
    }
}
