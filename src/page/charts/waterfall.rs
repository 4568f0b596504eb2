//! The waterfall's bars, the matching of steps to feature contributions, and its summary.

use std::fmt::Write as _;

use super::format::{format_number, format_signed};
use crate::analysis::explain::{FeatureContribution, WaterfallStep};

/// Whether a waterfall step raises or lowers the running total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The total goes up.
    Increase,
    /// The total goes down.
    Decrease,
    /// No change (or unusable numbers).
    Flat,
}

impl Direction {
    /// The CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Flat => "flat",
        }
    }
}

/// One waterfall bar in data units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterfallBar {
    /// The running total before the step.
    pub start: f64,
    /// The running total after it.
    pub end: f64,
    /// The left edge, `min(start, end)`.
    pub low: f64,
    /// The right edge, `max(start, end)`.
    pub high: f64,
    /// Up, down or flat.
    pub direction: Direction,
}

/// One bar per step, in the same order. A step with a non-finite end is a flat bar at its
/// other end (or at 0).
pub fn waterfall_bars(steps: &[WaterfallStep]) -> Vec<WaterfallBar> {
    steps
        .iter()
        .map(|step| {
            let (start, end) = match (step.start.is_finite(), step.end.is_finite()) {
                (true, true) => (step.start, step.end),
                (true, false) => (step.start, step.start),
                (false, true) => (step.end, step.end),
                (false, false) => (0.0, 0.0),
            };
            let direction = if end > start {
                Direction::Increase
            } else if end < start {
                Direction::Decrease
            } else {
                Direction::Flat
            };
            WaterfallBar { start, end, low: start.min(end), high: start.max(end), direction }
        })
        .collect()
}

/// What a waterfall step stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A single feature: the index into the contributions.
    Feature(usize),
    /// The grouped "N other features".
    Rest,
    /// Anything else (e.g. a base-value step).
    Other,
}

/// Matches each step to its contribution: first by its label "feature = value", then (for a
/// label that is only the feature name, or anything else) by a change equal to an unused
/// contribution's SHAP value. A label ending in "other features" is the grouped rest. Each
/// contribution matches at most one step.
pub fn classify_steps(steps: &[WaterfallStep], contributions: &[FeatureContribution]) -> Vec<StepKind> {
    let mut used = vec![false; contributions.len()];
    steps
        .iter()
        .map(|step| {
            let label = step.label.trim();
            let by_label = (0..contributions.len()).find(|&idx| {
                let c = &contributions[idx];
                !used[idx] && (label == format!("{} = {}", c.feature, c.value) || label == c.feature)
            });
            if let Some(idx) = by_label {
                used[idx] = true;
                return StepKind::Feature(idx);
            }
            if label.ends_with("other features") || label.ends_with("other feature") {
                return StepKind::Rest;
            }
            let delta = step.end - step.start;
            let by_delta = (0..contributions.len()).find(|&idx| {
                let shap = contributions[idx].shap;
                !used[idx] && shap != 0.0 && (shap - delta).abs() <= 1e-9 * shap.abs().max(1.0)
            });
            match by_delta {
                Some(idx) => {
                    used[idx] = true;
                    StepKind::Feature(idx)
                }
                None => StepKind::Other,
            }
        })
        .collect()
}

/// A sentence for the waterfall's `aria-label`: its steps, base and explained value, and the
/// step that moves the total most, as "Largest: has_pre_auth = 0 (+0.412).".
pub fn describe_waterfall(steps: &[WaterfallStep], base_value: f64, explained_value: f64, output: &str) -> String {
    let mut text = format!(
        "Waterfall of {} steps from the base value {} to {output} {}.",
        steps.len(),
        format_number(base_value),
        format_number(explained_value)
    );
    let largest = steps
        .iter()
        .filter(|s| (s.end - s.start).is_finite())
        .max_by(|a, b| (a.end - a.start).abs().total_cmp(&(b.end - b.start).abs()));
    if let Some(step) = largest {
        let _ = write!(text, " Largest: {} ({}).", step.label, format_signed(step.end - step.start));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(label: &str, start: f64, end: f64) -> WaterfallStep {
        WaterfallStep { label: label.to_owned(), start, end }
    }

    fn contribution(feature: &str, value: &str, shap: f64) -> FeatureContribution {
        FeatureContribution { feature: feature.to_owned(), value: value.to_owned(), shap }
    }

    #[test]
    fn waterfall_bars_follow_the_steps() {
        let steps =
            [step("a = 1", 0.3, 0.7), step("b = x", 0.7, 0.6), step("c = 2", 0.6, 0.6), step("bad", f64::NAN, 0.2)];
        let bars = waterfall_bars(&steps);
        assert_eq!(bars.iter().map(|b| b.direction).collect::<Vec<_>>(), {
            use Direction::*;
            vec![Increase, Decrease, Flat, Flat]
        });
        assert_eq!((bars[0].low, bars[0].high), (0.3, 0.7));
        assert_eq!((bars[1].low, bars[1].high, bars[1].start, bars[1].end), (0.6, 0.7, 0.7, 0.6));
        assert_eq!((bars[3].low, bars[3].high), (0.2, 0.2));
        assert_eq!(Direction::Decrease.as_str(), "decrease");
        assert!(waterfall_bars(&[]).is_empty());
    }

    #[test]
    fn steps_match_their_contributions() {
        let contributions = [
            contribution("has_pre_auth", "0", 0.412),
            contribution("service", "Knee Surgery", 0.1),
            contribution("age", "67", -0.05),
            contribution("amount", "1,200", 0.01),
            contribution("units", "2", 0.002),
        ];
        let steps = [
            step("service = Knee Surgery", 0.41, 0.51),
            step("has_pre_auth = 0", 0.51, 0.922),
            step("age", 0.922, 0.872),
            step("relabelled", 0.872, 0.882),
            step("1 other feature", 0.882, 0.884),
            step("base value", 0.3, 0.3),
        ];
        use StepKind::*;
        assert_eq!(
            classify_steps(&steps, &contributions),
            vec![Feature(1), Feature(0), Feature(2), Feature(3), Rest, Other]
        );
        // A contribution is used once: a second step with the same label finds nothing left.
        let twice = [step("age = 67", 0.0, -0.05), step("age = 67", -0.05, -0.1)];
        assert_eq!(classify_steps(&twice, &contributions), vec![Feature(2), Other]);
        assert_eq!(classify_steps(&steps, &[]), vec![Other, Other, Other, Other, Rest, Other]);
    }

    #[test]
    fn waterfall_descriptions_name_the_largest_step() {
        let steps = [step("a = 1", 0.3, 0.4), step("b = 2", 0.4, 0.1), step("3 other features", 0.1, 0.15)];
        assert_eq!(
            describe_waterfall(&steps, 0.3, 0.15, "probability of denial"),
            "Waterfall of 3 steps from the base value 0.300 to probability of denial 0.150. Largest: b = 2 (-0.300)."
        );
        assert_eq!(
            describe_waterfall(&[], 0.3, 0.3, "path length"),
            "Waterfall of 0 steps from the base value 0.300 to path length 0.300."
        );
    }
}
