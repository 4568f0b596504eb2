//! Hostile model files: whatever a model file says, loading, scoring, explaining and
//! exporting it never panics and stays within a memory bound linear in the file's size.
//!
//! The files are built here, not shipped: real models trained on seeded claims, then bent
//! by hand (a DAG whose paths double at every level, a class count that overflows) and by
//! proptest (any leaf of the JSON replaced by a hostile value, any tree replaced by a
//! random arena).

use std::ops::ControlFlow;
use std::sync::OnceLock;

use claimforest::analysis::explain::{explain_vector, ExplainOptions};
use claimforest::claims::synth::generate_denial;
use claimforest::claims::ClaimsTable;
use claimforest::pipeline::{
    default_feature_columns, train_anomaly_model, train_model, AnomalyRequest, ModelFileError, ScoringModel,
    TrainRequest,
};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::memory::peak_heap_of;

/// A loaded model may use this many heap bytes per byte of its file, plus [`FIXED_BYTES`],
/// while it is read, scored on 300 claims, explained on three and exported. Real models
/// measure under 12× (the flattened forest and the explainer's compact trees sit beside
/// the parsed one).
const BYTES_PER_FILE_BYTE: usize = 40;
/// Room for the 300 claims' matrix and scores and the explainers' buffers.
const FIXED_BYTES: usize = 8 << 20;

struct Fixtures {
    table: ClaimsTable,
    forest_json: Value,
    isolation_json: Value,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let table = generate_denial(300, 3).expect("denial claims");
        let mut request = TrainRequest::default();
        request.forest.n_trees = 4;
        request.forest.tree.max_depth = Some(4);
        let (forest, _) = train_model(&table, &request, &mut |_| ControlFlow::Continue(())).expect("a forest");
        let (columns, _) = default_feature_columns(&table, None);
        let mut anomaly = AnomalyRequest::new(columns, Default::default());
        anomaly.forest.n_trees = 4;
        anomaly.forest.max_samples = 16;
        let (isolation, _) = train_anomaly_model(&table, &anomaly, &mut |_| ControlFlow::Continue(())).expect("an IF");
        let parse = |model: &ScoringModel| serde_json::from_str(&model.to_json()).expect("JSON");
        Fixtures { forest_json: parse(&forest), isolation_json: parse(&isolation), table }
    })
}

/// Loads `text` and, if it loads, does everything the page and the CLI do with a model,
/// returning the load result. Panics only if the memory bound is broken.
fn load_and_use(text: &str) -> Result<(), ModelFileError> {
    let table = &fixtures().table;
    let (result, peak) = peak_heap_of(|| {
        let model = ScoringModel::from_json(text)?;
        // Scoring may refuse a table (a feature the claims lack); it must not panic.
        let _ = model.score(table);
        if let Ok(matrix) = model.encode(table) {
            let mut row = Vec::new();
            for row_idx in 0..3.min(matrix.n_rows()) {
                matrix.copy_row_into(row_idx, &mut row);
                let _ = explain_vector(&model, &row, Some(row_idx), &ExplainOptions::default());
            }
        }
        let _ = model.shap_export_json();
        let _ = model.to_json();
        Ok(())
    });
    let bound = BYTES_PER_FILE_BYTE * text.len() + FIXED_BYTES;
    assert!(peak <= bound, "a {} B model file used {peak} B (bound {bound} B)", text.len());
    result
}

fn damaged_because(text: &str) -> String {
    match load_and_use(text) {
        Err(ModelFileError::Damaged(reason)) => reason,
        other => panic!("expected a damaged model, got {other:?}"),
    }
}

