//! New claims scored against the population the model learned: `score --history` computes
//! a batch's derived features (provider volumes, peer means, member gaps) over the history
//! with the batch in place, so a claim scores the same alone as inside its training file.

use std::collections::HashMap;
use std::path::Path;

use crate::run_cli::{claimforest, ok_stderr as ok, scratch_dir};

/// claim_id → score of a scored CSV (generated claims hold no quoted commas).
fn scores_by_claim(path: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(path).expect("output exists");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let score = header.iter().position(|h| *h == "score").expect("a score column");
    lines.map(|line| line.split(',').collect::<Vec<_>>()).map(|f| (f[0].to_owned(), f[score].to_owned())).collect()
}

#[test]
fn a_batch_scores_alone_as_it_did_inside_the_training_file_given_the_history() {
    let dir = scratch_dir("population", "batch");
    ok(claimforest(&["generate", "--scenario", "medical", "--rows", "4000", "--seed", "5", "--out", "full.csv"], &dir));
    ok(claimforest(
        &["train", "--input", "full.csv", "--label", "is_anomaly", "--trees", "20", "--out", "m.json"],
        &dir,
    ));
    let full = ["score", "--model", "m.json", "--input", "full.csv", "--precision", "full", "--out", "full_scored.csv"];
    ok(claimforest(&full, &dir));
    let inside = scores_by_claim(&dir.join("full_scored.csv"));

    // A batch cut from the middle of the file, in reverse order.
    let text = std::fs::read_to_string(dir.join("full.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut rows: Vec<&str> = lines.skip(1500).take(800).collect();
    rows.reverse();
    std::fs::write(dir.join("batch.csv"), format!("{header}\n{}\n", rows.join("\n"))).unwrap();

    let alone = ["score", "--model", "m.json", "--input", "batch.csv", "--precision", "full", "--out", "alone.csv"];
    let said = ok(claimforest(&alone, &dir));
    assert!(said.contains("by its claims among the 800 in batch.csv alone") && said.contains("--history"), "{said}");
    let alone = scores_by_claim(&dir.join("alone.csv"));
    let changed = alone.iter().filter(|(id, score)| inside[*id] != **score).count();
    assert!(changed > 100, "without a history the batch is its own population ({changed} of 800 changed)");

    let said = ok(claimforest(
        &["score", "--model", "m.json", "--input", "batch.csv", "--history", "full.csv", "--precision", "full"]
            .iter()
            .chain(&["--out", "with_history.csv"])
            .copied()
            .collect::<Vec<_>>(),
        &dir,
    ));
    assert!(said.contains("with 800 of batch.csv's 800 in their place and 0 new"), "{said}");
    let with_history = scores_by_claim(&dir.join("with_history.csv"));
    assert_eq!(with_history.len(), 800);
    for (id, score) in &with_history {
        assert_eq!(score, &inside[id], "claim {id} scores as it did inside the training file");
    }

    // Explanations read the same features: SHAP rows add up to the same scores.
    ok(claimforest(
        &["explain", "--model", "m.json", "--input", "batch.csv", "--history", "full.csv", "--out", "shap.csv"],
        &dir,
    ));
    let shap = std::fs::read_to_string(dir.join("shap.csv")).unwrap();
    let first: Vec<f64> = shap.lines().nth(1).unwrap().split(',').skip(1).map(|v| v.parse().unwrap()).collect();
    let claim = rows[0].split(',').next().unwrap();
    let expected: f64 = inside[claim].parse().unwrap();
    assert!((first.iter().sum::<f64>() - expected).abs() < 1e-9, "{} vs {expected}", first.iter().sum::<f64>());
}

#[test]
fn a_history_that_does_not_fit_is_refused_with_the_column_named() {
    let dir = scratch_dir("population", "misfit");
    ok(claimforest(&["generate", "--scenario", "denial", "--rows", "500", "--seed", "2", "--out", "claims.csv"], &dir));
    ok(claimforest(
        &["train", "--input", "claims.csv", "--label", "is_denied", "--trees", "5", "--out", "m.json"],
        &dir,
    ));
    std::fs::write(dir.join("history.csv"), "claim_id,age\n1,old\n2,young\n").unwrap();
    let output = claimforest(
        &["score", "--model", "m.json", "--input", "claims.csv", "--history", "history.csv", "--out", "s.csv"],
        &dir,
    );
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("column 'age' holds numbers in the new claims but text in the history"), "{said}");
}

/// Claim-level peer features only (procedure and diagnosis means, quantiles, age and sex
/// against the procedure): no member or provider aggregate.
const PEER_MODEL_FEATURES: &str = "procedure_code,allowed_amount,units,member_age,allowed_vs_procedure_mean,\
allowed_vs_procedure_p99,units_vs_procedure_mean,allowed_vs_diagnosis_mean,procedure_age_zscore,procedure_sex_share";

#[test]
fn a_batch_scores_alone_as_inside_the_training_file_from_the_peers_the_model_carries() {
    let dir = scratch_dir("population", "peers");
    ok(claimforest(&["generate", "--scenario", "medical", "--rows", "4000", "--seed", "6", "--out", "full.csv"], &dir));
    for algorithm in ["forest", "isolation"] {
        let model = format!("{algorithm}.json");
        let train = ["train", "--input", "full.csv", "--label", "is_anomaly", "--algorithm", algorithm];
        let rest = ["--features", PEER_MODEL_FEATURES, "--trees", "20", "--out", model.as_str()];
        ok(claimforest(&train.iter().chain(&rest).copied().collect::<Vec<_>>(), &dir));
        let file = std::fs::read_to_string(dir.join(&model)).unwrap();
        assert!(file.contains("\"peers\"") && file.contains("allowed_amount mean by procedure_code"));
        assert!(!file.contains("MBR"), "no member id is carried in the model file");

        let score = |input: &str, out: &str| {
            let args = ["score", "--model", model.as_str(), "--input", input, "--precision", "full", "--out", out];
            let said = ok(claimforest(&args, &dir));
            assert!(said.contains("compared with the training claims' peers"), "{said}");
            assert!(said.contains("no feature depends on other claims in the file"), "{said}");
            scores_by_claim(&dir.join(out))
        };
        let inside = score("full.csv", "inside.csv");
        // 150 claims from the middle of the file, in reverse order, scored with no history.
        let text = std::fs::read_to_string(dir.join("full.csv")).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let mut rows: Vec<&str> = lines.skip(2000).take(150).collect();
        rows.reverse();
        std::fs::write(dir.join("batch.csv"), format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        let alone = score("batch.csv", "alone.csv");
        assert_eq!(alone.len(), 150);
        for (id, score) in &alone {
            assert_eq!(score, &inside[id], "{algorithm}: claim {id} scores alone as inside the training file");
        }
    }
}
