//! The page's state: every signal the panels share, the worker client, and the actions that
//! send requests and fold replies into signals. Logic stays in `page`, `analysis` and `session`.

use std::io::BufReader;
use std::sync::Arc;

use leptos::prelude::*;

use super::download::save_bytes;
use super::js_bytes::JsBytes;
use super::worker_client::{WorkerClient, WorkerEvent};
use crate::analysis::explain::ClaimExplanation;
use crate::analysis::export::ExportOptions;
use crate::analysis::format_count;
use crate::analysis::hybrid::{claim_priority, AnomalyRescale, HybridWeights, ScoreKind};
use crate::analysis::queue::QueueSettings;
use crate::analysis::salt::{new_salt, typed_salt};
use crate::analysis::tiers::TierCuts;
use crate::analysis::whatif::WhatIfField;
use crate::claims::rules::{builtin_pack, RuleOutcome, RulePack};
use crate::claims::synth::{Scenario, SynthOptions};
use crate::claims::table_bytes::{read_sized_table, table_to_bytes};
use crate::claims::ClaimsTable;
use crate::page::results::ResultsQuery;
use crate::page::train_form::TrainForm;
use crate::page::{JobKind, JobState, DEFAULT_GENERATED_ROWS, DEFAULT_SEED};
use crate::pipeline::binary_labels;
use crate::protocol::{
    AlgorithmChoice, ExportRequest, FilePart, FromWorker, JobId, LoadedData, ModelRun, ModelSlot, PriorityChoice,
    RulesData, RunResults, ToWorker,
};
use crate::session::proposed_label;

/// The claims' bytes are copied from JavaScript memory this many at a time (each copy is a
/// call across the boundary; the text of a million claim ids is many small reads).
const CLAIMS_READ_BYTES: usize = 1 << 20;

/// The screens of the workspace, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Generate or upload claims, and see the schema report.
    Data,
    /// The rule pack: edit, upload, download; hybrid weights.
    Rules,
    /// Choose label, features and algorithm, and train.
    Train,
    /// Every scored claim, and one claim explained.
    Results,
    /// Metrics and charts.
    Evaluation,
    /// The review queue.
    Queue,
    /// Member, provider or prescriber, and pharmacy summaries.
    Summaries,
    /// Edit a claim and rescore it.
    WhatIf,
    /// Downloads and model upload.
    Files,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Screen; 9] = [
        Screen::Data,
        Screen::Rules,
        Screen::Train,
        Screen::Results,
        Screen::Evaluation,
        Screen::Queue,
        Screen::Summaries,
        Screen::WhatIf,
        Screen::Files,
    ];

    /// The tab's text.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Data => "Data",
            Screen::Rules => "Rules",
            Screen::Train => "Train",
            Screen::Results => "Scored claims",
            Screen::Evaluation => "Evaluation",
            Screen::Queue => "Review queue",
            Screen::Summaries => "Summaries",
            Screen::WhatIf => "What-if",
            Screen::Files => "Downloads",
        }
    }

    /// The tab's `data-testid` and element id stem.
    pub fn slug(self) -> &'static str {
        match self {
            Screen::Data => "data",
            Screen::Rules => "rules",
            Screen::Train => "train",
            Screen::Results => "results",
            Screen::Evaluation => "evaluation",
            Screen::Queue => "queue",
            Screen::Summaries => "summaries",
            Screen::WhatIf => "whatif",
            Screen::Files => "files",
        }
    }
}

/// The latest results, which model's score ranks the claims, and the priority made from it
/// (blended with the rules when they run); cheap to clone.
#[derive(Clone, PartialEq)]
pub struct Ranking {
    /// The results.
    pub results: Arc<RunResults>,
    idx: usize,
    priority: Arc<Vec<f64>>,
    /// How the ranking model's score enters the hybrid (anomaly scores are rescaled).
    rescale: Option<AnomalyRescale>,
    /// Whether the rules are blended in (the hybrid priority).
    pub hybrid: bool,
}

impl Ranking {
    /// The ranking model's run.
    pub fn run(&self) -> &ModelRun {
        &self.results.models[self.idx.min(self.results.models.len().saturating_sub(1))]
    }

    /// The priority of every claim, in table order.
    pub fn priority(&self) -> &[f64] {
        &self.priority
    }

