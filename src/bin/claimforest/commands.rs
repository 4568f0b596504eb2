//! What each command does: read files, call the pipeline, write files, print a summary.
//!
//! Errors are one-line sentences naming the file; the process exits non-zero with them.

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;

use claimforest::analysis::export::SCORE_DIGITS;
use claimforest::analysis::hybrid::{claim_priority, HybridWeights, ScoreKind};
use claimforest::analysis::tiers::TierCuts;
use claimforest::claims::csv_writer::{write_csv, write_rows};
use claimforest::claims::entities::CLAIM_COUNT_COLUMN;
use claimforest::claims::ingest::{read_source, IngestOptions, Ingested};
use claimforest::claims::join::left_join;
use claimforest::claims::rules::{builtin_pack, evaluate_pack, RulePack, BUILTIN_PACKS};
use claimforest::claims::schema::denial;
use claimforest::claims::summaries::{levels_present, summarize, write_summary_csv};
use claimforest::claims::synth::{self, generate_denial, Scenario, SynthOptions};
use claimforest::claims::table::{format_significant, CategoricalBuilder};
use claimforest::claims::{ClaimsTable, ColumnData};
use claimforest::ml::metrics::BinaryReport;
use claimforest::ml::{FitProgress, ForestParams, IsolationForestParams, TreeParams};
use claimforest::pipeline::entity::{entity_feature_columns, entity_training_table, score_entities};
use claimforest::pipeline::{
    binary_labels, default_feature_columns, population_note, prepare, prepare_against, prepare_owned,
    train_anomaly_model, train_model, Algorithm, AnomalyRequest, ScoringModel, TrainRequest,
};
use claimforest::protocol::proposed_label;
use claimforest::session::{label_choices, positive_word};

use crate::args::{AlgorithmArg, Reading, TrainArgs};

/// The review-queue depths `evaluate` reports precision and recall at.
const QUEUE_DEPTHS: [usize; 5] = [10, 50, 100, 500, 1000];

pub fn generate(scenario: &str, n_rows: usize, seed: u64, fraud_rate: f64, out: &str) -> Result<(), String> {
    let scenario: Scenario = scenario.parse().map_err(|e| format!("--scenario: {e}"))?;
    let table = synth::generate(scenario, &SynthOptions { n_rows, seed, fraud_rate }).map_err(|e| e.to_string())?;
    write_table(&table, out)?;
    eprintln!("wrote {n_rows} {scenario} claims (seed {seed}) to {out}; the label is {}", scenario.label_column());
    Ok(())
}

pub fn inspect(path: &str, profile: &str, json: bool, input: &IngestOptions) -> Result<(), String> {
    let options = IngestOptions { profile: profile.to_owned(), ..input.clone() };
    let ingested = read_path(path, &options)?;
    if json {
        out!("{}", ingested.report.to_json());
    } else {
        out!("{}", ingested.report.to_text().trim_end_matches('\n'));
    }
    Ok(())
}

