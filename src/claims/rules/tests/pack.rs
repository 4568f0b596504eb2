//! Rule packs: JSON round trip, defaults and validation errors, and the built-in packs.

use crate::claims::rules::{builtin_pack, ConditionError, PackError, Rule, RulePack, BUILTIN_PACKS, MAX_RULES};

fn rule(id: &str, condition: &str, severity: f64) -> Rule {
    Rule {
        id: id.into(),
        name: format!("Rule {id}"),
        condition: condition.into(),
        severity,
        category: "test".into(),
        description: "A test rule.".into(),
        enabled: true,
    }
}

fn pack(rules: Vec<Rule>) -> RulePack {
    let mut pack = RulePack::new("test", "A test pack");
    pack.rules = rules;
    pack
}

#[test]
fn packs_round_trip_through_pretty_json() {
    let original = pack(vec![rule("a", "units > 1", 0.5), Rule { enabled: false, ..rule("b", "code = \"76\"", 1.0) }]);
    let json = original.to_json().unwrap();
    assert!(json.contains("\n  \"format\": \"claimforest-rules\",\n  \"version\": 1,"), "{json}");
    assert_eq!(RulePack::from_json(&json).unwrap(), original);
}

#[test]
fn enabled_defaults_to_true() {
    let json = r#"{"format": "claimforest-rules", "version": 1, "name": "n", "description": "d",
        "rules": [{"id": "a", "name": "A", "condition": "x = 1", "severity": 0.2, "category": "c", "description": "d"}]}"#;
    assert!(RulePack::from_json(json).unwrap().rules[0].enabled);
}

#[test]
fn validation_errors_are_typed_and_clear() {
    let with = |rules: Vec<Rule>| RulePack::from_json(&pack(rules).to_json().unwrap()).unwrap_err();
    assert_eq!(with(vec![rule("a", "x = 1", 0.1), rule("a", "y = 1", 0.2)]), PackError::DuplicateId { id: "a".into() });
    assert_eq!(with(vec![rule(" ", "x = 1", 0.1)]), PackError::EmptyId { position: 1 });
    let err = with(vec![rule("ok", "x = 1", 0.1), rule("too_much", "x = 1", 1.5)]);
    assert_eq!(err.to_string(), "rule 'too_much': severity 1.5 is outside 0 to 1");
    assert!(matches!(with(vec![rule("neg", "x = 1", -0.1)]), PackError::SeverityOutOfRange { .. }));
    let err = with(vec![rule("broken", "has_pre_auth = ", 0.5)]);
    assert_eq!(err.to_string(), "rule 'broken': column 16: expected a value after '=', found the end of the condition");
    let PackError::Condition { id, error } = err else { panic!() };
    assert_eq!(id, "broken");
    assert!(matches!(error, ConditionError::Expected { column: 16, .. }));
}

#[test]
fn a_duplicate_far_down_a_large_pack_is_found_and_too_many_rules_are_refused() {
    let mut rules: Vec<Rule> = (0..MAX_RULES - 1).map(|i| rule(&format!("r{i}"), "x = 1", 0.1)).collect();
    rules.push(rule("r17", "x = 2", 0.1));
    assert_eq!(pack(rules.clone()).validate(), Err(PackError::DuplicateId { id: "r17".into() }));
    rules.pop();
    rules.push(rule("last", "x = 2", 0.1));
    assert_eq!(pack(rules.clone()).validate(), Ok(()));
    rules.push(rule("one_too_many", "x = 2", 0.1));
    let err = pack(rules).validate().unwrap_err();
    assert_eq!(err, PackError::TooManyRules { found: MAX_RULES + 1 });
    assert_eq!(err.to_string(), "the rule pack has 1001 rules; at most 1000 are supported");
}

#[test]
fn other_formats_and_versions_are_refused_before_the_shape_is_read() {
    let v2 = r#"{"format": "claimforest-rules", "version": 2, "rules": "a new shape"}"#;
    let err = RulePack::from_json(v2).unwrap_err();
    assert_eq!(err.to_string(), "rule pack version 2 is not supported; this version of ClaimForest reads version 1");
    let err = RulePack::from_json(r#"{"format": "claimforest-model", "version": 1}"#).unwrap_err();
    assert_eq!(err, PackError::WrongFormat { found: "\"claimforest-model\"".into() });
    assert!(matches!(RulePack::from_json("{}"), Err(PackError::WrongFormat { .. })));
    assert!(matches!(
        RulePack::from_json(r#"{"format": "claimforest-rules"}"#),
        Err(PackError::UnsupportedVersion { .. })
    ));
    assert!(matches!(RulePack::from_json("not json"), Err(PackError::Json { .. })));
    // JSON that is not an object has no format.
    for not_an_object in ["[1, 2]", "\"claimforest-rules\"", "7", "null"] {
        assert!(matches!(RulePack::from_json(not_an_object), Err(PackError::WrongFormat { .. })), "{not_an_object}");
    }
    let missing_rules = r#"{"format": "claimforest-rules", "version": 1, "name": "n", "description": "d"}"#;
    assert!(RulePack::from_json(missing_rules).unwrap_err().to_string().contains("missing field `rules`"));
}

#[test]
fn builtin_packs_parse_and_describe_every_rule() {
    for (name, json) in BUILTIN_PACKS {
        let pack = builtin_pack(name).unwrap();
        assert_eq!(pack.name, name);
        assert!(!pack.rules.is_empty());
        for rule in &pack.rules {
            assert!(rule.description.contains("Severity"), "{name}/{}: say why the severity", rule.id);
            assert!(rule.enabled);
        }
        // The files are the pretty JSON `to_json` writes (so edits stay reviewable).
        assert_eq!(pack.to_json().unwrap().trim(), json.trim(), "{name}.json is not in canonical form");
    }
    assert_eq!(
        builtin_pack("dental").unwrap_err().to_string(),
        "there is no built-in rule pack named 'dental' (choose denial, medical, pharmacy)"
    );
}

#[test]
fn builtin_packs_use_the_seed_thresholds() {
    let pharmacy = builtin_pack("pharmacy").unwrap();
    let condition = |id: &str| pharmacy.rule(id).unwrap().condition.clone();
    assert_eq!(condition("early_refill"), "early_refill = 1");
    assert_eq!(condition("excessive_fills"), "member_fills_90d > 4");
    assert_eq!(condition("high_risk_reject"), "reject_code in [\"76\", \"88\", \"79\"]");
    assert_eq!(condition("pharmacy_fraud_risk"), "pharmacy_fraud_risk_score > 0.6");
    assert_eq!(condition("hcp_one_and_done"), "provider_one_and_done_share > 0.6");
    assert_eq!(condition("pharmacy_hcp_concentration"), "pharmacy_prescriber_concentration > 0.5");
    assert_eq!(condition("pharmacy_one_and_done"), "pharmacy_one_and_done_pct > 0.5");
    assert_eq!(condition("short_active_burst"), "member_active_days <= 14 and member_claim_count > 1");
    assert!(condition("new_patient_burst").starts_with("days_since_first_service <= 7"));
    assert_eq!(condition("early_refill_supply"), "refill_supply_used < 0.75");
    assert_eq!(crate::claims::features::EARLY_REFILL_DAYS, 23);
    assert_eq!(crate::claims::features::EXCESSIVE_FILLS_IN_WINDOW, 4);
}