    /// The model's score of claim `row` as it enters the hybrid (anomaly scores rescaled).
    pub fn model_part(&self, row: usize) -> f64 {
        let score = self.run().scores.get(row).copied().unwrap_or(f64::NAN);
        self.rescale.map_or(score, |rescale| rescale.apply(score))
    }

    fn new(
        results: Arc<RunResults>,
        slot: ModelSlot,
        rules: Option<&RulesView>,
        weights: &HybridWeights,
    ) -> Option<Self> {
        let idx = results.models.iter().position(|m| m.slot == slot).or((!results.models.is_empty()).then_some(0))?;
        let run = &results.models[idx];
        let kind = match run.slot {
            ModelSlot::Forest => ScoreKind::Probability,
            ModelSlot::Isolation => ScoreKind::Anomaly,
        };
        let rescale = (kind == ScoreKind::Anomaly).then(|| AnomalyRescale::of(&run.scores));
        let rule_terms = rules.map(|r| (r.outcome.max_severity.as_slice(), r.outcome.flag.as_slice()));
        let priority = claim_priority(Some((&run.scores, kind)), rule_terms, weights);
        Some(Ranking { idx, priority: Arc::new(priority), rescale, hybrid: rule_terms.is_some(), results })
    }
}

/// The session's rules as the page holds them.
#[derive(Clone, PartialEq)]
pub struct RulesView {
    /// The pack.
    pub pack: RulePack,
    /// Where it came from ("built-in medical pack", a file name, "edited in ClaimForest").
    pub origin: String,
    /// Its hits, per-claim severity and flag, rebuilt once from what the worker sent.
    pub outcome: RuleOutcome,
}

impl RulesView {
    /// "Running the medical pack (built-in medical pack): 9 of 9 rules ran; 3,669 of 20,000
    /// claims hit at least one."
    pub fn summary(&self) -> String {
        format!(
            "Running the {} pack ({}): {} of {} rules ran; {} of {} claims hit at least one.",
            self.pack.name,
            self.origin,
            self.outcome.rules.len(),
            self.pack.rules.len(),
            format_count(self.outcome.flagged_count()),
            format_count(self.outcome.n_rows),
        )
    }
}

/// Loaded claims as the page holds them.
pub struct DataView {
    /// What the worker said about them.
    pub loaded: LoadedData,
    /// The raw claims, decoded once.
    pub table: Arc<ClaimsTable>,
}

/// The generate form's text.
#[derive(Clone, Copy)]
pub struct GenerateForm {
    /// Which scenario.
    pub scenario: RwSignal<Scenario>,
    /// Rows to generate.
    pub rows: RwSignal<String>,
    /// The seed.
    pub seed: RwSignal<String>,
    /// Planted fraud, in percent.
    pub fraud_percent: RwSignal<String>,
}

/// One model's explained sample: mean |SHAP| per feature and the beeswarm.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleShap {
    /// Which model.
    pub slot: ModelSlot,
    /// Mean |SHAP| per feature, largest first.
    pub mean_abs_shap: Vec<crate::analysis::evaluation::NamedValue>,
    /// One point per sampled claim and top feature.
    pub beeswarm: crate::analysis::evaluation::Beeswarm,
}

