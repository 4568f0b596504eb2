//! Hierarchical summaries: one row per member (patient), provider or prescriber (HCP), and
//! pharmacy, with its claim count, money, priority, flags, churn and concentration, for the
//! investigator's entity views and the `*_level_summary.csv` downloads.
//!
//! Entities are grouped by the categorical code of their id column (never by hashing text),
//! with counting sorts and `Vec`s indexed by code, so a million claims summarise in a few
//! linear passes.
//!
//! Conventions:
//! - **Rows**: one per id that occurs on at least one claim, in order of first appearance in
//!   the file (the categorical code order); sort them with [`sort_summary`].
//! - **Missing ids**: claims whose id is missing are left out of the rows (they would skew
//!   the peer percentiles) and counted in [`LevelSummary::missing_id_claims`] and
//!   [`LevelSummary::missing_id_amount`], so the rows plus those reconcile to the table.
//! - **Money**: every level sums the same column, the first numeric one of
//!   [`AMOUNT_COLUMNS`]: `benefit_amount` (what a copay-card program pays, its exposure),
//!   then `paid_amount` (medical claims), `allowed_amount` and `billed_amount`. One column
//!   for all levels keeps member, prescriber and pharmacy totals equal to one table total.
//! - **Prescribers**: the schema has one provider column, `provider_id` (vendor spellings
//!   such as `PRESCRIBER_NPI` map to it). In pharmacy data (a table with `pharmacy_id` or
//!   `ndc`) it names the prescriber, so [`levels_present`] offers it as
//!   [`EntityLevel::Prescriber`]; in medical data as [`EntityLevel::Provider`].
//! - Values that cannot be computed are `None` (never NaN), so summaries survive JSON.

mod as_table;
mod compute;
mod csv;
mod keys;
mod sort;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::claims::schema::names::{
    ALLOWED_AMOUNT, BENEFIT_AMOUNT, BILLED_AMOUNT, MEMBER_ID, NDC, PAID_AMOUNT, PHARMACY_ID, PROVIDER_ID,
};
use crate::claims::table::{ClaimsTable, ColumnData};

pub use as_table::summary_table;
pub use csv::write_summary_csv;
pub use sort::{sort_summary, SummaryKey};

/// The amount columns a summary may total, in order of preference.
pub const AMOUNT_COLUMNS: [&str; 4] = [BENEFIT_AMOUNT, PAID_AMOUNT, ALLOWED_AMOUNT, BILLED_AMOUNT];

/// Who a summary is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityLevel {
    /// The member or patient (`member_id`).
    Member,
    /// The billing provider of medical claims (`provider_id`).
    Provider,
    /// The prescriber (HCP) of pharmacy claims (`provider_id`).
    Prescriber,
    /// The dispensing pharmacy (`pharmacy_id`).
    Pharmacy,
}

impl EntityLevel {
    /// Every level, in menu order.
    pub const ALL: [EntityLevel; 4] =
        [EntityLevel::Member, EntityLevel::Provider, EntityLevel::Prescriber, EntityLevel::Pharmacy];

    /// The canonical column holding the level's ids.
    pub fn id_column(self) -> &'static str {
        match self {
            EntityLevel::Member => MEMBER_ID,
            EntityLevel::Provider | EntityLevel::Prescriber => PROVIDER_ID,
            EntityLevel::Pharmacy => PHARMACY_ID,
        }
    }

    /// "member", "provider", "prescriber" or "pharmacy".
    pub fn slug(self) -> &'static str {
        match self {
            EntityLevel::Member => "member",
            EntityLevel::Provider => "provider",
            EntityLevel::Prescriber => "prescriber",
            EntityLevel::Pharmacy => "pharmacy",
        }
    }

    /// "Member", "Provider", "Prescriber" or "Pharmacy".
    pub fn label(self) -> &'static str {
        match self {
            EntityLevel::Member => "Member",
            EntityLevel::Provider => "Provider",
            EntityLevel::Prescriber => "Prescriber",
            EntityLevel::Pharmacy => "Pharmacy",
        }
    }
}

impl fmt::Display for EntityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// One entity's summary. Shares are in [0, 1]; `None` means "cannot be computed here".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitySummary {
    /// The entity's id, as the table shows it.
    pub id: String,
    /// Its claims.
    pub n_claims: usize,
    /// The sum of its known amounts in [`LevelSummary::amount_column`]; `None` if the table
    /// has no amount column or none of its amounts is known.
    pub total_paid: Option<f64>,
    /// The mean priority of its claims with a finite priority; `None` without priorities.
    pub mean_priority: Option<f64>,
    /// The highest finite priority of its claims; `None` without priorities.
    pub max_priority: Option<f64>,
    /// The share of its claims flagged (by the rules or the model); `None` without flags.
    pub flagged_share: Option<f64>,
    /// The share of its claims labelled positive; `None` without labels.
    pub label_rate: Option<f64>,
    /// Member level: 1 if the member has exactly one claim, else 0. Other levels: the
    /// share of the entity's distinct members who have exactly one claim in the whole
    /// table. `None` without a member column or (other levels) without a known member.
    pub one_and_done_share: Option<f64>,
    /// The largest share of the entity's claims (with a known counterparty) that go to one
    /// counterparty (see [`LevelSummary::counterparty`]); `None` without one.
    pub top_counterparty_share: Option<f64>,
    /// Where `mean_priority` stands among the level's entities, 0 (lowest) to 100
    /// (highest), ties sharing their average rank: `(below + (equal - 1) / 2) / (n - 1) *
    /// 100` over the `n` entities with a mean priority (50 when `n` is 1). `None` without a
    /// mean priority.
    pub peer_percentile: Option<f64>,
    /// The earliest service date of its claims (days since 1970-01-01), if dated.
    pub first_service_day: Option<i32>,
    /// The latest service date of its claims, if dated.
    pub last_service_day: Option<i32>,
}

