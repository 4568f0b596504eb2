//! The command line's grammar: clap derive structs, whose doc comments are the help text,
//! and the checks of each value (whole numbers, fractions, `--map`, `--join`).
//!
//! Every usage mistake is clap's error naming the flag; nothing here touches files.

use std::ffi::OsString;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use claimforest::claims::ingest::{IngestBudget, IngestOptions};
use claimforest::pipeline::DEFAULT_MIN_SAMPLES_LEAF;

/// The part of `claimforest --help` (and `claimforest help`) after the commands and options.
const GUIDE: &str = "\
Input files are CSV, TSV, or ;- or |-separated text (sniffed), UTF-8 or Windows-1252,
plain or in .gz or .zip, or a sheet of an .xlsx workbook. In a zip, the largest data file is
read (never a readme) and the others are listed; --entry PATH picks one, as --sheet NAME
picks a workbook sheet (the first by default). Vendor headers are mapped
to canonical columns by synonyms (PATIENT_ID, MBR_ID, ... -> member_id); `inspect` shows how.
Headers are also read by their words (Rendering Provider NPI, ICD10 Dx 1, CLP04 Claim Payment
Amount); `inspect` flags readings it is unsure of, and --map \"Header=canonical_column\"
(repeatable) sets any mapping yourself.
Profiles: auto (default), generic_csv, gsk_iqvia, cms_dmr, elaad_apld, unknown.
Without --label, train uses the column that looks like the label (fraud_reported,
is_denied, a status column holding Denied, ...) with its positive value and says so, or
trains an isolation forest when no column does; --algorithm isolation always does.
Labels may be 1/0, Y/N, yes/no or true/false; --positive names another positive value.
Inputs are read under a budget sized to this machine's memory (rows, cells, and bytes of
text once decompressed); a file past it is refused, and --max-rows N, --max-cells N and
--max-bytes N on any command that reads claims set another.
--entity COL trains on entities instead of claims: one row per value of COL (a provider,
member or pharmacy) holding its claim count and the mean, max and sum of every number, the
distinct count of every text and the days spanned by every date of its claims; its label is
positive when any of its claims is (a provider list's label joined with --join). Train
reports the lift of the held-out top decile; score and explain then write one ranked row
per entity.
Random forests grow trees to depth 16 with at least 3 claims per leaf unless --max-depth
and --min-samples-leaf say otherwise (--max-depth none grows them until leaves are pure).
Text columns are coded in an order that means something, stored in the model: by positive
rate among the training claims for a random forest, rarest first for an isolation forest;
a value the model does not hold is treated as missing when scoring.
Columns keep the file's headers (--features, --label and outputs use them); a mapped
column also answers to its canonical name, so a model scores another vendor's layout.
--join FILE[:KEY] (repeatable, on every command that reads claims but evaluate) left-joins
an entity file onto the claims: a provider list with its PotentialFraud label, a
beneficiary file. KEY names the key (or CLAIMS_KEY=ENTITY_KEY); without it the one shared
column is used (the same header, or the same member, provider or pharmacy id). A key that
repeats in the entity file is refused; unmatched claims are counted, and claims a joined
label does not reach are left out of training but scored.
--history FILE computes a batch's member, provider and pharmacy aggregates over that file
with the batch in place (a claim id found there takes that claim's place), so new claims
compare against the population the model learned from, not against the batch alone.";

/// Claims scoring with forests and exact explanations, natively.
#[derive(Debug, Parser)]
#[command(name = "claimforest", version, after_long_help = GUIDE)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A command and its options.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum Command {
    /// Write seeded synthetic claims, with their label, to a CSV file.
    Generate {
        /// The kind of claims: denial, medical or pharmacy.
        #[arg(long, value_name = "NAME", default_value = "denial")]
        scenario: String,
        /// How many claims.
        #[arg(long = "rows", value_name = "N", value_parser = count)]
        n_rows: usize,
        /// The seed: the same seed writes the same claims.
        #[arg(long, value_name = "S", default_value = "42", value_parser = whole_number)]
        seed: u64,
        /// The share of claims with a planted fraud pattern (medical and pharmacy).
        #[arg(long, value_name = "R", default_value = "0.05", value_parser = fraction)]
        fraud_rate: f64,
        /// The CSV file to write.
        #[arg(long, value_name = "FILE.csv")]
        out: String,
    },
    /// Print how a file's columns map to the canonical schema, its types and every rejected row.
    Inspect {
        /// The file to read.
        #[arg(long, value_name = "FILE")]
        input: String,
        /// The vendor preset: auto, generic_csv, gsk_iqvia, cms_dmr, elaad_apld or unknown.
        #[arg(long, value_name = "NAME", default_value = "auto")]
        profile: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        input_flags: InputFlags,
    },
    /// Train a random forest on a label, or an isolation forest without one, into a model file.
    #[command(after_help = "Without --label, train uses the column that looks like the label and says so, or \
                            trains an isolation forest when no column does.")]
    Train(TrainArgs),
    /// Score claims with a model: each row with its score and prediction (and rule columns).
    Score {
        #[command(flatten)]
        run: ModelRun,
        /// Add rule hits, the hybrid priority and its tier: a rule pack file, or denial, medical or pharmacy.
        #[arg(long, value_name = "PACK.json|NAME")]
        rules: Option<String>,
        /// Write one summary CSV per entity level (member, provider, pharmacy) into this directory.
        #[arg(long, value_name = "DIR")]
        summaries: Option<String>,
        /// Scores with 6 significant digits, or every digit.
        #[arg(long, value_enum, default_value_t = Precision::Six)]
        precision: Precision,
        #[command(flatten)]
        claims: ClaimsInput,
    },
    /// Write each row's exact TreeSHAP values: the base value and one column per feature.
    Explain {
        #[command(flatten)]
        run: ModelRun,
        #[command(flatten)]
        claims: ClaimsInput,
    },
    /// Write the matrix the model reads, one column per feature.
    Encode {
        #[command(flatten)]
        run: ModelRun,
        #[command(flatten)]
        claims: ClaimsInput,
    },
    /// Export a model's trees as shap's tree-ensemble JSON.
    Export {
        /// The model file `train` wrote.
        #[arg(long, value_name = "MODEL.json")]
        model: String,
        /// The export format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Shap)]
        format: ExportFormat,
        /// The JSON file to write.
        #[arg(long, value_name = "TREES.json")]
        out: String,
    },
    /// Measure scores against labels: accuracy, ROC AUC, precision at queue depths, curves.
    Evaluate {
        /// The scored file (`score` writes one).
        #[arg(long, value_name = "SCORED.csv")]
        input: String,
        /// The label column.
        #[arg(long, value_name = "COL")]
        label: String,
        /// The label's positive value, if not 1, Y, yes or true.
        #[arg(long, value_name = "VALUE")]
        positive: Option<String>,
        /// The score column.
        #[arg(long = "score", value_name = "COL", default_value = "score")]
        score_column: String,
        /// A row is predicted positive at a score of at least this.
        #[arg(long, value_name = "T", default_value = "0.5", value_parser = fraction)]
        threshold: f64,
        /// The metrics JSON to write.
        #[arg(long, value_name = "METRICS.json")]
        out: String,
        #[command(flatten)]
        input_flags: InputFlags,
    },
    /// The denial teaching flow in the terminal: generate, train, evaluate, score one bad claim.
    Demo {
        /// How many claims to generate (at least 10).
        #[arg(long = "rows", value_name = "N", default_value = "1000", value_parser = count)]
        n_rows: usize,
        /// The seed of the claims and the forest.
        #[arg(long, value_name = "S", default_value = "42", value_parser = whole_number)]
        seed: u64,
    },
    /// Print the version.
    #[command(hide = true)]
    Version,
}

/// What to train.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct TrainArgs {
    /// The claims file.
    #[arg(long, value_name = "FILE")]
    pub input: String,
    /// The label column (without it, the column that looks like one, if any).
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,
    /// The label's positive value, if not 1, Y, yes or true.
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// The feature columns, comma-separated (repeatable); every usable column by default.
    #[arg(long = "features", value_name = "A,B,...", value_parser = column_list)]
    pub feature_lists: Vec<String>,
    /// Which forest: auto is a random forest when there is a label, else an isolation forest.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Auto)]
    pub algorithm: AlgorithmArg,
    /// How many trees.
    #[arg(long, value_name = "N", default_value = "100", value_parser = count)]
    pub trees: usize,
    /// The seed of the trees and of the held-out split.
    #[arg(long, value_name = "S", default_value = "42", value_parser = whole_number)]
    pub seed: u64,
    /// The deepest a random forest's tree grows; none grows it until its leaves are pure.
    #[arg(long, value_name = "D|none", default_value = "16", value_parser = depth)]
    pub max_depth: ::std::option::Option<usize>,
    /// The fewest claims a random forest's leaf holds.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_MIN_SAMPLES_LEAF, value_parser = count)]
    pub min_samples_leaf: usize,
    /// Rows drawn for each tree (an isolation forest's ψ, 256 by default; all rows for a random forest).
    #[arg(long, value_name = "N", value_parser = count)]
    pub max_samples: Option<usize>,
    /// The share held out for evaluation (0.2 by default).
    #[arg(long, value_name = "F", value_parser = fraction)]
    pub test_fraction: Option<f64>,
    /// An isolation forest's expected share of anomalies, which sets its threshold.
    #[arg(long, value_name = "C", value_parser = fraction)]
    pub contamination: Option<f64>,
    /// Train on entities (one row of aggregates per value of this column) instead of claims.
    #[arg(long, value_name = "COL")]
    pub entity: Option<String>,
    /// The model file to write.
    #[arg(long, value_name = "MODEL.json")]
    pub out: String,
    #[command(flatten)]
    pub claims: ClaimsInput,
}

