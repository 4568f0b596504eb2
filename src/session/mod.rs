//! The worker's session as plain Rust: the loaded claims, their derived features and the
//! fitted models, and one method per [`ToWorker`] request. The Web Worker is a thin shell
//! around it, so the whole protocol is tested natively.

mod choices;
mod error;
mod exports;
mod rules;
mod run;
mod shap;

use std::io::{Read, Seek};
use std::ops::ControlFlow;

use crate::analysis::evaluation::{evaluate, Evaluation, EvaluationInput};
use crate::analysis::explain::{explain_with, ExplainOptions, Explainer};
use crate::analysis::hybrid::rule_clean_training_rows;
use crate::analysis::whatif::{fields_of, vector_of, WhatIfField};
use crate::claims::ingest::{read_source, IngestOptions, SchemaReport};
use crate::claims::join::left_join;
use crate::claims::rules::{RuleOutcome, RulePack};
use crate::claims::synth::{generate, Scenario, SynthOptions};
use crate::claims::table::ColumnsView;
use crate::claims::table_bytes::{table_byte_len, table_from_bytes, write_table};
use crate::claims::ClaimsTable;
use crate::ml::binning::BinnedMatrix;
use crate::ml::forest_job::{ForestJob, GrownTrees};
use crate::ml::{FitProgress, RandomForest};
use crate::pipeline::{
    binary_labels, labels_where_present, plan_anomaly, plan_forest, prepare_owned, Algorithm, AnomalyPlan,
    AnomalyRequest, EncodedTable, ForestPlan, ScoringModel, TrainRequest,
};
use crate::protocol::{
    proposed_label, Envelope, FilePart, FromWorker, LoadedData, ModelOrigin, ModelRun, ModelSlot, RunRequest,
    RunResults, ToWorker,
};
use crate::sorting::sort_stable_by;
pub use choices::{feature_choices, label_choices, positive_word};
pub use error::SessionError;
pub use run::{Output, Run, Work};
pub use shap::ShapWork;

/// Claims sampled for the evaluation's mean |SHAP| and beeswarm.
pub const EVALUATION_SHAP_SAMPLE: usize = 200;

/// The progress stage while a random forest's trees grow.
pub const FITTING_FOREST_STAGE: &str = "Fitting the random forest";
/// The progress stage while an isolation forest grows (and, unless the pool does it, scores).
pub const FITTING_ISOLATION_STAGE: &str = "Fitting the isolation forest";
/// The progress stage after a random forest's trees, while every claim is scored.
pub const SCORING_STAGE: &str = "Scoring every claim";
/// The progress stage while the evaluation measures the model (metrics, curves, histogram).
pub const EVALUATING_STAGE: &str = "Measuring the model";

/// A file posted with a request (an upload), read as a stream: a claims file is never held
/// whole. Bytes in memory (`std::io::Cursor`) are one; the worker reads a browser `File`
/// in slices.
pub trait PostedFile: Read + Seek {}

impl<T: Read + Seek> PostedFile for T {}

/// Model and rule files are read whole; past this size a file is no such file.
const MAX_SMALL_FILE_BYTES: u64 = 256 << 20;

/// What scoring every claim with an assembled random forest needs, to run elsewhere
/// ([`Session::forest_scoring`]).
pub struct ForestScoring<'a> {
    /// The positive class's explanation view as bytes; its batch predictions are the
    /// probabilities.
    pub view: Vec<u8>,
    /// Every claim as the bin codes the forest grew on, which score exactly as their values
    /// and travel in a quarter of the bytes ([`crate::ml::shap::wire::binned_rows_to_bytes`]).
    pub rows: &'a BinnedMatrix,
}

/// The worker's state between requests.
#[derive(Default)]
pub struct Session {
    data: Option<SessionData>,
    models: Vec<FittedModel>,
    labels: Option<Vec<bool>>,
    label_column: Option<String>,
    rules: Option<SessionRules>,
    pending_forest: Option<PendingForest>,
    pending_isolation: Option<PendingIsolation>,
    /// Counts model changes, so SHAP values computed elsewhere match the models they explain.
    generation: u64,
    provided_shap: Option<shap::ProvidedShap>,
}

