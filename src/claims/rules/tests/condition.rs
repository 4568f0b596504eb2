//! The condition language: precedence, operators, missing semantics, errors with columns,
//! limits, and that no input makes the parser panic.

use super::sample;
use crate::claims::rules::{Condition, ConditionError, EvalError, Expr, Operand, MAX_CONDITION_CHARS, MAX_NESTING};

/// The rows of `sample()` where `condition` holds.
#[track_caller]
fn rows(condition: &str) -> Vec<usize> {
    let parsed = Condition::parse(condition).unwrap_or_else(|e| panic!("{condition}: {e}"));
    parsed.evaluate(&sample()).unwrap().iter().collect()
}

#[track_caller]
fn error(condition: &str) -> String {
    Condition::parse(condition).unwrap_err().to_string()
}

#[test]
fn and_binds_tighter_than_or() {
    // age < 18 or (units > 10 and code = "97110") — and the same without parentheses.
    assert_eq!(rows("age < 18 or units > 10 and code = \"97110\""), vec![0, 1]);
    assert_eq!(rows("age < 18 or (units > 10 and code = \"97110\")"), vec![0, 1]);
    // Parentheses change the grouping: (age < 18 or units > 10) and code = "76".
    assert_eq!(rows("(age < 18 or units > 10) and code = \"76\""), vec![0]);
    assert_eq!(rows("age < 18 or units > 10 and code = \"76\""), vec![0]);
    assert_eq!(rows("units > 10 and code = \"76\" or age < 18"), vec![0]);
    let parsed = Condition::parse("a = 1 or b = 2 and c = 3").unwrap();
    let Expr::Or(parts) = parsed.expr() else { panic!("{:?}", parsed.expr()) };
    assert!(matches!(parts[1], Expr::And(_)));
}

#[test]
fn comparisons_on_numbers_text_and_dates() {
    assert_eq!(rows("units = 12"), vec![1]);
    assert_eq!(rows("units != 12"), vec![0, 3], "missing is never unequal");
    assert_eq!(rows("units >= 3"), vec![1, 3]);
    assert_eq!(rows("units <= 3"), vec![0, 3]);
    assert_eq!(rows("units < 1.5e1"), vec![0, 1, 3]);
    assert_eq!(rows("units > -1"), vec![0, 1, 3]);
    assert_eq!(rows("code = \"76\""), vec![0]);
    assert_eq!(rows("code == 76"), vec![0], "text against a number compares the number's text");
    assert_eq!(rows("code = 76.0"), vec![0], "76.0 is written 76");
    assert_eq!(rows("code > 80"), vec![1, 3], "ordering parses the text as a number");
    assert_eq!(rows("code >= \"88\""), vec![1, 3], "text against text orders by bytes (\"97110\" > \"88\")");
    assert_eq!(rows("units = \"12\""), vec![1]);
    assert_eq!(rows("units = \"012\""), Vec::<usize>::new(), "012 is not how 12 is written");
    assert_eq!(rows("units != \"012\""), vec![0, 1, 3]);
    assert_eq!(rows("service = \"office visit\""), vec![3], "equality is case-sensitive");
    assert_eq!(rows("day >= \"2025-03-01\""), vec![1, 3]);
    assert_eq!(rows("day = \"2025-12-31\""), vec![3]);
    assert_eq!(rows("day < \"2025-02\""), vec![0], "a partial date compares as ISO text");
    assert_eq!(rows("1 = 1"), vec![0, 1, 2, 3]);
    assert_eq!(rows("\"a\" = \"b\""), Vec::<usize>::new());
}

#[test]
fn contains_is_a_case_insensitive_substring_test() {
    assert_eq!(rows("service contains \"surgery\""), vec![0, 2]);
    assert_eq!(rows("service CONTAINS \"OFFICE\""), vec![1, 3]);
    assert_eq!(rows("code contains 7"), vec![0, 1]);
    assert_eq!(rows("units contains 2"), vec![1], "numbers contain their text");
    assert_eq!(rows("day contains \"-12-\""), vec![3]);
    assert_eq!(rows("service contains \"Surgery\" and units = 1"), vec![0]);
}