impl TrainArgs {
    /// The columns every `--features` names, in order; `None` when none is given.
    pub fn features(&self) -> Option<Vec<String>> {
        (!self.feature_lists.is_empty())
            .then(|| self.feature_lists.iter().flat_map(|list| column_names(list)).collect())
    }
}

/// Which forest `train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    // (Plain comments: doc comments would become each value's help and spread `--help` over
    // two lines a flag.)
    // A random forest on `--label`, or on the column that looks like the label.
    Forest,
    // An isolation forest (no label).
    Isolation,
    // A random forest when a label is given or proposed by the data, else an isolation forest.
    Auto,
}

/// How scores are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Precision {
    // 6 significant digits.
    #[value(name = "6")]
    Six,
    // Every digit.
    Full,
}

/// The formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    // shap's tree-ensemble JSON (`shap.TreeExplainer` reads it).
    Shap,
}

/// A model applied to a claims file (`score`, `explain`, `encode`).
#[derive(Debug, Clone, PartialEq, Args)]
pub struct ModelRun {
    /// The model file `train` wrote.
    #[arg(long, value_name = "MODEL.json")]
    pub model: String,
    /// The claims file.
    #[arg(long, value_name = "FILE")]
    pub input: String,
    /// The CSV file to write.
    #[arg(long, value_name = "FILE.csv")]
    pub out: String,
    /// Compute the member, provider and pharmacy aggregates over this file with the claims in place.
    #[arg(long, value_name = "FILE")]
    pub history: Option<String>,
}

