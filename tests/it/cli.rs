//! The native CLI end to end: generate, inspect, train, score, explain, encode, export, evaluate.

use std::path::Path;
use std::process::Output;

use crate::run_cli::{claimforest, ok_stdout as ok, scratch_dir};

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("output exists");
    let mut lines = text.lines();
    let header = lines.next().expect("header").split(',').map(str::to_owned).collect();
    (header, lines.map(|line| line.split(',').map(str::to_owned).collect()).collect())
}

#[test]
fn a_forest_trains_scores_and_explains_from_files() {
    let dir = scratch_dir("cli", "forest");
    ok(claimforest(&["generate", "--rows", "1500", "--seed", "9", "--out", "claims.csv"], &dir));
    ok(claimforest(
        &["train", "--input", "claims.csv", "--label", "is_denied", "--trees", "20", "--seed", "3", "--out", "m.json"],
        &dir,
    ));
    let model = std::fs::read_to_string(dir.join("m.json")).unwrap();
    ok(claimforest(
        &["train", "--input", "claims.csv", "--label", "is_denied", "--trees", "20", "--seed", "3", "--out", "m2.json"],
        &dir,
    ));
    assert_eq!(model, std::fs::read_to_string(dir.join("m2.json")).unwrap(), "same seed, same bytes");

    // Full precision, to check additivity to the last bit; the default is 6 significant digits.
    ok(claimforest(
        &["score", "--model", "m.json", "--input", "claims.csv", "--precision", "full", "--out", "scored.csv"],
        &dir,
    ));
    ok(claimforest(&["explain", "--model", "m.json", "--input", "claims.csv", "--out", "shap.csv"], &dir));
    let (scored_header, scored) = csv_rows(&dir.join("scored.csv"));
    let row_col = scored_header.iter().position(|h| h == "row").expect("row column");
    assert_eq!((scored[0][row_col].as_str(), scored[1499][row_col].as_str()), ("1", "1500"));
    let score_col = scored_header.iter().position(|h| h == "score").expect("score column");
    let prediction_col = scored_header.iter().position(|h| h == "prediction").expect("prediction column");
    let (shap_header, shap) = csv_rows(&dir.join("shap.csv"));
    assert_eq!(
        shap_header,
        ["row", "base_value", "age", "provider_type", "service_code", "has_pre_auth", "diagnosis_match"]
    );
    assert_eq!(shap.len(), 1500);
    for (scored_row, shap_row) in scored.iter().zip(&shap) {
        let score: f64 = scored_row[score_col].parse().unwrap();
        assert_eq!(shap_row[0], scored_row[row_col], "explanations carry the source row");
        let total: f64 = shap_row[1..].iter().map(|v| v.parse::<f64>().unwrap()).sum();
        assert!((total - score).abs() < 1e-9, "base + contributions {total} != score {score}");
        assert_eq!(scored_row[prediction_col], if score >= 0.5 { "Denied" } else { "Not denied" });
    }

    ok(claimforest(&["encode", "--model", "m.json", "--input", "claims.csv", "--out", "x.csv"], &dir));
    let (x_header, x) = csv_rows(&dir.join("x.csv"));
    assert_eq!(x_header, shap_header[2..]);
    let services: std::collections::BTreeSet<&str> = x.iter().map(|row| row[2].as_str()).collect();
    assert_eq!(services, ["0", "1", "2"].into(), "text is encoded as codes in the vector view");
    std::fs::write(
        dir.join("new.csv"),
        "age,provider_type,service_code,has_pre_auth,diagnosis_match\n70,Surgeon,Dental Surgery,1,1\n",
    )
    .unwrap();
    ok(claimforest(&["encode", "--model", "m.json", "--input", "new.csv", "--out", "new_x.csv"], &dir));
    let (_, new_x) = csv_rows(&dir.join("new_x.csv"));
    assert_eq!(new_x[0][2], "NaN", "a service unseen in training is missing, not an error");
    ok(claimforest(&["score", "--model", "m.json", "--input", "new.csv", "--out", "new_scored.csv"], &dir));

    ok(claimforest(&["export", "--model", "m.json", "--format", "shap", "--out", "trees.json"], &dir));
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("trees.json")).unwrap()).unwrap();
    assert_eq!(export["trees"].as_array().unwrap().len(), 20);

    let summary =
        ok(claimforest(&["evaluate", "--input", "scored.csv", "--label", "is_denied", "--out", "e.json"], &dir));
    assert!(summary.contains("ROC AUC"), "{summary}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("e.json")).unwrap()).unwrap();
    assert!(report["roc_auc"].as_f64().unwrap() > 0.9);
    assert_eq!(report["n_rows"], 1500);
}

