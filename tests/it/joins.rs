//! Files that belong together, in the public healthcare-provider-fraud layout: outpatient
//! claims, a provider list holding the `PotentialFraud` label, and a beneficiary file,
//! joined with `--join`, the label taken from the joined file.

use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use crate::run_cli::{claimforest, ok_stderr as ok, scratch_dir};

/// Writes the three files: 40 providers (every fifth one fraudulent, billing more and more
/// often), 300 beneficiaries, 3,000 claims, 25 of them by a provider missing from the list.
fn write_files(dir: &Path) {
    write_sized_files(dir, 40, 3000, false);
}

/// [`write_files`] with `n_providers` and `n_claims`; `noisy` fraudulent providers inflate
/// only some of their claims, so their amounts overlap honest ones.
fn write_sized_files(dir: &Path, n_providers: u64, n_claims: u64, noisy: bool) {
    let mut rng = SplitMix64::seed_from_u64(7);
    let mut next = move |n: u64| rng.random_range(0..n);
    let mut providers = String::from("Provider,PotentialFraud\n");
    for p in 0..n_providers {
        providers.push_str(&format!("PRV{:05},{}\n", 51000 + p, if p % 5 == 0 { "Yes" } else { "No" }));
    }
    std::fs::write(dir.join("Train.csv"), &providers).unwrap();
    let mut beneficiaries = String::from("BeneID,DOB,Gender,ChronicCond_Diabetes\n");
    for b in 0..300 {
        let year = 1930 + next(60);
        beneficiaries.push_str(&format!(
            "BENE{:05},{year}-0{}-1{},{},{}\n",
            11000 + b,
            1 + next(9),
            next(9),
            1 + next(2),
            1 + next(2)
        ));
    }
    std::fs::write(dir.join("Train_Beneficiarydata.csv"), beneficiaries).unwrap();
    let mut claims = String::from("BeneID,ClaimID,ClaimStartDt,Provider,InscClaimAmtReimbursed,ClmDiagnosisCode_1\n");
    for c in 0..n_claims {
        let provider = if c < 25 { 99999 } else { 51000 + next(n_providers) };
        let fraud = provider != 99999 && (provider - 51000) % 5 == 0;
        let amount = match (fraud, noisy) {
            (true, false) => 400 + next(3000),
            (true, true) if next(3) == 0 => 300 + next(2000),
            _ => 50 + next(900),
        };
        let day = 1 + next(28);
        claims.push_str(&format!(
            "BENE{:05},CLM{c:06},2009-03-{day:02},PRV{provider:05},{amount},{}\n",
            11000 + next(300),
            ["4019", "25000", "2724", "V5869"][next(4) as usize]
        ));
    }
    std::fs::write(dir.join("Train_Outpatientdata.csv"), claims).unwrap();
}

#[test]
fn a_provider_label_and_a_beneficiary_file_join_onto_the_claims() {
    let dir = scratch_dir("joins", "kaggle");
    write_files(&dir);
    let joins = ["--join", "Train.csv", "--join", "Train_Beneficiarydata.csv"];
    let train = ["train", "--input", "Train_Outpatientdata.csv", "--label", "PotentialFraud", "--trees", "20"];
    let args: Vec<&str> = train.iter().chain(&joins).chain(&["--out", "m.json"]).copied().collect();
    let said = ok(claimforest(&args, &dir));
    assert!(
        said.contains(
            "Train.csv: joined by 'Provider', 1 columns added (PotentialFraud); 2975 claims matched, 25 did not \
             (1 key values not in the file)"
        ),
        "{said}"
    );
    assert!(said.contains("Train_Beneficiarydata.csv: joined by 'BeneID', 3 columns added"), "{said}");
    let auc: f64 = said
        .split("ROC AUC ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|auc| auc.parse().ok())
        .expect("train reports a held-out ROC AUC");
    assert!(auc > 0.75, "the joined label is learnable from the claims: AUC {auc}");

    let score = ["score", "--model", "m.json", "--input", "Train_Outpatientdata.csv", "--out", "scored.csv"];
    let args: Vec<&str> = score.iter().chain(&joins).copied().collect();
    ok(claimforest(&args, &dir));
    let scored = std::fs::read_to_string(dir.join("scored.csv")).unwrap();
    let header = scored.lines().next().unwrap();
    assert!(
        header.starts_with(
            "BeneID,ClaimID,ClaimStartDt,Provider,InscClaimAmtReimbursed,ClmDiagnosisCode_1,PotentialFraud,DOB,Gender,"
        ),
        "{header}"
    );
}

#[test]
fn a_provider_listed_twice_is_refused_by_name() {
    let dir = scratch_dir("joins", "duplicate");
    write_files(&dir);
    let mut providers = std::fs::read_to_string(dir.join("Train.csv")).unwrap();
    providers.push_str("PRV51003,Yes\n");
    std::fs::write(dir.join("Train.csv"), providers).unwrap();
    let output = claimforest(
        &["train", "--input", "Train_Outpatientdata.csv", "--join", "Train.csv", "--label", "PotentialFraud"]
            .iter()
            .chain(&["--out", "m.json"])
            .copied()
            .collect::<Vec<_>>(),
        &dir,
    );
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("Train.csv: the key 'Provider' repeats the value 'PRV51003' (rows 4 and 41)"), "{said}");
    assert!(!dir.join("m.json").exists(), "no model is written from a refused join");
}