pub fn train(args: &TrainArgs, options: &Reading) -> Result<(), String> {
    let input = &args.input;
    let raw = read_table(input, options)?;
    let (label, positive) = match (&args.label, args.algorithm) {
        (Some(label), _) => (Some(label.clone()), args.positive.clone()),
        (None, AlgorithmArg::Isolation) => (None, None),
        (None, algorithm) => match proposed_label(&label_choices(&raw)) {
            Some(proposal) => {
                let positive = args.positive.clone().or_else(|| proposal.default_positive.clone());
                eprintln!(
                    "no --label given: training a random forest on '{}' (positive '{}'), the column that looks like \
                     the label; --algorithm isolation trains an isolation forest instead",
                    proposal.column,
                    positive.as_deref().unwrap_or("?")
                );
                (Some(proposal.column.clone()), positive)
            }
            None if algorithm == AlgorithmArg::Forest => {
                return Err(format!("{input}: no column looks like a label; name one with --label"));
            }
            None => {
                eprintln!("no --label given and no column looks like one: training an isolation forest");
                (None, None)
            }
        },
    };
    let (table, plan) = prepare_owned(raw).map_err(|e| format!("{input}: {e}"))?;
    if !plan.features.is_empty() {
        eprintln!(
            "derived features: {} built from member, provider and pharmacy columns ({} skipped; `inspect` says why)",
            plan.features.len(),
            plan.skipped.len()
        );
    }
    // A model of entities learns from one row of aggregates per provider (or member, ...):
    // the entity's label is positive when any of its claims is.
    let (table, label, positive) = match &args.entity {
        None => (table, label, positive),
        Some(key) => {
            let labelled = label.as_deref().map(|column| (column, positive.as_deref()));
            let entities = entity_training_table(&table, key, labelled, None).map_err(|e| format!("{input}: {e}"))?;
            let n_grouped = entities.entity_of_claim.iter().flatten().count();
            eprintln!(
                "entities: {} claims grouped by '{key}' into {} rows of aggregates ({} claims have no {key})",
                n_grouped,
                entities.table.n_rows(),
                table.n_rows() - n_grouped
            );
            let label = label.as_deref().and_then(|column| table.column(column)).map(|column| column.name.clone());
            (entities.table, label, None)
        }
    };
    let rows_are = if args.entity.is_some() { "entities" } else { "rows" };
    let feature_columns = match args.features() {
        Some(features) => features,
        None => {
            let (features, skipped) = match &args.entity {
                Some(_) => entity_feature_columns(&table, label.as_deref()),
                None => default_feature_columns(&table, label.as_deref()),
            };
            for column in skipped {
                eprintln!("not a feature: {} ({})", column.name, column.reason);
            }
            features
        }
    };
    eprintln!("features: {}", feature_columns.join(", "));
    // A label joined from another file is missing where the claim found no entity: those
    // claims took part in the derived features above but cannot teach the forest.
    if let Some(column) = label.as_deref().and_then(|label| table.column(label)) {
        let unlabelled = (0..table.n_rows()).filter(|&row| column.data.is_missing(row)).count();
        if unlabelled > 0 {
            let claims = if args.entity.is_some() { "entities" } else { "claims" };
            eprintln!(
                "{unlabelled} of {} {claims} have no {}: they are neither learned from nor held out",
                table.n_rows(),
                column.name
            );
        }
    }
    let mut progress = progress_printer();
    let model = match label {
        None => {
            let forest = IsolationForestParams {
                n_trees: args.trees,
                max_samples: args.max_samples.unwrap_or(256),
                contamination: args.contamination,
                seed: args.seed,
            };
            let request = AnomalyRequest::new(feature_columns, forest);
            let (model, _) =
                train_anomaly_model(&table, &request, &mut progress).map_err(|e| format!("{input}: {e}"))?;
            eprintln!(
                "isolation forest: {} trees on ψ = {} rows; {} of {} training rows flagged at score >= {:.4}",
                args.trees,
                args.max_samples.unwrap_or(256).min(table.n_rows()),
                model.training().n_flagged.unwrap_or(0),
                table.n_rows(),
                model.threshold()
            );
            model
        }
        Some(label_column) => {
            let request = TrainRequest {
                label_column,
                positive_label: positive,
                feature_columns,
                forest: ForestParams {
                    n_trees: args.trees,
                    seed: args.seed,
                    max_samples: args.max_samples,
                    tree: TreeParams {
                        max_depth: args.max_depth,
                        min_samples_leaf: args.min_samples_leaf,
                        ..TreeParams::default()
                    },
                    ..ForestParams::default()
                },
                test_fraction: args.test_fraction.unwrap_or(0.2),
                split_seed: args.seed,
                decision_threshold: 0.5,
            };
            let (model, report) = train_model(&table, &request, &mut progress).map_err(|e| format!("{input}: {e}"))?;
            eprintln!(
                "random forest: {} trees on {} {rows_are}, {} held out",
                args.trees, report.n_train, report.n_test
            );
            if let Some(held_out) = &model.training().held_out {
                let auc = held_out.roc_auc.map_or("n/a".to_owned(), |auc| format!("{auc:.4}"));
                eprintln!("held-out accuracy {:.4}, ROC AUC {auc}", held_out.accuracy);
                if let Some(top) = &held_out.top_decile {
                    eprintln!(
                        "backtest: the top decile of held-out {rows_are} by score holds {} positives in {} ({:.1}%), \
                         {:.2}x the base rate of {:.1}%",
                        top.n_top_positive,
                        top.n_top,
                        100.0 * top.n_top_positive as f64 / top.n_top as f64,
                        top.lift,
                        100.0 * top.base_rate
                    );
                }
            }
            model
        }
    };
    let model = match &args.entity {
        Some(key) => model.with_entity(key.clone()),
        None => model,
    };
    write_text(&args.out, &model.to_json())?;
    eprintln!("wrote the model to {}", args.out);
    Ok(())
}

