//! The rules editor's logic: the thresholds inside a condition as editable numbers, a fresh
//! rule to add, and each draft rule's problem as a sentence, so the page only wires inputs.

use crate::claims::rules::{Condition, NumberLiteral, Rule, RulePack};

/// The numbers (thresholds) of `condition`, in order, with their byte ranges: the parser's
/// number tokens, so the `99` of `allowed_vs_procedure_p99` and numbers in quoted text are
/// no thresholds. Empty while the condition does not parse, since editing a threshold of a
/// broken condition could not be checked.
pub fn thresholds(condition: &str) -> Vec<NumberLiteral> {
    Condition::parse(condition).map(|parsed| parsed.number_literals()).unwrap_or_default()
}

/// `condition` with its `which`-th threshold replaced by `value` (written without a
/// trailing `.0`); `None` if there is no such threshold or `value` is not finite.
pub fn with_threshold(condition: &str, which: usize, value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let threshold = thresholds(condition).into_iter().nth(which)?;
    let text = crate::claims::table::format_number(value);
    Some(format!("{}{text}{}", &condition[..threshold.start], &condition[threshold.end..]))
}

/// A change to the draft pack in the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleEdit {
    /// Add a new rule ([`new_rule`]).
    Add,
    /// Remove the rule at this index.
    Remove(usize),
    /// Switch a rule on or off.
    Enabled(usize, bool),
    /// Replace a rule's condition.
    Condition(usize, String),
    /// Set one threshold of a rule's condition ([`with_threshold`]).
    Threshold {
        /// The rule's index.
        index: usize,
        /// Which threshold, in order.
        which: usize,
        /// The new value.
        value: f64,
    },
    /// Set a rule's severity.
    Severity(usize, f64),
}

impl RuleEdit {
    /// Applies the edit to `pack`; an index past the end changes nothing.
    pub fn apply(self, pack: &mut RulePack) {
        match self {
            RuleEdit::Add => {
                let rule = new_rule(pack);
                pack.rules.push(rule);
            }
            RuleEdit::Remove(index) => {
                if index < pack.rules.len() {
                    pack.rules.remove(index);
                }
            }
            RuleEdit::Enabled(index, on) => edit_rule(pack, index, |rule| rule.enabled = on),
            RuleEdit::Condition(index, text) => edit_rule(pack, index, |rule| rule.condition = text),
            RuleEdit::Threshold { index, which, value } => edit_rule(pack, index, |rule| {
                if let Some(updated) = with_threshold(&rule.condition, which, value) {
                    rule.condition = updated;
                }
            }),
            RuleEdit::Severity(index, severity) => edit_rule(pack, index, |rule| rule.severity = severity),
        }
    }
}

fn edit_rule(pack: &mut RulePack, index: usize, change: impl FnOnce(&mut Rule)) {
    if let Some(rule) = pack.rules.get_mut(index) {
        change(rule);
    }
}

/// A new, enabled rule with an id no rule of `pack` uses (`custom_1`, `custom_2`, ...)
/// and a condition to edit.
pub fn new_rule(pack: &RulePack) -> Rule {
    let id = (1..)
        .map(|n| format!("custom_{n}"))
        .find(|id| pack.rules.iter().all(|rule| &rule.id != id))
        .unwrap_or_else(|| "custom".to_owned());
    Rule {
        name: format!("Custom rule {}", id.trim_start_matches("custom_")),
        id,
        condition: String::new(),
        severity: 0.5,
        category: "custom".to_owned(),
        description: String::new(),
        enabled: true,
    }
}

