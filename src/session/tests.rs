//! The session driven through its protocol natively: load, train, explain, what-if, export, failures.

use super::*;
use crate::analysis::export::ExportOptions;
use crate::analysis::format_count;
use crate::analysis::hybrid::HybridWeights;
use crate::analysis::queue::QueueSettings;
use crate::analysis::tiers::TierCuts;
use crate::claims::rules::builtin_pack;
use crate::claims::table_bytes::{table_from_bytes, table_to_bytes};
use crate::ml::source::read_column;
use crate::ml::{FeatureSource, IsolationForestParams, Rows};
use crate::protocol::{AlgorithmChoice, ExportRequest, PriorityChoice};

fn quiet(_: FromWorker) {}

/// Asks the session, as job 1, and reads the reply's body: the job number travels in the
/// envelope, which `page_model` tests.
trait Ask {
    fn ask(
        &mut self,
        message: ToWorker,
        file: Option<Box<dyn PostedFile>>,
        report: &mut dyn FnMut(FromWorker),
    ) -> FromWorker;
}

impl Ask for Session {
    fn ask(
        &mut self,
        message: ToWorker,
        file: Option<Box<dyn PostedFile>>,
        report: &mut dyn FnMut(FromWorker),
    ) -> FromWorker {
        let reply = self.handle(Envelope::new(1, message), file, &mut |progress| {
            assert_eq!(progress.job_id, 1, "progress carries the request's job");
            report(progress.body);
        });
        assert_eq!(reply.job_id, 1, "the reply carries the request's job");
        reply.body
    }
}

/// Bytes posted as a file.
fn posted(bytes: Vec<u8>) -> Option<Box<dyn PostedFile>> {
    Some(Box::new(std::io::Cursor::new(bytes)))
}

fn loaded(session: &mut Session, scenario: Scenario, n_rows: usize) -> LoadedData {
    let message = ToWorker::Generate { scenario, options: SynthOptions { n_rows, seed: 7, fraud_rate: 0.05 } };
    match session.ask(message, None, &mut quiet) {
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
        isolation_on_rule_clean: true,
    }
}

fn train(session: &mut Session, request: RunRequest) -> RunResults {
    let mut progress = Vec::new();
    let reply = session.ask(ToWorker::Train { request: Box::new(request) }, None, &mut |p| progress.push(p));
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
    let mut bytes = Vec::new();
    session.write_claims(&mut bytes).unwrap();
    assert_eq!(session.claims_byte_len(), Some(bytes.len()));
    let table = table_from_bytes(&bytes).unwrap();
    assert_eq!(table.n_rows(), 2_000);
    assert!(table.column("provider_claim_count").is_none(), "the page gets the raw claims");
}

