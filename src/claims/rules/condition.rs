//! The condition language of business rules: its syntax tree, typed errors and the public
//! entry points (`Condition::parse`, `columns`, `evaluate`).
//!
//! A condition reads like `service contains "Surgery" and has_pre_auth = 0`. Grammar (keywords
//! are case-insensitive, column names case-sensitive):
//!
//! ```text
//! condition := and_expr ("or" and_expr)*
//! and_expr  := unary ("and" unary)*
//! unary     := "not" unary | "(" condition ")" | predicate
//! predicate := operand ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains") operand
//!            | operand ["not"] "in" "[" literal ("," literal)* "]"
//!            | operand "is" ["not"] "missing"
//!            | "any" column <one of the above, after the column>
//! operand   := column | number | "text with \" escapes"
//! ```
//!
//! Semantics (documented once, used everywhere):
//! - **Missing is never equal, unequal, less or greater.** Any comparison, `contains` and
//!   `in` with a missing side is false, so `x != 1` is false where `x` is missing; use
//!   `x is missing` to find those rows. `not` complements, so `not x = 1` is true there.
//!   A categorical cell whose text is blank counts as missing.
//! - **Numbers against numbers** compare numerically; dates against numbers compare their
//!   day number (days since 1970-01-01).
//! - **Text against text** compares exactly and case-sensitively (`=`, `!=`), or by byte
//!   order for `<`, `<=`, `>`, `>=` (so `procedure_code >= "99200"` is a code range). A
//!   date reads as its ISO text (`2025-03-01`), so `service_date >= "2025-03-01"` works.
//! - **Text against a number**: `=` and `!=` compare the text with the number written as
//!   [`format_number`](crate::claims::table::format_number) writes it (`reject_code = 76`
//!   matches the code "76", not "076"); `<`, `<=`, `>`, `>=` parse the text as a number and
//!   are false when it is not one.
//! - **`contains`** is a case-insensitive substring test on both sides' text.
//! - **`in [a, b]`** is `= a or = b`; `not in` is its complement on non-missing rows.
//! - **`any column ...`** holds where the predicate holds for any member of the column's
//!   numbered family (`any diagnosis_code in ["E11.9", "I10"]` reads `Dx 1` to `Dx 12`); on a
//!   column outside a family it is the predicate itself. `any` is a keyword only before a
//!   column name, so a column called `any` still works.
//!
//! Categorical columns are evaluated once per level, not per row, so a million rows cost
//! one pass over their codes.

use thiserror::Error;

use super::eval;
use super::parser;
use super::rowset::RowSet;
use crate::claims::table::ClaimsTable;

/// The longest condition accepted, in characters.
pub const MAX_CONDITION_CHARS: usize = 2_000;
/// The deepest nesting of parentheses and `not` accepted.
pub const MAX_NESTING: usize = 32;

/// A parsed condition and its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    expr: Expr,
}

/// A node of a condition's syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every part holds.
    And(Vec<Expr>),
    /// Some part holds.
    Or(Vec<Expr>),
    /// The part does not hold.
    Not(Box<Expr>),
    /// `left op right`.
    Compare {
        /// The left operand.
        left: Operand,
        /// The comparison.
        op: CompareOp,
        /// The right operand.
        right: Operand,
    },
    /// `operand in [values]` (or `not in` when `negated`).
    In {
        /// The operand tested.
        operand: Operand,
        /// The literal values.
        values: Vec<Operand>,
        /// `not in`.
        negated: bool,
    },
    /// `any column <predicate>`: the predicate, which reads `column`, on each member of the
    /// column's numbered family; holds where any member's does.
    Any {
        /// The column as written (a family member or its canonical name).
        column: String,
        /// The predicate, reading `column`.
        predicate: Box<Expr>,
    },
    /// `operand is missing` (or `is not missing` when `negated`).
    Missing {
        /// The operand tested.
        operand: Operand,
        /// `is not missing`.
        negated: bool,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=` (or `==`).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `contains`: case-insensitive substring.
    Contains,
}

impl CompareOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Contains => "contains",
        }
    }
}

/// A column name or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The value of a column on the row.
    Column(String),
    /// A number literal.
    Number(f64),
    /// A double-quoted text literal.
    Text(String),
}

/// Why a condition could not be parsed. Columns are 1-based character positions.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConditionError {
    /// Nothing but spaces.
    #[error("the condition is empty")]
    Empty,
    /// Longer than [`MAX_CONDITION_CHARS`].
    #[error("the condition is {length} characters long; at most {max} are allowed")]
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// Parentheses or `not` nested deeper than [`MAX_NESTING`].
    #[error("column {column}: nested more than {max} levels deep")]
    TooDeep {
        /// Where the limit was passed.
        column: usize,
        /// The limit.
        max: usize,
    },
    /// A character that starts no token.
    #[error("column {column}: unexpected character '{found}'")]
    UnexpectedCharacter {
        /// Where.
        column: usize,
        /// The character.
        found: char,
    },
    /// A string with no closing quote.
    #[error("column {column}: the text starting here has no closing '\"'")]
    UnterminatedText {
        /// Where the text starts.
        column: usize,
    },
    /// A backslash followed by something other than `"` or `\`.
    #[error("column {column}: unknown escape '\\{found}' (only \\\" and \\\\ are allowed)")]
    BadEscape {
        /// Where the backslash is.
        column: usize,
        /// The escaped character.
        found: char,
    },
    /// A number that does not parse or is not finite.
    #[error("column {column}: '{text}' is not a number")]
    BadNumber {
        /// Where.
        column: usize,
        /// The text.
        text: String,
    },
    /// Something else was expected.
    #[error("column {column}: expected {expected}, found {found}")]
    Expected {
        /// Where.
        column: usize,
        /// What was expected ("a value after '='").
        expected: String,
        /// What was found ("the end of the condition", "'and'").
        found: String,
    },
}