/// Every entity of one level, and what the summary could read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelSummary {
    /// The level.
    pub level: EntityLevel,
    /// The amount column totalled, if the table has one (see [`AMOUNT_COLUMNS`]).
    pub amount_column: Option<String>,
    /// Whose share `top_counterparty_share` measures: the member's provider (or prescriber,
    /// else pharmacy), the provider's or prescriber's member, the pharmacy's prescriber
    /// (else member); `None` if the table has no such column.
    pub counterparty: Option<EntityLevel>,
    /// Whether priorities were given (so `mean_priority`, `max_priority` and
    /// `peer_percentile` can be set).
    pub has_priority: bool,
    /// Whether flags were given.
    pub has_flags: bool,
    /// Whether labels were given.
    pub has_labels: bool,
    /// Whether the table has a member column (so `one_and_done_share` can be set).
    pub has_members: bool,
    /// Whether the table has a `service_date` date column.
    pub has_dates: bool,
    /// One row per entity, in order of first appearance.
    pub rows: Vec<EntitySummary>,
    /// Claims whose id is missing (not in any row).
    pub missing_id_claims: usize,
    /// The sum of the known amounts of those claims (0 when none).
    pub missing_id_amount: f64,
}

/// Why a summary could not be built, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SummaryError {
    /// The table lacks the level's id column.
    #[error("This table has no {column} column, so it has no {level} summary.")]
    NoIdColumn {
        /// The level asked for.
        level: EntityLevel,
        /// The column it needs.
        column: &'static str,
    },
    /// A per-claim input has a different length from the table.
    #[error("The {what} cover {actual} claims, but the table has {expected}.")]
    LengthMismatch {
        /// "priorities", "flags" or "labels".
        what: &'static str,
        /// The table's row count.
        expected: usize,
        /// The input's length.
        actual: usize,
    },
}

/// The levels `table` can be summarised at, in the order Member, Provider or Prescriber,
/// Pharmacy: those whose id column exists.
pub fn levels_present(table: &ClaimsTable) -> Vec<EntityLevel> {
    [EntityLevel::Member, provider_level(table), EntityLevel::Pharmacy]
        .into_iter()
        .filter(|level| table.column(level.id_column()).is_some())
        .collect()
}

/// Whether `provider_id` names prescribers (pharmacy data: the table has `pharmacy_id` or
/// `ndc`) or billing providers.
pub fn provider_level(table: &ClaimsTable) -> EntityLevel {
    if table.column(PHARMACY_ID).is_some() || table.column(NDC).is_some() {
        EntityLevel::Prescriber
    } else {
        EntityLevel::Provider
    }
}

/// The amount column summaries total: the first of [`AMOUNT_COLUMNS`] that `table` has as
/// a numeric column.
pub fn amount_column(table: &ClaimsTable) -> Option<&'static str> {
    AMOUNT_COLUMNS
        .into_iter()
        .find(|name| table.column(name).is_some_and(|column| matches!(column.data, ColumnData::Numeric { .. })))
}

/// Summarises `table` at `level`.
///
/// `priority` and `flagged` are per claim in table order, each either empty (not known yet:
/// the fields they feed are `None`) or as long as the table; `labels`, when given, must be
/// as long as the table. A NaN priority is left out of the means and maxima.
pub fn summarize(
    table: &ClaimsTable,
    level: EntityLevel,
    priority: &[f64],
    flagged: &[bool],
    labels: Option<&[bool]>,
) -> Result<LevelSummary, SummaryError> {
    let n_rows = table.n_rows();
    let check = |what: &'static str, actual: usize, optional: bool| {
        if actual == n_rows || (optional && actual == 0) {
            Ok(())
        } else {
            Err(SummaryError::LengthMismatch { what, expected: n_rows, actual })
        }
    };
    check("priorities", priority.len(), true)?;
    check("flags", flagged.len(), true)?;
    if let Some(labels) = labels {
        check("labels", labels.len(), false)?;
    }
    let column = level.id_column();
    let data = &table.column(column).ok_or(SummaryError::NoIdColumn { level, column })?.data;
    Ok(compute::summarize_level(table, level, data, compute::PerClaim { priority, flagged, labels }))
}

/// The row indices of the claims of the entity `id` at `level`, in file order; empty if
/// the table has no such column or no such id (a missing id matches nothing).
pub fn claims_of(table: &ClaimsTable, level: EntityLevel, id: &str) -> Vec<u32> {
    let Some(column) = table.column(level.id_column()) else { return Vec::new() };
    let keys = keys::EntityKeys::new(&column.data);
    let wanted: Vec<bool> = keys.ids().iter().map(|level_id| level_id == id).collect();
    (0..keys.n_rows())
        .filter(|&row| keys.code_of(row).and_then(|code| wanted.get(code)).copied().unwrap_or(false))
        .filter_map(|row| u32::try_from(row).ok())
        .collect()
}
