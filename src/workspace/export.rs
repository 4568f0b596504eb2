//! Downloads: scored claims and review-queue CSV with optional salted SHA-256 hashing of
//! member and provider identifiers, and OWASP CSV-injection neutralising of every cell.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::tiers::TierCuts;
use crate::claims::ClaimsTable;

/// How downloads treat identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExportOptions {
    /// When set, member, provider, prescriber and pharmacy identifier cells (the schema's
    /// Entity columns and claim/row identifiers are not: only Entity) are replaced by
    /// `hex(sha256(salt || value))[..16]`.
    pub hash_salt: Option<String>,
}

/// The score columns appended to each exported claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreColumns<'a> {
    /// Random-forest probability per claim (table order), if trained.
    pub probability: Option<&'a [f64]>,
    /// The probability threshold for the `prediction` column.
    pub decision_threshold: f64,
    /// Isolation-forest anomaly score per claim, if trained.
    pub anomaly: Option<&'a [f64]>,
    /// The priority the queue and tiers use.
    pub priority: &'a [f64],
    /// Tier cut points.
    pub cuts: TierCuts,
}

/// A fresh random-looking salt from `seed_material` (e.g. the clock), 16 hex characters.
/// Deterministic in its input, so tests can pin it.
pub fn make_salt(seed_material: u64) -> String {
    todo!()
}

/// Hashes one identifier: the first 16 hex characters of SHA-256(salt bytes ++ value bytes).
pub fn hash_identifier(salt: &str, value: &str) -> String {
    todo!()
}

/// Neutralises a cell a spreadsheet would run as a formula: a cell starting with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'`, unless it is a plain number such as
/// "-12.5" (kept, so amounts stay numbers). Then RFC 4180 quoting.
pub fn csv_cell(text: &str) -> String {
    todo!()
}

/// Writes the claims in `rows` order (every row when None) with their score columns:
/// the table's columns, then `probability`, `prediction`, `anomaly_score`, `priority`,
/// `risk_tier`, `queue_rank` (1-based, only when `rows` is given), as present.
pub fn write_scored_csv(
    table: &ClaimsTable,
    scores: &ScoreColumns<'_>,
    rows: Option<&[u32]>,
    options: &ExportOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    todo!()
}
