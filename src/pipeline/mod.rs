//! The pipeline: the one module where claims meet the `ml` core.
//!
//! `train(table, request, progress) -> TrainReport` encodes features, splits rows,
//! fits a forest, and scores every claim. Request and report are plain serde types, so
//! the same call serves the Web Worker, the CLI and the tests.

pub mod encoding;
pub mod entity;
pub mod model;
pub mod row_keys;

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::claims::features::{add_features, append_features, feature_spec, FeaturePlan, PeerReference};
use crate::claims::schema::{denial, names_with_role, ColumnRole, DENIAL_COLUMNS};
use crate::claims::ClaimsTable;
use crate::ml::binning::BinnedMatrix;
use crate::ml::forest_job::ForestJob;
use crate::ml::metrics::{average_precision, lift_at_share, roc_auc, ConfusionMatrix};
use crate::ml::split::{content_order, keyed_split, TrainTestSplit};
use crate::ml::{
    FeatureSource, FitProgress, ForestParams, IsolationForest, IsolationForestParams, MlError, RandomForest, Rows,
};
use crate::sorting::sort_stable_by;
pub use encoding::{binary_labels, labels_where_present, EncodedTable, FeatureEncoder, FeatureEncoding, LevelOrder};
use model::HeldOutMetrics;
pub use model::{Algorithm, ModelFileError, ScoringModel, TrainingSummary};

/// The deepest a claims forest's tree grows unless the user says otherwise.
///
/// Measured on 100k claims (docs/benchmarks-history.md, "Forest defaults for claims"): depth 16 with at
/// least 3 claims per leaf ranks held-out medical anomalies better than trees grown to purity
/// (average precision 0.948 against 0.938), keeps denial's and pharmacy's within 0.001, and
/// makes exact TreeSHAP, whose cost grows with leaves × depth², about 6× cheaper.
pub const DEFAULT_MAX_DEPTH: usize = 16;

/// The fewest training claims a claims forest's leaf holds unless the user says otherwise.
pub const DEFAULT_MIN_SAMPLES_LEAF: usize = 3;

/// The random forest ClaimForest trains on claims by default: the `ml` defaults (scikit-
/// learn's) with [`DEFAULT_MAX_DEPTH`] and [`DEFAULT_MIN_SAMPLES_LEAF`].
pub fn claims_forest_params() -> ForestParams {
    let mut params = ForestParams::default();
    params.tree.max_depth = Some(DEFAULT_MAX_DEPTH);
    params.tree.min_samples_leaf = DEFAULT_MIN_SAMPLES_LEAF;
    params
}

/// What to train, on which columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainRequest {
    /// The label column.
    pub label_column: String,
    /// The positive class of a text label; `None` accepts 1/yes/true/Y and the like.
    pub positive_label: Option<String>,
    /// The columns the model may read, in order.
    pub feature_columns: Vec<String>,
    /// Forest parameters, including the seed.
    pub forest: ForestParams,
    /// Share of rows held out for evaluation.
    pub test_fraction: f64,
    /// Seed of the train/test split.
    pub split_seed: u64,
    /// Probability at or above which a claim is predicted positive.
    pub decision_threshold: f64,
}

impl Default for TrainRequest {
    fn default() -> Self {
        Self {
            label_column: denial::IS_DENIED.into(),
            positive_label: None,
            feature_columns: names_with_role(&DENIAL_COLUMNS, ColumnRole::Feature)
                .into_iter()
                .map(String::from)
                .collect(),
            forest: claims_forest_params(),
            test_fraction: 0.2,
            split_seed: 42,
            decision_threshold: 0.5,
        }
    }
}

/// A feature and its share of the forest's impurity decrease.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    /// Feature name.
    pub feature: String,
    /// Mean decrease in impurity, summing to 1 over features.
    pub importance: f64,
}