/// Every shared signal of the page. Cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The screen shown.
    pub screen: RwSignal<Screen>,
    /// The generate form.
    pub generate: GenerateForm,
    /// The loaded claims.
    pub data: RwSignal<Option<Arc<DataView>>>,
    /// The training form.
    pub train_form: RwSignal<TrainForm>,
    /// The latest scores.
    pub results: RwSignal<Option<Arc<RunResults>>>,
    /// The rule pack running on the claims and its hits.
    pub rules: RwSignal<Option<Arc<RulesView>>>,
    /// The pack being edited (applied with [`AppState::apply_rules`]).
    pub rule_draft: RwSignal<Option<RulePack>>,
    /// Whether the rules are blended into the priority.
    pub use_rules: RwSignal<bool>,
    /// The hybrid priority's weights.
    pub weights: RwSignal<HybridWeights>,
    /// Which model's score is the priority.
    pub rank_by: RwSignal<ModelSlot>,
    /// Tier cut points.
    pub cuts: RwSignal<TierCuts>,
    /// The results table's sort and filter.
    pub query: RwSignal<ResultsQuery>,
    /// The claim selected for explanation.
    pub selected: RwSignal<Option<usize>>,
    /// Its explanation.
    pub explanation: RwSignal<Option<Arc<ClaimExplanation>>>,
    /// The what-if form.
    pub whatif_fields: RwSignal<Vec<WhatIfField>>,
    /// The what-if claim's explanation.
    pub whatif: RwSignal<Option<Arc<ClaimExplanation>>>,
    /// The Summaries screen's level (`None`: the first the data has).
    pub summary_level: RwSignal<Option<crate::claims::summaries::EntityLevel>>,
    /// The entity whose claims the Summaries screen lists.
    pub summary_entity: RwSignal<Option<String>>,
    /// Queue capacity as typed.
    pub capacity: RwSignal<String>,
    /// Lowest priority worth queueing.
    pub queue_threshold: RwSignal<f64>,
    /// Whether downloads hash member and provider identifiers.
    pub hash_ids: RwSignal<bool>,
    /// The salt of that hashing: 256 random bits, or one the user typed.
    pub salt: RwSignal<String>,
    /// Why no salt could be drawn, or why a typed one was not taken.
    pub salt_error: RwSignal<Option<String>>,
    /// The long job.
    pub job: RwSignal<JobState>,
    /// The page clock, ticking while a job runs.
    pub now_ms: RwSignal<f64>,
    /// The error banner.
    pub error: RwSignal<Option<String>>,
    /// The status line.
    pub status: RwSignal<String>,
    /// The evaluation's explained sample per model (mean |SHAP| and beeswarm), which
    /// arrives after training.
    pub sample_shap: RwSignal<Vec<SampleShap>>,
    /// The explained-sample requests in flight, and the model each explains.
    sample_jobs: RwSignal<Vec<(JobId, ModelSlot)>>,
    /// How long each stage of the last finished job took ("Fitting the random forest 1.9 s · ...").
    pub stage_times: RwSignal<Option<String>>,
    ranking: Memo<Option<Ranking>>,
    labels: Memo<Option<Arc<Vec<bool>>>>,
    explain_job: RwSignal<JobId>,
    whatif_job: RwSignal<JobId>,
    restore_job: RwSignal<JobId>,
    next_job_id: StoredValue<JobId>,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    /// The last claims file uploaded and the part of it read, so another part (a zip entry,
    /// a sheet) can be read.
    last_upload: StoredValue<Option<(web_sys::File, FilePart)>, LocalStorage>,
}

impl AppState {
    /// Fresh state; the worker starts with the first request.
    pub fn new() -> Self {
        let results = RwSignal::new(None::<Arc<RunResults>>);
        let rules = RwSignal::new(None::<Arc<RulesView>>);
        let use_rules = RwSignal::new(true);
        let weights = RwSignal::new(HybridWeights::default());
        let rank_by = RwSignal::new(ModelSlot::Forest);
        let ranking = Memo::new(move |_| {
            let results = results.get()?;
            let rules = rules.get().filter(|_| use_rules.get());
            weights.with(|weights| Ranking::new(results, rank_by.get(), rules.as_deref(), weights))
        });
        let data = RwSignal::new(None::<Arc<DataView>>);
        let labels = Memo::new(move |_| {
            if let Some(labels) = results.with(|r| r.as_ref().and_then(|r| r.labels.clone())) {
                return Some(Arc::new(labels));
            }
            data.with(|data| {
                let data = data.as_ref()?;
                let choice = proposed_label(&data.loaded.labels)?;
                let labels = binary_labels(&data.table, &choice.column, choice.default_positive.as_deref()).ok()?;
                Some(Arc::new(labels.into_iter().map(|label| label == 1).collect()))
            })
        });
        let state = Self {
            screen: RwSignal::new(Screen::Data),
            generate: GenerateForm {
                scenario: RwSignal::new(Scenario::Denial),
                rows: RwSignal::new(DEFAULT_GENERATED_ROWS.to_string()),
                seed: RwSignal::new(DEFAULT_SEED.to_string()),
                fraud_percent: RwSignal::new("5".into()),
            },
            data,
            labels,
            train_form: RwSignal::new(TrainForm::default()),
            results,
            rules,
            rule_draft: RwSignal::new(None),
            use_rules,
            weights,
            ranking,
            rank_by,
            cuts: RwSignal::new(TierCuts::default()),
            query: RwSignal::new(ResultsQuery::default()),
            selected: RwSignal::new(None),
            explanation: RwSignal::new(None),
            whatif_fields: RwSignal::new(Vec::new()),
            whatif: RwSignal::new(None),
            summary_level: RwSignal::new(None),
            summary_entity: RwSignal::new(None),
            capacity: RwSignal::new("100".into()),
            queue_threshold: RwSignal::new(0.0),
            hash_ids: RwSignal::new(false),
            salt: RwSignal::new(new_salt().unwrap_or_default()),
            salt_error: RwSignal::new(new_salt().err().map(|error| error.to_string())),
            job: RwSignal::new(JobState::Idle),
            now_ms: RwSignal::new(0.0),
            error: RwSignal::new(None),
            status: RwSignal::new(String::new()),
            stage_times: RwSignal::new(None),
            sample_shap: RwSignal::new(Vec::new()),
            sample_jobs: RwSignal::new(Vec::new()),
            explain_job: RwSignal::new(0),
            whatif_job: RwSignal::new(0),
            restore_job: RwSignal::new(0),
            next_job_id: StoredValue::new(1),
            client: StoredValue::new_local(None),
            last_upload: StoredValue::new_local(None),
        };
        let client = WorkerClient::new(move |event| state.on_worker_event(event));
        state.client.set_value(Some(client));
        state
    }

