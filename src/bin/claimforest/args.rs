//! Command-line parsing: `claimforest COMMAND --flag value ...` into a validated [`Command`].
//!
//! Every mistake is one sentence naming the flag; nothing here touches files.

use std::collections::BTreeMap;

use claimforest::claims::ingest::{IngestBudget, IngestOptions};
use claimforest::pipeline::{DEFAULT_MAX_DEPTH, DEFAULT_MIN_SAMPLES_LEAF};

pub const USAGE: &str = "\
claimforest: claims scoring with forests and exact explanations, natively.

USAGE:
  claimforest generate --scenario denial|medical|pharmacy --rows N [--seed S] [--fraud-rate R] --out FILE.csv
  claimforest inspect --input FILE [--profile NAME] [--json] [--entry PATH] [--sheet NAME]
  claimforest train --input FILE --label COL [--positive VALUE] [--features a,b,...]
                    [--algorithm forest|isolation] [--trees N] [--seed S] [--max-depth D|none]
                    [--min-samples-leaf K] [--max-samples N] [--test-fraction F]
                    [--contamination C] [--entity COL] --out MODEL.json
  claimforest train --input FILE [--features a,b,...] --out MODEL.json     (no --label: see below)
  claimforest score --model MODEL.json --input FILE --out SCORED.csv
                    [--rules PACK.json|denial|medical|pharmacy] [--summaries DIR] [--precision 6|full]
                    [--history FILE]
  claimforest explain --model MODEL.json --input FILE --out SHAP.csv [--history FILE]
  claimforest encode --model MODEL.json --input FILE --out X.csv [--history FILE]
  claimforest export --model MODEL.json --format shap --out TREES.json
  claimforest evaluate --input SCORED.csv --label COL [--positive VALUE] [--score COL]
                       [--threshold T] --out METRICS.json
  claimforest demo [--rows N] [--seed S]
  claimforest help

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

/// What to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainArgs {
    pub input: String,
    pub label: Option<String>,
    pub positive: Option<String>,
    pub features: Option<Vec<String>>,
    pub algorithm: AlgorithmArg,
    pub trees: usize,
    pub seed: u64,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub max_samples: Option<usize>,
    /// Held out for evaluation: 0.2 for a random forest unless given.
    pub test_fraction: Option<f64>,
    pub contamination: Option<f64>,
    /// Train on entities (one row of aggregates per value of this column) instead of claims.
    pub entity: Option<String>,
    pub out: String,
}

/// Which forest `train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmArg {
    /// A random forest on `--label`, or on the column that looks like the label.
    Forest,
    /// An isolation forest (no label).
    Isolation,
    /// A random forest when a label is given or proposed by the data, else an isolation forest.
    Auto,
}

/// A validated command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Generate {
        scenario: String,
        n_rows: usize,
        seed: u64,
        fraud_rate: f64,
        out: String,
    },
    Inspect {
        input: String,
        profile: String,
        json: bool,
    },
    Train(TrainArgs),
    Score {
        model: String,
        input: String,
        out: String,
        rules: Option<String>,
        summaries: Option<String>,
        full_precision: bool,
        history: Option<String>,
    },
    Explain {
        model: String,
        input: String,
        out: String,
        history: Option<String>,
    },
    Encode {
        model: String,
        input: String,
        out: String,
        history: Option<String>,
    },
    Export {
        model: String,
        out: String,
    },
    Evaluate {
        input: String,
        label: String,
        positive: Option<String>,
        score: String,
        threshold: f64,
        out: String,
    },
    Demo {
        n_rows: usize,
        seed: u64,
    },
    Help,
    /// One command's usage lines (`claimforest train --help`).
    HelpFor(String),
    /// The version (`claimforest --version`).
    Version,
}

