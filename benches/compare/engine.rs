//! `compare_engine`: ClaimForest's side of `./x compare` (driven by `benches/compare/compare.py`).
//!
//! It reads the CSV files the script writes, fits, scores and explains through the crate's
//! public API only, times each step with `Instant` (never the CSV reading), writes the scores,
//! SHAP values and shap export for the script to check, and prints its timings and tree
//! sizes as one JSON object on stdout. Errors go to stderr with exit code 1.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use claimforest::ml::isolation_forest::IsolationNode;
use claimforest::ml::shap::export::{shap_json, TreeOutput};
use claimforest::ml::shap::{ShapValues, TreeExplainer};
use claimforest::ml::{FeatureMatrix, ForestParams, IsolationForestParams, TreeParams};
use serde_json::{json, Value};

const USAGE: &str = "\
compare_engine: ClaimForest's side of `./x compare`.

USAGE:
  compare_engine rf --train T.csv --test S.csv [--label y] [--trees 100] [--seed 7]
                    [--shap-rows 1000] --out-dir DIR
  compare_engine iforest --input I.csv [--label is_anomaly] [--trees 100] [--max-samples 256]
                         [--seed 7] --out-dir DIR

rf writes DIR/scores.csv, DIR/shap.csv and DIR/trees.json; iforest writes DIR/scores.csv.
Both print their timings as one JSON object on stdout.";

/// The validated command line.
#[derive(Debug)]
enum Command {
    RandomForest(RandomForestArgs),
    IsolationForest(IsolationForestArgs),
    Help,
}

#[derive(Debug)]
struct RandomForestArgs {
    train: PathBuf,
    test: PathBuf,
    label: String,
    n_trees: usize,
    seed: u64,
    n_shap_rows: usize,
    out_dir: PathBuf,
}

