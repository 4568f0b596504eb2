//! Explanation views, rows, and the values computed from them as bytes, so SHAP batches and
//! batch predictions can run on other Web Workers; what is read back is checked, so walking
//! it can neither panic nor recurse without bound.

use super::{ShapEnsemble, ShapTree, ShapValues, LEAF};
use crate::ml::binning::{binned_feature_byte_len, read_binned_feature, write_binned_feature, BinnedMatrix};
use crate::ml::bytes::{ByteReader, ByteWriter};
use crate::ml::tree_shape::{check_tree_shape, NodeShape, MAX_TREE_DEPTH};
use crate::ml::{FeatureMatrix, FeatureSource, MlError};

const ENSEMBLE_MAGIC: &[u8; 4] = b"CFE1";
const MATRIX_MAGIC: &[u8; 4] = b"CFM1";
const SHAP_VALUES_MAGIC: &[u8; 4] = b"CFS1";
const PREDICTIONS_MAGIC: &[u8; 4] = b"CFP1";
const BINNED_ROWS_MAGIC: &[u8; 4] = b"CFB1";

impl ShapEnsemble {
    /// The ensemble as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = ByteWriter::new(ENSEMBLE_MAGIC);
        w.len(self.n_features);
        w.u64(self.base_offset.to_bits());
        w.len(self.trees.len());
        for tree in &self.trees {
            let as_u32 = |values: &[i32]| values.iter().map(|&v| v as u32).collect::<Vec<u32>>();
            w.u32s(&as_u32(&tree.children_left));
            w.u32s(&as_u32(&tree.children_right));
            w.u32s(&as_u32(&tree.children_default));
            w.u32s(&as_u32(&tree.features));
            w.f32s(&tree.thresholds);
            w.f64s(&tree.values);
            w.f64s(&tree.node_sample_weight);
        }
        w.finish()
    }

    /// Reads [`ShapEnsemble::to_bytes`], checking every tree's shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MlError> {
        let mut r = ByteReader::new(bytes, ENSEMBLE_MAGIC, "explanation view")?;
        let n_features = r.len(0)?;
        let base_offset = f64::from_bits(r.u64()?);
        let n_trees = r.len(8)?;
        let mut trees = Vec::with_capacity(n_trees);
        for _ in 0..n_trees {
            let as_i32 = |values: Vec<u32>| values.into_iter().map(|v| v as i32).collect::<Vec<i32>>();
            let tree = ShapTree {
                children_left: as_i32(r.u32s()?),
                children_right: as_i32(r.u32s()?),
                children_default: as_i32(r.u32s()?),
                features: as_i32(r.u32s()?),
                thresholds: r.f32s()?,
                values: r.f64s()?,
                node_sample_weight: r.f64s()?,
            };
            check_tree(&tree).map_err(|reason| r.error(reason))?;
            trees.push(tree);
        }
        r.finish()?;
        Ok(Self { n_features, base_offset, trees })
    }
}

/// A matrix as bytes (names and column-major values).
pub fn matrix_to_bytes(matrix: &FeatureMatrix) -> Vec<u8> {
    let mut w = ByteWriter::new(MATRIX_MAGIC);
    w.len(matrix.n_features());
    for (feature_idx, name) in matrix.feature_names().iter().enumerate() {
        w.str(name);
        w.f32s(matrix.column(feature_idx));
    }
    w.finish()
}

/// One piece of [`matrix_to_bytes`] for the rows `rows` of a matrix: literal bytes, or a
/// column's values over those rows (little-endian f32), which a caller may copy from the
/// matrix straight into another buffer instead of materialising the rows.
#[derive(Debug, Clone, PartialEq)]
pub enum MatrixPiece {
    /// Bytes to write as they are.
    Bytes(Vec<u8>),
    /// Feature `0`'s values over the rows, as little-endian f32.
    Column(usize),
}

/// The layout of `matrix_to_bytes(&matrix.select_rows(rows))` for a contiguous row range,
/// as pieces; concatenated, they are exactly those bytes.
pub fn matrix_pieces(matrix: &dyn FeatureSource, rows: std::ops::Range<usize>) -> Vec<MatrixPiece> {
    let mut pieces = Vec::with_capacity(2 * matrix.feature_names().len() + 1);
    let mut head = ByteWriter::new(MATRIX_MAGIC);
    head.len(matrix.feature_names().len());
    for (feature_idx, name) in matrix.feature_names().iter().enumerate() {
        head.str(name);
        head.len(rows.len());
        pieces.push(MatrixPiece::Bytes(std::mem::take(&mut head).finish()));
        pieces.push(MatrixPiece::Column(feature_idx));
    }
    let tail = head.finish();
    if !tail.is_empty() {
        pieces.push(MatrixPiece::Bytes(tail));
    }
    pieces
}

