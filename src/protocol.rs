//! Messages between the page and the Web Worker: plain serde types, testable natively.
//!
//! The worker owns the session (the claims, their derived features and the fitted models);
//! the page holds a copy of the raw claims for its table and asks the worker for everything
//! heavy: loading, training, explaining, what-if and downloads. Large byte payloads travel
//! as `Uint8Array`s; an uploaded file travels as the browser's `File` beside the message and
//! is read inside the worker, so its bytes never cross the main thread.

use serde::{Deserialize, Serialize};

use crate::analysis::evaluation::Evaluation;
use crate::analysis::explain::ClaimExplanation;
use crate::analysis::export::ExportOptions;
use crate::analysis::hybrid::{HybridWeights, ScoreKind};
use crate::analysis::queue::QueueSettings;
use crate::analysis::tiers::TierCuts;
use crate::analysis::whatif::WhatIfField;
use crate::claims::features::FeaturePlan;
use crate::claims::ingest::SchemaReport;
use crate::claims::rules::{RuleHits, RuleOutcome, RulePack, SkippedRule};
use crate::claims::synth::{Scenario, SynthOptions};
use crate::ml::{ForestParams, IsolationForestParams};

/// A job number chosen by the page; replies carry it so stale replies can be ignored.
pub type JobId = u64;

/// A message and the job it belongs to: every request carries the page's job number, and
/// every reply (and progress report) the number of the request it answers; 0 for none
/// (`Ready`, or a request the worker could not read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The job number.
    pub job_id: JobId,
    /// The message.
    pub body: T,
}

impl<T> Envelope<T> {
    /// `body` for job `job_id`.
    pub fn new(job_id: JobId, body: T) -> Self {
        Envelope { job_id, body }
    }
}

/// Which fitted model a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSlot {
    /// The supervised random forest.
    Forest,
    /// The unsupervised isolation forest.
    Isolation,
}

impl ModelSlot {
    /// What its scores are: the one place a slot's score kind is decided.
    pub fn score_kind(self) -> ScoreKind {
        match self {
            ModelSlot::Forest => ScoreKind::Probability,
            ModelSlot::Isolation => ScoreKind::Anomaly,
        }
    }

    /// "random forest" or "isolation forest".
    pub fn name(self) -> &'static str {
        match self {
            ModelSlot::Forest => "random forest",
            ModelSlot::Isolation => "isolation forest",
        }
    }
}

/// Where a model came from: fitted in this session, or read from a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelOrigin {
    /// Fitted in this session.
    TrainedNow,
    /// Read from the model file of this name.
    File(String),
}

impl ModelOrigin {
    /// Whether the model was fitted in this session.
    pub fn is_trained_now(&self) -> bool {
        matches!(self, ModelOrigin::TrainedNow)
    }
}

impl std::fmt::Display for ModelOrigin {
    /// "trained now", or the file's name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelOrigin::TrainedNow => f.write_str("trained now"),
            ModelOrigin::File(name) => f.write_str(name),
        }
    }
}

/// Which algorithms a training run fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlgorithmChoice {
    /// A random forest on the label.
    RandomForest,
    /// An isolation forest, no label needed.
    IsolationForest,
    /// Both, on the same features.
    Both,
}

impl AlgorithmChoice {
    /// Whether a random forest is fitted.
    pub fn fits_forest(self) -> bool {
        matches!(self, AlgorithmChoice::RandomForest | AlgorithmChoice::Both)
    }

    /// Whether an isolation forest is fitted.
    pub fn fits_isolation(self) -> bool {
        matches!(self, AlgorithmChoice::IsolationForest | AlgorithmChoice::Both)
    }
}

/// What a training run fits, on which columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    /// Which algorithms.
    pub algorithm: AlgorithmChoice,
    /// The label column (needed by the random forest; optional for an isolation forest,
    /// where it only feeds the evaluation).
    pub label_column: Option<String>,
    /// The positive class of a text label; `None` accepts 1/yes/true/Y and the like.
    pub positive_label: Option<String>,
    /// The columns the models read, in order (raw columns and derived features).
    pub feature_columns: Vec<String>,
    /// Random forest parameters, including its seed.
    pub forest: ForestParams,
    /// Isolation forest parameters, including its seed.
    pub isolation: IsolationForestParams,
    /// Share of claims held out to evaluate the random forest.
    pub test_fraction: f64,
    /// Seed of the train/test split.
    pub split_seed: u64,
    /// The isolation forest learns "normal" from the claims that trip no rule of the
    /// session's pack (falling back to every claim when too few are clean).
    #[serde(default = "learn_from_rule_clean_claims")]
    pub isolation_on_rule_clean: bool,
}