#[derive(Debug)]
struct IsolationForestArgs {
    input: PathBuf,
    label: String,
    n_trees: usize,
    max_samples: usize,
    seed: u64,
    out_dir: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let report = parse(&args).and_then(|command| match command {
        Command::RandomForest(args) => run_random_forest(&args).map(Some),
        Command::IsolationForest(args) => run_isolation_forest(&args).map(Some),
        Command::Help => Ok(None),
    });
    match report {
        Ok(Some(report)) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("compare_engine: {message}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Command line

fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else { return Ok(Command::Help) };
    let mut options = Options::parse(rest)?;
    let parsed = match command.as_str() {
        "rf" => Command::RandomForest(RandomForestArgs {
            train: options.path("train")?,
            test: options.path("test")?,
            label: options.text("label", "y"),
            n_trees: options.number("trees", 100)?,
            seed: options.number("seed", 7)?,
            n_shap_rows: options.number("shap-rows", 1_000)?,
            out_dir: options.path("out-dir")?,
        }),
        "iforest" => Command::IsolationForest(IsolationForestArgs {
            input: options.path("input")?,
            label: options.text("label", "is_anomaly"),
            n_trees: options.number("trees", 100)?,
            max_samples: options.number("max-samples", 256)?,
            seed: options.number("seed", 7)?,
            out_dir: options.path("out-dir")?,
        }),
        "help" | "--help" | "-h" => Command::Help,
        other => return Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    options.finish(command)?;
    Ok(parsed)
}

/// `--name value` pairs, taken one by one so that leftovers can be reported.
struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = BTreeMap::new();
        let mut iter = args.iter();
        while let Some(flag) = iter.next() {
            let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{flag}'"))?;
            let value = iter.next().ok_or_else(|| format!("--{name} needs a value"))?;
            options.insert(name.to_owned(), value.clone());
        }
        Ok(Self(options))
    }

    fn path(&mut self, name: &str) -> Result<PathBuf, String> {
        self.0.remove(name).map(PathBuf::from).ok_or_else(|| format!("--{name} is required"))
    }

    fn text(&mut self, name: &str, default: &str) -> String {
        self.0.remove(name).unwrap_or_else(|| default.to_owned())
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.0.remove(name) {
            Some(text) => {
                text.replace('_', "").parse().map_err(|_| format!("--{name}: '{text}' is not a whole number"))
            }
            None => Ok(default),
        }
    }

    fn finish(self, command: &str) -> Result<(), String> {
        match self.0.keys().next() {
            Some(unknown) => Err(format!("'{command}' has no option --{unknown}")),
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Experiments

fn run_random_forest(args: &RandomForestArgs) -> Result<Value, String> {
    let (train_matrix, train_labels) = read_csv(&args.train)?.into_matrix(&args.label, &args.train)?;
    let train_labels =
        train_labels.ok_or_else(|| format!("{} has no label column '{}'", args.train.display(), args.label))?;
    let labels = class_labels(&train_labels, &args.train)?;
    let (test_matrix, _) = read_csv(&args.test)?.into_matrix(&args.label, &args.test)?;
    if test_matrix.feature_names() != train_matrix.feature_names() {
        return Err(format!("{} and {} have different feature columns", args.train.display(), args.test.display()));
    }

    let params = ForestParams {
        n_trees: args.n_trees,
        seed: args.seed,
        tree: TreeParams { min_samples_leaf: 1, ..Default::default() },
        // scikit-learn's default (oob_score=False): both sides do the same work.
        compute_oob_score: false,
        ..Default::default()
    };
    let start = Instant::now();
    let forest = params
        .fit(&train_matrix, &labels, &mut |_| ControlFlow::Continue(()))
        .map_err(|e| format!("fitting the random forest failed: {e}"))?;
    let fit_seconds = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let scores = forest.predict_class_proba(&test_matrix, 1).map_err(|e| format!("scoring failed: {e}"))?;
    let score_seconds = start.elapsed().as_secs_f64();

    let n_shap_rows = args.n_shap_rows.min(test_matrix.n_rows());
    let shap_matrix = test_matrix.select_rows(&(0..n_shap_rows).collect::<Vec<_>>());
    let ensemble = forest.shap_ensemble(1);
    let start = Instant::now();
    let explainer = TreeExplainer::new(&ensemble);
    let explainer_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let shap = explainer.explain_matrix(&shap_matrix);
    let shap_seconds = start.elapsed().as_secs_f64();

    fs::create_dir_all(&args.out_dir).map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))?;
    write_file(&args.out_dir.join("scores.csv"), &scores_csv(&scores))?;
    write_file(&args.out_dir.join("shap.csv"), &shap_csv(&shap, forest.feature_names()))?;
    let export = shap_json(&ensemble, forest.feature_names(), &BTreeMap::new(), TreeOutput::Probability);
    write_file(&args.out_dir.join("trees.json"), &export)?;

    let trees = forest.trees();
    let n_trees = trees.len().max(1) as f64;
    Ok(json!({
        "fit_seconds": fit_seconds,
        "score_seconds": score_seconds,
        "explainer_seconds": explainer_seconds,
        "shap_seconds": shap_seconds,
        "n_train_rows": train_matrix.n_rows(),
        "n_test_rows": test_matrix.n_rows(),
        "n_shap_rows": n_shap_rows,
        "n_features": train_matrix.n_features(),
        "n_trees": trees.len(),
        "n_nodes_mean": trees.iter().map(|t| t.nodes().len() as f64).sum::<f64>() / n_trees,
        "max_depth_mean": trees.iter().map(|t| t.depth() as f64).sum::<f64>() / n_trees,
        "expected_value": explainer.expected_value(),
        "oob_score": forest.oob_score(),
    }))
}

fn run_isolation_forest(args: &IsolationForestArgs) -> Result<Value, String> {
    let (matrix, _) = read_csv(&args.input)?.into_matrix(&args.label, &args.input)?;
    let params = IsolationForestParams {
        n_trees: args.n_trees,
        max_samples: args.max_samples,
        seed: args.seed,
        ..Default::default()
    };
    let start = Instant::now();
    let forest = params
        .fit(&matrix, &mut |_| ControlFlow::Continue(()))
        .map_err(|e| format!("fitting the isolation forest failed: {e}"))?;
    let fit_seconds = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let scores = forest.score_matrix(&matrix);
    let score_seconds = start.elapsed().as_secs_f64();

    fs::create_dir_all(&args.out_dir).map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))?;
    write_file(&args.out_dir.join("scores.csv"), &scores_csv(&scores))?;

