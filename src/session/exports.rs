//! The session's downloads: scored claims, the review queue, metrics, the schema report,
//! model files and shap trees, each as bytes with a file name.

use super::{Reply, Session};
use crate::protocol::{ExportRequest, FromWorker, JobId, ModelSlot, PriorityChoice};
use crate::workspace::export::{file_stem, write_scored_csv, ExportOptions, ScoreColumns};
use crate::workspace::queue::build_queue;

const CSV: &str = "text/csv;charset=utf-8";
const JSON: &str = "application/json";

impl Session {
    pub(super) fn export(&mut self, job_id: JobId, request: &ExportRequest, options: &ExportOptions) -> Reply {
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
        Ok(FromWorker::Exported { job_id, file_name, mime: mime.to_owned(), bytes })
    }

    fn scored_csv(
        &self,
        choice: &PriorityChoice,
        cuts: &crate::workspace::tiers::TierCuts,
        rows: Option<&[u32]>,
        options: &ExportOptions,
    ) -> Result<Vec<u8>, String> {
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

    fn metrics_json(&self) -> Result<String, String> {
        if self.models.is_empty() {
            return Err("Train a model first: there are no metrics yet.".into());
        }
        let models: Vec<serde_json::Value> = self
            .models
            .iter()
            .map(|m| {
                serde_json::json!({
                    "model": slot_name(m.slot),
                    "origin": m.origin,
                    "threshold": m.model.threshold(),
                    "training": m.model.training(),
                    "evaluation": m.evaluation,
                })
            })
            .collect();
        let document = serde_json::json!({
            "producer": concat!("claimforest ", env!("CARGO_PKG_VERSION")),
            "source": self.data.as_ref().map(|d| d.source.clone()),
            "label_column": self.label_column,
            "models": models,
        });
        serde_json::to_string_pretty(&document).map_err(|e| format!("Could not write the metrics: {e}"))
    }
}

fn slot_name(slot: ModelSlot) -> &'static str {
    match slot {
        ModelSlot::Forest => "random_forest",
        ModelSlot::Isolation => "isolation_forest",
    }
}
