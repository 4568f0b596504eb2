//! Turning table columns into the f32 matrix a model reads, and the label into classes.
//!
//! Numeric columns pass through as f32 (NaN stays missing). Categorical columns become
//! their level's code, in an order that carries meaning and never depends on row order
//! ([`LevelOrder`]): for a random forest, levels sorted by their positive rate among the
//! training claims (Breiman's ordering for two classes, so one threshold splits the levels
//! that matter from the rest); for an isolation forest, by how rare they are. A level the
//! encoder does not hold is encoded as missing, so scoring new data never fails on a new
//! category.

use serde::{Deserialize, Deserializer, Serialize};

use super::PipelineError;
use crate::hashing::KeyedMap;

use crate::claims::table::{ClaimsTable, Column, ColumnData, Numbers, MISSING_DAY};
use crate::ml::{FeatureMatrix, FeatureSource, Rows};
use crate::tag_first::{self, TaggedEnum};

/// How one feature column is encoded: an object whose first field, `kind`, names the
/// variant (read in one pass, `crate::tag_first`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoding {
    /// Numbers as they are.
    Numeric {
        /// The column name.
        name: String,
    },
    /// Levels to codes; `levels[code]` is the text.
    Categorical {
        /// The column name.
        name: String,
        /// The distinct texts, in code order.
        levels: Vec<String>,
    },
}

impl TaggedEnum for FeatureEncoding {
    const TAG: &'static str = "kind";
    const VARIANTS: &'static [&'static str] = &["numeric", "categorical"];

    fn read_variant<'de, D: Deserializer<'de>>(kind: &str, fields: D) -> Option<Result<Self, D::Error>> {
        /// `Numeric`'s fields after its kind.
        #[derive(Deserialize)]
        struct NumericFields {
            name: String,
        }
        /// `Categorical`'s fields after its kind.
        #[derive(Deserialize)]
        struct CategoricalFields {
            name: String,
            levels: Vec<String>,
        }
        Some(match kind {
            "numeric" => NumericFields::deserialize(fields).map(|f| FeatureEncoding::Numeric { name: f.name }),
            "categorical" => CategoricalFields::deserialize(fields)
                .map(|f| FeatureEncoding::Categorical { name: f.name, levels: f.levels }),
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for FeatureEncoding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        tag_first::deserialize(deserializer)
    }
}

impl FeatureEncoding {
    /// The column name.
    pub fn name(&self) -> &str {
        match self {
            FeatureEncoding::Numeric { name } | FeatureEncoding::Categorical { name, .. } => name,
        }
    }

    /// The feature value as a reader would say it, e.g. "Knee Surgery" for code 1.
    pub fn describe_value(&self, value: f32) -> String {
        if value.is_nan() {
            return "missing".into();
        }
        match self {
            // The shortest text that reads back as this f32 ("12.3", not "12.300000190734863").
            FeatureEncoding::Numeric { .. } => format!("{value}"),
            FeatureEncoding::Categorical { levels, .. } => {
                levels.get(value as usize).cloned().unwrap_or_else(|| "unknown".into())
            }
        }
    }
}

/// How a categorical feature's levels are put in code order. Ties are broken by the level's
/// text, and every count is over a set of rows, so shuffling a file's rows changes nothing.
#[derive(Debug, Clone, Copy)]
pub enum LevelOrder<'a> {
    /// Lowest positive rate first, among the training rows, each level's rate smoothed
    /// toward the overall rate by [`RATE_SMOOTHING`] claims (a level seen twice does not
    /// land at an extreme). Levels with no training row are left out: read as missing.
    PositiveRate {
        /// Every row's class (0 or 1).
        labels: &'a [u32],
        /// The training rows.
        rows: &'a [usize],
    },
    /// Rarest first among the training rows, so the rare levels an isolation forest should
    /// isolate sit together; a level never seen in training is the rarest of all.
    Rarity {
        /// The training rows.
        rows: &'a Rows<'a>,
    },
}

/// How many claims at the overall positive rate each level's rate is blended with before
/// levels are ordered (LightGBM's `cat_smooth` default).
pub const RATE_SMOOTHING: f64 = 10.0;