#[test]
fn a_session_without_claims_writes_none() {
    let session = Session::new();
    let mut bytes = Vec::new();
    session.write_claims(&mut bytes).unwrap();
    assert_eq!((session.claims_byte_len(), bytes.len()), (None, 0));
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

    let reply = session.ask(ToWorker::Explain { slot: ModelSlot::Forest, row: 17 }, None, &mut quiet);
    let FromWorker::Explained { explanation, fields, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(explanation.row, Some(17));
    assert!((explanation.score - forest.scores[17]).abs() < 1e-12);
    assert_eq!(fields.len(), forest.feature_names.len());

    // The what-if of an unchanged claim scores exactly as the claim did.
    let reply = session.ask(ToWorker::WhatIf { slot: ModelSlot::Forest, fields }, None, &mut quiet);
    let FromWorker::Explained { explanation: what_if, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(what_if.row, None);
    assert_eq!(what_if.score, explanation.score);

    let settings = QueueSettings { capacity: 25, threshold: 0.0 };
    let priority = PriorityChoice { rank_by: ModelSlot::Forest, use_rules: false, weights: HybridWeights::default() };
    let export = ExportRequest::ReviewQueue { priority, cuts: TierCuts::default(), settings };
    let reply = session.ask(ToWorker::Export { request: export, options: ExportOptions::default() }, None, &mut quiet);
    let FromWorker::Exported { bytes, file_name, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(file_name, "review_queue.csv");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 26, "a header and 25 claims");
    assert!(text.lines().next().unwrap().starts_with("claim_id,"));

    // A saved model loads back and scores the same claims identically.
    let reply = session.ask(
        ToWorker::Export {
            request: ExportRequest::Model { slot: ModelSlot::Forest },
            options: ExportOptions::default(),
        },
        None,
        &mut quiet,
    );
    let FromWorker::Exported { bytes: model, .. } = reply else { panic!("{reply:?}") };
    let mut fresh = Session::new();
    loaded(&mut fresh, Scenario::Denial, 1_000);
    let reply = fresh.ask(ToWorker::LoadModelFile { file_name: "m.json".into() }, posted(model), &mut quiet);
    let FromWorker::Trained { results: reloaded, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(reloaded.models[0].scores, forest.scores);
    assert_eq!(reloaded.models[0].origin.to_string(), "m.json");
}

#[test]
fn failures_are_sentences_and_keep_the_session() {
    let mut session = Session::new();
    let reply = session.ask(ToWorker::Explain { slot: ModelSlot::Forest, row: 0 }, None, &mut quiet);
    assert!(matches!(reply, FromWorker::Failed { .. }), "{reply:?}");
    let data = loaded(&mut session, Scenario::Denial, 500);
    let reply = session.ask(
        ToWorker::IngestFile { file_name: "bad.csv".into(), part: Default::default() },
        posted(b"a,b\n1\n\"x".to_vec()),
        &mut quiet,
    );
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.starts_with("bad.csv"), "{message}");
    let reply = session.ask(
        ToWorker::LoadModelFile { file_name: "m.json".into() },
        posted(b"{\"format\":\"claimforest-model\",\"format_version\":99}".to_vec()),
        &mut quiet,
    );
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.contains("version 99 is not supported"), "{message}");
    // The claims loaded before are still there: training works.
    let results = train(&mut session, request(&data, AlgorithmChoice::RandomForest));
    assert_eq!(results.models[0].scores.len(), 500);
    let mut no_label = request(&data, AlgorithmChoice::RandomForest);
    no_label.label_column = None;
    let reply = session.ask(ToWorker::Train { request: Box::new(no_label) }, None, &mut quiet);
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

fn export(session: &mut Session, request: ExportRequest) -> (String, Vec<u8>) {
    let message = ToWorker::Export { request, options: ExportOptions::default() };
    match session.ask(message, None, &mut quiet) {
        FromWorker::Exported { file_name, bytes, .. } => (file_name, bytes),
        other => panic!("{other:?}"),
    }
}

#[test]
fn loading_runs_the_suggested_pack_and_the_isolation_forest_learns_from_clean_claims() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Medical, 3_000);
    let rules = data.rules.as_ref().expect("the medical pack fits medical claims");
    assert_eq!((rules.pack.name.as_str(), rules.origin.as_str()), ("medical", "built-in medical pack"));
    let (_, _, outcome) = rules.clone().into_parts();
    assert_eq!(outcome.n_rows, 3_000);
    assert!(outcome.flagged_count() > 0 && outcome.flagged_count() < 3_000);
    // The page's outcome, rebuilt from the hits, equals the engine's.
    let (prepared, _) = crate::pipeline::prepare(
        &generate(Scenario::Medical, &SynthOptions { n_rows: 3_000, seed: 7, fraud_rate: 0.05 }).unwrap(),
    )
    .unwrap();
    assert_eq!(outcome, crate::claims::rules::evaluate_pack(&prepared, &rules.pack));

    let clean = outcome.rule_clean_rows().len();
    let results = train(&mut session, request(&data, AlgorithmChoice::IsolationForest));
    let note = results.models[0].training_note.clone().unwrap();
    assert!(note.contains(&format_count(clean)) && note.contains("medical pack"), "{note}");

    let mut every_claim = request(&data, AlgorithmChoice::IsolationForest);
    every_claim.isolation_on_rule_clean = false;
    let all = train(&mut session, every_claim);
    assert_eq!(all.models[0].training_note, None);
    assert_ne!(all.models[0].scores, results.models[0].scores, "a different training set, a different forest");
}