#[test]
fn in_lists_and_not_in() {
    assert_eq!(rows("code in [\"76\", \"88\", \"79\"]"), vec![0, 3]);
    assert_eq!(rows("code in [76, 88, 79]"), vec![0, 3]);
    assert_eq!(rows("units in [1, 3]"), vec![0, 3]);
    assert_eq!(rows("code not in [\"76\"]"), vec![1, 3], "a missing code is in no list and not outside one");
    assert_eq!(rows("not code in [\"76\"]"), vec![1, 2, 3], "not complements, missing included");
}

#[test]
fn missing_values_compare_false_and_is_missing_finds_them() {
    assert_eq!(rows("units is missing"), vec![2]);
    assert_eq!(rows("units is not missing"), vec![0, 1, 3]);
    assert_eq!(rows("code is missing"), vec![2]);
    assert_eq!(rows("state_b is missing"), vec![2], "a blank level is missing");
    assert_eq!(rows("day IS MISSING"), vec![2]);
    assert_eq!(rows("age != 40"), vec![0, 2]);
    assert_eq!(rows("not age = 40"), vec![0, 2, 3], "not x = v is true where x is missing");
    assert_eq!(rows("not not age = 40"), vec![1]);
    assert_eq!(rows("code = \"\""), Vec::<usize>::new(), "an empty text literal is missing");
}

#[test]
fn columns_compare_with_columns() {
    assert_eq!(rows("state_a != state_b"), vec![1], "a missing side never differs");
    assert_eq!(rows("state_a = state_b"), vec![0, 3]);
    assert_eq!(rows("units < age"), vec![0, 1]);
    assert_eq!(rows("code = units"), Vec::<usize>::new());
    assert_eq!(rows("76 = code"), vec![0], "a literal may come first");
    assert_eq!(rows("10 < units"), vec![1]);
    assert_eq!(rows("\"Knee Surgery, Heart Surgery\" contains service"), vec![0, 2]);
}

#[test]
fn columns_lists_each_column_once_in_order() {
    let c = Condition::parse("units > 1 and (code = units or not age < 3) or state_a != state_b").unwrap();
    assert_eq!(c.columns(), vec!["units", "code", "age", "state_a", "state_b"]);
    assert_eq!(c.source(), "units > 1 and (code = units or not age < 3) or state_a != state_b");
    let missing = Condition::parse("units > 1 and nowhere = 2 or elsewhere is missing").unwrap();
    assert_eq!(missing.missing_columns(&sample()), vec!["nowhere", "elsewhere"]);
    let err = missing.evaluate(&sample()).unwrap_err();
    assert_eq!(err, EvalError::MissingColumns { missing: vec!["nowhere".into(), "elsewhere".into()] });
    assert_eq!(err.to_string(), "the table has no column 'nowhere', 'elsewhere'");
}

