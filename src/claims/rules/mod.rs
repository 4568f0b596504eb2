//! Business rules: a readable condition language, versioned JSON rule packs, their
//! evaluation over a claims table, and the built-in denial, medical and pharmacy packs.
//!
//! Like the rest of the claims layer, rules know nothing about forests. A rule whose
//! columns a table lacks is skipped and reported, never an error.

mod builtin;
mod condition;
mod engine;
mod eval;
mod pack;
mod parser;
mod rowset;

#[cfg(test)]
mod tests;

pub use builtin::{builtin_pack, suggested_pack, BUILTIN_PACKS};
pub use condition::{
    CompareOp, Condition, ConditionError, EvalError, Expr, NumberLiteral, Operand, MAX_CONDITION_CHARS, MAX_NESTING,
};
pub use engine::{evaluate_pack, RuleHits, RuleOutcome, SkipReason, SkippedRule};
pub use pack::{PackError, Rule, RulePack, MAX_RULES, PACK_FORMAT, PACK_VERSION};
pub use rowset::RowSet;
