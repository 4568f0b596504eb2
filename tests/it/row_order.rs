//! Any row order of the same file gives the same model: a generated file and the same file
//! with its rows shuffled train byte-identical model files, for both forests and both claim
//! kinds, through the whole command (derived features, text levels, the train/test split,
//! the bootstrap and the isolation forest's samples), and score every claim the same.

use std::collections::HashMap;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;

use crate::run_cli::{claimforest, ok_stderr as ok, scratch_dir};

/// The file's data rows in a seeded shuffle, under the same header.
fn write_shuffled(from: &Path, to: &Path, seed: u64) {
    let text = std::fs::read_to_string(from).expect("generated file");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let mut rows: Vec<&str> = lines.collect();
    rows.shuffle(&mut SplitMix64::seed_from_u64(seed));
    std::fs::write(to, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
}

/// claim_id → every added column of a scored CSV (generated claims hold no quoted commas).
fn scored_by_claim(path: &Path) -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).expect("output exists");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let first_added = header.iter().position(|h| *h == "score").expect("a score column");
    let id = header.iter().position(|h| *h == "claim_id").expect("a claim id");
    lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .map(|fields| (fields[id].to_owned(), fields[first_added..].iter().map(|f| (*f).to_owned()).collect()))
        .collect()
}

fn same_model_in_any_row_order(scenario: &str) {
    let dir = scratch_dir("row-order", scenario);
    ok(claimforest(&["generate", "--scenario", scenario, "--rows", "3000", "--seed", "8", "--out", "file.csv"], &dir));
    write_shuffled(&dir.join("file.csv"), &dir.join("shuffled.csv"), 0x5eed);
    assert_ne!(std::fs::read(dir.join("file.csv")).unwrap(), std::fs::read(dir.join("shuffled.csv")).unwrap());
    for algorithm in ["forest", "isolation"] {
        for input in ["file", "shuffled"] {
            let train = ["train", "--input", &format!("{input}.csv"), "--algorithm", algorithm, "--trees", "25"];
            let out = format!("{input}-{algorithm}.json");
            ok(claimforest(&train.iter().copied().chain(["--out", out.as_str()]).collect::<Vec<_>>(), &dir));
            let score = ["score", "--model", &out, "--input", &format!("{input}.csv"), "--precision", "full"];
            let scored = format!("{input}-{algorithm}.csv");
            ok(claimforest(&score.iter().copied().chain(["--out", scored.as_str()]).collect::<Vec<_>>(), &dir));
        }
        let model = |input: &str| std::fs::read(dir.join(format!("{input}-{algorithm}.json"))).unwrap();
        assert!(model("file") == model("shuffled"), "{scenario} {algorithm}: the shuffled file grew another model");
        let scored = |input: &str| scored_by_claim(&dir.join(format!("{input}-{algorithm}.csv")));
        let (file, shuffled) = (scored("file"), scored("shuffled"));
        assert_eq!(file.len(), 3000);
        assert!(file == shuffled, "{scenario} {algorithm}: a claim scored differently in the shuffled file");
    }
}

#[test]
fn a_shuffled_medical_file_trains_the_same_models() {
    same_model_in_any_row_order("medical");
}

#[test]
fn a_shuffled_pharmacy_file_trains_the_same_models() {
    same_model_in_any_row_order("pharmacy");
}
