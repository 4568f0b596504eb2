//! Browser tests (wasm-bindgen-test in headless Chromium): determinism and the worker codec.
#![cfg(target_arch = "wasm32")]

mod common;

use claimforest::claims::synth::generate_denial;
use claimforest::pipeline::TrainRequest;
use claimforest::protocol::{FromWorker, ToWorker};
use claimforest::worker::codec;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn seeded_training_is_bit_identical_to_native() {
    assert_eq!(common::fingerprint(&common::seeded_engine_run()), common::GOLDEN_ENGINE_FINGERPRINT.trim());
}

#[wasm_bindgen_test]
fn seeded_claims_data_is_bit_identical_to_native() {
    assert_eq!(common::fingerprint(&common::seeded_claims_run()), common::GOLDEN_CLAIMS_FINGERPRINT.trim());
}

#[wasm_bindgen_test]
fn worker_messages_survive_structured_values() {
    let mut table = generate_denial(50, 3).unwrap();
    // A missing value and a seed beyond 2^32 must survive the JS round trip exactly.
    table.push_column("sparse", claimforest::claims::ColumnData::Numeric { values: vec![f64::NAN; 50] }).unwrap();
    let mut request = TrainRequest::default();
    request.forest.seed = (1 << 53) - 1;
    let message = ToWorker::Train { job_id: 9, table, request };
    let decoded: ToWorker = codec::decode(codec::encode(&message).unwrap()).unwrap();
    let (ToWorker::Train { table: a, request: ra, .. }, ToWorker::Train { table: b, request: rb, .. }) =
        (&message, &decoded);
    assert_eq!(ra, rb);
    assert_eq!(serde_json::to_string(a).unwrap(), serde_json::to_string(b).unwrap());
    let reply = FromWorker::Failed { job_id: 9, message: "column 'x', row 3: bad".into() };
    assert_eq!(codec::decode::<FromWorker>(codec::encode(&reply).unwrap()).unwrap(), reply);
}

#[wasm_bindgen_test]
fn garbage_from_javascript_is_an_error_not_a_panic() {
    let garbage = wasm_bindgen::JsValue::from_str("not a message");
    assert!(codec::decode::<ToWorker>(garbage).is_err());
    assert!(codec::decode::<FromWorker>(js_sys::Object::new().into()).is_err());
}
