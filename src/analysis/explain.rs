//! One claim explained: exact TreeSHAP contributions as a waterfall, the decision path through
//! one tree in plain words, and a plain-English sentence.

use serde::{Deserialize, Serialize};

use crate::ml::flat::FlatForest;
use crate::ml::shap::ShapEnsemble;
use crate::ml::shap::TreeExplainer;
use crate::ml::tree_path::PathLeaf;
use crate::ml::FeatureMatrix;
use crate::pipeline::{Algorithm, FeatureEncoding, ScoringModel};
use crate::sorting::sort_stable_by;

/// One feature's contribution to one claim's explained output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureContribution {
    /// The feature name.
    pub feature: String,
    /// The claim's value as a reader would say it ("Knee Surgery", "67", "missing").
    pub value: String,
    /// The exact SHAP value.
    pub shap: f64,
}

/// Which kind of model is explained, which decides what the explained output means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExplainedOutput {
    /// The random forest's positive-class probability (higher = more likely positive).
    Probability,
    /// The isolation forest's mean path length (shorter = more anomalous).
    PathLength,
}

/// A step of the waterfall from the base value to the prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    /// "has_pre_auth = 0", or "23 other features".
    pub label: String,
    /// The running total before this step.
    pub start: f64,
    /// The running total after it.
    pub end: f64,
}

/// One step of a decision path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathStep {
    /// The feature tested.
    pub feature: String,
    /// "has_pre_auth is 0, which is at most 0.5 → left", "service is Knee Surgery, one of
    /// {Knee Surgery, Heart Surgery} → right" or "age is missing → goes left (missing values
    /// follow the larger branch)".
    pub text: String,
}

/// The path of one claim through one tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionPath {
    /// Which tree (0-based).
    pub tree_idx: usize,
    /// Trees in the forest.
    pub n_trees: usize,
    /// The tests, root first.
    pub steps: Vec<PathStep>,
    /// What the leaf says: "Leaf: 94% denied (212 training claims)" or "Isolated at depth 3
    /// (a typical claim needs 8.4)". Empty when the forest has no trees.
    pub leaf: String,
}

/// Everything the explanation panel shows for one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimExplanation {
    /// The claim's row (None for a what-if claim).
    pub row: Option<usize>,
    /// What the SHAP values explain.
    pub output: ExplainedOutput,
    /// The model's score: probability, or anomaly score.
    pub score: f64,
    /// The expected explained output over the training data.
    pub base_value: f64,
    /// The explained output for this claim; base_value + sum(shap) equals it within 1e-9.
    pub explained_value: f64,
    /// Every feature, largest |shap| first (ties by feature order).
    pub contributions: Vec<FeatureContribution>,
    /// The decision path through one tree.
    pub path: DecisionPath,
    /// "Denied mainly because has_pre_auth = 0 and service = Knee Surgery.", "Not denied
    /// mainly because ...", "Flagged as unusual mainly because ..." or "Looks typical mainly
    /// because ...".
    pub sentence: String,
}

/// How to word the sentence: the name of the positive outcome ("Denied", "Fraud",
/// "Flagged as unusual") comes from the label.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExplainOptions {
    /// Which tree's path to show; None (or an index past the last tree) picks the tree whose
    /// own prediction is closest to the forest's (ties: lowest index). A random forest tree
    /// predicts its leaf's positive fraction, an isolation tree its path length.
    pub tree_idx: Option<usize>,
    /// The word for a positive prediction, e.g. "Denied". When None (or blank): for a random
    /// forest it comes from the label column ("is_denied" → "Denied", "is_fraud" → "Fraud",
    /// "is_anomaly" → "Anomalous", otherwise "Positive"); for an isolation forest it is
    /// "Flagged as unusual". A negative random-forest prediction reads "Not denied"; a
    /// negative isolation-forest one always reads "Looks typical".
    pub positive_word: Option<String>,
}

/// Explains one encoded claim (`row` is the model's feature vector, in the model's feature order).
///
/// A shorter `row` reads its missing tail as missing, extra values are ignored, and
/// non-finite values are missing (as in a [`FeatureMatrix`]). `score` is computed exactly as
/// [`ScoringModel::score_matrix`] scores the claim, so it matches the results table.
pub fn explain_vector(
    model: &ScoringModel,
    row: &[f32],
    row_idx: Option<usize>,
    options: &ExplainOptions,
) -> ClaimExplanation {
    explain_with(model, &Explainer::new(model), row, row_idx, options)
}