#[test]
fn literals_escape_quotes_and_backslashes() {
    let c = Condition::parse(r#"name = "say \"hi\" \\ now""#).unwrap();
    let Expr::Compare { right: Operand::Text(text), .. } = c.expr() else { panic!() };
    assert_eq!(text, r#"say "hi" \ now"#);
}

#[test]
fn errors_name_their_column() {
    assert_eq!(error("has_pre_auth = "), "column 16: expected a value after '=', found the end of the condition");
    assert_eq!(error("units >= and"), "column 10: expected a value after '>=', found 'and'");
    assert_eq!(error("units"), "column 6: expected an operator (=, !=, <, <=, >, >=, contains, in, is missing), found the end of the condition");
    assert_eq!(
        error("units = 1 and"),
        "column 14: expected a column, number or \"text\", found the end of the condition"
    );
    assert_eq!(error("(units = 1"), "column 11: expected ')' or 'and' or 'or', found the end of the condition");
    assert_eq!(error("units = 1)"), "column 10: expected no ')' without a matching '(', found ')'");
    assert_eq!(error("units = 1 units = 2"), "column 11: expected 'and', 'or' or the end, found 'units'");
    assert_eq!(error("units # 1"), "column 7: unexpected character '#'");
    assert_eq!(error("code = \"76"), "column 8: the text starting here has no closing '\"'");
    assert_eq!(error("code = \"a\\nb\""), "column 10: unknown escape '\\n' (only \\\" and \\\\ are allowed)");
    assert_eq!(error("units = 1.2.3"), "column 9: '1.2.3' is not a number");
    assert_eq!(error("units = 12abc"), "column 9: '12abc' is not a number");
    assert_eq!(error("code in 76"), "column 9: expected '[' to open the list, found '76'");
    assert_eq!(error("code in [76 88]"), "column 13: expected ',' or ']', found '88'");
    assert_eq!(error("code in []"), "column 10: expected a number or \"text\" in the list, found ']'");
    assert_eq!(error("code in [units]"), "column 10: expected a number or \"text\" in the list, found 'units'");
    assert_eq!(error("code is there"), "column 9: expected 'missing' or 'not missing' after 'is', found 'there'");
    assert_eq!(error("code not 76"), "column 10: expected 'in' after 'not', found '76'");
    assert_eq!(error("   "), "the condition is empty");
    assert_eq!(error("é = 1"), "column 1: unexpected character 'é'");
    assert_eq!(error("\"é\" = x y"), "column 9: expected 'and', 'or' or the end, found 'y'");
    let err = Condition::parse("a = 1 and b =").unwrap_err();
    assert_eq!(err.column(), Some(14));
    assert!(matches!(err, ConditionError::Expected { .. }));
}

#[test]
fn limits_refuse_long_and_deep_conditions() {
    let long = format!("a = \"{}\"", "x".repeat(MAX_CONDITION_CHARS));
    assert_eq!(
        Condition::parse(&long).unwrap_err(),
        ConditionError::TooLong { length: MAX_CONDITION_CHARS + 6, max: MAX_CONDITION_CHARS }
    );
    let fits = format!("a = \"{}\"", "x".repeat(MAX_CONDITION_CHARS - 6));
    assert!(Condition::parse(&fits).is_ok());
    let nested = |depth: usize| format!("{}a = 1{}", "(".repeat(depth), ")".repeat(depth));
    assert!(Condition::parse(&nested(MAX_NESTING)).is_ok());
    assert_eq!(
        Condition::parse(&nested(MAX_NESTING + 1)).unwrap_err(),
        ConditionError::TooDeep { column: 33, max: 32 }
    );
    assert!(Condition::parse(&format!("{}a = 1", "not ".repeat(MAX_NESTING))).is_ok());
    assert!(matches!(
        Condition::parse(&format!("{}a = 1", "not ".repeat(MAX_NESTING + 1))),
        Err(ConditionError::TooDeep { .. })
    ));
    // Hostile input within the length limit: a thousand open parentheses.
    assert!(matches!(Condition::parse(&"(".repeat(1_000)), Err(ConditionError::TooDeep { .. })));
    // Long flat chains are fine (no recursion per `and`).
    let chain = vec!["a = 1"; 150].join(" and ");
    assert!(chain.len() < MAX_CONDITION_CHARS && Condition::parse(&chain).is_ok());
}

#[test]
fn a_million_rows_evaluate_well_under_a_second() {
    let n = 1_000_000;
    let mut table = crate::claims::table::ClaimsTable::new();
    let mut codes = crate::claims::table::CategoricalBuilder::default();
    for row in 0..n {
        codes.push(Some(["76", "88", "70", "79", "75"][row % 5]));
    }
    table.push_column("code", codes.finish()).unwrap();
    let values = (0..n).map(|row| (row % 100) as f64).collect();
    table.push_column("units", crate::claims::table::ColumnData::Numeric { values }).unwrap();
    let condition = Condition::parse("code in [\"76\", \"88\", \"79\"] and units > 10 or code = \"70\"").unwrap();
    let start = std::time::Instant::now();
    let hits = condition.evaluate(&table).unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    println!("1,000,000 rows: {} hits in {elapsed:.3} s", hits.count());
    let codes = ["76", "88", "70", "79", "75"];
    let expected = (0..n)
        .filter(|&row| {
            let code = codes[row % 5];
            (["76", "88", "79"].contains(&code) && row % 100 > 10) || code == "70"
        })
        .count();
    assert_eq!(hits.count(), expected);
    assert!(elapsed < 0.5, "{elapsed} s");
}

/// Proptest is a native-only dev-dependency (the wasm tests run in a browser).
#[cfg(not(target_arch = "wasm32"))]
mod never_panics {
    use proptest::prelude::*;

    use super::sample;
    use crate::claims::rules::Condition;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn random_text_never_panics(text in "\\PC{0,200}") {
            let _ = Condition::parse(&text);
        }

        #[test]
        fn random_condition_like_text_never_panics_and_evaluates(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("units"), Just("code"), Just("age"), Just("day"), Just("nope"), Just("and"), Just("or"),
                    Just("not"), Just("("), Just(")"), Just("["), Just("]"), Just(","), Just("="), Just("!="),
                    Just("<"), Just(">="), Just("contains"), Just("in"), Just("is"), Just("missing"), Just("\"76\""),
                    Just("12"), Just("-3.5"), Just("\"a\\\"b\""), Just("\""), Just("1e999"),
                ],
                0..40,
            )
        ) {
            let text = parts.join(" ");
            if let Ok(condition) = Condition::parse(&text) {
                if condition.missing_columns(&sample()).is_empty() {
                    let set = condition.evaluate(&sample()).unwrap();
                    prop_assert!(set.iter().all(|row| row < 4));
                }
            }
        }
    }
}