/// What a training run produced: held-out metrics and a score for every claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Rows trained on.
    pub n_train: usize,
    /// Rows held out.
    pub n_test: usize,
    /// Accuracy on the held-out rows.
    pub accuracy: f64,
    /// ROC AUC on the held-out rows, when both classes are present there.
    pub roc_auc: Option<f64>,
    /// Held-out confusion matrix at the decision threshold.
    pub confusion: ConfusionMatrix,
    /// Out-of-bag accuracy on the training rows.
    pub oob_score: Option<f64>,
    /// Features, most important first.
    pub feature_importances: Vec<FeatureImportance>,
    /// Positive-class probability of every claim, in table order.
    pub scores: Vec<f64>,
    /// Whether each claim (in table order) was held out.
    pub is_test_row: Vec<bool>,
}

/// Why the pipeline could not run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PipelineError {
    /// A requested column is not in the table.
    #[error("the data has no column named '{name}'")]
    MissingColumn {
        /// The column name.
        name: String,
    },
    /// A label cell is empty.
    #[error("column '{column}', row {row}: the label is missing")]
    MissingLabel {
        /// The column name.
        column: String,
        /// The 1-based row number.
        row: usize,
    },
    /// The label column holds dates.
    #[error("column '{column}' holds dates, which cannot be a label")]
    DateLabel {
        /// The column name.
        column: String,
    },
    /// A text label column whose values are not yes/no words, with no positive value named.
    #[error(
        "column '{column}' holds {values}, which are not yes/no labels; name the positive value \
         (the Train screen's positive class, or --positive)"
    )]
    UnclearLabel {
        /// The label column.
        column: String,
        /// Its first values, quoted.
        values: String,
    },
    /// The named positive value is not among the label's values.
    #[error("column '{column}' has no value '{positive}' to take as positive (it holds {values})")]
    PositiveNotFound {
        /// The label column.
        column: String,
        /// The value asked for.
        positive: String,
        /// Its first values, quoted.
        values: String,
    },
    /// Every label is the same class.
    #[error(
        "every label in column '{column}' is {class} (values found: {values}; taken as positive: {taken}); \
         a classifier needs both classes"
    )]
    SingleClass {
        /// The label column.
        column: String,
        /// "positive" or "negative".
        class: &'static str,
        /// The values found, quoted.
        values: String,
        /// What counts as positive.
        taken: String,
    },
    /// No feature was chosen.
    #[error("choose at least one feature column")]
    NoFeatures,
    /// The model could not be fitted or applied.
    #[error(transparent)]
    Model(#[from] MlError),
    /// A training row is not a row of the table.
    #[error("training row {row} is outside the table's {n_rows} rows")]
    TrainingRowOutOfRange {
        /// The 0-based row asked for.
        row: usize,
        /// The table's row count.
        n_rows: usize,
    },
    /// Derived features could not be added to the table.
    #[error("cannot add derived features: {0}")]
    Table(#[from] crate::claims::table::TableError),
    /// Claims could not be grouped into entities.
    #[error("{0}")]
    Entities(#[from] crate::claims::entities::EntityError),
    /// A claim-level model was asked to score entities.
    #[error("this model scores claims, not entities: it was trained without --entity")]
    NotAnEntityModel,
    /// A history file and the new claims do not form one population.
    #[error("the history and the new claims do not fit together: {0}")]
    Population(#[from] crate::claims::population::PopulationError),
}

/// The table with every derived feature its columns allow (member, provider and pharmacy
/// aggregates and per-claim features, see [`crate::claims::features`]), and the plan saying
/// which were built and which were skipped for want of a column. Labels are never read.
pub fn prepare(table: &ClaimsTable) -> Result<(ClaimsTable, FeaturePlan), PipelineError> {
    Ok(add_features(table)?)
}

/// [`prepare`] without copying the claims: they become the leading columns of the result.
pub fn prepare_owned(table: ClaimsTable) -> Result<(ClaimsTable, FeaturePlan), PipelineError> {
    Ok(append_features(table)?)
}

/// [`prepare`] for scoring with `model`: each claim is compared with the peers the model
/// carries (the training claims' procedure means, drugs' usual quantities, ...) wherever they
/// know its group, so a claim scores alone as it did among the training claims; member,
/// provider and pharmacy aggregates are over `table`'s own claims (a history file gives them
/// the population: [`prepare_against`]).
pub fn prepare_for_model(
    table: &ClaimsTable,
    model: &ScoringModel,
) -> Result<(ClaimsTable, FeaturePlan), PipelineError> {
    // The page scores new claims against the claims it holds (`prepare_against`): its
    // download leaves the peer statistics out.
    #[cfg(not(target_arch = "wasm32"))]
    if !model.peers().is_empty() {
        return Ok(crate::claims::features::append_features_against(table.clone(), model.peers())?);
    }
    #[cfg(target_arch = "wasm32")]
    let _ = model;
    prepare(table)
}

/// What a score of `table` by `model` means when its derived features are built from
/// `table` alone (no history): which features describe a member, provider or pharmacy by
/// its claims in this file only, and which compare claims with the training claims' peers.
/// `None` when the model reads no derived feature or the table already has them.
pub fn population_note(model: &ScoringModel, table: &ClaimsTable, file: &str) -> Option<String> {
    use crate::claims::schema::names::{MEMBER_ID, PHARMACY_ID, PROVIDER_ID};
    let derived: Vec<&'static crate::claims::features::FeatureSpec> = model
        .feature_names()
        .iter()
        .filter(|name| table.column(name).is_none())
        .filter_map(|name| feature_spec(name))
        .collect();
    if derived.is_empty() {
        return None;
    }
    let per_entity: Vec<&str> = derived
        .iter()
        .filter(|spec| spec.inputs.iter().any(|input| [MEMBER_ID, PROVIDER_ID, PHARMACY_ID].contains(input)))
        .map(|spec| spec.name)
        .collect();
    let mut note = String::new();
    if !model.peers().is_empty() {
        note.push_str("claims are compared with the training claims' peers (procedure, diagnosis and drug statistics carried in the model); ");
    }
    if per_entity.is_empty() {
        note.push_str("no feature depends on other claims in the file");
    } else {
        let shown = per_entity.iter().take(4).copied().collect::<Vec<_>>().join(", ");
        let more = if per_entity.len() > 4 { format!(" and {} more", per_entity.len() - 4) } else { String::new() };
        note.push_str(&format!(
            "{shown}{more} describe each member, provider or pharmacy by its claims among the {} in {file} alone, \
             so an entity with few claims here looks new; give --history with the claims the model learned from to score as among them",
            table.n_rows()
        ));
    }
    Some(note)
}

/// The peer statistics of `table`'s claims when a model reading `features` uses any derived
/// feature (empty otherwise, so a model on the file's own columns carries nothing more).
///
/// The page records none (its download stays within budget; a model trained there scores new
/// claims against the claims it holds): a model file from the page carries no peers.
fn peers_for(table: &ClaimsTable, features: &[String]) -> Result<PeerReference, PipelineError> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (table, features);
        Ok(PeerReference::default())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let reads_derived = features
            .iter()
            .any(|name| table.column(name).is_some_and(|column| feature_spec(column.schema_name()).is_some()));
        if !reads_derived {
            return Ok(PeerReference::default());
        }
        Ok(crate::claims::features::record_peers(table)?)
    }
}

/// Where a batch's derived features came from: see [`prepare_against`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationUsed {
    /// Claims in the history.
    pub n_history: usize,
    /// Batch claims found in the history (same claim id), which took their place there.
    pub n_matched: usize,
    /// Batch claims new to the history, added to it.
    pub n_new: usize,
}

