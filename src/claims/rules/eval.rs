//! Evaluating a parsed condition over a whole table into a `RowSet`, with the semantics
//! documented in `condition.rs`: per level for categorical columns, per row otherwise.

use super::condition::{CompareOp, Expr, Operand};
use super::rowset::RowSet;
use crate::claims::table::{
    days_from_civil, format_day, format_number, ClaimsTable, ColumnData, MISSING_CODE, MISSING_DAY,
};

/// The rows of `table` where `expr` holds; columns the table lacks read as missing (callers
/// check for them first).
pub(super) fn evaluate(expr: &Expr, table: &ClaimsTable) -> RowSet {
    let n_rows = table.n_rows();
    match expr {
        Expr::And(parts) => {
            let mut set = RowSet::full(n_rows);
            for part in parts {
                if set.is_empty() {
                    break;
                }
                set.intersect_with(&evaluate(part, table));
            }
            set
        }
        Expr::Or(parts) => {
            let mut set = RowSet::empty(n_rows);
            for part in parts {
                set.union_with(&evaluate(part, table));
            }
            set
        }
        Expr::Not(inner) => {
            let mut set = evaluate(inner, table);
            set.complement();
            set
        }
        Expr::Compare { left, op, right } => compare(table, left, *op, right),
        Expr::In { operand, values, negated } => {
            let mut set = RowSet::empty(n_rows);
            for value in values {
                set.union_with(&compare(table, operand, CompareOp::Eq, value));
            }
            if *negated {
                set.complement();
                set.intersect_with(&missing(table, operand, true));
            }
            set
        }
        Expr::Missing { operand, negated } => missing(table, operand, *negated),
        Expr::Any { column, predicate } => {
            let mut set = RowSet::empty(n_rows);
            for member in table.family_of(column) {
                let renamed = with_column(predicate, column, &member.name);
                set.union_with(&evaluate(&renamed, table));
            }
            set
        }
    }
}

/// `expr` reading `to` wherever it read the column `from`.
fn with_column(expr: &Expr, from: &str, to: &str) -> Expr {
    let swap = |operand: &Operand| match operand {
        Operand::Column(name) if name == from => Operand::Column(to.to_owned()),
        other => other.clone(),
    };
    match expr {
        Expr::And(parts) => Expr::And(parts.iter().map(|part| with_column(part, from, to)).collect()),
        Expr::Or(parts) => Expr::Or(parts.iter().map(|part| with_column(part, from, to)).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(with_column(inner, from, to))),
        Expr::Compare { left, op, right } => Expr::Compare { left: swap(left), op: *op, right: swap(right) },
        Expr::In { operand, values, negated } => {
            Expr::In { operand: swap(operand), values: values.clone(), negated: *negated }
        }
        Expr::Missing { operand, negated } => Expr::Missing { operand: swap(operand), negated: *negated },
        Expr::Any { column, predicate } => {
            Expr::Any { column: column.clone(), predicate: Box::new(with_column(predicate, from, to)) }
        }
    }
}

/// One cell or literal, as the comparison sees it.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
    Day(i32),
}

/// What an operand is on a table: a column's data or a literal.
enum Side<'a> {
    Column(&'a ColumnData),
    Literal(Cell<'a>),
    /// A column the table lacks.
    Absent,
}

fn side<'a>(table: &'a ClaimsTable, operand: &'a Operand) -> Side<'a> {
    match operand {
        Operand::Column(name) => table.column(name).map_or(Side::Absent, |column| Side::Column(&column.data)),
        Operand::Number(value) => Side::Literal(Cell::Number(*value)),
        Operand::Text(text) if text.trim().is_empty() => Side::Literal(Cell::Missing),
        Operand::Text(text) => Side::Literal(Cell::Text(text)),
    }
}

fn cell(data: &ColumnData, row: usize) -> Cell<'_> {
    match data {
        ColumnData::Numeric { values } => match values.get(row) {
            Some(value) if !value.is_nan() => Cell::Number(value),
            _ => Cell::Missing,
        },
        ColumnData::Categorical { levels, codes } => {
            match codes.get(row).filter(|&&code| code != MISSING_CODE).and_then(|&code| levels.get(code as usize)) {
                Some(level) if !level.trim().is_empty() => Cell::Text(level),
                _ => Cell::Missing,
            }
        }
        ColumnData::Date { days } => match days.get(row) {
            Some(&day) if day != MISSING_DAY => Cell::Day(day),
            _ => Cell::Missing,
        },
    }
}

fn missing(table: &ClaimsTable, operand: &Operand, negated: bool) -> RowSet {
    let n_rows = table.n_rows();
    match side(table, operand) {
        Side::Absent => {
            if negated {
                RowSet::empty(n_rows)
            } else {
                RowSet::full(n_rows)
            }
        }
        Side::Literal(value) => constant(n_rows, matches!(value, Cell::Missing) != negated),
        Side::Column(ColumnData::Categorical { levels, codes }) => {
            let blank: Vec<bool> = levels.iter().map(|level| level.trim().is_empty()).collect();
            per_level(codes, &blank, !negated, |is_blank| is_blank != negated)
        }
        Side::Column(data) => RowSet::from_fn(n_rows, |row| matches!(cell(data, row), Cell::Missing) != negated),
    }
}

fn constant(n_rows: usize, holds: bool) -> RowSet {
    if holds {
        RowSet::full(n_rows)
    } else {
        RowSet::empty(n_rows)
    }
}

