//! `PageModel`: the page's whole state and every transition, in plain Rust. Events from the
//! controls and replies from the worker go in ([`PageModel::apply`], [`PageModel::on_reply`]);
//! what the page must do comes out as [`Effect`]s (a request for the worker, a download to
//! save, the worker to stop). The Leptos `AppState` publishes slices of it as signals and
//! performs the effects, so every job race, default and selection is tested natively.

use std::sync::Arc;

use super::results::{ResultsQuery, SortKey};
use super::rule_editor::RuleEdit;
use super::train_form::{TrainEdit, TrainForm};
use super::views::{DataView, RulesView, SampleShap, Screen};
use super::{parse_generate_form, parse_whole_number, JobKind, JobState, DEFAULT_GENERATED_ROWS, DEFAULT_SEED};
use crate::analysis::explain::ClaimExplanation;
use crate::analysis::export::ExportOptions;
use crate::analysis::hybrid::HybridWeights;
use crate::analysis::queue::QueueSettings;
use crate::analysis::salt::{new_salt, new_seed, typed_salt};
use crate::analysis::tiers::{RiskTier, TierCuts};
use crate::analysis::whatif::WhatIfField;
use crate::claims::rules::{builtin_pack, RulePack};
use crate::claims::summaries::EntityLevel;
use crate::claims::synth::{Scenario, SynthOptions};
use crate::protocol::{
    Envelope, ExportRequest, FilePart, JobId, ModelSlot, PriorityChoice, RulesData, RunResults, ToWorker,
};

/// What the page must do after an event or a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Post this request to the worker (with the file the event came with, for a request
    /// that reads one: [`ToWorker::reads_file`]).
    Send(Envelope<ToWorker>),
    /// Stop the worker and its helpers now; the next request starts a fresh one.
    StopWorker,
    /// Show the top of the page: a new screen starts at its top, not where the last one was
    /// scrolled to.
    ScrollToTop,
    /// Save these bytes as a download.
    Save {
        /// The file's name.
        file_name: String,
        /// Its MIME type.
        mime: String,
        /// Its content.
        bytes: Vec<u8>,
    },
}

/// One of the generate form's typed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerateField {
    /// Claims to generate.
    Rows,
    /// The seed.
    Seed,
    /// Planted fraud, in percent.
    FraudPercent,
}

/// The generate form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateForm {
    /// Which scenario.
    pub scenario: Scenario,
    /// Claims to generate.
    pub rows: String,
    /// The seed.
    pub seed: String,
    /// Planted fraud, in percent.
    pub fraud_percent: String,
}

impl GenerateForm {
    /// The text of one field.
    pub fn text(&self, field: GenerateField) -> &str {
        match field {
            GenerateField::Rows => &self.rows,
            GenerateField::Seed => &self.seed,
            GenerateField::FraudPercent => &self.fraud_percent,
        }
    }
}

impl Default for GenerateForm {
    fn default() -> Self {
        Self {
            scenario: Scenario::Denial,
            rows: DEFAULT_GENERATED_ROWS.to_string(),
            seed: DEFAULT_SEED.to_string(),
            fraud_percent: "5".into(),
        }
    }
}