/// What explaining one claim needs from a model, built once per model and reused: the
/// explanation view, its compacted TreeSHAP form and the batch scorer. Building these walks
/// every node of every tree, which for a forest grown on a million claims costs far more
/// than explaining one claim.
pub struct Explainer {
    ensemble: ShapEnsemble,
    tree_explainer: TreeExplainer,
    scorer: FlatForest,
}

impl Explainer {
    /// The explainer of `model`.
    pub fn new(model: &ScoringModel) -> Self {
        let ensemble = model.shap_ensemble();
        Self { tree_explainer: TreeExplainer::new(&ensemble), scorer: FlatForest::from_ensemble(&ensemble), ensemble }
    }

    /// The explanation view (what SHAP batches on other workers need).
    pub fn ensemble(&self) -> &ShapEnsemble {
        &self.ensemble
    }

    /// Exact TreeSHAP over the model.
    pub fn tree_explainer(&self) -> &TreeExplainer {
        &self.tree_explainer
    }
}

/// [`explain_vector`] with a prepared [`Explainer`] of the same model.
pub fn explain_with(
    model: &ScoringModel,
    explainer: &Explainer,
    row: &[f32],
    row_idx: Option<usize>,
    options: &ExplainOptions,
) -> ClaimExplanation {
    let ensemble = &explainer.ensemble;
    let n_features = ensemble.n_features;
    let row: Vec<f32> = (0..n_features)
        .map(|feature_idx| row.get(feature_idx).copied().filter(|value| value.is_finite()).unwrap_or(f32::NAN))
        .collect();
    let mut shap = vec![0.0; n_features];
    explainer.tree_explainer.explain_row(&row, &mut shap);
    let base_value = explainer.tree_explainer.expected_value();
    let explained_value = ensemble.predict_row(&row);
    let score = score_of(model, explainer, &row, explained_value);

    let encodings = model.encoder().features();
    let mut contributions: Vec<FeatureContribution> = shap
        .iter()
        .enumerate()
        .map(|(feature_idx, &value)| FeatureContribution {
            feature: feature_name(model, feature_idx),
            value: describe(encodings.get(feature_idx), row.get(feature_idx).copied().unwrap_or(f32::NAN)),
            shap: value,
        })
        .collect();
    // A stable sort keeps feature order among equal magnitudes.
    sort_stable_by(&mut contributions, &|a, b| b.shap.abs().total_cmp(&a.shap.abs()));

    let positive = score >= model.threshold();
    let word = positive_word(model, options);
    let (output, sentence) = match model.algorithm() {
        Algorithm::RandomForest { .. } => {
            let lead = if positive { word.clone() } else { format!("Not {}", lower_first(&word)) };
            // Positive SHAP values push the probability up, towards a positive prediction.
            (ExplainedOutput::Probability, sentence(&lead, &contributions, positive))
        }
        Algorithm::IsolationForest { .. } => {
            let lead = if positive { word.clone() } else { "Looks typical".to_owned() };
            // Negative SHAP values shorten the path, towards an anomaly.
            (ExplainedOutput::PathLength, sentence(&lead, &contributions, !positive))
        }
    };
    let path = decision_path(model, &row, score, explained_value, options.tree_idx, &word);
    ClaimExplanation { row: row_idx, output, score, base_value, explained_value, contributions, path, sentence }
}

/// The waterfall: base value, then the `top` largest contributions, then the rest grouped as
/// "N other features", ending at the explained value.
///
/// The first step starts at the base value (there is no separate base step); each step
/// starts where the previous one ended, and the last step ends exactly at the explained
/// value. No contributions give no steps.
pub fn waterfall(explanation: &ClaimExplanation, top: usize) -> Vec<WaterfallStep> {
    let contributions = &explanation.contributions;
    let n_top = top.min(contributions.len());
    let mut steps = Vec::with_capacity(n_top + 1);
    let mut running = explanation.base_value;
    for contribution in contributions.iter().take(n_top) {
        let end = running + contribution.shap;
        steps.push(WaterfallStep { label: reason(contribution), start: running, end });
        running = end;
    }
    let rest = contributions.get(n_top..).unwrap_or(&[]);
    if !rest.is_empty() {
        let end = running + rest.iter().map(|contribution| contribution.shap).sum::<f64>();
        let label = match rest.len() {
            1 => "1 other feature".to_owned(),
            n_rest => format!("{n_rest} other features"),
        };
        steps.push(WaterfallStep { label, start: running, end });
    }
    if let Some(last) = steps.last_mut() {
        last.end = explanation.explained_value;
    }
    steps
}

