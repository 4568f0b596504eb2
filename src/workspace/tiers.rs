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
        todo!()
    }
}

impl TierCuts {
    /// Checks 0 <= medium <= high <= critical <= 1 (all finite), with a sentence otherwise.
    pub fn validate(&self) -> Result<(), String> {
        todo!()
    }

    /// The tier of `score` (NaN is Low).
    pub fn tier(&self, score: f64) -> RiskTier {
        todo!()
    }
}

impl RiskTier {
    /// All tiers, lowest first.
    pub const ALL: [RiskTier; 4] = [RiskTier::Low, RiskTier::Medium, RiskTier::High, RiskTier::Critical];

    /// "Low", "Medium", "High" or "Critical".
    pub fn label(self) -> &'static str {
        todo!()
    }

    /// "low", "medium", "high" or "critical" (CSS classes and CSV cells).
    pub fn slug(self) -> &'static str {
        todo!()
    }
}
