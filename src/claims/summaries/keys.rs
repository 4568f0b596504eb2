//! An id column as dense codes (borrowed from a categorical column, interned from the
//! display text of any other kind), and the counting sort that groups rows by code.

use crate::claims::Levels;
use std::borrow::Cow;

use crate::claims::table::{CategoricalBuilder, ColumnData, MISSING_CODE};

/// Dense codes of an id column: `ids()[code]` is the id; a code at or past the number of
/// ids, or `MISSING_CODE`, is a missing id.
#[derive(Debug, Clone)]
pub(super) struct EntityKeys<'t> {
    ids: Cow<'t, Levels>,
    codes: Cow<'t, [u32]>,
}

impl<'t> EntityKeys<'t> {
    /// The keys of `data`: a categorical column as it is; numbers and dates by their
    /// display text (empty text is missing).
    pub(super) fn new(data: &'t ColumnData) -> Self {
        match data {
            ColumnData::Categorical { levels, codes } => {
                Self { ids: Cow::Borrowed(levels), codes: Cow::Borrowed(codes.as_slice()) }
            }
            other => {
                let mut builder = CategoricalBuilder::default();
                for row in 0..other.len() {
                    let text = other.display(row);
                    builder.push(if text.is_empty() { None } else { Some(text.as_str()) });
                }
                match builder.finish() {
                    ColumnData::Categorical { levels, codes } => {
                        Self { ids: Cow::Owned(levels), codes: Cow::Owned(codes) }
                    }
                    _ => Self { ids: Cow::Owned(Levels::new()), codes: Cow::Owned(Vec::new()) },
                }
            }
        }
    }

    /// The ids, in code order.
    pub(super) fn ids(&self) -> &Levels {
        &self.ids
    }

    /// How many codes there are.
    pub(super) fn n_codes(&self) -> usize {
        self.ids.len().min(MISSING_CODE as usize)
    }

    /// How many rows there are.
    pub(super) fn n_rows(&self) -> usize {
        self.codes.len()
    }

    /// The code of `row`, unless its id is missing.
    pub(super) fn code_of(&self, row: usize) -> Option<usize> {
        let code = *self.codes.get(row)? as usize;
        (code < self.n_codes()).then_some(code)
    }

    /// The raw codes, one per row.
    pub(super) fn codes(&self) -> &[u32] {
        &self.codes
    }
}

/// Rows grouped by code: `rows[starts[code]..starts[code + 1]]` are the code's rows in file
/// order. Rows with a missing id are in no group.
#[derive(Debug, Clone)]
pub(super) struct Grouped {
    pub(super) starts: Vec<usize>,
    pub(super) rows: Vec<u32>,
}

impl Grouped {
    /// Groups the rows of `keys` by code (a stable counting sort).
    pub(super) fn new(keys: &EntityKeys<'_>) -> Self {
        let n_codes = keys.n_codes();
        let mut starts = vec![0usize; n_codes + 1];
        for &code in keys.codes() {
            // Checked before adding 1, which would overflow a 32-bit usize at MISSING_CODE.
            let code = code as usize;
            if code >= n_codes {
                continue;
            }
            if let Some(count) = starts.get_mut(code + 1) {
                *count += 1;
            }
        }
        for code in 0..n_codes {
            let before = starts.get(code).copied().unwrap_or(0);
            if let Some(start) = starts.get_mut(code + 1) {
                *start += before;
            }
        }
        let mut next = starts.clone();
        let mut rows = vec![0u32; starts.last().copied().unwrap_or(0)];
        for (row, &code) in keys.codes().iter().enumerate() {
            let Ok(row) = u32::try_from(row) else { break };
            if (code as usize) >= n_codes {
                continue;
            }
            let Some(slot) = next.get_mut(code as usize) else { continue };
            if let Some(target) = rows.get_mut(*slot) {
                *target = row;
            }
            *slot += 1;
        }
        Self { starts, rows }
    }

    /// The rows of `code`, in file order.
    pub(super) fn rows_of(&self, code: usize) -> &[u32] {
        match (self.starts.get(code), self.starts.get(code + 1)) {
            (Some(&start), Some(&end)) => self.rows.get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Per counterparty code, the last entity that met it and how often: counts the claims one
/// entity sends to each counterparty without clearing between entities.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    stamp: Vec<u32>,
    count: Vec<u32>,
}

impl Tally {
    /// A tally over `n_codes` counterparty codes.
    pub(super) fn new(n_codes: usize) -> Self {
        Self { stamp: vec![MISSING_CODE; n_codes], count: vec![0; n_codes] }
    }

    /// Counts one claim of entity `entity` with counterparty `code`; returns the new count
    /// (1 for the entity's first claim with it), or 0 for an unknown code.
    pub(super) fn add(&mut self, entity: u32, code: usize) -> u32 {
        match (self.stamp.get_mut(code), self.count.get_mut(code)) {
            (Some(stamp), Some(count)) => {
                if *stamp != entity {
                    *stamp = entity;
                    *count = 0;
                }
                *count += 1;
                *count
            }
            _ => 0,
        }
    }
}
