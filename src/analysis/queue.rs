//! The review queue: the claims investigators can look at, highest priority first, and how
//! well that queue catches the labelled positives.

use serde::{Deserialize, Serialize};

use super::without_negative_zero;
use crate::sorting::sort_stable_by;

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

/// Builds the queue from `priority` (table order). `labels`, when given, has the same length;
/// if it does not, the claims are the longer of the two, a missing priority is NaN (never
/// queued) and a missing label is negative. A NaN priority or a NaN threshold queues nothing.
pub fn build_queue(priority: &[f64], labels: Option<&[bool]>, settings: &QueueSettings) -> ReviewQueue {
    let threshold = settings.threshold;
    let n_rows = priority.len().min(u32::MAX as usize);
    let mut candidates: Vec<u32> = (0..n_rows as u32).filter(|&row| priority[row as usize] >= threshold).collect();
    let n_above_threshold = candidates.len();
    // Highest priority first, ties (both zeros included) in file order: a total order, so
    // the result is unique whatever the sort algorithm does with ties.
    let by_priority = |a: &u32, b: &u32| {
        let (x, y) = (without_negative_zero(priority[*a as usize]), without_negative_zero(priority[*b as usize]));
        y.total_cmp(&x).then(a.cmp(b))
    };
    let capacity = settings.capacity.min(candidates.len());
    if capacity == 0 {
        candidates.clear();
    } else if capacity < candidates.len() {
        candidates.select_nth_unstable_by(capacity - 1, by_priority);
        candidates.truncate(capacity);
    }
    // The queue holds the investigators' capacity, usually hundreds of claims, so it takes the
    // shared sort; the order is total, so any sort gives the same queue.
    sort_stable_by(&mut candidates, &by_priority);

    let label_at = |row: usize| labels.and_then(|labels| labels.get(row)).copied().unwrap_or(false);
    let n_positives = labels.map(|labels| labels.iter().filter(|&&label| label).count());
    let n_positives_queued = labels.map(|_| candidates.iter().filter(|&&row| label_at(row as usize)).count());
    let precision = match n_positives_queued {
        Some(queued) if !candidates.is_empty() => Some(queued as f64 / candidates.len() as f64),
        _ => None,
    };
    let recall = match (n_positives_queued, n_positives) {
        (Some(queued), Some(total)) if total > 0 => Some(queued as f64 / total as f64),
        _ => None,
    };
    ReviewQueue { rows: candidates, n_above_threshold, n_positives, n_positives_queued, precision, recall }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(capacity: usize, threshold: f64) -> QueueSettings {
        QueueSettings { capacity, threshold }
    }

    #[test]
    fn queues_the_highest_priorities_with_ties_in_file_order() {
        let priority = [0.2, 0.9, 0.5, 0.9, f64::NAN, 0.7, 0.1];
        let labels = [false, true, false, false, true, true, true];
        let queue = build_queue(&priority, Some(&labels), &settings(3, 0.3));
        assert_eq!(queue.rows, [1, 3, 5]);
        assert_eq!(queue.n_above_threshold, 4, "0.9, 0.5, 0.9 and 0.7");
        assert_eq!(queue.n_positives, Some(4));
        assert_eq!(queue.n_positives_queued, Some(2));
        assert_eq!(queue.precision, Some(2.0 / 3.0));
        assert_eq!(queue.recall, Some(0.5));
    }

    #[test]
    fn the_threshold_limits_the_queue_below_capacity() {
        let priority = [0.2, 0.9, 0.5, 0.9, f64::NAN, 0.7, 0.1];
        let queue = build_queue(&priority, None, &settings(100, 0.5));
        assert_eq!(queue.rows, [1, 3, 5, 2], "0.5 is at the threshold, so it is queued");
        assert_eq!((queue.n_positives, queue.precision, queue.recall), (None, None, None));
        assert_eq!(build_queue(&priority, None, &settings(100, f64::NAN)).rows, Vec::<u32>::new());
        let everything = build_queue(&priority, None, &settings(100, f64::NEG_INFINITY));
        assert_eq!(everything.rows, [1, 3, 5, 2, 0, 6], "NaN priorities are never queued");
    }

    #[test]
    fn both_zeros_tie_in_file_order() {
        assert_eq!(build_queue(&[-0.0, 0.0, -0.0], None, &settings(3, 0.0)).rows, [0, 1, 2]);
    }

    #[test]
    fn zero_capacity_and_no_claims() {
        let queue = build_queue(&[0.9, 0.8], Some(&[true, false]), &settings(0, 0.0));
        assert!(queue.rows.is_empty());
        assert_eq!(queue.n_above_threshold, 2);
        assert_eq!((queue.n_positives_queued, queue.precision, queue.recall), (Some(0), None, Some(0.0)));
        let empty = build_queue(&[], Some(&[]), &settings(10, 0.0));
        assert_eq!((empty.n_positives, empty.precision, empty.recall), (Some(0), None, None));
    }

    #[test]
    fn mismatched_labels_read_missing_as_negative() {
        let queue = build_queue(&[0.9, 0.8, 0.7], Some(&[true]), &settings(2, 0.0));
        assert_eq!(queue.rows, [0, 1]);
        assert_eq!((queue.n_positives, queue.n_positives_queued), (Some(1), Some(1)));
        let queue = build_queue(&[0.9], Some(&[false, true, true]), &settings(2, 0.0));
        assert_eq!((queue.n_positives, queue.n_positives_queued, queue.recall), (Some(2), Some(0), Some(0.0)));
    }

    #[test]
    fn a_partial_selection_agrees_with_a_full_sort() {
        // Many ties: the selected prefix must be exactly the first rows of the full order.
        let priority: Vec<f64> = (0..10_000u32).map(|i| f64::from((i * 7919) % 13) / 13.0).collect();
        let mut expected: Vec<u32> = (0..10_000).collect();
        expected.sort_by(|&a, &b| priority[b as usize].partial_cmp(&priority[a as usize]).unwrap());
        for capacity in [1, 10, 769, 770, 771, 5_000] {
            let queue = build_queue(&priority, None, &settings(capacity, 0.0));
            assert_eq!(queue.rows, expected[..capacity], "capacity {capacity}");
        }
    }
}
