//! Evaluating packs: hits, skipped rules, severities, flags and rule-clean rows.

use super::sample;
use crate::claims::rules::{evaluate_pack, RowSet, Rule, RulePack, SkipReason, SkippedRule};

fn rule(id: &str, condition: &str, severity: f64) -> Rule {
    Rule {
        id: id.into(),
        name: id.into(),
        condition: condition.into(),
        severity,
        category: "test".into(),
        description: "d".into(),
        enabled: true,
    }
}

#[test]
fn hits_severities_flags_and_skips() {
    let mut pack = RulePack::new("t", "d");
    pack.rules = vec![
        rule("minor", "age < 18", 0.3),
        rule("lacks", "units > 1 and nowhere = 1", 0.9),
        rule("units", "units > 2", 0.6),
        Rule { enabled: false, ..rule("off", "units > 0", 1.0) },
        rule("bad", "units >", 1.0),
    ];
    let outcome = evaluate_pack(&sample(), &pack);
    assert_eq!(outcome.n_rows, 4);
    let ids: Vec<&str> = outcome.rules.iter().map(|hits| hits.rule.id.as_str()).collect();
    assert_eq!(ids, ["minor", "units"]);
    assert_eq!(outcome.rules[0].rows, RowSet::from_rows(4, [0]));
    assert_eq!((outcome.rules[1].count, outcome.rules[1].rows.iter().collect::<Vec<_>>()), (2, vec![1, 3]));
    assert_eq!(
        outcome.skipped,
        vec![
            SkippedRule { id: "lacks".into(), reason: SkipReason::MissingColumns { columns: vec!["nowhere".into()] } },
            SkippedRule { id: "off".into(), reason: SkipReason::Disabled },
            SkippedRule {
                id: "bad".into(),
                reason: SkipReason::InvalidCondition {
                    message: "column 8: expected a value after '>', found the end of the condition".into()
                }
            },
        ]
    );
    // Every skip reason reads back from the JSON it writes (`crate::tag_first`).
    let json = serde_json::to_string(&outcome.skipped).unwrap();
    assert!(json.contains(r#"{"reason":"disabled"}"#), "{json}");
    assert_eq!(serde_json::from_str::<Vec<SkippedRule>>(&json).unwrap(), outcome.skipped);
    assert_eq!(outcome.max_severity, vec![0.3, 0.6, 0.0, 0.6]);
    assert_eq!(outcome.flag, vec![true, true, false, true]);
    assert_eq!(outcome.rule_clean_rows(), vec![2]);
    assert_eq!(outcome.flagged_count(), 3);
    assert_eq!(outcome.hits_of(0).map(|r| r.id.as_str()).collect::<Vec<_>>(), ["minor"]);
    assert_eq!(outcome.rule_indices_of(3), vec![1]);
    assert_eq!(outcome.hits_of(2).count(), 0);
    assert_eq!(outcome.hits_of(99).count(), 0);
    assert_eq!(outcome.hits_of_rule("units").unwrap().count, 2);
}

#[test]
fn an_empty_table_and_an_empty_pack_are_fine() {
    let outcome = evaluate_pack(&crate::claims::table::ClaimsTable::new(), &RulePack::new("t", "d"));
    assert!(outcome.rules.is_empty() && outcome.flag.is_empty() && outcome.rule_clean_rows().is_empty());
    let mut pack = RulePack::new("t", "d");
    pack.rules = vec![rule("any", "units > 0", 0.5)];
    let outcome = evaluate_pack(&sample(), &RulePack::new("t", "d"));
    assert_eq!(outcome.rule_clean_rows(), vec![0, 1, 2, 3]);
    let skipped = evaluate_pack(&crate::claims::table::ClaimsTable::new(), &pack).skipped;
    assert_eq!(skipped[0].reason, SkipReason::MissingColumns { columns: vec!["units".into()] });
}

#[test]
fn row_sets_count_iterate_and_combine() {
    let mut a = RowSet::from_rows(130, [0, 63, 64, 129, 500]);
    assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 63, 64, 129]);
    assert_eq!(a.count(), 4);
    assert!(a.contains(129) && !a.contains(1) && !a.contains(130));
    let b = RowSet::from_fn(130, |row| row % 2 == 1);
    let mut union = a.clone();
    union.union_with(&b);
    assert_eq!(union.count(), 67);
    a.intersect_with(&b);
    assert_eq!(a.iter().collect::<Vec<_>>(), vec![63, 129]);
    a.complement();
    assert_eq!(a.count(), 128);
    assert_eq!(RowSet::full(130).count(), 130);
    assert!(RowSet::empty(0).is_empty() && RowSet::full(0).is_empty());
}