/// What `score` writes besides the scores.
#[derive(Debug, Clone, Copy)]
pub struct ScoreOutputs<'a> {
    /// A rule pack (file or built-in name) whose hits, priority and tier are added.
    pub rules: Option<&'a str>,
    /// A directory for one summary CSV per entity level.
    pub summaries: Option<&'a str>,
    /// Scores with every digit rather than 6 significant ones.
    pub full_precision: bool,
}

/// The claims to score, explain or encode. With a history file, their derived features
/// are computed over the history plus these claims (see `prepare_against`), never over
/// these claims alone, and the command says how many were already in the history.
fn read_scoring_table(input: &str, history: Option<&str>, options: &Reading) -> Result<ClaimsTable, String> {
    let table = read_table(input, options)?;
    let Some(history_path) = history else { return Ok(table) };
    let history = read_table(history_path, options)?;
    let (prepared, _, used) =
        prepare_against(&table, &history).map_err(|e| format!("{input} with history {history_path}: {e}"))?;
    eprintln!(
        "derived features computed over {} claims: the {} of {history_path} with {} of {input}'s {} in their place and {} new",
        used.n_history + used.n_new,
        used.n_history,
        used.n_matched,
        table.n_rows(),
        used.n_new
    );
    Ok(prepared)
}

/// Scores the entities of `table` with an entity model: one row per entity, its key, its
/// claim count, score and prediction, best first.
fn score_entity_file(
    model: &ScoringModel,
    table: &ClaimsTable,
    input: &str,
    out: &str,
    full_precision: bool,
) -> Result<(), String> {
    let (entities, scores) = score_entities(model, table).map_err(|e| format!("{input}: {e}"))?;
    let key = entities.table.columns().first().ok_or_else(|| format!("{input}: no entity"))?;
    let counts = entities.table.column(CLAIM_COUNT_COLUMN).ok_or_else(|| format!("{input}: no claim counts"))?;
    let threshold = model.threshold();
    let positive = match model.algorithm() {
        Algorithm::RandomForest { label_column, .. } => positive_word(Some(label_column)),
        Algorithm::IsolationForest { .. } => positive_word(None),
    };
    let negative = format!("Not {}", positive.to_ascii_lowercase());
    let order = claimforest::sorting::stable_order(scores.len(), &|a, b| scores[b].total_cmp(&scores[a]));
    let header: Vec<String> =
        [key.name.as_str(), CLAIM_COUNT_COLUMN, "rank", "score", "prediction"].map(str::to_owned).into();
    write_file(out, |writer| {
        write_rows(writer, &header, order.len(), |position, fields| {
            let entity = order[position];
            let score = scores[entity];
            fields.push(key.cell_text(entity).into_owned());
            fields.push(counts.data.display(entity));
            fields.push((position + 1).to_string());
            fields.push(if full_precision { score.to_string() } else { format_significant(score, SCORE_DIGITS) });
            fields.push(if score >= threshold { positive.clone() } else { negative.clone() });
        })
    })?;
    eprintln!(
        "scored {} entities grouped by '{}' from {} claims into {out}, highest score first",
        order.len(),
        model.entity().unwrap_or_default(),
        table.n_rows()
    );
    Ok(())
}

/// Says what the derived features of claims scored without a history are computed over.
fn say_population(model: &ScoringModel, table: &ClaimsTable, input: &str, history: Option<&str>) {
    if history.is_none() {
        if let Some(note) = population_note(model, table, input) {
            eprintln!("note: {note}");
        }
    }
}

