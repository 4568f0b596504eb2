//! The hybrid priority of the copay-card fraud system: a weighted blend of the anomaly
//! model's score, the highest severity of the rules a claim trips, and whether it trips any,
//! plus the rule-clean training rows the anomaly model learns "normal" from.
//!
//! The reference system scores `0.50 * if_anomaly_score + 0.30 * rule_severity +
//! 0.20 * rule_flag`. Its weights sum to 1, so its priority lies in [0, 1] and the risk
//! tiers ([`super::tiers::TierCuts`]) apply unchanged. Here any non-negative weights are
//! accepted and **divided by their sum**, so the priority stays in [0, 1] whatever the
//! analyst types: weights 5 / 3 / 2 rank and tier exactly as 0.5 / 0.3 / 0.2 do.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The weights of the three parts of the hybrid priority; defaults 0.5, 0.3 and 0.2.
///
/// They are normalised by their sum before use, so only their proportions matter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HybridWeights {
    /// Weight of the anomaly model's score (in [0, 1]).
    pub model: f64,
    /// Weight of the highest severity (in [0, 1]) of the rules the claim trips.
    pub severity: f64,
    /// Weight of "the claim trips at least one rule" (0 or 1).
    pub flag: f64,
}

impl Default for HybridWeights {
    fn default() -> Self {
        Self { model: 0.5, severity: 0.3, flag: 0.2 }
    }
}