#[test]
fn rules_can_be_replaced_uploaded_downloaded_and_blend_into_the_exported_priority() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Denial, 1_000);
    train(&mut session, request(&data, AlgorithmChoice::RandomForest));

    // Tighten the pack: only the surgery rule, at severity 1.
    let mut pack = builtin_pack("denial").unwrap();
    pack.rules.truncate(1);
    pack.rules[0].severity = 1.0;
    let reply =
        session.ask(ToWorker::SetRules { pack: Box::new(pack.clone()), origin: "edited".into() }, None, &mut quiet);
    let FromWorker::RulesApplied { rules, .. } = reply else { panic!("{reply:?}") };
    assert_eq!((rules.rules.len(), rules.origin.as_str()), (1, "edited"));

    // The pack downloads and uploads back unchanged.
    let (file_name, bytes) = export(&mut session, ExportRequest::RulePack);
    assert_eq!(file_name, "denial.rules.json");
    let reply = session.ask(ToWorker::LoadRulesFile { file_name: "mine.json".into() }, posted(bytes), &mut quiet);
    let FromWorker::RulesApplied { rules: uploaded, .. } = reply else { panic!("{reply:?}") };
    assert_eq!((uploaded.pack.clone(), uploaded.origin.as_str()), (pack, "mine.json"));

    // A broken pack is refused with the file's name, and the rules stay.
    let reply = session.ask(
        ToWorker::LoadRulesFile { file_name: "broken.json".into() },
        posted(b"{\"format\":\"claimforest-rules\",\"version\":1,\"name\":\"x\",\"description\":\"\",\"rules\":[{\"id\":\"a\",\"name\":\"a\",\"condition\":\"age >\",\"severity\":0.5,\"category\":\"c\",\"description\":\"\"}]}".to_vec()),
        &mut quiet,
    );
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.starts_with("broken.json: rule 'a'"), "{message}");
    assert_eq!(session.rules.as_ref().unwrap().origin, "mine.json");

    // The scored CSV carries each claim's rule hits and the hybrid priority.
    let choice = PriorityChoice { rank_by: ModelSlot::Forest, use_rules: true, weights: HybridWeights::default() };
    let (_, bytes) = export(&mut session, ExportRequest::ScoredClaims { priority: choice, cuts: TierCuts::default() });
    let text = String::from_utf8(bytes).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (hit, flag, priority, probability) =
        (column("rules_hit"), column("rule_flag"), column("priority"), column("probability"));
    let mut flagged = 0;
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let p: f64 = cells[probability].parse().unwrap();
        let expected = if cells[flag] == "1" { 0.5 * p + 0.3 + 0.2 } else { 0.5 * p };
        // Scores and priorities are written with 6 significant digits.
        assert!((cells[priority].parse::<f64>().unwrap() - expected).abs() < 2e-6, "{line}");
        assert_eq!(cells[flag] == "1", !cells[hit].is_empty(), "{line}");
        flagged += usize::from(cells[flag] == "1");
    }
    assert!(flagged > 50, "{flagged}");
}

