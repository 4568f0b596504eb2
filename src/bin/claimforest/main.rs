//! The native `claimforest` command line: batch work over the same core as the browser app.
//!
//! `generate` writes seeded synthetic claims; `inspect` prints how a file's columns map to
//! the canonical schema; `train`, `score`, `explain`, `encode`, `export`
//! and `evaluate` work on files with the same engine the browser runs; `demo` runs the
//! denial teaching flow (generate, train, evaluate, score one bad claim) in the terminal.

/// Prints a line to standard output. A closed pipe (`claimforest help | head`) ends the
/// output quietly, where `println!` would panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod args;
mod commands;

use std::ops::ControlFlow;
use std::process::ExitCode;

use claimforest::claims::schema::denial;
use claimforest::claims::synth::generate_denial;
use claimforest::claims::table::CategoricalBuilder;
use claimforest::claims::{ClaimsTable, ColumnData};
use claimforest::pipeline::{train_model, TrainRequest};

use args::{parse, Command, Invocation, USAGE};

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

fn run(invocation: Invocation) -> Result<(), String> {
    let reading = invocation.input.reading(commands::machine_memory());
    let reading = &reading;
    match invocation.command {
        Command::Help => out!("{USAGE}"),
        Command::HelpFor(command) => out!("{}", args::usage_of(&command).unwrap_or_else(|| USAGE.to_owned())),
        Command::Version => out!("claimforest {}", env!("CARGO_PKG_VERSION")),
        Command::Generate { scenario, n_rows, seed, fraud_rate, out } => {
            commands::generate(&scenario, n_rows, seed, fraud_rate, &out)?
        }
        Command::Inspect { input, profile, json } => commands::inspect(&input, &profile, json, &reading.ingest)?,
        Command::Train(train) => commands::train(&train, reading)?,
        Command::Score { model, input, out, rules, summaries, full_precision, history } => {
            let outputs =
                commands::ScoreOutputs { rules: rules.as_deref(), summaries: summaries.as_deref(), full_precision };
            commands::score(&model, &input, history.as_deref(), &out, &outputs, reading)?
        }
        Command::Explain { model, input, out, history } => {
            commands::explain(&model, &input, history.as_deref(), &out, reading)?
        }
        Command::Encode { model, input, out, history } => {
            commands::encode(&model, &input, history.as_deref(), &out, reading)?
        }
        Command::Export { model, out } => commands::export(&model, &out)?,
        Command::Evaluate { input, label, positive, score, threshold, out } => {
            commands::evaluate(&input, &label, positive.as_deref(), &score, threshold, &out, reading)?
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
    out!("--- model performance ({} train / {} held-out claims) ---", report.n_train, report.n_test);
    out!("accuracy: {:.3}", report.accuracy);
    if let Some(auc) = report.roc_auc {
        out!("ROC AUC:  {auc:.3}");
    }
    out!("\n--- what the forest relies on (mean impurity decrease) ---");
    for item in &report.feature_importances {
        out!("{:<16} {:.3}", item.feature, item.importance);
    }
    let probability = model.score(&bad_claim()?).map_err(|e| e.to_string())?.first().copied().unwrap_or(f64::NAN);
    let verdict = if probability >= 0.5 { "DENIED" } else { "APPROVED" };
    out!("\n--- one bad claim: age 65, Surgeon, Knee Surgery, no pre-auth, diagnosis matches ---");
    out!("{verdict} (probability of denial {:.1}%)", probability * 100.0);
    Ok(())
}

/// The notebook's test case, as a one-claim table in the scenario's own columns.
fn bad_claim() -> Result<ClaimsTable, String> {
    let text = |value: &str| {
        let mut column = CategoricalBuilder::default();
        column.push(Some(value));
        column.finish()
    };
    let number = |value: f64| ColumnData::Numeric { values: vec![value].into() };
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
