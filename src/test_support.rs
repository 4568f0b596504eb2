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

/// The records of CSV `text` as csv-core reads them (quotes undone; CR, LF or CRLF ends a
/// record, and a blank line is none), the oracle tests read written CSV with.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv_core::Reader::new();
    let mut input = text.as_bytes();
    let (mut output, mut ends) = (vec![0; text.len() + 1], vec![0; text.len() + 1]);
    let (mut out_len, mut n_ends) = (0, 0);
    let mut records = Vec::new();
    loop {
        let (result, nin, nout, nend) = reader.read_record(input, &mut output[out_len..], &mut ends[n_ends..]);
        input = &input[nin..];
        out_len += nout;
        n_ends += nend;
        match result {
            csv_core::ReadRecordResult::Record => {
                let mut start = 0;
                let mut record = Vec::new();
                for &end in &ends[..n_ends] {
                    record.push(String::from_utf8(output[start..end].to_vec()).unwrap());
                    start = end;
                }
                records.push(record);
                (out_len, n_ends) = (0, 0);
            }
            csv_core::ReadRecordResult::End => return records,
            _ => {}
        }
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