/// Something the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Show a screen.
    Show(Screen),
    /// Choose the scenario to generate.
    Scenario(Scenario),
    /// Type into the generate form.
    GenerateText(GenerateField, String),
    /// Generate claims as the form says.
    Generate,
    /// Draw a new seed for the generate form, or (`false`) for the training form.
    NewSeed {
        /// Which form.
        generate: bool,
    },
    /// Read a claims file (or another part of it: a zip entry, a sheet).
    ReadFile {
        /// The file's name.
        file_name: String,
        /// Which part.
        part: FilePart,
    },
    /// Join an entity file onto the claims.
    JoinFile(String),
    /// Score the claims with a model file.
    LoadModelFile(String),
    /// Run a rule pack file.
    LoadRulesFile(String),
    /// Score a new batch against the loaded claims and download it.
    ScoreBatch(String),
    /// Change the training form.
    EditTrain(TrainEdit),
    /// Train as the form says.
    Train,
    /// Stop the long job.
    Cancel,
    /// Explain a claim with the ranking model.
    Explain(usize),
    /// Explain a claim from another screen (the queue, a summary) and show it on Scored claims.
    OpenClaim(usize),
    /// Type into the what-if form (it is rescored at once).
    WhatIfText(usize, String),
    /// Rescore the what-if form.
    RescoreWhatIf,
    /// Run a built-in pack.
    BuiltinRules(String),
    /// Change the draft pack.
    EditRules(RuleEdit),
    /// Run the draft pack.
    ApplyRules,
    /// Put the running pack back into the editor.
    UndoRuleEdits,
    /// Blend the rules into the priority, or not.
    UseRules(bool),
    /// New hybrid weights (validated here).
    Weights(HybridWeights),
    /// Rank by this model.
    RankBy(ModelSlot),
    /// Sort the scored claims by a column (again: the other way).
    Sort(SortKey),
    /// Keep claims with this text.
    FilterText(String),
    /// Look for the text in this column only (`None`: every column).
    FilterColumn(Option<usize>),
    /// Keep one tier.
    FilterTier(Option<RiskTier>),
    /// New tier cut points (validated here).
    Cuts(TierCuts),
    /// Type the queue's capacity.
    Capacity(String),
    /// The lowest priority worth queueing.
    QueueThreshold(f64),
    /// Summarise at this level.
    SummaryLevel(Option<EntityLevel>),
    /// List this entity's claims.
    SummaryEntity(Option<String>),
    /// Hash identifiers in downloads, or not.
    HashIds(bool),
    /// Draw a new salt.
    DrawSalt,
    /// Type a salt.
    TypeSalt(String),
    /// Ask the worker for a download.
    Download(ExportRequest),
    /// Download the review queue, or its explanations.
    DownloadQueue {
        /// The queue's SHAP values rather than its claims.
        explanations: bool,
    },
    /// The page saved something itself.
    Saved(String),
    /// Something the page did itself failed, or an input was refused.
    Failed(String),
    /// Close the error banner.
    DismissError,
}

/// Every job number the page is waiting on.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct PendingJobs {
    pub(super) next: JobId,
    pub(super) explain: JobId,
    pub(super) whatif: JobId,
    pub(super) restore: JobId,
    /// The explained-sample requests in flight, and the model each explains.
    pub(super) samples: Vec<(JobId, ModelSlot)>,
}

/// The page's state. Fields are read by the page; only [`PageModel::apply`] and
/// [`PageModel::on_reply`] change them.
pub struct PageModel {
    /// The screen shown.
    pub screen: Screen,
    /// The generate form.
    pub generate: GenerateForm,
    /// The loaded claims.
    pub data: Option<Arc<DataView>>,
    /// The training form.
    pub train_form: TrainForm,
    /// The latest scores.
    pub results: Option<Arc<RunResults>>,
    /// The rule pack running on the claims and its hits.
    pub rules: Option<Arc<RulesView>>,
    /// The pack being edited.
    pub rule_draft: Option<RulePack>,
    /// Whether the rules are blended into the priority.
    pub use_rules: bool,
    /// The hybrid priority's weights.
    pub weights: HybridWeights,
    /// Which model's score is the priority.
    pub rank_by: ModelSlot,
    /// Tier cut points.
    pub cuts: TierCuts,
    /// The scored claims' sort and filter.
    pub query: ResultsQuery,
    /// The claim selected for explanation.
    pub selected: Option<usize>,
    /// Its explanation.
    pub explanation: Option<Arc<ClaimExplanation>>,
    /// The what-if form.
    pub whatif_fields: Vec<WhatIfField>,
    /// The what-if claim's explanation.
    pub whatif: Option<Arc<ClaimExplanation>>,
    /// The Summaries screen's level (`None`: the first the data has).
    pub summary_level: Option<EntityLevel>,
    /// The entity whose claims the Summaries screen lists.
    pub summary_entity: Option<String>,
    /// Queue capacity as typed.
    pub capacity: String,
    /// Lowest priority worth queueing.
    pub queue_threshold: f64,
    /// Whether downloads hash member and provider identifiers.
    pub hash_ids: bool,
    /// The salt of that hashing: 256 random bits, or one the user typed.
    pub salt: String,
    /// Why no salt could be drawn, or why a typed one was not taken.
    pub salt_error: Option<String>,
    /// The long job.
    pub job: JobState,
    /// The error banner.
    pub error: Option<String>,
    /// The status line.
    pub status: String,
    /// How long each stage of the last finished job took.
    pub stage_times: Option<String>,
    /// The evaluation's explained sample per model, which arrives after training.
    pub sample_shap: Vec<SampleShap>,
    pub(super) jobs: PendingJobs,
}