/// `value` as JSON text with each object's tag (`name`, `kind`) first, as ClaimForest writes
/// it (`serde_json::Value` sorts its keys).
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(text_of).collect::<Vec<_>>().join(",")),
        Value::Object(fields) => {
            let is_tag = |key: &str| key == "name" || key == "kind";
            let tags = fields.iter().filter(|(key, _)| is_tag(key));
            let rest = fields.iter().filter(|(key, _)| !is_tag(key));
            let parts: Vec<String> = tags
                .chain(rest)
                .map(|(key, item)| format!("{}:{}", Value::String(key.clone()), text_of(item)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        scalar => scalar.to_string(),
    }
}

fn nodes_of(model: &mut Value) -> &mut Value {
    &mut model["algorithm"]["forest"]["trees"][0]["nodes"]
}

#[test]
fn real_models_load_and_stay_within_the_bound() {
    for model in [&fixtures().forest_json, &fixtures().isolation_json] {
        assert_eq!(load_and_use(&text_of(model)), Ok(()));
    }
}

#[test]
fn a_split_whose_children_are_one_node_is_damaged() {
    // Forty splits in a chain, each with the next as both children: 2^40 root-to-leaf paths
    // in a few kilobytes, which a path-expanding flattener would try to build.
    let mut model = fixtures().forest_json.clone();
    let levels = 40;
    let mut nodes: Vec<Value> = (0..levels)
        .map(|level| {
            json!({"feature_idx": 0, "threshold": 0.5, "left": level + 1, "right": level + 1,
                   "missing_goes_left": true, "cover": 2.0})
        })
        .collect();
    nodes.push(json!({"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX,
                      "missing_goes_left": false, "cover": 1.0}));
    let n_nodes = nodes.len();
    *nodes_of(&mut model) = Value::Array(nodes);
    model["algorithm"]["forest"]["trees"][0]["class_weights"] = json!(vec![1.0; n_nodes * 2]);
    assert!(damaged_because(&text_of(&model)).contains("the same node as both children"));
}

#[test]
fn two_splits_sharing_a_child_are_damaged() {
    // A ladder: both nodes of each level split into both nodes of the next.
    let mut model = fixtures().forest_json.clone();
    let levels: u32 = 30;
    let mut nodes = vec![json!({"feature_idx": 0, "threshold": 0.5, "left": 1, "right": 2,
                                "missing_goes_left": true, "cover": 2.0})];
    for level in 0..levels {
        let (a, b) = (2 * level + 1, 2 * level + 2);
        for _ in [a, b] {
            let (left, right) = if level + 1 == levels { (u32::MAX, u32::MAX) } else { (a + 2, b + 2) };
            nodes.push(json!({"feature_idx": 0, "threshold": 0.5, "left": left, "right": right,
                              "missing_goes_left": true, "cover": 1.0}));
        }
    }
    let n_nodes = nodes.len();
    *nodes_of(&mut model) = Value::Array(nodes);
    model["algorithm"]["forest"]["trees"][0]["class_weights"] = json!(vec![1.0; n_nodes * 2]);
    assert!(damaged_because(&text_of(&model)).contains("is the child of two splits"));
}

#[test]
fn a_class_count_that_overflows_is_damaged() {
    // 2 nodes × (2^63 + 1) classes wraps to 2 in 64-bit arithmetic: two weights would match.
    for n_classes in [0u64, 1, (1 << 31) + 1, (1 << 63) + 1, u64::MAX] {
        let mut model = fixtures().forest_json.clone();
        model["algorithm"]["forest"]["n_classes"] = json!(n_classes);
        let tree = &mut model["algorithm"]["forest"]["trees"][0];
        tree["n_classes"] = json!(n_classes);
        tree["nodes"] = json!([
            {"feature_idx": 0, "threshold": 0.5, "left": 1, "right": 2, "missing_goes_left": true, "cover": 2.0},
            {"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX, "missing_goes_left": false, "cover": 1.0},
        ]);
        tree["class_weights"] = json!([1.0, 1.0]);
        assert!(damaged_because(&text_of(&model)).contains("classes"), "n_classes = {n_classes}");
    }
}

#[test]
fn an_isolation_sample_size_the_trees_never_saw_is_damaged() {
    // ψ = u64::MAX would make c(ψ) huge and flag every claim.
    for sample_size in [0u64, 1, 17, 1 << 40, u64::MAX] {
        let mut model = fixtures().isolation_json.clone();
        model["algorithm"]["forest"]["sample_size"] = json!(sample_size);
        let reason = damaged_because(&text_of(&model));
        assert!(reason.contains("sample size") || reason.contains("sampled rows"), "ψ = {sample_size}: {reason}");
    }
    let mut model = fixtures().isolation_json.clone();
    model["algorithm"]["forest"]["threshold"] = json!(0.0);
    assert!(damaged_because(&text_of(&model)).contains("threshold"));
}

#[test]
fn non_finite_or_negative_weights_are_damaged() {
    let mut model = fixtures().forest_json.clone();
    model["algorithm"]["forest"]["trees"][0]["class_weights"][0] = json!(-1.0);
    assert!(damaged_because(&text_of(&model)).contains("class weights"));
    let mut model = fixtures().forest_json.clone();
    model["algorithm"]["decision_threshold"] = json!(7.0);
    assert!(damaged_because(&text_of(&model)).contains("decision threshold"));
}

#[test]
fn chains_at_every_depth_limit_stay_within_the_bound() {
    // Isolation trees as chains as deep as ψ allows (a flattener lays shallow trees out as
    // complete heaps, 2^(depth+1) slots from 2·depth + 1 nodes), and a random-forest tree
    // as a chain MAX_TREE_DEPTH deep (TreeSHAP's cost grows with depth²).
    let mut isolation = fixtures().isolation_json.clone();
    let sample_size: u32 = 1 << 10;
    let depth = 10;
    let mut nodes = Vec::new();
    for level in 0..depth {
        let split = 2 * level;
        nodes.push(json!({"feature_idx": level % 3, "threshold": 0.5, "left": split + 1, "right": split + 2,
                          "missing_goes_left": true, "size": sample_size - level, "depth": level}));
        nodes.push(json!({"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX,
                          "missing_goes_left": false, "size": 1, "depth": level + 1}));
    }
    nodes.push(json!({"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX,
                      "missing_goes_left": false, "size": sample_size - depth, "depth": depth}));
    let tree = json!({"nodes": nodes});
    isolation["algorithm"]["forest"]["sample_size"] = json!(sample_size);
    isolation["algorithm"]["forest"]["trees"] = Value::Array(vec![tree; 400]);
    assert_eq!(load_and_use(&text_of(&isolation)), Ok(()));

    let mut forest = fixtures().forest_json.clone();
    let depth = claimforest::ml::tree::MAX_TREE_DEPTH as u32;
    let mut nodes = Vec::new();
    for level in 0..depth {
        let split = 2 * level;
        nodes.push(json!({"feature_idx": level % 3, "threshold": f64::from(level), "left": split + 1,
                          "right": split + 2, "missing_goes_left": true, "cover": 2.0}));
        nodes.push(json!({"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX,
                          "missing_goes_left": false, "cover": 1.0}));
    }
    nodes.push(json!({"feature_idx": 0, "threshold": 0.0, "left": u32::MAX, "right": u32::MAX,
                      "missing_goes_left": false, "cover": 1.0}));
    let n_nodes = nodes.len();
    let tree = json!({"nodes": nodes, "n_classes": 2, "class_weights": (0..n_nodes * 2).map(|i| (i % 3) as f64).collect::<Vec<_>>()});
    forest["algorithm"]["forest"]["trees"] = Value::Array(vec![tree; 20]);
    forest["algorithm"]["forest"]["n_classes"] = json!(2);
    assert_eq!(load_and_use(&text_of(&forest)), Ok(()));
}

/// Values a hostile file puts where a number, string or flag was.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(u32::MAX)),
        Just(json!((1u64 << 31) + 1)),
        Just(json!((1u64 << 32) + 1)),
        Just(json!((1u64 << 63) + 1)),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(0.5)),
        Just(json!("x")),
        Just(json!(null)),
        Just(json!([])),
        Just(json!({})),
        (0u32..40).prop_map(|n| json!(n)),
    ]
}

