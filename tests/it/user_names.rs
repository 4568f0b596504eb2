//! The user's own column names are the names: the seed notebook's denial layout
//! (`service_code`, `has_pre_auth`, `diagnosis_match`, `is_denied`) goes through `train`,
//! `score --rules denial` and `explain` by those names, the header comes back byte for
//! byte, and a model trained on one vendor's headers scores another vendor's layout.

use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use crate::run_cli::{claimforest, ok_stderr as ok, scratch_dir};

/// The notebook's claims, written as pandas would (`claim_id` from 0, 0/1 flags), from a
/// generator of this test's own (`rand_xoshiro`'s SplitMix64, not ClaimForest's streams), with
/// the notebook's three rules.
fn notebook_csv(header: &str, n_rows: u64) -> String {
    let mut rng = SplitMix64::seed_from_u64(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: u64| rng.random_range(0..n);
    let mut text = format!("{header}\n");
    for claim_id in 0..n_rows {
        let age = 18 + next(72);
        let provider = ["General", "Surgeon", "Cardiologist"][next(3) as usize];
        let service = ["Office Visit", "Knee Surgery", "Heart Surgery"][next(3) as usize];
        let has_pre_auth = u64::from(next(10) >= 3);
        let diagnosis_match = u64::from(next(10) >= 2);
        let noise = next(100) < 5;
        let denied = (service.contains("Surgery") && has_pre_auth == 0) || diagnosis_match == 0 || noise;
        text.push_str(&format!(
            "{claim_id},{age},{provider},{service},{has_pre_auth},{diagnosis_match},{}\n",
            u8::from(denied)
        ));
    }
    text
}

const NOTEBOOK_HEADER: &str = "claim_id,age,provider_type,service_code,has_pre_auth,diagnosis_match,is_denied";

fn column<'a>(header: &[&str], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let idx = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|row| row[idx].as_str()).collect()
}

fn read_csv(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("output exists");
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_owned();
    (header, lines.map(|line| line.split(',').map(str::to_owned).collect()).collect())
}

#[test]
fn the_notebooks_own_names_work_through_train_score_rules_and_explain() {
    let dir = scratch_dir("names", "notebook");
    std::fs::write(dir.join("claims.csv"), notebook_csv(NOTEBOOK_HEADER, 1000)).unwrap();
    let features = "age,provider_type,service_code,has_pre_auth,diagnosis_match";
    ok(claimforest(
        &["train", "--input", "claims.csv", "--label", "is_denied", "--features", features, "--trees", "30"]
            .iter()
            .chain(&["--seed", "1", "--out", "m.json"])
            .copied()
            .collect::<Vec<_>>(),
        &dir,
    ));
    let model = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(model.contains("\"service_code\""), "the model names the feature as the file does");

    ok(claimforest(
        &["score", "--model", "m.json", "--input", "claims.csv", "--rules", "denial", "--out", "scored.csv"],
        &dir,
    ));
    let (header, rows) = read_csv(&dir.join("scored.csv"));
    assert!(header.starts_with(&format!("{NOTEBOOK_HEADER},row,score,prediction,")), "{header}");
    let fields: Vec<&str> = header.split(',').collect();
    // The built-in denial pack reads service_code by the notebook's name.
    let hits = column(&fields, &rows, "rule_hits");
    let services = column(&fields, &rows, "service_code");
    let pre_auth = column(&fields, &rows, "has_pre_auth");
    let mut surgeries_without_pre_auth = 0;
    for ((hit, service), pre_auth) in hits.iter().zip(&services).zip(&pre_auth) {
        let expected = service.contains("Surgery") && *pre_auth == "0";
        assert_eq!(hit.contains("surgery_without_pre_auth"), expected, "{service} pre-auth {pre_auth}: {hit}");
        surgeries_without_pre_auth += usize::from(expected);
    }
    assert!(surgeries_without_pre_auth > 100, "{surgeries_without_pre_auth}");
    // The forest learned the notebook's rules from its names.
    let scores: Vec<f64> = column(&fields, &rows, "score").iter().map(|s| s.parse().unwrap()).collect();
    let denied = column(&fields, &rows, "is_denied");
    let agree = scores.iter().zip(&denied).filter(|(s, d)| (**s >= 0.5) == (**d == "1")).count();
    assert!(agree > 900, "{agree} of 1000 agree with the label");

    ok(claimforest(&["explain", "--model", "m.json", "--input", "claims.csv", "--out", "shap.csv"], &dir));
    let (shap_header, _) = read_csv(&dir.join("shap.csv"));
    assert_eq!(shap_header, format!("row,base_value,{features}"));
}