/// `batch` with its derived features computed over one population: `history`'s claims with
/// the batch's in place (a batch claim with a history claim's id takes its place; the rest
/// are added). Member, provider and pharmacy aggregates and peer statistics then describe the
/// population the model learned from, so a claim scores the same alone as inside its training
/// file. A member or provider new to the history has aggregates from its new claims only.
pub fn prepare_against(
    batch: &ClaimsTable,
    history: &ClaimsTable,
) -> Result<(ClaimsTable, FeaturePlan, PopulationUsed), PipelineError> {
    use crate::claims::population::{combine, gather_rows};
    let population = combine(history, batch)?;
    let used = PopulationUsed {
        n_history: population.n_history,
        n_matched: population.n_matched,
        n_new: batch.n_rows() - population.n_matched,
    };
    let batch_rows = population.batch_rows;
    let n_own = batch.columns().len();
    let (prepared, plan) = append_features(population.table)?;
    let mut out = batch.clone();
    for column in prepared.columns().iter().skip(n_own) {
        let values = gather_rows(&column.data, &batch_rows);
        out.push_aliased_column(column.name.clone(), column.canonical.clone(), values)?;
    }
    Ok((out, plan, used))
}

/// Trains a random forest on `table` as `request` says and scores every claim.
///
/// `on_progress` runs after every tree; breaking from it cancels with
/// [`MlError::Cancelled`].
pub fn train(
    table: &ClaimsTable,
    request: &TrainRequest,
    on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<TrainReport, PipelineError> {
    train_model(table, request, on_progress).map(|(_, report)| report)
}

/// Like [`train`], and also returns the fitted model for scoring more claims.
pub fn train_model(
    table: &ClaimsTable,
    request: &TrainRequest,
    on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<(ScoringModel, TrainReport), PipelineError> {
    let plan = plan_forest(table, request)?;
    let grown = plan.job.grow(0..plan.job.n_trees(), on_progress)?;
    let forest = plan.job.assemble(vec![grown])?;
    plan.finish(forest, None).map(|fit| (fit.model, fit.report))
}

/// A random-forest run up to its fit: features encoded, labels read, rows split, and the
/// [`ForestJob`] whose trees may grow here or on other workers.
#[derive(Debug, Clone)]
pub struct ForestPlan {
    request: TrainRequest,
    encoder: FeatureEncoder,
    labels: Vec<u32>,
    split: TrainTestSplit,
    /// Every claim in the bins the job's rows were cut with, coded once: the training rows
    /// of the job are a selection of it, and scoring on other workers sends it.
    binned: BinnedMatrix,
    job: ForestJob,
    peers: PeerReference,
}

/// A finished random-forest run: the model and its report.
#[derive(Debug, Clone)]
pub struct ForestFit {
    /// The model.
    pub model: ScoringModel,
    /// Held-out metrics and every claim's score.
    pub report: TrainReport,
}

/// Reads labels, splits, and bins every claim's features (encoded a column at a time, never
/// held as one f32 matrix): everything before the trees grow.
pub fn plan_forest(table: &ClaimsTable, request: &TrainRequest) -> Result<ForestPlan, PipelineError> {
    if request.feature_columns.is_empty() {
        return Err(PipelineError::NoFeatures);
    }
    // Claims without a label (a label joined from a provider list the claim's provider is
    // not on) are scored but neither learned from nor held out. With every label present,
    // the split is the one over all rows.
    let present = encoding::labels_where_present(table, &request.label_column, request.positive_label.as_deref())?;
    let labelled: Vec<usize> = (0..present.len()).filter(|&row| present[row].is_some()).collect();
    if labelled.is_empty() {
        return Err(PipelineError::MissingLabel { column: request.label_column.clone(), row: 1 });
    }
    let labels: Vec<u32> = present.iter().map(|label| label.unwrap_or(0)).collect();
    let labelled_classes: Vec<u32> = labelled.iter().map(|&row| labels[row]).collect();
    encoding::check_two_classes(table, &request.label_column, request.positive_label.as_deref(), &labelled_classes)?;
    // The split (and with it the training rows' order, which the bootstrap draws from)
    // follows each claim's features and class, not its position: the same file with its
    // rows shuffled grows the same forest.
    let keys = row_keys::row_content_keys(table, &request.feature_columns, Some(&labels), &labelled);
    let mut split = keyed_split(&keys, request.test_fraction, request.split_seed);
    drop(keys);
    split.train.iter_mut().chain(split.test.iter_mut()).for_each(|idx| *idx = labelled[*idx]);
    let order = LevelOrder::PositiveRate { labels: &labels, rows: &split.train };
    let encoder = FeatureEncoder::fit(table, &request.feature_columns, &order)?;
    let view = encoder.view(table)?;
    let train_labels: Vec<u32> = split.train.iter().map(|&r| labels[r]).collect();
    let binned = BinnedMatrix::fit_on_rows(&view, &split.train, request.forest.max_bins)?;
    let job = request.forest.prepare_binned(view.feature_names(), binned.select_rows(&split.train), &train_labels)?;
    let peers = peers_for(table, &request.feature_columns)?;
    Ok(ForestPlan { request: request.clone(), encoder, labels, split, binned, job, peers })
}

impl ForestPlan {
    /// The features' encodings, text levels in the order the training labels gave them.
    pub fn encoder(&self) -> &FeatureEncoder {
        &self.encoder
    }

    /// The trees to grow.
    pub fn job(&self) -> &ForestJob {
        &self.job
    }

    /// Every claim as the bin codes the forest grew on: its splits are the bins' edges, so
    /// these score exactly as the claims' values do
    /// ([`crate::ml::flat::FlatForest::predict_binned`]).
    pub fn binned(&self) -> &BinnedMatrix {
        &self.binned
    }

    /// Scores every claim with the assembled forest and measures it on the held-out rows.
    /// `scores` are the positive-class probabilities computed elsewhere (the predictions of
    /// `forest.shap_ensemble(1)`), one per claim; `None` computes them here.
    pub fn finish(self, forest: RandomForest, scores: Option<Vec<f64>>) -> Result<ForestFit, PipelineError> {
        let ForestPlan { request, encoder, labels, split, binned, peers, .. } = self;
        let n_rows = binned.n_rows();
        let scores = match scores.filter(|scores| scores.len() == n_rows) {
            Some(scores) => scores,
            None => forest.predict_class_proba_binned(&binned, 1)?,
        };

        let actual: Vec<bool> = split.test.iter().map(|&r| labels[r] == 1).collect();
        let test_scores: Vec<f64> = split.test.iter().map(|&r| scores[r]).collect();
        let predicted: Vec<bool> = test_scores.iter().map(|&s| s >= request.decision_threshold).collect();
        let confusion = ConfusionMatrix::from_predictions(&actual, &predicted);
        let mut is_test_row = vec![false; n_rows];
        split.test.iter().for_each(|&r| is_test_row[r] = true);
        let mut feature_importances: Vec<FeatureImportance> = forest
            .feature_names()
            .iter()
            .zip(forest.feature_importances())
            .map(|(feature, &importance)| FeatureImportance { feature: feature.clone(), importance })
            .collect();
        sort_stable_by(&mut feature_importances, &|a, b| b.importance.total_cmp(&a.importance));
        let report = TrainReport {
            n_train: split.train.len(),
            n_test: split.test.len(),
            accuracy: confusion.accuracy(),
            roc_auc: roc_auc(&actual, &test_scores),
            confusion,
            oob_score: forest.oob_score(),
            feature_importances,
            scores,
            is_test_row,
        };
        let summary = TrainingSummary {
            n_rows,
            n_train: report.n_train,
            n_test: report.n_test,
            held_out: (report.n_test > 0).then(|| HeldOutMetrics {
                accuracy: confusion.accuracy(),
                precision: confusion.precision(),
                recall: confusion.recall(),
                f1: confusion.f1(),
                roc_auc: report.roc_auc,
                average_precision: average_precision(&actual, &test_scores).ok(),
                confusion,
                top_decile: lift_at_share(&actual, &test_scores, 0.1).ok(),
            }),
            oob_score: report.oob_score,
            feature_importances: report.feature_importances.clone(),
            n_flagged: None,
        };
        let algorithm = Algorithm::RandomForest {
            label_column: request.label_column.clone(),
            positive_label: request.positive_label.clone(),
            decision_threshold: request.decision_threshold,
            params: request.forest.clone(),
            forest,
        };
        Ok(ForestFit { model: ScoringModel::new(encoder, algorithm, summary).with_peers(peers), report })
    }
}

/// What to train an isolation forest on: no label is needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyRequest {
    /// The columns the model may read, in order.
    pub feature_columns: Vec<String>,
    /// Isolation forest parameters, including the seed.
    pub forest: IsolationForestParams,
    /// The rows the forest learns "normal" from, in file order (for example the claims
    /// that trip no business rule); `None` learns from every row. Every row is scored
    /// either way, and a contamination threshold is the upper quantile of the training
    /// rows' scores.
    #[serde(default)]
    pub training_rows: Option<Vec<usize>>,
}

impl AnomalyRequest {
    /// A request that learns from every row.
    pub fn new(feature_columns: Vec<String>, forest: IsolationForestParams) -> Self {
        Self { feature_columns, forest, training_rows: None }
    }
}

/// Fits an isolation forest on the request's training rows (every row by default) of
/// `table` and scores every claim.
pub fn train_anomaly_model(
    table: &ClaimsTable,
    request: &AnomalyRequest,
    on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<(ScoringModel, Vec<f64>), PipelineError> {
    fit_anomaly_model(table, request, on_progress).map(|fit| (fit.model, fit.scores))
}

/// A finished isolation-forest run: the model and every claim's score.
#[derive(Debug, Clone)]
pub struct AnomalyFit {
    /// The model.
    pub model: ScoringModel,
    /// Every claim's anomaly score, in table order.
    pub scores: Vec<f64>,
}

/// [`train_anomaly_model`], as an [`AnomalyFit`].
pub fn fit_anomaly_model(
    table: &ClaimsTable,
    request: &AnomalyRequest,
    on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<AnomalyFit, PipelineError> {
    plan_anomaly(table, request, on_progress)?.finish(table, None)
}

/// An isolation-forest run up to scoring: the forest grown (the cheap part: ψ rows per
/// tree). Scoring every claim may happen here or on other workers.
#[derive(Debug, Clone)]
pub struct AnomalyPlan {
    request: AnomalyRequest,
    encoder: FeatureEncoder,
    n_rows: usize,
    forest: IsolationForest,
    peers: PeerReference,
}

/// Grows the isolation forest on the request's training rows, encoding only the rows its
/// trees sample.
pub fn plan_anomaly(
    table: &ClaimsTable,
    request: &AnomalyRequest,
    on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<AnomalyPlan, PipelineError> {
    if request.feature_columns.is_empty() {
        return Err(PipelineError::NoFeatures);
    }
    // The threshold comes from the training rows' scores, which `finish` computes anyway.
    let params = IsolationForestParams { contamination: None, ..request.forest.clone() };
    let chosen: Vec<usize> = match &request.training_rows {
        None => (0..table.n_rows()).collect(),
        Some(rows) => {
            if let Some(&row) = rows.iter().find(|&&row| row >= table.n_rows()) {
                return Err(PipelineError::TrainingRowOutOfRange { row, n_rows: table.n_rows() });
            }
            rows.clone()
        }
    };
    // The trees sample positions in this list, which is put in an order fixed by the rows'
    // contents: the same file with its rows shuffled grows the same forest.
    let keys = row_keys::row_content_keys(table, &request.feature_columns, None, &chosen);
    let in_content_order: Vec<usize> = content_order(&keys, params.seed).into_iter().map(|idx| chosen[idx]).collect();
    drop((keys, chosen));
    let training_rows = Rows::Chosen(&in_content_order);
    let encoder = FeatureEncoder::fit(table, &request.feature_columns, &LevelOrder::Rarity { rows: &training_rows })?;
    let view = encoder.view(table)?;
    let forest = params.fit_on_rows(&view, &training_rows, on_progress)?;
    let peers = peers_for(table, &request.feature_columns)?;
    Ok(AnomalyPlan { request: request.clone(), encoder, n_rows: table.n_rows(), forest, peers })
}

impl AnomalyPlan {
    /// The claims of `table` (the one planned on) as the forest reads them.
    pub fn rows<'a>(&self, table: &'a ClaimsTable) -> Result<EncodedTable<'a>, PipelineError> {
        self.encoder.view(table)
    }

    /// The forest's explanation view, whose batch predictions are mean path lengths.
    pub fn view(&self) -> crate::ml::shap::ShapEnsemble {
        self.forest.shap_ensemble()
    }

    /// Scores every claim of `table` (the one planned on), from mean path lengths computed
    /// elsewhere (the view's predictions, one per claim) or here, and sets the
    /// contamination threshold.
    pub fn finish(self, table: &ClaimsTable, mean_path_lengths: Option<Vec<f64>>) -> Result<AnomalyFit, PipelineError> {
        let AnomalyPlan { request, encoder, n_rows, mut forest, peers } = self;
        let scores = match mean_path_lengths.filter(|lengths| lengths.len() == n_rows) {
            Some(lengths) => lengths.into_iter().map(|length| forest.score_of_mean_path_length(length)).collect(),
            None => forest.score_rows(&encoder.view(table)?, &Rows::all(n_rows))?,
        };
        let n_train = request.training_rows.as_ref().map_or(n_rows, Vec::len);
        if let Some(contamination) = request.forest.contamination {
            let training_scores = match &request.training_rows {
                None => scores.clone(),
                Some(rows) => rows.iter().map(|&row| scores[row]).collect(),
            };
            forest.set_contamination_threshold(training_scores, contamination);
        }
        let summary = TrainingSummary {
            n_rows,
            n_train,
            n_test: 0,
            held_out: None,
            oob_score: None,
            feature_importances: Vec::new(),
            n_flagged: Some(scores.iter().filter(|&&score| score >= forest.threshold()).count()),
        };
        let algorithm = Algorithm::IsolationForest { params: request.forest.clone(), forest };
        Ok(AnomalyFit { model: ScoringModel::new(encoder, algorithm, summary).with_peers(peers), scores })
    }
}

/// A column left out of the default feature set, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedColumn {
    /// The column name.
    pub name: String,
    /// Why it is not a feature.
    pub reason: String,
}

/// The columns a model should read when the user names none: every column except
/// - the label, the schema's identifiers, entities, dates, labels and label details;
/// - columns named like an identifier (`policy_number`, `insured_zip`, `claim_no`); whole
///   numbers distinct on nearly every row that are codes of one width or a count (an
///   identifier by another name; amounts are neither); free text with a distinct value on
///   most rows;
/// - columns named like a label with few values (`fraud_reported` Y/N), which would leak
///   the answer, also when there is no label (an isolation forest);
/// - empty and constant columns, which cannot split.
///
/// Each left out comes with the reason; the user may add any back.
pub fn default_feature_columns(table: &ClaimsTable, label_column: Option<&str>) -> (Vec<String>, Vec<SkippedColumn>) {
    use crate::claims::schema::{known_role, looks_like_identifier_name, looks_like_label_name};
    let mut features = Vec::new();
    let mut skipped = Vec::new();
    for column in table.columns() {
        let reason = if Some(column.name.as_str()) == label_column {
            Some("the label")
        } else {
            match known_role(column.schema_name()) {
                Some(ColumnRole::Identifier) => Some("an identifier"),
                Some(ColumnRole::Entity) => {
                    Some("a member, provider or pharmacy identifier (its aggregates are features)")
                }
                Some(ColumnRole::Date) => Some("a date (the gaps and windows built from it are features)"),
                Some(ColumnRole::Label | ColumnRole::LabelDetail) => {
                    Some("a label or label detail, which would leak the answer")
                }
                _ => column_exclusion(table.n_rows(), &column.name, &column.data, |name| {
                    (looks_like_identifier_name(name), looks_like_label_name(name))
                }),
            }
        };
        match reason {
            Some(reason) => skipped.push(SkippedColumn { name: column.name.clone(), reason: reason.to_owned() }),
            None => features.push(column.name.clone()),
        }
    }
    (features, skipped)
}

/// How many decimal digits the whole part of `value` has (1 for anything below 10), counted
/// without a logarithm (which wasm would have to ship).
fn decimal_digits(value: f64) -> usize {
    let mut whole = value.abs().min(1e19) as u64;
    let mut digits = 1;
    while whole >= 10 {
        whole /= 10;
        digits += 1;
    }
    digits
}

/// Why a column the schema does not know stays out of the default features, if it does.
/// `name_says` gives (named like an identifier, named like a label).
fn column_exclusion(
    n_rows: usize,
    name: &str,
    data: &crate::claims::table::ColumnData,
    name_says: impl Fn(&str) -> (bool, bool),
) -> Option<&'static str> {
    use crate::claims::table::ColumnData;
    let (identifier_name, label_name) = name_says(name);
    if identifier_name {
        return Some("named like an identifier");
    }
    let (n_present, n_distinct, id_like_numbers) = match data {
        ColumnData::Date { .. } => return Some("a date (the gaps and windows built from it are features)"),
        ColumnData::Categorical { levels, codes } => {
            let n_present = codes.iter().filter(|&&code| code != crate::claims::table::MISSING_CODE).count();
            (n_present, levels.len(), false)
        }
        ColumnData::Numeric { values } => {
            let (mut n_present, mut n_widest_width) = (0, 0);
            let mut widths = [0usize; 20];
            let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
            let mut whole = true;
            for value in values.iter().filter(|v| !v.is_nan()) {
                n_present += 1;
                whole &= value.fract() == 0.0 && value >= 0.0;
                (low, high) = (low.min(value), high.max(value));
                let width = decimal_digits(value).min(widths.len() - 1);
                widths[width] += 1;
                n_widest_width = n_widest_width.max(widths[width]);
            }
            // Distinct values through the claims layer's interner (no new hash table compiled).
            let n_distinct = crate::claims::features::count_distinct_numbers(values);
            // Identifiers written as numbers are codes of one width (policy numbers, zip
            // codes) or a count up from somewhere (row numbers); amounts are neither.
            let fixed_width = n_widest_width as f64 >= 0.99 * n_present as f64;
            let dense = high - low + 1.0 <= 1.1 * n_distinct as f64;
            (n_present, n_distinct, whole && (fixed_width || dense))
        }
    };
    if n_present == 0 {
        return Some("empty on every row");
    }
    if n_distinct == 1 {
        return Some("the same value on every row");
    }
    if label_name && n_distinct <= 10 {
        return Some("named like a label, which would leak the answer");
    }
    let nearly_unique = n_distinct > 50 && n_distinct as f64 >= 0.95 * n_present as f64;
    match data {
        ColumnData::Categorical { .. } if n_distinct > 50 && n_distinct * 2 > n_rows => {
            Some("text with a distinct value on most rows (an identifier?)")
        }
        ColumnData::Numeric { .. } if id_like_numbers && nearly_unique => {
            Some("codes or counts distinct on nearly every row (an identifier?)")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::synth::generate_denial;

    fn keep_going(_: FitProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    #[test]
    fn denial_forest_learns_the_rules() {
        let table = generate_denial(1_000, 42).unwrap();
        let report = train(&table, &TrainRequest::default(), &mut keep_going).unwrap();
        assert_eq!((report.n_train, report.n_test), (800, 200));
        assert!(report.accuracy >= 0.93, "accuracy {}", report.accuracy);
        assert_eq!(report.scores.len(), 1_000);
        let top_two: Vec<&str> = report.feature_importances[..2].iter().map(|f| f.feature.as_str()).collect();
        assert!(top_two.contains(&"diagnosis_match") && top_two.contains(&"has_pre_auth"), "{top_two:?}");
    }

    #[test]
    fn the_returned_model_reproduces_the_report_scores() {
        let table = generate_denial(300, 5).unwrap();
        let (model, report) = train_model(&table, &TrainRequest::default(), &mut keep_going).unwrap();
        assert_eq!(model.score(&table).unwrap(), report.scores);
        assert_eq!(model.encoder().features().len(), 5);
    }

    #[test]
    fn missing_columns_are_reported_by_name() {
        let table = generate_denial(50, 1).unwrap();
        let request = TrainRequest { feature_columns: vec!["age".into(), "zip".into()], ..Default::default() };
        assert_eq!(train(&table, &request, &mut keep_going), Err(PipelineError::MissingColumn { name: "zip".into() }));
        let request = TrainRequest { feature_columns: vec![], ..Default::default() };
        assert_eq!(train(&table, &request, &mut keep_going), Err(PipelineError::NoFeatures));
    }
}