impl RunRequest {
    /// Trees the run grows, over both forests: the progress bar's total.
    pub fn n_trees_total(&self) -> usize {
        let forest = if self.algorithm.fits_forest() { self.forest.n_trees } else { 0 };
        let isolation = if self.algorithm.fits_isolation() { self.isolation.n_trees } else { 0 };
        forest + isolation
    }
}

fn learn_from_rule_clean_claims() -> bool {
    true
}

/// How the page ranks claims: which model, blended with the rules or not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriorityChoice {
    /// The model whose score enters the priority.
    pub rank_by: ModelSlot,
    /// Whether the rules' severity and flag enter it (the hybrid priority).
    pub use_rules: bool,
    /// The hybrid's weights.
    pub weights: HybridWeights,
}

/// The session's rule pack and what it hit, as the page receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesData {
    /// The pack.
    pub pack: RulePack,
    /// Where it came from ("built-in medical pack", a file name, "edited").
    pub origin: String,
    /// Claims evaluated.
    pub n_rows: usize,
    /// The evaluated rules and their hits (row sets travel as bytes).
    pub rules: Vec<RuleHits>,
    /// The rules not evaluated, and why.
    pub skipped: Vec<SkippedRule>,
}

impl RulesData {
    /// The pack, its origin and the outcome as the engine produced it (per-claim severity
    /// and flag rebuilt from the hits, so they need not cross the worker boundary).
    pub fn into_parts(self) -> (RulePack, String, RuleOutcome) {
        let outcome = RuleOutcome::from_hits(self.n_rows, self.rules, self.skipped);
        (self.pack, self.origin, outcome)
    }

    /// The data for `outcome` of `pack`.
    pub fn new(pack: RulePack, origin: String, outcome: &RuleOutcome) -> Self {
        Self { pack, origin, n_rows: outcome.n_rows, rules: outcome.rules.clone(), skipped: outcome.skipped.clone() }
    }
}

/// A download the worker prepares (externally tagged, as [`ToWorker`] is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportRequest {
    /// Every claim with its scores, rule hits, priority, tier and prediction.
    ScoredClaims {
        /// How the priority is made.
        priority: PriorityChoice,
        /// Tier cut points.
        cuts: TierCuts,
    },
    /// The review queue, in queue order.
    ReviewQueue {
        /// How the priority is made.
        priority: PriorityChoice,
        /// Tier cut points.
        cuts: TierCuts,
        /// Capacity and threshold.
        settings: QueueSettings,
    },
    /// Metrics and evaluation of every fitted model, as JSON.
    Metrics,
    /// The schema report of the loaded file, as JSON.
    SchemaReport,
    /// A model file.
    Model {
        /// Which model.
        slot: ModelSlot,
    },
    /// A model's trees in the shap tree JSON format.
    ShapTrees {
        /// Which model.
        slot: ModelSlot,
    },
    /// The session's rule pack, as a `claimforest-rules` JSON file.
    RulePack,
    /// Every claim of the review queue with its exact SHAP values under one model, in
    /// queue order.
    QueueExplanations {
        /// Which model explains.
        slot: ModelSlot,
        /// How the priority is made.
        priority: PriorityChoice,
        /// Capacity and threshold.
        settings: QueueSettings,
    },
}