/// Scores `input` with a model; with `rules`, adds each claim's rule hits, the hybrid
/// priority (0.5·score + 0.3·highest severity + 0.2·any hit, isolation scores rescaled to
/// 0–1 first, as the page does) and its risk tier; with
/// `summaries`, writes one summary CSV per entity level the file has into that directory.
pub fn score(
    model_path: &str,
    input: &str,
    history: Option<&str>,
    out: &str,
    outputs: &ScoreOutputs<'_>,
    options: &Reading,
) -> Result<(), String> {
    let ScoreOutputs { rules, summaries, full_precision } = *outputs;
    let model = read_model(model_path)?;
    let mut table = read_scoring_table(input, history, options)?;
    if model.entity().is_some() {
        if rules.is_some() || summaries.is_some() {
            return Err(format!("{model_path} scores entities: --rules and --summaries work with a model of claims"));
        }
        return score_entity_file(&model, &table, input, out, full_precision);
    }
    let scores = model.score(&table).map_err(|e| format!("{input}: {e}"))?;
    // Another vendor's layout: say which header fed which model input.
    for (model_input, header) in model.encoder().renamed_inputs(&table) {
        eprintln!("model input '{model_input}' read from the column '{header}'");
    }
    let threshold = model.threshold();
    let predicted: Vec<bool> = scores.iter().map(|&score| score >= threshold).collect();
    // The prediction in words, as the page says it: "Denied" / "Not denied".
    let positive = match model.algorithm() {
        Algorithm::RandomForest { label_column, .. } => positive_word(Some(label_column)),
        Algorithm::IsolationForest { .. } => positive_word(None),
    };
    let negative = format!("Not {}", positive.to_ascii_lowercase());
    let mut predictions = CategoricalBuilder::default();
    predicted.iter().for_each(|&p| predictions.push(Some(if p { &positive } else { &negative })));
    let mut rule_columns = Vec::new();
    let (priority, flagged) = match rules {
        Some(source) => {
            let pack = read_pack(source)?;
            let (prepared, _) = prepare(&table).map_err(|e| format!("{input}: {e}"))?;
            let outcome = evaluate_pack(&prepared, &pack);
            for skipped in &outcome.skipped {
                eprintln!("rule {} skipped: {:?}", skipped.id, skipped.reason);
            }
            let kind = match model.algorithm() {
                Algorithm::RandomForest { .. } => ScoreKind::Probability,
                Algorithm::IsolationForest { .. } => ScoreKind::Anomaly,
            };
            let rule_terms = Some((outcome.max_severity.as_slice(), outcome.flag.as_slice()));
            let priority = claim_priority(Some((&scores, kind)), rule_terms, &HybridWeights::default());
            let mut hit_texts = CategoricalBuilder::default();
            for row in 0..table.n_rows() {
                let ids: Vec<&str> = outcome.hits_of(row).map(|rule| rule.id.as_str()).collect();
                hit_texts.push(Some(&ids.join(";")));
            }
            let flags: Vec<f64> = outcome.flag.iter().map(|&f| f64::from(u8::from(f))).collect();
            rule_columns.push(("rule_hits", hit_texts.finish()));
            rule_columns.push(("rule_severity", ColumnData::Numeric { values: outcome.max_severity.clone().into() }));
            rule_columns.push(("rule_flag", ColumnData::Numeric { values: flags.into() }));
            eprintln!(
                "{} of {} rules ran; {} claims hit at least one",
                outcome.rules.len(),
                pack.rules.len(),
                outcome.flag.iter().filter(|&&f| f).count()
            );
            (priority, outcome.flag.clone())
        }
        None => (scores.clone(), predicted),
    };
    let with_rules = rules.is_some();
    // The claim's 1-based row, so the output joins back to the file; scores with the digits
    // that matter unless --precision full.
    let rows: Vec<f64> = (1..=table.n_rows()).map(|row| row as f64).collect();
    let shown = |values: &[f64]| -> Vec<f64> {
        if full_precision {
            values.to_vec()
        } else {
            values.iter().map(|&v| format_significant(v, SCORE_DIGITS).parse().unwrap_or(v)).collect()
        }
    };
    push_unique(&mut table, "row", ColumnData::Numeric { values: rows.into() })?;
    push_unique(&mut table, "score", ColumnData::Numeric { values: shown(&scores).into() })?;
    push_unique(&mut table, "prediction", predictions.finish())?;
    for (name, data) in rule_columns {
        push_unique(&mut table, name, data)?;
    }
    if with_rules {
        let tiers = TierCuts::default();
        let mut tier_texts = CategoricalBuilder::default();
        priority.iter().for_each(|&p| tier_texts.push(Some(tiers.tier(p).label())));
        push_unique(&mut table, "priority", ColumnData::Numeric { values: shown(&priority).into() })?;
        push_unique(&mut table, "risk_tier", tier_texts.finish())?;
    }
    write_table(&table, out)?;
    eprintln!("scored {} rows (prediction = score >= {threshold}) into {out}", table.n_rows());
    say_population(&model, &table, input, history);
    if let Some(dir) = summaries {
        write_summaries(&table, &priority, &flagged, dir)?;
    }
    Ok(())
}