/// A random forest planned ahead of its `Train` request, with trees grown elsewhere.
struct PendingForest {
    request: TrainRequest,
    plan: ForestPlan,
    grown: Option<Vec<GrownTrees>>,
    forest: Option<RandomForest>,
    scores: Option<Vec<f64>>,
}

/// An isolation forest grown ahead of its `Train` request, with scores computed elsewhere.
struct PendingIsolation {
    request: AnomalyRequest,
    plan: AnomalyPlan,
    mean_path_lengths: Option<Vec<f64>>,
}

/// The session's rule pack and its outcome on the prepared claims.
struct SessionRules {
    pack: RulePack,
    origin: String,
    outcome: RuleOutcome,
}

struct SessionData {
    source: String,
    /// The claims as read, then the derived features (`prepare_owned` appends them after the
    /// claims' own columns, so the claims are stored once).
    prepared: ClaimsTable,
    /// How many of `prepared`'s columns are the claims' own.
    n_claim_columns: usize,
    report: Option<SchemaReport>,
}

impl SessionData {
    /// The claims' own columns, without the derived features.
    fn claims(&self) -> ColumnsView<'_> {
        self.prepared.leading_columns(self.n_claim_columns)
    }
}

struct FittedModel {
    slot: ModelSlot,
    model: ScoringModel,
    scores: Vec<f64>,
    is_test_row: Option<Vec<bool>>,
    evaluation: Evaluation,
    positive_word: String,
    origin: ModelOrigin,
    training_note: Option<String>,
    /// Built on the first explanation and kept: it costs a walk over every tree node.
    explainer: std::cell::OnceCell<Explainer>,
    /// The seed of the evaluation's explained sample.
    sample_seed: u64,
}

impl FittedModel {
    fn explainer(&self) -> &Explainer {
        self.explainer.get_or_init(|| Explainer::new(&self.model))
    }
}

/// A request's outcome: the reply, or a sentence for the user.
type Reply = Result<FromWorker, SessionError>;

impl Session {
    /// A session with no claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one request. `file` is the `File` posted with a request that reads one
    /// ([`ToWorker::reads_file`]); `report` receives progress. The reply and every progress
    /// report carry the request's job number. Never panics on any input: every failure is a
    /// `Failed` reply and leaves the session as it was.
    pub fn handle(
        &mut self,
        request: Envelope<ToWorker>,
        file: Option<Box<dyn PostedFile>>,
        report: &mut dyn FnMut(Envelope<FromWorker>),
    ) -> Envelope<FromWorker> {
        let Envelope { job_id, body } = request;
        let report = &mut |progress: FromWorker| report(Envelope::new(job_id, progress));
        let outcome = match body {
            ToWorker::Generate { scenario, options } => self.generate(scenario, &options),
            ToWorker::IngestFile { file_name, part } => self.ingest(&file_name, part, file),
            ToWorker::JoinFile { file_name } => self.join(&file_name, file),
            ToWorker::ScoreBatch { file_name, options } => self.score_batch(&file_name, &options, file),
            ToWorker::Restore { source, table, report } => self.restore(source, &table, report),
            ToWorker::Train { request } => self.train(&request, report),
            ToWorker::LoadModelFile { file_name } => {
                read_whole(file, &file_name).and_then(|bytes| self.load_model(&file_name, &bytes))
            }
            ToWorker::Explain { slot, row } => self.explain(slot, row),
            ToWorker::WhatIf { slot, fields } => self.what_if(slot, &fields),
            ToWorker::ExplainSample { slot } => self.explain_sample(slot),
            ToWorker::Export { request, options } => self.export(&request, &options),
            ToWorker::SetRules { pack, origin } => self.set_rules(*pack, origin),
            ToWorker::LoadRulesFile { file_name } => {
                read_whole(file, &file_name).and_then(|bytes| self.load_rules_file(&file_name, &bytes))
            }
        };
        Envelope::new(job_id, outcome.unwrap_or_else(|error| FromWorker::Failed { message: error.to_string() }))
    }

    /// How many bytes the session's claims take as [`crate::claims::table_bytes`] (`None`
    /// with no claims). A `Loaded` reply carries no claims: its caller sends them after it,
    /// sized by this and written by [`Session::write_claims`], so they never sit in one
    /// block beside the claims they copy (about 75 MB at a million claims).
    pub fn claims_byte_len(&self) -> Option<usize> {
        self.data.as_ref().map(|data| table_byte_len(data.claims()))
    }