    /// Whether a long job runs.
    pub fn is_busy(&self) -> bool {
        self.job.with(|job| job.running_job().is_some())
    }

    /// The results with the model that ranks claims (falling back to the other one) and
    /// the priority made from it.
    pub fn ranking(&self) -> Option<Ranking> {
        self.ranking.get()
    }

    /// The labels of the claims: those of the latest training, else the first label column
    /// the data offers (positive as its default class), else none.
    pub fn known_labels(&self) -> Option<Arc<Vec<bool>>> {
        self.labels.get()
    }

    /// How the page makes the priority, for downloads to match it.
    pub fn priority_choice(&self) -> Option<PriorityChoice> {
        let ranking = self.ranking.get_untracked()?;
        Some(PriorityChoice {
            rank_by: ranking.run().slot,
            use_rules: ranking.hybrid,
            weights: self.weights.get_untracked(),
        })
    }

    /// The queue settings, or a sentence on a bad capacity.
    pub fn queue_settings(&self) -> Result<QueueSettings, String> {
        let text = self.capacity.get();
        let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
        let capacity =
            cleaned.parse::<usize>().map_err(|_| format!("Capacity: '{}' is not a whole number", text.trim()))?;
        Ok(QueueSettings { capacity, threshold: self.queue_threshold.get() })
    }

    fn next_job(&self) -> JobId {
        let id = self.next_job_id.get_value();
        self.next_job_id.set_value(id + 1);
        id
    }

    fn send(&self, message: &ToWorker, file: Option<&web_sys::File>) -> bool {
        let sent = self.client.with_value(|client| match client {
            Some(client) => client.send_with_file(message, file),
            None => Err("The background worker is not available.".into()),
        });
        match sent {
            Ok(()) => true,
            Err(message) => {
                self.job.set(JobState::Idle);
                self.error.set(Some(message));
                false
            }
        }
    }

    fn start_long_job(&self, kind: JobKind, stage: &str) -> Option<JobId> {
        if self.is_busy() {
            self.error.set(Some("Wait for the running job to finish, or cancel it.".into()));
            return None;
        }
        let job_id = self.next_job();
        let now = js_sys::Date::now();
        self.now_ms.set(now);
        self.job.set(JobState::start(job_id, kind, stage, now));
        self.error.set(None);
        Some(job_id)
    }

    /// Generates claims from the generate form.
    pub fn generate_claims(&self) {
        let form = self.generate;
        let parsed = crate::page::parse_generate_form(
            &form.rows.get_untracked(),
            &form.seed.get_untracked(),
            &form.fraud_percent.get_untracked(),
        );
        let (n_rows, seed, fraud_rate) = match parsed {
            Ok(values) => values,
            Err(input_error) => return self.error.set(Some(input_error.to_string())),
        };
        let scenario = form.scenario.get_untracked();
        let Some(job_id) = self.start_long_job(JobKind::Load, "Generating claims") else { return };
        let options = SynthOptions { n_rows, seed, fraud_rate };
        self.send(&ToWorker::Generate { job_id, scenario, options }, None);
        self.last_upload.set_value(None);
    }

    /// Reads an uploaded claims file in the worker.
    pub fn upload_claims(&self, file: web_sys::File) {
        self.read_upload(file, FilePart::default());
    }

