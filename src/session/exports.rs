//! The session's downloads: scored claims, the review queue, metrics, the schema report,
//! model files and shap trees, each as bytes with a file name.

use serde::Serialize;

use super::{Reply, Session, SessionError};
use crate::analysis::export::{file_stem, write_scored_csv, ExportOptions, ScoreColumns};
use crate::analysis::queue::build_queue;
use crate::claims::ingest::{read_source, IngestOptions};
use crate::claims::rules::evaluate_pack;
use crate::pipeline::prepare_against;
use crate::protocol::{ExportRequest, FromWorker, ModelSlot, PriorityChoice};

const CSV: &str = "text/csv;charset=utf-8";
const JSON: &str = "application/json";

impl Session {
    pub(super) fn export(&mut self, request: &ExportRequest, options: &ExportOptions) -> Reply {
        let (file_name, mime, bytes) = match request {
            ExportRequest::ScoredClaims { priority, cuts } => {
                ("scored_claims.csv".to_owned(), CSV, self.scored_csv(priority, cuts, None, options)?)
            }
            ExportRequest::ReviewQueue { priority, cuts, settings } => {
                let queue = build_queue(&self.priority(priority)?, self.labels.as_deref(), settings);
                ("review_queue.csv".to_owned(), CSV, self.scored_csv(priority, cuts, Some(&queue.rows), options)?)
            }
            ExportRequest::QueueExplanations { slot, priority, settings } => {
                ("review_queue_explanations.csv".to_owned(), CSV, self.explanations_csv(*slot, priority, settings)?)
            }
            ExportRequest::RulePack => {
                let name = self.rules.as_ref().map_or("rules", |rules| rules.pack.name.as_str());
                (format!("{}.rules.json", file_stem(name)), JSON, self.rule_pack_json()?)
            }
            ExportRequest::Metrics => ("metrics.json".to_owned(), JSON, self.metrics_json()?.into_bytes()),
            ExportRequest::SchemaReport => {
                let data = self.data()?;
                let report = data.report.as_ref().ok_or_else(|| {
                    format!("{} was generated, not read from a file, so it has no schema report.", data.source)
                })?;
                ("schema_report.json".to_owned(), JSON, report.to_json().into_bytes())
            }
            ExportRequest::Model { slot } => (
                format!("claimforest_{}.model.json", slot_name(*slot)),
                JSON,
                self.fitted(*slot)?.model.to_json().into_bytes(),
            ),
            ExportRequest::ShapTrees { slot } => (
                format!("claimforest_{}.shap_trees.json", slot_name(*slot)),
                JSON,
                self.fitted(*slot)?.model.shap_export_json().into_bytes(),
            ),
        };
        Ok(FromWorker::Exported { file_name, mime: mime.to_owned(), bytes })
    }

