//! The native `claimforest` command line: batch work over the same core as the browser app.
//!
//! Commands today: `generate` writes a seeded synthetic claims file; `demo` runs the
//! denial teaching flow (generate, train, evaluate, explain one bad claim) in the terminal.

use std::ops::ControlFlow;
use std::process::ExitCode;

use claimforest::claims::csv_writer::write_csv;
use claimforest::claims::schema::denial;
use claimforest::claims::synth::generate_denial;
use claimforest::claims::table::CategoricalBuilder;
use claimforest::claims::{ClaimsTable, ColumnData};
use claimforest::pipeline::{train_model, TrainRequest};

const USAGE: &str = "\
claimforest: claims scoring with forests, natively.

USAGE:
  claimforest generate --scenario denial --rows N [--seed S] --out FILE.csv
  claimforest demo [--rows N] [--seed S]
  claimforest help";

/// The validated command.
#[derive(Debug, PartialEq)]
enum Command {
    Generate { n_rows: usize, seed: u64, out: String },
    Demo { n_rows: usize, seed: u64 },
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("claimforest: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else { return Ok(Command::Help) };
    let mut options = std::collections::HashMap::new();
    let mut iter = rest.iter();
    while let Some(flag) = iter.next() {
        let name =
            flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{flag}' (see `claimforest help`)"))?;
        let value = iter.next().ok_or_else(|| format!("--{name} needs a value"))?;
        options.insert(name.to_owned(), value.clone());
    }
    let number = |name: &str, default: Option<u64>| -> Result<u64, String> {
        match options.get(name) {
            Some(text) => {
                text.replace(['_', ','], "").parse().map_err(|_| format!("--{name}: '{text}' is not a whole number"))
            }
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    };
    let allowed: &[&str] = match command.as_str() {
        "generate" => &["scenario", "rows", "seed", "out"],
        "demo" => &["rows", "seed"],
        "help" | "--help" | "-h" => &[],
        other => return Err(format!("unknown command '{other}' (see `claimforest help`)")),
    };
    if let Some(unknown) = options.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("'{command}' has no option --{unknown}"));
    }
    match command.as_str() {
        "generate" => {
            let scenario = options.get("scenario").map_or("denial", String::as_str);
            if scenario != "denial" {
                return Err(format!("--scenario: '{scenario}' is not available yet (available: denial)"));
            }
            let out = options.get("out").cloned().ok_or("--out is required")?;
            Ok(Command::Generate { n_rows: number("rows", None)? as usize, seed: number("seed", Some(42))?, out })
        }
        "demo" => Ok(Command::Demo { n_rows: number("rows", Some(1_000))? as usize, seed: number("seed", Some(42))? }),
        _ => Ok(Command::Help),
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Help => println!("{USAGE}"),
        Command::Generate { n_rows, seed, out } => {
            let table = generate_denial(n_rows, seed).map_err(|e| e.to_string())?;
            let file = std::fs::File::create(&out).map_err(|e| format!("cannot create '{out}': {e}"))?;
            let mut writer = std::io::BufWriter::new(file);
            write_csv(&table, &mut writer).map_err(|e| format!("cannot write '{out}': {e}"))?;
            eprintln!("wrote {n_rows} denial claims (seed {seed}) to {out}");
        }
        Command::Demo { n_rows, seed } => demo(n_rows, seed)?,
    }
    Ok(())
}

fn demo(n_rows: usize, seed: u64) -> Result<(), String> {
    if n_rows < 10 {
        return Err("--rows must be at least 10".into());
    }
    let table = generate_denial(n_rows, seed).map_err(|e| e.to_string())?;
    let mut request = TrainRequest::default();
    request.forest.seed = seed;
    request.split_seed = seed;
    let (model, report) =
        train_model(&table, &request, &mut |_| ControlFlow::Continue(())).map_err(|e| e.to_string())?;
    println!("--- model performance ({} train / {} held-out claims) ---", report.n_train, report.n_test);
    println!("accuracy: {:.3}", report.accuracy);
    if let Some(auc) = report.roc_auc {
        println!("ROC AUC:  {auc:.3}");
    }
    println!("\n--- what the forest relies on (mean impurity decrease) ---");
    for item in &report.feature_importances {
        println!("{:<16} {:.3}", item.feature, item.importance);
    }
    let probability = model.score(&bad_claim()?).map_err(|e| e.to_string())?.first().copied().unwrap_or(f64::NAN);
    let verdict = if probability >= 0.5 { "DENIED" } else { "APPROVED" };
    println!("\n--- one bad claim: age 65, Surgeon, Knee Surgery, no pre-auth, diagnosis matches ---");
    println!("{verdict} (probability of denial {:.1}%)", probability * 100.0);
    Ok(())
}

/// The notebook's test case, as a one-claim table in the scenario's own columns.
fn bad_claim() -> Result<ClaimsTable, String> {
    let text = |value: &str| {
        let mut column = CategoricalBuilder::default();
        column.push(Some(value));
        column.finish()
    };
    let number = |value: f64| ColumnData::Numeric { values: vec![value] };
    let mut claim = ClaimsTable::new();
    for (name, data) in [
        (denial::AGE, number(65.0)),
        (denial::PROVIDER_TYPE, text("Surgeon")),
        (denial::SERVICE, text("Knee Surgery")),
        (denial::HAS_PRE_AUTH, number(0.0)),
        (denial::DIAGNOSIS_MATCH, number(1.0)),
    ] {
        claim.push_column(name, data).map_err(|e| e.to_string())?;
    }
    Ok(claim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_valid_commands() {
        assert_eq!(
            parse(&args("generate --rows 1,000 --out c.csv")),
            Ok(Command::Generate { n_rows: 1000, seed: 42, out: "c.csv".into() })
        );
        assert_eq!(parse(&args("demo --seed 3")), Ok(Command::Demo { n_rows: 1000, seed: 3 }));
        assert_eq!(parse(&[]), Ok(Command::Help));
    }

    #[test]
    fn rejects_bad_input_with_a_sentence() {
        assert_eq!(parse(&args("generate --rows x --out a")), Err("--rows: 'x' is not a whole number".into()));
        assert_eq!(parse(&args("generate --rows 5")), Err("--out is required".into()));
        assert_eq!(parse(&args("demo --color red")), Err("'demo' has no option --color".into()));
        assert_eq!(parse(&args("fly")), Err("unknown command 'fly' (see `claimforest help`)".into()));
        assert_eq!(parse(&args("demo --rows")), Err("--rows needs a value".into()));
    }
}