/// How input files are read: `--max-rows`, `--max-bytes` and `--max-cells` each replace
/// that part of the budget the machine's memory gives; `--entry` picks a zip entry and
/// `--sheet` a workbook sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Args)]
#[command(next_help_heading = "Reading files")]
pub struct InputFlags {
    /// Refuse a file of more data rows (by default, this machine's memory / 64 B).
    #[arg(long, value_name = "N", value_parser = row_limit)]
    pub max_rows: Option<usize>,
    /// Refuse a file of more bytes of text once decompressed (by default, 4 × memory).
    #[arg(long, value_name = "N", value_parser = limit)]
    pub max_bytes: Option<u64>,
    /// Refuse a file of more cells, rows × columns (by default, memory / 16 B).
    #[arg(long, value_name = "N", value_parser = limit)]
    pub max_cells: Option<u64>,
    /// The entry of a zip to read (by default, its largest data file).
    #[arg(long, value_name = "PATH")]
    pub entry: Option<String>,
    /// The sheet of an .xlsx workbook to read (by default, the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Map a header to a canonical column yourself (repeatable).
    #[arg(long = "map", value_name = "HEADER=canonical", value_parser = mapping)]
    pub mappings: Vec<(String, String)>,
}

/// The input flags of a command that reads claims, and the entity files joined onto them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Args)]
#[command(next_help_heading = "Reading files")]
pub struct ClaimsInput {
    #[command(flatten)]
    pub flags: InputFlags,
    /// Left-join an entity file onto the claims on KEY, CLAIMS_KEY=ENTITY_KEY or the one shared column (repeatable).
    #[arg(long = "join", value_name = "FILE[:KEY]", value_parser = join_spec)]
    pub joins: Vec<JoinSpec>,
}