/// Per rule of `pack`, what stops it from being applied, as a sentence (or `None`): a blank
/// or repeated id, a severity outside 0 to 1, or a condition that does not parse (with the
/// column of the problem).
pub fn rule_problems(pack: &RulePack) -> Vec<Option<String>> {
    pack.rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            if rule.id.trim().is_empty() {
                Some("Give the rule an id.".to_owned())
            } else if pack.rules[..index].iter().any(|other| other.id == rule.id) {
                Some(format!("Another rule already has the id '{}'.", rule.id))
            } else if !(0.0..=1.0).contains(&rule.severity) {
                Some(format!("Severity must be from 0 to 1, not {}.", rule.severity))
            } else if rule.condition.trim().is_empty() {
                Some("Write a condition, e.g. units > 10 and procedure_code = \"97110\".".to_owned())
            } else {
                rule.parsed_condition().err().map(|error| format!("Condition: {error}"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::rules::builtin_pack;

    fn texts(condition: &str) -> Vec<String> {
        thresholds(condition).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn thresholds_skip_names_and_quoted_text() {
        assert_eq!(texts("days_since_prev_service < 23"), ["23"]);
        assert_eq!(texts("allowed_vs_procedure_p99 > 1"), ["1"]);
        assert_eq!(texts("procedure_age_zscore > 2.5 or procedure_age_zscore < -2.5"), ["2.5", "-2.5"]);
        assert_eq!(texts("procedure_code in [\"99215\", \"99205\"] and units >= 4"), ["4"]);
        assert_eq!(texts("reject_code in [76, 88, 79]"), ["76", "88", "79"]);
        assert_eq!(texts("note = \"say \\\"12\\\" twice\" and x > 0"), ["0"]);
        assert!(texts("").is_empty());
        assert!(texts("2x > y").is_empty(), "a condition that does not parse has no thresholds");
        assert_eq!(texts("amount > .5 and ratio < 1e3"), [".5", "1e3"], "numbers as the parser reads them");
    }

    #[test]
    fn a_threshold_is_replaced_in_place() {
        let condition = "procedure_age_zscore > 2.5 or procedure_age_zscore < -2.5";
        assert_eq!(
            with_threshold(condition, 1, -3.0).unwrap(),
            "procedure_age_zscore > 2.5 or procedure_age_zscore < -3"
        );
        assert_eq!(with_threshold("days < 23", 0, 21.5).unwrap(), "days < 21.5");
        assert_eq!(with_threshold("days < 23", 1, 5.0), None);
        assert_eq!(with_threshold("days < 23", 0, f64::NAN), None);
    }

    #[test]
    fn every_builtin_threshold_can_be_edited_and_still_parses() {
        for name in ["denial", "medical", "pharmacy"] {
            for rule in builtin_pack(name).unwrap().rules {
                for which in 0..thresholds(&rule.condition).len() {
                    let edited = with_threshold(&rule.condition, which, 7.25).unwrap();
                    assert!(crate::claims::rules::Condition::parse(&edited).is_ok(), "{}: {edited}", rule.id);
                }
            }
        }
    }

    #[test]
    fn new_rules_get_fresh_ids_and_problems_are_sentences() {
        let mut pack = builtin_pack("denial").unwrap();
        let first = new_rule(&pack);
        assert_eq!((first.id.as_str(), first.enabled), ("custom_1", true));
        pack.rules.push(first);
        assert_eq!(new_rule(&pack).id, "custom_2");
        let problems = rule_problems(&pack);
        assert!(problems[..problems.len() - 1].iter().all(Option::is_none), "{problems:?}");
        assert!(problems.last().unwrap().as_ref().unwrap().starts_with("Write a condition"));
        let last = pack.rules.len() - 1;
        pack.rules[last].condition = "age > ".into();
        assert!(rule_problems(&pack)[last].as_ref().unwrap().starts_with("Condition: "));
        pack.rules[last].condition = "age > 3".into();
        pack.rules[last].severity = 1.5;
        assert_eq!(rule_problems(&pack)[last].as_deref(), Some("Severity must be from 0 to 1, not 1.5."));
        pack.rules[last].severity = 1.0;
        pack.rules[last].id = pack.rules[0].id.clone();
        assert!(rule_problems(&pack)[last].as_ref().unwrap().starts_with("Another rule already has the id"));
        pack.rules[last].id = " ".into();
        assert_eq!(rule_problems(&pack)[last].as_deref(), Some("Give the rule an id."));
    }
}
