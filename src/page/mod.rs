//! The page as plain Rust: its forms and their validation, the long job's state machine,
//! sorting and filtering the scored claims, the rule editor, chart geometry and the
//! virtualized table's rows.
//!
//! Leptos components only wire signals to these functions, so everything here is tested
//! natively. The analysis the page shows (explanations, evaluation, queue, tiers, exports)
//! is in `analysis`, which the session and the CLI share.

pub mod charts;
mod model;
mod replies;
pub mod results;
pub mod rule_editor;
pub mod train_form;
mod views;

pub use model::{Effect, Event, GenerateField, GenerateForm, PageModel};
pub use replies::saved_message;
pub use views::{describe_results, known_labels, DataView, Ranking, RulesView, SampleShap, Screen};

use std::ops::Range;

use thiserror::Error;

use crate::protocol::JobId;

/// The fewest claims the page generates.
pub const MIN_GENERATED_ROWS: usize = crate::claims::synth::MIN_ROWS;
/// The most claims the page generates.
pub const MAX_GENERATED_ROWS: usize = crate::claims::synth::MAX_ROWS;
/// Claims generated when the page opens.
pub const DEFAULT_GENERATED_ROWS: usize = 1_000;
/// The seed used when the page opens.
pub const DEFAULT_SEED: u64 = 42;

/// A control's value that cannot be used, with a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// Not a whole number.
    #[error("{field}: '{text}' is not a whole number")]
    NotANumber {
        /// The control's label.
        field: &'static str,
        /// What was typed.
        text: String,
    },
    /// Outside the allowed range.
    #[error("{field}: {value} is outside {min}..={max}")]
    OutOfRange {
        /// The control's label.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The smallest allowed.
        min: u64,
        /// The largest allowed.
        max: u64,
    },
}

/// Parses the "claims to generate" field: a whole number in 10..=1,000,000, commas allowed.
pub fn parse_row_count(text: &str) -> Result<usize, InputError> {
    let value = parse_whole_number("Claims to generate", text)?;
    let (min, max) = (MIN_GENERATED_ROWS as u64, MAX_GENERATED_ROWS as u64);
    if !(min..=max).contains(&value) {
        return Err(InputError::OutOfRange { field: "Claims to generate", value, min, max });
    }
    Ok(value as usize)
}

/// Parses the generate form: rows, seed, and planted fraud in percent (0–50, decimals
/// allowed) into (rows, seed, fraud rate).
pub fn parse_generate_form(rows: &str, seed: &str, fraud_percent: &str) -> Result<(usize, u64, f64), InputError> {
    let n_rows = parse_row_count(rows)?;
    let seed = parse_seed(seed)?;
    let field = "Planted fraud (%)";
    let percent: f64 = fraud_percent
        .trim()
        .parse()
        .map_err(|_| InputError::NotANumber { field, text: fraud_percent.trim().to_owned() })?;
    if !(0.0..=50.0).contains(&percent) {
        return Err(InputError::OutOfRange { field, value: percent.max(0.0) as u64, min: 0, max: 50 });
    }
    Ok((n_rows, seed, percent / 100.0))
}

/// Parses the seed field: any whole number up to 2^53 (so JavaScript holds it exactly).
pub fn parse_seed(text: &str) -> Result<u64, InputError> {
    let value = parse_whole_number("Seed", text)?;
    let max = (1u64 << 53) - 1;
    if value > max {
        return Err(InputError::OutOfRange { field: "Seed", value, min: 0, max });
    }
    Ok(value)
}

pub(crate) fn parse_whole_number(field: &'static str, text: &str) -> Result<u64, InputError> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    cleaned.parse::<u64>().map_err(|_| InputError::NotANumber { field, text: text.trim().to_owned() })
}

/// What a long job is doing, for its progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Generating or reading claims.
    Load,
    /// Fitting models and scoring every claim.
    Train,
    /// Reading a model file and scoring every claim.
    LoadModel,
}

/// Where the long job (loading, training) stands; quick requests are not tracked here.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JobState {
    /// Nothing is running.
    #[default]
    Idle,
    /// A job is running in the worker.
    Running {
        /// Its number; replies with another number are stale and ignored.
        job_id: JobId,
        /// What it does.
        kind: JobKind,
        /// Units (trees) finished.
        done: usize,
        /// Units in all; 0 while the amount of work is unknown.
        total: usize,
        /// What is happening now.
        stage: String,
        /// When it started, in milliseconds of the page clock.
        started_at_ms: f64,
        /// The stages seen so far and when each began, for [`JobState::stage_times`].
        stages: Vec<(String, f64)>,
    },
}