/// The claim's score as the batch scorer computes it (falling back to the explanation view
/// if the model's encodings and forest disagree).
fn score_of(model: &ScoringModel, explainer: &Explainer, row: &[f32], explained_value: f64) -> f64 {
    let names = model.feature_names();
    let columns: Vec<Vec<f32>> = (0..names.len()).map(|idx| vec![row.get(idx).copied().unwrap_or(f32::NAN)]).collect();
    let matrix = FeatureMatrix::from_columns(names, columns).ok();
    match model.algorithm() {
        // The batch scorer is the flat view of this same ensemble (and a one-class forest
        // scores zero), so this is bit for bit the table's score.
        Algorithm::RandomForest { forest, .. } if forest.n_classes() > 1 => matrix
            .filter(|matrix| matrix.n_features() == explainer.ensemble.n_features)
            .and_then(|matrix| explainer.scorer.predict_matrix(&matrix).first().copied())
            .unwrap_or(explained_value),
        Algorithm::RandomForest { .. } => {
            matrix.and_then(|matrix| model.score_matrix(&matrix).ok()?.first().copied()).unwrap_or(explained_value)
        }
        Algorithm::IsolationForest { forest, .. } => {
            let mean_path_length = matrix
                .filter(|matrix| matrix.n_features() == explainer.ensemble.n_features)
                .and_then(|matrix| explainer.scorer.predict_matrix(&matrix).first().copied())
                .unwrap_or(explained_value);
            forest.score_of_mean_path_length(mean_path_length)
        }
    }
}

fn feature_name(model: &ScoringModel, feature_idx: usize) -> String {
    model
        .encoder()
        .features()
        .get(feature_idx)
        .map_or_else(|| format!("feature {}", feature_idx + 1), |encoding| encoding.name().to_owned())
}

fn describe(encoding: Option<&FeatureEncoding>, value: f32) -> String {
    match encoding {
        Some(encoding) => encoding.describe_value(value),
        None if value.is_nan() => "missing".to_owned(),
        None => format_f32(value),
    }
}

/// The word for a positive prediction (see [`ExplainOptions::positive_word`]).
fn positive_word(model: &ScoringModel, options: &ExplainOptions) -> String {
    if let Some(word) = options.positive_word.as_deref().map(str::trim).filter(|word| !word.is_empty()) {
        return word.to_owned();
    }
    match model.algorithm() {
        Algorithm::RandomForest { label_column, .. } => match label_column.trim().to_ascii_lowercase().as_str() {
            "is_denied" => "Denied",
            "is_fraud" => "Fraud",
            "is_anomaly" => "Anomalous",
            _ => "Positive",
        }
        .to_owned(),
        Algorithm::IsolationForest { .. } => "Flagged as unusual".to_owned(),
    }
}

/// "Denied" → "denied", keeping the rest ("High-risk ER" → "high-risk ER").
fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_lowercase()).chain(chars).collect(),
        None => String::new(),
    }
}

/// "feature = value".
fn reason(contribution: &FeatureContribution) -> String {
    format!("{} = {}", contribution.feature, contribution.value)
}

/// "<lead> mainly because A and B." with the (at most two) largest contributions pushing
/// upwards (`upwards`: positive SHAP) or downwards (negative SHAP).
fn sentence(lead: &str, contributions: &[FeatureContribution], upwards: bool) -> String {
    let reasons: Vec<String> = contributions
        .iter()
        .filter(|contribution| if upwards { contribution.shap > 0.0 } else { contribution.shap < 0.0 })
        .take(2)
        .map(reason)
        .collect();
    match reasons.as_slice() {
        [] => format!("{lead}; no single feature pushes towards this outcome."),
        [only] => format!("{lead} mainly because {only}."),
        [first, second, ..] => format!("{lead} mainly because {first} and {second}."),
    }
}

/// One split of a decision path, as the text builder needs it.
struct SplitView<'a> {
    feature: &'a str,
    encoding: Option<&'a FeatureEncoding>,
    value: f32,
    threshold: f32,
    went_left: bool,
    /// Why a missing value went where it did.
    missing_note: &'a str,
}

