//! Evaluating a rule pack over a table: per-rule hits as row sets, skipped rules with the
//! columns they lack, and per-claim maximum severity and flag.

use serde::{Deserialize, Deserializer, Serialize};

use super::pack::{Rule, RulePack};
use super::rowset::RowSet;
use crate::claims::table::ClaimsTable;
use crate::tag_first::{self, TaggedEnum};

/// The rows one rule hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleHits {
    /// The rule, as it was evaluated.
    pub rule: Rule,
    /// The rows it hit.
    pub rows: RowSet,
    /// How many rows it hit.
    pub count: usize,
}

/// Why a rule was not evaluated: an object whose first field, `reason`, names the variant
/// (read in one pass, `crate::tag_first`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SkipReason {
    /// The table lacks columns the condition reads.
    MissingColumns {
        /// Those columns, in the order the condition reads them.
        columns: Vec<String>,
    },
    /// The rule is switched off.
    Disabled,
    /// The condition does not parse (only for packs built in code without validation).
    InvalidCondition {
        /// The parse error.
        message: String,
    },
}

impl TaggedEnum for SkipReason {
    const TAG: &'static str = "reason";
    const VARIANTS: &'static [&'static str] = &["missing_columns", "disabled", "invalid_condition"];

    fn read_variant<'de, D: Deserializer<'de>>(reason: &str, fields: D) -> Option<Result<Self, D::Error>> {
        /// `MissingColumns`' fields after its reason.
        #[derive(Deserialize)]
        struct MissingColumnsFields {
            columns: Vec<String>,
        }
        /// `InvalidCondition`'s fields after its reason.
        #[derive(Deserialize)]
        struct InvalidConditionFields {
            message: String,
        }
        Some(match reason {
            "missing_columns" => {
                MissingColumnsFields::deserialize(fields).map(|f| SkipReason::MissingColumns { columns: f.columns })
            }
            "disabled" => tag_first::unit_variant(fields, SkipReason::Disabled),
            "invalid_condition" => {
                InvalidConditionFields::deserialize(fields).map(|f| SkipReason::InvalidCondition { message: f.message })
            }
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for SkipReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        tag_first::deserialize(deserializer)
    }
}

/// A rule that was not evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRule {
    /// The rule id.
    pub id: String,
    /// Why.
    pub reason: SkipReason,
}

/// The result of evaluating a pack on a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// Rows in the table.
    pub n_rows: usize,
    /// The evaluated rules with their hits, in pack order.
    pub rules: Vec<RuleHits>,
    /// Rules not evaluated, in pack order.
    pub skipped: Vec<SkippedRule>,
    /// Per claim: the highest severity of the rules it hits (0 when none).
    pub max_severity: Vec<f64>,
    /// Per claim: whether any rule hits it.
    pub flag: Vec<bool>,
}

/// Evaluates every enabled rule of `pack` on `table`. Never fails: a rule whose columns
/// the table lacks is skipped and reported.
pub fn evaluate_pack(table: &ClaimsTable, pack: &RulePack) -> RuleOutcome {
    let n_rows = table.n_rows();
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    for rule in &pack.rules {
        let skip = |reason: SkipReason| SkippedRule { id: rule.id.clone(), reason };
        if !rule.enabled {
            skipped.push(skip(SkipReason::Disabled));
            continue;
        }
        let condition = match rule.parsed_condition() {
            Ok(condition) => condition,
            Err(error) => {
                skipped.push(skip(SkipReason::InvalidCondition { message: error.to_string() }));
                continue;
            }
        };
        let rows = match condition.evaluate(table) {
            Ok(rows) => rows,
            Err(super::condition::EvalError::MissingColumns { missing }) => {
                skipped.push(skip(SkipReason::MissingColumns { columns: missing }));
                continue;
            }
        };
        let count = rows.count();
        rules.push(RuleHits { rule: rule.clone(), rows, count });
    }
    RuleOutcome::from_hits(n_rows, rules, skipped)
}

impl RuleOutcome {
    /// The outcome of the evaluated rules `rules` (with their hits) over `n_rows` claims:
    /// computes each claim's highest severity and flag. A severity outside [0, 1] is
    /// clamped (NaN counts as 0); hits at or past `n_rows` are ignored.
    pub fn from_hits(n_rows: usize, rules: Vec<RuleHits>, skipped: Vec<SkippedRule>) -> Self {
        let mut max_severity = vec![0.0; n_rows];
        let mut flag = vec![false; n_rows];
        for hits in &rules {
            let severity = hits.rule.severity;
            let severity = if severity > 1.0 {
                1.0
            } else if severity > 0.0 {
                severity
            } else {
                0.0
            };
            for row in hits.rows.iter() {
                if let (Some(max), Some(flag)) = (max_severity.get_mut(row), flag.get_mut(row)) {
                    *flag = true;
                    if severity > *max {
                        *max = severity;
                    }
                }
            }
        }
        Self { n_rows, rules, skipped, max_severity, flag }
    }

    /// The evaluated rules that hit `row`, in pack order.
    pub fn hits_of(&self, row: usize) -> impl Iterator<Item = &Rule> + '_ {
        self.rules.iter().filter(move |hits| hits.rows.contains(row)).map(|hits| &hits.rule)
    }

    /// Indices into [`RuleOutcome::rules`] of the rules that hit `row`.
    pub fn rule_indices_of(&self, row: usize) -> Vec<usize> {
        self.rules.iter().enumerate().filter(|(_, hits)| hits.rows.contains(row)).map(|(index, _)| index).collect()
    }

    /// The rows no rule hits, in order (the isolation forest's training rows).
    pub fn rule_clean_rows(&self) -> Vec<usize> {
        self.flag.iter().enumerate().filter(|(_, &flag)| !flag).map(|(row, _)| row).collect()
    }

    /// How many rows some rule hits.
    pub fn flagged_count(&self) -> usize {
        self.flag.iter().filter(|&&flag| flag).count()
    }

    /// The hits of the rule with id `id`, if it was evaluated.
    pub fn hits_of_rule(&self, id: &str) -> Option<&RuleHits> {
        self.rules.iter().find(|hits| hits.rule.id == id)
    }
}
