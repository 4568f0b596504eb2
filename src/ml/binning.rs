//! Quantile feature binning shared by the forests: at most 255 value bins plus a missing bin.
//!
//! A feature's bins are defined by ascending `upper_edges`: a value `x` falls in bin
//! `b` = the number of edges strictly below `x`, so `x <= upper_edges[b]` exactly when
//! `bin(x) <= b`. A split "bin <= b" is therefore the same as the raw-value rule
//! `x <= upper_edges[b]`, which is what trees store and what shap's exporter expects.

use super::bytes::{ByteReader, ByteWriter};
use super::source::{read_column, FeatureSource, Rows};
use super::{FeatureMatrix, MlError};

/// The bin code reserved for a missing (NaN) value.
pub const MISSING_BIN: u8 = 255;
/// The most value bins a feature can have (codes `0..=254`).
pub const MAX_VALUE_BINS: usize = 255;

/// The bin edges of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureBins {
    upper_edges: Vec<f32>,
}

impl FeatureBins {
    /// Learns edges from a column: exact distinct values when there are few, else quantiles.
    ///
    /// Edges sit halfway between neighbouring distinct values (rounded down to one of
    /// them if f32 cannot represent the midpoint), as scikit-learn's thresholds do.
    pub fn fit(column: &[f32], max_bins: usize) -> Self {
        let max_bins = max_bins.clamp(2, MAX_VALUE_BINS);
        let mut sorted: Vec<f32> = column.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_unstable_by(f32::total_cmp);
        let mut distinct: Vec<(f32, usize)> = Vec::new();
        for &value in &sorted {
            match distinct.last_mut() {
                Some((last, count)) if *last == value => *count += 1,
                _ => distinct.push((value, 1)),
            }
        }
        let upper_values: Vec<f32> = if distinct.len() <= max_bins {
            distinct.iter().map(|&(value, _)| value).collect()
        } else {
            quantile_upper_values(&distinct, sorted.len(), max_bins)
        };
        let mut upper_edges = Vec::with_capacity(upper_values.len().saturating_sub(1));
        for (value_idx, &upper) in upper_values.iter().enumerate().take(upper_values.len().saturating_sub(1)) {
            let next = next_distinct_after(&distinct, upper).unwrap_or(upper_values[value_idx + 1]);
            upper_edges.push(midpoint_below(upper, next));
        }
        Self { upper_edges }
    }

    /// Bins from edges read back from bytes: `None` unless they are finite, strictly
    /// ascending and at most `MAX_VALUE_BINS - 1`.
    pub fn from_upper_edges(upper_edges: Vec<f32>) -> Option<Self> {
        let ascending = upper_edges.windows(2).all(|pair| pair[0] < pair[1]);
        let finite = upper_edges.iter().all(|edge| edge.is_finite());
        (ascending && finite && upper_edges.len() < MAX_VALUE_BINS).then_some(Self { upper_edges })
    }

    /// The edges between bins, ascending.
    pub fn upper_edges(&self) -> &[f32] {
        &self.upper_edges
    }

    /// The bin code of `value`; `MISSING_BIN` for NaN.
    pub fn bin_of(&self, value: f32) -> u8 {
        if value.is_nan() {
            MISSING_BIN
        } else {
            self.upper_edges.partition_point(|&edge| edge < value) as u8
        }
    }

    /// Number of value bins (not counting the missing bin).
    pub fn n_bins(&self) -> usize {
        self.upper_edges.len() + 1
    }

    /// The raw-value threshold of the split "bin <= `bin`": `x <= threshold`.
    ///
    /// The last bin's edge is `f32::MAX` (every finite value), which JSON can carry.
    pub fn upper_edge(&self, bin: usize) -> f32 {
        self.upper_edges.get(bin).copied().unwrap_or(f32::MAX)
    }
}

