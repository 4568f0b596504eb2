//! How the page folds the worker's replies into its [`PageModel`]: a reply counts only if
//! the page still waits on its job number, so a stale explanation, a cancelled run's scores
//! or a restore's echo change nothing.

use std::sync::Arc;

use super::model::{Effect, PageModel};
use super::views::{describe_results, DataView, SampleShap, Screen};
use super::JobState;
use crate::analysis::format_count;
use crate::claims::ClaimsTable;
use crate::protocol::{Envelope, FromWorker, JobId, LoadedData, ModelSlot, RunResults, ToWorker};

/// "Saved claims.csv (1,234 bytes)."
pub fn saved_message(file_name: &str, n_bytes: usize) -> String {
    format!("Saved {file_name} ({} bytes).", format_count(n_bytes))
}

impl PageModel {
    /// Whether `reply` brings claims the page takes (so the page should decode the bytes
    /// beside it, after [`PageModel::forget_claims`]).
    pub fn takes_claims(&self, reply: &Envelope<FromWorker>) -> bool {
        matches!(reply.body, FromWorker::Loaded { .. }) && self.is_current(reply.job_id)
    }

    /// Drops the claims and scores before new claims are decoded: a wasm memory keeps its
    /// peak, so the old copy must go first.
    pub fn forget_claims(&mut self) {
        self.data = None;
        self.results = None;
    }

    /// Folds `reply` in at `now_ms`. `claims` are the decoded claims a `Loaded` reply
    /// carried beside it (or why they could not be read).
    pub fn on_reply(
        &mut self,
        reply: Envelope<FromWorker>,
        claims: Option<Result<ClaimsTable, String>>,
        now_ms: f64,
    ) -> Vec<Effect> {
        let Envelope { job_id, body } = reply;
        match body {
            FromWorker::Ready => {}
            FromWorker::Progress { done, total, stage } => {
                self.job.record_progress(job_id, done, total, &stage, now_ms);
            }
            FromWorker::Loaded { data } if self.is_current(job_id) => {
                let seconds = self.finish_job(now_ms);
                match claims.unwrap_or_else(|| Err("no claims came with the reply".into())) {
                    Ok(table) => self.install_data(*data, table, seconds),
                    Err(error) => {
                        // The old copy is gone (and no longer the worker's claims): say so.
                        self.data = None;
                        self.clear_results();
                        self.error = Some(format!("The worker's claims could not be read: {error}"));
                    }
                }
            }
            FromWorker::Trained { results } if self.is_current(job_id) => {
                let seconds = self.finish_job(now_ms);
                return self.install_results(*results, seconds);
            }
            FromWorker::Explained { explanation, fields } => {
                if job_id == self.jobs.explain {
                    self.explanation = Some(Arc::from(explanation));
                    self.whatif_fields = fields;
                    self.whatif = None;
                } else if job_id == self.jobs.whatif {
                    self.whatif = Some(Arc::from(explanation));
                }
            }
            FromWorker::SampleExplained { slot, mean_abs_shap, beeswarm } => {
                if self.jobs.samples.contains(&(job_id, slot)) {
                    self.sample_shap.push(SampleShap { slot, mean_abs_shap, beeswarm });
                }
            }
            FromWorker::RulesApplied { rules, .. } => {
                self.install_rules(Some(*rules));
                if let Some(rules) = &self.rules {
                    self.status = rules.summary();
                }
            }
            FromWorker::Exported { file_name, mime, bytes, .. } => {
                return vec![Effect::Save { file_name, mime, bytes }];
            }
            FromWorker::Failed { message } => {
                if self.is_current(job_id) {
                    self.finish_job(now_ms);
                }
                // A sample that cannot be explained ends with no SHAP charts, not a hint
                // that it is still coming.
                if let Some(&(_, slot)) = self.jobs.samples.iter().find(|(id, _)| *id == job_id) {
                    self.sample_shap.push(SampleShap { slot, mean_abs_shap: Vec::new(), beeswarm: Default::default() });
                }
                if job_id != self.jobs.restore || job_id == 0 {
                    self.error = Some(message);
                }
            }
            // Replies to jobs that were cancelled or replaced, and a restore's echo.
            FromWorker::Loaded { .. } | FromWorker::Trained { .. } => {}
        }
        Vec::new()
    }

    fn is_current(&self, job_id: JobId) -> bool {
        self.job.running_job() == Some(job_id)
    }

    /// Ends the long job at `now_ms`; returns how long it took in seconds.
    fn finish_job(&mut self, now_ms: f64) -> f64 {
        self.stage_times = self.job.stage_times(now_ms);
        let started = match &self.job {
            JobState::Running { started_at_ms, .. } => *started_at_ms,
            JobState::Idle => now_ms,
        };
        self.job = JobState::Idle;
        (now_ms - started) / 1000.0
    }

    fn install_data(&mut self, loaded: LoadedData, table: ClaimsTable, seconds: f64) {
        let rejected = loaded.report.as_ref().map_or(0, |r| r.rows_rejected);
        let mut message =
            format!("Loaded {} claims from {} in {seconds:.1} s.", format_count(table.n_rows()), loaded.source);
        if rejected > 0 {
            message.push_str(&format!(" {} rows were skipped; see the schema report.", format_count(rejected)));
        }
        self.status = message;
        // Only a column that looks like a label is preselected; otherwise anomaly detection.
        self.train_form = self.train_form.for_loaded(&loaded.labels, &loaded.features);
        self.clear_results();
        self.query = Default::default();
        self.install_rules(loaded.rules.clone().map(|rules| *rules));
        self.summary_level = None;
        self.summary_entity = None;
        self.data = Some(Arc::new(DataView { loaded, table: Arc::new(table) }));
    }

    /// Shows new scores at once and asks for each model's explained sample, which follows.
    fn install_results(&mut self, results: RunResults, seconds: f64) -> Vec<Effect> {
        let notes: Vec<&str> = results.models.iter().filter_map(|run| run.training_note.as_deref()).collect();
        let notes = if notes.is_empty() { String::new() } else { format!(" Isolation forest: {}", notes.join(" ")) };
        self.status = format!("{} in {seconds:.1} s.{notes}", describe_results(&results));
        if let Some(first) = results.models.first() {
            if !results.models.iter().any(|m| m.slot == self.rank_by) {
                self.rank_by = first.slot;
            }
        }
        self.clear_results();
        self.queue_threshold = 0.0;
        let slots: Vec<ModelSlot> = results.models.iter().map(|m| m.slot).collect();
        self.results = Some(Arc::new(results));
        let mut effects = Vec::new();
        for slot in slots {
            let job_id = self.next_job();
            self.jobs.samples.push((job_id, slot));
            effects.push(Effect::Send(Envelope::new(job_id, ToWorker::ExplainSample { slot })));
        }
        if self.screen == Screen::Train {
            effects.extend(self.show(Screen::Results));
        }
        effects
    }
}