impl Default for PageModel {
    fn default() -> Self {
        let salt = new_salt();
        Self {
            screen: Screen::Data,
            generate: GenerateForm::default(),
            data: None,
            train_form: TrainForm::default(),
            results: None,
            rules: None,
            rule_draft: None,
            use_rules: true,
            weights: HybridWeights::default(),
            rank_by: ModelSlot::Forest,
            cuts: TierCuts::default(),
            query: ResultsQuery::default(),
            selected: None,
            explanation: None,
            whatif_fields: Vec::new(),
            whatif: None,
            summary_level: None,
            summary_entity: None,
            capacity: "100".into(),
            queue_threshold: 0.0,
            hash_ids: false,
            salt_error: salt.as_ref().err().map(ToString::to_string),
            salt: salt.unwrap_or_default(),
            job: JobState::Idle,
            error: None,
            status: String::new(),
            stage_times: None,
            sample_shap: Vec::new(),
            jobs: PendingJobs { next: 1, ..PendingJobs::default() },
        }
    }
}

impl PageModel {
    /// Whether a long job runs.
    pub fn is_busy(&self) -> bool {
        self.job.running_job().is_some()
    }

    /// The model that ranks the claims: the chosen one if the results have it, else the first.
    pub fn ranking_slot(&self) -> Option<ModelSlot> {
        let models = &self.results.as_ref()?.models;
        models.iter().find(|m| m.slot == self.rank_by).or(models.first()).map(|m| m.slot)
    }

    /// How the page makes the priority, for downloads to match it.
    pub fn priority_choice(&self) -> Option<PriorityChoice> {
        Some(PriorityChoice {
            rank_by: self.ranking_slot()?,
            use_rules: self.use_rules && self.rules.is_some(),
            weights: self.weights,
        })
    }

    /// The queue settings, or a sentence on a bad capacity.
    pub fn queue_settings(&self) -> Result<QueueSettings, String> {
        let capacity = parse_whole_number("Capacity", &self.capacity).map_err(|error| error.to_string())?;
        Ok(QueueSettings { capacity: capacity as usize, threshold: self.queue_threshold })
    }