/// `command`'s lines of [`USAGE`] (its synopsis and their continuation lines), or `None`
/// for a command USAGE does not list.
pub fn usage_of(command: &str) -> Option<String> {
    let prefix = format!("  claimforest {command} ");
    let bare = format!("  claimforest {command}");
    let mut lines = Vec::new();
    let mut inside = false;
    for line in USAGE.lines() {
        if line.starts_with(&prefix) || line == bare {
            inside = true;
            lines.push(line);
        } else if inside && line.starts_with("      ") {
            lines.push(line);
        } else {
            inside = false;
        }
    }
    (!lines.is_empty()).then(|| {
        format!(
            "USAGE:\n{}\n\n`claimforest help` describes the input formats, labels, limits and defaults.",
            lines.join("\n")
        )
    })
}

/// A command and how its input files are read.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub command: Command,
    pub input: InputFlags,
}

/// How input files are read: `--max-rows`, `--max-bytes` and `--max-cells` each replace
/// that part of the budget the machine's memory gives; `--entry` picks a zip entry and
/// `--sheet` a workbook sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputFlags {
    pub max_rows: Option<usize>,
    pub max_bytes: Option<u64>,
    pub max_cells: Option<u64>,
    pub entry: Option<String>,
    pub sheet: Option<String>,
    /// `--map "Header=canonical"`, repeatable: the user's own header mappings.
    pub mappings: Vec<(String, String)>,
    /// `--join FILE[:KEY]`, repeatable: entity files joined onto the claims.
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

    /// How claims are read on a machine with `memory_bytes` of memory.
    pub fn reading(&self, memory_bytes: u64) -> Reading {
        Reading { ingest: self.ingest_options(memory_bytes), joins: self.joins.clone() }
    }
}

/// The options of every command that reads claims files.
const INPUT_OPTIONS: [&str; 7] = ["max-rows", "max-bytes", "max-cells", "entry", "sheet", "map", "join"];

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Invocation { command: Command::Help, input: InputFlags::default() });
    };
    if matches!(command.as_str(), "--version" | "-V" | "version") {
        return Ok(Invocation { command: Command::Version, input: InputFlags::default() });
    }
    if rest.iter().any(|arg| arg == "--help" || arg == "-h") && usage_of(command).is_some() {
        return Ok(Invocation { command: Command::HelpFor(command.clone()), input: InputFlags::default() });
    }
    let allowed: &[&str] = match command.as_str() {
        "generate" => &["scenario", "rows", "seed", "fraud-rate", "out"],
        "inspect" => &["input", "profile", "json"],
        "train" => &[
            "input",
            "label",
            "positive",
            "features",
            "algorithm",
            "trees",
            "seed",
            "max-depth",
            "min-samples-leaf",
            "max-samples",
            "test-fraction",
            "contamination",
            "entity",
            "out",
        ],
        "score" => &["model", "input", "out", "rules", "summaries", "precision", "history"],
        "explain" | "encode" => &["model", "input", "out", "history"],
        "export" => &["model", "format", "out"],
        "evaluate" => {
            &["input", "label", "positive", "score", "threshold", "out", "max-rows", "max-bytes", "max-cells"]
        }
        "demo" => &["rows", "seed"],
        "help" | "--help" | "-h" => return Ok(Invocation { command: Command::Help, input: InputFlags::default() }),
        other => return Err(format!("unknown command '{other}' (see `claimforest help`)")),
    };
    let reads_claims = !matches!(command.as_str(), "generate" | "export" | "demo");
    // `evaluate` reads a scored file, which already holds any joined columns.
    let joins_files = reads_claims && command != "evaluate";
    let input_option = |name: &&str| reads_claims && (*name != "join" || joins_files);
    let allowed: Vec<&str> =
        allowed.iter().copied().chain(INPUT_OPTIONS.iter().copied().filter(input_option)).collect();
    let options = Options::parse(command, rest, &allowed)?;
    let input = InputFlags {
        max_rows: options.limit("max-rows")?.map(|rows| usize::try_from(rows).unwrap_or(usize::MAX)),
        max_bytes: options.limit("max-bytes")?,
        max_cells: options.limit("max-cells")?,
        entry: options.text("entry").map(str::to_owned),
        sheet: options.text("sheet").map(str::to_owned),
        mappings: options.mappings()?,
        joins: options.joins(),
    };
    Ok(Invocation { command: parse_command(command, &options)?, input })
}

