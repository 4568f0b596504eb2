//! Hostile peer statistics and entity keys in model files: whatever the `peers` and `entity`
//! fields say, loading a model and scoring a raw file with it (which compares each claim
//! with those peers, or groups the claims by that key) never panics, and a bent statistic
//! only changes the features of the groups it names.

use std::ops::ControlFlow;
use std::sync::OnceLock;

use claimforest::claims::synth::{generate, Scenario, SynthOptions};
use claimforest::claims::ClaimsTable;
use claimforest::pipeline::entity::score_entities;
use claimforest::pipeline::{prepare, train_model, ScoringModel, TrainRequest};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::hostile_models::text_of;

struct Fixture {
    claims: ClaimsTable,
    model_json: Value,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let claims = generate(Scenario::Medical, &SynthOptions { n_rows: 600, seed: 4, ..SynthOptions::default() })
            .expect("medical claims");
        let (prepared, _) = prepare(&claims).expect("features");
        let mut request = TrainRequest { label_column: "is_anomaly".into(), ..TrainRequest::default() };
        request.feature_columns = [
            "allowed_amount",
            "allowed_vs_procedure_mean",
            "allowed_vs_procedure_p99",
            "procedure_sex_share",
            "procedure_age_zscore",
            "units_vs_procedure_mean",
        ]
        .map(String::from)
        .to_vec();
        request.forest.n_trees = 4;
        let (model, _) = train_model(&prepared, &request, &mut |_| ControlFlow::Continue(())).expect("a forest");
        Fixture { claims, model_json: serde_json::from_str(&model.to_json()).expect("JSON") }
    })
}

/// Loads the bent model and scores the raw claims (building their features against its
/// peers) and, as an entity model, groups them; returns the scores if scoring worked.
fn score_with(model_json: &Value) -> Option<Vec<f64>> {
    let model = ScoringModel::from_json(&text_of(model_json)).ok()?;
    let _ = score_entities(&model, &fixture().claims);
    let scores = model.score(&fixture().claims).ok()?;
    assert!(scores.iter().all(|s| s.is_nan() || (0.0..=1.0).contains(s)), "a score outside [0, 1]");
    Some(scores)
}

#[test]
fn the_fixture_carries_peers_and_scores() {
    let peers = &fixture().model_json["peers"]["statistics"];
    assert!(peers.as_array().is_some_and(|s| s.len() >= 4), "{peers}");
    assert_eq!(score_with(&fixture().model_json).map(|s| s.len()), Some(600));
}

/// One way to bend a model's `peers`.
type Bend = Box<dyn Fn(&mut Value)>;

#[test]
fn hand_bent_peers_load_and_score_without_panicking() {
    let bends: Vec<Bend> = vec![
        Box::new(|p| p["statistics"][0]["groups"][0]["values"] = json!([])),
        Box::new(|p| p["statistics"][0]["groups"][0]["values"] = json!([null, null, null])),
        Box::new(|p| p["statistics"][0]["groups"][0]["values"] = json!([1e308, -1e308, 0.0])),
        Box::new(|p| p["statistics"][4]["groups"][0]["labels"] = json!(["F", "M", "X", "F"])),
        Box::new(|p| p["statistics"][4]["groups"][0]["values"] = json!([0.5])),
        Box::new(|p| {
            let group = p["statistics"][0]["groups"][0].clone();
            p["statistics"][0]["groups"] = json!(vec![group; 50]);
        }),
        Box::new(|p| p["statistics"][0]["name"] = json!("no such statistic")),
        Box::new(|p| p["statistics"] = json!([{"name": "units mean by procedure_code", "groups": []}])),
        Box::new(|p| {
            let many: Vec<String> = (0..20_000).map(|i| format!("L{i}")).collect();
            p["statistics"][4]["groups"][0]["labels"] = json!(many);
        }),
        Box::new(|p| p["statistics"][0]["groups"][0]["count"] = json!(u64::MAX)),
    ];
    let mut scored = 0;
    for (idx, bend) in bends.iter().enumerate() {
        let mut model = fixture().model_json.clone();
        bend(&mut model["peers"]);
        // Loading may refuse a malformed field; whatever loads must score.
        if let Some(scores) = score_with(&model) {
            assert_eq!(scores.len(), 600, "bend {idx}");
            scored += 1;
        }
    }
    assert!(scored >= 8, "only {scored} of {} bent models loaded and scored", bends.len());
}

#[test]
fn an_entity_key_the_claims_lack_is_a_sentence() {
    let mut model = fixture().model_json.clone();
    model["entity"] = json!("no_such_column");
    let model = ScoringModel::from_json(&text_of(&model)).expect("loads");
    let error = score_entities(&model, &fixture().claims).expect_err("refused").to_string();
    assert!(error.contains("no column named 'no_such_column'"), "{error}");
}

fn hostile_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<f64>().prop_map(|v| json!(v)),
        any::<i64>().prop_map(|v| json!(v)),
        ".{0,12}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, "a", null])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_leaf_of_the_peers_bent_still_scores_or_is_refused(
        statistic in 0usize..6, group in 0usize..8, field in 0usize..4, slot in 0usize..3, leaf in hostile_leaf()
    ) {
        let mut model = fixture().model_json.clone();
        let Some(target) = model["peers"]["statistics"].get_mut(statistic).and_then(|s| s["groups"].get_mut(group))
        else {
            return Ok(());
        };
        let mut in_list = |name: &str, leaf: Value| {
            if !target[name].is_array() {
                target[name] = json!([]);
            }
            if let Some(list) = target[name].as_array_mut() {
                match list.get_mut(slot) {
                    Some(item) => *item = leaf,
                    None => list.push(leaf),
                }
            }
        };
        match field {
            0 => target["key"] = leaf,
            1 => target["count"] = leaf,
            2 => in_list("values", leaf),
            _ => in_list("labels", leaf),
        }
        let _ = score_with(&model);
    }
}