/// A rule pack from a JSON file, or a built-in pack by name.
fn read_pack(source: &str) -> Result<RulePack, String> {
    if BUILTIN_PACKS.iter().any(|(name, _)| *name == source) {
        return builtin_pack(source).map_err(|e| format!("rule pack {source}: {e}"));
    }
    let text = std::fs::read_to_string(source).map_err(|e| format!("{source}: cannot read the rule pack: {e}"))?;
    RulePack::from_json(&text).map_err(|e| format!("{source}: {e}"))
}

/// One `<level>_level_summary.csv` per entity level the table has.
fn write_summaries(table: &ClaimsTable, priority: &[f64], flagged: &[bool], dir: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: cannot create the directory: {e}"))?;
    let levels = levels_present(table);
    if levels.is_empty() {
        eprintln!("{dir}: the file has no member, provider or pharmacy column, so there is nothing to summarise");
    }
    for level in levels {
        let summary = summarize(table, level, priority, flagged, None).map_err(|e| format!("{dir}: {e}"))?;
        let path = format!("{dir}/{}_level_summary.csv", level.slug());
        write_file(&path, |writer| write_summary_csv(&summary, writer))?;
        eprintln!("wrote {} {} summaries to {path}", summary.rows.len(), level.label());
    }
    Ok(())
}

pub fn explain(
    model_path: &str,
    input: &str,
    history: Option<&str>,
    out: &str,
    options: &Reading,
) -> Result<(), String> {
    let model = read_model(model_path)?;
    let table = read_scoring_table(input, history, options)?;
    // An entity model explains each entity's row of aggregates, named by its key.
    let entities = match model.entity() {
        Some(_) => Some(score_entities(&model, &table).map_err(|e| format!("{input}: {e}"))?.0),
        None => None,
    };
    let explained = entities.as_ref().map_or(&table, |entities| &entities.table);
    let shap = model.explain(explained).map_err(|e| format!("{input}: {e}"))?;
    // The claim's 1-based row first (or the entity's key), so each explanation joins back.
    let key = entities.as_ref().and_then(|entities| entities.table.columns().first());
    let first = key.map_or("row", |key| key.name.as_str());
    let header: Vec<String> =
        [first, "base_value"].map(str::to_owned).into_iter().chain(model.feature_names()).collect();
    write_file(out, |writer| {
        write_rows(writer, &header, shap.n_rows(), |row_idx, fields| {
            fields.push(key.map_or_else(|| (row_idx + 1).to_string(), |key| key.cell_text(row_idx).into_owned()));
            fields.push(shap.base_value.to_string());
            fields.extend(shap.row(row_idx).iter().map(f64::to_string));
        })
    })?;
    eprintln!("wrote exact TreeSHAP values of {} rows to {out}", shap.n_rows());
    say_population(&model, &table, input, history);
    Ok(())
}

pub fn encode(
    model_path: &str,
    input: &str,
    history: Option<&str>,
    out: &str,
    options: &Reading,
) -> Result<(), String> {
    let model = read_model(model_path)?;
    let table = read_scoring_table(input, history, options)?;
    let matrix = model.encode(&table).map_err(|e| format!("{input}: {e}"))?;
    let mut row = Vec::with_capacity(matrix.n_features());
    write_file(out, |writer| {
        write_rows(writer, matrix.feature_names(), matrix.n_rows(), |row_idx, fields| {
            matrix.copy_row_into(row_idx, &mut row);
            fields.extend(row.iter().map(|v| if v.is_nan() { "NaN".into() } else { v.to_string() }));
        })
    })?;
    eprintln!("wrote the {} x {} matrix the model reads to {out}", matrix.n_rows(), matrix.n_features());
    say_population(&model, &table, input, history);
    Ok(())
}

pub fn export(model_path: &str, out: &str) -> Result<(), String> {
    let model = read_model(model_path)?;
    write_text(out, &model.shap_export_json())?;
    eprintln!("wrote shap tree-ensemble JSON to {out}");
    Ok(())
}