    /// Reads another part (a zip entry, a workbook sheet) of the last uploaded file.
    pub fn read_upload_part(&self, part: FilePart) {
        if let Some((file, _)) = self.last_upload.with_value(Clone::clone) {
            self.read_upload(file, part);
        }
    }

    fn read_upload(&self, file: web_sys::File, part: FilePart) {
        let file_name = file.name();
        let what = part.entry.as_deref().or(part.sheet.as_deref()).unwrap_or(&file_name).to_owned();
        let Some(job_id) = self.start_long_job(JobKind::Load, &format!("Reading {what}")) else { return };
        self.send(&ToWorker::IngestFile { job_id, file_name, part: part.clone() }, Some(&file));
        self.last_upload.set_value(Some((file, part)));
    }

    /// Joins an entity file (a provider list with its label, a member file) onto the claims.
    pub fn join_file(&self, file: web_sys::File) {
        if self.data.with_untracked(Option::is_none) {
            return self.error.set(Some("Load claims before joining a file to them.".into()));
        }
        let file_name = file.name();
        let Some(job_id) = self.start_long_job(JobKind::Load, &format!("Joining {file_name}")) else { return };
        self.send(&ToWorker::JoinFile { job_id, file_name }, Some(&file));
    }

    /// Reads an uploaded model file in the worker and scores the claims with it.
    pub fn upload_model(&self, file: web_sys::File) {
        if self.data.with_untracked(Option::is_none) {
            return self.error.set(Some("Load the claims to score before loading a model.".into()));
        }
        let file_name = file.name();
        let Some(job_id) = self.start_long_job(JobKind::LoadModel, &format!("Scoring with {file_name}")) else {
            return;
        };
        self.send(&ToWorker::LoadModelFile { job_id, file_name }, Some(&file));
    }

    /// Trains as the training form says.
    pub fn train(&self) {
        if self.data.with_untracked(Option::is_none) {
            return self.error.set(Some("Generate or load claims before training.".into()));
        }
        let request = match self.train_form.with_untracked(TrainForm::to_request) {
            Ok(request) => request,
            Err(input_error) => return self.error.set(Some(input_error.to_string())),
        };
        let Some(job_id) = self.start_long_job(JobKind::Train, "Preparing") else { return };
        self.status.set(String::new());
        self.send(&ToWorker::Train { job_id, request: Box::new(request) }, None);
    }

    /// Stops the long job: the worker is replaced, and the claims are restored into the new one.
    pub fn cancel(&self) {
        let Some(kind) = self.job.with_untracked(JobState::running_kind) else { return };
        self.client.with_value(|client| client.as_ref().map(WorkerClient::terminate));
        self.job.set(JobState::Idle);
        // The new worker knows nothing: give it the claims the page holds.
        if let Some(data) = self.data.get_untracked() {
            let job_id = self.next_job();
            self.restore_job.set(job_id);
            let report = data.loaded.report.clone();
            let table = table_to_bytes(data.table.view());
            self.send(&ToWorker::Restore { job_id, source: data.loaded.source.clone(), table, report }, None);
        }
        let message = match kind {
            JobKind::Load => "Loading cancelled. The claims loaded before are kept.",
            JobKind::Train | JobKind::LoadModel if self.results.with_untracked(Option::is_some) => {
                "Training cancelled. The claims are kept; the earlier scores were cleared, so train again to score them."
            }
            JobKind::Train | JobKind::LoadModel => "Training cancelled. The claims are kept.",
        };
        self.clear_results();
        self.status.set(message.into());
    }

    /// Explains claim `row` with the ranking model.
    pub fn explain(&self, row: usize) {
        self.selected.set(Some(row));
        let Some(slot) = self.ranking().map(|r| r.run().slot) else { return };
        let job_id = self.next_job();
        self.explain_job.set(job_id);
        self.send(&ToWorker::Explain { job_id, slot, row }, None);
    }

    /// Rescores the what-if form.
    pub fn rescore_what_if(&self) {
        let Some(slot) = self.ranking().map(|r| r.run().slot) else { return };
        let job_id = self.next_job();
        self.whatif_job.set(job_id);
        let fields = self.whatif_fields.get_untracked();
        self.send(&ToWorker::WhatIf { job_id, slot, fields }, None);
    }