#[test]
fn trees_grown_elsewhere_give_the_results_of_a_local_fit() {
    let mut local = Session::new();
    let data = loaded(&mut local, Scenario::Denial, 1_500);
    let run = request(&data, AlgorithmChoice::Both);
    let expected = train(&mut local, run.clone());

    let mut pooled = Session::new();
    loaded(&mut pooled, Scenario::Denial, 1_500);
    let job_bytes = pooled.plan_forest(&run).unwrap().expect("the run fits a random forest").to_bytes();
    // What each helper worker does with its range: read the job, grow, send the trees back.
    let helper_job = ForestJob::from_bytes(&job_bytes).unwrap();
    let grown: Vec<GrownTrees> = helper_job
        .tree_ranges(3)
        .into_iter()
        .map(|range| {
            let trees = helper_job.grow(range, &mut |_| ControlFlow::Continue(())).unwrap();
            GrownTrees::from_bytes(&trees.to_bytes()).unwrap()
        })
        .collect();
    pooled.provide_trees(grown.clone());
    // Scoring every claim elsewhere too: each helper predicts a chunk of rows with the view.
    // Each chunk's bytes are written a column at a time, as the pool writes them.
    let predict_elsewhere = |view: &[u8], rows: &dyn FeatureSource| -> Vec<f64> {
        use crate::ml::shap::wire::{matrix_pieces, MatrixBytes, MatrixPiece};
        let view = crate::ml::shap::ShapEnsemble::from_bytes(view).unwrap();
        let flat = crate::ml::flat::FlatForest::from_ensemble(&view);
        crate::ml::forest_job::split_ranges(rows.n_rows(), 2)
            .into_iter()
            .flat_map(|chunk| {
                let (mut bytes, mut column) = (Vec::new(), Vec::new());
                for piece in matrix_pieces(rows, chunk.clone()) {
                    match piece {
                        MatrixPiece::Bytes(literal) => bytes.extend(literal),
                        MatrixPiece::Column(feature) => {
                            read_column(rows, feature, &Rows::Range(chunk.clone()), &mut column);
                            column.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
                        }
                    }
                }
                // As a helper does: scored from the bytes a piece at a time.
                let piece_by_piece = MatrixBytes::new(&bytes).unwrap();
                flat.predict_source(&piece_by_piece, &Rows::all(chunk.len())).unwrap()
            })
            .collect()
    };
    // Every claim as the forest reads it (the plan's encoder is fitted the same way).
    let prepared = &pooled.data.as_ref().expect("loaded").prepared;
    let forest_request = super::forest_request(&run).expect("a forest run");
    let plan = crate::pipeline::plan_forest(prepared, &forest_request).unwrap();
    let every_claim = plan.encoder().encode(prepared).unwrap();
    // The forest's rows travel as bin codes, a quarter of the bytes, and score the same.
    let (view, codes) = {
        let ForestScoring { view, rows } = pooled.forest_scoring().unwrap().expect("trees were provided");
        (view, rows.clone())
    };
    let flat = crate::ml::flat::FlatForest::from_ensemble(&crate::ml::shap::ShapEnsemble::from_bytes(&view).unwrap());
    let scores: Vec<f64> = crate::ml::forest_job::split_ranges(every_claim.n_rows(), 2)
        .into_iter()
        .flat_map(|chunk| {
            let bytes = crate::ml::shap::wire::binned_rows_to_bytes(&codes, chunk);
            flat.predict_binned(&crate::ml::shap::wire::binned_rows_from_bytes(&bytes).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(scores, predict_elsewhere(&view, &every_claim));
    pooled.provide_forest_scores(scores);
    let (view, rows) = pooled.plan_isolation(&run, &mut |_| ControlFlow::Continue(())).unwrap().unwrap();
    let lengths = predict_elsewhere(&view, &rows);
    pooled.provide_isolation_lengths(lengths);
    let reply = pooled.ask(ToWorker::Train { request: Box::new(run.clone()) }, None, &mut quiet);
    let FromWorker::Trained { results, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(*results, expected);
    // The handed-in scores are the ones used (halved here, the results change).
    pooled.plan_forest(&run).unwrap();
    pooled.provide_trees(grown);
    let view = pooled.forest_scoring().unwrap().unwrap().view;
    let halved: Vec<f64> = predict_elsewhere(&view, &every_claim).iter().map(|s| s / 2.0).collect();
    pooled.provide_forest_scores(halved);
    let reply = pooled.ask(ToWorker::Train { request: Box::new(run.clone()) }, None, &mut quiet);
    let FromWorker::Trained { results: halved_results, .. } = reply else { panic!("{reply:?}") };
    assert_ne!(halved_results.models[0], expected.models[0]);

    // A plan for another request is not used: the session grows its own trees.
    let mut other = run.clone();
    other.forest.seed = 99;
    pooled.plan_forest(&other).unwrap();
    let FromWorker::Trained { results, .. } = pooled.ask(ToWorker::Train { request: Box::new(run) }, None, &mut quiet)
    else {
        panic!()
    };
    assert_eq!(*results, expected);
    // A run without a random forest plans nothing.
    let isolation_only = request(&data, AlgorithmChoice::IsolationForest);
    assert!(pooled.plan_forest(&isolation_only).unwrap().is_none());
}

#[test]
fn the_explained_sample_and_queue_explanations_may_be_computed_elsewhere() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Denial, 1_200);
    let results = train(&mut session, request(&data, AlgorithmChoice::Both));
    assert!(results.models.iter().all(|m| m.evaluation.beeswarm.points.is_empty()), "the sample follows training");

    let sample = ToWorker::ExplainSample { slot: ModelSlot::Forest };
    let local = session.ask(sample.clone(), None, &mut quiet);
    let FromWorker::SampleExplained { mean_abs_shap, beeswarm, .. } = &local else { panic!("{local:?}") };
    assert_eq!(beeswarm.points.len(), beeswarm.features.len() * EVALUATION_SHAP_SAMPLE);
    assert!(mean_abs_shap[0].value > 0.0);

    // What the worker pool does: take the work as bytes, explain it elsewhere, hand it back.
    let work = session.shap_work(&sample).unwrap().expect("an explained sample needs SHAP values");
    let remote = crate::ml::shap::ShapEnsemble::from_bytes(&work.ensemble).unwrap();
    let mut values = crate::ml::shap::TreeExplainer::new(&remote).explain_matrix(&work.rows);
    let key = work.key;
    values.values[0] += 1.0; // marks the values as the ones handed in
    session.provide_shap(&sample, key, values);
    let pooled = session.ask(sample.clone(), None, &mut quiet);
    assert_ne!(pooled, local, "the handed-in values were used");
    assert_eq!(session.ask(sample.clone(), None, &mut quiet), local, "and used once");
    // Values for an older model are not used.
    let stale = session.shap_work(&sample).unwrap().unwrap();
    let (stale_key, stale_rows) = (stale.key, stale.rows.clone());
    train(&mut session, request(&data, AlgorithmChoice::Both));
    let mut values = crate::ml::shap::TreeExplainer::new(&remote).explain_matrix(&stale_rows);
    values.values[0] += 1.0;
    session.provide_shap(&sample, stale_key, values);
    assert_eq!(session.ask(sample, None, &mut quiet), local);

    // The queue's explanations: one line per queued claim, and base + Σ SHAP = probability.
    let settings = QueueSettings { capacity: 40, threshold: 0.0 };
    let priority = PriorityChoice { rank_by: ModelSlot::Forest, use_rules: false, weights: HybridWeights::default() };
    let request = ExportRequest::QueueExplanations { slot: ModelSlot::Forest, priority, settings };
    let (name, bytes) = export(&mut session, request);
    assert_eq!(name, "review_queue_explanations.csv");
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 41);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&header[..3], ["queue_rank", "row", "claim_id"]);
    for line in &lines[1..] {
        let cells: Vec<f64> = line.split(',').skip(3).map(|c| c.parse().unwrap()).collect();
        let (score, base, shap) = (cells[0], cells[2], &cells[3..]);
        assert!((base + shap.iter().sum::<f64>() - score).abs() < 1e-9, "{line}");
    }
}