impl ConditionError {
    /// The 1-based character column of the error, if it has one.
    pub fn column(&self) -> Option<usize> {
        match self {
            ConditionError::Empty | ConditionError::TooLong { .. } => None,
            ConditionError::TooDeep { column, .. }
            | ConditionError::UnexpectedCharacter { column, .. }
            | ConditionError::UnterminatedText { column }
            | ConditionError::BadEscape { column, .. }
            | ConditionError::BadNumber { column, .. }
            | ConditionError::Expected { column, .. } => Some(*column),
        }
    }
}

/// Why a parsed condition could not be evaluated on a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    /// The table lacks columns the condition reads.
    #[error("the table has no column {}", .missing.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "))]
    MissingColumns {
        /// The columns it lacks, in the order the condition reads them.
        missing: Vec<String>,
    },
}

/// A number written in a condition, with its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberLiteral {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Its text as written ("23", "0.75", "-2.5").
    pub text: String,
}

impl Condition {
    /// Parses `source`. Never panics, whatever the input.
    pub fn parse(source: &str) -> Result<Self, ConditionError> {
        let expr = parser::parse(source)?;
        Ok(Self { source: source.to_owned(), expr })
    }

    /// The text the condition was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The numbers written in the condition (its thresholds), in order, with their byte
    /// ranges in [`Condition::source`]: the parser's own number tokens, so names such as
    /// `allowed_vs_procedure_p99` and quoted text never count.
    pub fn number_literals(&self) -> Vec<NumberLiteral> {
        let byte_at =
            |char_idx: usize| self.source.char_indices().nth(char_idx).map_or(self.source.len(), |(byte, _)| byte);
        parser::number_spans(&self.source)
            .into_iter()
            .map(|(start, end)| {
                let (start, end) = (byte_at(start), byte_at(end));
                NumberLiteral { start, end, text: self.source.get(start..end).unwrap_or_default().to_owned() }
            })
            .collect()
    }

    /// The columns the condition reads, each once, in order of first appearance.
    pub fn columns(&self) -> Vec<String> {
        let mut columns = Vec::new();
        collect_columns(&self.expr, &mut columns);
        columns
    }

    /// The columns the condition reads that `table` lacks.
    pub fn missing_columns(&self, table: &ClaimsTable) -> Vec<String> {
        self.columns().into_iter().filter(|name| table.column(name).is_none()).collect()
    }

    /// The rows of `table` where the condition holds.
    pub fn evaluate(&self, table: &ClaimsTable) -> Result<RowSet, EvalError> {
        let missing = self.missing_columns(table);
        if !missing.is_empty() {
            return Err(EvalError::MissingColumns { missing });
        }
        Ok(eval::evaluate(&self.expr, table))
    }
}

fn collect_columns(expr: &Expr, out: &mut Vec<String>) {
    let mut add = |operand: &Operand| {
        if let Operand::Column(name) = operand {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    };
    match expr {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|part| collect_columns(part, out)),
        Expr::Not(inner) | Expr::Any { predicate: inner, .. } => collect_columns(inner, out),
        Expr::Compare { left, right, .. } => {
            add(left);
            add(right);
        }
        Expr::In { operand, .. } | Expr::Missing { operand, .. } => add(operand),
    }
}