#[test]
fn any_reads_every_member_of_a_numbered_family() {
    use crate::claims::ingest::{read_bytes, IngestOptions};
    let text = "ClaimID,ClmDiagnosisCode_1,ClmDiagnosisCode_2,ClmDiagnosisCode_3,any\n\
                C1,E11,J45,,1\nC2,I10,,,2\nC3,Z00,N18,E11,3\nC4,,,,4\n";
    let table = read_bytes(text.as_bytes(), "family.csv", &IngestOptions::default()).unwrap().table;
    let hits = |condition: &str| -> Vec<usize> {
        let set = Condition::parse(condition).unwrap().evaluate(&table).unwrap();
        (0..table.n_rows()).filter(|&row| set.contains(row)).collect()
    };
    // By the canonical name or by any member's header: every member is read.
    assert_eq!(hits("any diagnosis_code = \"E11\""), vec![0, 2]);
    assert_eq!(hits("any ClmDiagnosisCode_2 in [\"N18\", \"I10\"]"), vec![1, 2]);
    assert_eq!(hits("any diagnosis_code is missing"), vec![0, 1, 3]);
    // Without `any`, only the column named.
    assert_eq!(hits("diagnosis_code = \"E11\""), vec![0]);
    // `not any` is none; `any` inside parentheses and with other predicates.
    assert_eq!(hits("not any diagnosis_code = \"E11\""), vec![1, 3]);
    assert_eq!(hits("(any diagnosis_code = \"E11\") and ClaimID != \"C1\""), vec![2]);
    // A column called `any` is still a column.
    assert_eq!(hits("any >= 3"), vec![2, 3]);
    assert_eq!(Condition::parse("any diagnosis_code = \"E11\"").unwrap().columns(), vec!["diagnosis_code"]);
    // Nesting `any` counts toward the depth limit.
    let deep = format!("{}x = 1", "any ".repeat(40));
    assert!(matches!(Condition::parse(&deep), Err(ConditionError::TooDeep { .. })));
}