impl JobState {
    /// Starts job `job_id` at `now_ms`, with the amount of work unknown.
    pub fn start(job_id: JobId, kind: JobKind, stage: &str, now_ms: f64) -> Self {
        JobState::Running {
            job_id,
            kind,
            done: 0,
            total: 0,
            stage: stage.to_owned(),
            started_at_ms: now_ms,
            stages: vec![(stage.to_owned(), now_ms)],
        }
    }

    /// The running job's number, if any.
    pub fn running_job(&self) -> Option<JobId> {
        match self {
            JobState::Running { job_id, .. } => Some(*job_id),
            JobState::Idle => None,
        }
    }

    /// The running job's kind, if any.
    pub fn running_kind(&self) -> Option<JobKind> {
        match self {
            JobState::Running { kind, .. } => Some(*kind),
            JobState::Idle => None,
        }
    }

    /// Records progress at `now_ms` if it belongs to the running job; returns whether it did.
    pub fn record_progress(
        &mut self,
        reply_job_id: JobId,
        units_done: usize,
        units_total: usize,
        now_stage: &str,
        now_ms: f64,
    ) -> bool {
        match self {
            JobState::Running { job_id, done, total, stage, stages, .. } if *job_id == reply_job_id => {
                *done = units_done;
                *total = units_total;
                if stage != now_stage {
                    now_stage.clone_into(stage);
                    stages.push((now_stage.to_owned(), now_ms));
                }
                true
            }
            _ => false,
        }
    }

    /// Percent done, 0–100, while running with a known amount of work.
    pub fn percent(&self) -> Option<u32> {
        match self {
            JobState::Running { done, total, .. } if *total > 0 => Some(((done.min(total) * 100) / total) as u32),
            _ => None,
        }
    }

    /// How long each stage of the running job took, if it finished at `now_ms`: "Fitting
    /// the random forest 1.9 s · Scoring every claim 0.2 s". Stages that took under 50 ms
    /// are left out; `None` when idle or when only one stage ran.
    pub fn stage_times(&self, now_ms: f64) -> Option<String> {
        let JobState::Running { stages, .. } = self else { return None };
        let ends = stages.iter().skip(1).map(|&(_, start)| start).chain(std::iter::once(now_ms));
        let parts: Vec<String> = stages
            .iter()
            .zip(ends)
            .map(|((stage, start), end)| (stage, (end - start) / 1000.0))
            .filter(|&(_, seconds)| seconds >= 0.05)
            .map(|(stage, seconds)| format!("{stage} {seconds:.2} s"))
            .collect();
        (stages.len() > 1 && !parts.is_empty()).then(|| parts.join(" · "))
    }

    /// "Fitting the random forest · 37% · 1.2 s", or "Reading claims · 0.4 s". The share is
    /// of the whole job: a run of both forests counts the trees of both, so a tree count
    /// beside one forest's stage would read "98 of 200" for a forest of 100.
    pub fn describe(&self, now_ms: f64) -> Option<String> {
        let JobState::Running { stage, started_at_ms, .. } = self else { return None };
        let seconds = ((now_ms - started_at_ms).max(0.0)) / 1000.0;
        Some(match self.percent() {
            Some(percent) => format!("{stage} · {percent}% · {seconds:.1} s"),
            None => format!("{stage} · {seconds:.1} s"),
        })
    }
}

/// The confusion matrix's words for a model whose positive prediction reads `positive_word`:
/// what it predicts ("denied", "flagged") and what the label says of a claim ("denied";
/// "anomalous" for an anomaly detector, whose flag is no label).
pub fn confusion_words(positive_word: &str) -> (String, String) {
    let predicted = positive_word.to_ascii_lowercase();
    let actual = if predicted == "flagged" { "anomalous".to_owned() } else { predicted.clone() };
    (predicted, actual)
}

/// Formats a metric in [0, 1] with three decimals, as "0.965".
pub fn format_metric(value: f64) -> String {
    format!("{value:.3}")
}

/// The geometry of a virtualized list of equally tall rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VirtualRows {
    /// Height of one row in CSS pixels.
    pub row_height: f64,
    /// Height of the scrolling viewport in CSS pixels.
    pub viewport_height: f64,
    /// Rows rendered beyond each edge of the viewport, to hide blank flashes.
    pub overscan: usize,
}

impl VirtualRows {
    /// The rows to render when scrolled to `scroll_top` in a list of `n_rows`.
    pub fn visible(&self, scroll_top: f64, n_rows: usize) -> Range<usize> {
        if n_rows == 0 || self.row_height <= 0.0 {
            return 0..0;
        }
        let first = (scroll_top.max(0.0) / self.row_height).floor() as usize;
        let n_visible = (self.viewport_height / self.row_height).ceil() as usize + 1;
        let start = first.saturating_sub(self.overscan).min(n_rows);
        let end = (first + n_visible + self.overscan).min(n_rows);
        start..end
    }

