//! Messages between the page and the Web Worker: plain serde types, testable natively.

use serde::{Deserialize, Serialize};

use crate::claims::ClaimsTable;
use crate::pipeline::{TrainReport, TrainRequest};

/// A job number chosen by the page; replies carry it so stale replies can be ignored.
pub type JobId = u64;

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Train on `table` as `request` says and score every claim.
    Train {
        /// The job number.
        job_id: JobId,
        /// The claims.
        table: ClaimsTable,
        /// What to train.
        request: TrainRequest,
    },
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker has started and can take jobs.
    Ready,
    /// A tree finished.
    Progress {
        /// The job number.
        job_id: JobId,
        /// Trees finished so far.
        n_trees_done: usize,
        /// Trees in total.
        n_trees: usize,
    },
    /// Training finished.
    Trained {
        /// The job number.
        job_id: JobId,
        /// Metrics and scores.
        report: Box<TrainReport>,
    },
    /// The job failed; `message` is a sentence for the user.
    Failed {
        /// The job number.
        job_id: JobId,
        /// What went wrong.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::synth::generate_denial;

    #[test]
    fn messages_round_trip_through_json() {
        let message =
            ToWorker::Train { job_id: 3, table: generate_denial(5, 1).unwrap(), request: TrainRequest::default() };
        let json = serde_json::to_string(&message).unwrap();
        assert!(json.starts_with(r#"{"type":"train""#));
        assert_eq!(serde_json::from_str::<ToWorker>(&json).unwrap(), message);
        let reply = FromWorker::Progress { job_id: 3, n_trees_done: 1, n_trees: 100 };
        assert_eq!(serde_json::from_str::<FromWorker>(&serde_json::to_string(&reply).unwrap()).unwrap(), reply);
    }
}