fn parse_command(command: &str, options: &Options) -> Result<Command, String> {
    match command {
        "generate" => Ok(Command::Generate {
            scenario: options.text("scenario").unwrap_or("denial").to_owned(),
            n_rows: options.count("rows", None)?,
            seed: options.seed()?,
            fraud_rate: options.fraction("fraud-rate", 0.05)?,
            out: options.required("out")?,
        }),
        "inspect" => Ok(Command::Inspect {
            input: options.required("input")?,
            profile: options.text("profile").unwrap_or("auto").to_owned(),
            json: options.flag("json"),
        }),
        "train" => parse_train(options),
        "score" | "explain" | "encode" => {
            let (model, input, out) =
                (options.required("model")?, options.required("input")?, options.required("out")?);
            let history = options.text("history").map(str::to_owned);
            Ok(match command {
                "score" => Command::Score {
                    model,
                    input,
                    out,
                    rules: options.text("rules").map(str::to_owned),
                    summaries: options.text("summaries").map(str::to_owned),
                    full_precision: match options.text("precision") {
                        None | Some("6") => false,
                        Some("full") => true,
                        Some(other) => return Err(format!("--precision: '{other}' is not one of 6, full")),
                    },
                    history,
                },
                "explain" => Command::Explain { model, input, out, history },
                _ => Command::Encode { model, input, out, history },
            })
        }
        "export" => {
            let format = options.text("format").unwrap_or("shap");
            if format != "shap" {
                return Err(format!("--format: '{format}' is not supported (supported: shap)"));
            }
            Ok(Command::Export { model: options.required("model")?, out: options.required("out")? })
        }
        "evaluate" => Ok(Command::Evaluate {
            input: options.required("input")?,
            label: options.required("label")?,
            positive: options.text("positive").map(str::to_owned),
            score: options.text("score").unwrap_or("score").to_owned(),
            threshold: options.fraction("threshold", 0.5)?,
            out: options.required("out")?,
        }),
        _ => Ok(Command::Demo { n_rows: options.count("rows", Some(1_000))?, seed: options.seed()? }),
    }
}

fn parse_train(options: &Options) -> Result<Command, String> {
    let label = options.text("label").map(str::to_owned);
    let algorithm = match options.text("algorithm") {
        None if label.is_some() => AlgorithmArg::Forest,
        None => AlgorithmArg::Auto,
        Some("forest") => AlgorithmArg::Forest,
        Some("isolation") => AlgorithmArg::Isolation,
        Some(other) => return Err(format!("--algorithm: '{other}' is not one of forest, isolation")),
    };
    let features = options.text("features").map(|list| {
        list.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect::<Vec<_>>()
    });
    if features.as_ref().is_some_and(Vec::is_empty) {
        return Err("--features: name at least one column".into());
    }
    let contamination = options.text("contamination").map(|_| options.fraction("contamination", 0.0)).transpose()?;
    Ok(Command::Train(TrainArgs {
        input: options.required("input")?,
        label,
        positive: options.text("positive").map(str::to_owned),
        features,
        algorithm,
        trees: options.count("trees", Some(100))?,
        seed: options.seed()?,
        max_depth: match options.text("max-depth") {
            Some("none") => None,
            _ => Some(options.count("max-depth", Some(DEFAULT_MAX_DEPTH))?),
        },
        min_samples_leaf: options.count("min-samples-leaf", Some(DEFAULT_MIN_SAMPLES_LEAF))?,
        max_samples: options.text("max-samples").map(|_| options.count("max-samples", None)).transpose()?,
        test_fraction: options.text("test-fraction").map(|_| options.fraction("test-fraction", 0.2)).transpose()?,
        contamination,
        entity: options.text("entity").map(str::to_owned),
        out: options.required("out")?,
    }))
}

/// Options that are flags, taking no value.
const FLAGS: [&str; 1] = ["json"];
/// Options that may be given more than once; their values are kept in order.
const REPEATABLE: [&str; 2] = ["map", "join"];
/// Between the values of a repeated option (never in a header).
const REPEAT_SEPARATOR: char = '\u{1f}';