/// A whole matrix in bin codes, column-major, plus the edges that produced it.
#[derive(Debug, Clone)]
pub struct BinnedMatrix {
    n_rows: usize,
    codes: Vec<u8>,
    bins: Vec<FeatureBins>,
}

impl BinnedMatrix {
    /// Bins every feature of `matrix` with at most `max_bins` value bins each.
    pub fn fit(matrix: &FeatureMatrix, max_bins: usize) -> Self {
        let n_rows = matrix.n_rows();
        let mut codes = Vec::with_capacity(n_rows * matrix.n_features());
        let mut bins = Vec::with_capacity(matrix.n_features());
        for feature_idx in 0..matrix.n_features() {
            let column = matrix.column(feature_idx);
            bin_feature(column, column, max_bins, &mut codes, &mut bins);
        }
        Self { n_rows, codes, bins }
    }

    /// Learns each feature's bins from the rows `row_indices` of `matrix` (the training
    /// rows) and codes every row of `matrix` with them, so rows the bins never saw (held-out
    /// claims to score) are coded once, with the training rows, and never again.
    /// `fit_on_rows(m, rows, b)?.select_rows(rows)` equals `fit(&m.select_rows(rows), b)`.
    /// `source` is read a column at a time, so it need not be a matrix: every claim is
    /// binned without ever being held as f32 all at once. A row past its end is an error.
    pub fn fit_on_rows(source: &dyn FeatureSource, row_indices: &[usize], max_bins: usize) -> Result<Self, MlError> {
        Rows::Chosen(row_indices).check(source.n_rows())?;
        let n_rows = source.n_rows();
        let n_features = source.feature_names().len();
        let mut codes = Vec::with_capacity(n_rows * n_features);
        let mut bins = Vec::with_capacity(n_features);
        let mut column = Vec::new();
        let mut chosen = Vec::with_capacity(row_indices.len());
        for feature_idx in 0..n_features {
            read_column(source, feature_idx, &Rows::all(n_rows), &mut column);
            chosen.clear();
            chosen.extend(row_indices.iter().map(|&row_idx| column[row_idx]));
            bin_feature(&chosen, &column, max_bins, &mut codes, &mut bins);
        }
        Ok(Self { n_rows, codes, bins })
    }

    /// The rows `row_indices` (in that order, each below [`Self::n_rows`]) with the same bins.
    pub fn select_rows(&self, row_indices: &[usize]) -> Self {
        let mut codes = Vec::with_capacity(row_indices.len() * self.n_features());
        for feature_idx in 0..self.n_features() {
            let column = self.codes(feature_idx);
            codes.extend(row_indices.iter().map(|&row_idx| column[row_idx]));
        }
        Self { n_rows: row_indices.len(), codes, bins: self.bins.clone() }
    }

    /// A matrix from column-major codes (`n_rows` per feature) and each feature's bins.
    pub fn from_parts(n_rows: usize, codes: Vec<u8>, bins: Vec<FeatureBins>) -> Self {
        debug_assert_eq!(codes.len(), n_rows * bins.len());
        Self { n_rows, codes, bins }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.bins.len()
    }

    /// The bin codes of feature `feature_idx`, one per row.
    pub fn codes(&self, feature_idx: usize) -> &[u8] {
        &self.codes[feature_idx * self.n_rows..(feature_idx + 1) * self.n_rows]
    }

    /// The edges of feature `feature_idx`.
    pub fn bins(&self, feature_idx: usize) -> &FeatureBins {
        &self.bins[feature_idx]
    }
}

/// How many bytes [`write_binned_feature`] writes for `n_rows` codes.
pub(crate) fn binned_feature_byte_len(bins: &FeatureBins, n_rows: usize) -> usize {
    ByteWriter::LEN_BYTES + 4 * bins.upper_edges().len() + ByteWriter::LEN_BYTES + n_rows
}