/// Reads [`matrix_to_bytes`].
pub fn matrix_from_bytes(bytes: &[u8]) -> Result<FeatureMatrix, MlError> {
    // The columns go straight into one column-major buffer of the right size: a million
    // rows are held once beside their bytes, not twice.
    let rows = MatrixBytes::new(bytes)?;
    FeatureMatrix::from_source(&rows, &crate::ml::Rows::all(rows.n_rows()))
}

/// Rows written by [`matrix_to_bytes`], read where they lie: a [`FeatureSource`] that
/// decodes a column's values only when they are read, so a helper scoring a chunk in
/// a block of rows at a time ([`crate::ml::flat::FlatForest::predict_source`]) never holds
/// the chunk twice.
#[derive(Debug)]
pub struct MatrixBytes<'a> {
    names: Vec<String>,
    n_rows: usize,
    /// Each column's values, four little-endian bytes a row.
    columns: Vec<&'a [u8]>,
}

impl<'a> MatrixBytes<'a> {
    /// Reads the layout of [`matrix_to_bytes`]' bytes; the checks are
    /// [`matrix_from_bytes`]'.
    pub fn new(bytes: &'a [u8]) -> Result<Self, MlError> {
        let mut r = ByteReader::new(bytes, MATRIX_MAGIC, "rows")?;
        let n_features = r.len(8)?;
        let mut names = Vec::with_capacity(n_features);
        let mut columns = Vec::with_capacity(n_features);
        let mut n_rows = None;
        for _ in 0..n_features {
            names.push(r.str()?.to_owned());
            let column = r.f32_bytes()?;
            if *n_rows.get_or_insert(column.len() / 4) != column.len() / 4 {
                return Err(r.error("the columns differ in length"));
            }
            columns.push(column);
        }
        r.finish()?;
        Ok(Self { names, n_rows: n_rows.unwrap_or(0), columns })
    }
}

