//! The page's state as signals: the [`PageModel`] is the truth, and every field the panels
//! read is published as a read-only signal of it, set only when that slice changed. Controls
//! forward [`Event`]s to [`AppState::dispatch`]; this module performs the model's effects
//! (posting to the worker with any file, saving downloads, stopping the worker) and decodes
//! the claims a reply brings.

use std::io::BufReader;
use std::sync::Arc;

use leptos::prelude::*;

use super::download::save_bytes;
use super::js_bytes::JsBytes;
use super::slices::{slices, ByAddress, ByValue, Mark, Slice};
use super::worker_client::{WorkerClient, WorkerEvent};
use crate::analysis::explain::ClaimExplanation;
use crate::analysis::hybrid::HybridWeights;
use crate::analysis::queue::QueueSettings;
use crate::analysis::tiers::TierCuts;
use crate::analysis::whatif::WhatIfField;
use crate::claims::rules::RulePack;
use crate::claims::summaries::EntityLevel;
use crate::claims::table_bytes::read_sized_table;
use crate::page::results::ResultsQuery;
use crate::page::train_form::TrainForm;
use crate::page::{known_labels, saved_message, Effect, Event, GenerateForm, JobState, PageModel};
pub use crate::page::{DataView, Ranking, RulesView, SampleShap, Screen};
use crate::protocol::{Envelope, FilePart, FromWorker, ModelSlot, PriorityChoice, RunResults};

/// The claims' bytes are copied from JavaScript memory this many at a time (each copy is a
/// call across the boundary; the text of a million claim ids is many small reads).
const CLAIMS_READ_BYTES: usize = 1 << 20;

slices! {
    /// The screen shown.
    screen: Screen = ByValue;
    /// The generate form.
    generate: GenerateForm = ByValue;
    /// The loaded claims.
    data: Option<Arc<DataView>> = ByAddress;
    /// The training form.
    train_form: TrainForm = ByValue;
    /// The latest scores.
    results: Option<Arc<RunResults>> = ByAddress;
    /// The rule pack running on the claims and its hits.
    rules: Option<Arc<RulesView>> = ByAddress;
    /// The pack being edited.
    rule_draft: Option<RulePack> = ByValue;
    /// Whether the rules are blended into the priority.
    use_rules: bool = ByValue;
    /// The hybrid priority's weights.
    weights: HybridWeights = ByValue;
    /// Which model's score is the priority.
    rank_by: ModelSlot = ByValue;
    /// Tier cut points.
    cuts: TierCuts = ByValue;
    /// The results table's sort and filter.
    query: ResultsQuery = ByValue;
    /// The claim selected for explanation.
    selected: Option<usize> = ByValue;
    /// Its explanation.
    explanation: Option<Arc<ClaimExplanation>> = ByAddress;
    /// The what-if form.
    whatif_fields: Vec<WhatIfField> = ByValue;
    /// The what-if claim's explanation.
    whatif: Option<Arc<ClaimExplanation>> = ByAddress;
    /// The Summaries screen's level (`None`: the first the data has).
    summary_level: Option<EntityLevel> = ByValue;
    /// The entity whose claims the Summaries screen lists.
    summary_entity: Option<String> = ByValue;
    /// Queue capacity as typed.
    capacity: String = ByValue;
    /// Lowest priority worth queueing.
    queue_threshold: f64 = ByValue;
    /// Whether downloads hash member and provider identifiers.
    hash_ids: bool = ByValue;
    /// The salt of that hashing.
    salt: String = ByValue;
    /// Why no salt could be drawn, or why a typed one was not taken.
    salt_error: Option<String> = ByValue;
    /// The long job.
    job: JobState = ByValue;
    /// The error banner.
    error: Option<String> = ByValue;
    /// The status line.
    status: String = ByValue;
    /// How long each stage of the last finished job took.
    stage_times: Option<String> = ByValue;
    /// The evaluation's explained sample per model, which arrives after training.
    sample_shap: Vec<SampleShap> = ByValue;
}

/// The page's state: the model, its published slices (read as `state.data`, `state.job`, ...),
/// the memos made from them, and the worker. Cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct AppState {
    published: Published,
    /// The page clock, ticking while a job runs.
    pub now_ms: RwSignal<f64>,
    ranking: Memo<Option<Ranking>>,
    labels: Memo<Option<Arc<Vec<bool>>>>,
    model: StoredValue<PageModel>,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    /// The last claims file uploaded, so another part (a zip entry, a sheet) can be read.
    last_upload: StoredValue<Option<web_sys::File>, LocalStorage>,
}

impl std::ops::Deref for AppState {
    type Target = Published;

    fn deref(&self) -> &Published {
        &self.published
    }
}

impl AppState {
    /// Fresh state; the worker starts with the first request.
    pub fn new() -> Self {
        let model = StoredValue::new(PageModel::default());
        let published = publish(model);
        let Published { results, rules, use_rules, weights, rank_by, data, .. } = published;
        let ranking = Memo::new(move |_| {
            let results = results.get()?;
            let rules = rules.get().filter(|_| use_rules.get());
            weights.with(|weights| Ranking::new(results, rank_by.get(), rules.as_deref(), weights))
        });
        let labels = Memo::new(move |_| {
            results.with(|results| data.with(|data| known_labels(results.as_deref(), data.as_deref())))
        });
        let state = Self {
            published,
            now_ms: RwSignal::new(0.0),
            ranking,
            labels,
            model,
            client: StoredValue::new_local(None),
            last_upload: StoredValue::new_local(None),
        };
        let client = WorkerClient::new(move |event| state.on_worker_event(event));
        state.client.set_value(Some(client));
        state
    }