#[test]
fn each_forest_reports_fitting_then_scoring_then_measuring() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Medical, 600);
    let mut stages: Vec<String> = Vec::new();
    let message = ToWorker::Train { request: Box::new(request(&data, AlgorithmChoice::Both)) };
    session.ask(message, None, &mut |p| {
        if let FromWorker::Progress { stage, .. } = p {
            if stages.last() != Some(&stage) {
                stages.push(stage);
            }
        }
    });
    let expected = [
        FITTING_FOREST_STAGE,
        SCORING_STAGE,
        EVALUATING_STAGE,
        FITTING_ISOLATION_STAGE,
        SCORING_STAGE,
        EVALUATING_STAGE,
    ];
    assert_eq!(stages, expected.map(String::from));
}

#[test]
fn kept_claims_get_their_features_back_when_new_claims_fail() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Medical, 600);
    let run = request(&data, AlgorithmChoice::Both);
    let reply = session.ask(ToWorker::Train { request: Box::new(run) }, None, &mut quiet);
    assert!(matches!(reply, FromWorker::Trained { .. }), "{reply:?}");
    let explain = ToWorker::Explain { slot: ModelSlot::Forest, row: 17 };
    let before = session.ask(explain.clone(), None, &mut quiet);
    assert!(matches!(before, FromWorker::Explained { .. }), "{before:?}");
    // Bytes compare NaN (a missing derived value) bit for bit, as `==` cannot.
    let bytes_of = |session: &Session| {
        let prepared = &session.data.as_ref().unwrap().prepared;
        table_to_bytes(prepared.leading_columns(prepared.columns().len()))
    };
    let prepared = bytes_of(&session);
    // Claims that have their features keep them as they are.
    session.derive_features_again();
    assert!(bytes_of(&session) == prepared);
    // What `load_new` does before new claims fail: the kept claims lose their derived features.
    let kept = session.data.as_mut().unwrap();
    kept.prepared.truncate_columns(kept.n_claim_columns);
    assert!(bytes_of(&session).len() < prepared.len());
    session.derive_features_again();
    assert!(bytes_of(&session) == prepared, "the same features again");
    assert_eq!(session.ask(explain, None, &mut quiet), before);
    // New claims that fail leave the old ones, features and all.
    let empty = ToWorker::IngestFile { file_name: "empty.csv".into(), part: Default::default() };
    let reply = session.ask(empty, Some(Box::new(std::io::Cursor::new(b"claim_id\n".to_vec()))), &mut quiet);
    assert!(matches!(reply, FromWorker::Failed { .. }), "{reply:?}");
    assert!(bytes_of(&session) == prepared, "the old claims, features and all");
    // So do files that fail while they are read (the features went before reading began).
    for (name, bytes) in [("nothing.csv", Vec::new()), ("ragged.csv", b"a,b\n1,2\n\"3".to_vec())] {
        let ingest = ToWorker::IngestFile { file_name: name.into(), part: Default::default() };
        let reply = session.ask(ingest, Some(Box::new(std::io::Cursor::new(bytes))), &mut quiet);
        assert!(matches!(reply, FromWorker::Failed { .. }), "{name}: {reply:?}");
        assert!(bytes_of(&session) == prepared, "{name}: the old claims, features and all");
    }
    let explain = ToWorker::Explain { slot: ModelSlot::Forest, row: 17 };
    assert!(matches!(session.ask(explain, None, &mut quiet), FromWorker::Explained { .. }));
}