const RF_MISSING_NOTE: &str = "missing values go the way this split learned in training";
const IF_MISSING_NOTE: &str = "missing values follow the larger branch";

/// The path through the tree that stands for the model's prediction, root first, in words.
fn decision_path(
    model: &ScoringModel,
    row: &[f32],
    score: f64,
    explained_value: f64,
    tree_idx: Option<usize>,
    word: &str,
) -> DecisionPath {
    let path = model.tree_path(row, tree_idx, score, explained_value);
    let missing_note = match model.algorithm() {
        Algorithm::RandomForest { .. } => RF_MISSING_NOTE,
        Algorithm::IsolationForest { .. } => IF_MISSING_NOTE,
    };
    let encodings = model.encoder().features();
    let names = model.feature_names();
    let steps = path
        .splits
        .iter()
        .map(|split| {
            let view = SplitView {
                feature: names.get(split.feature_idx).map_or("unknown feature", String::as_str),
                encoding: encodings.get(split.feature_idx),
                value: row.get(split.feature_idx).copied().unwrap_or(f32::NAN),
                threshold: split.threshold,
                went_left: split.went_left,
                missing_note,
            };
            PathStep { feature: view.feature.to_owned(), text: step_text(&view) }
        })
        .collect();
    let leaf = match path.leaf {
        Some(PathLeaf::Class { positive_fraction, cover }) => {
            let claims = format!("{cover:.0}");
            let plural = if claims == "1" { "" } else { "s" };
            format!("Leaf: {:.0}% {} ({claims} training claim{plural})", positive_fraction * 100.0, lower_first(word))
        }
        Some(PathLeaf::Isolation { depth, size, typical, .. }) if size <= 1 => {
            format!("Isolated at depth {depth} (a typical claim needs {typical:.1})")
        }
        Some(PathLeaf::Isolation { depth, size, path_length, typical }) => format!(
            "Reached depth {depth} with {size} training claims still together, which counts as {path_length:.1} \
             (a typical claim needs {typical:.1})"
        ),
        None => String::new(),
    };
    DecisionPath { tree_idx: path.tree_idx, n_trees: path.n_trees, steps, leaf }
}

/// One step in plain words.
fn step_text(split: &SplitView<'_>) -> String {
    let direction = if split.went_left { "left" } else { "right" };
    let feature = split.feature;
    if split.value.is_nan() {
        return format!("{feature} is missing → goes {direction} ({})", split.missing_note);
    }
    if split.threshold >= f32::MAX {
        // The last bin's edge: the split only separates missing values from present ones.
        let value = describe(split.encoding, split.value);
        return format!("{feature} is {value}, and every present value goes left → {direction}");
    }
    match split.encoding {
        Some(encoding @ FeatureEncoding::Categorical { levels, .. }) => {
            // Codes follow the levels' order (by positive rate, or rarity), so a threshold
            // splits the levels into two sets: name the one this claim's level is in.
            let cut = ((split.threshold.floor() as i64).saturating_add(1)).clamp(0, levels.len() as i64) as usize;
            let side = if split.value <= split.threshold { &levels[..cut] } else { &levels[cut..] };
            format!("{feature} is {}, one of {} → {direction}", encoding.describe_value(split.value), level_set(side))
        }
        _ => {
            let value = describe(split.encoding, split.value);
            if split.value <= split.threshold {
                format!("{feature} is {value}, which is at most {} → {direction}", format_f32(split.threshold))
            } else {
                format!("{feature} is {value}, which is more than {} → {direction}", format_f32(split.threshold))
            }
        }
    }
}

/// "{Surgeon, Cardiologist}"; past five levels, the first five and how many more.
fn level_set(levels: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown = levels.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    match levels.len().saturating_sub(SHOWN) {
        0 => format!("{{{shown}}}"),
        more => format!("{{{shown} and {more} more}}"),
    }
}

