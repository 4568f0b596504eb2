//! Budgets: how many decompressed bytes, rows and cells one file may make the reader take,
//! checked while it streams, so a 4 MB bomb is refused before it can exhaust memory.
//!
//! The defaults ([`IngestBudget::TAB`]) are sized to a browser tab: a wasm heap ends at
//! 4 GiB, and after loading the claims the page still needs room for derived features and
//! training. The command line sizes its budget to the machine's memory
//! ([`IngestBudget::for_memory`]) and lets the user change it (`--max-rows`, `--max-bytes`,
//! `--max-cells`).

use std::fmt;
use std::io::Read;

use crate::claims::table::format_count;

/// What a file may make the reader take. A file past any limit is refused with
/// [`super::IngestError::OverBudget`], naming the limit and how to raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestBudget {
    /// Bytes of text read after decompression (a gzip or zip entry, or an xlsx part).
    pub max_bytes: u64,
    /// Data rows, read or rejected.
    pub max_rows: usize,
    /// Cells of the table: rows loaded × columns.
    pub max_cells: u64,
    /// Whose budget this is, for the message that says how to raise it.
    pub scope: BudgetScope,
}

/// Whose budget it is: the message for a refused file says how to go further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetScope {
    /// A browser tab's: the way further is the command line.
    Tab,
    /// The command line's, sized to this machine or set by a flag.
    CommandLine,
}

/// Which limit a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetKind {
    /// [`IngestBudget::max_bytes`].
    Bytes,
    /// [`IngestBudget::max_rows`].
    Rows,
    /// [`IngestBudget::max_cells`].
    Cells,
}

impl IngestBudget {
    /// A browser tab's budget. One million medical claims (16 columns as read, more once the
    /// derived features are added) peak at about 450 MB in the session worker's wasm heap;
    /// three million rows keep that under about 1.5 GB, leaving the rest of the 4 GiB heap
    /// for training, and 120 million cells (3 million rows of 40 columns) hold wide files to
    /// the same. Two GiB of text is about 15 million claims of the generators' width, far past
    /// the row limit, so only padding or a bomb reaches it.
    pub const TAB: Self =
        Self { max_bytes: 2 << 30, max_rows: 3_000_000, max_cells: 120_000_000, scope: BudgetScope::Tab };

    /// The command line's budget for a machine with `memory_bytes` of memory: 16 bytes per
    /// cell (the table holds 4–8 per cell, derived features and training as much again),
    /// 64 per row, and four times the memory in text, which streams and is never held.
    pub fn for_memory(memory_bytes: u64) -> Self {
        let memory_bytes = memory_bytes.max(1 << 30);
        Self {
            max_bytes: memory_bytes.saturating_mul(4),
            max_rows: usize::try_from(memory_bytes / 64).unwrap_or(usize::MAX),
            max_cells: memory_bytes / 16,
            scope: BudgetScope::CommandLine,
        }
    }

    /// The message's tail: what the limit is and how to go past it.
    pub(crate) fn describe(&self, kind: BudgetKind) -> String {
        let (limit, flag) = match kind {
            BudgetKind::Bytes => (format_bytes(self.max_bytes), "--max-bytes"),
            BudgetKind::Rows => (format!("{} rows", format_count(self.max_rows as u64)), "--max-rows"),
            BudgetKind::Cells => (format!("{} cells", format_count(self.max_cells)), "--max-cells"),
        };
        match self.scope {
            BudgetScope::Tab => format!(
                "{limit}, the budget of a browser tab; load a sample of it, or use the command-line tool \
                 (claimforest, with {flag} to raise its own budget)"
            ),
            BudgetScope::CommandLine => format!("{limit}, the budget for this run; raise it with {flag}"),
        }
    }
}

impl Default for IngestBudget {
    fn default() -> Self {
        Self::TAB
    }
}

impl fmt::Display for BudgetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BudgetKind::Bytes => "bytes once decompressed",
            BudgetKind::Rows => "rows",
            BudgetKind::Cells => "cells",
        })
    }
}

/// A stream that stops with an error once more than `limit` bytes have been read, and
/// remembers that it did, so the caller can name the budget rather than a read error.
pub(crate) struct ByteMeter<R> {
    inner: R,
    remaining: u64,
    exceeded: bool,
}

impl<R: Read> ByteMeter<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Self { inner, remaining: limit, exceeded: false }
    }

    /// Whether the stream stopped for the budget.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded
    }
}

impl<R: Read> Read for ByteMeter<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.exceeded {
            return Err(std::io::Error::other("over the byte budget"));
        }
        // Read at most one byte past the budget: reaching it exactly is allowed.
        let allowed = usize::try_from(self.remaining.saturating_add(1)).unwrap_or(usize::MAX).min(out.len());
        let n = self.inner.read(&mut out[..allowed])?;
        if n as u64 > self.remaining {
            self.exceeded = true;
            return Err(std::io::Error::other("over the byte budget"));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn format_bytes(bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;
    if bytes >= GIB {
        format!("{:.1} GB of text", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{:.1} MB of text", bytes as f64 / MIB as f64)
    } else {
        format!("{} bytes of text", format_count(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_allows_the_budget_and_stops_one_byte_past_it() {
        let text = vec![b'x'; 1000];
        let mut exact = ByteMeter::new(&text[..], 1000);
        let mut read = Vec::new();
        assert_eq!(exact.read_to_end(&mut read).ok(), Some(1000));
        assert!(!exact.exceeded());
        let mut short = ByteMeter::new(&text[..], 999);
        assert!(short.read_to_end(&mut Vec::new()).is_err());
        assert!(short.exceeded());
    }

    #[test]
    fn messages_name_the_limit_and_the_way_further() {
        let tab = IngestBudget::TAB.describe(BudgetKind::Rows);
        assert!(tab.starts_with("3,000,000 rows, the budget of a browser tab"), "{tab}");
        assert!(tab.contains("--max-rows"), "{tab}");
        let cli = IngestBudget { max_bytes: 5 << 20, ..IngestBudget::for_memory(16 << 30) };
        assert_eq!(
            cli.describe(BudgetKind::Bytes),
            "5.0 MB of text, the budget for this run; raise it with --max-bytes"
        );
        assert_eq!(IngestBudget::TAB.describe(BudgetKind::Bytes).split(',').next(), Some("2.0 GB of text"));
        let machine = IngestBudget::for_memory(16 << 30);
        assert_eq!((machine.max_rows, machine.max_cells), (268_435_456, 1 << 30));
    }
}
