//! Helpers the unit tests of several layers share, kept outside every layer so that no
//! layer imports another for its tests' sake.

/// A sink that takes at most 5 bytes per write, as a sink of fixed slices may: a writer that
/// assumes one `write` takes everything fails against it.
pub(crate) struct TrickleWriter(pub Vec<u8>);

impl std::io::Write for TrickleWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = bytes.len().min(5);
        self.0.extend_from_slice(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// ROC AUC by the rank sum, tied scores sharing their average rank (scikit-learn's value);
/// `None` without both classes.
pub(crate) fn rank_auc(labels: &[bool], scores: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len().min(labels.len())).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && scores[order[end + 1]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + end) as f64 / 2.0 + 1.0;
        positive_rank_sum += order[start..=end].iter().filter(|&&row| labels[row]).count() as f64 * average_rank;
        start = end + 1;
    }
    let n_positive = order.iter().filter(|&&row| labels[row]).count() as f64;
    let n_negative = order.len() as f64 - n_positive;
    (n_positive > 0.0 && n_negative > 0.0)
        .then(|| (positive_rank_sum - n_positive * (n_positive + 1.0) / 2.0) / (n_positive * n_negative))
}

#[test]
fn rank_auc_matches_a_hand_count_with_ties() {
    // Pairs (positive, negative): 0.9>0.1, 0.9>0.5, 0.5=0.5 (half), 0.5>0.1 → 3.5 of 4.
    assert_eq!(rank_auc(&[true, true, false, false], &[0.9, 0.5, 0.5, 0.1]), Some(0.875));
    assert_eq!(rank_auc(&[true, true], &[0.1, 0.2]), None);
}
