//! SHAP batches — the evaluation's explained sample and the review queue's explanations —
//! computed in the session or, for the browser's worker pool, elsewhere and handed in.

use super::{Reply, Session, SessionError, EVALUATION_SHAP_SAMPLE};
use crate::analysis::evaluation::{sample_rows, summarise_shap};
use crate::analysis::export::write_explanations_csv;
use crate::analysis::queue::{build_queue, QueueSettings};
use crate::ml::shap::ShapValues;
use crate::ml::{FeatureMatrix, Rows};
use crate::protocol::{ExportRequest, FromWorker, ModelSlot, PriorityChoice, ToWorker};

/// SHAP values a request needs, for a caller that computes them elsewhere.
pub struct ShapWork {
    /// Identifies the model and its rows; hand it back with [`Session::provide_shap`].
    pub key: u64,
    /// The model's explanation view, as bytes ([`crate::ml::shap::ShapEnsemble::to_bytes`]).
    /// Made for this request and not kept: it is as large as the model.
    pub ensemble: Vec<u8>,
    /// The rows to explain, as the model reads them.
    pub rows: FeatureMatrix,
}

/// SHAP values handed in for one model's rows.
pub(super) struct ProvidedShap {
    key: u64,
    slot: ModelSlot,
    rows: Vec<usize>,
    values: ShapValues,
}

impl Session {
    /// The SHAP values `message` needs (an `ExplainSample` or a queue-explanations export),
    /// so a caller can compute them elsewhere; `Ok(None)` for any other request.
    pub fn shap_work(&self, message: &ToWorker) -> Result<Option<ShapWork>, SessionError> {
        let Some((slot, rows)) = self.shap_rows(message)? else { return Ok(None) };
        let fitted = self.fitted(slot)?;
        let ensemble = fitted.explainer().ensemble().to_bytes();
        Ok(Some(ShapWork { key: self.generation, ensemble, rows: self.matrix_of(fitted, &rows)? }))
    }

    /// SHAP values computed elsewhere for the rows [`Session::shap_work`] named; the next
    /// handling of that request uses them instead of computing its own.
    pub fn provide_shap(&mut self, message: &ToWorker, key: u64, values: ShapValues) {
        if let Ok(Some((slot, rows))) = self.shap_rows(message) {
            self.provided_shap = Some(ProvidedShap { key, slot, rows, values });
        }
    }

    pub(super) fn explain_sample(&mut self, slot: ModelSlot) -> Reply {
        let rows = self.sample_rows(slot)?;
        let values = self.shap_values(slot, &rows)?;
        let fitted = self.fitted(slot)?;
        let sampled = self.matrix_of(fitted, &rows)?;
        let (mean_abs_shap, beeswarm) = summarise_shap(&fitted.model, &sampled, &values)
            .ok_or("This model has no features to explain a sample with.")?;
        Ok(FromWorker::SampleExplained { slot, mean_abs_shap, beeswarm })
    }

    /// The review queue's claims with their SHAP values under the `slot` model, as CSV.
    pub(super) fn explanations_csv(
        &mut self,
        slot: ModelSlot,
        choice: &PriorityChoice,
        settings: &QueueSettings,
    ) -> Result<Vec<u8>, SessionError> {
        let priority = self.priority(choice)?;
        let rows = self.queue_rows(slot, &priority, settings)?;
        let values = self.shap_values(slot, &rows)?;
        let data = self.data()?;
        let fitted = self.fitted(slot)?;
        let mut out = Vec::new();
        write_explanations_csv(data.claims(), &fitted.model, &rows, &fitted.scores, &priority, &values, &mut out)
            .map_err(|e| format!("Could not write the CSV: {e}"))?;
        Ok(out)
    }

    /// The model and rows a request explains.
    fn shap_rows(&self, message: &ToWorker) -> Result<Option<(ModelSlot, Vec<usize>)>, SessionError> {
        match message {
            ToWorker::ExplainSample { slot, .. } => Ok(Some((*slot, self.sample_rows(*slot)?))),
            ToWorker::Export { request: ExportRequest::QueueExplanations { slot, priority, settings }, .. } => {
                let rows = self.queue_rows(*slot, &self.priority(priority)?, settings)?;
                Ok(Some((*slot, rows)))
            }
            _ => Ok(None),
        }
    }

    /// The evaluation's seeded sample of a model's claims.
    fn sample_rows(&self, slot: ModelSlot) -> Result<Vec<usize>, SessionError> {
        let fitted = self.fitted(slot)?;
        Ok(sample_rows(fitted.scores.len(), EVALUATION_SHAP_SAMPLE, fitted.sample_seed))
    }

    /// The review queue's claims, in queue order.
    fn queue_rows(
        &self,
        slot: ModelSlot,
        priority: &[f64],
        settings: &QueueSettings,
    ) -> Result<Vec<usize>, SessionError> {
        self.fitted(slot)?;
        let queue = build_queue(priority, self.labels.as_deref(), settings);
        if queue.rows.is_empty() {
            return Err("The review queue is empty: there is no claim to explain.".into());
        }
        Ok(queue.rows.iter().map(|&row| row as usize).collect())
    }

    /// The handed-in values when they match, else computed here.
    fn shap_values(&mut self, slot: ModelSlot, rows: &[usize]) -> Result<ShapValues, SessionError> {
        if let Some(provided) = self.provided_shap.take() {
            if provided.key == self.generation && provided.slot == slot && provided.rows == rows {
                return Ok(provided.values);
            }
        }
        let fitted = self.fitted(slot)?;
        Ok(fitted.explainer().tree_explainer().explain_matrix(&self.matrix_of(fitted, rows)?))
    }

    /// The claims `rows` as `fitted` reads them.
    fn matrix_of(&self, fitted: &super::FittedModel, rows: &[usize]) -> Result<FeatureMatrix, SessionError> {
        FeatureMatrix::from_source(&self.rows_of(fitted)?, &Rows::Chosen(rows))
            .map_err(|e| SessionError::from(e.to_string()))
    }
}
