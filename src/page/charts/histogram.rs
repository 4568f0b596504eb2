//! Score-histogram bins and what their bars measure.

use crate::analysis::evaluation::ScoreHistogram;

/// What a histogram's bars measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistogramScale {
    /// Claims per bin.
    #[default]
    Count,
    /// The bin's share of its class, so a rare class is as visible as a common one.
    ShareOfClass,
}

impl HistogramScale {
    /// The bar's value for `count` claims of a class with `class_total` claims.
    pub fn value(self, count: usize, class_total: usize) -> f64 {
        match self {
            HistogramScale::Count => count as f64,
            HistogramScale::ShareOfClass if class_total == 0 => 0.0,
            HistogramScale::ShareOfClass => count as f64 / class_total as f64,
        }
    }

    /// The y-axis title.
    pub fn axis_label(self) -> &'static str {
        match self {
            HistogramScale::Count => "Claims",
            HistogramScale::ShareOfClass => "Share of class",
        }
    }
}

/// One histogram bin in data units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramBin {
    /// The left edge.
    pub low: f64,
    /// The right edge.
    pub high: f64,
    /// Negatives in the bin.
    pub negatives: usize,
    /// Positives in the bin.
    pub positives: usize,
}

/// The bins with finite, increasing edges; counts missing from short vectors count as 0.
pub fn histogram_bins(histogram: &ScoreHistogram) -> Vec<HistogramBin> {
    histogram
        .edges
        .windows(2)
        .enumerate()
        .filter(|(_, edge)| edge[0].is_finite() && edge[1].is_finite() && edge[0] < edge[1])
        .map(|(idx, edge)| HistogramBin {
            low: edge[0],
            high: edge[1],
            negatives: histogram.negatives.get(idx).copied().unwrap_or(0),
            positives: histogram.positives.get(idx).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_tolerate_ragged_input() {
        let histogram =
            ScoreHistogram { edges: vec![0.0, 0.5, 1.0, f64::NAN], negatives: vec![3, 4, 5], positives: vec![1] };
        let bins = histogram_bins(&histogram);
        assert_eq!(
            bins,
            vec![
                HistogramBin { low: 0.0, high: 0.5, negatives: 3, positives: 1 },
                HistogramBin { low: 0.5, high: 1.0, negatives: 4, positives: 0 },
            ]
        );
        let empty = ScoreHistogram { edges: vec![], negatives: vec![], positives: vec![] };
        assert!(histogram_bins(&empty).is_empty());
    }

    #[test]
    fn histogram_scales_count_or_share() {
        assert_eq!(HistogramScale::ShareOfClass.value(5, 20), 0.25);
        assert_eq!(HistogramScale::ShareOfClass.value(5, 0), 0.0);
        assert_eq!(HistogramScale::Count.value(5, 20), 5.0);
    }
}