    /// Writes the session's claims to `out` as [`crate::claims::table_bytes`], a chunk at
    /// a time; [`Session::claims_byte_len`] of them, or nothing with no claims.
    pub fn write_claims(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        match &self.data {
            Some(data) => write_table(data.claims(), out),
            None => Ok(()),
        }
    }

    /// Plans the random forest of a `Train` request and keeps the plan, so its trees can
    /// grow elsewhere (the browser's worker pool) before the request itself is handled.
    /// `Ok(None)` when the request fits no random forest.
    pub fn plan_forest(&mut self, request: &RunRequest) -> Result<Option<&ForestJob>, SessionError> {
        self.pending_forest = None;
        let Some(train_request) = forest_request(request) else { return Ok(None) };
        let plan = plan_forest(&self.data()?.prepared, &train_request)?;
        let pending = self.pending_forest.insert(PendingForest {
            request: train_request,
            plan,
            grown: None,
            forest: None,
            scores: None,
        });
        Ok(Some(pending.plan.job()))
    }

    /// Trees grown elsewhere for the planned forest; the next `Train` with the same request
    /// assembles them instead of growing its own. Ignored when nothing is planned.
    pub fn provide_trees(&mut self, grown: Vec<GrownTrees>) {
        if let Some(pending) = &mut self.pending_forest {
            pending.grown = Some(grown);
        }
    }