    /// Scores a new batch of claims with the session's models, its derived features made
    /// over the session's claims with the batch in place (`pipeline::prepare_against`), so a
    /// claim scores as it would among the claims the models learned from; the running rules
    /// run on it too. The reply is the scored batch as a download, in the batch's own columns.
    pub(super) fn score_batch(
        &mut self,
        file_name: &str,
        options: &ExportOptions,
        file: Option<Box<dyn super::PostedFile>>,
    ) -> Reply {
        let data = self.data()?;
        if self.models.is_empty() {
            return Err("Train a model, or load a saved one, before scoring a new batch.".into());
        }
        let source: Box<dyn super::PostedFile> = file.unwrap_or_else(|| Box::new(std::io::Cursor::new(Vec::new())));
        let batch = read_source(source, file_name, &IngestOptions::default())?.table;
        let (prepared, _, _) =
            prepare_against(&batch, &data.prepared).map_err(|e| format!("{file_name} with {}: {e}", data.source))?;
        let score_of = |slot: ModelSlot| -> Result<Option<(Vec<f64>, f64)>, SessionError> {
            let Some(fitted) = self.models.iter().find(|m| m.slot == slot) else { return Ok(None) };
            let scores = fitted.model.score(&prepared).map_err(|e| format!("{file_name}: {e}"))?;
            Ok(Some((scores, fitted.model.threshold())))
        };
        let (forest, isolation) = (score_of(ModelSlot::Forest)?, score_of(ModelSlot::Isolation)?);
        let rules = self.rules.as_ref().map(|rules| evaluate_pack(&prepared, &rules.pack));
        let positive_word = self.models.iter().find(|m| m.slot == ModelSlot::Forest).map(|m| m.positive_word.clone());
        let columns = ScoreColumns {
            probability: forest.as_ref().map(|(scores, _)| scores.as_slice()),
            decision_threshold: forest.as_ref().map_or(0.5, |(_, threshold)| *threshold),
            positive_word: positive_word.as_deref(),
            anomaly: isolation.as_ref().map(|(scores, _)| scores.as_slice()),
            rules: rules.as_ref(),
            priority: &[],
            cuts: crate::analysis::tiers::TierCuts::default(),
        };
        let mut bytes = Vec::new();
        write_scored_csv(prepared.leading_columns(batch.columns().len()), &columns, None, options, &mut bytes)
            .map_err(|e| format!("Could not write the CSV: {e}"))?;
        let file_name =
            format!("{}_scored.csv", file_stem(file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem)));
        Ok(FromWorker::Exported { file_name, mime: CSV.to_owned(), bytes })
    }

    fn scored_csv(
        &self,
        choice: &PriorityChoice,
        cuts: &crate::analysis::tiers::TierCuts,
        rows: Option<&[u32]>,
        options: &ExportOptions,
    ) -> Result<Vec<u8>, SessionError> {
        let data = self.data()?;
        let priority = &self.priority(choice)?;
        let forest = self.models.iter().find(|m| m.slot == ModelSlot::Forest);
        let isolation = self.models.iter().find(|m| m.slot == ModelSlot::Isolation);
        // The prediction reads as the screen says it ("Denied", "Not denied").
        let positive_word = forest.map(|m| match m.model.algorithm() {
            crate::pipeline::Algorithm::RandomForest { label_column, .. } => super::positive_word(Some(label_column)),
            crate::pipeline::Algorithm::IsolationForest { .. } => super::positive_word(None),
        });
        let columns = ScoreColumns {
            probability: forest.map(|m| m.scores.as_slice()),
            decision_threshold: forest.map_or(0.5, |m| m.model.threshold()),
            positive_word: positive_word.as_deref(),
            anomaly: isolation.map(|m| m.scores.as_slice()),
            rules: self.rule_outcome(),
            priority,
            cuts: *cuts,
        };
        let mut out = Vec::new();
        write_scored_csv(data.claims(), &columns, rows, options, &mut out)
            .map_err(|e| format!("Could not write the CSV: {e}"))?;
        Ok(out)
    }

    fn metrics_json(&self) -> Result<String, SessionError> {
        if self.models.is_empty() {
            return Err("Train a model first: there are no metrics yet.".into());
        }
        // Typed, not `json!`: a `serde_json::Value` tree compiles a second serializer for
        // every type inside it (about 3 KB of the download).
        let models = self
            .models
            .iter()
            .map(|m| ModelMetrics {
                model: slot_name(m.slot),
                origin: m.origin.to_string(),
                threshold: m.model.threshold(),
                training: m.model.training(),
                evaluation: &m.evaluation,
            })
            .collect();
        let document = MetricsDocument {
            producer: concat!("claimforest ", env!("CARGO_PKG_VERSION")),
            source: self.data.as_ref().map(|d| d.source.as_str()),
            label_column: self.label_column.as_deref(),
            models,
        };
        serde_json::to_string(&document)
            .map(|compact| crate::json_text::pretty(&compact))
            .map_err(|e| SessionError::from(format!("Could not write the metrics: {e}")))
    }
}

/// The metrics download.
#[derive(Serialize)]
struct MetricsDocument<'a> {
    producer: &'static str,
    source: Option<&'a str>,
    label_column: Option<&'a str>,
    models: Vec<ModelMetrics<'a>>,
}

/// One model's part of the metrics download.
#[derive(Serialize)]
struct ModelMetrics<'a> {
    model: &'static str,
    origin: String,
    threshold: f64,
    training: &'a crate::pipeline::TrainingSummary,
    evaluation: &'a crate::analysis::evaluation::Evaluation,
}

fn slot_name(slot: ModelSlot) -> &'static str {
    match slot {
        ModelSlot::Forest => "random_forest",
        ModelSlot::Isolation => "isolation_forest",
    }
}