    /// Runs the edited pack on the claims.
    pub fn apply_rules(&self) {
        let Some(pack) = self.rule_draft.get_untracked() else { return };
        if let Err(error) = pack.validate() {
            return self.error.set(Some(format!("The rules cannot be applied: {error}.")));
        }
        self.send_rules(pack, "edited in ClaimForest".into());
    }

    /// Runs the built-in pack `name` on the claims.
    pub fn use_builtin_rules(&self, name: &str) {
        match builtin_pack(name) {
            Ok(pack) => self.send_rules(pack, format!("built-in {name} pack")),
            Err(error) => self.error.set(Some(error.to_string())),
        }
    }

    /// Reads an uploaded rule pack in the worker and runs it.
    pub fn upload_rules(&self, file: web_sys::File) {
        if self.data.with_untracked(Option::is_none) {
            return self.error.set(Some("Load claims before loading a rule pack.".into()));
        }
        let job_id = self.next_job();
        self.error.set(None);
        self.send(&ToWorker::LoadRulesFile { job_id, file_name: file.name() }, Some(&file));
    }

    fn send_rules(&self, pack: RulePack, origin: String) {
        if self.data.with_untracked(Option::is_none) {
            return self.error.set(Some("Load claims before choosing rules.".into()));
        }
        let job_id = self.next_job();
        self.error.set(None);
        self.send(&ToWorker::SetRules { job_id, pack: Box::new(pack), origin }, None);
    }

    /// Makes `rules` the page's rules (and the editor's draft); returns them.
    fn install_rules(&self, rules: Option<RulesData>) -> Option<Arc<RulesView>> {
        let view = rules.map(|data| {
            let (pack, origin, outcome) = data.into_parts();
            Arc::new(RulesView { pack, origin, outcome })
        });
        self.rule_draft.set(view.as_ref().map(|v| v.pack.clone()));
        self.rules.set(view.clone());
        view
    }

    /// Draws a fresh 256-bit salt.
    pub fn draw_salt(&self) {
        match new_salt() {
            Ok(salt) => {
                self.salt.set(salt);
                self.salt_error.set(None);
            }
            Err(error) => self.salt_error.set(Some(error.to_string())),
        }
    }

    /// Takes a salt the user typed, if it is long enough.
    pub fn type_salt(&self, text: &str) {
        match typed_salt(text) {
            Ok(salt) => {
                self.salt.set(salt);
                self.salt_error.set(None);
            }
            Err(error) => self.salt_error.set(Some(error.to_string())),
        }
    }

    /// Asks the worker for a download. With hashing on and no salt, it says so instead.
    pub fn download(&self, request: ExportRequest) {
        let Some(options) = self.export_options() else { return };
        let job_id = self.next_job();
        self.send(&ToWorker::Export { job_id, request, options }, None);
    }

    /// Scores a new batch of claims with the models, against the loaded claims as their
    /// population, and downloads it.
    pub fn score_batch(&self, file: web_sys::File) {
        if self.results.with_untracked(Option::is_none) {
            return self.error.set(Some("Train a model, or load a saved one, before scoring a new batch.".into()));
        }
        let Some(options) = self.export_options() else { return };
        let file_name = file.name();
        let job_id = self.next_job();
        self.error.set(None);
        self.status.set(format!("Scoring {file_name} against the loaded claims…"));
        self.send(&ToWorker::ScoreBatch { job_id, file_name, options }, Some(&file));
    }

    /// How downloads write identifiers; `None` (and a message) when hashing lacks a salt.
    fn export_options(&self) -> Option<ExportOptions> {
        let hashing = self.hash_ids.get_untracked();
        if hashing && self.salt.with_untracked(String::is_empty) {
            self.salt_error.set(Some("Draw or type a salt before downloading hashed identifiers.".into()));
            return None;
        }
        Some(ExportOptions { hash_salt: hashing.then(|| self.salt.get_untracked()) })
    }

    fn clear_results(&self) {
        self.results.set(None);
        self.sample_shap.set(Vec::new());
        self.sample_jobs.set(Vec::new());
        self.selected.set(None);
        self.explanation.set(None);
        self.whatif.set(None);
        self.whatif_fields.set(Vec::new());
    }

    fn on_worker_event(&self, event: WorkerEvent) {
        match event {
            WorkerEvent::Reply(reply, claims) => self.on_reply(reply, claims),
            WorkerEvent::Crashed(message) => {
                self.job.set(JobState::Idle);
                self.error.set(Some(message));
            }
        }
    }

