//! Seeded synthetic claims generators (denial, medical, pharmacy); each writes its own ground truth.
//!
//! [`generate`] is the single entry point: it validates [`SynthOptions`] once and then
//! dispatches on [`Scenario`]. The same options always give the same table, natively and
//! in wasm, because every random draw comes from `SeededRng`.

pub mod denial;
pub mod medical;
pub mod pharmacy;
mod sampling;
#[cfg(test)]
mod test_support;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::claims::schema::{denial as denial_names, names};
use crate::claims::table::{ClaimsTable, TableError};

pub use denial::generate_denial;
pub use medical::generate_medical;
pub use pharmacy::generate_pharmacy;

/// The fewest rows a generator accepts.
pub const MIN_ROWS: usize = 100;
/// The most rows a generator accepts.
pub const MAX_ROWS: usize = 1_000_000;
/// The highest share of anomalous rows a generator accepts.
pub const MAX_FRAUD_RATE: f64 = 0.5;
/// The default number of rows.
pub const DEFAULT_ROWS: usize = 1_000;
/// The default seed.
pub const DEFAULT_SEED: u64 = 42;
/// The default share of rows labelled anomalous.
pub const DEFAULT_FRAUD_RATE: f64 = 0.05;

/// What to generate: how many rows, from which seed, with how much planted fraud.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Exact number of rows in the table ([`MIN_ROWS`]..=[`MAX_ROWS`]).
    pub n_rows: usize,
    /// The seed; the same seed gives the same table.
    pub seed: u64,
    /// Share of rows labelled anomalous (0..=[`MAX_FRAUD_RATE`]); the denial scenario ignores it.
    pub fraud_rate: f64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self { n_rows: DEFAULT_ROWS, seed: DEFAULT_SEED, fraud_rate: DEFAULT_FRAUD_RATE }
    }
}

impl SynthOptions {
    /// Checks the row count and the fraud rate; generators call this before any work.
    pub fn validate(&self) -> Result<(), SynthError> {
        self.validate_rows()?;
        if !(0.0..=MAX_FRAUD_RATE).contains(&self.fraud_rate) {
            return Err(SynthError::FraudRateOutOfRange { rate: self.fraud_rate });
        }
        Ok(())
    }

    /// Checks the row count only (the denial scenario has no fraud rate).
    pub fn validate_rows(&self) -> Result<(), SynthError> {
        if !(MIN_ROWS..=MAX_ROWS).contains(&self.n_rows) {
            return Err(SynthError::RowsOutOfRange { n_rows: self.n_rows, min: MIN_ROWS, max: MAX_ROWS });
        }
        Ok(())
    }

    /// The number of rows to label anomalous: `n_rows * fraud_rate`, rounded.
    pub fn anomalous_rows(&self) -> usize {
        let share = self.fraud_rate.clamp(0.0, MAX_FRAUD_RATE);
        ((self.n_rows as f64) * share).round() as usize
    }
}

/// Why a table could not be generated.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SynthError {
    /// The requested row count is outside the accepted range.
    #[error("The row count {n_rows} is out of range; choose between {min} and {max} rows.")]
    RowsOutOfRange {
        /// The requested row count.
        n_rows: usize,
        /// The fewest rows accepted.
        min: usize,
        /// The most rows accepted.
        max: usize,
    },
    /// The requested fraud rate is not a share between 0 and [`MAX_FRAUD_RATE`].
    #[error("The fraud rate {rate} is out of range; choose a share between 0 and 0.5.")]
    FraudRateOutOfRange {
        /// The requested rate.
        rate: f64,
    },
    /// The generated columns did not form a table (a bug in a generator).
    #[error("The generated table could not be built: {0}.")]
    Table(#[from] TableError),
}

/// A synthetic data set the app and the command line can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// The five-column denial teaching scenario (label `is_denied`).
    Denial,
    /// Medical claim lines with planted fraud, waste and abuse (label `is_anomaly`).
    Medical,
    /// Copay-card pharmacy transactions with planted schemes (label `is_anomaly`).
    Pharmacy,
}