/// Rows whose level passes `test`; a missing code gives `on_missing`.
fn per_level<T: Copy>(codes: &[u32], levels: &[T], on_missing: bool, test: impl Fn(T) -> bool) -> RowSet {
    let passes: Vec<bool> = levels.iter().map(|&level| test(level)).collect();
    RowSet::from_fn(codes.len(), |row| match codes.get(row) {
        Some(&code) if code != MISSING_CODE => passes.get(code as usize).copied().unwrap_or(on_missing),
        _ => on_missing,
    })
}

fn compare(table: &ClaimsTable, left: &Operand, op: CompareOp, right: &Operand) -> RowSet {
    let n_rows = table.n_rows();
    match (side(table, left), side(table, right)) {
        (Side::Absent, _) | (_, Side::Absent) => RowSet::empty(n_rows),
        (Side::Literal(a), Side::Literal(b)) => constant(n_rows, holds(a, op, b)),
        (Side::Column(data), Side::Literal(value)) => column_vs_literal(data, op, value, false),
        (Side::Literal(value), Side::Column(data)) => column_vs_literal(data, op, value, true),
        (Side::Column(a), Side::Column(b)) => RowSet::from_fn(n_rows, |row| holds(cell(a, row), op, cell(b, row))),
    }
}

/// `column op value`, or `value op column` when `flipped`.
fn column_vs_literal(data: &ColumnData, op: CompareOp, value: Cell<'_>, flipped: bool) -> RowSet {
    // Literals are converted once to the column's own kind where that is exact.
    let value = match (data, value) {
        (ColumnData::Numeric { .. }, Cell::Text(text)) => text_as_number(text, op).map_or(value, Cell::Number),
        (ColumnData::Date { .. }, Cell::Text(text)) if op != CompareOp::Contains => {
            parse_iso_day(text).map_or(value, Cell::Day)
        }
        _ => value,
    };
    let test = |c: Cell<'_>| if flipped { holds(value, op, c) } else { holds(c, op, value) };
    match data {
        ColumnData::Categorical { levels, codes } => {
            let cells: Vec<Cell<'_>> = levels
                .iter()
                .map(|level| if level.trim().is_empty() { Cell::Missing } else { Cell::Text(level) })
                .collect();
            per_level(codes, &cells, false, test)
        }
        ColumnData::Numeric { .. } | ColumnData::Date { .. } => {
            RowSet::from_fn(data.len(), |row| test(cell(data, row)))
        }
    }
}

/// A text literal as the number it stands for against a numeric column, when comparing
/// numbers gives exactly the documented text semantics.
fn text_as_number(text: &str, op: CompareOp) -> Option<f64> {
    let parsed: f64 = text.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
    match op {
        CompareOp::Eq | CompareOp::Ne => (format_number(parsed) == text).then_some(parsed),
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => Some(parsed),
        CompareOp::Contains => None,
    }
}

/// `YYYY-MM-DD` as a day number.
fn parse_iso_day(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    days_from_civil(year, month, day)
}

/// Whether `a op b` holds for two cells.
fn holds(a: Cell<'_>, op: CompareOp, b: Cell<'_>) -> bool {
    if matches!(a, Cell::Missing) || matches!(b, Cell::Missing) {
        return false;
    }
    if op == CompareOp::Contains {
        return text_of(a).to_ascii_lowercase().contains(&text_of(b).to_ascii_lowercase());
    }
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => ordered(x.partial_cmp(&y), op),
        (Cell::Day(x), Cell::Day(y)) => ordered(Some(x.cmp(&y)), op),
        (Cell::Day(x), Cell::Number(y)) => ordered(f64::from(x).partial_cmp(&y), op),
        (Cell::Number(x), Cell::Day(y)) => ordered(x.partial_cmp(&f64::from(y)), op),
        (Cell::Text(s), Cell::Text(t)) => ordered(Some(s.cmp(t)), op),
        (Cell::Day(d), Cell::Text(t)) => ordered(Some(format_day(d).as_str().cmp(t)), op),
        (Cell::Text(t), Cell::Day(d)) => ordered(Some(t.cmp(format_day(d).as_str())), op),
        (Cell::Number(x), Cell::Text(t)) => number_vs_text(x, op, t, false),
        (Cell::Text(t), Cell::Number(x)) => number_vs_text(x, op, t, true),
        (Cell::Missing, _) | (_, Cell::Missing) => false,
    }
}

/// A number against text: equality on the number's text, ordering on the text's number.
fn number_vs_text(x: f64, op: CompareOp, text: &str, text_first: bool) -> bool {
    match op {
        CompareOp::Eq => format_number(x) == text,
        CompareOp::Ne => format_number(x) != text,
        _ => match text.trim().parse::<f64>() {
            Ok(y) if y.is_finite() => {
                let order = if text_first { y.partial_cmp(&x) } else { x.partial_cmp(&y) };
                ordered(order, op)
            }
            _ => false,
        },
    }
}

fn ordered(order: Option<std::cmp::Ordering>, op: CompareOp) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (order, op) {
        (None, _) | (_, CompareOp::Contains) => false,
        (Some(order), CompareOp::Eq) => order == Equal,
        (Some(order), CompareOp::Ne) => order != Equal,
        (Some(order), CompareOp::Lt) => order == Less,
        (Some(order), CompareOp::Le) => order != Greater,
        (Some(order), CompareOp::Gt) => order == Greater,
        (Some(order), CompareOp::Ge) => order != Less,
    }
}

fn text_of(cell: Cell<'_>) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Missing => "".into(),
        Cell::Number(value) => format_number(value).into(),
        Cell::Text(text) => text.into(),
        Cell::Day(day) => format_day(day).into(),
    }
}