/// Weights that cannot be used, with a sentence for the analyst.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum WeightsError {
    /// A weight is NaN or infinite.
    #[error("The {name} weight must be a finite number, not {value}.")]
    NotFinite {
        /// Which weight ("model", "severity" or "flag").
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A weight is below zero.
    #[error("The {name} weight must not be negative, but it is {value}.")]
    Negative {
        /// Which weight.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Every weight is zero, so nothing would be scored.
    #[error("At least one weight must be above zero.")]
    AllZero,
    /// The weights are so large that their sum is not a finite number.
    #[error("The weights are too large to add up; use smaller numbers in the same proportions.")]
    TooLarge,
}

impl HybridWeights {
    /// Checks every weight is finite and non-negative and that their sum is finite and above
    /// zero.
    pub fn validate(&self) -> Result<(), WeightsError> {
        for (name, value) in self.named() {
            if !value.is_finite() {
                return Err(WeightsError::NotFinite { name, value });
            }
            if value < 0.0 {
                return Err(WeightsError::Negative { name, value });
            }
        }
        let sum = self.model + self.severity + self.flag;
        if !sum.is_finite() {
            Err(WeightsError::TooLarge)
        } else if sum > 0.0 {
            Ok(())
        } else {
            Err(WeightsError::AllZero)
        }
    }

    /// The weights divided by their sum (so they sum to 1), or the defaults if they are
    /// invalid.
    pub fn normalised(&self) -> HybridWeights {
        let weights = if self.validate().is_ok() { *self } else { HybridWeights::default() };
        let sum = weights.model + weights.severity + weights.flag;
        HybridWeights { model: weights.model / sum, severity: weights.severity / sum, flag: weights.flag / sum }
    }

    fn named(&self) -> [(&'static str, f64); 3] {
        [("model", self.model), ("severity", self.severity), ("flag", self.flag)]
    }
}

/// The hybrid priority of each claim, in [0, 1]:
/// `(model * m + severity * s + flag * f) / (model + severity + flag)`.
///
/// - `m` is the model score clamped to [0, 1]; a NaN (or missing) score counts as 0, so an
///   unscored claim is ranked by its rules alone.
/// - `s` is the highest severity clamped to [0, 1]; NaN or missing counts as 0.
/// - `f` is 1 if the claim trips any rule, else 0; missing counts as false.
///
/// The claims are the longest of the three slices; a claim missing from a shorter slice
/// reads 0 or false there. Invalid weights (see [`HybridWeights::validate`]) fall back to
/// the defaults; validate them first to tell the analyst. Only basic arithmetic and
/// explicit comparisons are used (no `f64::max`/`min`), so the bits agree on every target
/// and the result is never -0.0.
pub fn hybrid_priority(
    model_score: &[f64],
    max_severity: &[f64],
    any_flag: &[bool],
    weights: &HybridWeights,
) -> Vec<f64> {
    let weights = if weights.validate().is_ok() { *weights } else { HybridWeights::default() };
    let sum = weights.model + weights.severity + weights.flag;
    let n_claims = model_score.len().max(max_severity.len()).max(any_flag.len());
    (0..n_claims)
        .map(|claim| {
            let model = unit(model_score.get(claim).copied().unwrap_or(0.0));
            let severity = unit(max_severity.get(claim).copied().unwrap_or(0.0));
            let flag = if any_flag.get(claim).copied().unwrap_or(false) { 1.0 } else { 0.0 };
            unit((weights.model * model + weights.severity * severity + weights.flag * flag) / sum)
        })
        .collect()
}

/// One claim's priority in words, term by term with the normalised weights:
/// "0.72 = 0.50 × model 0.64 + 0.30 × top severity 0.80 + 0.20 × rule flag 1".
/// `model_part` is the score as it enters the hybrid (rescaled for anomaly scores).
pub fn describe_priority(priority: f64, model_part: f64, severity: f64, flag: bool, weights: &HybridWeights) -> String {
    let w = weights.normalised();
    format!(
        "{priority:.2} = {:.2} × model {:.2} + {:.2} × top severity {:.2} + {:.2} × rule flag {}",
        w.model,
        unit(model_part),
        w.severity,
        unit(severity),
        w.flag,
        u8::from(flag)
    )
}

/// What a model's scores are, which decides how they enter the priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreKind {
    /// A probability in [0, 1] (the random forest): used as it is.
    Probability,
    /// An anomaly score (the isolation forest): rescaled by [`rescaled_anomaly_scores`].
    Anomaly,
}

impl ScoreKind {
    /// Whether the scores are anomaly scores, rescaled before they enter the priority.
    pub fn is_anomaly(self) -> bool {
        self == ScoreKind::Anomaly
    }
}

/// The priority of every claim from whatever is known:
/// - a model and rules: the hybrid [`hybrid_priority`] (anomaly scores rescaled first);
/// - a model alone: its scores as they are;
/// - rules alone: the rule terms of the hybrid, renormalised without the model's weight,
///   `(severity * s + flag * f) / (severity + flag)` (the default 0.3 / 0.2 if both are 0);
/// - neither: no claims.
pub fn claim_priority(
    model: Option<(&[f64], ScoreKind)>,
    rules: Option<(&[f64], &[bool])>,
    weights: &HybridWeights,
) -> Vec<f64> {
    match (model, rules) {
        (Some((scores, ScoreKind::Probability)), Some((severity, flag))) => {
            hybrid_priority(scores, severity, flag, weights)
        }
        (Some((scores, ScoreKind::Anomaly)), Some((severity, flag))) => {
            hybrid_priority(&rescaled_anomaly_scores(scores), severity, flag, weights)
        }
        (Some((scores, _)), None) => scores.to_vec(),
        (None, Some((severity, flag))) => {
            let mut rule_weights = HybridWeights { model: 0.0, ..*weights };
            if rule_weights.validate().is_err() {
                rule_weights = HybridWeights { model: 0.0, ..HybridWeights::default() };
            }
            hybrid_priority(&[], severity, flag, &rule_weights)
        }
        (None, None) => Vec::new(),
    }
}

/// An anomaly model's scores rescaled to [0, 1] for the hybrid priority:
/// `(s - min) / (max - min)` over the finite scores, so the most anomalous claim reads 1
/// and the most normal 0. The isolation forest's raw score sits in a narrow band (about 0.35 to 0.75), which
/// would let the rule terms swamp it; a probability needs no rescaling. NaN stays NaN (the
/// priority reads it as 0); when every finite score is equal they all read 0.
pub fn rescaled_anomaly_scores(scores: &[f64]) -> Vec<f64> {
    let rescale = AnomalyRescale::of(scores);
    scores.iter().map(|&score| rescale.apply(score)).collect()
}

/// The bounds of [`rescaled_anomaly_scores`], to rescale one claim's score without
/// rescaling them all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyRescale {
    low: f64,
    high: f64,
}

impl AnomalyRescale {
    /// The lowest and highest finite score of `scores`.
    pub fn of(scores: &[f64]) -> Self {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for &score in scores.iter().filter(|score| score.is_finite()) {
            if score < low {
                low = score;
            }
            if score > high {
                high = score;
            }
        }
        Self { low, high }
    }

    /// `score` rescaled as [`rescaled_anomaly_scores`] does.
    pub fn apply(&self, score: f64) -> f64 {
        let span = self.high - self.low;
        if score.is_nan() {
            f64::NAN
        } else if span > 0.0 && span.is_finite() {
            unit((score - self.low) / span)
        } else {
            0.0
        }
    }
}