pub fn evaluate(
    input: &str,
    label: &str,
    positive: Option<&str>,
    score_column: &str,
    threshold: f64,
    out: &str,
    options: &Reading,
) -> Result<(), String> {
    let table = read_table(input, options)?;
    let labels = binary_labels(&table, label, positive).map_err(|e| format!("{input}: {e}"))?;
    let column = table.column(score_column).ok_or_else(|| format!("{input}: there is no column '{score_column}'"))?;
    let ColumnData::Numeric { values: scores } = &column.data else {
        return Err(format!("{input}: column '{score_column}' holds text, not scores"));
    };
    let actual: Vec<bool> = labels.iter().map(|&class| class == 1).collect();
    let report =
        BinaryReport::compute(&actual, &scores.as_f64s(), threshold, &QUEUE_DEPTHS, 10).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    write_text(out, &json)?;
    let show = |value: Option<f64>| value.map_or("n/a".to_owned(), |v| format!("{v:.4}"));
    out!("rows {}  positives {}  threshold {threshold}", report.n_rows, report.n_positive);
    out!(
        "accuracy {}  precision {}  recall {}  F1 {}",
        show(report.accuracy),
        show(report.precision),
        show(report.recall),
        show(report.f1)
    );
    out!("ROC AUC {}  average precision {}", show(report.roc_auc), show(report.average_precision));
    for at in &report.at_k {
        out!("top {:>5}: precision {}  recall {}", at.k, show(Some(at.precision)), show(at.recall));
    }
    eprintln!("wrote the full report (curves, calibration) to {out}");
    Ok(())
}

/// The denial teaching flow: generate, train, evaluate, score the notebook's bad claim.
pub fn demo(n_rows: usize, seed: u64) -> Result<(), String> {
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

/// The claims of `path`, with every `--join` file joined on, each join reported.
fn read_table(path: &str, options: &Reading) -> Result<ClaimsTable, String> {
    let mut table = read_one_table(path, &options.ingest)?;
    for join in &options.joins {
        let entity = read_one_table(&join.file, &options.ingest)?;
        let report = left_join(&mut table, &entity, &join.file, join.key.as_deref(), options.ingest.budget.max_cells)
            .map_err(|e| e.to_string())?;
        eprintln!("{}", report.describe());
    }
    Ok(table)
}

fn read_one_table(path: &str, options: &IngestOptions) -> Result<ClaimsTable, String> {
    let ingested = read_path(path, options)?;
    let report = &ingested.report;
    if report.rows_rejected > 0 || report.cell_problem_count > 0 {
        eprintln!(
            "{path}: {} rows rejected, {} unreadable cells read as missing (`claimforest inspect --input {path}` lists them)",
            report.rows_rejected, report.cell_problem_count
        );
    }
    Ok(ingested.table)
}

/// Streams a file through ingestion; the text is never held whole.
fn read_path(path: &str, options: &IngestOptions) -> Result<Ingested, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read '{path}': {e}"))?;
    read_source(std::io::BufReader::new(file), path, options).map_err(|e| e.to_string())
}

fn read_model(path: &str) -> Result<ScoringModel, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read '{path}': {e}"))?;
    ScoringModel::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn write_text(path: &str, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write '{path}': {e}"))
}

fn write_table(table: &ClaimsTable, path: &str) -> Result<(), String> {
    write_file(path, |writer| write_csv(table, writer))
}

/// Creates `path`, runs `write` on a buffered writer and flushes; errors name the file.
fn write_file(
    path: &str,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut writer =
        std::fs::File::create(path).map(BufWriter::new).map_err(|e| format!("cannot create '{path}': {e}"))?;
    write(&mut writer).and_then(|()| writer.flush()).map_err(|e| format!("cannot write '{path}': {e}"))
}

/// Adds a column named `name`, or `name_2`, `name_3`, ... if the input already has one.
fn push_unique(table: &mut ClaimsTable, name: &str, data: ColumnData) -> Result<(), String> {
    let taken = table.column_names();
    let unique = std::iter::once(name.to_owned())
        .chain((2..).map(|n| format!("{name}_{n}")))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| name.to_owned());
    table.push_column(unique, data).map_err(|e| e.to_string())
}

/// The machine's memory in bytes (Linux's `MemTotal`), which sizes the input budget; 8 GiB
/// where it cannot be read.
pub fn machine_memory() -> u64 {
    const FALLBACK: u64 = 8 << 30;
    let Ok(meminfo) = std::fs::read_to_string("/proc/meminfo") else { return FALLBACK };
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(FALLBACK, |kib| kib.saturating_mul(1024))
}

/// Prints "trees n/N" on stderr every tenth of the way.
fn progress_printer() -> impl FnMut(FitProgress) -> ControlFlow<()> {
    move |progress: FitProgress| {
        let step = (progress.n_trees / 10).max(1);
        if progress.n_trees_done.is_multiple_of(step) || progress.n_trees_done == progress.n_trees {
            eprint!("\rtrees {}/{}", progress.n_trees_done, progress.n_trees);
            if progress.n_trees_done == progress.n_trees {
                eprintln!();
            }
        }
        ControlFlow::Continue(())
    }
}