/// One `--join FILE[:KEY]`: an entity file and, optionally, its key (`KEY` in both files,
/// or `CLAIMS_KEY=ENTITY_KEY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinSpec {
    /// The entity file.
    pub file: String,
    /// The key, if named.
    pub key: Option<String>,
}

/// How claims are read: each file's ingestion options, and the files joined onto them.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Options for every file read.
    pub ingest: IngestOptions,
    /// Entity files to left-join onto the claims, in order.
    pub joins: Vec<JoinSpec>,
}

impl InputFlags {
    /// The budget for a machine with `memory_bytes` of memory, with these flags applied.
    pub fn budget(&self, memory_bytes: u64) -> IngestBudget {
        let machine = IngestBudget::for_memory(memory_bytes);
        IngestBudget {
            max_rows: self.max_rows.unwrap_or(machine.max_rows),
            max_bytes: self.max_bytes.unwrap_or(machine.max_bytes),
            max_cells: self.max_cells.unwrap_or(machine.max_cells),
            scope: machine.scope,
        }
    }

    /// Ingestion options for a machine with `memory_bytes` of memory.
    pub fn ingest_options(&self, memory_bytes: u64) -> IngestOptions {
        IngestOptions {
            budget: self.budget(memory_bytes),
            entry: self.entry.clone(),
            sheet: self.sheet.clone(),
            mappings: self.mappings.clone(),
            ..IngestOptions::default()
        }
    }

    /// How a file is read, with nothing joined on, on a machine with `memory_bytes` of memory.
    pub fn reading(&self, memory_bytes: u64) -> Reading {
        Reading { ingest: self.ingest_options(memory_bytes), joins: Vec::new() }
    }
}

impl ClaimsInput {
    /// How claims are read on a machine with `memory_bytes` of memory.
    pub fn reading(&self, memory_bytes: u64) -> Reading {
        Reading { joins: self.joins.clone(), ..self.flags.reading(memory_bytes) }
    }
}

/// Parses the arguments, the program's name first. Help, the version and usage mistakes
/// come back as clap's error, which prints itself (`Error::exit`).
///
/// A value may start with `-` (`--positive -1`), as the word after a flag always is its value.
pub fn parse<I: IntoIterator<Item = T>, T: Into<OsString> + Clone>(args: I) -> Result<Cli, clap::Error> {
    let command = Cli::command().mut_subcommands(|command| {
        command.mut_args(|arg| {
            let takes_value = matches!(arg.get_action(), ArgAction::Set | ArgAction::Append);
            arg.allow_hyphen_values(takes_value)
        })
    });
    Cli::from_arg_matches(&command.try_get_matches_from(args)?)
}

/// A whole number; `_` and `,` may group its digits (`1,000`, `1_000_000`).
fn whole_number(text: &str) -> Result<u64, String> {
    text.replace(['_', ','], "").parse().map_err(|_| "not a whole number".to_owned())
}

fn count(text: &str) -> Result<usize, String> {
    usize::try_from(whole_number(text)?).map_err(|_| "too large".to_owned())
}

/// A budget limit: a whole number of at least 1.
fn limit(text: &str) -> Result<u64, String> {
    match whole_number(text)? {
        0 => Err("must be at least 1".to_owned()),
        limit => Ok(limit),
    }
}

fn row_limit(text: &str) -> Result<usize, String> {
    limit(text).map(|rows| usize::try_from(rows).unwrap_or(usize::MAX))
}