    fn is_current(&self, job_id: JobId) -> bool {
        self.job.with_untracked(|job| job.running_job() == Some(job_id))
    }

    fn finish_job(&self) -> f64 {
        let now = js_sys::Date::now();
        self.stage_times.set(self.job.with_untracked(|job| job.stage_times(now)));
        let started = match self.job.get_untracked() {
            JobState::Running { started_at_ms, .. } => started_at_ms,
            JobState::Idle => js_sys::Date::now(),
        };
        self.job.set(JobState::Idle);
        (js_sys::Date::now() - started) / 1000.0
    }

    /// Handles a reply; `claims` are the bytes a `Loaded` reply carries beside it.
    fn on_reply(&self, reply: FromWorker, claims: Option<js_sys::Uint8Array>) {
        match reply {
            FromWorker::Ready => {}
            FromWorker::Progress { job_id, done, total, stage } => {
                let now = js_sys::Date::now();
                let recorded = self.job.try_update(|job| job.record_progress(job_id, done, total, &stage, now));
                if recorded == Some(true) {
                    self.now_ms.set(js_sys::Date::now());
                }
            }
            FromWorker::Loaded { job_id, data } if job_id == self.restore_job.get_untracked() => {
                drop(data);
            }
            FromWorker::Loaded { job_id, data } if self.is_current(job_id) => {
                let seconds = self.finish_job();
                // The worker has replaced its claims, so the page's old copy and the scores
                // on it go before the new copy is decoded: a wasm memory keeps its peak, and
                // holding both would add one table to it for good. Subscribers hear of the
                // change once, when the new claims are installed.
                self.data.update_untracked(|old| *old = None);
                self.results.update_untracked(|old| *old = None);
                // The bytes stay in JavaScript memory and are read a slice at a time: copied
                // whole they would hold every claim twice in this wasm memory (about 100 MB
                // at a million claims), for good. None reads as no table at all.
                let claims = claims.unwrap_or_else(|| js_sys::Uint8Array::new_with_length(0));
                let total = claims.length() as usize;
                let decoded =
                    read_sized_table(BufReader::with_capacity(CLAIMS_READ_BYTES, JsBytes::new(claims.clone())), total);
                // Decoded (or refused): the bytes' memory goes now, not at the next collection.
                crate::worker::js_writer::release(&claims);
                match decoded {
                    Ok(table) => self.install_data(*data, table, seconds),
                    Err(error) => {
                        // The old copy is gone (and no longer the worker's claims): say so.
                        self.data.set(None);
                        self.clear_results();
                        self.error.set(Some(format!("The worker's claims could not be read: {error}")));
                    }
                }
            }
            FromWorker::Trained { job_id, results } if self.is_current(job_id) => {
                let seconds = self.finish_job();
                let notes: Vec<&str> = results.models.iter().filter_map(|run| run.training_note.as_deref()).collect();
                let notes =
                    if notes.is_empty() { String::new() } else { format!(" Isolation forest: {}", notes.join(" ")) };
                self.status.set(format!("{} in {seconds:.1} s.{notes}", describe_results(&results)));
                let first_slot = results.models.first().map(|m| m.slot);
                if let Some(slot) = first_slot {
                    if !results.models.iter().any(|m| m.slot == self.rank_by.get_untracked()) {
                        self.rank_by.set(slot);
                    }
                }
                self.clear_results();
                self.queue_threshold.set(0.0);
                let slots: Vec<ModelSlot> = results.models.iter().map(|m| m.slot).collect();
                self.results.set(Some(Arc::new(*results)));
                // Scores show now; each model's explained sample follows.
                let jobs = slots
                    .into_iter()
                    .map(|slot| {
                        let job_id = self.next_job();
                        self.send(&ToWorker::ExplainSample { job_id, slot }, None);
                        (job_id, slot)
                    })
                    .collect();
                self.sample_jobs.set(jobs);
                if self.screen.get_untracked() == Screen::Train {
                    self.screen.set(Screen::Results);
                }
            }
            FromWorker::Explained { job_id, explanation, fields } => {
                if job_id == self.explain_job.get_untracked() {
                    self.explanation.set(Some(Arc::from(explanation)));
                    self.whatif_fields.set(fields);
                    self.whatif.set(None);
                } else if job_id == self.whatif_job.get_untracked() {
                    self.whatif.set(Some(Arc::from(explanation)));
                }
            }
            FromWorker::SampleExplained { job_id, slot, mean_abs_shap, beeswarm } => {
                if self.sample_jobs.with_untracked(|jobs| jobs.contains(&(job_id, slot))) {
                    self.sample_shap.update(|samples| samples.push(SampleShap { slot, mean_abs_shap, beeswarm }));
                }
            }
            FromWorker::RulesApplied { rules, .. } => {
                if let Some(view) = self.install_rules(Some(*rules)) {
                    self.status.set(view.summary());
                }
            }
            FromWorker::Exported { file_name, mime, bytes, .. } => {
                if let Err(message) = save_bytes(&file_name, &mime, &bytes) {
                    self.error.set(Some(message));
                } else {
                    self.status.set(format!("Saved {file_name} ({} bytes).", format_count(bytes.len())));
                }
            }
            FromWorker::Failed { job_id, message } => {
                if self.is_current(job_id) {
                    self.finish_job();
                }
                // A sample that cannot be explained ends with no SHAP charts, not a hint
                // that it is still coming.
                let failed_sample =
                    self.sample_jobs.with_untracked(|jobs| jobs.iter().find(|(id, _)| *id == job_id).copied());
                if let Some((_, slot)) = failed_sample {
                    let empty = SampleShap { slot, mean_abs_shap: Vec::new(), beeswarm: Default::default() };
                    self.sample_shap.update(|samples| samples.push(empty));
                }
                if job_id != self.restore_job.get_untracked() || job_id == 0 {
                    self.error.set(Some(message));
                }
            }
            // Replies to jobs that were cancelled or replaced.
            FromWorker::Loaded { .. } | FromWorker::Trained { .. } => {}
        }
    }