/// `--name value` pairs (and `--flag`s) of one command.
struct Options {
    values: BTreeMap<String, String>,
}

impl Options {
    fn parse(command: &str, rest: &[String], allowed: &[&str]) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut iter = rest.iter();
        while let Some(flag) = iter.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument '{flag}' (see `claimforest help`)"))?;
            if !allowed.contains(&name) {
                return Err(format!("'{command}' has no option --{name}"));
            }
            if FLAGS.contains(&name) {
                if values.insert(name.to_owned(), String::new()).is_some() {
                    return Err(format!("--{name} is given twice"));
                }
                continue;
            }
            let value = iter.next().ok_or_else(|| format!("--{name} needs a value"))?;
            if REPEATABLE.contains(&name) {
                let all = values.entry(name.to_owned()).or_default();
                if !all.is_empty() {
                    all.push(REPEAT_SEPARATOR);
                }
                all.push_str(value);
                continue;
            }
            if values.insert(name.to_owned(), value.clone()).is_some() {
                return Err(format!("--{name} is given twice"));
            }
        }
        Ok(Self { values })
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.text(name).map(str::to_owned).ok_or_else(|| format!("--{name} is required"))
    }

    fn whole_number(&self, name: &str, default: Option<u64>) -> Result<u64, String> {
        match self.text(name) {
            Some(text) => {
                text.replace(['_', ','], "").parse().map_err(|_| format!("--{name}: '{text}' is not a whole number"))
            }
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    }

    fn count(&self, name: &str, default: Option<usize>) -> Result<usize, String> {
        let value = self.whole_number(name, default.map(|d| d as u64))?;
        usize::try_from(value).map_err(|_| format!("--{name}: {value} is too large"))
    }

    /// Every `--map "Header=canonical"`, split at the last `=`.
    fn mappings(&self) -> Result<Vec<(String, String)>, String> {
        let Some(all) = self.text("map") else { return Ok(Vec::new()) };
        all.split(REPEAT_SEPARATOR)
            .map(|mapping| match mapping.rsplit_once('=') {
                Some((header, canonical)) if !header.trim().is_empty() && !canonical.trim().is_empty() => {
                    Ok((header.trim().to_owned(), canonical.trim().to_owned()))
                }
                _ => Err(format!("--map: '{mapping}' is not HEADER=canonical_column")),
            })
            .collect()
    }

    /// Every `--join FILE[:KEY]`. The key follows the last `:`, unless what follows it looks
    /// like a path (`C:\\claims\\providers.csv` is a file).
    fn joins(&self) -> Vec<JoinSpec> {
        let Some(all) = self.text("join") else { return Vec::new() };
        all.split(REPEAT_SEPARATOR)
            .map(|join| match join.rsplit_once(':') {
                Some((file, key)) if !file.is_empty() && !key.trim().is_empty() && !key.contains(['/', '\\']) => {
                    JoinSpec { file: file.to_owned(), key: Some(key.trim().to_owned()) }
                }
                _ => JoinSpec { file: join.to_owned(), key: None },
            })
            .collect()
    }

    /// An optional limit: a whole number of at least 1.
    fn limit(&self, name: &str) -> Result<Option<u64>, String> {
        match self.text(name) {
            None => Ok(None),
            Some(_) => match self.whole_number(name, None)? {
                0 => Err(format!("--{name} must be at least 1")),
                limit => Ok(Some(limit)),
            },
        }
    }

    fn seed(&self) -> Result<u64, String> {
        self.whole_number("seed", Some(42))
    }

    fn fraction(&self, name: &str, default: f64) -> Result<f64, String> {
        match self.text(name) {
            Some(text) => match text.parse::<f64>() {
                Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
                _ => Err(format!("--{name}: '{text}' is not a number between 0 and 1")),
            },
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimforest::claims::ingest::BudgetScope;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    fn command(text: &str) -> Result<Command, String> {
        parse(&args(text)).map(|invocation| invocation.command)
    }

    #[test]
    fn budget_flags_override_the_machine_budget() {
        let invocation = parse(&args("inspect --input x.csv --max-rows 5,000 --max-bytes 1_000_000")).unwrap();
        assert_eq!(
            invocation.input,
            InputFlags { max_rows: Some(5_000), max_bytes: Some(1_000_000), ..InputFlags::default() }
        );
        let budget = invocation.input.budget(16 << 30);
        assert_eq!((budget.max_rows, budget.max_bytes, budget.max_cells), (5_000, 1_000_000, 1 << 30));
        assert_eq!(budget.scope, BudgetScope::CommandLine);
        assert!(command("generate --rows 5 --max-rows 9 --out a").unwrap_err().contains("no option --max-rows"));
        assert_eq!(
            command("score --model m --input i --out o --max-cells 0"),
            Err("--max-cells must be at least 1".into())
        );
        let invocation =
            parse(&args("train --input export.zip --entry data/claims.tsv --sheet Claims --out m")).unwrap();
        let options = invocation.input.ingest_options(16 << 30);
        assert_eq!((options.entry.as_deref(), options.sheet.as_deref()), (Some("data/claims.tsv"), Some("Claims")));
        assert!(command("export --model m --entry x --out t").unwrap_err().contains("no option --entry"));
        let mapped = ["inspect", "--input", "f.csv", "--map", "Rndr Doc=provider_id", "--map", "a=b=member_id"];
        let invocation = parse(&mapped.map(String::from)).unwrap();
        let expected = [("Rndr Doc", "provider_id"), ("a=b", "member_id")].map(|(h, c)| (h.to_owned(), c.to_owned()));
        assert_eq!(invocation.input.mappings, expected);
        assert!(command("inspect --input f.csv --map nothing").unwrap_err().contains("is not HEADER=canonical_column"));
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
            Ok(Command::Inspect { input: "x.zip".into(), profile: "cms_dmr".into(), json: true })
        );
        assert_eq!(command("demo --seed 3"), Ok(Command::Demo { n_rows: 1000, seed: 3 }));
        assert_eq!(parse(&[]).map(|invocation| invocation.command), Ok(Command::Help));
        let Ok(Command::Train(train)) = command("train --input c.csv --label y --features a,b --trees 5 --out m")
        else {
            panic!("train parses")
        };
        assert_eq!(train.algorithm, AlgorithmArg::Forest);
        assert_eq!(train.features, Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!((train.trees, train.test_fraction), (5, None));
        assert_eq!((train.max_depth, train.min_samples_leaf), (Some(16), 3), "the claims forest's defaults");
        let Ok(Command::Train(train)) =
            command("train --input c.csv --label y --max-depth none --min-samples-leaf 1 --out m")
        else {
            panic!("train parses")
        };
        assert_eq!((train.max_depth, train.min_samples_leaf), (None, 1), "grown to purity on request");
        let Ok(Command::Train(train)) = command("train --input c.csv --out m") else { panic!("train parses") };
        assert_eq!(train.algorithm, AlgorithmArg::Auto, "no label: the data decides");
    }

    #[test]
    fn rejects_bad_input_with_a_sentence() {
        assert_eq!(command("generate --rows x --out a"), Err("--rows: 'x' is not a whole number".into()));
        assert_eq!(command("generate --rows 5"), Err("--out is required".into()));
        assert!(command("generate --rows 5 --fraud-rate 2 --out a").unwrap_err().contains("between 0 and 1"));
        assert_eq!(command("inspect --json"), Err("--input is required".into()));
        assert_eq!(command("demo --color red"), Err("'demo' has no option --color".into()));
        assert_eq!(command("fly"), Err("unknown command 'fly' (see `claimforest help`)".into()));
        assert_eq!(command("demo --rows"), Err("--rows needs a value".into()));
        assert_eq!(command("demo --rows 1 --rows 2"), Err("--rows is given twice".into()));
        assert!(command("train --input a --label y --test-fraction 2 --out m").unwrap_err().contains("between"));
        assert!(command("export --model m --format onnx --out t").unwrap_err().contains("not supported"));
    }
}