/// `none`, or a whole number.
fn depth(text: &str) -> Result<Option<usize>, String> {
    if text == "none" {
        return Ok(None);
    }
    count(text).map(Some).map_err(|_| "not a whole number or none".to_owned())
}

fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err("not a number between 0 and 1".to_owned()),
    }
}

/// The names of a comma-separated list, trimmed, empty ones dropped.
fn column_names(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned)
}

/// A `--features` list that names at least one column.
fn column_list(text: &str) -> Result<String, String> {
    match column_names(text).next() {
        Some(_) => Ok(text.to_owned()),
        None => Err("name at least one column".to_owned()),
    }
}

/// `--map "Header=canonical"`, split at the last `=`.
fn mapping(text: &str) -> Result<(String, String), String> {
    match text.rsplit_once('=') {
        Some((header, canonical)) if !header.trim().is_empty() && !canonical.trim().is_empty() => {
            Ok((header.trim().to_owned(), canonical.trim().to_owned()))
        }
        _ => Err("not HEADER=canonical_column".to_owned()),
    }
}

/// `--join FILE[:KEY]`. The key follows the last `:`, unless what follows it looks like a
/// path (`C:\\claims\\providers.csv` is a file).
fn join_spec(join: &str) -> Result<JoinSpec, String> {
    Ok(match join.rsplit_once(':') {
        Some((file, key)) if !file.is_empty() && !key.trim().is_empty() && !key.contains(['/', '\\']) => {
            JoinSpec { file: file.to_owned(), key: Some(key.trim().to_owned()) }
        }
        _ => JoinSpec { file: join.to_owned(), key: None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimforest::claims::ingest::BudgetScope;
    use claimforest::pipeline::DEFAULT_MAX_DEPTH;

    fn command(text: &str) -> Result<Command, String> {
        let args = std::iter::once("claimforest").chain(text.split_whitespace());
        parse(args).map(|cli| cli.command.expect("a command")).map_err(|e| e.to_string())
    }

    fn train(text: &str) -> TrainArgs {
        match command(text) {
            Ok(Command::Train(train)) => train,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn budget_flags_override_the_machine_budget() {
        let Ok(Command::Inspect { input_flags, .. }) =
            command("inspect --input x.csv --max-rows 5,000 --max-bytes 1_000_000")
        else {
            panic!("inspect parses")
        };
        assert_eq!(
            input_flags,
            InputFlags { max_rows: Some(5_000), max_bytes: Some(1_000_000), ..InputFlags::default() }
        );
        let budget = input_flags.budget(16 << 30);
        assert_eq!((budget.max_rows, budget.max_bytes, budget.max_cells), (5_000, 1_000_000, 1 << 30));
        assert_eq!(budget.scope, BudgetScope::CommandLine);
        assert!(command("generate --rows 5 --max-rows 9 --out a").unwrap_err().contains("'--max-rows'"));
        let zero = command("score --model m --input i --out o --max-cells 0").unwrap_err();
        assert!(zero.contains("'--max-cells <N>'") && zero.contains("must be at least 1"), "{zero}");
        let train = train("train --input export.zip --entry data/claims.tsv --sheet Claims --out m");
        let options = train.claims.reading(16 << 30).ingest;
        assert_eq!((options.entry.as_deref(), options.sheet.as_deref()), (Some("data/claims.tsv"), Some("Claims")));
        assert!(command("export --model m --entry x --out t").unwrap_err().contains("'--entry'"));
        assert!(command("evaluate --input s --label y --join p.csv --out e").unwrap_err().contains("'--join'"));
        let mapped =
            ["claimforest", "inspect", "--input", "f.csv", "--map", "Rndr Doc=provider_id", "--map", "a=b=member_id"];
        let Ok(Cli { command: Some(Command::Inspect { input_flags, .. }) }) = parse(mapped) else { panic!("parses") };
        let expected = [("Rndr Doc", "provider_id"), ("a=b", "member_id")].map(|(h, c)| (h.to_owned(), c.to_owned()));
        assert_eq!(input_flags.mappings, expected);
        assert!(command("inspect --input f.csv --map nothing").unwrap_err().contains("not HEADER=canonical_column"));
    }

    #[test]
    fn repeated_joins_and_feature_lists_keep_their_order() {
        let train =
            train("train --input c.csv --join p.csv:Provider --join C:\\b\\m.csv --features a,,b --features c --out m");
        let join = |file: &str, key: Option<&str>| JoinSpec { file: file.into(), key: key.map(Into::into) };
        assert_eq!(train.claims.joins, [join("p.csv", Some("Provider")), join("C:\\b\\m.csv", None)]);
        assert_eq!(train.features(), Some(["a", "b", "c"].map(String::from).into()));
        assert_eq!(self::train("train --input c.csv --out m").features(), None);
        let positive = ["claimforest", "train", "--input", "c.csv", "--label", "y", "--positive", "-1", "--out", "m"];
        let Ok(Cli { command: Some(Command::Train(train)) }) = parse(positive) else { panic!("parses") };
        assert_eq!(train.positive.as_deref(), Some("-1"), "a value may start with -");
    }

    #[test]
    fn parses_valid_commands() {
        assert_eq!(
            command("generate --rows 1,000 --out c.csv"),
            Ok(Command::Generate {
                scenario: "denial".into(),
                n_rows: 1000,
                seed: 42,
                fraud_rate: 0.05,
                out: "c.csv".into()
            })
        );
        assert_eq!(
            command("inspect --json --input x.zip --profile cms_dmr"),
            Ok(Command::Inspect {
                input: "x.zip".into(),
                profile: "cms_dmr".into(),
                json: true,
                input_flags: InputFlags::default()
            })
        );
        assert_eq!(command("demo --seed 3"), Ok(Command::Demo { n_rows: 1000, seed: 3 }));
        assert!(matches!(parse(["claimforest"]), Ok(Cli { command: None })));
        let Ok(Command::Score { precision, .. }) = command("score --model m --input i --out o --precision full") else {
            panic!("score parses")
        };
        assert_eq!(precision, Precision::Full);
        let train = train("train --input c.csv --label y --features a,b --trees 5 --out m");
        assert_eq!(train.algorithm, AlgorithmArg::Auto, "a label given: auto trains a random forest on it");
        assert_eq!(train.features(), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!((train.trees, train.test_fraction), (5, None));
        assert_eq!(
            (train.max_depth, train.min_samples_leaf),
            (Some(DEFAULT_MAX_DEPTH), DEFAULT_MIN_SAMPLES_LEAF),
            "the claims forest's defaults"
        );
        let train = self::train("train --input c.csv --label y --max-depth none --min-samples-leaf 1 --out m");
        assert_eq!((train.max_depth, train.min_samples_leaf), (None, 1), "grown to purity on request");
        let train = self::train("train --input c.csv --algorithm isolation --contamination 0.1 --out m");
        assert_eq!((train.algorithm, train.contamination), (AlgorithmArg::Isolation, Some(0.1)));
    }

    #[test]
    fn rejects_bad_input_naming_the_flag() {
        for (args, expected) in [
            ("generate --rows x --out a", "invalid value 'x' for '--rows <N>': not a whole number"),
            ("generate --rows 5", "--out <FILE.csv>"),
            ("generate --rows 5 --fraud-rate 2 --out a", "between 0 and 1"),
            ("inspect --json", "--input <FILE>"),
            ("demo --color red", "unexpected argument '--color'"),
            ("fly", "unrecognized subcommand 'fly'"),
            ("demo --rows", "a value is required for '--rows <N>'"),
            ("demo --rows 1 --rows 2", "'--rows <N>' cannot be used multiple times"),
            ("train --input a --label y --test-fraction 2 --out m", "between 0 and 1"),
            ("train --input a --features , --out m", "name at least one column"),
            ("train --input a --max-depth deep --out m", "not a whole number or none"),
            ("train --input a --algorithm boost --out m", "[possible values: forest, isolation, auto]"),
            ("export --model m --format onnx --out t", "[possible values: shap]"),
            ("score --model m --input i --out o --precision 3", "[possible values: 6, full]"),
        ] {
            let error = command(args).unwrap_err();
            assert!(error.contains(expected), "{args}: {error}");
        }
    }
}
