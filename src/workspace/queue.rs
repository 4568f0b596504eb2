//! The review queue: the claims investigators can look at, highest priority first, and how
//! well that queue catches the labelled positives.

use serde::{Deserialize, Serialize};

/// How many claims the investigators can review, and the lowest priority worth reviewing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueSettings {
    /// Most claims in the queue.
    pub capacity: usize,
    /// Claims below this priority are never queued.
    pub threshold: f64,
}

/// The queue and its quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// Row indices, highest priority first (ties in file order); at most `capacity`.
    pub rows: Vec<u32>,
    /// Claims at or above the threshold, queued or not.
    pub n_above_threshold: usize,
    /// Labelled positives among all claims (when labels exist).
    pub n_positives: Option<usize>,
    /// Positives in the queue (when labels exist).
    pub n_positives_queued: Option<usize>,
    /// Positives queued / queue length (when labels exist and the queue is not empty).
    pub precision: Option<f64>,
    /// Positives queued / all positives (when labels exist and there are positives).
    pub recall: Option<f64>,
}

/// Builds the queue from `priority` (table order). `labels`, when given, has the same length.
pub fn build_queue(priority: &[f64], labels: Option<&[bool]>, settings: &QueueSettings) -> ReviewQueue {
    todo!()
}
