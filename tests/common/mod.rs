//! Fixtures shared by the native and the wasm test binaries.

use std::ops::ControlFlow;

use claimforest::claims::synth::generate_denial;
use claimforest::ml::{ForestParams, RandomForest};
use claimforest::pipeline::{binary_labels, FeatureEncoder, TrainRequest};

/// The committed fingerprint that native and wasm runs must both reproduce.
pub const GOLDEN_FOREST_FINGERPRINT: &str = include_str!("../golden/denial_forest.fnv1a64");

/// A fixed, seeded training run: 2,000 denial claims, 20 trees, seed 7.
pub fn seeded_denial_forest() -> (String, RandomForest) {
    let table = generate_denial(2_000, 7).expect("the generator builds a consistent table");
    let request = TrainRequest::default();
    let encoder = FeatureEncoder::fit(&table, &request.feature_columns).expect("denial columns exist");
    let matrix = encoder.encode(&table).expect("denial columns encode");
    let labels = binary_labels(&table, &request.label_column, None).expect("denial labels are complete");
    let params = ForestParams { n_trees: 20, seed: 7, ..ForestParams::default() };
    let forest = params.fit(&matrix, &labels, &mut |_| ControlFlow::Continue(())).expect("the forest fits");
    let table_json = serde_json::to_string(&table).expect("tables serialize");
    (table_json, forest)
}

/// FNV-1a (64-bit) of the table and model JSON, as 16 hex digits.
pub fn fingerprint(table_json: &str, forest: &RandomForest) -> String {
    let model_json = serde_json::to_string(forest).expect("forests serialize");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in table_json.bytes().chain(model_json.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