/// The rows the anomaly model trains on, and why, if it is not the rule-clean ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingRows {
    /// Row indices in file order.
    pub rows: Vec<usize>,
    /// Set when too few claims are rule-clean and every claim is used instead: a sentence
    /// for the page.
    pub fallback: Option<String>,
}

/// The claims the anomaly model should learn "normal" from: those that trip no rule.
///
/// If fewer than `min_clean` claims are rule-clean (a `min_clean` of 0 counts as 1, so at
/// least one clean claim is always needed), the model trains on every claim and
/// `fallback` says so, as the reference system's degraded mode does. That system also
/// raises the contamination to `min(3 × contamination, 0.5)` in degraded mode; we do not
/// change it behind the analyst's back. Our isolation forest's flag threshold is the upper
/// `contamination` quantile of its training scores, so when it trains on every claim it
/// flags that share of all claims; the sentence reports this and suggests
/// [`degraded_contamination`]. An empty `any_flag` gives no rows and no fallback.
pub fn rule_clean_training_rows(any_flag: &[bool], min_clean: usize) -> TrainingRows {
    let clean: Vec<usize> = any_flag.iter().enumerate().filter(|(_, &flag)| !flag).map(|(row, _)| row).collect();
    let needed = if min_clean == 0 { 1 } else { min_clean };
    if any_flag.is_empty() || clean.len() >= needed {
        return TrainingRows { rows: clean, fallback: None };
    }
    let n_claims = any_flag.len();
    let fallback = format!(
        "Only {} of {} claims trip no rule (at least {} are needed), so the anomaly model learns from all {} \
         claims. Its flag threshold still marks the contamination share of them as anomalous; the reference \
         system triples the contamination (up to 0.5) in this case.",
        super::format_count(clean.len()),
        super::format_count(n_claims),
        super::format_count(needed),
        super::format_count(n_claims),
    );
    TrainingRows { rows: (0..n_claims).collect(), fallback: Some(fallback) }
}

/// The fewest rule-clean claims to train on when `share` (in [0, 1]) of `n_claims` must be
/// clean: `ceil(n_claims * share)`, at least 1. A NaN or negative share counts as 0, above
/// 1 as 1.
pub fn min_clean_rows(n_claims: usize, share: f64) -> usize {
    let share = unit(share);
    let rows = (n_claims as f64 * share).ceil();
    let rows = if rows < n_claims as f64 { rows as usize } else { n_claims };
    if rows == 0 {
        1
    } else {
        rows
    }
}

/// The reference system's degraded-mode contamination: `min(3 × contamination, 0.5)`
/// (NaN or negative gives 0).
pub fn degraded_contamination(contamination: f64) -> f64 {
    let tripled = 3.0 * unit(contamination);
    if tripled > 0.5 {
        0.5
    } else {
        tripled
    }
}

