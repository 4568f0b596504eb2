//! The session driven through its protocol natively: load, train, explain, what-if, export, failures.

use super::*;
use crate::claims::table_bytes::table_from_bytes;
use crate::ml::IsolationForestParams;
use crate::protocol::{AlgorithmChoice, ExportRequest};
use crate::workspace::export::ExportOptions;
use crate::workspace::queue::QueueSettings;
use crate::workspace::tiers::TierCuts;

fn quiet(_: FromWorker) {}

fn loaded(session: &mut Session, scenario: Scenario, n_rows: usize) -> LoadedData {
    let message =
        ToWorker::Generate { job_id: 1, scenario, options: SynthOptions { n_rows, seed: 7, fraud_rate: 0.05 } };
    match session.handle(message, None, &mut quiet) {
        FromWorker::Loaded { data, .. } => *data,
        other => panic!("{other:?}"),
    }
}

fn request(data: &LoadedData, algorithm: AlgorithmChoice) -> RunRequest {
    let mut forest = crate::ml::ForestParams { n_trees: 10, ..Default::default() };
    forest.seed = 3;
    RunRequest {
        algorithm,
        label_column: data.labels.first().map(|l| l.column.clone()),
        positive_label: None,
        feature_columns: data.features.iter().filter(|f| f.default_on).map(|f| f.name.clone()).collect(),
        forest,
        isolation: IsolationForestParams { n_trees: 20, ..Default::default() },
        test_fraction: 0.2,
        split_seed: 3,
    }
}

fn train(session: &mut Session, request: RunRequest) -> RunResults {
    let mut progress = Vec::new();
    let reply =
        session.handle(ToWorker::Train { job_id: 2, request: Box::new(request) }, None, &mut |p| progress.push(p));
    assert!(progress.iter().any(|p| matches!(p, FromWorker::Progress { done, .. } if *done > 0)));
    match reply {
        FromWorker::Trained { results, .. } => *results,
        other => panic!("{other:?}"),
    }
}

#[test]
fn generated_claims_offer_their_label_and_default_features() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Medical, 2_000);
    assert_eq!(data.labels[0].column, "is_anomaly");
    assert_eq!(data.labels[0].default_positive.as_deref(), Some("1"));
    assert!(data.labels.iter().all(|l| l.column != "anomaly_type"), "a label detail is no label");
    let on: Vec<&str> = data.features.iter().filter(|f| f.default_on).map(|f| f.name.as_str()).collect();
    assert!(on.contains(&"procedure_code") && on.contains(&"provider_claim_count"), "{on:?}");
    assert!(!on.contains(&"is_anomaly") && !on.contains(&"member_id"), "{on:?}");
    assert!(data.features.iter().any(|f| f.derived && f.default_on));
    let table = table_from_bytes(&data.table).unwrap();
    assert_eq!(table.n_rows(), 2_000);
    assert!(table.column("provider_claim_count").is_none(), "the page gets the raw claims");
}

#[test]
fn both_models_train_score_explain_and_export() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Denial, 1_000);
    let results = train(&mut session, request(&data, AlgorithmChoice::Both));
    assert_eq!(results.models.len(), 2);
    assert_eq!(results.labels.as_ref().map(Vec::len), Some(1_000));
    let forest = &results.models[0];
    assert_eq!((forest.slot, forest.scores.len()), (ModelSlot::Forest, 1_000));
    assert!(forest.evaluation.metrics.as_ref().unwrap().accuracy > 0.9);
    assert_eq!(forest.positive_word, "Denied");

    let reply = session.handle(ToWorker::Explain { job_id: 4, slot: ModelSlot::Forest, row: 17 }, None, &mut quiet);
    let FromWorker::Explained { explanation, fields, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(explanation.row, Some(17));
    assert!((explanation.score - forest.scores[17]).abs() < 1e-12);
    assert_eq!(fields.len(), forest.feature_names.len());

    // The what-if of an unchanged claim scores exactly as the claim did.
    let reply = session.handle(ToWorker::WhatIf { job_id: 5, slot: ModelSlot::Forest, fields }, None, &mut quiet);
    let FromWorker::Explained { explanation: what_if, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(what_if.row, None);
    assert_eq!(what_if.score, explanation.score);

    let settings = QueueSettings { capacity: 25, threshold: 0.0 };
    let export = ExportRequest::ReviewQueue { rank_by: ModelSlot::Forest, cuts: TierCuts::default(), settings };
    let reply = session.handle(
        ToWorker::Export { job_id: 6, request: export, options: ExportOptions::default() },
        None,
        &mut quiet,
    );
    let FromWorker::Exported { bytes, file_name, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(file_name, "review_queue.csv");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 26, "a header and 25 claims");
    assert!(text.lines().next().unwrap().starts_with("claim_id,"));

    // A saved model loads back and scores the same claims identically.
    let reply = session.handle(
        ToWorker::Export {
            job_id: 7,
            request: ExportRequest::Model { slot: ModelSlot::Forest },
            options: ExportOptions::default(),
        },
        None,
        &mut quiet,
    );
    let FromWorker::Exported { bytes: model, .. } = reply else { panic!("{reply:?}") };
    let mut fresh = Session::new();
    loaded(&mut fresh, Scenario::Denial, 1_000);
    let reply =
        fresh.handle(ToWorker::LoadModelFile { job_id: 8, file_name: "m.json".into() }, Some(model), &mut quiet);
    let FromWorker::Trained { results: reloaded, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(reloaded.models[0].scores, forest.scores);
    assert_eq!(reloaded.models[0].origin, "m.json");
}

#[test]
fn failures_are_sentences_and_keep_the_session() {
    let mut session = Session::new();
    let reply = session.handle(ToWorker::Explain { job_id: 1, slot: ModelSlot::Forest, row: 0 }, None, &mut quiet);
    assert!(matches!(reply, FromWorker::Failed { job_id: 1, .. }), "{reply:?}");
    let data = loaded(&mut session, Scenario::Denial, 500);
    let reply = session.handle(
        ToWorker::IngestFile { job_id: 9, file_name: "bad.csv".into() },
        Some(b"a,b\n1\n\"x".to_vec()),
        &mut quiet,
    );
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.starts_with("bad.csv"), "{message}");
    let reply = session.handle(
        ToWorker::LoadModelFile { job_id: 10, file_name: "m.json".into() },
        Some(b"{\"format\":\"claimforest-model\",\"format_version\":99}".to_vec()),
        &mut quiet,
    );
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.contains("version 99 is not supported"), "{message}");
    // The claims loaded before are still there: training works.
    let results = train(&mut session, request(&data, AlgorithmChoice::RandomForest));
    assert_eq!(results.models[0].scores.len(), 500);
    let mut no_label = request(&data, AlgorithmChoice::RandomForest);
    no_label.label_column = None;
    let reply = session.handle(ToWorker::Train { job_id: 11, request: Box::new(no_label) }, None, &mut quiet);
    assert!(matches!(reply, FromWorker::Failed { .. }));
}

#[test]
fn positive_words_read_naturally() {
    assert_eq!(positive_word(Some("is_denied")), "Denied");
    assert_eq!(positive_word(Some("is_anomaly")), "Anomalous");
    assert_eq!(positive_word(Some("IS_FRAUD")), "Fraud");
    assert_eq!(positive_word(Some("chargeback_flag")), "Chargeback flag");
    assert_eq!(positive_word(None), "Flagged");
}