    /// Applies what the user did at `now_ms` (the page clock).
    pub fn apply(&mut self, event: Event, now_ms: f64) -> Vec<Effect> {
        match event {
            Event::Show(screen) => return self.show(screen),
            Event::Scenario(scenario) => self.generate.scenario = scenario,
            Event::GenerateText(field, text) => match field {
                GenerateField::Rows => self.generate.rows = text,
                GenerateField::Seed => self.generate.seed = text,
                GenerateField::FraudPercent => self.generate.fraud_percent = text,
            },
            Event::Generate => return self.generate(now_ms),
            Event::NewSeed { generate } => match new_seed() {
                Some(seed) if generate => self.generate.seed = seed.to_string(),
                Some(seed) => self.train_form.seed = seed.to_string(),
                None => self.error = Some("This browser offers no random numbers; type a seed instead.".into()),
            },
            Event::ReadFile { file_name, part } => {
                let what = part.entry.as_deref().or(part.sheet.as_deref()).unwrap_or(&file_name).to_owned();
                return self.long_job(JobKind::Load, &format!("Reading {what}"), now_ms, || ToWorker::IngestFile {
                    file_name,
                    part,
                });
            }
            Event::JoinFile(file_name) => {
                if self.data.is_none() {
                    return self.refuse("Load claims before joining a file to them.");
                }
                return self.long_job(JobKind::Load, &format!("Joining {file_name}"), now_ms, || ToWorker::JoinFile {
                    file_name,
                });
            }
            Event::LoadModelFile(file_name) => {
                if self.data.is_none() {
                    return self.refuse("Load the claims to score before loading a model.");
                }
                return self.long_job(JobKind::LoadModel, &format!("Scoring with {file_name}"), now_ms, || {
                    ToWorker::LoadModelFile { file_name }
                });
            }
            Event::LoadRulesFile(file_name) => {
                if self.data.is_none() {
                    return self.refuse("Load claims before loading a rule pack.");
                }
                self.error = None;
                let job_id = self.next_job();
                return vec![Effect::Send(Envelope::new(job_id, ToWorker::LoadRulesFile { file_name }))];
            }
            Event::ScoreBatch(file_name) => return self.score_batch(file_name),
            Event::EditTrain(edit) => {
                let (labels, features) = match &self.data {
                    Some(data) => (data.loaded.labels.as_slice(), data.loaded.features.as_slice()),
                    None => (&[][..], &[][..]),
                };
                self.train_form.edit(edit, labels, features);
            }
            Event::Train => return self.train(now_ms),
            Event::Cancel => return self.cancel(),
            Event::Explain(row) => return self.explain(row),
            Event::OpenClaim(row) => {
                let mut effects = self.explain(row);
                effects.extend(self.show(Screen::Results));
                return effects;
            }
            Event::WhatIfText(index, text) => {
                if let Some(field) = self.whatif_fields.get_mut(index) {
                    field.text = text;
                }
                return self.rescore_what_if();
            }
            Event::RescoreWhatIf => return self.rescore_what_if(),
            Event::BuiltinRules(name) => match builtin_pack(&name) {
                Ok(pack) => return self.send_rules(pack, format!("built-in {name} pack")),
                Err(error) => self.error = Some(error.to_string()),
            },
            Event::EditRules(edit) => {
                if let Some(pack) = &mut self.rule_draft {
                    edit.apply(pack);
                }
            }
            Event::ApplyRules => {
                let Some(pack) = self.rule_draft.clone() else { return Vec::new() };
                if let Err(error) = pack.validate() {
                    return self.refuse(&format!("The rules cannot be applied: {error}."));
                }
                return self.send_rules(pack, "edited in ClaimForest".into());
            }
            Event::UndoRuleEdits => self.rule_draft = self.rules.as_ref().map(|r| r.pack.clone()),
            Event::UseRules(on) => self.use_rules = on,
            Event::Weights(weights) => match weights.validate() {
                Ok(()) => {
                    self.error = None;
                    self.weights = weights;
                }
                Err(error) => self.error = Some(error.to_string()),
            },
            Event::RankBy(slot) => {
                self.rank_by = slot;
                self.explanation = None;
            }
            Event::Sort(key) => self.query.sort_by(key, key == SortKey::Priority),
            Event::FilterText(text) => self.query.filter_text = text,
            Event::FilterColumn(column) => self.query.filter_column = column,
            Event::FilterTier(tier) => self.query.tier = tier,
            Event::Cuts(cuts) => match cuts.validate() {
                Ok(()) => self.cuts = cuts,
                Err(message) => self.error = Some(message),
            },
            Event::Capacity(text) => self.capacity = text,
            Event::QueueThreshold(threshold) => self.queue_threshold = threshold,
            Event::SummaryLevel(level) => {
                self.summary_level = level;
                self.summary_entity = None;
            }
            Event::SummaryEntity(entity) => self.summary_entity = entity,
            Event::HashIds(on) => self.hash_ids = on,
            Event::DrawSalt => self.take_salt(new_salt()),
            Event::TypeSalt(text) => self.take_salt(typed_salt(&text)),
            Event::Download(request) => return self.download(request),
            Event::DownloadQueue { explanations } => {
                let Some(priority) = self.priority_choice() else { return Vec::new() };
                let settings = match self.queue_settings() {
                    Ok(settings) => settings,
                    Err(message) => return self.refuse(&message),
                };
                let request = if explanations {
                    ExportRequest::QueueExplanations { slot: priority.rank_by, priority, settings }
                } else {
                    ExportRequest::ReviewQueue { priority, cuts: self.cuts, settings }
                };
                return self.download(request);
            }
            Event::Saved(message) => self.status = message,
            Event::Failed(message) => self.error = Some(message),
            Event::DismissError => self.error = None,
        }
        Vec::new()
    }