/// What the page asks the worker to do.
///
/// Messages are externally tagged (`{"train": {...}}`): an internally tagged enum is read
/// by buffering the whole message first, which for a million scores doubled the page's
/// decoding work and its code size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToWorker {
    /// Generate synthetic claims and make them the session's data.
    Generate {
        /// Which data set.
        scenario: Scenario,
        /// Rows, seed and fraud rate.
        options: SynthOptions,
    },
    /// Read the `File` posted beside this message and make it the session's data.
    IngestFile {
        /// The file's name, for messages.
        file_name: String,
        /// Which part of a container to read (a zip entry, a workbook sheet); the default
        /// picks the one that looks like claims.
        #[serde(default)]
        part: FilePart,
    },
    /// Make these claims the session's data again (after a cancel restarted the worker).
    Restore {
        /// Where the claims came from.
        source: String,
        /// The claims, as [`crate::claims::table_bytes`].
        #[serde(with = "serde_bytes")]
        table: Vec<u8>,
        /// The schema report, if the claims came from a file.
        report: Option<Box<SchemaReport>>,
    },
    /// Read the entity `File` posted beside this message (a provider list with its label, a
    /// member file) and left-join it onto the session's claims by the column they share.
    JoinFile {
        /// The file's name, for messages.
        file_name: String,
    },
    /// Read the claims `File` posted beside this message as a new batch, score it with the
    /// session's models against the session's claims as its population, and reply with the
    /// scored batch as a download.
    ScoreBatch {
        /// The file's name, for messages and the download's name.
        file_name: String,
        /// How identifiers are written, as for every download.
        #[serde(default)]
        options: ExportOptions,
    },
    /// Fit models on the session's data and score every claim.
    Train {
        /// What to fit.
        request: Box<RunRequest>,
    },
    /// Read the model `File` posted beside this message and score the session's data with it.
    LoadModelFile {
        /// The file's name, for messages.
        file_name: String,
    },
    /// Explain one claim.
    Explain {
        /// Which model.
        slot: ModelSlot,
        /// The claim's row.
        row: usize,
    },
    /// Score and explain an edited claim.
    WhatIf {
        /// Which model.
        slot: ModelSlot,
        /// The edited form.
        fields: Vec<WhatIfField>,
    },
    /// Make `pack` the session's rules and evaluate it on the claims.
    SetRules {
        /// The pack (validated again in the worker).
        pack: Box<RulePack>,
        /// Where it came from, for the page.
        origin: String,
    },
    /// Read the rule pack `File` posted beside this message and make it the session's rules.
    LoadRulesFile {
        /// The file's name, for messages.
        file_name: String,
    },
    /// Explain the evaluation's sample of claims (mean |SHAP| and beeswarm) for a model:
    /// sent after training, so scores show before the slower explanations.
    ExplainSample {
        /// Which model.
        slot: ModelSlot,
    },
    /// Prepare a download.
    Export {
        /// What to download.
        request: ExportRequest,
        /// Identifier hashing.
        options: ExportOptions,
    },
}

impl ToWorker {
    /// Whether the request reads the `File` posted beside it.
    pub fn reads_file(&self) -> bool {
        matches!(
            self,
            ToWorker::IngestFile { .. }
                | ToWorker::JoinFile { .. }
                | ToWorker::ScoreBatch { .. }
                | ToWorker::LoadModelFile { .. }
                | ToWorker::LoadRulesFile { .. }
        )
    }
}

/// A label the user may choose, with its classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelChoice {
    /// The column name.
    pub column: String,
    /// Its distinct values, as text, in first-seen order (at most a few).
    pub classes: Vec<String>,
    /// The class read as positive by default (e.g. "1").
    pub default_positive: Option<String>,
    /// Whether the column looks like a label (the schema says so, or its name does, as
    /// `fraud_reported` or a status column holding Denied): only such a column is preselected.
    #[serde(default)]
    pub proposed: bool,
}

/// The label preselected for `choices`: the first, when it looks like a label.
pub fn proposed_label(choices: &[LabelChoice]) -> Option<&LabelChoice> {
    choices.first().filter(|choice| choice.proposed)
}

/// A column the user may train on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureChoice {
    /// The column name.
    pub name: String,
    /// Built by ClaimForest from the claims (member, provider and pharmacy aggregates).
    pub derived: bool,
    /// Chosen by default.
    pub default_on: bool,
    /// Chosen by default for anomaly detection (an isolation forest alone): a derived
    /// feature that compares a claim with its peers (see
    /// [`crate::claims::features::ANOMALY_FEATURES`]).
    #[serde(default)]
    pub anomaly_default: bool,
    /// Why it is off by default, if it is.
    pub note: Option<String>,
}

/// Which part of a container file to read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilePart {
    /// The zip entry, by its path.
    pub entry: Option<String>,
    /// The workbook sheet, by its name.
    pub sheet: Option<String>,
}

