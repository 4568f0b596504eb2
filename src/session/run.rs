//! A training run as a typed sequence of work: [`Session::start`] begins a [`Run`], whose
//! [`Run::next_work`] hands out the heavy parts one at a time (grow the forest's trees, score
//! every claim with it, score every claim with the isolation forest) and whose
//! [`Run::provide`] takes their [`Output`]. The browser's worker sends each [`Work`] to its
//! helper pool; without a pool the same loop runs [`Work::execute`] in place. Either way
//! [`Run::finish`] assembles the models, bit for bit the same.

use std::ops::ControlFlow;

use super::{Session, SessionError};
use crate::ml::binning::BinnedMatrix;
use crate::ml::flat::FlatForest;
use crate::ml::forest_job::{ForestJob, GrownTrees};
use crate::ml::shap::ShapEnsemble;
use crate::ml::{FeatureSource, FitProgress, Rows};
use crate::pipeline::EncodedTable;
use crate::protocol::{Envelope, FromWorker, JobId, RunRequest, ToWorker};

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    GrowForest,
    ScoreForest,
    ScoreIsolation,
    Done,
}

/// A training run under way. Its steps come in order, so a caller cannot provide scores
/// for a forest that was never grown.
#[derive(Debug)]
pub struct Run {
    job_id: JobId,
    request: RunRequest,
    step: Step,
}

/// One heavy part of a run, borrowed from the session.
pub enum Work<'a> {
    /// Grow every tree of the planned random forest.
    GrowTrees {
        /// The forest's job (binned training rows, parameters, per-tree seeds).
        job: &'a ForestJob,
    },
    /// Every claim's probability under the assembled forest, from the bin codes it grew on.
    ScoreForest {
        /// The forest's explanation view as bytes ([`ShapEnsemble::to_bytes`]).
        view: Vec<u8>,
        /// Every claim as bin codes.
        rows: &'a BinnedMatrix,
    },
    /// Every claim's mean path length under the grown isolation forest.
    ScoreIsolation {
        /// The isolation forest's view as bytes.
        view: Vec<u8>,
        /// Every claim's features, encoded on demand.
        rows: EncodedTable<'a>,
    },
}

/// What a [`Work`] produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The trees, in ranges (one per helper, or one for the whole forest).
    Trees(Vec<GrownTrees>),
    /// One value per claim: probabilities, or mean path lengths.
    Values(Vec<f64>),
}

impl Session {
    /// Starts the training run of `request`.
    pub fn start(&self, job_id: JobId, request: RunRequest) -> Run {
        let step = if request.algorithm.fits_forest() { Step::GrowForest } else { Step::ScoreIsolation };
        Run { job_id, request, step }
    }
}

impl Run {
    /// The run's request.
    pub fn request(&self) -> &RunRequest {
        &self.request
    }

    /// The next heavy part, or `None` when only [`Run::finish`] is left. A part that cannot
    /// be planned (no label, a bad column) is skipped: `finish` then reports the error as
    /// the session would. `on_progress` hears of isolation trees as they grow.
    pub fn next_work<'s>(
        &mut self,
        session: &'s mut Session,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Option<Work<'s>> {
        let view = self.plan(session, on_progress)?;
        let session: &'s Session = session;
        match self.step {
            Step::GrowForest => Some(Work::GrowTrees { job: session.pending_forest.as_ref()?.plan.job() }),
            Step::ScoreForest => Some(Work::ScoreForest { view, rows: session.pending_forest.as_ref()?.plan.binned() }),
            Step::ScoreIsolation => {
                let (pending, data) = (session.pending_isolation.as_ref()?, session.data.as_ref()?);
                Some(Work::ScoreIsolation { view, rows: pending.plan.rows(&data.prepared).ok()? })
            }
            Step::Done => None,
        }
    }

    /// Plans the next step in the session (steps that cannot be planned are passed over),
    /// and returns the view its work scores with (empty for growing).
    fn plan(
        &mut self,
        session: &mut Session,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Option<Vec<u8>> {
        loop {
            match self.step {
                Step::GrowForest => match session.plan_forest(&self.request) {
                    Ok(Some(_)) => return Some(Vec::new()),
                    _ => self.step = Step::ScoreIsolation,
                },
                Step::ScoreForest => match session.forest_scoring() {
                    Ok(Some(scoring)) => return Some(scoring.view),
                    _ => self.step = Step::ScoreIsolation,
                },
                Step::ScoreIsolation if self.request.algorithm.fits_isolation() => {
                    match session.plan_isolation(&self.request, on_progress) {
                        Ok(Some((view, _))) => return Some(view),
                        _ => self.step = Step::Done,
                    }
                }
                Step::ScoreIsolation | Step::Done => {
                    self.step = Step::Done;
                    return None;
                }
            }
        }
    }

    /// Hands the output of the last [`Work`] to the session and moves on. An output of the
    /// wrong kind is dropped, and the session computes that part itself.
    pub fn provide(&mut self, session: &mut Session, output: Output) {
        match (self.step, output) {
            (Step::GrowForest, Output::Trees(grown)) => {
                session.provide_trees(grown);
                self.step = Step::ScoreForest;
            }
            (Step::ScoreForest, Output::Values(scores)) => {
                session.provide_forest_scores(scores);
                self.step = Step::ScoreIsolation;
            }
            (Step::ScoreIsolation, Output::Values(lengths)) => {
                session.provide_isolation_lengths(lengths);
                self.step = Step::Done;
            }
            _ => {}
        }
    }

    /// Gives up on the rest of the pool's work: the session does what is left itself.
    pub fn skip_rest(&mut self) {
        self.step = Step::Done;
    }

    /// Fits what was not provided, evaluates, and replies (`Trained`, or `Failed` with why).
    pub fn finish(self, session: &mut Session, report: &mut dyn FnMut(Envelope<FromWorker>)) -> Envelope<FromWorker> {
        let request = Envelope::new(self.job_id, ToWorker::Train { request: Box::new(self.request) });
        session.handle(request, None, report)
    }
}

impl Work<'_> {
    /// Does the work here, in one piece.
    pub fn execute(&self, on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>) -> Result<Output, SessionError> {
        match self {
            Work::GrowTrees { job } => {
                let grown = job.grow(0..job.n_trees(), on_progress)?;
                Ok(Output::Trees(vec![grown]))
            }
            Work::ScoreForest { view, rows } => {
                let forest = FlatForest::from_ensemble(&ShapEnsemble::from_bytes(view)?);
                forest
                    .predict_binned(rows)
                    .map(Output::Values)
                    .ok_or_else(|| SessionError::from("the forest does not split on the bins"))
            }
            Work::ScoreIsolation { view, rows } => {
                let forest = FlatForest::from_ensemble(&ShapEnsemble::from_bytes(view)?);
                forest
                    .predict_source(rows, &Rows::all(rows.n_rows()))
                    .map(Output::Values)
                    .map_err(|e| SessionError::from(e.to_string()))
            }
        }
    }
}
