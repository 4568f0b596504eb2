//! Risk tiers: cut points that turn a priority score in [0, 1] into Low, Medium, High or Critical.

use serde::{Deserialize, Serialize};

/// A claim's risk tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RiskTier {
    /// Below the medium cut.
    Low,
    /// From the medium cut to below the high cut.
    Medium,
    /// From the high cut to below the critical cut.
    High,
    /// At or above the critical cut.
    Critical,
}

/// The cut points between tiers; defaults 0.3, 0.6 and 0.8 (the copay-card fraud system's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierCuts {
    /// Scores at or above this are at least Medium.
    pub medium: f64,
    /// Scores at or above this are at least High.
    pub high: f64,
    /// Scores at or above this are Critical.
    pub critical: f64,
}

impl Default for TierCuts {
    fn default() -> Self {
        Self { medium: 0.3, high: 0.6, critical: 0.8 }
    }
}

impl TierCuts {
    /// Checks 0 <= medium <= high <= critical <= 1 (all finite), with a sentence otherwise.
    pub fn validate(&self) -> Result<(), String> {
        let cuts = [("medium", self.medium), ("high", self.high), ("critical", self.critical)];
        if let Some((name, value)) = cuts.iter().find(|(_, value)| !(0.0..=1.0).contains(value)) {
            return Err(format!("the {name} cut must be a number from 0 to 1, got {value}"));
        }
        if self.medium > self.high {
            return Err(format!("the medium cut ({}) must not be above the high cut ({})", self.medium, self.high));
        }
        if self.high > self.critical {
            return Err(format!("the high cut ({}) must not be above the critical cut ({})", self.high, self.critical));
        }
        Ok(())
    }

    /// The tier of `score` (NaN is Low).
    pub fn tier(&self, score: f64) -> RiskTier {
        // Comparisons with NaN are false, so a NaN score falls through to Low.
        if score >= self.critical {
            RiskTier::Critical
        } else if score >= self.high {
            RiskTier::High
        } else if score >= self.medium {
            RiskTier::Medium
        } else {
            RiskTier::Low
        }
    }
}

impl RiskTier {
    /// All tiers, lowest first.
    pub const ALL: [RiskTier; 4] = [RiskTier::Low, RiskTier::Medium, RiskTier::High, RiskTier::Critical];

    /// "Low", "Medium", "High" or "Critical".
    pub fn label(self) -> &'static str {
        match self {
            RiskTier::Low => "Low",
            RiskTier::Medium => "Medium",
            RiskTier::High => "High",
            RiskTier::Critical => "Critical",
        }
    }

    /// "low", "medium", "high" or "critical" (CSS classes and CSV cells).
    pub fn slug(self) -> &'static str {
        match self {
            RiskTier::Low => "low",
            RiskTier::Medium => "medium",
            RiskTier::High => "high",
            RiskTier::Critical => "critical",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cuts_are_the_copay_systems() {
        let cuts = TierCuts::default();
        assert_eq!((cuts.medium, cuts.high, cuts.critical), (0.3, 0.6, 0.8));
        assert_eq!(cuts.validate(), Ok(()));
    }

    #[test]
    fn each_cut_is_the_lowest_score_of_its_tier() {
        let cuts = TierCuts::default();
        assert_eq!(cuts.tier(0.0), RiskTier::Low);
        assert_eq!(cuts.tier(0.299), RiskTier::Low);
        assert_eq!(cuts.tier(0.3), RiskTier::Medium);
        assert_eq!(cuts.tier(0.599), RiskTier::Medium);
        assert_eq!(cuts.tier(0.6), RiskTier::High);
        assert_eq!(cuts.tier(0.8), RiskTier::Critical);
        assert_eq!(cuts.tier(1.0), RiskTier::Critical);
        assert_eq!(cuts.tier(f64::NAN), RiskTier::Low);
        assert_eq!(cuts.tier(f64::NEG_INFINITY), RiskTier::Low);
        assert_eq!(cuts.tier(f64::INFINITY), RiskTier::Critical);
    }

    #[test]
    fn equal_cuts_skip_the_empty_tiers() {
        let cuts = TierCuts { medium: 0.5, high: 0.5, critical: 0.5 };
        assert_eq!(cuts.validate(), Ok(()));
        assert_eq!(cuts.tier(0.49), RiskTier::Low);
        assert_eq!(cuts.tier(0.5), RiskTier::Critical);
    }

    #[test]
    fn invalid_cuts_are_refused_with_sentences() {
        let unordered = TierCuts { medium: 0.7, high: 0.6, critical: 0.8 };
        assert_eq!(unordered.validate().unwrap_err(), "the medium cut (0.7) must not be above the high cut (0.6)");
        let unordered = TierCuts { medium: 0.1, high: 0.9, critical: 0.8 };
        assert!(unordered.validate().unwrap_err().contains("critical cut (0.8)"));
        let nan = TierCuts { medium: f64::NAN, ..TierCuts::default() };
        assert_eq!(nan.validate().unwrap_err(), "the medium cut must be a number from 0 to 1, got NaN");
        let above_one = TierCuts { critical: 1.5, ..TierCuts::default() };
        assert!(above_one.validate().is_err());
        let negative = TierCuts { medium: -0.1, ..TierCuts::default() };
        assert!(negative.validate().is_err());
    }

    #[test]
    fn labels_and_slugs() {
        let labels: Vec<&str> = RiskTier::ALL.iter().map(|t| t.label()).collect();
        assert_eq!(labels, ["Low", "Medium", "High", "Critical"]);
        let slugs: Vec<&str> = RiskTier::ALL.iter().map(|t| t.slug()).collect();
        assert_eq!(slugs, ["low", "medium", "high", "critical"]);
        assert!(RiskTier::Low < RiskTier::Critical);
    }
}