impl LevelOrder<'_> {
    /// `levels` (a column's, indexed by `codes`) in code order.
    fn order(&self, levels: &crate::claims::Levels, codes: &[u32]) -> Vec<String> {
        let n_levels = levels.len();
        let mut count = vec![0u64; n_levels];
        let mut positive = vec![0u64; n_levels];
        let mut add = |row: usize, class: u32| {
            if let Some(&code) = codes.get(row) {
                if let (Some(n), Some(p)) = (count.get_mut(code as usize), positive.get_mut(code as usize)) {
                    *n += 1;
                    *p += u64::from(class);
                }
            }
        };
        let keys: Vec<f64> = match *self {
            LevelOrder::PositiveRate { labels, rows } => {
                for &row in rows {
                    add(row, labels.get(row).copied().unwrap_or(0));
                }
                let total: u64 = count.iter().sum();
                let overall = positive.iter().sum::<u64>() as f64 / total.max(1) as f64;
                count
                    .iter()
                    .zip(&positive)
                    .map(|(&n, &p)| (p as f64 + RATE_SMOOTHING * overall) / (n as f64 + RATE_SMOOTHING))
                    .collect()
            }
            LevelOrder::Rarity { rows } => {
                match rows {
                    Rows::Range(range) => range.clone().for_each(|row| add(row, 0)),
                    Rows::Chosen(chosen) => chosen.iter().for_each(|&row| add(row, 0)),
                }
                count.iter().map(|&n| n as f64).collect()
            }
        };
        let keep_unseen = matches!(self, LevelOrder::Rarity { .. });
        let kept: Vec<usize> = (0..n_levels).filter(|&code| keep_unseen || count[code] > 0).collect();
        let text = |code: usize| levels.get(code).unwrap_or("");
        let order = crate::sorting::stable_order(kept.len(), &|a, b| {
            let (a, b) = (kept[a], kept[b]);
            keys[a].total_cmp(&keys[b]).then_with(|| text(a).cmp(text(b)))
        });
        order.into_iter().map(|idx| text(kept[idx]).to_owned()).collect()
    }
}

/// The encodings of all features of a model, in matrix column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureEncoder {
    features: Vec<FeatureEncoding>,
    /// For each feature, the canonical column its training column mapped to, if any: the
    /// name a file with another vendor's headers is searched for when it lacks the
    /// training header. Empty in model files written before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    canonical: Vec<Option<String>>,
}

impl FeatureEncoder {
    /// Learns encodings for `feature_columns` of `table`, text levels coded in `order`.
    pub fn fit(table: &ClaimsTable, feature_columns: &[String], order: &LevelOrder<'_>) -> Result<Self, PipelineError> {
        let features = feature_columns
            .iter()
            .map(|name| {
                let column = table.column(name).ok_or_else(|| PipelineError::MissingColumn { name: name.clone() })?;
                Ok(match &column.data {
                    ColumnData::Numeric { .. } | ColumnData::Date { .. } => {
                        FeatureEncoding::Numeric { name: name.clone() }
                    }
                    ColumnData::Categorical { levels, codes } => {
                        FeatureEncoding::Categorical { name: name.clone(), levels: order.order(levels, codes) }
                    }
                })
            })
            .collect::<Result<_, PipelineError>>()?;
        let canonical: Vec<Option<String>> =
            feature_columns.iter().map(|name| table.column(name).and_then(|c| c.canonical.clone())).collect();
        let canonical = if canonical.iter().all(Option::is_none) { Vec::new() } else { canonical };
        Ok(Self { features, canonical })
    }

    /// The canonical name of feature `feature_idx`'s training column, if it had one.
    pub fn canonical_name(&self, feature_idx: usize) -> Option<&str> {
        self.canonical.get(feature_idx).and_then(Option::as_deref)
    }

    /// Whether the per-feature canonical names, if any, match the features one for one
    /// (a model file check).
    pub fn canonical_names_fit(&self) -> bool {
        self.canonical.is_empty() || self.canonical.len() == self.features.len()
    }