    /// The worker could not be reached, or died: the job ends with the message.
    pub fn worker_failed(&mut self, message: String) {
        self.job = JobState::Idle;
        self.error = Some(message);
    }

    /// Shows `screen`, from its top when it is another screen.
    pub(super) fn show(&mut self, screen: Screen) -> Vec<Effect> {
        if self.screen == screen {
            return Vec::new();
        }
        self.screen = screen;
        vec![Effect::ScrollToTop]
    }

    pub(super) fn next_job(&mut self) -> JobId {
        let id = self.jobs.next;
        self.jobs.next += 1;
        id
    }

    fn refuse(&mut self, message: &str) -> Vec<Effect> {
        self.error = Some(message.to_owned());
        Vec::new()
    }

    /// Starts a long job (one at a time) and sends `request` for it.
    fn long_job(&mut self, kind: JobKind, stage: &str, now_ms: f64, request: impl FnOnce() -> ToWorker) -> Vec<Effect> {
        if self.is_busy() {
            return self.refuse("Wait for the running job to finish, or cancel it.");
        }
        let job_id = self.next_job();
        self.job = JobState::start(job_id, kind, stage, now_ms);
        self.error = None;
        vec![Effect::Send(Envelope::new(job_id, request()))]
    }

    fn generate(&mut self, now_ms: f64) -> Vec<Effect> {
        let form = &self.generate;
        let (n_rows, seed, fraud_rate) = match parse_generate_form(&form.rows, &form.seed, &form.fraud_percent) {
            Ok(values) => values,
            Err(input_error) => return self.refuse(&input_error.to_string()),
        };
        let scenario = form.scenario;
        let options = SynthOptions { n_rows, seed, fraud_rate };
        self.long_job(JobKind::Load, "Generating claims", now_ms, || ToWorker::Generate { scenario, options })
    }

    fn train(&mut self, now_ms: f64) -> Vec<Effect> {
        if self.data.is_none() {
            return self.refuse("Generate or load claims before training.");
        }
        let request = match self.train_form.to_request() {
            Ok(request) => request,
            Err(input_error) => return self.refuse(&input_error.to_string()),
        };
        let effects =
            self.long_job(JobKind::Train, "Preparing", now_ms, || ToWorker::Train { request: Box::new(request) });
        if !effects.is_empty() {
            self.status.clear();
        }
        effects
    }