/// An auto-insurance claims file of the public data set's shape: policy numbers and zip
/// codes (nearly unique whole numbers), a state with three values, free-text locations, an
/// empty trailing column, and the label last, `fraud_reported` Y/N (about a quarter Y).
fn insurance_like_csv(n_rows: usize) -> Vec<u8> {
    let mut rng = crate::ml::SeededRng::new(5);
    let mut csv = String::from(
        "months_as_customer,age,policy_number,policy_state,policy_deductable,insured_zip,insured_hobbies,\
         incident_severity,incident_location,total_claim_amount,fraud_reported,_c39\n",
    );
    let hobbies = ["chess", "reading", "golf", "cross-fit", "polo", "movies", "hiking", "yachting"];
    let severities = ["Minor Damage", "Major Damage", "Total Loss", "Trivial Damage"];
    for row in 0..n_rows {
        let severity = severities[rng.index(severities.len())];
        let fraud = if severity == "Major Damage" { rng.chance(0.6) } else { rng.chance(0.1) };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{severity},{} Elm St,{},{},\n",
            rng.below(480),
            19 + rng.below(45),
            100_000 + row * 7 + rng.index(7),
            ["OH", "IN", "IL"][rng.index(3)],
            [500, 1000, 2000][rng.index(3)],
            430_000 + row * 13 + rng.index(13),
            hobbies[rng.index(hobbies.len())],
            1000 + row,
            100 + rng.below(100_000),
            if fraud { "Y" } else { "N" },
        ));
    }
    csv.into_bytes()
}

#[test]
fn a_file_nobody_here_wrote_proposes_its_real_label_and_leaves_identifiers_out() {
    let mut session = Session::default();
    let reply = session.ask(
        ToWorker::IngestFile { file_name: "insurance_claims.csv".into(), part: Default::default() },
        posted(insurance_like_csv(1_000)),
        &mut quiet,
    );
    let FromWorker::Loaded { data, .. } = reply else { panic!("{reply:?}") };
    let proposed = proposed_label(&data.labels).expect("a label is proposed");
    assert_eq!((proposed.column.as_str(), proposed.default_positive.as_deref()), ("fraud_reported", Some("Y")));
    let state = data.labels.iter().find(|l| l.column == "policy_state").expect("offered, not proposed");
    assert!(!state.proposed);
    let off = |name: &str| {
        let choice = data.features.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{name} offered"));
        assert!(!choice.default_on, "{name} is on by default");
        choice.note.clone().unwrap_or_default()
    };
    assert_eq!(off("policy_number"), "named like an identifier");
    assert_eq!(off("insured_zip"), "named like an identifier");
    assert_eq!(off("_c39"), "empty on every row");
    assert!(off("incident_location").contains("distinct value on most rows"), "{}", off("incident_location"));
    assert!(data.features.iter().all(|f| f.name != "fraud_reported"), "the label is not offered as a feature");
    for on in ["age", "policy_state", "insured_hobbies", "incident_severity", "total_claim_amount"] {
        assert!(data.features.iter().any(|f| f.name == on && f.default_on), "{on} is a default feature");
    }
    // Training on the proposal works, and learns the planted signal.
    let mut run = request(&data, AlgorithmChoice::RandomForest);
    run.positive_label = proposed.default_positive.clone();
    let results = train(&mut session, run);
    let auc = results.models[0].evaluation.metrics.as_ref().and_then(|m| m.roc_auc).expect("held-out AUC");
    assert!(auc > 0.6, "held-out AUC {auc}");
}

