//! What the rules and the priority achieved: hits per rule with their precision, the tier
//! distribution with each tier's label rate, and the review queue's recall per planted
//! pattern (from a label-detail column such as `anomaly_type`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::hybrid::{claim_priority, HybridWeights, ScoreKind};
use super::tiers::{RiskTier, TierCuts};
use crate::claims::rules::RuleOutcome;
use crate::claims::ColumnData;
use crate::ml::metrics::average_precision;
use crate::sorting::sort_stable_by;

/// How well three rankings find the labelled positives (PR AUC, as average precision).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingQuality {
    /// The model's score alone.
    pub model: f64,
    /// The rules alone (severity and flag).
    pub rules: f64,
    /// The hybrid priority with the given weights.
    pub hybrid: f64,
}

/// The PR AUC of the model alone, the rules alone and the hybrid, each computed exactly as
/// the page ranks (see [`claim_priority`]); `None` without a labelled positive or when the
/// lengths differ.
pub fn ranking_quality(
    labels: &[bool],
    scores: &[f64],
    kind: ScoreKind,
    outcome: &RuleOutcome,
    weights: &HybridWeights,
) -> Option<RankingQuality> {
    let rules = Some((outcome.max_severity.as_slice(), outcome.flag.as_slice()));
    let model = average_precision(labels, scores).ok()?;
    let rules_only = average_precision(labels, &claim_priority(None, rules, weights)).ok()?;
    let hybrid = average_precision(labels, &claim_priority(Some((scores, kind)), rules, weights)).ok()?;
    Some(RankingQuality { model, rules: rules_only, hybrid })
}

/// One evaluated rule's hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleStat {
    /// The rule id.
    pub id: String,
    /// Its readable name.
    pub name: String,
    /// Its severity.
    pub severity: f64,
    /// The claims it hits.
    pub hits: usize,
    /// The claims it is the only rule to hit.
    pub sole_hits: usize,
    /// Labelled positives among its hits / its hits (labels known and hits above zero).
    pub precision: Option<f64>,
}

/// Hits per evaluated rule, in pack order. `labels`, when given, is per claim in table order
/// (a claim beyond it counts as negative).
pub fn rule_stats(outcome: &RuleOutcome, labels: Option<&[bool]>) -> Vec<RuleStat> {
    let mut n_rules_hit = vec![0u16; outcome.n_rows];
    for hits in &outcome.rules {
        for row in hits.rows.iter() {
            if let Some(count) = n_rules_hit.get_mut(row) {
                *count = count.saturating_add(1);
            }
        }
    }
    outcome
        .rules
        .iter()
        .map(|hits| {
            let sole_hits = hits.rows.iter().filter(|&row| n_rules_hit.get(row) == Some(&1)).count();
            let precision = labels.filter(|_| hits.count > 0).map(|labels| {
                let positives = hits.rows.iter().filter(|&row| labels.get(row).copied().unwrap_or(false)).count();
                positives as f64 / hits.count as f64
            });
            RuleStat {
                id: hits.rule.id.clone(),
                name: hits.rule.name.clone(),
                severity: hits.rule.severity,
                hits: hits.count,
                sole_hits,
                precision,
            }
        })
        .collect()
}

/// One risk tier's claims.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierStat {
    /// The tier.
    pub tier: RiskTier,
    /// Claims in it.
    pub claims: usize,
    /// Labelled positives in it (labels known).
    pub positives: Option<usize>,
    /// positives / claims (labels known and the tier not empty).
    pub label_rate: Option<f64>,
}

/// Claims and label rate per tier, Low to Critical. A NaN priority counts as Low, as
/// [`TierCuts::tier`] says.
pub fn tier_stats(priority: &[f64], labels: Option<&[bool]>, cuts: &TierCuts) -> [TierStat; 4] {
    let tiers = [RiskTier::Low, RiskTier::Medium, RiskTier::High, RiskTier::Critical];
    let mut claims = [0usize; 4];
    let mut positives = [0usize; 4];
    for (row, &score) in priority.iter().enumerate() {
        let index = tier_index(cuts.tier(score));
        claims[index] += 1;
        if labels.and_then(|labels| labels.get(row)).copied().unwrap_or(false) {
            positives[index] += 1;
        }
    }
    tiers.map(|tier| {
        let index = tier_index(tier);
        let positives = labels.map(|_| positives[index]);
        let label_rate = positives.filter(|_| claims[index] > 0).map(|p| p as f64 / claims[index] as f64);
        TierStat { tier, claims: claims[index], positives, label_rate }
    })
}

fn tier_index(tier: RiskTier) -> usize {
    match tier {
        RiskTier::Low => 0,
        RiskTier::Medium => 1,
        RiskTier::High => 2,
        RiskTier::Critical => 3,
    }
}

/// How much of one planted pattern a queue caught.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternRecall {
    /// The pattern, as the label-detail column spells it.
    pub pattern: String,
    /// Positive claims of this pattern.
    pub total: usize,
    /// Of those, how many are queued.
    pub caught: usize,
    /// caught / total.
    pub recall: f64,
}