#[test]
fn a_provider_label_trains_a_model_of_providers_ranked_with_a_backtest() {
    let dir = scratch_dir("joins", "entities");
    write_sized_files(&dir, 400, 12_000, true);
    let train = ["train", "--input", "Train_Outpatientdata.csv", "--join", "Train.csv", "--label", "PotentialFraud"];
    let rest = ["--entity", "Provider", "--trees", "40", "--out", "providers.json"];
    let said = ok(claimforest(&train.iter().chain(&rest).copied().collect::<Vec<_>>(), &dir));
    assert!(said.contains("entities: 12000 claims grouped by 'Provider' into 401 rows of aggregates"), "{said}");
    assert!(said.contains("1 of 401 entities have no PotentialFraud"), "{said}");
    assert!(said.contains("random forest: 40 trees on 320 entities, 80 held out"), "{said}");
    let lift: f64 = said
        .split("by score holds ")
        .nth(1)
        .and_then(|rest| rest.split(", ").nth(1))
        .and_then(|rest| rest.split('x').next())
        .and_then(|lift| lift.parse().ok())
        .unwrap_or_else(|| panic!("a backtest line: {said}"));
    assert!(lift >= 3.0, "the top decile of held-out providers holds >= 3x the base rate: {lift}");
    assert!(!said.contains("mean_PotentialFraud") && said.contains("mean_InscClaimAmtReimbursed"), "{said}");

    let score = ["score", "--model", "providers.json", "--input", "Train_Outpatientdata.csv", "--out", "ranked.csv"];
    let said = ok(claimforest(&score, &dir));
    assert!(said.contains("scored 401 entities grouped by 'Provider' from 12000 claims"), "{said}");
    let ranked = std::fs::read_to_string(dir.join("ranked.csv")).unwrap();
    let mut lines = ranked.lines();
    assert_eq!(lines.next(), Some("Provider,n_claims,rank,score,prediction"));
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), 401);
    assert_eq!(rows.iter().map(|r| r[1].parse::<usize>().unwrap()).sum::<usize>(), 12_000);
    let fraudulent = |provider: &str| provider[3..].parse::<u64>().is_ok_and(|id| id != 99999 && (id - 51000) % 5 == 0);
    let top_fraud = rows[..40].iter().filter(|r| fraudulent(r[0])).count();
    assert!(top_fraud >= 30, "{top_fraud} of the 40 top-ranked providers are fraudulent");

    let explain = ["explain", "--model", "providers.json", "--input", "Train_Outpatientdata.csv", "--out", "why.csv"];
    ok(claimforest(&explain, &dir));
    let why = std::fs::read_to_string(dir.join("why.csv")).unwrap();
    assert!(why.starts_with("Provider,base_value,"), "{}", why.lines().next().unwrap_or_default());
    assert_eq!(why.lines().count(), 402);
}