#[test]
fn without_a_label_column_nothing_is_proposed_and_label_named_columns_stay_out() {
    // The same file without its label: the isolation forest's defaults must not read a
    // column named like a label either.
    let mut table =
        crate::claims::ingest::read_bytes(&insurance_like_csv(300), "f.csv", &Default::default()).expect("reads").table;
    let labels = label_choices(&table);
    assert_eq!(proposed_label(&labels).map(|l| l.column.as_str()), Some("fraud_reported"));
    let (prepared, plan) = crate::pipeline::prepare(&table).expect("prepares");
    let features = feature_choices(&prepared, &plan, None);
    let fraud = features.iter().find(|f| f.name == "fraud_reported").expect("offered");
    assert!(!fraud.default_on && fraud.note.as_deref().is_some_and(|n| n.contains("named like a label")));
    table = crate::claims::ingest::read_bytes(b"state,amount\nOH,1\nIN,2\nOH,3\n", "g.csv", &Default::default())
        .expect("reads")
        .table;
    assert_eq!(proposed_label(&label_choices(&table)), None, "a state is never guessed as the label");
}

#[test]
fn a_provider_list_joins_onto_the_claims_and_brings_its_label() {
    let mut session = Session::new();
    let mut claims = String::from("ClaimID,Provider,InscClaimAmtReimbursed\n");
    for row in 0..300 {
        let provider = row % 12;
        let amount = if provider % 4 == 0 { 900 + row } else { 100 + row % 50 };
        claims.push_str(&format!("C{row},PRV{provider},{amount}\n"));
    }
    let ingest = ToWorker::IngestFile { file_name: "outpatient.csv".into(), part: Default::default() };
    let reply = session.ask(ingest, posted(claims.into_bytes()), &mut quiet);
    assert!(matches!(reply, FromWorker::Loaded { .. }), "{reply:?}");
    let bytes_of = |session: &Session| {
        let prepared = &session.data.as_ref().unwrap().prepared;
        table_to_bytes(prepared.leading_columns(prepared.columns().len()))
    };
    let before = bytes_of(&session);

    // A provider listed twice is refused, and the claims stay as they were, features and all.
    let mut providers = String::from("Provider,PotentialFraud\n");
    (0..11).for_each(|p| providers.push_str(&format!("PRV{p},{}\n", if p % 4 == 0 { "Yes" } else { "No" })));
    let twice = format!("{providers}PRV3,Yes\n");
    let join = |_| ToWorker::JoinFile { file_name: "Train.csv".into() };
    let reply = session.ask(join(2), posted(twice.into_bytes()), &mut quiet);
    let FromWorker::Failed { message, .. } = reply else { panic!("{reply:?}") };
    assert!(message.contains("repeats the value 'PRV3' (rows 4 and 12)"), "{message}");
    assert!(bytes_of(&session) == before);

    // Joined: the label is proposed, and the report says what matched (PRV11 is not listed).
    let reply = session.ask(join(3), posted(providers.into_bytes()), &mut quiet);
    let FromWorker::Loaded { data, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(data.source, "outpatient.csv + Train.csv");
    assert_eq!(proposed_label(&data.labels).map(|l| l.column.as_str()), Some("PotentialFraud"));
    let notes = &data.report.as_ref().unwrap().notes;
    assert!(
        notes.iter().any(|n| n.contains("joined by 'Provider', 1 columns added (PotentialFraud); 275 claims matched")),
        "{notes:?}"
    );
}

#[test]
fn a_new_batch_scores_as_its_claims_did_among_the_loaded_ones() {
    let mut session = Session::new();
    let data = loaded(&mut session, Scenario::Medical, 900);
    train(&mut session, request(&data, AlgorithmChoice::Both));
    let choice = PriorityChoice { rank_by: ModelSlot::Forest, use_rules: true, weights: HybridWeights::default() };
    let (_, full) = export(&mut session, ExportRequest::ScoredClaims { priority: choice, cuts: TierCuts::default() });
    let full = String::from_utf8(full).unwrap();
    let scores_by_claim = |csv: &str| -> std::collections::HashMap<String, (String, String)> {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
        let (claim, probability, anomaly) = (at("claim_id"), at("probability"), at("anomaly_score"));
        lines
            .map(|line| line.split(',').collect::<Vec<_>>())
            .map(|f| (f[claim].to_owned(), (f[probability].to_owned(), f[anomaly].to_owned())))
            .collect()
    };
    let inside = scores_by_claim(&full);

    // The loaded claims' own columns as a file; a batch cut from them, in reverse order.
    let mut claims_csv = Vec::new();
    let claims = session.data.as_ref().unwrap().claims();
    let mut table = ClaimsTable::new();
    for column in claims.columns() {
        table.push_column(column.name.clone(), column.data.clone()).unwrap();
    }
    crate::claims::csv_writer::write_csv(&table, &mut claims_csv).unwrap();
    let text = String::from_utf8(claims_csv).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut rows: Vec<&str> = lines.skip(100).take(200).collect();
    rows.reverse();
    let batch = format!("{header}\n{}\n", rows.join("\n"));
    let options = ExportOptions::default();
    let message = ToWorker::ScoreBatch { file_name: "tuesday.csv".into(), options };
    let reply = session.ask(message, posted(batch.into_bytes()), &mut quiet);
    let FromWorker::Exported { file_name, bytes, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(file_name, "tuesday_scored.csv");
    let scored = scores_by_claim(&String::from_utf8(bytes).unwrap());
    assert_eq!(scored.len(), 200);
    for (claim, scores) in &scored {
        assert_eq!(scores, &inside[claim], "claim {claim} scores as it did among the loaded claims");
    }
}

/// The typed run, with every part done in place (the single-worker loop) and with the trees
/// grown in ranges as a pool of helpers grows them, gives the results of one `Train`.
#[test]
fn a_typed_run_done_in_place_or_in_parts_gives_the_single_request_results() {
    let mut local = Session::new();
    let data = loaded(&mut local, Scenario::Medical, 1_500);
    for algorithm in [AlgorithmChoice::Both, AlgorithmChoice::IsolationForest, AlgorithmChoice::RandomForest] {
        let run_request = request(&data, algorithm);
        let expected = train(&mut local, run_request.clone());
        for in_parts in [false, true] {
            let mut session = Session::new();
            loaded(&mut session, Scenario::Medical, 1_500);
            let mut run = session.start(9, run_request.clone());
            let mut kinds = Vec::new();
            while let Some(work) = run.next_work(&mut session, &mut |_| ControlFlow::Continue(())) {
                let output = match (&work, in_parts) {
                    (Work::GrowTrees { job }, true) => Output::Trees(
                        job.tree_ranges(3)
                            .into_iter()
                            .map(|range| job.grow(range, &mut |_| ControlFlow::Continue(())).unwrap())
                            .collect(),
                    ),
                    _ => work.execute(&mut |_| ControlFlow::Continue(())).unwrap(),
                };
                kinds.push(match work {
                    Work::GrowTrees { .. } => "grow",
                    Work::ScoreForest { .. } => "score forest",
                    Work::ScoreIsolation { .. } => "score isolation",
                });
                run.provide(&mut session, output);
            }
            let expected_kinds: &[&str] = match algorithm {
                AlgorithmChoice::Both => &["grow", "score forest", "score isolation"],
                AlgorithmChoice::RandomForest => &["grow", "score forest"],
                AlgorithmChoice::IsolationForest => &["score isolation"],
            };
            assert_eq!(kinds, expected_kinds);
            let reply = run.finish(&mut session, &mut |_| {});
            let FromWorker::Trained { results } = reply.body else { panic!() };
            assert_eq!((reply.job_id, *results), (9, expected.clone()), "{algorithm:?}, in parts: {in_parts}");
        }
    }
    // A run that cannot fit its forest (no label) hands out no forest work and fails as the
    // request would.
    let mut no_label = request(&data, AlgorithmChoice::Both);
    no_label.label_column = None;
    let mut run = local.start(10, no_label);
    let first = run.next_work(&mut local, &mut |_| ControlFlow::Continue(()));
    assert!(matches!(first, Some(Work::ScoreIsolation { .. })));
    let output = first.unwrap().execute(&mut |_| ControlFlow::Continue(())).unwrap();
    run.provide(&mut local, output);
    assert!(run.next_work(&mut local, &mut |_| ControlFlow::Continue(())).is_none());
    let reply = run.finish(&mut local, &mut |_| {});
    assert!(matches!((reply.job_id, reply.body), (10, FromWorker::Failed { .. })));
}