/// Writes one feature's edges and then its codes (`codes`, any rows of it).
pub(crate) fn write_binned_feature(w: &mut ByteWriter, bins: &FeatureBins, codes: &[u8]) {
    write_binned_feature_head(w, bins, codes.len());
    w.raw(codes);
}

/// What [`write_binned_feature`] writes before the codes themselves: the edges and the
/// number of codes.
pub(crate) fn write_binned_feature_head(w: &mut ByteWriter, bins: &FeatureBins, n_codes: usize) {
    w.f32s(bins.upper_edges());
    w.len(n_codes);
}

/// Reads what [`write_binned_feature`] wrote for `n_rows` rows, checking that the edges
/// ascend and every code is one of the bins (or missing), and appends the bins and codes.
pub(crate) fn read_binned_feature(
    r: &mut ByteReader<'_>,
    n_rows: usize,
    bins: &mut Vec<FeatureBins>,
    codes: &mut Vec<u8>,
) -> Result<(), MlError> {
    codes.extend_from_slice(read_feature_codes(r, n_rows, bins)?);
    Ok(())
}

/// [`read_binned_feature`] that leaves the codes where they are: it returns their place
/// in the buffer (for a reader that moves them within the buffer it owns).
pub(crate) fn read_binned_feature_place(
    r: &mut ByteReader<'_>,
    n_rows: usize,
    bins: &mut Vec<FeatureBins>,
) -> Result<std::ops::Range<usize>, MlError> {
    let n_codes = read_feature_codes(r, n_rows, bins)?.len();
    let end = r.offset();
    Ok(end - n_codes..end)
}

/// Reads one feature's bin edges and codes, checks them, appends the bins and returns the
/// codes.
fn read_feature_codes<'a>(
    r: &mut ByteReader<'a>,
    n_rows: usize,
    bins: &mut Vec<FeatureBins>,
) -> Result<&'a [u8], MlError> {
    let feature_bins =
        FeatureBins::from_upper_edges(r.f32s()?).ok_or_else(|| r.error("bin edges are not ascending"))?;
    let column = r.bytes()?;
    if column.len() != n_rows {
        return Err(r.error("a column's length differs from the row count"));
    }
    let n_bins = feature_bins.n_bins();
    if column.iter().any(|&code| code != MISSING_BIN && usize::from(code) >= n_bins) {
        return Err(r.error("a bin code is outside its feature's bins"));
    }
    bins.push(feature_bins);
    Ok(column)
}

/// Learns one feature's bins from `learn_from`, appends them, and appends the codes of
/// `column` in them.
fn bin_feature(learn_from: &[f32], column: &[f32], max_bins: usize, codes: &mut Vec<u8>, bins: &mut Vec<FeatureBins>) {
    let feature_bins = FeatureBins::fit(learn_from, max_bins);
    codes.extend(column.iter().map(|&value| feature_bins.bin_of(value)));
    bins.push(feature_bins);
}

fn quantile_upper_values(distinct: &[(f32, usize)], n_values: usize, max_bins: usize) -> Vec<f32> {
    let mut uppers = Vec::with_capacity(max_bins);
    let mut cumulative = 0usize;
    let mut quantile_idx = 1usize;
    for &(value, count) in distinct {
        cumulative += count;
        let target = quantile_idx * n_values / max_bins;
        if cumulative >= target && uppers.len() + 1 < max_bins {
            uppers.push(value);
            while quantile_idx * n_values / max_bins <= cumulative {
                quantile_idx += 1;
            }
        }
    }
    if let Some(&(last, _)) = distinct.last() {
        if uppers.last() != Some(&last) {
            uppers.push(last);
        }
    }
    uppers
}

fn next_distinct_after(distinct: &[(f32, usize)], value: f32) -> Option<f32> {
    let idx = distinct.partition_point(|&(v, _)| v <= value);
    distinct.get(idx).map(|&(v, _)| v)
}