    let trees = forest.trees();
    let n_trees = trees.len().max(1) as f64;
    let tree_depth = |nodes: &[IsolationNode]| nodes.iter().map(|node| f64::from(node.depth)).fold(0.0, f64::max);
    Ok(json!({
        "fit_seconds": fit_seconds,
        "score_seconds": score_seconds,
        "n_rows": matrix.n_rows(),
        "n_features": matrix.n_features(),
        "n_trees": trees.len(),
        "sample_size": forest.sample_size(),
        "n_nodes_mean": trees.iter().map(|t| t.nodes().len() as f64).sum::<f64>() / n_trees,
        "max_depth_mean": trees.iter().map(|t| tree_depth(t.nodes())).sum::<f64>() / n_trees,
    }))
}

// ---------------------------------------------------------------------------------------------
// Files

/// A numeric CSV file with a header: one f32 column per name.
struct Table {
    names: Vec<String>,
    columns: Vec<Vec<f32>>,
}

impl Table {
    /// Splits off the column `label` (if present); every other column becomes a feature.
    fn into_matrix(self, label: &str, path: &Path) -> Result<(FeatureMatrix, Option<Vec<f32>>), String> {
        let mut feature_names = Vec::new();
        let mut feature_columns = Vec::new();
        let mut label_column = None;
        for (name, column) in self.names.into_iter().zip(self.columns) {
            if name == label {
                label_column = Some(column);
            } else {
                feature_names.push(name);
                feature_columns.push(column);
            }
        }
        let matrix = FeatureMatrix::from_columns(feature_names, feature_columns)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((matrix, label_column))
    }
}

/// Reads a comma-separated file of numbers with a header line. Not a general CSV reader:
/// no quoting, which the script never writes.
fn read_csv(path: &Path) -> Result<Table, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or_else(|| format!("{} is empty", path.display()))?;
    let names: Vec<String> = header.split(',').map(|name| name.trim().to_owned()).collect();
    let mut columns = vec![Vec::new(); names.len()];
    let mut fields: Vec<&str> = Vec::with_capacity(names.len());
    for (line_idx, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_number = line_idx + 2;
        fields.clear();
        fields.extend(line.split(','));
        if fields.len() != names.len() {
            let (n_fields, n_names) = (fields.len(), names.len());
            return Err(format!(
                "{}, line {line_number}: {n_fields} fields, but the header has {n_names}",
                path.display()
            ));
        }
        for ((field, column), name) in fields.iter().zip(&mut columns).zip(&names) {
            let value = field.trim().parse::<f32>().map_err(|_| {
                format!("{}, line {line_number}, column '{name}': '{field}' is not a number", path.display())
            })?;
            column.push(value);
        }
    }
    Ok(Table { names, columns })
}

/// Class indices from a label column of non-negative whole numbers.
fn class_labels(column: &[f32], path: &Path) -> Result<Vec<u32>, String> {
    column
        .iter()
        .enumerate()
        .map(|(row_idx, &value)| {
            if value >= 0.0 && value.fract() == 0.0 && value < 1e6 {
                Ok(value as u32)
            } else {
                Err(format!("{}, data row {}: the label {value} is not a class index", path.display(), row_idx + 1))
            }
        })
        .collect()
}

fn scores_csv(scores: &[f64]) -> String {
    let mut text = String::with_capacity(scores.len() * 20 + 6);
    text.push_str("score\n");
    for score in scores {
        // `{}` prints the shortest text that parses back to the same f64.
        let _ = writeln!(text, "{score}");
    }
    text
}

/// One row per explained row: its SHAP values, then the base value they add to.
fn shap_csv(shap: &ShapValues, feature_names: &[String]) -> String {
    let mut header = feature_names.to_vec();
    header.push("base_value".into());
    let mut text = csv_line(&header);
    for row_idx in 0..shap.n_rows() {
        let mut fields: Vec<String> = shap.row(row_idx).iter().map(f64::to_string).collect();
        fields.push(shap.base_value.to_string());
        text.push_str(&csv_line(&fields));
    }
    text
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields.join(",");
    line.push('\n');
    line
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