/// What the page needs to show loaded claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedData {
    /// Where the claims came from ("medical, seed 42" or the file name).
    pub source: String,
    /// The ingestion report, for files.
    pub report: Option<Box<SchemaReport>>,
    /// The derived features built and skipped.
    pub plan: FeaturePlan,
    /// Labels the user may choose; the first is the default.
    pub labels: Vec<LabelChoice>,
    /// Columns the user may train on.
    pub features: Vec<FeatureChoice>,
    /// The suggested built-in rule pack and its hits (`None` when no built-in rule fits).
    pub rules: Option<Box<RulesData>>,
}

/// One fitted model's results over the session's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    /// Which model.
    pub slot: ModelSlot,
    /// Scores of every claim, in table order: probability, or anomaly score.
    #[serde(with = "per_claim_bytes::f64s")]
    pub scores: Vec<f64>,
    /// Scores at or above this are predicted positive (or flagged).
    pub threshold: f64,
    /// Which claims were held out (random forests with a hold-out).
    #[serde(with = "per_claim_bytes::optional_bools")]
    pub is_test_row: Option<Vec<bool>>,
    /// The evaluation.
    pub evaluation: Box<Evaluation>,
    /// The features the model reads.
    pub feature_names: Vec<String>,
    /// How a positive prediction reads ("Denied", "Anomalous", "Flagged").
    pub positive_word: String,
    /// Where the model came from.
    pub origin: ModelOrigin,
    /// What the model learnt from, when that is not simply every claim (for example "the
    /// 18,204 claims that trip no rule of the medical pack").
    pub training_note: Option<String>,
}

/// The results of a training run or a loaded model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// The fitted models (one or two).
    pub models: Vec<ModelRun>,
    /// The label of every claim, when a label column was chosen.
    pub labels: Option<Vec<bool>>,
    /// The label column's name.
    pub label_column: Option<String>,
}

/// What the worker tells the page (externally tagged, as [`ToWorker`] is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker has started and can take jobs.
    Ready,
    /// Work is under way: trees fitted, or an indeterminate step.
    Progress {
        /// Units done.
        done: usize,
        /// Units in all (0 when unknown).
        total: usize,
        /// What is happening ("Fitting the random forest").
        stage: String,
    },
    /// Claims were loaded.
    Loaded {
        /// The claims and what can be done with them.
        data: Box<LoadedData>,
    },
    /// Models were fitted (or loaded) and every claim scored.
    Trained {
        /// The results.
        results: Box<RunResults>,
    },
    /// One claim explained.
    Explained {
        /// The explanation.
        explanation: Box<ClaimExplanation>,
        /// The claim as an editable what-if form.
        fields: Vec<WhatIfField>,
    },
    /// The evaluation's sample of claims explained.
    SampleExplained {
        /// Which model.
        slot: ModelSlot,
        /// Mean |SHAP| per feature, largest first.
        mean_abs_shap: Vec<crate::analysis::evaluation::NamedValue>,
        /// One point per sampled claim and top feature.
        beeswarm: crate::analysis::evaluation::Beeswarm,
    },
    /// A download is ready.
    Exported {
        /// The suggested file name.
        file_name: String,
        /// The MIME type.
        mime: String,
        /// The file's bytes.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The session's rules changed (or were evaluated on new claims).
    RulesApplied {
        /// The pack and its hits.
        rules: Box<RulesData>,
    },
    /// The job failed; `message` is a sentence for the user, and nothing loaded was changed.
    Failed {
        /// What went wrong.
        message: String,
    },
}

/// Per-claim arrays as bytes in messages (a `Uint8Array` in the browser): a JavaScript
/// array of a million numbers is slow to build, to clone and to read back.
mod per_claim_bytes {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_bytes::ByteBuf;

    /// `Vec<f64>` as 8 little-endian bytes per value.
    pub mod f64s {
        use super::*;

        pub fn serialize<S: Serializer>(values: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
            let bytes: Vec<u8> = values.iter().flat_map(|value| value.to_le_bytes()).collect();
            serializer.serialize_bytes(&bytes)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
            let bytes = ByteBuf::deserialize(deserializer)?;
            if bytes.len() % 8 != 0 {
                return Err(D::Error::custom("the scores' bytes are not a whole number of values"));
            }
            Ok(bytes
                .chunks_exact(8)
                .map(|chunk| {
                    let mut value = [0u8; 8];
                    value.copy_from_slice(chunk);
                    f64::from_le_bytes(value)
                })
                .collect())
        }
    }