    /// Applies what the user did, and performs what follows.
    pub fn dispatch(&self, event: Event) {
        self.dispatch_with(event, None);
    }

    /// Reads a claims file (or, with `part`, another part of the last one read).
    pub fn read_file(&self, file: Option<web_sys::File>, part: FilePart) {
        let Some(file) = file.or_else(|| self.last_upload.get_value()) else { return };
        self.last_upload.set_value(Some(file.clone()));
        self.dispatch_with(Event::ReadFile { file_name: file.name(), part }, Some(&file));
    }

    /// Forwards an event about a file the user chose (`make` receives its name).
    pub fn with_file(&self, file: web_sys::File, make: fn(String) -> Event) {
        self.dispatch_with(make(file.name()), Some(&file));
    }

    /// Whether a long job runs.
    pub fn is_busy(&self) -> bool {
        self.job.with(|job| job.running_job().is_some())
    }

    /// The results with the model that ranks claims and the priority made from it.
    pub fn ranking(&self) -> Option<Ranking> {
        self.ranking.get()
    }

    /// The labels of the claims (those of the latest training, else the proposed label).
    pub fn known_labels(&self) -> Option<Arc<Vec<bool>>> {
        self.labels.get()
    }

    /// How the page makes the priority, for downloads to match it.
    pub fn priority_choice(&self) -> Option<PriorityChoice> {
        self.model.with_value(PageModel::priority_choice)
    }

    /// The queue settings, or a sentence on a bad capacity.
    pub fn queue_settings(&self) -> Result<QueueSettings, String> {
        self.capacity.track();
        self.queue_threshold.track();
        self.model.with_value(PageModel::queue_settings)
    }

    fn dispatch_with(&self, event: Event, file: Option<&web_sys::File>) {
        if event == Event::Generate {
            self.last_upload.set_value(None);
        }
        let now = js_sys::Date::now();
        let effects = self.change(|model| model.apply(event, now)).unwrap_or_default();
        self.now_ms.set(now);
        self.perform(effects, file);
    }

    fn perform(&self, effects: Vec<Effect>, file: Option<&web_sys::File>) {
        for effect in effects {
            match effect {
                Effect::Send(message) => {
                    let file = file.filter(|_| message.body.reads_file());
                    let sent = self.client.with_value(|client| match client {
                        Some(client) => client.send_with_file(&message, file),
                        None => Err("The background worker is not available.".into()),
                    });
                    if let Err(message) = sent {
                        self.change(|model| model.worker_failed(message));
                    }
                }
                Effect::ScrollToTop => {
                    if let Some(window) = web_sys::window() {
                        window.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                Effect::StopWorker => {
                    self.client.with_value(|client| client.as_ref().map(WorkerClient::terminate));
                }
                Effect::Save { file_name, mime, bytes } => {
                    let event = match save_bytes(&file_name, &mime, &bytes) {
                        Ok(()) => Event::Saved(saved_message(&file_name, bytes.len())),
                        Err(message) => Event::Failed(message),
                    };
                    self.change(|model| model.apply(event, 0.0));
                }
            }
        }
    }

    fn on_worker_event(&self, event: WorkerEvent) {
        match event {
            WorkerEvent::Reply(reply, claims) => self.on_reply(reply, claims),
            WorkerEvent::Crashed(message) => {
                self.change(|model| model.worker_failed(message));
            }
        }
    }

    /// Folds a reply in; `claims` are the bytes a `Loaded` reply carries beside it.
    fn on_reply(&self, reply: Envelope<FromWorker>, claims: Option<js_sys::Uint8Array>) {
        let progress = matches!(reply.body, FromWorker::Progress { .. });
        let now = js_sys::Date::now();
        let effects = self
            .change(|model| {
                let decoded = model.takes_claims(&reply).then(|| {
                    // The worker has replaced its claims, so the page's old copy and the
                    // scores on it go before the new copy is decoded: a wasm memory keeps its
                    // peak, and holding both would add one table to it for good.
                    model.forget_claims();
                    decode_claims(claims)
                });
                model.on_reply(reply, decoded, now)
            })
            .unwrap_or_default();
        if progress {
            self.now_ms.set(now);
        }
        self.perform(effects, None);
    }

    /// Changes the model, then fires the trigger of every field that changed.
    fn change<R>(&self, f: impl FnOnce(&mut PageModel) -> R) -> Option<R> {
        let before = self.model.with_value(Snapshot::of);
        let out = self.model.try_update_value(f);
        let changed = self.model.with_value(|after| before.changed(&self.published, after));
        changed.into_iter().for_each(|trigger| trigger.notify());
        out
    }
}

/// Decodes the claims a `Loaded` reply carried. The bytes stay in JavaScript memory and are
/// read a slice at a time: copied whole they would hold every claim twice in this wasm
/// memory, for good.
fn decode_claims(claims: Option<js_sys::Uint8Array>) -> Result<crate::claims::ClaimsTable, String> {
    let claims = claims.unwrap_or_else(|| js_sys::Uint8Array::new_with_length(0));
    let total = claims.length() as usize;
    let reader = BufReader::with_capacity(CLAIMS_READ_BYTES, JsBytes::new(claims.clone()));
    let decoded = read_sized_table(reader, total).map_err(|error| error.to_string());
    // Decoded (or refused): the bytes' memory goes now, not at the next collection.
    crate::worker::js_writer::release(&claims);
    decoded
}