    /// The full height of `n_rows` rows, for the scroll spacer.
    pub fn total_height(&self, n_rows: usize) -> f64 {
        n_rows as f64 * self.row_height
    }

    /// The vertical offset of row `row_idx`.
    pub fn offset_of(&self, row_idx: usize) -> f64 {
        row_idx as f64 * self.row_height
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_counts_are_validated_with_sentences() {
        assert_eq!(parse_row_count(" 1,000 "), Ok(1000));
        assert_eq!(parse_row_count("1000000"), Ok(1_000_000));
        let err = parse_row_count("5").unwrap_err();
        assert_eq!(err.to_string(), "Claims to generate: 5 is outside 100..=1000000");
        assert_eq!(parse_generate_form("1,000", "7", "2.5"), Ok((1000, 7, 0.025)));
        assert!(parse_generate_form("1000", "7", "60").is_err());
        assert!(parse_generate_form("1000", "7", "lots").is_err());
        assert!(matches!(parse_row_count("ten"), Err(InputError::NotANumber { .. })));
        assert!(matches!(parse_row_count("-3"), Err(InputError::NotANumber { .. })));
        assert!(matches!(parse_row_count("2000001"), Err(InputError::OutOfRange { .. })));
        assert_eq!(parse_seed("0"), Ok(0));
        assert!(parse_seed("9007199254740992").is_err());
    }

    #[test]
    fn job_state_ignores_stale_progress() {
        let mut job = JobState::start(2, JobKind::Train, "Starting", 1000.0);
        assert_eq!(job.percent(), None, "unknown amount of work");
        assert_eq!(job.describe(1400.0).unwrap(), "Starting · 0.4 s");
        assert!(!job.record_progress(1, 50, 100, "Fitting", 1100.0));
        assert!(job.record_progress(2, 37, 100, "Fitting", 1200.0));
        assert_eq!(job.percent(), Some(37));
        assert_eq!(job.describe(2234.0).unwrap(), "Fitting · 37% · 1.2 s");
        // Both forests: the isolation stage's count starts after the random forest's trees,
        // so the label gives the job's share, not "120 of 200 trees" for a forest of 100.
        let mut both = JobState::start(3, JobKind::Train, "Preparing", 0.0);
        both.record_progress(3, 120, 200, "Fitting the isolation forest", 10.0);
        assert_eq!(both.describe(1000.0).unwrap(), "Fitting the isolation forest · 60% · 1.0 s");
        assert!(job.record_progress(2, 140, 100, "Fitting", 1300.0));
        assert_eq!(job.percent(), Some(100), "clamped");
        assert_eq!(JobState::Idle.percent(), None);
        assert!(!JobState::Idle.clone().record_progress(2, 1, 1, "", 0.0));
        assert_eq!(job.running_kind(), Some(JobKind::Train));
        assert!(job.record_progress(2, 100, 100, "Scoring every claim", 3200.0));
        assert!(job.record_progress(2, 100, 100, "Scoring every claim", 3210.0), "same stage, no new entry");
        assert_eq!(
            job.stage_times(3230.0).unwrap(),
            "Starting 0.20 s · Fitting 2.00 s",
            "the 30 ms scoring stage is left out"
        );
        assert_eq!(JobState::start(3, JobKind::Load, "Reading", 0.0).stage_times(900.0), None);
        assert_eq!(JobState::Idle.stage_times(1.0), None);
    }

    #[test]
    fn virtual_rows_cover_the_viewport_and_clamp() {
        let rows = VirtualRows { row_height: 30.0, viewport_height: 300.0, overscan: 5 };
        assert_eq!(rows.visible(0.0, 1000), 0..16);
        assert_eq!(rows.visible(3000.0, 1000), 95..116);
        assert_eq!(rows.visible(29_990.0, 1000), 994..1000);
        assert_eq!(rows.visible(0.0, 3), 0..3);
        assert_eq!(rows.visible(0.0, 0), 0..0);
        assert_eq!(rows.total_height(1000), 30_000.0);
    }

    #[test]
    fn an_anomaly_detector_flags_what_is_actually_anomalous() {
        assert_eq!(confusion_words("Flagged"), ("flagged".to_owned(), "anomalous".to_owned()));
        assert_eq!(confusion_words("Denied"), ("denied".to_owned(), "denied".to_owned()));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_metric(0.96543), "0.965");
    }
}