#[test]
fn isolation_trains_without_a_label() {
    let dir = scratch_dir("cli", "isolation");
    ok(claimforest(&["generate", "--rows", "800", "--out", "claims.csv"], &dir));
    ok(claimforest(
        &["train", "--input", "claims.csv", "--algorithm", "isolation", "--trees", "30", "--out", "if.json"],
        &dir,
    ));
    ok(claimforest(&["score", "--model", "if.json", "--input", "claims.csv", "--out", "scored.csv"], &dir));
    let (header, rows) = csv_rows(&dir.join("scored.csv"));
    let score_col = header.iter().position(|h| h == "score").unwrap();
    assert!(rows.iter().all(|row| (0.0..=1.0).contains(&row[score_col].parse::<f64>().unwrap())));
    ok(claimforest(&["explain", "--model", "if.json", "--input", "claims.csv", "--out", "shap.csv"], &dir));
    let (_, shap) = csv_rows(&dir.join("shap.csv"));
    assert_eq!(shap.len(), 800);
}

#[test]
fn bad_input_is_one_line_and_a_failure_never_a_panic() {
    let dir = scratch_dir("cli", "bad");
    std::fs::write(dir.join("ragged.csv"), format!("a,b\n1,2\n{}", "3\n".repeat(30))).unwrap();
    std::fs::write(dir.join("empty.csv"), "").unwrap();
    std::fs::write(dir.join("model.json"), "{\"format\":\"claimforest-model\",\"format_version\":99}").unwrap();
    std::fs::write(dir.join("garbage.bin"), [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    for (args, expected) in [
        (
            vec!["train", "--input", "ragged.csv", "--label", "b", "--out", "m.json"],
            "ragged.csv: 30 of 31 data rows could not be read",
        ),
        (vec!["train", "--input", "empty.csv", "--out", "m.json"], "empty.csv: the file is empty"),
        (vec!["train", "--input", "garbage.bin", "--out", "m.json"], "garbage.bin: this does not look like"),
        (vec!["train", "--input", "nope.csv", "--out", "m.json"], "cannot read 'nope.csv'"),
        (vec!["score", "--model", "model.json", "--input", "ragged.csv", "--out", "s.csv"], "version 99"),
        (vec!["score", "--model", "ragged.csv", "--input", "ragged.csv", "--out", "s.csv"], "not valid JSON"),
    ] {
        let output = claimforest(&args, &dir);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line, got {stderr}");
    }
}

#[test]
fn generated_scenarios_inspect_and_train_on_derived_features() {
    let dir = scratch_dir("cli", "scenarios");
    ok(claimforest(&["generate", "--scenario", "pharmacy", "--rows", "800", "--seed", "4", "--out", "rx.csv"], &dir));
    let report: serde_json::Value =
        serde_json::from_str(&ok(claimforest(&["inspect", "--input", "rx.csv", "--json"], &dir))).unwrap();
    assert_eq!(report["rows_loaded"], 800);
    assert_eq!(report["profile_used"], "generic_csv");
    assert!(report["extra_columns"].as_array().unwrap().is_empty(), "every generated column is canonical");
    let text = ok(claimforest(&["inspect", "--input", "rx.csv"], &dir));
    assert!(text.contains("service_date (canonical): date"), "{text}");

    ok(claimforest(&["generate", "--scenario", "medical", "--rows", "3000", "--seed", "4", "--out", "med.csv"], &dir));
    let output = claimforest(
        &["train", "--input", "med.csv", "--label", "is_anomaly", "--trees", "20", "--seed", "4", "--out", "m.json"],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    ok(output);
    assert!(stderr.contains("derived features:"), "{stderr}");
    let model = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(model.contains("provider_allowed_vs_peer"), "the model reads the aggregates");
    // The raw file scores: the model builds its derived features from the file itself.
    ok(claimforest(&["score", "--model", "m.json", "--input", "med.csv", "--out", "scored.csv"], &dir));
    let (header, rows) = csv_rows(&dir.join("scored.csv"));
    assert!(header.contains(&"score".to_owned()));
    assert_eq!(rows.len(), 3000);

    let output = claimforest(&["generate", "--scenario", "dental", "--rows", "500", "--out", "x.csv"], &dir);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("denial, medical, pharmacy"));
    let output = claimforest(&["inspect", "--input", "rx.csv", "--profile", "acme"], &dir);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("known profiles: auto, generic_csv"));
}

#[test]
fn rules_add_hits_a_hybrid_priority_and_level_summaries() {
    let dir = scratch_dir("cli", "rules");
    ok(claimforest(
        &["generate", "--scenario", "pharmacy", "--rows", "3000", "--seed", "5", "--out", "fills.csv"],
        &dir,
    ));
    ok(claimforest(&["train", "--input", "fills.csv", "--algorithm", "isolation", "--out", "if.json"], &dir));
    ok(claimforest(
        &[
            "score",
            "--model",
            "if.json",
            "--input",
            "fills.csv",
            "--out",
            "scored.csv",
            "--rules",
            "pharmacy",
            "--summaries",
            "levels",
        ],
        &dir,
    ));
    let (header, rows) = csv_rows(&dir.join("scored.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (score, severity, flag, priority, tier, hits) =
        (at("score"), at("rule_severity"), at("rule_flag"), at("priority"), at("risk_tier"), at("rule_hits"));
    assert_eq!(rows.len(), 3000);
    let mut n_flagged = 0;
    // The isolation score enters the priority rescaled to 0-1 over the scored claims.
    let scores: Vec<f64> = rows.iter().map(|row| row[score].parse::<f64>().unwrap()).collect();
    let low = scores.iter().copied().fold(f64::INFINITY, f64::min);
    let high = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(high > low);
    for row in &rows {
        let value = |i: usize| row[i].parse::<f64>().unwrap();
        // The default weights: 0.5 model score + 0.3 highest severity + 0.2 any hit.
        let model = (value(score) - low) / (high - low);
        let expected = 0.5 * model + 0.3 * value(severity) + 0.2 * value(flag);
        // Scores and the priority are written with 6 significant digits; the isolation score's
        // rescaling to 0-1 over a narrow band magnifies that rounding a few times.
        assert!((value(priority) - expected).abs() < 1e-5, "{expected} vs {}", row[priority]);
        assert_eq!(value(flag) == 1.0, !row[hits].is_empty());
        let p = value(priority);
        let want = if p >= 0.8 {
            "Critical"
        } else if p >= 0.6 {
            "High"
        } else if p >= 0.3 {
            "Medium"
        } else {
            "Low"
        };
        assert_eq!(row[tier], want);
        n_flagged += usize::from(value(flag) == 1.0);
    }
    assert!(n_flagged > 0 && n_flagged < 3000, "{n_flagged} flagged");
    for level in ["member", "prescriber", "pharmacy"] {
        let (summary_header, summary_rows) = csv_rows(&dir.join(format!("levels/{level}_level_summary.csv")));
        let claims = summary_header.iter().position(|h| h == "n_claims").unwrap();
        let total: usize = summary_rows.iter().map(|r| r[claims].parse::<usize>().unwrap()).sum();
        assert_eq!(total, 3000, "{level}: every claim belongs to one entity");
    }
    let bad = claimforest(
        &["score", "--model", "if.json", "--input", "fills.csv", "--out", "x.csv", "--rules", "nope.json"],
        &dir,
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).starts_with("claimforest: nope.json: cannot read the rule pack"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

fn failed(output: Output) -> String {
    assert!(!output.status.success(), "expected a failure, got: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn no_output_cell_or_header_can_start_a_formula() {
    let dir = scratch_dir("cli", "formulas");
    // Formula-like text in a text column, a header and (tab-led) a cell the reader trims.
    let mut text = String::from("member_id,=1+1,note,amount\n");
    let notes = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "-2+3", "plain"];
    for row in 0..60 {
        let note = notes[row % notes.len()];
        let quoted = format!("\"{}\"", note.replace('"', "\"\""));
        text.push_str(&format!("M{},{},{quoted},{}.5\n", row % 7, row % 3, row as i64 - 30));
    }
    std::fs::write(dir.join("in.csv"), text).unwrap();
    let pack = r#"{"format": "claimforest-rules", "version": 1, "name": "p", "description": "d", "rules": [
        {"id": "=HYPERLINK(1)", "name": "n", "condition": "amount > 0", "severity": 0.5, "category": "c", "description": "d"}]}"#;
    std::fs::write(dir.join("pack.json"), pack).unwrap();
    ok(claimforest(&["train", "--input", "in.csv", "--trees", "5", "--out", "m.json"], &dir));
    ok(claimforest(
        &["score", "--model", "m.json", "--input", "in.csv", "--rules", "pack.json", "--out", "s.csv"],
        &dir,
    ));
    ok(claimforest(&["explain", "--model", "m.json", "--input", "in.csv", "--out", "e.csv"], &dir));
    ok(claimforest(&["encode", "--model", "m.json", "--input", "in.csv", "--out", "x.csv"], &dir));
    let mut negatives = 0;
    for file in ["s.csv", "e.csv", "x.csv"] {
        let written = std::fs::read_to_string(dir.join(file)).unwrap();
        for cell in written.lines().flat_map(|line| line.split(',')).map(|cell| cell.trim_start_matches('"')) {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{file}: a cell starts a formula: {cell:?}");
            if let Some(rest) = cell.strip_prefix('-') {
                assert!(rest.parse::<f64>().is_ok(), "{file}: a cell starts with '-' and is not a number: {cell:?}");
                negatives += 1;
            }
        }
    }
    assert!(negatives > 0, "negative amounts stay numbers");
    let scored = std::fs::read_to_string(dir.join("s.csv")).unwrap();
    assert!(scored.starts_with("member_id,'=1+1,note,amount,"), "{}", &scored[..60]);
    assert!(scored.contains("'=HYPERLINK(1)"), "rule ids in rule_hits are neutralised too");
    assert!(scored.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
}

#[test]
fn a_file_past_a_budget_flag_is_refused_naming_the_flag() {
    let dir = scratch_dir("cli", "budget");
    ok(claimforest(&["generate", "--rows", "200", "--out", "claims.csv"], &dir));
    let message = failed(claimforest(&["inspect", "--input", "claims.csv", "--max-rows", "100"], &dir));
    assert!(
        message.contains(
            "claims.csv, row 102: the file holds more than 100 rows, the budget for this run; raise it with --max-rows"
        ),
        "{message}"
    );
    let message =
        failed(claimforest(&["train", "--input", "claims.csv", "--max-bytes", "1000", "--out", "m.json"], &dir));
    assert!(message.contains("more than 1,000 bytes of text") && message.contains("--max-bytes"), "{message}");
    ok(claimforest(&["inspect", "--input", "claims.csv", "--max-rows", "200"], &dir));
}

#[test]
fn training_errors_name_the_input_file() {
    let dir = scratch_dir("cli", "train-errors");
    std::fs::write(dir.join("one_class.csv"), "a,y\n1,0\n2,0\n3,0\n4,0\n").unwrap();
    let message = failed(claimforest(&["train", "--input", "one_class.csv", "--label", "y", "--out", "m.json"], &dir));
    let last = message.lines().last().unwrap_or_default();
    assert!(last.starts_with("claimforest: one_class.csv: "), "{message}");
}

#[test]
fn without_a_label_flag_the_column_that_looks_like_one_is_used_and_named() {
    let dir = scratch_dir("cli", "proposed-label");
    let mut csv = String::from("policy_number,policy_state,severity,amount,fraud_reported\n");
    for row in 0..400 {
        let major = row % 4 == 0;
        let fraud = if major { row % 8 == 0 || row % 12 == 0 } else { row % 19 == 0 };
        let state = ["OH", "IN", "IL"][row % 3];
        let severity = if major { "Major Damage" } else { "Minor Damage" };
        csv.push_str(&format!(
            "{},{state},{severity},{},{}\n",
            500_000 + row,
            100 + row * 7,
            if fraud { "Y" } else { "N" }
        ));
    }
    std::fs::write(dir.join("auto.csv"), csv).unwrap();
    let output = claimforest(&["train", "--input", "auto.csv", "--trees", "10", "--out", "m.json"], &dir);
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{said}");
    assert!(said.contains("no --label given: training a random forest on 'fraud_reported' (positive 'Y')"), "{said}");
    assert!(said.contains("not a feature: policy_number (named like an identifier)"), "{said}");
    let model = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(model.contains("\"label_column\":\"fraud_reported\""));
    // A file with no such column trains an isolation forest, and says so.
    std::fs::write(dir.join("plain.csv"), "state,amount\nOH,1\nIN,2\nIL,3\nOH,4\nIN,5\n").unwrap();
    let output = claimforest(&["train", "--input", "plain.csv", "--trees", "5", "--out", "if.json"], &dir);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no column looks like one: training an isolation forest"));
}

#[test]
fn vendor_headers_are_read_by_their_words_and_map_overrides() {
    let dir = scratch_dir("cli", "vendor-headers");
    let mut csv = String::from(
        "CLP01 Patient Control Number,Rendering Provider NPI,ICD10 Dx 1,ICD10 Dx 2,Billed Amt,policy_state\n",
    );
    for row in 0..30 {
        csv.push_str(&format!("C{row},{},J45,E11,{}.00,OH\n", 1_000_000_000 + row % 4, 100 + row));
    }
    std::fs::write(dir.join("vendor.csv"), csv).unwrap();
    let report = ok(claimforest(&["inspect", "--input", "vendor.csv"], &dir));
    for line in [
        "CLP01 Patient Control Number (also claim_id, by words: member control id)",
        "Rendering Provider NPI (also provider_id, by words: role provider npi)",
        "ICD10 Dx 1 (also diagnosis_code, by words: icd diagnosis)",
        "ICD10 Dx 2 (kept as is; perhaps diagnosis_code",
        "Billed Amt (also billed_amount, by synonym BILLED_AMT)",
        "policy_state (kept as is; perhaps member_state: --map \"policy_state=member_state\" to use it)",
    ] {
        assert!(report.contains(line), "{line} not in:\n{report}");
    }
    let report = ok(claimforest(&["inspect", "--input", "vendor.csv", "--map", "policy_state=member_state"], &dir));
    assert!(report.contains("policy_state (also member_state, by --map)"), "{report}");
}

#[test]
fn each_command_has_its_help_and_the_binary_its_version() {
    let dir = scratch_dir("cli", "help");
    let version = ok(claimforest(&["--version"], &dir));
    assert_eq!(version.trim(), format!("claimforest {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(ok(claimforest(&["-V"], &dir)), version);
    let train = ok(claimforest(&["train", "--help"], &dir));
    assert!(train.contains("Usage: claimforest train [OPTIONS] --input <FILE> --out <MODEL.json>"), "{train}");
    // Every flag of train, each with its one-line doc and default.
    for flag in [
        "--input <FILE>",
        "--label <COL>",
        "--positive <VALUE>",
        "--features <A,B,...>",
        "--algorithm <ALGORITHM>",
        "--trees <N>",
        "--seed <S>",
        "--max-depth <D|none>",
        "--min-samples-leaf <K>",
        "--max-samples <N>",
        "--test-fraction <F>",
        "--contamination <C>",
        "--entity <COL>",
        "--out <MODEL.json>",
        "--max-rows <N>",
        "--max-bytes <N>",
        "--max-cells <N>",
        "--entry <PATH>",
        "--sheet <NAME>",
        "--map <HEADER=canonical>",
        "--join <FILE[:KEY]>",
    ] {
        let line = train.lines().find(|line| line.trim_start().starts_with(flag));
        let doc = line.map(|line| line.trim_start()[flag.len()..].trim());
        assert!(doc.is_some_and(|doc| doc.len() > 10), "{flag} has no one-line doc in:\n{train}");
    }
    assert!(train.contains("[default: 16]") && !train.contains("--rules"), "{train}");
    let score = ok(claimforest(&["score", "-h"], &dir));
    assert!(score.contains("--history <FILE>") && !score.contains("--entity"), "{score}");
    // Every command is listed, and the guide to inputs and defaults follows.
    let help = ok(claimforest(&["help"], &dir));
    for command in ["generate", "inspect", "train", "score", "explain", "encode", "export", "evaluate", "demo"] {
        assert!(help.lines().any(|line| line.trim_start().starts_with(command)), "{command} in:\n{help}");
    }
    assert!(help.contains("--history FILE computes"), "{help}");
    assert_eq!(ok(claimforest(&[], &dir)), help, "no command: the help");
    // A mistyped command or flag fails naming it, and says what was meant.
    for (args, typo, meant) in [
        (&["trian", "--input", "x.csv"][..], "unrecognized subcommand 'trian'", "a similar subcommand exists: 'train'"),
        (&["train", "--seeed", "3"][..], "unexpected argument '--seeed'", "a similar argument exists: '--seed'"),
    ] {
        let output = claimforest(args, &dir);
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: a usage error: {said}");
        assert!(said.contains(typo) && said.contains(meant), "{args:?}: {said}");
    }
    let output = claimforest(&["generate", "--rows", "many", "--out", "x.csv"], &dir);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && said.contains("invalid value 'many' for '--rows <N>'"), "{said}");
    assert!(!dir.join("x.csv").exists());
}