/// The shortest text that reads back as the same f32 ("0.1", "37.5", "3").
fn format_f32(value: f32) -> String {
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::claims::synth::generate_denial;
    use crate::claims::ClaimsTable;
    use crate::ml::isolation_forest::average_path_length;
    use crate::ml::IsolationForestParams;
    use crate::pipeline::{default_feature_columns, train_anomaly_model, train_model, AnomalyRequest, TrainRequest};

    fn denial_model() -> (ScoringModel, ClaimsTable, Vec<f64>) {
        let table = generate_denial(600, 11).unwrap();
        let mut request = TrainRequest::default();
        request.forest.n_trees = 8;
        let (model, report) = train_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        (model, table, report.scores)
    }

    fn row_of(model: &ScoringModel, table: &ClaimsTable, row_idx: usize) -> Vec<f32> {
        let mut row = Vec::new();
        model.encode(table).unwrap().copy_row_into(row_idx, &mut row);
        row
    }

    fn number(table: &ClaimsTable, column: &str, row_idx: usize) -> f64 {
        table.column(column).unwrap().data.number(row_idx)
    }

    fn text(table: &ClaimsTable, column: &str, row_idx: usize) -> String {
        table.column(column).unwrap().data.display(row_idx)
    }

    #[test]
    fn shap_values_add_up_and_the_score_matches_the_batch_scores() {
        let (model, table, scores) = denial_model();
        for row_idx in [0, 1, 17, 250, 599] {
            let explanation =
                explain_vector(&model, &row_of(&model, &table, row_idx), Some(row_idx), &Default::default());
            let total = explanation.base_value + explanation.contributions.iter().map(|c| c.shap).sum::<f64>();
            assert!((total - explanation.explained_value).abs() < 1e-9, "row {row_idx}");
            assert_eq!(explanation.score, scores[row_idx], "row {row_idx}");
            assert!((explanation.explained_value - scores[row_idx]).abs() < 1e-9);
            assert_eq!(explanation.output, ExplainedOutput::Probability);
            assert_eq!(explanation.row, Some(row_idx));
            let magnitudes: Vec<f64> = explanation.contributions.iter().map(|c| c.shap.abs()).collect();
            assert!(magnitudes.windows(2).all(|pair| pair[0] >= pair[1]), "largest |shap| first");
            assert_eq!(explanation.contributions.len(), 5);
            let service = explanation.contributions.iter().find(|c| c.feature == "service_code").unwrap();
            assert_eq!(service.value, text(&table, "service_code", row_idx), "categorical values read as text");
            let age = explanation.contributions.iter().find(|c| c.feature == "age").unwrap();
            assert_eq!(age.value, text(&table, "age", row_idx));
        }
    }

    #[test]
    fn denied_and_clean_claims_are_worded_by_the_rules_that_fired() {
        let (model, table, scores) = denial_model();
        let surgery_without_auth = (0..table.n_rows())
            .find(|&r| {
                text(&table, "service_code", r).contains("Surgery")
                    && number(&table, "has_pre_auth", r) == 0.0
                    && number(&table, "diagnosis_match", r) == 1.0
                    && scores[r] >= 0.5
            })
            .unwrap();
        let explanation =
            explain_vector(&model, &row_of(&model, &table, surgery_without_auth), None, &Default::default());
        assert!(explanation.sentence.starts_with("Denied mainly because "), "{}", explanation.sentence);
        assert!(explanation.sentence.contains("has_pre_auth = 0"), "{}", explanation.sentence);
        assert!(explanation.sentence.ends_with('.'));

        let clean = (0..table.n_rows())
            .find(|&r| {
                number(&table, "has_pre_auth", r) == 1.0
                    && number(&table, "diagnosis_match", r) == 1.0
                    && scores[r] < 0.5
            })
            .unwrap();
        let explanation = explain_vector(&model, &row_of(&model, &table, clean), None, &Default::default());
        assert!(explanation.sentence.starts_with("Not denied mainly because "), "{}", explanation.sentence);
        // The features named are those pushing the probability down, largest first.
        let pushing_down: Vec<String> = explanation
            .contributions
            .iter()
            .filter(|c| c.shap < 0.0)
            .take(2)
            .map(|c| format!("{} = {}", c.feature, c.value))
            .collect();
        assert_eq!(explanation.sentence, format!("Not denied mainly because {}.", pushing_down.join(" and ")));

        let options = ExplainOptions { positive_word: Some("Fraud".into()), tree_idx: None };
        let explanation = explain_vector(&model, &row_of(&model, &table, clean), None, &options);
        assert!(explanation.sentence.starts_with("Not fraud mainly because "), "{}", explanation.sentence);
    }

    #[test]
    fn the_sentence_uses_one_reason_or_none_when_that_is_all_there_is() {
        let contribution =
            |feature: &str, shap: f64| FeatureContribution { feature: feature.into(), value: "1".into(), shap };
        let contributions = [contribution("a", 0.3), contribution("b", -0.2), contribution("c", 0.0)];
        assert_eq!(sentence("Denied", &contributions, true), "Denied mainly because a = 1.");
        assert_eq!(sentence("Not denied", &contributions, false), "Not denied mainly because b = 1.");
        assert_eq!(
            sentence("Denied", &[contribution("c", 0.0)], true),
            "Denied; no single feature pushes towards this outcome."
        );
        assert_eq!(lower_first("High-risk ER"), "high-risk ER");
    }

    #[test]
    fn the_decision_path_follows_the_closest_tree_in_plain_words() {
        let (model, table, scores) = denial_model();
        let Algorithm::RandomForest { forest, .. } = model.algorithm() else { unreachable!() };
        for row_idx in [3, 42, 301] {
            let row = row_of(&model, &table, row_idx);
            let explanation = explain_vector(&model, &row, None, &Default::default());
            let path = &explanation.path;
            // The closest tree, found by a plain scan.
            let mut best = (0, f64::INFINITY);
            for (tree_idx, tree) in forest.trees().iter().enumerate() {
                let leaf = tree.leaf_of(&row);
                let distance = (tree.class_fraction(leaf, 1) - scores[row_idx]).abs();
                if distance < best.1 {
                    best = (tree_idx, distance);
                }
            }
            assert_eq!((path.tree_idx, path.n_trees), (best.0, 8));
            let tree = &forest.trees()[best.0];
            let nodes = tree.decision_path(&row);
            assert_eq!(path.steps.len(), nodes.len() - 1);
            for (step, pair) in path.steps.iter().zip(nodes.windows(2)) {
                let node = &tree.nodes()[pair[0]];
                let value = row[node.feature_idx as usize];
                let goes_left = value <= node.threshold;
                assert_eq!(pair[1] == node.left as usize, goes_left, "no missing values in this data");
                assert!(step.text.starts_with(&format!("{} is ", step.feature)), "{}", step.text);
                assert!(step.text.ends_with(if goes_left { "→ left" } else { "→ right" }), "{}", step.text);
            }
            let leaf = *nodes.last().unwrap();
            let expected = format!(
                "Leaf: {}% denied ({} training claims)",
                (tree.class_fraction(leaf, 1) * 100.0).round(),
                tree.nodes()[leaf].cover.round()
            );
            assert_eq!(path.leaf, expected);
        }
        let chosen = explain_vector(
            &model,
            &row_of(&model, &table, 3),
            None,
            &ExplainOptions { tree_idx: Some(5), positive_word: None },
        );
        assert_eq!(chosen.path.tree_idx, 5);
    }

    #[test]
    fn steps_read_as_sentences() {
        let service = FeatureEncoding::Categorical {
            name: "service".into(),
            levels: vec!["Office Visit".into(), "Knee Surgery".into(), "MRI".into()],
        };
        let age = FeatureEncoding::Numeric { name: "age".into() };
        let view = |encoding, feature, value, threshold, went_left, missing_note| SplitView {
            feature,
            encoding: Some(encoding),
            value,
            threshold,
            went_left,
            missing_note,
        };
        assert_eq!(
            step_text(&view(&age, "has_pre_auth", 0.0, 0.5, true, RF_MISSING_NOTE)),
            "has_pre_auth is 0, which is at most 0.5 → left"
        );
        assert_eq!(
            step_text(&view(&age, "age", 67.0, 40.5, false, RF_MISSING_NOTE)),
            "age is 67, which is more than 40.5 → right"
        );
        assert_eq!(
            step_text(&view(&service, "service", 1.0, 1.5, true, RF_MISSING_NOTE)),
            "service is Knee Surgery, one of {Office Visit, Knee Surgery} → left"
        );
        assert_eq!(
            step_text(&view(&service, "service", 2.0, 1.5, false, RF_MISSING_NOTE)),
            "service is MRI, one of {MRI} → right"
        );
        assert_eq!(
            step_text(&view(&age, "age", f32::NAN, 40.5, true, IF_MISSING_NOTE)),
            "age is missing → goes left (missing values follow the larger branch)"
        );
        assert_eq!(
            step_text(&view(&age, "age", 30.0, f32::MAX, true, RF_MISSING_NOTE)),
            "age is 30, and every present value goes left → left"
        );
    }

    #[test]
    fn short_rows_and_missing_values_are_explained_without_panics() {
        let (model, _, _) = denial_model();
        let explanation = explain_vector(&model, &[f32::INFINITY], None, &Default::default());
        assert!(explanation.contributions.iter().all(|c| c.value == "missing"));
        let total = explanation.base_value + explanation.contributions.iter().map(|c| c.shap).sum::<f64>();
        assert!((total - explanation.explained_value).abs() < 1e-9);
        let missing_steps = explanation.path.steps.iter().filter(|s| s.text.contains(" is missing → goes ")).count();
        assert_eq!(missing_steps, explanation.path.steps.len());
    }

    #[test]
    fn isolation_forests_explain_path_lengths() {
        let table = generate_denial(800, 21).unwrap();
        let (features, _) = default_feature_columns(&table, Some("is_denied"));
        let forest = IsolationForestParams { n_trees: 20, contamination: Some(0.05), ..Default::default() };
        let request = AnomalyRequest::new(features, forest);
        let (model, scores) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        let Algorithm::IsolationForest { forest, .. } = model.algorithm() else { unreachable!() };
        let by_score = |a: &usize, b: &usize| scores[*a].total_cmp(&scores[*b]);
        let most_unusual = (0..table.n_rows()).max_by(by_score).unwrap();
        let most_typical = (0..table.n_rows()).min_by(by_score).unwrap();

        let explanation = explain_vector(&model, &row_of(&model, &table, most_unusual), None, &Default::default());
        assert_eq!(explanation.output, ExplainedOutput::PathLength);
        assert_eq!(explanation.score, scores[most_unusual]);
        assert!(explanation.score >= model.threshold());
        let total = explanation.base_value + explanation.contributions.iter().map(|c| c.shap).sum::<f64>();
        assert!((total - explanation.explained_value).abs() < 1e-9);
        assert!((forest.score_of_mean_path_length(explanation.explained_value) - explanation.score).abs() < 1e-12);
        let shortening: Vec<String> = explanation
            .contributions
            .iter()
            .filter(|c| c.shap < 0.0)
            .take(2)
            .map(|c| format!("{} = {}", c.feature, c.value))
            .collect();
        assert_eq!(explanation.sentence, format!("Flagged as unusual mainly because {}.", shortening.join(" and ")));
        let typical = average_path_length(forest.sample_size());
        assert!(
            explanation.path.leaf.ends_with(&format!("(a typical claim needs {typical:.1})")),
            "{}",
            explanation.path.leaf
        );
        let tree = &forest.trees()[explanation.path.tree_idx];
        assert_eq!(explanation.path.steps.len(), tree.decision_path(&row_of(&model, &table, most_unusual)).len() - 1);

        let explanation = explain_vector(&model, &row_of(&model, &table, most_typical), None, &Default::default());
        assert!(explanation.sentence.starts_with("Looks typical mainly because "), "{}", explanation.sentence);
        assert!(explanation.contributions.iter().any(|c| c.shap > 0.0));
    }

    fn explanation_for_waterfall() -> ClaimExplanation {
        let contribution =
            |feature: &str, shap: f64| FeatureContribution { feature: feature.into(), value: "1".into(), shap };
        ClaimExplanation {
            row: None,
            output: ExplainedOutput::Probability,
            score: 0.56,
            base_value: 0.25,
            explained_value: 0.5,
            contributions: vec![
                contribution("a", 0.5),
                contribution("b", -0.25),
                contribution("c", 0.125),
                contribution("d", -0.125),
            ],
            path: DecisionPath { tree_idx: 0, n_trees: 1, steps: Vec::new(), leaf: String::new() },
            sentence: String::new(),
        }
    }

    #[test]
    fn the_waterfall_runs_from_the_base_to_the_explained_value() {
        let explanation = explanation_for_waterfall();
        let step = |label: &str, start: f64, end: f64| WaterfallStep { label: label.into(), start, end };
        assert_eq!(
            waterfall(&explanation, 2),
            [step("a = 1", 0.25, 0.75), step("b = 1", 0.75, 0.5), step("2 other features", 0.5, 0.5)]
        );
        assert_eq!(waterfall(&explanation, 3).last(), Some(&step("1 other feature", 0.625, 0.5)));
        assert_eq!(waterfall(&explanation, 0), [step("4 other features", 0.25, 0.5)]);
        assert_eq!(waterfall(&explanation, 10).len(), 4);
        let empty = ClaimExplanation { contributions: Vec::new(), ..explanation };
        assert!(waterfall(&empty, 3).is_empty());
    }
}