/// A value `m` with `low <= m < high`, as close to the midpoint as f32 allows.
fn midpoint_below(low: f32, high: f32) -> f32 {
    let mid = ((low as f64 + high as f64) / 2.0) as f32;
    if mid >= high || mid < low {
        low
    } else {
        mid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_with_midpoint_edges() {
        let bins = FeatureBins::fit(&[3.0, 1.0, 2.0, 2.0, f32::NAN], 255);
        assert_eq!(bins.n_bins(), 3);
        assert_eq!((bins.upper_edge(0), bins.upper_edge(1)), (1.5, 2.5));
        assert_eq!([1.0, 2.0, 3.0, 1.5, 1.6].map(|v| bins.bin_of(v)), [0, 1, 2, 0, 1]);
        assert_eq!(bins.bin_of(f32::NAN), MISSING_BIN);
    }

    #[test]
    fn many_values_are_capped_and_keep_order() {
        let column: Vec<f32> = (0..10_000).map(|i| (i % 997) as f32 * 0.5).collect();
        let bins = FeatureBins::fit(&column, 255);
        assert!(bins.n_bins() <= 255 && bins.n_bins() > 200, "{}", bins.n_bins());
        let mut last = 0u8;
        for v in (0..997).map(|i| i as f32 * 0.5) {
            let b = bins.bin_of(v);
            assert!(b >= last);
            last = b;
        }
    }

    #[test]
    fn binning_chosen_rows_equals_binning_their_selection() {
        let columns: Vec<Vec<f32>> = (0..3)
            .map(|f| {
                (0..2000).map(|i| if i % 37 == f { f32::NAN } else { ((i * (f + 3) * 7919) % 1013) as f32 }).collect()
            })
            .collect();
        let matrix = FeatureMatrix::from_columns(vec!["a".into(), "b".into(), "c".into()], columns).unwrap();
        let rows: Vec<usize> = (0..2000).filter(|i| i % 5 != 2).rev().collect();
        let every_row = BinnedMatrix::fit_on_rows(&matrix, &rows, 32).unwrap();
        assert_eq!(every_row.n_rows(), 2000, "every row is coded");
        let direct = every_row.select_rows(&rows);
        let selected = BinnedMatrix::fit(&matrix.select_rows(&rows), 32);
        assert_eq!(direct.n_rows(), rows.len());
        for feature_idx in 0..3 {
            assert_eq!(direct.codes(feature_idx), selected.codes(feature_idx));
            assert_eq!(direct.bins(feature_idx), selected.bins(feature_idx));
            // The rows left out are coded with the same bins.
            let column = matrix.column(feature_idx);
            let bins = every_row.bins(feature_idx);
            assert!((0..2000).all(|r| every_row.codes(feature_idx)[r] == bins.bin_of(column[r])));
        }
        assert!(BinnedMatrix::fit_on_rows(&matrix, &[0, 2000], 32).is_err(), "a row past the end");
    }

    #[test]
    fn bin_rule_matches_threshold_rule() {
        let column: Vec<f32> = (0..3000).map(|i| ((i * 7919) % 1013) as f32 / 3.0).collect();
        let bins = FeatureBins::fit(&column, 64);
        for split_bin in 0..bins.n_bins() {
            let threshold = bins.upper_edge(split_bin);
            for &v in &column {
                assert_eq!(bins.bin_of(v) as usize <= split_bin, v <= threshold);
            }
        }
    }

    #[test]
    fn adjacent_floats_keep_a_separating_edge() {
        let a = 1.0f32;
        let b = f32::from_bits(a.to_bits() + 1);
        let bins = FeatureBins::fit(&[a, b], 255);
        assert_eq!((bins.bin_of(a), bins.bin_of(b)), (0, 1));
    }

    #[test]
    fn constant_and_all_missing_columns_have_one_bin() {
        assert_eq!(FeatureBins::fit(&[5.0; 4], 255).n_bins(), 1);
        assert_eq!(FeatureBins::fit(&[f32::NAN; 4], 255).n_bins(), 1);
    }
}