/// `value` clamped to [0, 1] with explicit comparisons; NaN and -0.0 give 0.0.
fn unit(value: f64) -> f64 {
    if value > 1.0 {
        1.0
    } else if value > 0.0 {
        value
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12, "{actual:?} vs {expected:?}");
        }
    }

    #[test]
    fn default_weights_are_the_copay_systems_and_valid() {
        let weights = HybridWeights::default();
        assert_eq!((weights.model, weights.severity, weights.flag), (0.5, 0.3, 0.2));
        assert_eq!(weights.validate(), Ok(()));
        let json = serde_json::to_string(&weights).unwrap();
        assert_eq!(json, r#"{"model":0.5,"severity":0.3,"flag":0.2}"#);
        assert_eq!(serde_json::from_str::<HybridWeights>(&json).unwrap(), weights);
    }

    #[test]
    fn invalid_weights_are_refused_with_sentences() {
        let nan = HybridWeights { model: f64::NAN, ..HybridWeights::default() };
        assert_eq!(nan.validate().unwrap_err().to_string(), "The model weight must be a finite number, not NaN.");
        let negative = HybridWeights { flag: -0.5, ..HybridWeights::default() };
        assert_eq!(
            negative.validate().unwrap_err().to_string(),
            "The flag weight must not be negative, but it is -0.5."
        );
        let infinite = HybridWeights { severity: f64::INFINITY, ..HybridWeights::default() };
        assert!(matches!(infinite.validate(), Err(WeightsError::NotFinite { name: "severity", .. })));
        let zero = HybridWeights { model: 0.0, severity: -0.0, flag: 0.0 };
        assert_eq!(zero.validate().unwrap_err().to_string(), "At least one weight must be above zero.");
        assert_eq!(zero.normalised(), HybridWeights::default(), "invalid weights fall back to the defaults");
        let huge = HybridWeights { model: f64::MAX, severity: f64::MAX, flag: 0.0 };
        assert_eq!(huge.validate(), Err(WeightsError::TooLarge));
        close(&hybrid_priority(&[1.0], &[0.0], &[false], &huge), &[0.5]);
    }

    #[test]
    fn the_seed_formula_by_hand() {
        // 0.5*0.8 + 0.3*0.5 + 0.2*1 = 0.75; 0.5*0.2 + 0 + 0 = 0.1; 0 + 0.3*1 + 0.2 = 0.5;
        // 0.5*1 + 0.3*1 + 0.2*1 = 1.
        let priority = hybrid_priority(
            &[0.8, 0.2, 0.0, 1.0],
            &[0.5, 0.0, 1.0, 1.0],
            &[true, false, true, true],
            &HybridWeights::default(),
        );
        close(&priority, &[0.75, 0.1, 0.5, 1.0]);
        assert_eq!(priority[3], 1.0, "the maximum is exactly 1");
    }

    #[test]
    fn weights_are_normalised_by_their_sum() {
        let scaled = HybridWeights { model: 5.0, severity: 3.0, flag: 2.0 };
        let priority = hybrid_priority(&[0.8, 0.2], &[0.5, 0.0], &[true, false], &scaled);
        close(&priority, &[0.75, 0.1]);
        // Model only: the priority is the model score itself.
        let model_only = HybridWeights { model: 2.0, severity: 0.0, flag: 0.0 };
        close(&hybrid_priority(&[0.37, 0.9], &[1.0, 1.0], &[true, true], &model_only), &[0.37, 0.9]);
        // Flag only: 0 or 1.
        let flag_only = HybridWeights { model: 0.0, severity: 0.0, flag: 0.4 };
        assert_eq!(hybrid_priority(&[0.9, 0.9], &[], &[true, false], &flag_only), [1.0, 0.0]);
        close(&[scaled.normalised().model, scaled.normalised().severity, scaled.normalised().flag], &[0.5, 0.3, 0.2]);
    }

    #[test]
    fn nan_and_out_of_range_inputs_are_clamped() {
        let weights = HybridWeights::default();
        // NaN model -> 0; severity 2 -> 1; negative model -> 0; model 3 -> 1; NaN severity -> 0.
        let priority = hybrid_priority(
            &[f64::NAN, -0.5, 3.0, -0.0],
            &[2.0, -1.0, f64::NAN, -0.0],
            &[false, false, false, false],
            &weights,
        );
        close(&priority, &[0.3, 0.0, 0.5, 0.0]);
        assert!(priority.iter().all(|p| p.is_sign_positive()), "never -0.0: {priority:?}");
        close(&hybrid_priority(&[f64::INFINITY], &[f64::NEG_INFINITY], &[true], &weights), &[0.7]);
    }

    #[test]
    fn mismatched_lengths_read_missing_as_zero_or_false() {
        let weights = HybridWeights::default();
        let priority = hybrid_priority(&[0.4], &[1.0, 0.5], &[false, true, true], &weights);
        // 0.2 + 0.3 + 0; 0 + 0.15 + 0.2; 0 + 0 + 0.2.
        close(&priority, &[0.5, 0.35, 0.2]);
        assert!(hybrid_priority(&[], &[], &[], &weights).is_empty());
        let invalid = HybridWeights { model: f64::NAN, severity: 1.0, flag: 1.0 };
        close(&hybrid_priority(&[0.8], &[0.5], &[true], &invalid), &[0.75]);
    }

    #[test]
    fn the_priority_is_deterministic_and_in_the_unit_interval() {
        let n = 1_000;
        let model: Vec<f64> = (0..n).map(|i| f64::from((i * 7919) % 1009) / 1008.0).collect();
        let severity: Vec<f64> = (0..n).map(|i| f64::from((i * 104_729) % 11) / 10.0).collect();
        let flags: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        let weights = HybridWeights { model: 0.7, severity: 0.11, flag: 0.13 };
        let first = hybrid_priority(&model, &severity, &flags, &weights);
        let second = hybrid_priority(&model, &severity, &flags, &weights);
        assert_eq!(
            first.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            second.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        );
        assert!(first.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }

    #[test]
    fn the_claim_priority_uses_whatever_is_known() {
        let weights = HybridWeights::default();
        let severity = [0.5, 0.0];
        let flag = [true, false];
        let rules = Some((&severity[..], &flag[..]));
        // Probability + rules: the hybrid as it is.
        close(&claim_priority(Some((&[0.8, 0.2], ScoreKind::Probability)), rules, &weights), &[0.75, 0.1]);
        // Anomaly + rules: rescaled first (0.4 -> 1, 0.3 -> 0): 0.5 + 0.15 + 0.2.
        close(&claim_priority(Some((&[0.4, 0.3], ScoreKind::Anomaly)), rules, &weights), &[0.85, 0.0]);
        // A model alone: its raw scores, whatever their kind.
        assert_eq!(claim_priority(Some((&[0.4, 0.3], ScoreKind::Anomaly)), None, &weights), [0.4, 0.3]);
        // Rules alone: (0.3 * 0.5 + 0.2) / 0.5 = 0.7.
        close(&claim_priority(None, rules, &weights), &[0.7, 0.0]);
        let model_only = HybridWeights { model: 1.0, severity: 0.0, flag: 0.0 };
        close(&claim_priority(None, rules, &model_only), &[0.7, 0.0]);
        assert!(claim_priority(None, None, &weights).is_empty());
    }

    #[test]
    fn a_priority_reads_term_by_term() {
        let weights = HybridWeights { model: 5.0, severity: 3.0, flag: 2.0 };
        assert_eq!(
            describe_priority(0.75, 0.8, 0.5, true, &weights),
            "0.75 = 0.50 × model 0.80 + 0.30 × top severity 0.50 + 0.20 × rule flag 1"
        );
        assert!(describe_priority(0.1, f64::NAN, 0.0, false, &weights).contains("model 0.00"));
    }

    #[test]
    fn anomaly_scores_are_rescaled_to_the_unit_interval() {
        close(&rescaled_anomaly_scores(&[0.4, 0.6, 0.5]), &[0.0, 1.0, 0.5]);
        let with_nan = rescaled_anomaly_scores(&[0.4, f64::NAN, 0.8, f64::INFINITY]);
        assert_eq!(with_nan[0], 0.0);
        assert!(with_nan[1].is_nan());
        assert_eq!((with_nan[2], with_nan[3]), (1.0, 1.0), "infinity is clamped, not the maximum");
        assert_eq!(rescaled_anomaly_scores(&[0.7, 0.7]), [0.0, 0.0]);
        assert!(rescaled_anomaly_scores(&[]).is_empty());
    }

    #[test]
    fn training_rows_are_the_rule_clean_claims() {
        let rows = rule_clean_training_rows(&[false, true, false, true, false], 2);
        assert_eq!(rows, TrainingRows { rows: vec![0, 2, 4], fallback: None });
        let exact = rule_clean_training_rows(&[true, false], 1);
        assert_eq!(exact, TrainingRows { rows: vec![1], fallback: None });
        assert_eq!(rule_clean_training_rows(&[], 5), TrainingRows { rows: vec![], fallback: None });
    }

    #[test]
    fn too_few_clean_claims_fall_back_to_every_claim_with_a_sentence() {
        let rows = rule_clean_training_rows(&[true, true, false, true], 2);
        assert_eq!(rows.rows, [0, 1, 2, 3]);
        let sentence = rows.fallback.unwrap();
        assert!(sentence.starts_with("Only 1 of 4 claims trip no rule (at least 2 are needed)"), "{sentence}");
        assert!(sentence.ends_with('.'));
        // Zero clean claims with min_clean 0: at least one is always needed.
        let none = rule_clean_training_rows(&[true, true], 0);
        assert_eq!(none.rows, [0, 1]);
        assert!(none.fallback.unwrap().starts_with("Only 0 of 2 claims"));
    }

    #[test]
    fn minimum_clean_rows_from_a_share_and_degraded_contamination() {
        assert_eq!(min_clean_rows(1_000, 0.1), 100);
        assert_eq!(min_clean_rows(1_001, 0.1), 101, "rounded up");
        assert_eq!(min_clean_rows(1_000, 0.0), 1);
        assert_eq!(min_clean_rows(1_000, f64::NAN), 1);
        assert_eq!(min_clean_rows(10, 7.0), 10);
        assert_eq!(min_clean_rows(0, 0.5), 1);
        assert_eq!(degraded_contamination(0.03), 3.0 * 0.03);
        assert_eq!(degraded_contamination(0.4), 0.5);
        assert_eq!(degraded_contamination(f64::NAN), 0.0);
    }
}