    /// `Option<Vec<bool>>` as one byte (0 or 1) per value.
    pub mod optional_bools {
        use super::*;

        pub fn serialize<S: Serializer>(values: &Option<Vec<bool>>, serializer: S) -> Result<S::Ok, S::Error> {
            match values {
                Some(values) => {
                    let bytes: Vec<u8> = values.iter().map(|&value| u8::from(value)).collect();
                    serializer.serialize_some(serde_bytes::Bytes::new(&bytes))
                }
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<bool>>, D::Error> {
            let bytes = Option::<ByteBuf>::deserialize(deserializer)?;
            bytes
                .map(|bytes| {
                    bytes
                        .iter()
                        .map(|&byte| match byte {
                            0 => Ok(false),
                            1 => Ok(true),
                            _ => Err(D::Error::custom("a held-out flag is neither 0 nor 1")),
                        })
                        .collect()
                })
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_json() {
        let message =
            Envelope::new(3, ToWorker::Restore { source: "x.csv".into(), table: vec![1, 2, 3], report: None });
        let json = serde_json::to_string(&message).unwrap();
        assert!(json.starts_with(r#"{"job_id":3,"body":{"restore":{"source""#), "{json}");
        assert_eq!(serde_json::from_str::<Envelope<ToWorker>>(&json).unwrap(), message);
        let reply = Envelope::new(3, FromWorker::Progress { done: 1, total: 100, stage: "Fitting".into() });
        let json = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<Envelope<FromWorker>>(&json).unwrap(), reply);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct PerClaim {
        #[serde(with = "per_claim_bytes::f64s")]
        scores: Vec<f64>,
        #[serde(with = "per_claim_bytes::optional_bools")]
        held_out: Option<Vec<bool>>,
    }

    #[test]
    fn per_claim_arrays_travel_as_bytes_and_come_back_exactly() {
        let scores = vec![0.25, -0.0, f64::MAX, f64::MIN_POSITIVE, f64::INFINITY, 1.0 / 3.0];
        for held_out in [None, Some(vec![]), Some(vec![true, false, true, true, false, false])] {
            let message = PerClaim { scores: scores.clone(), held_out };
            let json = serde_json::to_string(&message).unwrap();
            let back: PerClaim = serde_json::from_str(&json).unwrap();
            assert!(back.scores.iter().zip(&scores).all(|(a, b)| a.to_bits() == b.to_bits()));
            assert_eq!(back, message);
        }
        // NaN survives bit for bit too.
        let nan = PerClaim { scores: vec![f64::NAN], held_out: None };
        let back: PerClaim = serde_json::from_str(&serde_json::to_string(&nan).unwrap()).unwrap();
        assert_eq!(back.scores[0].to_bits(), f64::NAN.to_bits());
        // Damaged bytes are refused, not misread.
        assert!(serde_json::from_str::<PerClaim>(r#"{"scores":[1,2,3],"held_out":null}"#).is_err());
        assert!(serde_json::from_str::<PerClaim>(r#"{"scores":[],"held_out":[0,2]}"#).is_err());
        assert_eq!(
            serde_json::from_str::<PerClaim>(r#"{"scores":[],"held_out":[1,0]}"#).unwrap().held_out,
            Some(vec![true, false])
        );
    }
}

/// A task the session worker gives one of its helper workers. The bytes it works on travel
/// beside it, transferred: the forest job for `Grow`; the explanation view and the rows for
/// the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelperTask {
    /// Grow trees `first..end` of the forest job.
    Grow {
        /// The first tree.
        first: u32,
        /// One past the last tree.
        end: u32,
    },
    /// Exact SHAP values of the rows (a matrix) under the view.
    Explain,
    /// Batch predictions of the rows (a matrix) under the view.
    Predict,
    /// Batch predictions of the rows held as bin codes.
    PredictBinned,
}

/// What a helper worker tells the session worker about its task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelperReply {
    /// One more tree grown.
    TreeGrown,
    /// Done; the result's bytes travel beside the reply.
    Done,
    /// The task failed, and why.
    Failed(String),
}