    fn install_data(&self, loaded: LoadedData, table: ClaimsTable, seconds: f64) {
        let n_rows = table.n_rows();
        let rejected = loaded.report.as_ref().map_or(0, |r| r.rows_rejected);
        let mut message = format!("Loaded {} claims from {} in {seconds:.1} s.", format_count(n_rows), loaded.source);
        if rejected > 0 {
            message.push_str(&format!(" {} rows were skipped; see the schema report.", format_count(rejected)));
        }
        self.status.set(message);
        // Only a column that looks like a label is preselected; otherwise anomaly detection.
        let proposed = proposed_label(&loaded.labels);
        let label = proposed.map(|l| l.column.clone());
        let positive = proposed.and_then(|l| l.default_positive.clone());
        let anomaly: Vec<String> =
            loaded.features.iter().filter(|f| f.anomaly_default).map(|f| f.name.clone()).collect();
        let features: Vec<String> = if label.is_none() && !anomaly.is_empty() {
            anomaly
        } else {
            loaded.features.iter().filter(|f| f.default_on).map(|f| f.name.clone()).collect()
        };
        self.train_form.update(|form| {
            form.algorithm = if label.is_some() { form.algorithm } else { AlgorithmChoice::IsolationForest };
            form.label_column = label;
            form.positive_label = positive;
            form.feature_columns = features;
        });
        self.clear_results();
        self.query.set(ResultsQuery::default());
        self.install_rules(loaded.rules.clone().map(|rules| *rules));
        self.summary_level.set(None);
        self.summary_entity.set(None);
        self.data.set(Some(Arc::new(DataView { loaded, table: Arc::new(table) })));
    }
}

/// "Trained the random forest and the isolation forest and scored 20,000 claims", or
/// "Scored 1,000 claims with the random forest from model.json".
fn describe_results(results: &RunResults) -> String {
    let name = |run: &ModelRun| match run.slot {
        ModelSlot::Forest => "random forest",
        ModelSlot::Isolation => "isolation forest",
    };
    let n_claims = format_count(results.models.first().map_or(0, |run| run.scores.len()));
    let (trained, loaded): (Vec<&ModelRun>, Vec<&ModelRun>) =
        results.models.iter().partition(|run| run.origin == crate::session::TRAINED_NOW);
    let mut parts = Vec::new();
    if !trained.is_empty() {
        let names: Vec<String> = trained.iter().map(|run| format!("the {}", name(run))).collect();
        parts.push(format!("Trained {} and scored {n_claims} claims", names.join(" and ")));
    }
    for run in loaded {
        parts.push(format!("Scored {n_claims} claims with the {} from {}", name(run), run.origin));
    }
    parts.join("; ")
}