    /// The column of `table` that feeds feature `feature_idx`: the one with the training
    /// header, else the one that maps to the same canonical column.
    pub fn source_column<'t>(&self, table: &'t ClaimsTable, feature_idx: usize) -> Option<&'t Column> {
        let feature = self.features.get(feature_idx)?;
        table.column(feature.name()).or_else(|| self.canonical_name(feature_idx).and_then(|c| table.column(c)))
    }

    /// Each model input that `table` feeds from a column of another name, with that column's
    /// header: what a report says when one vendor's model scores another vendor's layout.
    pub fn renamed_inputs(&self, table: &ClaimsTable) -> Vec<(String, String)> {
        (0..self.features.len())
            .filter_map(|idx| {
                let column = self.source_column(table, idx)?;
                let name = self.features[idx].name();
                (column.name != name).then(|| (name.to_owned(), column.name.clone()))
            })
            .collect()
    }

    /// The encodings, in column order.
    pub fn features(&self) -> &[FeatureEncoding] {
        &self.features
    }

    /// Encodes every row of `table` into a feature matrix.
    pub fn encode(&self, table: &ClaimsTable) -> Result<FeatureMatrix, PipelineError> {
        let view = self.view(table)?;
        Ok(FeatureMatrix::from_source(&view, &Rows::all(table.n_rows()))?)
    }

    /// `table`'s feature columns as this encoder reads them, encoded on demand: rows (one
    /// claim to explain, a chunk to score, a column to bin) without the whole matrix.
    pub fn view<'a>(&self, table: &'a ClaimsTable) -> Result<EncodedTable<'a>, PipelineError> {
        let columns = self
            .features
            .iter()
            .enumerate()
            .map(|(idx, feature)| {
                let column = self
                    .source_column(table, idx)
                    .ok_or_else(|| PipelineError::MissingColumn { name: feature.name().to_owned() })?;
                Ok(EncodedColumn::new(feature, &column.data))
            })
            .collect::<Result<_, PipelineError>>()?;
        let names = self.features.iter().map(|f| f.name().to_owned()).collect();
        Ok(EncodedTable { n_rows: table.n_rows(), names, columns })
    }
}

/// A table's feature columns read through a [`FeatureEncoder`], a column or a few rows at a
/// time ([`FeatureSource`]); every value equals the encoder's matrix's.
#[derive(Debug)]
pub struct EncodedTable<'a> {
    n_rows: usize,
    names: Vec<String>,
    columns: Vec<EncodedColumn<'a>>,
}

impl EncodedTable<'_> {
    /// One row's features, as the model reads them; `None` past the last row.
    pub fn row(&self, row_idx: usize) -> Option<Vec<f32>> {
        let matrix = FeatureMatrix::from_source(self, &Rows::Chosen(&[row_idx])).ok()?;
        let mut row = Vec::with_capacity(self.names.len());
        matrix.copy_row_into(0, &mut row);
        Some(row)
    }
}

impl FeatureSource for EncodedTable<'_> {
    fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn feature_names(&self) -> &[String] {
        &self.names
    }

    fn extend_column(&self, feature_idx: usize, rows: &Rows<'_>, out: &mut Vec<f32>) {
        let Some(column) = self.columns.get(feature_idx) else { return };
        match rows {
            Rows::Range(range) => column.extend(range.clone(), out),
            Rows::Chosen(chosen) => column.extend(chosen.iter().copied(), out),
        }
    }
}

