//! The hostile corpus (tests/hostile/): every file loads as many rows as EXPECTED.tsv says,
//! or fails with a message that names the file and says why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use claimforest::claims::ingest::{read_bytes, IngestOptions};

/// What one corpus file should do.
struct Expectation {
    file: String,
    outcome: Outcome,
}

enum Outcome {
    /// Loads this many rows.
    Load(usize),
    /// Fails with a message containing this text.
    Error(String),
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("hostile")
}

/// EXPECTED.tsv: `file<TAB>outcome<TAB>detail` per line; `#` starts a comment line.
fn expectations() -> Vec<Expectation> {
    let text = std::fs::read_to_string(corpus_dir().join("EXPECTED.tsv")).expect("EXPECTED.tsv is readable");
    let mut expectations = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        let [file, outcome, detail] = parts[..] else {
            panic!("EXPECTED.tsv line {}: want file<TAB>outcome<TAB>detail, got {line:?}", idx + 1);
        };
        let outcome = match outcome {
            "load" => Outcome::Load(detail.parse().unwrap_or_else(|_| panic!("line {}: rows {detail:?}", idx + 1))),
            "error" => Outcome::Error(detail.to_owned()),
            other => panic!("EXPECTED.tsv line {}: unknown outcome {other:?}", idx + 1),
        };
        expectations.push(Expectation { file: file.to_owned(), outcome });
    }
    expectations
}

fn corpus_files() -> BTreeSet<String> {
    std::fs::read_dir(corpus_dir())
        .expect("tests/hostile exists")
        .map(|entry| entry.expect("a readable entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECTED.tsv")
        .collect()
}

#[test]
fn every_corpus_file_has_one_expectation_and_the_corpus_is_large() {
    let files = corpus_files();
    let listed: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(listed.len(), listed_set.len(), "a file is listed twice in EXPECTED.tsv");
    assert!(files.len() >= 40, "the corpus has only {} files", files.len());
    let unlisted: Vec<&String> = files.difference(&listed_set).collect();
    let missing: Vec<&String> = listed_set.difference(&files).collect();
    assert!(unlisted.is_empty(), "files without a line in EXPECTED.tsv: {unlisted:?}");
    assert!(missing.is_empty(), "lines in EXPECTED.tsv without a file: {missing:?}");
}

#[test]
fn every_corpus_file_loads_or_fails_as_expected() {
    let mut failures = Vec::new();
    for expectation in expectations() {
        let name = &expectation.file;
        let bytes = std::fs::read(corpus_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let result = read_bytes(&bytes, name, &IngestOptions::default());
        match (&expectation.outcome, result) {
            (Outcome::Load(rows), Ok(ingested)) => {
                if ingested.table.n_rows() != *rows {
                    failures.push(format!("{name}: loaded {} rows, expected {rows}", ingested.table.n_rows()));
                }
            }
            (Outcome::Load(rows), Err(error)) => {
                failures.push(format!("{name}: expected {rows} rows, failed: {error}"));
            }
            (Outcome::Error(detail), Ok(ingested)) => {
                failures.push(format!(
                    "{name}: expected an error with {detail:?}, loaded {} rows",
                    ingested.table.n_rows()
                ));
            }
            (Outcome::Error(detail), Err(error)) => {
                let message = error.to_string();
                if !message.starts_with(name.as_str()) {
                    failures.push(format!("{name}: the message does not start with the file name: {message}"));
                }
                if !message.contains(detail.as_str()) {
                    failures.push(format!("{name}: expected {detail:?} in: {message}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} corpus files misbehaved:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_16_mb_header_of_commas_is_refused_without_holding_its_fields() {
    // 16 million empty header fields: kept as field ends and slices they would take about
    // 400 MB; only the first 4,097 are kept, so the peak is the record's own bytes.
    let bytes = std::fs::read(corpus_dir().join("commas_header_16mb.csv.gz")).expect("corpus file");
    let (result, peak) =
        crate::memory::peak_heap_of(|| read_bytes(&bytes, "commas.csv.gz", &IngestOptions::default()).map(|_| ()));
    let message = result.expect_err("refused").to_string();
    assert!(message.contains("more than 4096 columns"), "{message}");
    assert!(peak < 48 << 20, "peak heap {peak} B");
}