/// The recall of the queue `queued` (row indices) per pattern: the positive claims (by
/// `labels`) grouped by their text in `detail`, most frequent pattern first (ties by
/// name). Rows beyond `labels` or `detail` are ignored; a blank detail reads "unspecified".
pub fn pattern_recall(queued: &[u32], labels: &[bool], detail: &ColumnData) -> Vec<PatternRecall> {
    let n_rows = labels.len().min(detail.len());
    let mut in_queue = vec![false; n_rows];
    for &row in queued {
        if let Some(flag) = in_queue.get_mut(row as usize) {
            *flag = true;
        }
    }
    let mut by_pattern: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for row in (0..n_rows).filter(|&row| labels[row]) {
        let text = detail.display(row);
        let pattern = if text.trim().is_empty() { "unspecified".to_owned() } else { text };
        let entry = by_pattern.entry(pattern).or_default();
        entry.0 += 1;
        if in_queue[row] {
            entry.1 += 1;
        }
    }
    let mut recalls: Vec<PatternRecall> = by_pattern
        .into_iter()
        .map(|(pattern, (total, caught))| PatternRecall {
            pattern,
            total,
            caught,
            recall: caught as f64 / total as f64,
        })
        .collect();
    sort_stable_by(&mut recalls, &|a, b| b.total.cmp(&a.total).then_with(|| a.pattern.cmp(&b.pattern)));
    recalls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::rules::{evaluate_pack, Rule, RulePack};
    use crate::claims::table::CategoricalBuilder;
    use crate::claims::ClaimsTable;

    fn rule(id: &str, condition: &str, severity: f64) -> Rule {
        Rule {
            id: id.into(),
            name: id.to_ascii_uppercase(),
            condition: condition.into(),
            severity,
            category: "test".into(),
            description: String::new(),
            enabled: true,
        }
    }

    fn table() -> ClaimsTable {
        let mut table = ClaimsTable::new();
        table.push_column("x", ColumnData::Numeric { values: vec![1.0, 2.0, 3.0, 4.0, 5.0].into() }).unwrap();
        table
    }

    #[test]
    fn hits_sole_hits_and_precision_per_rule() {
        let mut pack = RulePack::new("t", "");
        pack.rules = vec![rule("big", "x > 3", 0.5), rule("odd", "x in [1, 3, 5]", 0.9), rule("none", "x > 9", 0.1)];
        let outcome = evaluate_pack(&table(), &pack);
        let labels = [false, false, true, true, true];
        let stats = rule_stats(&outcome, Some(&labels));
        assert_eq!(stats.len(), 3);
        // big hits rows 3, 4 (x = 4, 5): both positive; row 3 only big.
        assert_eq!((stats[0].hits, stats[0].sole_hits, stats[0].precision), (2, 1, Some(1.0)));
        // odd hits rows 0, 2, 4: one negative of three... rows 2 and 4 positive.
        assert_eq!((stats[1].hits, stats[1].sole_hits), (3, 2));
        assert!((stats[1].precision.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!((stats[2].hits, stats[2].precision), (0, None), "no hits, no precision");
        assert_eq!(rule_stats(&outcome, None)[0].precision, None);
        assert_eq!(stats[1].name, "ODD");
    }

    #[test]
    fn ranking_quality_compares_model_rules_and_hybrid() {
        let mut pack = RulePack::new("t", "");
        pack.rules = vec![rule("big", "x > 3", 1.0)];
        let outcome = evaluate_pack(&table(), &pack);
        let labels = [false, false, true, true, true];
        // The model ranks row 2 first; the rules catch rows 3 and 4; together they are perfect.
        let scores = [0.1, 0.2, 0.9, 0.15, 0.3];
        let quality = ranking_quality(&labels, &scores, ScoreKind::Probability, &outcome, &HybridWeights::default());
        let quality = quality.unwrap();
        assert_eq!(quality.hybrid, 1.0);
        assert!(quality.model < 1.0 && quality.rules < 1.0, "{quality:?}");
        assert_eq!(
            ranking_quality(&[false; 5], &scores, ScoreKind::Anomaly, &outcome, &HybridWeights::default()),
            None
        );
    }

    #[test]
    fn tier_counts_and_label_rates() {
        let cuts = TierCuts::default();
        let priority = [0.1, 0.2, 0.5, 0.7, 0.9, f64::NAN];
        let labels = [false, true, false, true, true, false];
        let stats = tier_stats(&priority, Some(&labels), &cuts);
        assert_eq!(stats.map(|s| s.claims), [3, 1, 1, 1]);
        assert_eq!(stats.map(|s| s.positives), [Some(1), Some(0), Some(1), Some(1)]);
        assert!((stats[0].label_rate.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(stats[3].label_rate, Some(1.0));
        let unlabelled = tier_stats(&[0.95], None, &cuts);
        assert_eq!((unlabelled[3].claims, unlabelled[3].label_rate), (1, None));
        assert_eq!((unlabelled[0].claims, unlabelled[0].label_rate), (0, None));
    }

    #[test]
    fn recall_per_pattern_counts_only_positives() {
        let mut kinds = CategoricalBuilder::default();
        for kind in [Some("none"), Some("dup"), Some("dup"), Some("units"), None, Some("dup")] {
            kinds.push(kind);
        }
        let detail = kinds.finish();
        let labels = [false, true, true, true, true, true];
        let recalls = pattern_recall(&[1, 3, 0, 99], &labels, &detail);
        let flat: Vec<(&str, usize, usize)> = recalls.iter().map(|r| (r.pattern.as_str(), r.total, r.caught)).collect();
        assert_eq!(flat, [("dup", 3, 1), ("units", 1, 1), ("unspecified", 1, 0)]);
        assert!((recalls[0].recall - 1.0 / 3.0).abs() < 1e-12);
        assert!(pattern_recall(&[], &[], &detail).is_empty());
    }
}