#[test]
fn a_model_trained_on_one_vendors_headers_scores_another_vendors_layout() {
    let dir = scratch_dir("names", "vendors");
    let claims = notebook_csv(NOTEBOOK_HEADER, 600);
    std::fs::write(dir.join("a.csv"), &claims).unwrap();
    // Vendor B spells the procedure column its own way; the rows are the same.
    let vendor_b_header = "claim_id,age,provider_type,PROC_CD,has_pre_auth,diagnosis_match,is_denied";
    let vendor_b = claims.replacen(NOTEBOOK_HEADER, vendor_b_header, 1);
    std::fs::write(dir.join("b.csv"), vendor_b).unwrap();
    let features = "age,provider_type,service_code,has_pre_auth,diagnosis_match";
    ok(claimforest(
        &[
            "train",
            "--input",
            "a.csv",
            "--label",
            "is_denied",
            "--features",
            features,
            "--trees",
            "20",
            "--out",
            "m.json",
        ],
        &dir,
    ));
    ok(claimforest(&["score", "--model", "m.json", "--input", "a.csv", "--out", "a_scored.csv"], &dir));
    let said = ok(claimforest(&["score", "--model", "m.json", "--input", "b.csv", "--out", "b_scored.csv"], &dir));
    assert!(said.contains("model input 'service_code' read from the column 'PROC_CD'"), "{said}");
    let (a_header, a_rows) = read_csv(&dir.join("a_scored.csv"));
    let (b_header, b_rows) = read_csv(&dir.join("b_scored.csv"));
    assert!(b_header.starts_with(vendor_b_header), "B's own header comes back: {b_header}");
    let a_fields: Vec<&str> = a_header.split(',').collect();
    let b_fields: Vec<&str> = b_header.split(',').collect();
    assert_eq!(column(&a_fields, &a_rows, "score"), column(&b_fields, &b_rows, "score"));
}

/// Every cell comes back as written: US and compact dates, currency, parentheses, percent,
/// trailing and leading zeros, missing tokens, padded text and unreadable cells. (The one
/// exception is the formula guard: a cell such as `-` or `=1+1` gets a leading `'`.)
#[test]
fn every_cell_comes_back_as_the_file_wrote_it() {
    let dir = scratch_dir("names", "cells");
    let header = "ClaimNo,Svc Date,Paid Amt,units,provider_type,note,is_denied";
    let mut csv = format!("{header}\n");
    let odd = [
        "C001,03/15/2025,\"$1,234.50\",1.50,Surgeon,?,1",
        "C002,2025-03-16,12,2,General,NA,0",
        "C003,15-Mar-2025,(12.00),007,  Cardiologist ,N/A,1",
        "C004,,0.5,-0,General,not a date,0",
        "C005,20250317,12%,1e3,Surgeon,NULL,0",
        "C006,2025-02-30,abc,.5,General,x,1",
    ];
    for row in 0..60 {
        csv.push_str(odd[row % odd.len()]);
        csv.push('\n');
    }
    std::fs::write(dir.join("claims.csv"), &csv).unwrap();
    ok(claimforest(
        &[
            "train",
            "--input",
            "claims.csv",
            "--label",
            "is_denied",
            "--features",
            "units,provider_type",
            "--trees",
            "5",
        ]
        .iter()
        .chain(&["--out", "m.json"])
        .copied()
        .collect::<Vec<_>>(),
        &dir,
    ));
    ok(claimforest(&["score", "--model", "m.json", "--input", "claims.csv", "--out", "scored.csv"], &dir));
    let scored = std::fs::read_to_string(dir.join("scored.csv")).unwrap();
    let mut lines = scored.lines();
    assert!(lines.next().unwrap().starts_with(&format!("{header},row,")));
    for (line, expected) in lines.zip(csv.lines().skip(1)) {
        // The file's own cells, then the added ones.
        assert!(line.starts_with(&format!("{expected},")), "{line}\nis not\n{expected},...");
    }
}