/// Numbers a hostile file puts where a number was, of the same kind (whole or not), so
/// that they get past parsing to the checks.
fn hostile_number() -> impl Strategy<Value = (Value, Value)> {
    let whole = prop_oneof![
        Just(0u64),
        Just(1),
        Just(2),
        Just(3),
        Just(u64::from(u32::MAX)),
        Just(u64::from(u32::MAX - 1)),
        Just((1 << 31) + 1),
        Just((1 << 63) + 1),
        Just(u64::MAX),
        0u64..40,
    ];
    let fraction = prop_oneof![Just(0.0), Just(-0.5), Just(0.5), Just(1e30), Just(-1e30), Just(1e-300), Just(2.0)];
    (whole, fraction).prop_map(|(whole, fraction)| (json!(whole), json!(fraction)))
}

/// Every path to a leaf (number, string, bool, null) of `value`.
fn leaf_paths(value: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match value {
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                path.push(PathStep::Index(idx));
                leaf_paths(item, path, out);
                path.pop();
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                path.push(PathStep::Key(key.clone()));
                leaf_paths(item, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'v>(value: &'v mut Value, path: &[PathStep]) -> &'v mut Value {
    path.iter().fold(value, |value, step| match step {
        PathStep::Key(key) => &mut value[key.as_str()],
        PathStep::Index(idx) => &mut value[*idx],
    })
}

/// A random arena: any children (often out of order, shared or equal), any feature, any
/// cover. Almost always refused; it checks the refusals.
fn random_arena(isolation: bool) -> impl Strategy<Value = Value> {
    let child = prop_oneof![Just(u32::MAX), 0u32..24];
    let node = (child.clone(), child, 0u32..12, 0u32..20);
    prop::collection::vec(node, 0..24).prop_map(move |nodes| {
        Value::Array(
            nodes
                .into_iter()
                .map(|(left, right, feature, size)| node_json(isolation, left, right, feature, size))
                .collect(),
        )
    })
}

/// A random arena that is one tree (children after parents, each reached once), with any
/// feature, threshold and cover: it passes the shape check and reaches scoring and
/// explaining with odd values.
fn random_tree(isolation: bool) -> impl Strategy<Value = Value> {
    let choices = prop::collection::vec((any::<bool>(), 0u32..12, 0u32..20), 1..40);
    choices.prop_map(move |choices| {
        // Breadth first: node k splits if its choice says so and there is room.
        let mut children: Vec<Option<(u32, u32)>> = vec![None];
        let mut next = 0;
        while next < children.len() {
            let (split, _, _) = choices[next % choices.len()];
            if split && children.len() + 2 <= choices.len() {
                let left = children.len() as u32;
                children[next] = Some((left, left + 1));
                children.extend([None, None]);
            }
            next += 1;
        }
        let nodes = children.iter().enumerate().map(|(idx, kids)| {
            let (_, feature, size) = choices[idx % choices.len()];
            let (left, right) = kids.unwrap_or((u32::MAX, u32::MAX));
            node_json(isolation, left, right, feature, size)
        });
        Value::Array(nodes.collect())
    })
}

fn node_json(isolation: bool, left: u32, right: u32, feature_idx: u32, size: u32) -> Value {
    if isolation {
        json!({"feature_idx": feature_idx, "threshold": 0.5, "left": left, "right": right,
               "missing_goes_left": true, "size": size, "depth": size % 5})
    } else {
        json!({"feature_idx": feature_idx, "threshold": f64::from(size) / 7.0, "left": left, "right": right,
               "missing_goes_left": size.is_multiple_of(2), "cover": f64::from(size)})
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bent_model_file_loads_or_is_refused_without_panicking(
        isolation in any::<bool>(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), hostile_number(), hostile_value(), 0u8..10), 0..6),
        arena in prop::option::of((any::<prop::sample::Index>(), any::<bool>(), random_arena(false), random_arena(true), random_tree(false), random_tree(true))),
    ) {
        let mut model = if isolation { fixtures().isolation_json.clone() } else { fixtures().forest_json.clone() };
        if let Some((tree, shaped, forest_arena, isolation_arena, forest_tree, isolation_tree)) = arena {
            let n_trees = model["algorithm"]["forest"]["trees"].as_array().map_or(0, Vec::len);
            let nodes = match (shaped, isolation) {
                (false, false) => forest_arena,
                (false, true) => isolation_arena,
                (true, false) => forest_tree,
                (true, true) => isolation_tree,
            };
            let n_nodes = nodes.as_array().map_or(0, Vec::len);
            let tree = &mut model["algorithm"]["forest"]["trees"][tree.index(n_trees.max(1))];
            tree["nodes"] = nodes;
            if !isolation {
                tree["class_weights"] = json!((0..n_nodes * 2).map(|i| (i % 3) as f64).collect::<Vec<_>>());
            }
        }
        let mut paths = Vec::new();
        leaf_paths(&model, &mut Vec::new(), &mut paths);
        for (pick, number, any_value, keep_type) in picks {
            let leaf = at(&mut model, &paths[pick.index(paths.len())]);
            // Mostly a value of the same type, which gets past parsing to the checks.
            let (whole, fraction) = number;
            *leaf = match (leaf.is_u64() || leaf.is_i64(), leaf.is_f64(), keep_type > 0) {
                (true, _, true) => whole,
                (_, true, true) => fraction,
                _ => any_value,
            };
        }
        // Either outcome is fine; a panic or a broken memory bound fails the test.
        let _ = load_and_use(&text_of(&model));
    }
}