/// One feature column, borrowed from the table, with its codes' values worked out once.
#[derive(Debug)]
enum EncodedColumn<'a> {
    Numbers(&'a Numbers),
    Days(&'a [i32]),
    /// Categorical codes and the value of each code: the encoder's code of its text, or the
    /// number the text reads as.
    Codes {
        codes: &'a [u32],
        values: Vec<f32>,
    },
}

impl<'a> EncodedColumn<'a> {
    fn new(feature: &FeatureEncoding, data: &'a ColumnData) -> Self {
        match (feature, data) {
            (_, ColumnData::Numeric { values }) => EncodedColumn::Numbers(values),
            (_, ColumnData::Date { days }) => EncodedColumn::Days(days),
            (FeatureEncoding::Categorical { levels: known, .. }, ColumnData::Categorical { levels, codes }) => {
                // Map this table's codes onto the encoder's levels by text.
                let known: KeyedMap<&str, usize> =
                    known.iter().enumerate().rev().map(|(code, level)| (level.as_str(), code)).collect();
                let values =
                    levels.iter().map(|level| known.get(level).map_or(f32::NAN, |&code| code as f32)).collect();
                EncodedColumn::Codes { codes, values }
            }
            (FeatureEncoding::Numeric { .. }, ColumnData::Categorical { levels, codes }) => {
                let values = levels.iter().map(|text| text.trim().parse::<f32>().unwrap_or(f32::NAN)).collect();
                EncodedColumn::Codes { codes, values }
            }
        }
    }

    /// Appends the values at `rows`; NaN for missing (and past the end). The column's kind
    /// is matched once per call, not once per value: this is every claim's encoding.
    fn extend(&self, rows: impl Iterator<Item = usize>, out: &mut Vec<f32>) {
        match self {
            EncodedColumn::Numbers(values) => values.extend_f32s(rows, out),
            EncodedColumn::Days(days) => out.extend(rows.map(|row_idx| match days.get(row_idx) {
                Some(&day) if day != MISSING_DAY => f64::from(day) as f32,
                _ => f32::NAN,
            })),
            EncodedColumn::Codes { codes, values } => out.extend(rows.map(|row_idx| {
                codes.get(row_idx).and_then(|&code| values.get(code as usize)).copied().unwrap_or(f32::NAN)
            })),
        }
    }
}

/// Reads a binary label column: class 1 for the positive value, 0 otherwise.
///
/// Numeric labels: any non-zero number is positive. Text labels: `positive` if given,
/// else the usual spellings of "yes" (1, y, yes, true, t, denied, fraud). A missing label
/// is an error naming its row (1-based, as a spreadsheet shows it).
pub fn binary_labels(
    table: &ClaimsTable,
    label_column: &str,
    positive: Option<&str>,
) -> Result<Vec<u32>, PipelineError> {
    let missing_at = |row_idx: usize| PipelineError::MissingLabel { column: label_column.to_owned(), row: row_idx + 1 };
    labels_where_present(table, label_column, positive)?
        .into_iter()
        .enumerate()
        .map(|(row_idx, label)| label.ok_or_else(|| missing_at(row_idx)))
        .collect()
}

/// [`binary_labels`], with `None` where the label is missing: a label joined from another
/// file is missing on claims whose entity the file lacks.
pub fn labels_where_present(
    table: &ClaimsTable,
    label_column: &str,
    positive: Option<&str>,
) -> Result<Vec<Option<u32>>, PipelineError> {
    let column =
        table.column(label_column).ok_or_else(|| PipelineError::MissingColumn { name: label_column.to_owned() })?;
    match &column.data {
        ColumnData::Numeric { values } => {
            Ok(values.iter().map(|v| (!v.is_nan()).then(|| u32::from(v != 0.0))).collect())
        }
        ColumnData::Date { .. } => Err(PipelineError::DateLabel { column: label_column.to_owned() }),
        ColumnData::Categorical { levels, codes } => {
            let is_positive = classify_label_levels(label_column, levels.iter(), positive)?;
            Ok(codes.iter().map(|&code| is_positive.get(code as usize).map(|&p| u32::from(p))).collect())
        }
    }
}

/// Texts read as a positive label when no positive value is named.
const POSITIVE_WORDS: [&str; 7] = ["1", "y", "yes", "true", "t", "denied", "fraud"];
/// Texts read as a negative label when no positive value is named.
const NEGATIVE_WORDS: [&str; 9] = ["0", "n", "no", "false", "f", "paid", "approved", "not fraud", "legitimate"];
/// How many of a label's values a message lists.
const LISTED_LABEL_VALUES: usize = 6;

/// Whether each level is the positive class. With `positive` named, exactly the levels
/// equal to it (ignoring case and surrounding spaces), and it must be one of them; without,
/// every level must be a yes/no word, so an unrecognised value is never silently negative.
fn classify_label_levels<'a>(
    column: &str,
    levels: impl Iterator<Item = &'a str> + Clone,
    positive: Option<&str>,
) -> Result<Vec<bool>, PipelineError> {
    let listed = || {
        let mut values: Vec<String> =
            levels.clone().take(LISTED_LABEL_VALUES).map(|l| format!("'{}'", l.trim())).collect();
        if levels.clone().nth(LISTED_LABEL_VALUES).is_some() {
            values.push("...".into());
        }
        values.join(", ")
    };
    match positive.map(str::trim).filter(|p| !p.is_empty()) {
        Some(positive) => {
            let is_positive: Vec<bool> =
                levels.clone().map(|level| level.trim().eq_ignore_ascii_case(positive)).collect();
            if !is_positive.contains(&true) {
                return Err(PipelineError::PositiveNotFound {
                    column: column.to_owned(),
                    positive: positive.to_owned(),
                    values: listed(),
                });
            }
            Ok(is_positive)
        }
        None => levels
            .clone()
            .map(|level| {
                let word = level.trim().to_ascii_lowercase();
                if POSITIVE_WORDS.contains(&word.as_str()) {
                    Ok(true)
                } else if NEGATIVE_WORDS.contains(&word.as_str()) {
                    Ok(false)
                } else {
                    Err(PipelineError::UnclearLabel { column: column.to_owned(), values: listed() })
                }
            })
            .collect(),
    }
}