    /// Assembles the planned forest from the trees provided, and returns what scoring every
    /// claim needs, so it can run elsewhere.
    pub fn forest_scoring(&mut self) -> Result<Option<ForestScoring<'_>>, SessionError> {
        let Some(pending) = &mut self.pending_forest else { return Ok(None) };
        let Some(grown) = pending.grown.take() else { return Ok(None) };
        let forest = pending.plan.job().assemble(grown)?;
        let view = forest.shap_ensemble(1).to_bytes();
        pending.forest = Some(forest);
        Ok(Some(ForestScoring { view, rows: pending.plan.binned() }))
    }

    /// Every claim's probability under the planned forest, computed elsewhere.
    pub fn provide_forest_scores(&mut self, scores: Vec<f64>) {
        if let Some(pending) = &mut self.pending_forest {
            pending.scores = Some(scores);
        }
    }

    /// Grows the isolation forest of a `Train` request (the cheap part) and keeps it, and
    /// returns what scoring every claim needs, so it can run elsewhere: the forest's view as
    /// bytes (its batch predictions are mean path lengths) and every claim's row. `Ok(None)`
    /// when the request fits no isolation forest.
    pub fn plan_isolation(
        &mut self,
        request: &RunRequest,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<Option<(Vec<u8>, EncodedTable<'_>)>, SessionError> {
        self.pending_isolation = None;
        if !request.algorithm.fits_isolation() {
            return Ok(None);
        }
        let (anomaly_request, _) = self.isolation_request(request)?;
        let plan = plan_anomaly(&self.data()?.prepared, &anomaly_request, on_progress)?;
        let view = plan.view().to_bytes();
        self.pending_isolation = Some(PendingIsolation { request: anomaly_request, plan, mean_path_lengths: None });
        let (Some(pending), Some(data)) = (&self.pending_isolation, &self.data) else { return Ok(None) };
        let rows = pending.plan.rows(&data.prepared)?;
        Ok(Some((view, rows)))
    }

    /// Every claim's mean path length under the planned isolation forest, computed elsewhere.
    pub fn provide_isolation_lengths(&mut self, mean_path_lengths: Vec<f64>) {
        if let Some(pending) = &mut self.pending_isolation {
            pending.mean_path_lengths = Some(mean_path_lengths);
        }
    }

    /// The isolation forest's request for a run: on the rule-clean claims unless the run
    /// says otherwise, with the sentence that says what it learnt from.
    fn isolation_request(&self, request: &RunRequest) -> Result<(AnomalyRequest, Option<String>), SessionError> {
        let table = &self.data()?.prepared;
        let mut anomaly_request = AnomalyRequest::new(request.feature_columns.clone(), request.isolation.clone());
        let note = match (&self.rules, request.isolation_on_rule_clean) {
            (Some(rules), true) => {
                let min_clean = request.isolation.max_samples.clamp(2, table.n_rows().max(2));
                let training = rule_clean_training_rows(&rules.outcome.flag, min_clean);
                let note = training.fallback.clone().unwrap_or_else(|| {
                    format!(
                        "Learnt what normal looks like from the {} of {} claims that trip no rule of the {} pack.",
                        crate::analysis::format_count(training.rows.len()),
                        crate::analysis::format_count(table.n_rows()),
                        rules.pack.name
                    )
                });
                if training.fallback.is_none() {
                    anomaly_request.training_rows = Some(training.rows);
                }
                Some(note)
            }
            _ => None,
        };
        Ok((anomaly_request, note))
    }

    fn generate(&mut self, scenario: Scenario, options: &SynthOptions) -> Reply {
        self.load_new(|| {
            let table = generate(scenario, options).map_err(|e| format!("Could not generate claims: {e}"))?;
            Ok((format!("{scenario} claims, seed {}", options.seed), table, None))
        })
    }

    fn ingest(&mut self, file_name: &str, part: FilePart, file: Option<Box<dyn PostedFile>>) -> Reply {
        let source: Box<dyn PostedFile> = file.unwrap_or_else(|| Box::new(std::io::Cursor::new(Vec::new())));
        let options = IngestOptions { entry: part.entry, sheet: part.sheet, ..IngestOptions::default() };
        self.load_new(|| {
            let ingested = read_source(source, file_name, &options)?;
            Ok((file_name.to_owned(), ingested.table, Some(ingested.report)))
        })
    }

    /// Joins an entity file onto the session's claims (see `claims::join`): the claims gain
    /// its columns, their features are made again, and the models fitted before go, as with
    /// new claims. The schema report says what was joined. A refused join leaves everything.
    fn join(&mut self, file_name: &str, file: Option<Box<dyn PostedFile>>) -> Reply {
        if self.data.is_none() {
            return Err("Load claims before joining a file to them.".into());
        }
        let source: Box<dyn PostedFile> = file.unwrap_or_else(|| Box::new(std::io::Cursor::new(Vec::new())));
        let options = IngestOptions::default();
        let entity = read_source(source, file_name, &options)?.table;
        let Some(data) = self.data.as_mut() else { return Err("Load claims before joining a file to them.".into()) };
        data.prepared.truncate_columns(data.n_claim_columns);
        let joined = left_join(&mut data.prepared, &entity, file_name, None, options.budget.max_cells);
        let report = match joined {
            Ok(report) => report,
            Err(error) => {
                self.derive_features_again();
                return Err(error.into());
            }
        };
        let Some(data) = self.data.take() else { return Err("Load claims before joining a file to them.".into()) };
        let mut schema = data.report;
        if let Some(schema) = &mut schema {
            schema.notes.push(report.describe());
        }
        self.load(format!("{} + {file_name}", data.source), data.prepared, schema)
    }

    fn restore(&mut self, source: String, bytes: &[u8], report: Option<Box<SchemaReport>>) -> Reply {
        self.load_new(|| {
            let table = table_from_bytes(bytes).map_err(|e| format!("Could not restore the claims: {e}"))?;
            Ok((source, table, report.map(|r| *r)))
        })
    }

    /// Makes the claims that `read` makes (named by its source) the session's data,
    /// dropping the models fitted on the old data.
    ///
    /// The old claims stay until the new ones load, but their derived features (more than
    /// half the table) go before `read` starts, so the new claims are read and prepared
    /// beside the old claims alone. If anything fails, the features are made again from
    /// the kept claims, and the models stay.
    fn load_new(
        &mut self,
        read: impl FnOnce() -> Result<(String, ClaimsTable, Option<SchemaReport>), SessionError>,
    ) -> Reply {
        if let Some(old) = &mut self.data {
            old.prepared.truncate_columns(old.n_claim_columns);
        }
        let reply = read().and_then(|(source, raw, report)| self.load(source, raw, report));
        if reply.is_err() {
            self.derive_features_again();
        }
        reply
    }

    /// Makes `raw` the session's data (dropping the models fitted on the old data). The
    /// caller, [`Session::load_new`], has dropped the old claims' features, and makes them
    /// again if this fails.
    fn load(&mut self, source: String, raw: ClaimsTable, report: Option<SchemaReport>) -> Reply {
        if raw.n_rows() == 0 {
            return Err(format!("{source}: there are no claims to load").into());
        }
        let labels = label_choices(&raw);
        let n_claim_columns = raw.columns().len();
        let (prepared, plan) = prepare_owned(raw).map_err(|error| format!("{source}: {error}"))?;
        let default_label = proposed_label(&labels).map(|choice| choice.column.as_str());
        let features = feature_choices(&prepared, &plan, default_label);
        let rules = self.rules_for(&prepared);
        let data = LoadedData {
            source: source.clone(),
            report: report.clone().map(Box::new),
            plan,
            labels,
            features,
            rules: rules.as_ref().map(|rules| Box::new(rules.to_data())),
        };
        self.models.clear();
        self.data = Some(SessionData { source, prepared, n_claim_columns, report });
        self.rules = rules;
        self.labels = None;
        self.label_column = None;
        Ok(FromWorker::Loaded { data: Box::new(data) })
    }

    /// Makes the kept claims' derived features again, after [`Session::load_new`] dropped
    /// them for new claims that then failed (claims that still have theirs are left as
    /// they are). The same claims give the same features; if they somehow could not, the
    /// claims go too, rather than stay without their features.
    fn derive_features_again(&mut self) {
        if self.data.as_ref().is_none_or(|data| data.prepared.columns().len() != data.n_claim_columns) {
            return;
        }
        let Some(old) = self.data.take() else { return };
        let SessionData { source, prepared, n_claim_columns, report } = old;
        match prepare_owned(prepared) {
            Ok((prepared, _)) => self.data = Some(SessionData { source, prepared, n_claim_columns, report }),
            Err(_) => {
                self.models.clear();
                self.rules = None;
            }
        }
    }

    fn data(&self) -> Result<&SessionData, SessionError> {
        self.data.as_ref().ok_or(SessionError::NoClaims)
    }

    fn train(&mut self, request: &RunRequest, report: &mut dyn FnMut(FromWorker)) -> Reply {
        let pending = self.pending_forest.take();
        let pending_isolation = self.pending_isolation.take();
        let data = self.data()?;
        let table = &data.prepared;
        let label_column = request.label_column.clone();
        if request.algorithm.fits_forest() && label_column.is_none() {
            return Err(
                "Choose a label column to train a random forest, or pick the isolation forest, which needs none."
                    .into(),
            );
        }
        // A claim without a label (one a joined provider list does not reach) is learned
        // from by no model; the rule and tier charts count it as not positive.
        let labels = match &label_column {
            Some(column) => Some(
                labels_where_present(table, column, request.positive_label.as_deref())?
                    .into_iter()
                    .map(|label| label == Some(1))
                    .collect::<Vec<bool>>(),
            ),
            None => None,
        };
        let n_forest = if request.algorithm.fits_forest() { request.forest.n_trees } else { 0 };
        let total = request.n_trees_total();
        let mut fitted = Vec::new();
        if request.algorithm.fits_forest() {
            let stage = FITTING_FOREST_STAGE;
            let Some(train_request) = forest_request(request) else {
                return Err("Choose a label column to train a random forest.".into());
            };
            let pending = match pending {
                Some(pending) if pending.request == train_request => pending,
                _ => {
                    let plan = plan_forest(table, &train_request)?;
                    PendingForest { request: train_request, plan, grown: None, forest: None, scores: None }
                }
            };
            let job = pending.plan.job();
            let forest = match (pending.forest, pending.grown) {
                (Some(forest), _) => Ok(forest),
                (None, Some(parts)) => job.assemble(parts),
                (None, None) => {
                    report(FromWorker::Progress { done: 0, total, stage: stage.into() });
                    let mut on_progress = |p: FitProgress| {
                        report(FromWorker::Progress { done: p.n_trees_done, total, stage: stage.into() });
                        ControlFlow::Continue(())
                    };
                    job.grow(0..job.n_trees(), &mut on_progress).and_then(|grown| job.assemble(vec![grown]))
                }
            }?;
            report(FromWorker::Progress { done: n_forest, total, stage: SCORING_STAGE.into() });
            let fit = pending.plan.finish(forest, pending.scores)?;
            report(FromWorker::Progress { done: n_forest, total, stage: EVALUATING_STAGE.into() });
            let word = positive_word(label_column.as_deref());
            let forest = fit_result(
                ModelSlot::Forest,
                fit.model,
                fit.report.scores,
                Some(fit.report.is_test_row),
                labels.as_deref(),
                request.split_seed,
                word,
                ModelOrigin::TrainedNow,
            )?;
            fitted.push(forest);
        }
        if request.algorithm.fits_isolation() {
            let stage = FITTING_ISOLATION_STAGE;
            report(FromWorker::Progress { done: n_forest, total, stage: stage.into() });
            let (anomaly_request, training_note) = self.isolation_request(request)?;
            let mut on_progress = |p: FitProgress| {
                report(FromWorker::Progress { done: n_forest + p.n_trees_done, total, stage: stage.into() });
                ControlFlow::Continue(())
            };
            let (plan, lengths) = match pending_isolation {
                Some(pending) if pending.request == anomaly_request => (pending.plan, pending.mean_path_lengths),
                _ => (plan_anomaly(table, &anomaly_request, &mut on_progress)?, None),
            };
            if lengths.is_none() {
                report(FromWorker::Progress { done: total, total, stage: SCORING_STAGE.into() });
            }
            let fit = plan.finish(table, lengths)?;
            report(FromWorker::Progress { done: total, total, stage: EVALUATING_STAGE.into() });
            let mut isolation = fit_result(
                ModelSlot::Isolation,
                fit.model,
                fit.scores,
                None,
                labels.as_deref(),
                request.isolation.seed,
                "Flagged".into(),
                ModelOrigin::TrainedNow,
            )?;
            isolation.training_note = training_note;
            fitted.push(isolation);
        }
        self.models = fitted;
        self.generation += 1;
        self.labels = labels;
        self.label_column = label_column;
        Ok(FromWorker::Trained { results: Box::new(self.results()) })
    }

    fn load_model(&mut self, file_name: &str, bytes: &[u8]) -> Reply {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| format!("{file_name}: a model file is JSON text, and this is not text"))?;
        let model = ScoringModel::from_json(text).map_err(|e| format!("{file_name}: {e}"))?;
        let data = self.data()?;
        let (slot, label_column, word) = match model.algorithm() {
            Algorithm::RandomForest { label_column, .. } => {
                (ModelSlot::Forest, Some(label_column.clone()), positive_word(Some(label_column)))
            }
            Algorithm::IsolationForest { .. } => (ModelSlot::Isolation, None, "Flagged".to_owned()),
        };
        let rows = model
            .encoder()
            .view(&data.prepared)
            .map_err(|e| format!("{file_name} cannot score {}: {e}", data.source))?;
        let scores = model.score_rows(&rows).map_err(|e| format!("{file_name}: {e}"))?;
        // Evaluate against the label when the data has it; otherwise keep the session's labels.
        let labels = match label_column.as_deref().filter(|c| data.prepared.column(c).is_some()) {
            Some(column) => binary_labels(&data.prepared, column, None)
                .ok()
                .map(|labels| labels.into_iter().map(|l| l == 1).collect::<Vec<bool>>()),
            None => self.labels.clone(),
        };
        let evaluation =
            evaluate(&EvaluationInput { model: &model, scores: &scores, labels: labels.as_deref(), is_test_row: None });
        let loaded = FittedModel {
            slot,
            model,
            scores,
            is_test_row: None,
            evaluation,
            positive_word: word,
            origin: ModelOrigin::File(file_name.to_owned()),
            training_note: None,
            explainer: Default::default(),
            sample_seed: 0,
        };
        if labels.is_some() && label_column.is_some() {
            self.label_column = label_column;
        }
        self.labels = labels;
        self.models.retain(|m| m.slot != slot);
        self.models.push(loaded);
        sort_stable_by(&mut self.models, &|a, b| {
            (a.slot == ModelSlot::Isolation).cmp(&(b.slot == ModelSlot::Isolation))
        });
        self.generation += 1;
        Ok(FromWorker::Trained { results: Box::new(self.results()) })
    }

    fn fitted(&self, slot: ModelSlot) -> Result<&FittedModel, SessionError> {
        self.models
            .iter()
            .find(|m| m.slot == slot)
            .ok_or_else(|| SessionError::from(format!("No {} has been trained on these claims yet.", slot.name())))
    }

    /// The session's claims as `fitted` reads them.
    fn rows_of<'a>(&'a self, fitted: &FittedModel) -> Result<EncodedTable<'a>, SessionError> {
        Ok(fitted.model.encoder().view(&self.data()?.prepared)?)
    }

    fn explain(&self, slot: ModelSlot, row: usize) -> Reply {
        let fitted = self.fitted(slot)?;
        let vector = self.rows_of(fitted)?.row(row).ok_or_else(|| format!("There is no claim in row {}.", row + 1))?;
        let options = ExplainOptions { tree_idx: None, positive_word: Some(fitted.positive_word.clone()) };
        let explanation = explain_with(&fitted.model, fitted.explainer(), &vector, Some(row), &options);
        let fields = fields_of(&fitted.model, &vector);
        Ok(FromWorker::Explained { explanation: Box::new(explanation), fields })
    }

    fn what_if(&self, slot: ModelSlot, fields: &[WhatIfField]) -> Reply {
        let fitted = self.fitted(slot)?;
        let vector = vector_of(&fitted.model, fields).map_err(|e| e.to_string())?;
        let options = ExplainOptions { tree_idx: None, positive_word: Some(fitted.positive_word.clone()) };
        let explanation = explain_with(&fitted.model, fitted.explainer(), &vector, None, &options);
        Ok(FromWorker::Explained { explanation: Box::new(explanation), fields: fields.to_vec() })
    }

    fn results(&self) -> RunResults {
        RunResults {
            models: self
                .models
                .iter()
                .map(|m| ModelRun {
                    slot: m.slot,
                    scores: m.scores.clone(),
                    threshold: m.model.threshold(),
                    is_test_row: m.is_test_row.clone(),
                    evaluation: Box::new(m.evaluation.clone()),
                    feature_names: m.model.feature_names(),
                    positive_word: m.positive_word.clone(),
                    origin: m.origin.clone(),
                    training_note: m.training_note.clone(),
                })
                .collect(),
            labels: self.labels.clone(),
            label_column: self.label_column.clone(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_result(
    slot: ModelSlot,
    model: ScoringModel,
    scores: Vec<f64>,
    is_test_row: Option<Vec<bool>>,
    labels: Option<&[bool]>,
    seed: u64,
    positive_word: String,
    origin: ModelOrigin,
) -> Result<FittedModel, SessionError> {
    // The explained sample follows as its own request (`ExplainSample`).
    let evaluation =
        evaluate(&EvaluationInput { model: &model, scores: &scores, labels, is_test_row: is_test_row.as_deref() });
    Ok(FittedModel {
        slot,
        model,
        scores,
        is_test_row,
        evaluation,
        positive_word,
        origin,
        training_note: None,
        explainer: Default::default(),
        sample_seed: seed,
    })
}

/// The pipeline request for a run's random forest; `None` when the run fits none or has
/// no label.
fn forest_request(request: &RunRequest) -> Option<TrainRequest> {
    let label_column = request.label_column.clone().filter(|_| request.algorithm.fits_forest())?;
    Some(TrainRequest {
        label_column,
        positive_label: request.positive_label.clone(),
        feature_columns: request.feature_columns.clone(),
        forest: request.forest.clone(),
        test_fraction: request.test_fraction,
        split_seed: request.split_seed,
        decision_threshold: 0.5,
    })
}

/// A small posted file (a model, a rule pack) read whole; no file reads as empty.
fn read_whole(file: Option<Box<dyn PostedFile>>, file_name: &str) -> Result<Vec<u8>, SessionError> {
    let mut bytes = Vec::new();
    let Some(file) = file else { return Ok(bytes) };
    file.take(MAX_SMALL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("{file_name}: the file could not be read ({error})"))?;
    if bytes.len() as u64 > MAX_SMALL_FILE_BYTES {
        return Err(SessionError::Refused(format!(
            "{file_name}: the file is over {} MB, too large for a model or rule pack",
            MAX_SMALL_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
