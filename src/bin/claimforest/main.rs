//! The native `claimforest` command line: batch work over the same core as the browser app.
//!
//! `generate` writes seeded synthetic claims; `inspect` prints how a file's columns map to
//! the canonical schema; `train`, `score`, `explain`, `encode`, `export`
//! and `evaluate` work on files with the same engine the browser runs; `demo` runs the
//! denial teaching flow (generate, train, evaluate, score one bad claim) in the terminal.
//! `args.rs` is the grammar (clap), `commands.rs` what each command does. The CLI is native
//! only: on wasm32 (which CI's clippy checks every binary for) `main` is an empty stub.

/// Prints a line to standard output. A closed pipe (`claimforest evaluate ... | head`) ends
/// the output quietly, where `println!` would panic.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod commands;

#[cfg(target_arch = "wasm32")]
fn main() {}

/// Usage mistakes, help and the version are clap's to print (exit 2, 0 and 0); a command
/// that fails prints one line and exits 1.
#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let cli = args::parse(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match run(cli.command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("claimforest: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run(command: Option<args::Command>) -> Result<(), String> {
    use args::{Command, ExportFormat, Precision};
    let memory = commands::machine_memory;
    match command {
        None => {
            // Like `claimforest help`; a closed pipe is no error.
            let _ = <args::Cli as clap::CommandFactory>::command().print_long_help();
        }
        Some(Command::Version) => out!("claimforest {}", env!("CARGO_PKG_VERSION")),
        Some(Command::Generate { scenario, n_rows, seed, fraud_rate, out }) => {
            commands::generate(&scenario, n_rows, seed, fraud_rate, &out)?
        }
        Some(Command::Inspect { input, profile, json, input_flags }) => {
            commands::inspect(&input, &profile, json, &input_flags.ingest_options(memory()))?
        }
        Some(Command::Train(train)) => commands::train(&train, &train.claims.reading(memory()))?,
        Some(Command::Score { run, rules, summaries, precision, claims }) => {
            let outputs = commands::ScoreOutputs {
                rules: rules.as_deref(),
                summaries: summaries.as_deref(),
                full_precision: precision == Precision::Full,
            };
            let reading = claims.reading(memory());
            commands::score(&run.model, &run.input, run.history.as_deref(), &run.out, &outputs, &reading)?
        }
        Some(Command::Explain { run, claims }) => {
            let reading = claims.reading(memory());
            commands::explain(&run.model, &run.input, run.history.as_deref(), &run.out, &reading)?
        }
        Some(Command::Encode { run, claims }) => {
            let reading = claims.reading(memory());
            commands::encode(&run.model, &run.input, run.history.as_deref(), &run.out, &reading)?
        }
        Some(Command::Export { model, format: ExportFormat::Shap, out }) => commands::export(&model, &out)?,
        Some(Command::Evaluate { input, label, positive, score_column, threshold, out, input_flags }) => {
            let reading = input_flags.reading(memory());
            commands::evaluate(&input, &label, positive.as_deref(), &score_column, threshold, &out, &reading)?
        }
        Some(Command::Demo { n_rows, seed }) => commands::demo(n_rows, seed)?,
    }
    Ok(())
}