impl Scenario {
    /// Every scenario, in menu order.
    pub const ALL: [Scenario; 3] = [Scenario::Denial, Scenario::Medical, Scenario::Pharmacy];

    /// The scenario's name, as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Denial => "denial",
            Scenario::Medical => "medical",
            Scenario::Pharmacy => "pharmacy",
        }
    }

    /// The column that holds the scenario's ground truth (1 = positive).
    pub fn label_column(self) -> &'static str {
        match self {
            Scenario::Denial => denial_names::IS_DENIED,
            Scenario::Medical | Scenario::Pharmacy => names::IS_ANOMALY,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scenario name that is not one of [`Scenario::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("There is no scenario called '{name}'; choose one of: {}.", scenario_names())]
pub struct UnknownScenario {
    /// The name that was given.
    pub name: String,
}

fn scenario_names() -> String {
    Scenario::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
}

impl FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        Scenario::ALL
            .into_iter()
            .find(|scenario| scenario.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownScenario { name: text.to_owned() })
    }
}

/// Validates `options` and generates the `scenario`'s table.
pub fn generate(scenario: Scenario, options: &SynthOptions) -> Result<ClaimsTable, SynthError> {
    match scenario {
        Scenario::Denial => {
            options.validate_rows()?;
            Ok(generate_denial(options.n_rows, options.seed)?)
        }
        Scenario::Medical => generate_medical(options),
        Scenario::Pharmacy => generate_pharmacy(options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_validated_before_any_work() {
        let small = SynthOptions { n_rows: 99, ..SynthOptions::default() };
        let err = generate(Scenario::Medical, &small).unwrap_err();
        assert_eq!(err, SynthError::RowsOutOfRange { n_rows: 99, min: 100, max: 1_000_000 });
        assert!(err.to_string().ends_with('.'));
        let large = SynthOptions { n_rows: 1_000_001, ..SynthOptions::default() };
        assert!(matches!(generate(Scenario::Pharmacy, &large), Err(SynthError::RowsOutOfRange { .. })));
        assert!(matches!(generate(Scenario::Denial, &large), Err(SynthError::RowsOutOfRange { .. })));
        for rate in [-0.01, 0.51, f64::NAN, f64::INFINITY] {
            let bad = SynthOptions { fraud_rate: rate, ..SynthOptions::default() };
            assert!(matches!(generate(Scenario::Medical, &bad), Err(SynthError::FraudRateOutOfRange { .. })));
            assert!(matches!(generate(Scenario::Pharmacy, &bad), Err(SynthError::FraudRateOutOfRange { .. })));
            assert_eq!(generate(Scenario::Denial, &bad).unwrap().n_rows(), 1_000, "denial ignores the rate");
        }
    }

    #[test]
    fn every_scenario_generates_its_label_and_extremes_work() {
        for scenario in Scenario::ALL {
            for fraud_rate in [0.0, 0.5] {
                let options = SynthOptions { n_rows: 100, seed: 3, fraud_rate };
                let table = generate(scenario, &options).unwrap();
                assert_eq!(table.n_rows(), 100, "{scenario} at {fraud_rate}");
                assert!(table.column(scenario.label_column()).is_some());
            }
        }
    }

    #[test]
    fn scenarios_parse_by_name_and_errors_list_the_names() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.name().parse::<Scenario>().unwrap(), scenario);
        }
        assert_eq!(" Medical ".parse::<Scenario>().unwrap(), Scenario::Medical);
        let err = "dental".parse::<Scenario>().unwrap_err();
        assert_eq!(err.to_string(), "There is no scenario called 'dental'; choose one of: denial, medical, pharmacy.");
        assert_eq!(Scenario::Denial.label_column(), "is_denied");
        assert_eq!(Scenario::Pharmacy.label_column(), "is_anomaly");
    }
}