/// Refuses labels that are all one class, saying which values were found and which were
/// taken as positive.
pub(crate) fn check_two_classes(
    table: &ClaimsTable,
    label_column: &str,
    positive: Option<&str>,
    labels: &[u32],
) -> Result<(), PipelineError> {
    let Some(&first) = labels.first() else { return Ok(()) };
    if labels.iter().any(|&label| label != first) {
        return Ok(());
    }
    let values = match table.column(label_column).map(|c| &c.data) {
        Some(ColumnData::Categorical { levels, .. }) => {
            levels.iter().take(LISTED_LABEL_VALUES).map(|l| format!("'{}'", l.trim())).collect::<Vec<_>>().join(", ")
        }
        Some(ColumnData::Numeric { values }) => {
            let mut seen: Vec<String> = Vec::new();
            for value in values.iter().filter(|v| !v.is_nan()) {
                let text = crate::claims::table::format_number(value);
                if !seen.contains(&text) {
                    seen.push(text);
                }
                if seen.len() == LISTED_LABEL_VALUES {
                    break;
                }
            }
            seen.join(", ")
        }
        _ => String::new(),
    };
    let taken = match positive.map(str::trim).filter(|p| !p.is_empty()) {
        Some(positive) => format!("'{positive}'"),
        None => "any number but 0, or yes, y, true, t, 1, denied, fraud".to_owned(),
    };
    Err(PipelineError::SingleClass {
        column: label_column.to_owned(),
        class: if first == 1 { "positive" } else { "negative" },
        values,
        taken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::CategoricalBuilder;

    fn table(service: &[Option<&str>], label: Vec<f64>) -> ClaimsTable {
        let mut builder = CategoricalBuilder::default();
        service.iter().for_each(|s| builder.push(*s));
        let mut table = ClaimsTable::new();
        table.push_column("service", builder.finish()).unwrap();
        table.push_column("label", ColumnData::Numeric { values: label.into() }).unwrap();
        table
    }

    #[test]
    fn encodings_read_back_from_the_json_they_write() {
        let encodings = vec![
            FeatureEncoding::Numeric { name: "age".into() },
            FeatureEncoding::Categorical { name: "service".into(), levels: vec!["Knee".into(), "Office".into()] },
        ];
        let json = serde_json::to_string(&encodings).unwrap();
        assert!(json.starts_with(r#"[{"kind":"numeric","name":"age"},{"kind":"categorical","#), "{json}");
        assert_eq!(serde_json::from_str::<Vec<FeatureEncoding>>(&json).unwrap(), encodings);
        assert!(serde_json::from_str::<FeatureEncoding>(r#"{"kind":"categorical","name":"x"}"#).is_err());
    }

    /// Levels L00..L29 in a scrambled first-seen order; L07, L19 and L23 are mostly positive.
    fn signal_table(n_rows: usize, shift: usize) -> (ClaimsTable, Vec<u32>) {
        let mut builder = CategoricalBuilder::default();
        let mut labels = Vec::with_capacity(n_rows);
        for row in 0..n_rows {
            let level = ((row + shift) * 17) % 30;
            builder.push(Some(&format!("L{level:02}")));
            labels.push(u32::from([7, 19, 23].contains(&level) == ((row / 30) % 10 != 0)));
        }
        let mut table = ClaimsTable::new();
        table.push_column("hobby", builder.finish()).unwrap();
        (table, labels)
    }

    fn ordered_levels(table: &ClaimsTable, labels: &[u32]) -> Vec<String> {
        let rows: Vec<usize> = (0..table.n_rows()).collect();
        let order = LevelOrder::PositiveRate { labels, rows: &rows };
        match &FeatureEncoder::fit(table, &["hobby".into()], &order).unwrap().features()[0] {
            FeatureEncoding::Categorical { levels, .. } => levels.clone(),
            FeatureEncoding::Numeric { .. } => panic!("text is categorical"),
        }
    }

    #[test]
    fn levels_are_ordered_by_positive_rate_whatever_the_row_order() {
        let (table, labels) = signal_table(600, 0);
        let levels = ordered_levels(&table, &labels);
        assert_eq!(levels.len(), 30);
        assert_eq!(levels[27..], ["L07", "L19", "L23"], "the levels that carry the signal sit together, last");
        // The same claims in another order (rotated) give the same codes.
        let (rotated, rotated_labels) = signal_table(600, 11);
        assert_eq!(ordered_levels(&rotated, &rotated_labels), levels);
        // Only the training rows count; a level seen in no training row is left out.
        let train: Vec<usize> = (0..600).filter(|row| (row * 17) % 30 != 4).collect();
        let order = LevelOrder::PositiveRate { labels: &labels, rows: &train };
        let encoder = FeatureEncoder::fit(&table, &["hobby".into()], &order).unwrap();
        let FeatureEncoding::Categorical { levels, .. } = &encoder.features()[0] else { panic!("categorical") };
        assert_eq!(levels.len(), 29);
        assert!(!levels.iter().any(|level| level == "L04"));
    }

    #[test]
    fn isolation_forests_code_the_rarest_levels_first() {
        let mut builder = CategoricalBuilder::default();
        for text in ["b", "a", "b", "c", "b", "a", "z"] {
            builder.push(Some(text));
        }
        let mut table = ClaimsTable::new();
        table.push_column("kind", builder.finish()).unwrap();
        // Trained on the first six rows: "z" was never seen, so it is the rarest.
        let rows = Rows::Range(0..6);
        let encoder = FeatureEncoder::fit(&table, &["kind".into()], &LevelOrder::Rarity { rows: &rows }).unwrap();
        let FeatureEncoding::Categorical { levels, .. } = &encoder.features()[0] else { panic!("categorical") };
        assert_eq!(levels, &["z", "c", "a", "b"]);
    }

    #[test]
    fn unseen_and_missing_categories_become_missing() {
        let train = table(&[Some("Office"), Some("Knee")], vec![0.0, 1.0]);
        let encoder = FeatureEncoder::fit(
            &train,
            &["service".into()],
            &LevelOrder::PositiveRate { labels: &[0, 1], rows: &[0, 1] },
        )
        .unwrap();
        let new = table(&[Some("Knee"), Some("Heart"), None], vec![0.0, 0.0, 0.0]);
        let matrix = encoder.encode(&new).unwrap();
        assert_eq!(matrix.get(0, 0), 1.0);
        assert!(matrix.get(1, 0).is_nan() && matrix.get(2, 0).is_nan());
        assert_eq!(encoder.features()[0].describe_value(1.0), "Knee");
    }

    #[test]
    fn the_view_reads_what_the_matrix_holds() {
        let mut table = table(&[Some("Knee"), None, Some("Heart"), Some("Office")], vec![1.5, f64::NAN, 1e300, -2.0]);
        table.push_column("day", ColumnData::Date { days: vec![20_000, MISSING_DAY, 0, -5] }).unwrap();
        let mut text_numbers = CategoricalBuilder::default();
        [Some(" 7 "), Some("x"), None, Some("2.5")].iter().for_each(|t| text_numbers.push(*t));
        table.push_column("typed", text_numbers.finish()).unwrap();
        let train = {
            let mut t = table.clone();
            t.push_column("extra", ColumnData::Numeric { values: vec![0.0; 4].into() }).unwrap();
            t
        };
        let names: Vec<String> = ["service", "label", "day", "typed"].map(String::from).to_vec();
        let all = Rows::all(4);
        let mut encoder = FeatureEncoder::fit(&train, &names, &LevelOrder::Rarity { rows: &all }).unwrap();
        // "typed" is read as numbers, as a model file may say.
        encoder.features[3] = FeatureEncoding::Numeric { name: "typed".into() };
        let matrix = encoder.encode(&table).unwrap();
        assert_eq!(matrix.column(3)[0], 7.0);
        assert!(matrix.column(3)[1].is_nan() && matrix.column(3)[2].is_nan());
        assert!(matrix.get(2, 1).is_nan(), "a value past f32 is missing");
        let view = encoder.view(&table).unwrap();
        for row_idx in 0..4 {
            let mut expected = Vec::new();
            matrix.copy_row_into(row_idx, &mut expected);
            let row = view.row(row_idx).unwrap();
            assert_eq!(format!("{row:?}"), format!("{expected:?}"), "row {row_idx}");
        }
        assert_eq!(view.row(4), None);
        let picked = FeatureMatrix::from_source(&view, &Rows::Chosen(&[3, 0, 3])).unwrap();
        assert_eq!(format!("{picked:?}"), format!("{:?}", matrix.select_rows(&[3, 0, 3])));
    }

    #[test]
    fn labels_from_numbers_and_text() {
        let t = table(&[Some("Y"), Some("no")], vec![2.0, 0.0]);
        assert_eq!(binary_labels(&t, "label", None).unwrap(), vec![1, 0]);
        assert_eq!(binary_labels(&t, "service", None).unwrap(), vec![1, 0]);
        assert_eq!(binary_labels(&t, "service", Some("no")).unwrap(), vec![0, 1]);
        let missing = table(&[Some("a"), None], vec![1.0, f64::NAN]);
        assert_eq!(
            binary_labels(&missing, "label", None),
            Err(PipelineError::MissingLabel { column: "label".into(), row: 2 })
        );
        assert!(matches!(binary_labels(&missing, "nope", None), Err(PipelineError::MissingColumn { .. })));
    }

    #[test]
    fn unrecognised_text_labels_are_refused_never_read_as_negative() {
        let abc = table(&[Some("a"), Some("b"), Some("c")], vec![0.0, 0.0, 0.0]);
        let error = binary_labels(&abc, "service", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column 'service' holds 'a', 'b', 'c', which are not yes/no labels; name the positive value \
             (the Train screen's positive class, or --positive)"
        );
        assert_eq!(binary_labels(&abc, "service", Some("B")).unwrap(), vec![0, 1, 0]);
        let error = binary_labels(&abc, "service", Some("OH")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column 'service' has no value 'OH' to take as positive (it holds 'a', 'b', 'c')"
        );
        let paid = table(&[Some("Paid"), Some("Denied"), Some("paid ")], vec![0.0, 0.0, 0.0]);
        assert_eq!(binary_labels(&paid, "service", None).unwrap(), vec![0, 1, 0]);
    }

    #[test]
    fn one_class_says_what_it_found_and_what_it_took_as_positive() {
        let t = table(&[Some("N"), Some("no")], vec![0.0, 0.0]);
        let labels = binary_labels(&t, "service", None).unwrap();
        let error = check_two_classes(&t, "service", None, &labels).unwrap_err();
        assert_eq!(
            error.to_string(),
            "every label in column 'service' is negative (values found: 'N', 'no'; taken as positive: any number \
             but 0, or yes, y, true, t, 1, denied, fraud); a classifier needs both classes"
        );
        let labels = binary_labels(&t, "label", None).unwrap();
        let error = check_two_classes(&t, "label", None, &labels).unwrap_err();
        assert!(error.to_string().contains("(values found: 0;"), "{error}");
        assert_eq!(check_two_classes(&t, "service", None, &[0, 1]), Ok(()));
    }
}