    /// Stops the long job. The worker is replaced, and the claims the page holds are
    /// restored into the new one, so nothing loaded is lost; the run's scores are.
    fn cancel(&mut self) -> Vec<Effect> {
        let Some(kind) = self.job.running_kind() else { return Vec::new() };
        self.job = JobState::Idle;
        // A "wait for the running job" is answered.
        self.error = None;
        let mut effects = vec![Effect::StopWorker];
        if let Some(data) = &self.data {
            let table = crate::claims::table_bytes::table_to_bytes(data.table.view());
            let (source, report) = (data.loaded.source.clone(), data.loaded.report.clone());
            let job_id = self.next_job();
            self.jobs.restore = job_id;
            effects.push(Effect::Send(Envelope::new(job_id, ToWorker::Restore { source, table, report })));
        }
        self.status = match kind {
            JobKind::Load => "Loading cancelled. The claims loaded before are kept.",
            JobKind::Train | JobKind::LoadModel if self.results.is_some() => {
                "Training cancelled. The claims are kept; the earlier scores were cleared, so train again to score them."
            }
            JobKind::Train | JobKind::LoadModel => "Training cancelled. The claims are kept.",
        }
        .into();
        self.clear_results();
        effects
    }

    fn explain(&mut self, row: usize) -> Vec<Effect> {
        self.selected = Some(row);
        let Some(slot) = self.ranking_slot() else { return Vec::new() };
        let job_id = self.next_job();
        self.jobs.explain = job_id;
        vec![Effect::Send(Envelope::new(job_id, ToWorker::Explain { slot, row }))]
    }

    fn rescore_what_if(&mut self) -> Vec<Effect> {
        let Some(slot) = self.ranking_slot() else { return Vec::new() };
        let job_id = self.next_job();
        self.jobs.whatif = job_id;
        vec![Effect::Send(Envelope::new(job_id, ToWorker::WhatIf { slot, fields: self.whatif_fields.clone() }))]
    }

    fn send_rules(&mut self, pack: RulePack, origin: String) -> Vec<Effect> {
        if self.data.is_none() {
            return self.refuse("Load claims before choosing rules.");
        }
        self.error = None;
        let job_id = self.next_job();
        vec![Effect::Send(Envelope::new(job_id, ToWorker::SetRules { pack: Box::new(pack), origin }))]
    }

    fn take_salt<E: ToString>(&mut self, salt: Result<String, E>) {
        match salt {
            Ok(salt) => {
                self.salt = salt;
                self.salt_error = None;
            }
            Err(error) => self.salt_error = Some(error.to_string()),
        }
    }

    /// How downloads write identifiers; `None` (and a message) when hashing lacks a salt.
    fn export_options(&mut self) -> Option<ExportOptions> {
        if self.hash_ids && self.salt.is_empty() {
            self.salt_error = Some("Draw or type a salt before downloading hashed identifiers.".into());
            return None;
        }
        Some(ExportOptions { hash_salt: self.hash_ids.then(|| self.salt.clone()) })
    }

    fn download(&mut self, request: ExportRequest) -> Vec<Effect> {
        let Some(options) = self.export_options() else { return Vec::new() };
        let job_id = self.next_job();
        vec![Effect::Send(Envelope::new(job_id, ToWorker::Export { request, options }))]
    }

    fn score_batch(&mut self, file_name: String) -> Vec<Effect> {
        if self.results.is_none() {
            return self.refuse("Train a model, or load a saved one, before scoring a new batch.");
        }
        let Some(options) = self.export_options() else { return Vec::new() };
        self.error = None;
        self.status = format!("Scoring {file_name} against the loaded claims…");
        let job_id = self.next_job();
        vec![Effect::Send(Envelope::new(job_id, ToWorker::ScoreBatch { file_name, options }))]
    }

    /// Makes `rules` the page's rules and the editor's draft.
    pub(super) fn install_rules(&mut self, rules: Option<RulesData>) {
        let view = rules.map(|data| {
            let (pack, origin, outcome) = data.into_parts();
            Arc::new(RulesView { pack, origin, outcome })
        });
        self.rule_draft = view.as_ref().map(|v| v.pack.clone());
        self.rules = view;
    }

    pub(super) fn clear_results(&mut self) {
        self.results = None;
        self.sample_shap.clear();
        self.jobs.samples.clear();
        self.selected = None;
        self.explanation = None;
        self.whatif = None;
        self.whatif_fields.clear();
    }
}