impl FeatureSource for MatrixBytes<'_> {
    fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn feature_names(&self) -> &[String] {
        &self.names
    }

    fn extend_column(&self, feature_idx: usize, rows: &crate::ml::Rows<'_>, out: &mut Vec<f32>) {
        let column = self.columns.get(feature_idx).copied().unwrap_or_default();
        let value_at = |row: usize| {
            column.get(row * 4..row * 4 + 4).map_or(f32::NAN, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        match rows {
            crate::ml::Rows::Range(range) => out.extend(range.clone().map(value_at)),
            crate::ml::Rows::Chosen(chosen) => out.extend(chosen.iter().map(|&row| value_at(row))),
        }
    }
}

/// The rows `rows` of a binned matrix (its codes and each feature's edges): a quarter of
/// [`matrix_to_bytes`]' size, for scoring them with a forest grown on those bins
/// ([`crate::ml::flat::FlatForest::predict_binned`]).
pub fn binned_rows_to_bytes(binned: &BinnedMatrix, rows: std::ops::Range<usize>) -> Vec<u8> {
    let features: usize = (0..binned.n_features()).map(|f| binned_feature_byte_len(binned.bins(f), rows.len())).sum();
    let mut w =
        ByteWriter::with_capacity(BINNED_ROWS_MAGIC, BINNED_ROWS_MAGIC.len() + 2 * ByteWriter::LEN_BYTES + features);
    w.len(binned.n_features());
    w.len(rows.len());
    for feature_idx in 0..binned.n_features() {
        write_binned_feature(&mut w, binned.bins(feature_idx), &binned.codes(feature_idx)[rows.clone()]);
    }
    w.finish()
}

/// Reads [`binned_rows_to_bytes`].
pub fn binned_rows_from_bytes(bytes: &[u8]) -> Result<BinnedMatrix, MlError> {
    let mut r = ByteReader::new(bytes, BINNED_ROWS_MAGIC, "binned rows")?;
    let n_features = r.len(8)?;
    let n_rows = r.len(0)?;
    let mut bins = Vec::with_capacity(n_features);
    let mut codes = Vec::new();
    for _ in 0..n_features {
        read_binned_feature(&mut r, n_rows, &mut bins, &mut codes)?;
    }
    r.finish()?;
    Ok(BinnedMatrix::from_parts(n_rows, codes, bins))
}

/// SHAP values as bytes.
pub fn shap_values_to_bytes(shap: &ShapValues) -> Vec<u8> {
    let mut w = ByteWriter::new(SHAP_VALUES_MAGIC);
    w.u64(shap.base_value.to_bits());
    w.len(shap.n_features);
    w.f64s(&shap.values);
    w.finish()
}

/// Reads [`shap_values_to_bytes`]; the values must fill whole rows.
pub fn shap_values_from_bytes(bytes: &[u8]) -> Result<ShapValues, MlError> {
    let mut r = ByteReader::new(bytes, SHAP_VALUES_MAGIC, "SHAP values")?;
    let base_value = f64::from_bits(r.u64()?);
    let n_features = r.len(0)?;
    let values = r.f64s()?;
    if n_features == 0 && !values.is_empty() || n_features > 0 && values.len() % n_features != 0 {
        return Err(r.error("the values do not fill whole rows"));
    }
    r.finish()?;
    Ok(ShapValues { base_value, n_features, values })
}

/// A batch prediction (one value per row) as bytes.
pub fn predictions_to_bytes(values: &[f64]) -> Vec<u8> {
    let mut w = ByteWriter::new(PREDICTIONS_MAGIC);
    w.f64s(values);
    w.finish()
}

/// Reads [`predictions_to_bytes`].
pub fn predictions_from_bytes(bytes: &[u8]) -> Result<Vec<f64>, MlError> {
    let mut r = ByteReader::new(bytes, PREDICTIONS_MAGIC, "predictions")?;
    let values = r.f64s()?;
    r.finish()?;
    Ok(values)
}

/// The nodes form one tree ([`check_tree_shape`]: children after their parent, each node
/// reached once, no leaf deeper than `MAX_TREE_DEPTH`), the default child is one of a
/// split's children, and every array has one entry per node.
fn check_tree(tree: &ShapTree) -> Result<(), String> {
    let n_nodes = tree.children_left.len();
    let lengths = [
        tree.children_right.len(),
        tree.children_default.len(),
        tree.features.len(),
        tree.thresholds.len(),
        tree.values.len(),
        tree.node_sample_weight.len(),
    ];
    if n_nodes == 0 || lengths.iter().any(|&len| len != n_nodes) {
        return Err("a tree's arrays differ in length".into());
    }
    let as_index = |child: i32| usize::try_from(child).unwrap_or(usize::MAX);
    let shapes = (0..n_nodes).map(|node| {
        let (left, right) = (tree.children_left[node], tree.children_right[node]);
        NodeShape {
            children: (!(left == LEAF && right == LEAF)).then_some((as_index(left), as_index(right))),
            feature_idx: usize::try_from(tree.features[node]).unwrap_or(usize::MAX),
        }
    });
    check_tree_shape(shapes, usize::MAX, MAX_TREE_DEPTH).map_err(|error| error.to_string())?;
    for node in 0..n_nodes {
        let (left, right, default) = (tree.children_left[node], tree.children_right[node], tree.children_default[node]);
        if !(left == LEAF && right == LEAF) && default != left && default != right {
            return Err(format!("tree node {node} has a default child that is neither of its children"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::shap::TreeExplainer;
    use crate::ml::{ForestParams, SeededRng};
    use std::ops::ControlFlow;

    fn forest_and_rows() -> (ShapEnsemble, FeatureMatrix) {
        let mut rng = SeededRng::new(5);
        let columns: Vec<Vec<f32>> = (0..3).map(|_| (0..400).map(|_| rng.next_f64() as f32).collect()).collect();
        let labels: Vec<u32> = (0..400).map(|r| u32::from(columns[0][r] > 0.5 || columns[2][r] < 0.1)).collect();
        let matrix = FeatureMatrix::from_columns(vec!["a".into(), "b".into(), "c".into()], columns).unwrap();
        let params = ForestParams { n_trees: 5, ..ForestParams::default() };
        let forest = params.fit(&matrix, &labels, &mut |_| ControlFlow::Continue(())).unwrap();
        (forest.shap_ensemble(1), matrix)
    }

    #[test]
    fn rows_explained_in_chunks_elsewhere_equal_the_whole() {
        let (ensemble, matrix) = forest_and_rows();
        let whole = TreeExplainer::new(&ensemble).explain_matrix(&matrix);
        let remote = ShapEnsemble::from_bytes(&ensemble.to_bytes()).unwrap();
        assert_eq!(remote, ensemble);
        let explainer = TreeExplainer::new(&remote);
        let mut pieces = Vec::new();
        for chunk in [0..70, 70..71, 71..400] {
            let rows: Vec<usize> = chunk.collect();
            let part = matrix_from_bytes(&matrix_to_bytes(&matrix.select_rows(&rows))).unwrap();
            pieces.extend(explainer.explain_matrix(&part).values);
        }
        assert_eq!(pieces, whole.values);
    }

    #[test]
    fn rows_read_where_they_lie_score_as_their_matrix() {
        let (ensemble, mut matrix) = forest_and_rows();
        // A missing value and an infinite one, which a matrix stores as missing.
        let mut columns: Vec<Vec<f32>> = (0..3).map(|f| matrix.column(f).to_vec()).collect();
        columns[1][7] = f32::NAN;
        columns[2][9] = f32::INFINITY;
        matrix = FeatureMatrix::from_columns(matrix.feature_names().to_vec(), columns).unwrap();
        let bytes = matrix_to_bytes(&matrix);
        let rows = MatrixBytes::new(&bytes).unwrap();
        assert_eq!((rows.n_rows(), rows.feature_names()), (400, matrix.feature_names()));
        let chosen = [399, 9, 7, 0, 9];
        for feature_idx in 0..3 {
            let (mut read, mut expected) = (Vec::new(), Vec::new());
            crate::ml::source::read_column(&rows, feature_idx, &crate::ml::Rows::Chosen(&chosen), &mut read);
            crate::ml::source::read_column(&matrix, feature_idx, &crate::ml::Rows::Chosen(&chosen), &mut expected);
            assert!(read.iter().zip(&expected).all(|(a, b)| a.to_bits() == b.to_bits()), "feature {feature_idx}");
        }
        let flat = crate::ml::flat::FlatForest::from_ensemble(&ensemble);
        let whole = flat.predict_matrix(&matrix_from_bytes(&bytes).unwrap());
        let in_pieces = flat.predict_source(&rows, &crate::ml::Rows::all(400)).unwrap();
        assert!(whole.iter().zip(&in_pieces).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(in_pieces.len(), 400);
        for cut in [0, 4, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(MatrixBytes::new(&bytes[..cut]).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn matrix_pieces_concatenate_to_the_rows_bytes() {
        let (_, matrix) = forest_and_rows();
        for rows in [0..400, 10..11, 37..210, 5..5] {
            let mut bytes = Vec::new();
            for piece in matrix_pieces(&matrix, rows.clone()) {
                match piece {
                    MatrixPiece::Bytes(literal) => bytes.extend(literal),
                    MatrixPiece::Column(feature) => {
                        matrix.column(feature)[rows.clone()].iter().for_each(|v| bytes.extend(v.to_le_bytes()))
                    }
                }
            }
            let expected = matrix_to_bytes(&matrix.select_rows(&rows.clone().collect::<Vec<_>>()));
            assert_eq!(bytes, expected, "{rows:?}");
        }
    }

    #[test]
    fn damaged_views_are_errors() {
        let (ensemble, matrix) = forest_and_rows();
        let bytes = ensemble.to_bytes();
        for cut in [0, 4, 30, bytes.len() / 2, bytes.len() - 1] {
            assert!(ShapEnsemble::from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut backwards = ensemble.clone();
        let split = backwards.trees[0].children_left.iter().position(|&c| c != LEAF).unwrap();
        backwards.trees[0].children_left[split] = 0;
        assert!(ShapEnsemble::from_bytes(&backwards.to_bytes()).is_err());
        let rows = matrix_to_bytes(&matrix);
        assert!(matrix_from_bytes(&rows[..rows.len() - 3]).is_err());
    }

    #[test]
    fn values_and_predictions_round_trip_and_damage_is_an_error() {
        let (ensemble, matrix) = forest_and_rows();
        let shap = TreeExplainer::new(&ensemble).explain_matrix(&matrix);
        let bytes = shap_values_to_bytes(&shap);
        assert_eq!(shap_values_from_bytes(&bytes).unwrap(), shap);
        for cut in [0, 4, 12, bytes.len() - 1] {
            assert!(shap_values_from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let ragged = ShapValues { values: vec![0.5; 7], ..shap.clone() };
        assert!(shap_values_from_bytes(&shap_values_to_bytes(&ragged)).is_err(), "7 values, 3 per row");
        let predictions = vec![0.25, -1.0, f64::MAX];
        assert_eq!(predictions_from_bytes(&predictions_to_bytes(&predictions)).unwrap(), predictions);
        let bytes = predictions_to_bytes(&predictions);
        assert!(predictions_from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(predictions_from_bytes(&shap_values_to_bytes(&shap)).is_err(), "the wrong kind of bytes");
    }
}
